"""What the Calendar panel shows, as plain data: the loaded entries, the days
of a view, the agenda's rows, the week's cells and the month's days.

Kept free of Textual so the views and the tests share one reading of time:
a day is a day of the zone the calendar is read in (the viewer's, an
account's, or UTC), from its local midnight to the next, so a post at 01:00
UTC is on Wednesday in New York and on Thursday in Tokyo.

:class:`CalendarData` is one load of the read model (``workspace.calendar``)
for a window of time; everything else slices it by binary search on the
entries' moments, so moving a day or a post costs what that day holds, not
what the store holds.
"""

from __future__ import annotations

import os
from bisect import bisect_left
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.publishing import CalendarEntry, Departure, FreeSlot, account_zone

AGENDA, WEEK, MONTH = "agenda", "week", "month"
VIEWS = (AGENDA, WEEK, MONTH)

#: Kinds of agenda rows.
DAY, ENTRY, FREE, NOTHING = "day", "entry", "free", "nothing"


# -- time zones -------------------------------------------------------------------------------
@dataclass(frozen=True)
class ViewZone:
    """A zone the calendar can be read in: the viewer's, an account's, or UTC."""

    label: str          # "your time", "@northwind_es", "UTC"
    name: str           # "America/Mexico_City"
    tz: tzinfo

    def describe(self) -> str:
        """``@northwind_es time (Mexico City)``, ``your time (Europe/Berlin)``, ``UTC``."""
        if self.label == "UTC":
            return "UTC"
        city = self.name.rsplit("/", 1)[-1].replace("_", " ")
        return f"{self.label} time ({city if self.label.startswith('@') else self.name})"

    def short(self) -> str:
        """At most a dozen cells: ``New York``, ``UTC``, ``local``."""
        if self.label == "UTC":
            return "UTC"
        return self.name.rsplit("/", 1)[-1].replace("_", " ")[:12] or self.label


def local_zone() -> tuple[str, tzinfo]:
    """This machine's zone, by name when it can be told (``TZ``, ``/etc/localtime``),
    so that days keep their length across a daylight-saving change."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = str(Path("/etc/localtime").resolve())
        except OSError:
            target = ""
        name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
    if name:
        try:
            return name, ZoneInfo(name)
        except (ZoneInfoNotFoundError, ValueError):
            pass
    fixed = datetime.now().astimezone().tzinfo or timezone.utc
    return (fixed.tzname(None) or "local"), fixed


def viewer_zone(display_tz: tzinfo | None) -> ViewZone:
    """The viewer's zone: the app's ``display_tz``, or this machine's when it has none."""
    if display_tz is None:
        name, tz = local_zone()
    else:
        name, tz = str(getattr(display_tz, "key", None) or display_tz.tzname(None) or "UTC"), display_tz
    if name in ("UTC", "Etc/UTC", "Z"):
        return ViewZone("UTC", "UTC", tz)
    return ViewZone("your", name, tz)


def zone_cycle(viewer: ViewZone, accounts: Iterable[object]) -> list[ViewZone]:
    """What ``z`` steps through: the viewer's zone, each account's (accounts sharing a
    zone share a step, named by their first handle), then UTC."""
    cycle = [viewer]
    seen = {viewer.name}
    for account in accounts:
        name = getattr(account, "timezone", "") or "UTC"
        if name in seen or name == "UTC":
            continue
        seen.add(name)
        label = str(getattr(account, "handle", "")) or name
        cycle.append(ViewZone(label, name, account_zone(account)))  # type: ignore[arg-type]
    if "UTC" not in seen:
        cycle.append(ViewZone("UTC", "UTC", ZoneInfo("UTC")))
    return cycle


def day_start(day: date, tz: tzinfo) -> datetime:
    """The moment ``day`` begins in ``tz`` (aware, UTC)."""
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def local_day(moment: datetime, tz: tzinfo) -> date:
    return moment.astimezone(tz).date()


def day_title(day: date) -> str:
    """``Mon 30 Nov``."""
    return f"{day:%a} {day.day} {day:%b}"


# -- periods ----------------------------------------------------------------------------------
def week_of(day: date) -> list[date]:
    """Monday to Sunday of ``day``'s week."""
    monday = day - timedelta(days=day.weekday())
    return [monday + timedelta(days=n) for n in range(7)]


def month_weeks(day: date) -> list[list[date]]:
    """The weeks (Monday first) that hold a day of ``day``'s month."""
    first = day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    weeks, monday = [], first - timedelta(days=first.weekday())
    while monday < following:
        weeks.append([monday + timedelta(days=n) for n in range(7)])
        monday += timedelta(days=7)
    return weeks


def period_days(view: str, day: date) -> list[date]:
    """The days ``view`` shows around ``day``: its week, or its month's weeks."""
    if view == MONTH:
        return [d for week in month_weeks(day) for d in week]
    return week_of(day)


def period_title(view: str, day: date) -> str:
    if view == MONTH:
        return f"{day:%B %Y}"
    days = week_of(day)
    return f"{day_title(days[0])} – {day_title(days[-1])} {days[-1].year}"


def shift_period(view: str, day: date, steps: int) -> date:
    """``day`` moved by ``steps`` weeks (a month in the month view, to the same day or its last)."""
    if view != MONTH:
        return day + timedelta(days=7 * steps)
    month = day.month - 1 + steps
    year, month = day.year + month // 12, month % 12 + 1
    for last in (day.day, 30, 29, 28):
        try:
            return date(year, month, last)
        except ValueError:
            continue
    raise AssertionError("every month has 28 days")


def period_window(view: str, day: date, tz: tzinfo) -> tuple[datetime, datetime]:
    """The moments ``view`` shows around ``day``: from its first day's start to its last day's end."""
    days = period_days(view, day)
    return day_start(days[0], tz), day_start(days[-1] + timedelta(days=1), tz)


def load_window(view: str, day: date, tz: tzinfo, *, wide: bool) -> tuple[datetime, datetime]:
    """What to load for ``view`` around ``day``: its days and one more period each side
    (``wide``: five weeks, or two months, each side), so that stepping on shows at once."""
    days = period_days(view, day)
    margin = timedelta(days=(35 if wide else 7) if view != MONTH else (63 if wide else 14))
    return day_start(days[0] - margin, tz), day_start(days[-1] + timedelta(days=1) + margin, tz)


# -- one load ---------------------------------------------------------------------------------
@dataclass
class CalendarData:
    """The calendar in ``[start, end)``: its entries (earliest first), free slots and
    the next departures, as one load of the read model saw them at ``now``."""

    start: datetime
    end: datetime
    entries: list[CalendarEntry]
    free: list[FreeSlot]
    departures: list[Departure]
    handles: Mapping[str, str]
    now: datetime
    moments: list[datetime] = field(init=False, repr=False)
    free_moments: list[datetime] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.moments = [entry.at for entry in self.entries]
        self.free_moments = [slot.at for slot in self.free]

    def covers(self, start: datetime, end: datetime) -> bool:
        return self.start <= start and end <= self.end

    def between(self, start: datetime, end: datetime) -> range:
        """Indices of the entries in ``[start, end)``."""
        return range(bisect_left(self.moments, start), bisect_left(self.moments, end))

    def free_between(self, start: datetime, end: datetime) -> list[FreeSlot]:
        return self.free[bisect_left(self.free_moments, start):bisect_left(self.free_moments, end)]

    def on_day(self, day: date, tz: tzinfo) -> range:
        return self.between(day_start(day, tz), day_start(day + timedelta(days=1), tz))

    def find(self, key: tuple[str, datetime] | None) -> int | None:
        """The index of the entry of post ``key[0]`` at ``key[1]``, if it is still there."""
        if key is None:
            return None
        post_id, at = key
        index = bisect_left(self.moments, at)
        while index < len(self.entries) and self.moments[index] == at:
            if self.entries[index].post_id == post_id:
                return index
            index += 1
        return None

    def handle(self, account_id: str) -> str:
        return self.handles.get(account_id, account_id)


def entry_key(entry: CalendarEntry) -> tuple[str, datetime]:
    return entry.post_id, entry.at


def empty_data(now: datetime) -> CalendarData:
    return CalendarData(now, now, [], [], [], {}, now)


# -- what each view lays out ----------------------------------------------------------------
@dataclass(frozen=True)
class AgendaRow:
    kind: str                       # DAY, ENTRY, FREE or NOTHING
    day: date
    entry: int | None = None        # index into ``CalendarData.entries``
    slot: FreeSlot | None = None


def agenda_rows(data: CalendarData, days: Iterable[date], tz: tzinfo) -> list[AgendaRow]:
    """A header per day, then its entries and free slots in time order (entries first
    at the same minute), or a "nothing" row."""
    rows: list[AgendaRow] = []
    for day in days:
        rows.append(AgendaRow(DAY, day))
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        items = [(data.moments[i], 0, AgendaRow(ENTRY, day, entry=i)) for i in data.between(start, end)]
        items += [(slot.at, 1, AgendaRow(FREE, day, slot=slot)) for slot in data.free_between(start, end)]
        if not items:
            rows.append(AgendaRow(NOTHING, day))
        rows += [row for _, _, row in sorted(items, key=lambda item: (item[0], item[1]))]
    return rows


@dataclass(frozen=True)
class WeekCell:
    """One hour of one day: its entries (indices, in time order) and free slots."""

    entries: tuple[int, ...] = ()
    free: tuple[FreeSlot, ...] = ()


def week_cells(data: CalendarData, days: Iterable[date], tz: tzinfo) -> dict[tuple[date, int], WeekCell]:
    """``(day, local hour) -> WeekCell`` for the hours of ``days`` that hold something."""
    entries: dict[tuple[date, int], list[int]] = {}
    free: dict[tuple[date, int], list[FreeSlot]] = {}
    for day in days:
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        for index in data.between(start, end):
            entries.setdefault((day, data.moments[index].astimezone(tz).hour), []).append(index)
        for slot in data.free_between(start, end):
            free.setdefault((day, slot.at.astimezone(tz).hour), []).append(slot)
    return {key: WeekCell(tuple(entries.get(key, ())), tuple(free.get(key, ())))
            for key in entries.keys() | free.keys()}


@dataclass(frozen=True)
class DaySummary:
    """One day of the month view: its entries (indices) and free slots."""

    day: date
    entries: tuple[int, ...]
    free: int

    def state_counts(self, data: CalendarData) -> dict[str, int]:
        counts: dict[str, int] = {}
        for index in self.entries:
            state = data.entries[index].state
            counts[state] = counts.get(state, 0) + 1
        return counts


def month_days(data: CalendarData, days: Iterable[date], tz: tzinfo) -> dict[date, DaySummary]:
    summaries = {}
    for day in days:
        start, end = day_start(day, tz), day_start(day + timedelta(days=1), tz)
        summaries[day] = DaySummary(day, tuple(data.between(start, end)), len(data.free_between(start, end)))
    return summaries


# -- moving the cursor ------------------------------------------------------------------------
def first_of_day(data: CalendarData, day: date, tz: tzinfo, *, after: datetime | None = None) -> int | None:
    """The first entry of ``day`` (at or after ``after``, when that is on the day)."""
    found = data.on_day(day, tz)
    if after is not None:
        found = range(max(found.start, bisect_left(data.moments, after)), found.stop)
    return found.start if found else None


def step_entry(data: CalendarData, index: int | None, day: date, tz: tzinfo, forward: bool) -> int | None:
    """The next (or previous) entry from ``index``, or from ``day`` when no entry is
    chosen; None past the loaded ones."""
    if index is None:
        if forward:
            index = bisect_left(data.moments, day_start(day, tz))
        else:
            index = bisect_left(data.moments, day_start(day + timedelta(days=1), tz)) - 1
    else:
        index += 1 if forward else -1
    return index if 0 <= index < len(data.entries) else None
