"""The week and month views.

**Week**: a column per day and a row per hour of the zone the calendar is
read in (a second zone's hours can show beside them). A cell shows one post
of that hour (the cursor's when it is there) as ``:15 S text``, and ``+2``
when more share the hour; an hour with only free slots says so, dimmed. As
many days as fit at a readable width are shown (four at 80 columns), paging
with the cursor's day, so a post's text is never cut to nothing. Hours are
rows of the line API: only those on screen are drawn.

**Month**: a grid of weeks; each day shows its number, how many posts, and a
letter count per state (``F1 S9 O2``, what needs someone first), then as
many of its posts as the height allows.

The screen owns the cursor; the views are told which post and day it is on.
"""

from __future__ import annotations

from datetime import date, datetime, time

from rich.style import Style
from rich.text import Text
from textual.strip import Strip
from textual.widget import Widget

from console.untrusted import one_line
from screens.calendar.model import CalendarData, DaySummary, ViewZone, WeekCell, day_title, empty_data
from screens.calendar.states import STATE_CLASSES, letter_counts, state_css, state_style
from screens.widgets.row_list import RowList, fit_cells

#: A day column is never narrower than this (cells); fewer days show instead.
MIN_DAY_WIDTH = 17
HOURS = 24


def week_page_size(width: int, second_zone: bool) -> int:
    """How many day columns fit ``width`` beside the hour labels."""
    labels = 6 + (6 if second_zone else 0)
    return max(1, min(7, (width - labels) // (MIN_DAY_WIDTH + 1)))


def week_page(days: list[date], selected: date, size: int) -> list[date]:
    """The page of ``size`` days of ``days`` (a week) that holds ``selected``."""
    index = days.index(selected) if selected in days else 0
    start = (index // size) * size
    return days[start:start + size]


class WeekGrid(RowList):
    """Hours down, days across; the cursor's post stands out in its cell."""

    DEFAULT_CSS = """
    WeekGrid > .week--hour { color: $text-muted; }
    WeekGrid > .week--second { color: $text-accent; }
    WeekGrid > .week--today { text-style: bold reverse; color: $text-primary; }
    WeekGrid > .week--selected-day { text-style: bold underline; color: $text-primary; }
    """ + state_css("WeekGrid")

    COMPONENT_CLASSES = {"week--hour", "week--second", "week--today", "week--selected-day"} | STATE_CLASSES

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty_text="Loading…", id=id)
        self.data: CalendarData = empty_data(datetime.now().astimezone())
        self.days: list[date] = []
        self.cells: dict[tuple[date, int], WeekCell] = {}
        self.zone: ViewZone | None = None
        self.second: ViewZone | None = None
        self.selected_day: date | None = None
        self.selected_entry: int | None = None

    def show(self, data: CalendarData, days: list[date], cells: dict[tuple[date, int], WeekCell],
             zone: ViewZone, second: ViewZone | None, selected_day: date, selected_entry: int | None,
             hour: int) -> None:
        """Show ``days`` with the cursor on ``selected_entry`` (or the day), hour ``hour`` in view."""
        self.data, self.days, self.cells, self.zone, self.second = data, days, cells, zone, second
        self.selected_day, self.selected_entry = selected_day, selected_entry
        self.set_row_count(HOURS, hour)
        top, rows = round(self.scroll_y), self.rows_visible()
        if rows < HOURS and not top + 1 <= hour < top + rows - 1:
            # Out of view, or at an edge: the hour goes a quarter down, with what comes before it above.
            self.scroll_to(y=max(0, min(hour - rows // 4, HOURS - rows)), animate=False, force=True)
        self.refresh()

    def columns_for(self, width: int) -> list:
        return []

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        base = self.rich_style
        if y == 0:
            return self.strip(self._header(width), width, base + self.get_component_rich_style("row-list--header"))
        hour = round(self.scroll_y) + y - 1
        if hour >= HOURS or not self.days or self.zone is None:
            return Strip.blank(width, base)
        return self.strip(self._hour_line(hour, width), width, base)

    def _widths(self, width: int) -> tuple[int, int]:
        labels = 6 + (6 if self.second else 0)
        return labels, max((width - labels) // max(len(self.days), 1) - 1, 1)

    def _header(self, width: int) -> Text:
        labels, day_width = self._widths(width)
        text = Text(no_wrap=True, end="")
        text.append(fit_cells(f" {self._abbreviation(self.zone)}", 6))
        if self.second:
            text.append(fit_cells(self._abbreviation(self.second), 6), self.get_component_rich_style("week--second"))
        today = self.data.now.astimezone(self.zone.tz).date() if self.zone else None
        for day in self.days:
            style = "week--today" if day == today else "week--selected-day" if day == self.selected_day else ""
            text.append(fit_cells(day_title(day), day_width), self.get_component_rich_style(style) if style else None)
            text.append(" ")
        return text

    def _abbreviation(self, zone: ViewZone | None) -> str:
        """``EST``, ``JST``, ``UTC``: the zone's name on the first day shown (its hours column)."""
        if zone is None or not self.days:
            return ""
        return datetime.combine(self.days[0], time(12), tzinfo=zone.tz).tzname() or zone.short()

    def _hour_line(self, hour: int, width: int) -> Text:
        labels, day_width = self._widths(width)
        text = Text(no_wrap=True, end="")
        muted = self.get_component_rich_style("row-list--muted")
        text.append(f"{hour:02d}:00 ", self.get_component_rich_style("week--hour"))
        if self.second:
            moment = datetime.combine(self.days[0], time(hour), tzinfo=self.zone.tz)
            text.append(f"{moment.astimezone(self.second.tz):%H:%M} ", self.get_component_rich_style("week--second"))
        for day in self.days:
            cell = self.cells.get((day, hour))
            self._append_cell(text, cell, day_width, muted)
            text.append(" ")
        return text

    def _append_cell(self, text: Text, cell: WeekCell | None, width: int, muted: Style) -> None:
        if cell is None:
            text.append(" " * width)
            return
        if not cell.entries:
            minute = cell.free[0].at.astimezone(self.zone.tz).minute if self.zone else 0
            label = f":{minute:02d} · free" if len(cell.free) == 1 else f"· {len(cell.free)} free"
            text.append(fit_cells(label, width), muted)
            return
        chosen = self.selected_entry if self.selected_entry in cell.entries else cell.entries[0]
        entry = self.data.entries[chosen]
        more = f" +{len(cell.entries) - 1}" if len(cell.entries) > 1 else ""
        minute = f":{entry.at.astimezone(self.zone.tz if self.zone else None):%M} "
        body = fit_cells(one_line(entry.preview) or "(no text)", max(width - len(minute) - 2 - len(more), 1))
        selected = chosen == self.selected_entry
        cursor = self.get_component_rich_style("row-list--cursor") if selected else None
        cell_text = Text(no_wrap=True, end="")
        cell_text.append(minute)
        cell_text.append(entry.letter, None if selected else state_style(self, entry.state))
        cell_text.append(" " + body + more)
        cell_text.truncate(width, pad=True)
        if cursor is not None:
            cell_text.stylize(cursor)
        text.append_text(cell_text)

    def strip(self, text: Text, width: int, style: Style) -> Strip:
        text.stylize_before(style)
        return Strip(list(text.render(self.app.console))).adjust_cell_length(width, style)


class MonthGrid(Widget):
    """Weeks down, weekdays across; each day its count, letters and first posts."""

    DEFAULT_CSS = """
    MonthGrid { background: $surface; }
    MonthGrid > .month--header { text-style: bold; color: $text-muted; background: $panel; }
    MonthGrid > .month--other { color: $text-muted; }
    MonthGrid > .month--today { text-style: bold reverse; color: $text-primary; }
    MonthGrid > .month--selected { background: $block-cursor-background; color: $block-cursor-foreground; }
    MonthGrid > .month--free { color: $text-muted; }
    """ + state_css("MonthGrid")

    COMPONENT_CLASSES = {"month--header", "month--other", "month--today", "month--selected", "month--free"} \
        | STATE_CLASSES

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.data: CalendarData = empty_data(datetime.now().astimezone())
        self.weeks: list[list[date]] = []
        self.summaries: dict[date, DaySummary] = {}
        self.zone: ViewZone | None = None
        self.month = 0
        self.selected_day: date | None = None
        self.selected_entry: int | None = None

    def show(self, data: CalendarData, weeks: list[list[date]], summaries: dict[date, DaySummary],
             zone: ViewZone, month: int, selected_day: date, selected_entry: int | None) -> None:
        self.data, self.weeks, self.summaries, self.zone = data, weeks, summaries, zone
        self.month, self.selected_day, self.selected_entry = month, selected_day, selected_entry
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"month--{name}", partial=True)

    def render(self) -> Text:
        width, height = self.size
        cell = max(width // 7, 4)
        text = Text(no_wrap=True, end="", overflow="crop")
        header = Text(no_wrap=True, end="")
        for name in ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"):
            header.append(fit_cells(f" {name}", cell))
        header.truncate(width, pad=True)
        header.stylize(self._style("header"))
        text.append_text(header)
        if not self.weeks or self.zone is None:
            return text
        lines = max(2, (height - 1) // len(self.weeks))
        today = self.data.now.astimezone(self.zone.tz).date()
        for week in self.weeks:
            for line in range(lines):
                text.append("\n")
                for day in week:
                    text.append_text(self._cell_line(day, line, cell, today))
        return text

    def _cell_line(self, day: date, line: int, width: int, today: date) -> Text:
        summary = self.summaries.get(day) or DaySummary(day, (), 0)
        other_month = day.month != self.month
        text = Text(no_wrap=True, end="")
        if line == 0:
            count = len(summary.entries)
            number = Text(f" {day.day:>2}", self._style("today") if day == today else "")
            text.append_text(number)
            label = f"{count} post{'s' if count != 1 else ''}" if count else ""
            if len(label) > width - 6:
                label = str(count)                  # "12" where "12 posts" would touch the day
            text.append(fit_cells(label, width - 4, right=True))
        elif line == 1:
            counts = summary.state_counts(self.data)
            text.append(" ")
            for index, (state, part) in enumerate(letter_counts(counts)):
                text.append(("" if index == 0 else " ") + part, None if day == self.selected_day
                            else state_style(self, state))
            if not counts and summary.free:
                text.append(f"{summary.free} free", self._style("free"))
        else:
            index = line - 2
            if index < len(summary.entries):
                entry = self.data.entries[summary.entries[index]]
                local = entry.at.astimezone(self.zone.tz if self.zone else None)
                text.append(f" {local:%H:%M} ")
                text.append(entry.letter, None if day == self.selected_day else state_style(self, entry.state))
                text.append(f" {one_line(entry.preview)}")
            elif index == len(summary.entries) and summary.free and summary.entries:
                text.append(f" {summary.free} free", self._style("free"))
        text.truncate(width - 1, overflow="ellipsis", pad=True)
        text.append(" ")
        if day == self.selected_day:
            text.stylize(self._style("selected"))
        elif other_month:
            text.stylize(self._style("other"))
        return text
