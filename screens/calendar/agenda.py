"""The agenda: a week as a list by day, one line per post, on the line API.

Each day has a header ("Mon 30 Nov"), then its posts and free queue slots in
time order: the local time, the state's letter, the accounts (handles,
shortened), the start of the text. As the terminal narrows, columns drop
(the state's word, then the accounts), never the text: a post is never cut
to nothing. Free slots are dim lines ("09:00 · free slot on @northwind_es").
Only the lines on screen are drawn, so a week of a thousand posts costs what
twenty cost.

The screen owns the cursor (it moves between posts and days of any view);
the list is told which row to show it on.
"""

from __future__ import annotations

from datetime import date, datetime

from rich.style import Style
from rich.text import Text
from textual import events
from textual.message import Message
from textual.strip import Strip

from console.untrusted import one_line
from screens.approvals.queue import targets_label
from screens.calendar.model import DAY, ENTRY, FREE, AgendaRow, CalendarData, ViewZone, day_title, empty_data
from screens.calendar.states import STATE_CLASSES, state_css, state_style
from screens.widgets.row_list import Column, RowList, fit_cells

#: The text keeps at least this many cells; the accounts column goes first.
MIN_TEXT = 16


def agenda_columns(width: int) -> list[Column]:
    """Time, letter, state word (wide), accounts (unless narrow), then the text takes the rest."""
    columns = [Column("indent", "", 1), Column("time", "Time", 5), Column("letter", "", 1)]
    if width >= 120:
        columns.append(Column("state", "State", 16))
    accounts = 30 if width >= 160 else 22 if width >= 110 else 16 if width >= 60 else 0
    used = sum(c.width for c in columns) + len(columns)
    if accounts and width - used - accounts - 1 < MIN_TEXT:
        accounts = 0
    if accounts:
        columns.append(Column("accounts", "Accounts", accounts))
        used += accounts + 1
    return columns + [Column("text", "Text", max(width - used, 1))]


class AgendaList(RowList):
    """Day headers, posts and free slots of one week."""

    DEFAULT_CSS = """
    AgendaList > .agenda--day { text-style: bold; color: $text-primary; }
    AgendaList > .agenda--today { text-style: bold reverse; color: $text-primary; }
    AgendaList > .agenda--past { color: $text-muted; }
    """ + state_css("AgendaList")

    COMPONENT_CLASSES = {"agenda--day", "agenda--today", "agenda--past"} | STATE_CLASSES

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty_text="Loading…", id=id)
        self.can_focus = True
        self.data: CalendarData = empty_data(datetime.now().astimezone())
        self.rows: list[AgendaRow] = []
        self.zone: ViewZone | None = None
        self.title = ""
        self._day_counts: dict[date, tuple[int, int]] = {}
        self._headers: dict[date, int] = {}
        self._columns: tuple[int, list[Column]] | None = None

    def show(self, data: CalendarData, rows: list[AgendaRow], zone: ViewZone, title: str, cursor: int) -> None:
        """Show ``rows`` of ``data`` read in ``zone``, the cursor on row ``cursor``."""
        self.data, self.rows, self.zone, self.title = data, rows, zone, title
        counts: dict[date, list[int]] = {}
        for item in rows:
            posts_free = counts.setdefault(item.day, [0, 0])
            if item.kind in (ENTRY, FREE):
                posts_free[item.kind == FREE] += 1
        self._day_counts = {day: (posts, free) for day, (posts, free) in counts.items()}
        self._headers = {item.day: index for index, item in enumerate(rows) if item.kind == DAY}
        self.set_row_count(len(rows), cursor)
        self.refresh()

    def _scroll_cursor_into_view(self) -> None:
        super()._scroll_cursor_into_view()
        # The cursor's day header shows above it when it fits: a time reads with its day.
        if not 0 <= self.cursor < len(self.rows):
            return
        header = self._headers.get(self.rows[self.cursor].day)
        if header is not None and header < round(self.scroll_y) and self.cursor - header < self.rows_visible():
            self.scroll_to(y=header, animate=False, force=True)

    def columns_for(self, width: int) -> list[Column]:
        if self._columns is None or self._columns[0] != width:
            self._columns = (width, agenda_columns(width))
        return self._columns[1]

    def render_line(self, y: int) -> Strip:
        if y == 0:
            width = self.scrollable_content_region.width
            style = self.rich_style + self.get_component_rich_style("row-list--header")
            return self.strip(Text(" " + one_line(self.title), no_wrap=True, end=""), width, style)
        return super().render_line(y)

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        item = self.rows[row]
        data, tz = self.data, self.zone.tz if self.zone else None
        if item.kind == DAY:
            return self._day_line(item.day), base
        muted = base + self.get_component_rich_style("row-list--muted")
        if item.kind == FREE and item.slot is not None:
            local = item.slot.at.astimezone(tz)
            return Text(f"  {local:%H:%M} · free slot on {one_line(data.handle(item.slot.account_id))}",
                        no_wrap=True, end=""), muted
        if item.kind != ENTRY or item.entry is None:
            return Text("  nothing planned", no_wrap=True, end=""), muted
        entry = data.entries[item.entry]
        accounts_width = next((c.width for c in columns if c.key == "accounts"), 40)
        values = {
            "time": f"{entry.at.astimezone(tz):%H:%M}",
            "letter": entry.letter,
            "state": entry.state,
            "accounts": targets_label(entry.accounts, data.handle, accounts_width),
            "text": one_line(entry.preview) or "(no text)",
        }
        # On the cursor row the cursor's colours win: a coloured letter on the bar would not read.
        colour = None if row == self.cursor else state_style(self, entry.state)
        text = Text(no_wrap=True, end="")
        for index, column in enumerate(columns):
            cell = fit_cells(values.get(column.key, ""), column.width, right=column.right)
            text.append(cell, colour if column.key in ("letter", "state") else None)
            if index < len(columns) - 1:
                text.append(" ")
        past = entry.at < data.now and entry.state in ("published", "draft")
        return text, muted if past else base

    def _day_line(self, day: date) -> Text:
        today = self.data.now.astimezone(self.zone.tz if self.zone else None).date()
        style = self.get_component_rich_style("agenda--today" if day == today else "agenda--day")
        text = Text(no_wrap=True, end="")
        text.append(f" {day_title(day)} ", style)
        posts, free = self._day_counts.get(day, (0, 0))
        detail = " today ·" if day == today else ""
        detail += f" {posts} post{'s' if posts != 1 else ''}" + (f" · {free} free" if free else "")
        text.append(detail, self.get_component_rich_style("row-list--muted"))
        return text

    class RowClicked(Message):
        """A row was clicked: the screen moves its cursor there."""

        def __init__(self, row: int) -> None:
            super().__init__()
            self.row = row

    def on_click(self, event: events.Click) -> None:
        event.prevent_default()     # the screen moves the cursor, not the list
        row = round(self.scroll_y) + event.y - 1
        if event.y >= 1 and 0 <= row < self.row_count:
            self.post_message(self.RowClicked(row))

    def strip(self, text: Text, width: int, style: Style) -> Strip:
        # Under the cells' own colours (the state's letter), not over them.
        text.stylize_before(style)
        return Strip(list(text.render(self.app.console))).adjust_cell_length(width, style)
