"""The inbox list: a line-API widget that stays fast at 100k items.

Only the rows on screen are rendered (``render_line``); the widget holds a
list of ids and asks the inbox for each visible item, which is a cached
lookup. Moving the cursor re-renders two lines and never re-filters; the
screen replaces the ids only when the filter or the items change.

Row 0 of the widget is the column header; it never scrolls, and the virtual
height is one more than the number of rows, so the last row is reachable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from rich.cells import cell_len, set_cell_size
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.records import STATUS_CLOSED, STATUS_SNOOZED, InboxItem
from console.untrusted import one_line
from screens.formatting import age_text, sla_text

SELECTED_MARK = "*"
BREACHED_MARK = "!"
DUE_SOON_MARK = "~"


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    right: bool = False
    keep_end: bool = False


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


def fit_cells(value: str, width: int, *, right: bool = False, keep_end: bool = False) -> str:
    """``value`` cut (with an ellipsis) or padded to exactly ``width`` terminal cells.

    ``keep_end`` cuts the start instead (account handles differ at their end).
    """
    length = cell_len(value)
    if length > width:
        if width <= 1:
            return set_cell_size(value, width)
        if keep_end:
            tail = value
            while cell_len(tail) > width - 1:
                tail = tail[1:]
            return "…" + set_cell_size(tail, width - 1)
        return set_cell_size(value, width - 1) + "…"
    padding = " " * (width - length)
    return padding + value if right else value + padding


class InboxList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows of inbox items with a cursor and a multi-selection."""

    DEFAULT_CSS = """
    InboxList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    InboxList > .inbox-list--header {
        text-style: bold;
        color: $text-muted;
        background: $panel;
    }
    InboxList > .inbox-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    InboxList:focus > .inbox-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    InboxList > .inbox-list--breached { color: $text-error; }
    InboxList > .inbox-list--due-soon { color: $text-warning; }
    InboxList > .inbox-list--muted { color: $text-muted; }
    InboxList > .inbox-list--selected { text-style: bold; color: $text-accent; }
    InboxList > .inbox-list--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {
        "inbox-list--header",
        "inbox-list--cursor",
        "inbox-list--breached",
        "inbox-list--due-soon",
        "inbox-list--muted",
        "inbox-list--selected",
        "inbox-list--empty",
    }

    BINDINGS = [
        Binding("j,down", "cursor_down", "Down", show=False, id="inbox.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id="inbox.cursor_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id="inbox.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id="inbox.page_up"),
        Binding("home", "first", "First", show=False, id="inbox.first"),
        Binding("end,G", "last", "Last", show=False, id="inbox.last"),
    ]

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

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
        super().__init__(name=name, id=id, classes=classes)
        self._get_item = get_item
        self._clock = clock
        self._account_label = account_label
        self.due_soon_seconds = due_soon_seconds
        self.empty_text = empty_text
        self._ids: list[str] = []
        self._selected: dict[str, int] = {}  # id -> version when selected
        self._shown_versions: dict[str, int] = {}
        self.show_status = False
        self._columns: list[Column] = []
        self._columns_for: tuple[int, bool] | None = None
        self._now: datetime | None = None

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
        self.virtual_size = Size(0, len(ids) + 1)
        self.set_reactive(InboxList.cursor, index)
        self._scroll_cursor_into_view()
        self.refresh()
        self.post_message(self.CursorMoved(self, self.cursor_id))

    def refresh_rows(self) -> None:
        """Repaint the visible rows (items changed, or time passed)."""
        self._now = None
        self.refresh()

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
        self._refresh_row(self.cursor)
        return selected

    def clear_selection(self) -> None:
        self._selected.clear()
        self.refresh()

    # -- cursor ----------------------------------------------------------------------
    def _rows_visible(self) -> int:
        return max(self.size.height - 1, 1)

    def move_cursor(self, index: int) -> None:
        if not self._ids:
            return
        self.cursor = max(0, min(index, len(self._ids) - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self._refresh_row(old)
        self._refresh_row(new)
        self._scroll_cursor_into_view()
        self.post_message(self.CursorMoved(self, self.cursor_id))

    def _refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)

    def _scroll_cursor_into_view(self) -> None:
        rows = self._rows_visible()
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, len(self._ids) + 1)
        self._scroll_cursor_into_view()

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self._rows_visible())

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self._rows_visible())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(len(self._ids) - 1)

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < len(self._ids):
            self.move_cursor(row)

    # -- rendering -------------------------------------------------------------------
    def _columns_for_width(self, width: int) -> list[Column]:
        key = (width, self.show_status)
        if self._columns_for != key:
            self._columns = layout_columns(width, show_status=self.show_status)
            self._columns_for = key
        return self._columns

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = self._columns_for_width(width)
        if y == 0:
            header = self.get_component_rich_style("inbox-list--header")
            return self._strip(self._header_text(columns), width, base + header)
        row = round(self.scroll_y) + y - 1
        if row >= len(self._ids):
            if row == 0 and not self._ids:
                empty = self.get_component_rich_style("inbox-list--empty")
                return self._strip(Text(" " + self.empty_text), width, base + empty)
            return Strip.blank(width, base)
        item_id = self._ids[row]
        item = self._get_item(item_id)
        if item is None:
            muted = self.get_component_rich_style("inbox-list--muted")
            return self._strip(Text(f"  {one_line(item_id)} (no longer in the store)"), width, base + muted)
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
            style += self.get_component_rich_style("inbox-list--muted")
        selected = item_id in self._selected
        if selected:
            style += self.get_component_rich_style("inbox-list--selected")
        if row == self.cursor:
            style += self.get_component_rich_style("inbox-list--cursor")
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
        return self._strip(self._row_text(columns, values), width, style)

    def _header_text(self, columns: list[Column]) -> Text:
        return self._row_text(columns, {c.key: c.title for c in columns})

    @staticmethod
    def _row_text(columns: list[Column], values: dict[str, str]) -> Text:
        text = Text(no_wrap=True, end="")
        for index, column in enumerate(columns):
            text.append(fit_cells(values.get(column.key, ""), column.width, right=column.right,
                                  keep_end=column.keep_end))
            if index < len(columns) - 1:
                text.append(" ")
        return text

    def _strip(self, text: Text, width: int, style: Style) -> Strip:
        text.stylize(style)
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, style)
