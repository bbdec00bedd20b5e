"""The Calendar panel's keys that move through time and change what is shown:
posts, days and weeks (months); the view; the zone the calendar is read in
and the week's second zone; the filter; the legend and the detail's size.

A mixin of :class:`screens.calendar.screen.CalendarScreen`, kept apart because
it is the reading side of the panel (nothing here changes a post; that is
``actions.py``). It relies on the screen's ``data``, ``cursor``, ``day``,
``view``, ``zones``, ``filter``, its views and detail pane, ``say``, ``load``
and its ``_select``, ``_show`` and ``_after_move``.
"""

from __future__ import annotations

from datetime import date, timedelta

from rich.text import Text

from console.publishing import CalendarFilter
from screens.calendar.model import (AGENDA, MONTH, VIEWS, first_of_day, local_day, shift_period, step_entry)
from screens.calendar.query import FILTER_HELP, KnownAccount, describe_filter, format_filter, parse_filter
from screens.calendar.states import legend
from screens.widgets.prompts import TextPrompt

VIEW_NAMES = {AGENDA: "Agenda", "week": "Week", MONTH: "Month"}


class CalendarNavigation:
    """Moving through the calendar and choosing how it is shown (mixed into the Calendar screen)."""

    # -- posts, days and weeks ----------------------------------------------------------------------
    def _step(self, forward: bool) -> None:
        if self.data is None:
            return
        index = step_entry(self.data, self.cursor, self.day, self.zone.tz, forward)
        if index is None:
            self.say(f"No {'later' if forward else 'earlier'} post loaded; "
                     f"{']' if forward else '['} goes to the {'next' if forward else 'previous'} "
                     f"{'month' if self.view == MONTH else 'week'}", severity="warning")
            return
        self._select(index)

    def action_next_post(self) -> None:
        self._step(True)

    def action_previous_post(self) -> None:
        self._step(False)

    def _go_to_day(self, day: date) -> None:
        self.day = day
        self.cursor, self._cursor_key = None, None
        if self._period_loaded():
            self._select(first_of_day(self.data, day, self.zone.tz))  # type: ignore[arg-type]
        else:
            self._after_move()

    def action_next_day(self) -> None:
        self._go_to_day(self.day + timedelta(days=1))

    def action_previous_day(self) -> None:
        self._go_to_day(self.day - timedelta(days=1))

    def action_next_period(self) -> None:
        self._go_to_day(shift_period(self.view, self.day, 1))

    def action_previous_period(self) -> None:
        self._go_to_day(shift_period(self.view, self.day, -1))

    def action_today(self) -> None:
        now = self.workspace.clock()
        self.day = local_day(now, self.zone.tz)
        self.cursor, self._cursor_key = None, None
        if self._period_loaded():
            self._select(first_of_day(self.data, self.day, self.zone.tz, after=now))  # type: ignore[arg-type]
        else:
            self._after_move()

    # -- views and zones ---------------------------------------------------------------------------
    def action_show_view(self, view: str) -> None:
        self.show_view(view)

    def show_view(self, view: str) -> None:
        if view == self.view:
            return
        self.view = view
        self._page_key = None
        self._set_view_class()
        self.refresh_bindings()
        if view != MONTH:
            (self.agenda if view == AGENDA else self.week).focus()
        self.say(f"{VIEW_NAMES[view]} view")
        self.call_after_refresh(self._after_move)

    def action_cycle_view(self) -> None:
        self.show_view(VIEWS[(VIEWS.index(self.view) + 1) % len(VIEWS)])

    def action_next_zone(self) -> None:
        """Read the calendar in the next zone: yours, each account's, UTC."""
        self.zone_index = (self.zone_index + 1) % len(self.zones)
        if self.second_index == self.zone_index:
            self.second_index = None
        entry = self.cursor_entry
        if entry is not None:
            self.day = local_day(entry.at, self.zone.tz)
        self._page_key = None
        self.say(f"Times in {self.zone.describe()}")
        self._after_move()

    def action_second_zone(self) -> None:
        """The week view's second column of hours: the next zone after the one shown, or none."""
        candidates = [i for i in range(len(self.zones)) if i != self.zone_index]
        if self.second_index is None:
            self.second_index = candidates[0] if candidates else None
        else:
            later = [i for i in candidates if i > self.second_index]
            self.second_index = later[0] if later else None
        self._page_key = None
        self.say(f"Second column: {self.second_zone.describe()}" if self.second_zone else "No second zone")
        self._show()

    # -- filter --------------------------------------------------------------------------------------
    def action_filter(self) -> None:
        accounts = [KnownAccount(a.account_id, a.handle, a.region) for a in self.workspace.accounts]
        handles = {a.account_id: a.handle for a in self.workspace.accounts}

        def parse(value: str) -> CalendarFilter:
            return parse_filter(value, accounts)

        def apply(value: str | None) -> None:
            if value is not None:
                self.set_filter(parse(value))

        self.app.push_screen(TextPrompt("Filter the calendar", value=format_filter(self.filter, handles),
                                        placeholder="account:@northwind state:failed",
                                        hint=f"{FILTER_HELP} · empty shows everything", check=parse), apply)

    def set_filter(self, flt: CalendarFilter) -> None:
        """Show what ``flt`` lets through (loaded again in a worker)."""
        if flt != self.filter:
            self.filter = flt
            handles = dict(self.data.handles) if self.data else {}
            self.say(f"Showing {describe_filter(flt, handles)}")
        self.load()

    def show_problems(self) -> None:
        self.set_filter(CalendarFilter(states=("failed", "needs check")))

    def action_refresh(self) -> None:
        self.app.refresh_store()  # type: ignore[attr-defined]
        self.load()
        self.say("Refreshed")

    def action_clear(self) -> None:
        if self.has_class("-reading"):
            self.remove_class("-reading")
        elif self.filter != CalendarFilter():
            self.set_filter(CalendarFilter())

    def action_legend(self) -> None:
        """Every state's letter, in the detail pane until the cursor moves (reading without colour)."""
        self._detail_key = None
        self.detail_view.border_title = Text("State letters")
        self.detail_view.show(legend(), scroll_home=True)
