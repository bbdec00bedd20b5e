"""The inbox list: a line-API widget that stays fast at 100k items.

Only the rows on screen are rendered (see :class:`RowList`); the widget holds
a list of ids and asks the inbox for each visible item, which is a cached
lookup. Moving the cursor re-renders two lines and never re-filters; the
screen replaces the ids only when the filter or the items change.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.message import Message

from console.inbox import STATUS_CLOSED, STATUS_SNOOZED, InboxItem
from console.untrusted import one_line
from screens.formatting import age_text, sla_text
from screens.widgets.row_list import Column, RowList, cursor_bindings, fit_cells, row_text

__all__ = ["Column", "InboxList", "fit_cells", "layout_columns"]

SELECTED_MARK = "*"
BREACHED_MARK = "!"
DUE_SOON_MARK = "~"


def layout_columns(width: int, *, show_status: bool) -> list[Column]:
    """The columns that fit ``width`` cells; the message snippet takes what is left."""
    if width >= 124:
        account, author, assignee = 16, 18, 10
        show_status = True
    elif width >= 90:
        account, author, assignee = 13, 14, 9
    elif width >= 70:
        account, author, assignee = 10, 11, 8
    else:
        account, author, assignee = 0, 10, 0
    columns = [Column("mark", "", 2), Column("age", "Age", 4, True), Column("sla", "SLA", 6, True)]
    if account:
        columns.append(Column("account", "Account", account, keep_end=True))
    columns.append(Column("author", "Author", author))
    tail = []
    if show_status:
        tail.append(Column("status", "Status", 7))
    if assignee:
        tail.append(Column("assignee", "Assignee", assignee))
    used = sum(c.width for c in columns + tail) + len(columns) + len(tail)
    columns.append(Column("snippet", "Message", max(width - used, 8)))
    return columns + tail


class InboxList(RowList):
    """Rows of inbox items with a cursor and a multi-selection."""

    DEFAULT_CSS = """
    InboxList > .inbox-list--breached { color: $text-error; }
    InboxList > .inbox-list--due-soon { color: $text-warning; }
    InboxList > .inbox-list--selected { text-style: bold; color: $text-accent; }
    """

    COMPONENT_CLASSES = {"inbox-list--breached", "inbox-list--due-soon", "inbox-list--selected"}

    BINDINGS = cursor_bindings("inbox")

    class CursorMoved(Message):
        """The cursor is on another item (``item_id`` is None when the list is empty)."""

        def __init__(self, inbox_list: "InboxList", item_id: str | None) -> None:
            super().__init__()
            self.inbox_list = inbox_list
            self.item_id = item_id

        @property
        def control(self) -> "InboxList":
            return self.inbox_list

    def __init__(self, get_item: Callable[[str], InboxItem | None], clock: Callable[[], datetime],
                 *, account_label: Callable[[str], str] = str, due_soon_seconds: float = 600,
                 empty_text: str = "Nothing here.", name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(empty_text=empty_text, name=name, id=id, classes=classes)
        self._get_item = get_item
        self._clock = clock
        self._account_label = account_label
        self.due_soon_seconds = due_soon_seconds
        self._ids: list[str] = []
        self._selected: dict[str, int] = {}  # id -> version when selected
        self._shown_versions: dict[str, int] = {}
        self.show_status = False
        self._columns: list[Column] = []
        self._columns_for: tuple[int, bool] | None = None

    # -- contents --------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return self._ids

    @property
    def cursor_id(self) -> str | None:
        if 0 <= self.cursor < len(self._ids):
            return self._ids[self.cursor]
        return None

    def set_ids(self, ids: list[str], *, keep_cursor: bool = True) -> None:
        """Show ``ids``; the cursor stays on the same item if it is still listed."""
        current = self.cursor_id
        old_index = self.cursor
        self._ids = ids
        if self._selected:
            present = set(ids)
            self._selected = {k: v for k, v in self._selected.items() if k in present}
        index = 0
        if keep_cursor and current is not None:
            try:
                index = ids.index(current)
            except ValueError:
                index = min(old_index, max(len(ids) - 1, 0))
        self.set_row_count(len(ids), index)

    def cursor_moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor_id))

    # -- versions, for collision detection -------------------------------------------
    def shown_version(self, item_id: str) -> int | None:
        """The version of ``item_id`` the operator last saw on screen."""
        return self._shown_versions.get(item_id)

    def note_shown(self, item: InboxItem) -> None:
        self._shown_versions[item.id] = item.version

    # -- selection -------------------------------------------------------------------
    @property
    def selected_ids(self) -> list[str]:
        """Selected ids in list order."""
        if not self._selected:
            return []
        return [k for k in self._ids if k in self._selected]

    @property
    def selection_versions(self) -> dict[str, int]:
        return dict(self._selected)

    def toggle_selected(self, item_id: str) -> bool:
        """Select or unselect ``item_id``; True if it is now selected."""
        if item_id in self._selected:
            del self._selected[item_id]
            selected = False
        else:
            version = self._shown_versions.get(item_id)
            if version is None:
                item = self._get_item(item_id)
                version = item.version if item else 0
            self._selected[item_id] = version
            selected = True
        self.refresh_row(self.cursor)
        return selected

    def clear_selection(self) -> None:
        self._selected.clear()
        self.refresh()

    # -- rendering -------------------------------------------------------------------
    def columns_for(self, width: int) -> list[Column]:
        key = (width, self.show_status)
        if self._columns_for != key:
            self._columns = layout_columns(width, show_status=self.show_status)
            self._columns_for = key
        return self._columns

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        item_id = self._ids[row]
        item = self._get_item(item_id)
        if item is None:
            muted = self.get_component_rich_style("row-list--muted")
            return Text(f"  {one_line(item_id)} (no longer in the store)"), base + muted
        self._shown_versions[item_id] = item.version
        style = base
        now = self._clock()
        remaining = item.sla_remaining(now)
        breached = remaining is not None and remaining < 0
        due_soon = remaining is not None and not breached and remaining <= self.due_soon_seconds
        if breached:
            style += self.get_component_rich_style("inbox-list--breached")
        elif due_soon:
            style += self.get_component_rich_style("inbox-list--due-soon")
        elif item.status in (STATUS_SNOOZED, STATUS_CLOSED):
            style += self.get_component_rich_style("row-list--muted")
        selected = item_id in self._selected
        if selected:
            style += self.get_component_rich_style("inbox-list--selected")
        flag = BREACHED_MARK if breached else DUE_SOON_MARK if due_soon else " "
        values = {
            "mark": (SELECTED_MARK if selected else " ") + flag,
            "age": age_text(item.created_at, now),
            "sla": sla_text(remaining),
            "account": one_line(self._account_label(item.account_id)),
            "author": one_line(item.author_handle or item.author_name),
            "snippet": one_line(item.text),
            "status": item.status,
            "assignee": one_line(item.assignee) if item.assignee else "-",
        }
        return row_text(columns, values), style
