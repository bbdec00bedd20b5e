"""A line-API list with a header row and a cursor: the base of the inbox and audit lists.

Only the rows on screen are rendered (``render_line``), so a list of 100k
rows costs what 24 cost. The widget knows only how many rows there are;
subclasses say how a row looks (:meth:`RowList.render_row`) and what a
cursor move means (:meth:`RowList.cursor_moved`).

Row 0 of the widget is the column header; it never scrolls, and the virtual
height is one more than the number of rows, so the last row is reachable.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.cells import cell_len
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Size
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from console.graphemes import graphemes, steady_width


@dataclass(frozen=True)
class Column:
    key: str
    title: str
    width: int
    right: bool = False
    keep_end: bool = False


def fit_cells(value: str, width: int, *, right: bool = False, keep_end: bool = False) -> str:
    """``value`` cut (with an ellipsis) or padded to exactly ``width`` terminal cells.

    Emoji sequences take their steady form (see :mod:`console.graphemes`) and the
    text is measured and cut by grapheme cluster, so every terminal draws the cell
    at ``width`` and the columns after it line up. ``keep_end`` cuts the start
    instead (account handles differ at their end).
    """
    value = steady_width(value)
    length = cell_len(value)
    if length <= width:
        padding = " " * (width - length)
        return padding + value if right else value + padding
    room = width - 1 if width > 1 else max(width, 0)  # one cell for the ellipsis
    clusters = list(graphemes(value))
    if keep_end:
        clusters.reverse()
    kept: list[str] = []
    used = 0
    for cluster in clusters:
        size = cell_len(cluster)
        if used + size > room:
            break
        kept.append(cluster)
        used += size
    if keep_end:
        kept.reverse()
    body = "".join(kept)
    # A wide character that does not fit leaves a cell: pad it, never half a character.
    padding = " " * (room - used)
    if width <= 1:
        return body + padding
    return "…" + body + padding if keep_end else body + padding + "…"


def row_text(columns: list[Column], values: dict[str, str]) -> Text:
    """One row: each column's value fitted to its width, one space between columns."""
    text = Text(no_wrap=True, end="")
    for index, column in enumerate(columns):
        text.append(fit_cells(values.get(column.key, ""), column.width, right=column.right,
                              keep_end=column.keep_end))
        if index < len(columns) - 1:
            text.append(" ")
    return text


def cursor_bindings(prefix: str) -> list[Binding]:
    """The cursor keys, with binding ids under ``prefix`` (remappable per list)."""
    return [
        Binding("j,down", "cursor_down", "Down", show=False, id=f"{prefix}.cursor_down"),
        Binding("k,up", "cursor_up", "Up", show=False, id=f"{prefix}.cursor_up"),
        Binding("pagedown,ctrl+f", "page_down", "Page down", show=False, id=f"{prefix}.page_down"),
        Binding("pageup,ctrl+b", "page_up", "Page up", show=False, id=f"{prefix}.page_up"),
        Binding("home", "first", "First", show=False, id=f"{prefix}.first"),
        Binding("end,G", "last", "Last", show=False, id=f"{prefix}.last"),
    ]


class RowList(ScrollView, can_focus=True, inherit_bindings=False):
    """Rows under a fixed header, with a cursor; subclasses render the rows."""

    DEFAULT_CSS = """
    RowList {
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        background: $surface;
    }
    RowList > .row-list--header {
        text-style: bold;
        color: $text-muted;
        background: $panel;
    }
    RowList > .row-list--cursor {
        background: $block-cursor-blurred-background;
        color: $block-cursor-blurred-foreground;
    }
    RowList:focus > .row-list--cursor {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    RowList > .row-list--muted { color: $text-muted; }
    RowList > .row-list--empty { color: $text-muted; text-style: italic; }
    """

    COMPONENT_CLASSES = {"row-list--header", "row-list--cursor", "row-list--muted", "row-list--empty"}

    cursor: reactive[int] = reactive(0, repaint=False, init=False)

    def __init__(self, *, empty_text: str = "Nothing here.", name: str | None = None, id: str | None = None,
                 classes: str | None = None) -> None:
        super().__init__(name=name, id=id, classes=classes)
        self.empty_text = empty_text
        self._row_count = 0

    # -- what subclasses provide -------------------------------------------------------
    def columns_for(self, width: int) -> list[Column]:
        raise NotImplementedError

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        """The text of row ``row`` and its style (``base`` plus the row's own)."""
        raise NotImplementedError

    def cursor_moved(self) -> None:
        """The cursor is on another row (or the rows changed): post the subclass's message."""

    # -- rows and cursor ---------------------------------------------------------------
    @property
    def row_count(self) -> int:
        return self._row_count

    def set_row_count(self, count: int, cursor: int) -> None:
        """Show ``count`` rows with the cursor on row ``cursor``."""
        self._row_count = count
        self.virtual_size = Size(0, count + 1)
        self.set_reactive(RowList.cursor, max(0, min(cursor, count - 1)))
        self._scroll_cursor_into_view()
        self.refresh()
        self.cursor_moved()

    def refresh_rows(self) -> None:
        """Repaint the visible rows (their data changed, or time passed)."""
        self.refresh()

    def rows_visible(self) -> int:
        return max(self.size.height - 1, 1)

    def move_cursor(self, index: int) -> None:
        if not self._row_count:
            return
        self.cursor = max(0, min(index, self._row_count - 1))

    def watch_cursor(self, old: int, new: int) -> None:
        self.refresh_row(old)
        self.refresh_row(new)
        self._scroll_cursor_into_view()
        self.cursor_moved()

    def refresh_row(self, index: int) -> None:
        self.refresh_line(index + 1)

    def _scroll_cursor_into_view(self) -> None:
        rows = self.rows_visible()
        top = round(self.scroll_y)
        if self.cursor < top:
            self.scroll_to(y=self.cursor, animate=False, force=True)
        elif self.cursor >= top + rows:
            self.scroll_to(y=self.cursor - rows + 1, animate=False, force=True)

    def on_resize(self) -> None:
        self.virtual_size = Size(0, self._row_count + 1)
        self._scroll_cursor_into_view()

    def action_cursor_down(self) -> None:
        self.move_cursor(self.cursor + 1)

    def action_cursor_up(self) -> None:
        self.move_cursor(self.cursor - 1)

    def action_page_down(self) -> None:
        self.move_cursor(self.cursor + self.rows_visible())

    def action_page_up(self) -> None:
        self.move_cursor(self.cursor - self.rows_visible())

    def action_first(self) -> None:
        self.move_cursor(0)

    def action_last(self) -> None:
        self.move_cursor(self._row_count - 1)

    def on_click(self, event: events.Click) -> None:
        row = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < self._row_count:
            self.move_cursor(row)

    # -- rendering ---------------------------------------------------------------------
    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        columns = self.columns_for(width)
        if y == 0:
            header = self.get_component_rich_style("row-list--header")
            return self.strip(row_text(columns, {c.key: c.title for c in columns}), width, base + header)
        row = round(self.scroll_y) + y - 1
        if row >= self._row_count:
            if row == 0:
                empty = self.get_component_rich_style("row-list--empty")
                return self.strip(Text(" " + self.empty_text), width, base + empty)
            return Strip.blank(width, base)
        text, style = self.render_row(row, columns, base)
        if row == self.cursor:
            style += self.get_component_rich_style("row-list--cursor")
        return self.strip(text, width, style)

    def strip(self, text: Text, width: int, style: Style) -> Strip:
        text.stylize(style)
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, style)
