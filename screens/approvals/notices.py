"""The author's notices, above their own posts in the Approvals panel ("mine", v).

Notices say what happened to a person's posts while they were elsewhere
(approved, rejected with the note, changes asked for, expired). The box
keeps every notice shown since the view opened, newest first, and marks the
new ones with a dot; the screen marks them read in the store. The text
carries approvers' notes: it is shown as plain ``Text``, never markup.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.widgets import Static

from console.notices import Notice
from console.untrusted import one_line
from screens.formatting import clock_text

#: Notices kept on screen at most (the box scrolls no further back).
KEEP = 20


class NoticesBox(Static):
    """Notices shown since the "mine" view opened; hidden while there are none."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(Text(""), id=id)
        self.notices: list[Notice] = []

    def add(self, unread: list[Notice], now: datetime, tz: tzinfo | None) -> list[Notice]:
        """Show ``unread``; those not shown yet get a dot (until newer ones come). Returns the new ones."""
        known = {notice.id for notice in self.notices}
        new = [notice for notice in unread if notice.id not in known]
        if not new:
            return []   # keep the dots on what was new at the last look
        self.notices = (self.notices + new)[-KEEP:]
        fresh = {notice.id for notice in new}
        text = Text()
        for notice in reversed(self.notices):
            if text:
                text.append("\n")
            text.append("● " if notice.id in fresh else "  ", "bold")
            text.append(f"{clock_text(notice.at, now, tz)} ")
            text.append(one_line(notice.text, 500))
        self.update(text)
        self.border_title = Text(f"Notices · {len(self.notices)}")
        self.set_class(bool(self.notices), "-shown")
        return new

    def clear(self) -> None:
        self.notices = []
        self.update(Text(""))
        self.remove_class("-shown")
