"""The departures board: one line above the calendar saying what goes out next
("Next post in 14 min on @northwind_es: Autumn walks…", then the following
ones where the width allows), and on its right the zone the calendar is
read in. Counted from the clock when drawn, not when the calendar was
loaded, so the minutes stay true between loads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from console.publishing import Departure
from console.untrusted import one_line


def departures_text(departures: Sequence[Departure], now: datetime, handle: Callable[[str], str], *,
                    count: int, next_style: Style | str = "") -> Text:
    """``Next post in 14 min on @northwind_es: text… · then in 2 h on @northwind (held)``."""
    text = Text(no_wrap=True, end="")
    upcoming = [d for d in departures if d.entry.at >= now - timedelta(minutes=1)]
    if not upcoming:
        text.append("Nothing goes out in the next 24 h", "italic")
    for index, departure in enumerate(upcoming[:count]):
        minutes = int((departure.entry.at - now).total_seconds() // 60)
        said = replace(departure, minutes=minutes).describe(one_line(handle(departure.account)))
        state = f" ({departure.entry.state})" if departure.entry.state != "scheduled" else ""
        if index == 0:
            text.append(said[:1].upper() + said[1:], next_style)
            text.append(f"{state}: {one_line(departure.entry.preview, 60)}")
        else:
            text.append(f" · then {said.removeprefix('next post ')}{state}")
    return text


class DeparturesLine(Widget):
    """The next posts to go out, on one line; the zone the calendar is read in on the right."""

    DEFAULT_CSS = """
    DeparturesLine { height: 1; background: $boost; }
    DeparturesLine > .departures--next { text-style: bold; color: $text-primary; }
    DeparturesLine > .departures--zone { color: $text-accent; }
    """
    COMPONENT_CLASSES = {"departures--next", "departures--zone"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.left = Text("Loading…")
        self.right = Text("")

    def show(self, departures: Sequence[Departure], now: datetime, handle: Callable[[str], str],
             zone: str) -> None:
        """The departures (three where the line is wide, else the next one) and the zone."""
        count = 3 if self.size.width >= 140 else 1
        self.left = departures_text(departures, now, handle, count=count,
                                    next_style=self.get_component_rich_style("departures--next"))
        self.right = Text(zone)
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        right = self.right.copy()
        right.stylize(self.get_component_rich_style("departures--zone", partial=True))
        room = max(width - right.cell_len - 3, 0)
        left = Text(" ", no_wrap=True, end="")
        left.append_text(self.left)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len - 1, 1)
        return Text.assemble(left, " " * gap, right, " ", no_wrap=True, end="")
