"""The audit list: events newest first, one line each (see :class:`RowList`).

Every field is shown as plain text folded onto one line: the target and the
summary can hold text that came from a platform.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text
from textual.message import Message

from console.records import parse_time
from console.untrusted import one_line
from screens.formatting import clock_text
from screens.widgets.row_list import Column, RowList, cursor_bindings, row_text


def audit_columns(width: int) -> list[Column]:
    """Time, actor, action and target at fixed widths; the summary takes the rest."""
    if width >= 120:
        time_, actor, action, target = 16, 14, 18, 26
    elif width >= 90:
        time_, actor, action, target = 12, 12, 16, 20
    else:
        time_, actor, action, target = 12, 10, 16, 12
    columns = [Column("time", "Time", time_), Column("actor", "Actor", actor),
               Column("action", "Action", action), Column("target", "Target", target, keep_end=True)]
    used = sum(c.width for c in columns) + len(columns)
    return columns + [Column("summary", "Summary", max(width - used, 8))]


class AuditList(RowList):
    """Audit events (dicts as the trail keeps them), newest first, with a cursor."""

    BINDINGS = cursor_bindings("audit")

    class CursorMoved(Message):
        """The cursor is on another event (``event`` None when the list is empty)."""

        def __init__(self, audit_list: "AuditList", event: dict | None) -> None:
            super().__init__()
            self.audit_list = audit_list
            self.event = event

        @property
        def control(self) -> "AuditList":
            return self.audit_list

    def __init__(self, clock: Callable[[], datetime], *, tz: tzinfo | None = None,
                 empty_text: str = "Loading…", id: str | None = None) -> None:
        super().__init__(empty_text=empty_text, id=id)
        self._clock = clock
        self.tz = tz
        self._events: list[dict] = []
        self._columns: tuple[int, list[Column]] | None = None

    @property
    def events(self) -> list[dict]:
        return self._events

    @property
    def cursor_event(self) -> dict | None:
        if 0 <= self.cursor < len(self._events):
            return self._events[self.cursor]
        return None

    def set_events(self, events: list[dict]) -> None:
        """Show ``events``; the cursor stays on the same event if it is still listed."""
        current = self.cursor_event
        index = 0
        if current is not None:
            seq = current.get("seq")
            index = next((i for i, event in enumerate(events) if event.get("seq") == seq), 0)
        self._events = events
        self.set_row_count(len(events), index)

    def cursor_moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor_event))

    def columns_for(self, width: int) -> list[Column]:
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, audit_columns(width))
        return self._columns[1]

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        event = self._events[row]
        try:
            at = clock_text(parse_time(event.get("at")), self._clock(), self.tz)
        except (TypeError, ValueError):
            at = one_line(str(event.get("at", "")))
        values = {
            "time": at,
            "actor": one_line(str(event.get("actor", ""))),
            "action": one_line(str(event.get("action", ""))),
            "target": one_line(str(event.get("target", ""))),
            "summary": one_line(str(event.get("summary", ""))),
        }
        return row_text(columns, values), base
