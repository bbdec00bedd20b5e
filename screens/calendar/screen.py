"""The Calendar panel (key 3): what goes out when, and changing it.

Three views of the same posts: the agenda (a week as a list by day, the
default), the week (hours down, days across) and the month (a grid of days
with counts and state letters). Each post shows its local time, accounts,
the start of its text and its state (a colour and a letter); free queue
slots show too. The line above says what goes out next ("next post in
14 min on @northwind_es"). Times are read in the viewer's zone; ``z`` steps
through each account's zone and UTC, and the week view can show a second
zone beside its hours (``Z``).

One cursor for every view: ``j``/``k`` move between posts, ``h``/``l``
between days, ``[``/``]`` between weeks (months). The cursor's post has a
detail pane (Enter makes it large); ``t`` moves the post, ``n`` takes the
next free slot, ``u`` takes it off, ``P`` publishes now (a fresh code), ``R``
retries, ``e`` edits it in Compose (``screens/calendar/actions.py``).

The week shown first is read at mount (an in-memory read of the store's
projections), so the first frame shows its posts; then five weeks each side
are loaded in a worker, so moving through days and posts slices what is
loaded and never waits (``navigation.py`` holds those keys). It follows the
store: other sessions' changes and the worker's publishing arrive through
the store's change notices (other processes' within the app's poll).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.timer import Timer
from textual.widgets import Footer

from console.errors import ConsoleError
from console.permissions import POST_DRAFT, POST_PUBLISH, POST_SUBMIT
from console.posts import POSTS
from console.publishing import HOLDS, SCHEDULES, CalendarEntry, CalendarFilter
from console.untrusted import one_line
from screens.calendar.actions import CalendarActions
from screens.calendar.agenda import AgendaList
from screens.calendar.departures import DeparturesLine
from screens.calendar.detail import EntryDetailView, entry_detail_renderable, load_entry_detail
from screens.calendar.grids import MonthGrid, WeekGrid, week_page, week_page_size
from screens.calendar.loading import CalendarLoaded, EntryDetailLoaded, load_calendar
from screens.calendar.model import (AGENDA, DAY, ENTRY, MONTH, VIEWS, WEEK, CalendarData, ViewZone, agenda_rows,
                                    day_start, entry_key, first_of_day, load_window, local_day, month_days,
                                    month_weeks, period_days, period_title, period_window, viewer_zone, week_cells,
                                    week_of, zone_cycle)
from screens.calendar.navigation import VIEW_NAMES, CalendarNavigation
from screens.calendar.query import FILTER_HELP, describe_filter
from screens.calendar.states import legend
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.formatting import count_text
from screens.palette import Command, CommandListProvider
from screens.following import FollowsStore
from screens.panel import PanelScreen, actor_may
from screens.reading import ReadingLayout
from screens.widgets.message_line import MessageLine
from screens.widgets.status_bar import StatusBar

#: Seconds the detail waits after a cursor move (coalesces key repeat), and
#: after a burst of store changes before the calendar is loaded again.
DETAIL_DELAY = 0.06
#: From this width the detail sits beside the views instead of below them.
SIDE_BY_SIDE_WIDTH = 140
#: Entries whose post has an account to send again (failed, missed or needing a check).
RETRYABLE = ("failed", "needs check", "missed", "partly published")


class CalendarCommands(CommandListProvider):
    """Palette entries while the Calendar panel is shown."""

    def _commands(self) -> Iterator[Command]:
        screen = self.screen
        if not isinstance(screen, CalendarScreen):
            return
        yield "Calendar: agenda", lambda: screen.show_view(AGENDA), "A week as a list by day (a)"
        yield "Calendar: week", lambda: screen.show_view(WEEK), "Hours down, days across (w)"
        yield "Calendar: month", lambda: screen.show_view(MONTH), "Days with counts and state letters (m)"
        yield "Calendar: today", screen.action_today, "Back to today's next post (.)"
        yield "Calendar: next time zone", screen.action_next_zone, "Your zone, each account's, UTC (z)"
        yield "Calendar: what needs someone", screen.show_problems, "Failed and needs-check posts only"
        yield "Calendar: filter…", screen.action_filter, f"{FILTER_HELP} (/)"
        yield "Calendar: clear the filter", lambda: screen.set_filter(CalendarFilter()), "Everything (Escape)"
        yield "Calendar: what the letters mean", screen.action_legend, "D draft, S scheduled, F failed... (L)"
        yield "Calendar: refresh", screen.action_refresh, "Read the store again now (g)"


class CalendarScreen(CalendarNavigation, ReadingLayout, FollowsStore, PanelScreen):
    """Agenda, week and month of what goes out; move, publish and retry posts."""

    FOLLOWED = (POSTS, SCHEDULES, HOLDS)

    CSS_PATH = "calendar.tcss"
    HELP_TITLE = "Calendar keys"
    COMMANDS = {CalendarCommands}

    BINDINGS = [
        Binding("j,down", "next_post", "Next post", show=False, id="calendar.next_post"),
        Binding("k,up", "previous_post", "Previous post", show=False, id="calendar.previous_post"),
        Binding("l,right", "next_day", "Next day", show=False, id="calendar.next_day"),
        Binding("h,left", "previous_day", "Previous day", show=False, id="calendar.previous_day"),
        Binding("right_square_bracket,pagedown", "next_period", "Next week (month)", show=False,
                id="calendar.next_period"),
        Binding("left_square_bracket,pageup", "previous_period", "Previous week (month)", show=False,
                id="calendar.previous_period"),
        Binding("full_stop,home", "today", "Today", show=False, id="calendar.today"),
        Binding("t", "reschedule", "Move", id="calendar.reschedule"),
        Binding("n", "next_slot", "Next slot", id="calendar.next_slot"),
        Binding("u", "unschedule", "Unschedule", id="calendar.unschedule"),
        Binding("P", "publish_now", "Publish now", id="calendar.publish_now"),
        Binding("R", "retry", "Retry", id="calendar.retry"),
        Binding("e", "edit", "Edit", show=False, id="calendar.edit"),
        Binding("enter", "open", "Open/close the detail", show=False, id="calendar.open"),
        Binding("v", "cycle_view", "View", id="calendar.cycle_view"),
        Binding("a", "show_view('agenda')", "Agenda view", show=False, id="calendar.agenda"),
        Binding("w", "show_view('week')", "Week view", show=False, id="calendar.week"),
        Binding("m", "show_view('month')", "Month view", show=False, id="calendar.month"),
        Binding("z", "next_zone", "Zone", id="calendar.zone"),
        Binding("Z", "second_zone", "Second zone (week)", show=False, id="calendar.second_zone"),
        Binding("slash", "filter", "Filter", id="calendar.filter"),
        Binding("g,f5", "refresh", "Refresh", show=False, id="calendar.refresh"),
        Binding("escape", "clear", "Close detail/clear filter", show=False, id="calendar.clear"),
        Binding("L", "legend", "What the state letters mean", show=False, id="calendar.legend"),
        Binding("J", "detail_down", "Scroll the detail down", show=False, id="calendar.detail_down"),
        Binding("K", "detail_up", "Scroll the detail up", show=False, id="calendar.detail_up"),
    ]

    #: What each key needs; keys the user may not use are hidden (the service refuses them anyway).
    ACTION_PERMISSIONS = {"reschedule": POST_SUBMIT, "next_slot": POST_SUBMIT, "unschedule": POST_SUBMIT,
                          "retry": POST_SUBMIT, "publish_now": POST_PUBLISH, "edit": POST_DRAFT}

    def __init__(self) -> None:
        super().__init__()
        self.view = AGENDA
        self.filter = CalendarFilter()
        self.zones: list[ViewZone] = []
        self.zone_index = 0
        self.second_index: int | None = None
        self.day = date.today()
        self.data: CalendarData | None = None
        self.cursor: int | None = None          # index into ``data.entries``
        self._cursor_key: tuple | None = None   # the cursor's post and moment, across loads
        self._generation = 0
        self._actions: CalendarActions | None = None
        self._detail_key: tuple | None = None
        self._detail_timer: Timer | None = None
        self._page_key: tuple | None = None
        self._cells: dict = {}
        self._summaries: dict = {}
        self._loading: tuple | None = None      # the window being loaded
        self._then_wide: int | None = None      # the narrow load after which the wide one follows
        self._first_load = True
        self._agenda_rows_of: dict[int, int] = {}
        self._day_rows_of: dict[date, int] = {}

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "second_zone":
            return self.view == WEEK
        permission = self.ACTION_PERMISSIONS.get(action)
        if permission is None or self.app.actor is None:  # type: ignore[attr-defined]
            return True
        return actor_may(self.actor, permission)

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        yield DeparturesLine(id="calendar-departures")
        with Container(id="calendar-body"):
            with Container(id="calendar-views"):
                yield AgendaList(id="calendar-agenda")
                yield WeekGrid(id="calendar-week")
                yield MonthGrid(id="calendar-month")
            yield EntryDetailView(id="calendar-detail")
        yield MessageLine(id="calendar-message")
        yield Footer(compact=True)

    @property
    def agenda(self) -> AgendaList:
        return self.query_one(AgendaList)

    @property
    def week(self) -> WeekGrid:
        return self.query_one(WeekGrid)

    @property
    def month(self) -> MonthGrid:
        return self.query_one(MonthGrid)

    @property
    def detail_view(self) -> EntryDetailView:
        return self.query_one(EntryDetailView)

    @property
    def reading_pane(self) -> EntryDetailView:
        return self.detail_view

    @property
    def zone(self) -> ViewZone:
        return self.zones[self.zone_index]

    @property
    def second_zone(self) -> ViewZone | None:
        return self.zones[self.second_index] if self.second_index is not None else None

    def on_mount(self) -> None:
        app = self.app
        workspace = self.workspace
        self.zones = zone_cycle(viewer_zone(app.display_tz), workspace.accounts)  # type: ignore[attr-defined]
        self.day = local_day(workspace.clock(), self.zone.tz)
        self.follow_store()
        self._actions = CalendarActions(app, workspace, lambda: self.actor, say=self.say,
                                        reload=lambda: self.load(), zone=lambda: self.zone.tz)
        self.detail_view.border_title = Text("Post")
        self._set_view_class()
        self.agenda.focus()
        self._first_look()

    def _first_look(self) -> None:
        """The period shown, read now, so the first frame shows its posts; then the wide
        window in a worker. An in-memory read of one week (about 15 ms at 10k posts);
        if the session refuses (locked, say), the worker's load asks for what it needs."""
        start, end = period_window(self.view, self.day, self.zone.tz)
        try:
            data = load_calendar(self.workspace, self.app.background_actor,  # type: ignore[attr-defined]
                                 start, end, self.filter)
        except ConsoleError:
            self.load(first=True)
            return
        self._generation += 1
        self.on_calendar_loaded(CalendarLoaded(data, self._generation))
        self.call_after_refresh(lambda: self.load(background=True))

    def on_unmount(self) -> None:
        self.stop_following_store()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= SIDE_BY_SIDE_WIDTH, "-wide")
        self._page_key = None
        self.call_after_refresh(self._show)

    def _set_view_class(self) -> None:
        for view in VIEWS:
            self.set_class(view == self.view, f"-{view}")

    @property
    def detail_pending(self) -> bool:
        """The views or the detail are about to follow (tests wait on this)."""
        return self._detail_timer is not None or self.reload_pending

    # -- loading ---------------------------------------------------------------------------
    def load(self, *, background: bool = False, first: bool = False) -> None:
        """Load the calendar around the period shown (in a worker). ``first``: only around it,
        at once, then the wide window; ``background``: nobody asked (time passed, the store
        changed), so it does not keep an idle session awake."""
        self._stale = False
        self._generation += 1
        generation, workspace, where = self._generation, self.workspace, self.filter
        start, end = load_window(self.view, self.day, self.zone.tz, wide=not first)
        self._loading = (start, end)
        self._then_wide = generation if first else None
        actor = self.app.background_actor if background else self.actor  # type: ignore[attr-defined]
        self.app.call_service(  # type: ignore[attr-defined]
            lambda: load_calendar(workspace, actor, start, end, where),
            done=lambda data: self.post_message(CalendarLoaded(data, generation)),
            failed=self._load_failed, key="calendar.load")

    def _load_failed(self, error: BaseException) -> None:
        self._loading = None
        self.say(str(error), severity="error")

    def on_calendar_loaded(self, message: CalendarLoaded) -> None:
        if message.generation != self._generation:
            return  # a newer load is on its way
        data = self.data = message.data
        self._loading = None
        self._page_key = None
        if self._cursor_key is not None:
            self._select(self._follow(data, self._cursor_key))
        elif self._first_load:
            # The first look: the next post to go out in the period shown, else today's first.
            coming = data.between(data.now, data.end)
            upcoming = coming.start if coming else first_of_day(data, self.day, self.zone.tz)
            self._select(upcoming)
        else:
            self._select(None)
        if self._then_wide == message.generation:
            self.load(background=True)

    def _follow(self, data: CalendarData, key: tuple) -> int | None:
        """Where the cursor's post is now: at the same moment, else (moved) at its nearest
        moment on the calendar, else the first post of the cursor's day."""
        index = data.find(key)
        if index is not None:
            return index
        post_id, at = key
        moved = [i for i, entry in enumerate(data.entries) if entry.post_id == post_id]
        if moved:
            return min(moved, key=lambda i: abs(data.entries[i].at - at))
        return first_of_day(data, self.day, self.zone.tz)

    def _period_loaded(self) -> bool:
        """Whether the loaded window holds the period shown (else: load around it)."""
        return self.data is not None and self.data.covers(*period_window(self.view, self.day, self.zone.tz))

    def _after_move(self) -> None:
        """The day, view or zone changed: show it at once if it is loaded, else load around it
        (the views keep what they show until it comes)."""
        if self._period_loaded():
            self._show()
            start, end = load_window(self.view, self.day, self.zone.tz, wide=False)
            if not self.data.covers(start, end) and self._loading is None:  # type: ignore[union-attr]
                self.load(background=True)          # near the edge: load the wide window around it
            return
        wanted = period_window(self.view, self.day, self.zone.tz)
        if self._loading is None or not (self._loading[0] <= wanted[0] and wanted[1] <= self._loading[1]):
            self.say(f"Loading {period_title(self.view, self.day)}…")
            self.load(first=True)

    # -- the cursor ----------------------------------------------------------------------------
    def _select(self, index: int | None) -> None:
        """Put the cursor on entry ``index`` (its day becomes the day shown), or with
        None on the day itself; then show it."""
        data = self.data
        if data is not None and index is not None and 0 <= index < len(data.entries):
            self.cursor = index
            self._cursor_key = entry_key(data.entries[index])
            self.day = local_day(data.entries[index].at, self.zone.tz)
        else:
            self.cursor = None
            self._cursor_key = None
        self._show()

    @property
    def cursor_entry(self) -> CalendarEntry | None:
        if self.data is None or self.cursor is None:
            return None
        return self.data.entries[self.cursor]

    def _show(self) -> None:
        """Lay out the view for the day and cursor, then the departures, context and detail."""
        data = self.data
        if data is None or not self.is_mounted:
            return
        if not self._period_loaded():
            return      # loading around it (_after_move)
        tz = self.zone.tz
        if self.view == AGENDA:
            self._show_agenda(data)
        elif self.view == WEEK:
            page = week_page(week_of(self.day), self.day, week_page_size(self.week.size.width or 80,
                                                                          self.second_zone is not None))
            entry = self.cursor_entry
            hour = entry.at.astimezone(tz).hour if entry else 8
            key = (id(data), WEEK, tuple(page), self.zone.name)
            if key != self._page_key:
                self._page_key, self._cells = key, week_cells(data, page, tz)
            self.week.show(data, page, self._cells, self.zone, self.second_zone, self.day, self.cursor, hour)
        else:
            weeks = month_weeks(self.day)
            key = (id(data), MONTH, weeks[0][0], self.zone.name)
            if key != self._page_key:
                self._page_key = key
                self._summaries = month_days(data, [d for week in weeks for d in week], tz)
            self.month.show(data, weeks, self._summaries, self.zone, self.day.month, self.day, self.cursor)
        self._show_departures(data)
        self._update_context()
        if self._detail_timer is None:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_cursor_detail)

    def _show_agenda(self, data: CalendarData) -> None:
        days = week_of(self.day)
        key = (id(data), AGENDA, days[0], self.zone.name)
        agenda = self.agenda
        if key != self._page_key:
            self._page_key = key
            rows = agenda_rows(data, days, self.zone.tz)
            self._agenda_rows_of = {row.entry: index for index, row in enumerate(rows) if row.kind == ENTRY}
            self._day_rows_of = {row.day: index for index, row in enumerate(rows) if row.kind == DAY}
            title = f"{period_title(AGENDA, self.day)} · {self.zone.describe()}"
            agenda.empty_text = "Nothing planned"
            agenda.show(data, rows, self.zone, title, self._cursor_row())
        else:
            agenda.move_cursor(self._cursor_row())

    def _cursor_row(self) -> int:
        if self.cursor is not None and self.cursor in self._agenda_rows_of:
            return self._agenda_rows_of[self.cursor]
        return self._day_rows_of.get(self.day, 0)

    @on(AgendaList.RowClicked)
    def _row_clicked(self, event: AgendaList.RowClicked) -> None:
        rows = self.agenda.rows
        if 0 <= event.row < len(rows):
            row = rows[event.row]
            self.day = row.day
            self._select(row.entry if row.kind == ENTRY else None)

    def _show_departures(self, data: CalendarData) -> None:
        self.query_one(DeparturesLine).show(data.departures, self.workspace.clock(), data.handle,
                                            f"{self.zone.describe()} (z)")

    # -- the detail pane -------------------------------------------------------------------------
    def _show_cursor_detail(self) -> None:
        self._detail_timer = None
        entry = self.cursor_entry
        view = self.detail_view
        if entry is None:
            self._detail_key = None
            view.border_title = Text(f"{self.day:%a} {self.day.day} {self.day:%b}")
            hint = "Nothing planned this day" if self.data is not None else "Loading…"
            text = Text(f"{hint} · j/k move between posts, h/l between days, ] to the next "
                        f"{'month' if self.view == MONTH else 'week'}\n", style="italic")
            view.show(text + legend(), scroll_home=True)
            return
        minute = int(self.workspace.clock().timestamp() // 60)
        key = (entry.post_id, entry.at, entry.state, entry.target_states, minute, id(self.data))
        if key == self._detail_key:
            return
        same_post = self._detail_key is not None and self._detail_key[0] == entry.post_id
        self._detail_key = key
        self._load_detail(entry.post_id, key, not same_post)

    @work(thread=True, exclusive=True, group="calendar-detail", exit_on_error=False)
    def _load_detail(self, post_id: str, key: tuple, scroll_home: bool) -> None:
        actor = self.app.background_actor  # type: ignore[attr-defined]
        try:
            detail = load_entry_detail(self.workspace, actor, post_id)
        except Exception as error:  # noqa: BLE001 - shown in the pane; the calendar works on
            self.post_message(EntryDetailLoaded(error, (key, scroll_home)))
            return
        self.post_message(EntryDetailLoaded(detail, (key, scroll_home)))

    def on_entry_detail_loaded(self, message: EntryDetailLoaded) -> None:
        key, scroll_home = message.key
        if key != self._detail_key:
            return  # the cursor moved on meanwhile
        view = self.detail_view
        if isinstance(message.detail, Exception):
            view.border_title = Text(key[0])
            view.show(Text(f"Could not read {key[0]}: {one_line(str(message.detail), 200)}"), scroll_home=True)
            return
        view.border_title = Text(f"{key[0]} · {key[2]}")
        view.show(entry_detail_renderable(message.detail, now=self.workspace.clock(), tz=self.zone.tz,
                                          style=view.style_for), scroll_home=scroll_home)

    # -- the message line ----------------------------------------------------------------------
    def say(self, message: str, *, severity: str = "information") -> None:
        """Show a one-line result (plain text, never markup)."""
        self.query_one(MessageLine).say(message, severity)

    def _update_context(self) -> None:
        context = Text(no_wrap=True)
        data = self.data
        days = period_days(self.view, self.day)
        shown = data.between(day_start(days[0], self.zone.tz), day_start(days[-1] + timedelta(days=1),
                                                                          self.zone.tz)) if data else range(0)
        position = self.cursor - shown.start + 1 if self.cursor is not None and self.cursor in shown else 0
        handles = dict(data.handles) if data else {}
        context.append(f"{VIEW_NAMES[self.view]} · {describe_filter(self.filter, handles)} · "
                       f"{count_text(position)}/{count_text(len(shown))}")
        self.query_one(MessageLine).set_context(context)

    # -- changing posts ----------------------------------------------------------------------------
    @property
    def actions(self) -> CalendarActions:
        assert self._actions is not None, "mounted"
        return self._actions

    def _chosen(self) -> CalendarEntry | None:
        entry = self.cursor_entry
        if entry is None:
            self.say("No post here: j/k move between posts, h/l between days", severity="warning")
        return entry

    def action_reschedule(self) -> None:
        entry = self._chosen()
        if entry is not None:
            self.actions.reschedule(entry)

    def action_next_slot(self) -> None:
        entry = self._chosen()
        if entry is not None:
            self.actions.next_slot(entry)

    def action_unschedule(self) -> None:
        entry = self._chosen()
        if entry is not None:
            self.actions.unschedule(entry)

    def action_publish_now(self) -> None:
        entry = self._chosen()
        if entry is not None:
            self.actions.publish_now(entry)

    def action_retry(self) -> None:
        entry = self._chosen()
        if entry is None:
            return
        if entry.state not in RETRYABLE:
            self.say(f"{entry.post_id} has nothing to retry ({entry.state}); R sends failed, missed or "
                     "needs-check accounts again", severity="warning")
            return
        self.actions.retry(entry)

    async def action_edit(self) -> None:
        entry = self._chosen()
        if entry is not None:
            await self.actions.edit(entry)
