"""What the Calendar panel's prompts read: a filter (``account:@northwind
region:NA state:failed tag:promo``, as in the inbox) and a new time for a post.

A new time is one of::

    2026-12-05 15:00      that wall-clock time in each account's own zone
    tomorrow 10:00        (also today, mon..sun, or a bare 17:00: the next one)
    +2h, -30m, +1d        the post moved by that much (each account's time, when
                          they differ but show the same local time)
    2h, 45m               that long from now
    2026-12-05 15:00 Asia/Tokyo, 2026-12-05T15:00+01:00   one moment everywhere

Pure functions, free of Textual; each raises :class:`PromptError` saying
what to type instead, so the prompt stays open with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.publishing import CALENDAR_STATES, STATE_LETTERS, CalendarFilter, ScheduleRequest
from screens.parsing import PromptError

FILTER_HELP = "account:@handle region:NA state:failed tag:promo (several of one kind: any of them)"
TIME_HELP = ("2026-12-05 15:00 (each account's local time), tomorrow 10:00, +2h (later by), 2h (from now), "
             "or 2026-12-05 15:00 Asia/Tokyo / an ISO time with offset")

_STATE_WORDS = {state.replace(" ", "-"): state for state in CALENDAR_STATES} | \
    {state.replace(" ", "_"): state for state in CALENDAR_STATES} | \
    {letter.casefold(): state for state, letter in STATE_LETTERS.items()}
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_UNITS = {"m": 60, "min": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION = re.compile(r"(\d+)\s*(min|m|h|d|w)")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")
_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}|Z")


@dataclass(frozen=True)
class KnownAccount:
    account_id: str
    handle: str
    region: str


# -- the filter -----------------------------------------------------------------------------
def parse_filter(text: str, accounts: Iterable[KnownAccount]) -> CalendarFilter:
    """``account:@x region:NA state:failed tag:promo`` as a :class:`CalendarFilter`."""
    accounts = list(accounts)
    found: dict[str, list[str]] = {"account": [], "region": [], "state": [], "tag": []}
    for word in text.split():
        kind, colon, value = word.partition(":")
        kind = kind.casefold()
        if not colon or kind not in found or not value:
            raise PromptError(f"{word!r} is not a filter term; use {FILTER_HELP}")
        if kind == "account":
            found[kind].append(_account(value, accounts))
        elif kind == "region":
            found[kind].append(_region(value, accounts))
        elif kind == "state":
            state = _STATE_WORDS.get(value.casefold())
            if state is None:
                raise PromptError(f"no state {value!r}; states: "
                                  f"{', '.join(s.replace(' ', '-') for s in CALENDAR_STATES)} (or their letters)")
            found[kind].append(state)
        else:
            found[kind].append(value.lstrip("#"))
    unique = {kind: tuple(dict.fromkeys(values)) for kind, values in found.items()}
    return CalendarFilter(accounts=unique["account"], regions=unique["region"], states=unique["state"],
                          tags=unique["tag"])


def _account(value: str, accounts: list[KnownAccount]) -> str:
    wanted = value.casefold()
    for account in accounts:
        if wanted in (account.account_id.casefold(), account.handle.casefold(), account.handle.casefold().lstrip("@")):
            return account.account_id
    known = ", ".join(a.handle for a in accounts) or "none"
    raise PromptError(f"no account {value!r}; accounts: {known}")


def _region(value: str, accounts: list[KnownAccount]) -> str:
    regions = sorted({a.region for a in accounts if a.region})
    for region in regions:
        if region.casefold() == value.casefold():
            return region
    raise PromptError(f"no region {value!r}; regions: {', '.join(regions) or 'none'}")


def format_filter(flt: CalendarFilter, handles: dict[str, str]) -> str:
    """The filter as it is typed (accounts by handle), for the prompt to start from."""
    parts = [f"account:{handles.get(a, a)}" for a in flt.accounts] + [f"region:{r}" for r in flt.regions]
    parts += [f"state:{s.replace(' ', '-')}" for s in flt.states] + [f"tag:{t}" for t in flt.tags]
    return " ".join(parts)


def describe_filter(flt: CalendarFilter, handles: dict[str, str]) -> str:
    return format_filter(flt, handles) or "everything"


# -- a new time -----------------------------------------------------------------------------
def parse_new_time(text: str, *, now: datetime, zone: tzinfo,
                   current: Sequence[tuple[datetime, tzinfo]] = ()) -> ScheduleRequest:
    """What ``text`` asks for (see the module docstring), as a :class:`ScheduleRequest`.

    ``now`` is aware; ``zone`` is the zone the calendar is read in (it says which
    day "tomorrow" is); ``current`` is each account's time now and zone (for
    ``+2h``). The scheduling service says whether the time is allowed (past,
    blackout...)."""
    raw = " ".join(text.split())
    if not raw:
        raise PromptError(f"type the new time: {TIME_HELP}")
    lowered = raw.casefold()
    if lowered[0] in "+-":
        moved = _duration(lowered[1:])
        if moved is None:
            raise PromptError(f"cannot read {raw!r} as a move; type e.g. +2h, -30m, +1d or +1h30m")
        return _moved(current, moved if lowered[0] == "+" else -moved, now)
    ahead = _duration(lowered)
    if ahead is not None:
        return ScheduleRequest(at=now + ahead)
    head, _, last = raw.rpartition(" ")
    named = _zone(last) if head else None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", head if named else raw):
        raise PromptError(f"{text.strip()!r} has no time of day; type e.g. {raw.split()[0]} 09:00")
    if named is not None:
        raw = head
    elif head and _OFFSET.fullmatch(last):
        raw = head + last                      # "2026-12-05 15:00 +01:00": fromisoformat wants no space
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is not None:
        if moment.tzinfo is not None:
            if named is not None:
                raise PromptError(f"{text.strip()!r} has both an offset and a zone name; give one of them")
            return ScheduleRequest(at=moment)
        return ScheduleRequest(at=moment.replace(tzinfo=named)) if named else ScheduleRequest(local=moment)
    wall = _wall_clock(raw.casefold(), now.astimezone(zone))
    if wall is None:
        raise PromptError(f"cannot read {text.strip()!r} as a time; type e.g. {TIME_HELP}")
    if named is not None:
        return ScheduleRequest(at=wall.replace(tzinfo=named))
    return ScheduleRequest(local=wall)


def _moved(current: Sequence[tuple[datetime, tzinfo]], by: timedelta, now: datetime) -> ScheduleRequest:
    """Every account's time moved ``by``: one moment for all, or one local time in each zone."""
    moments = {moment for moment, _ in current}
    if len(moments) <= 1:
        return ScheduleRequest(at=(moments.pop() if moments else now) + by)
    walls = {moment.astimezone(zone).replace(tzinfo=None) for moment, zone in current}
    if len(walls) == 1:
        return ScheduleRequest(local=walls.pop() + by)
    raise PromptError("its accounts go out at different times; give the new time itself (e.g. tomorrow 10:00)")


def _duration(raw: str) -> timedelta | None:
    compact = raw.replace(" ", "")
    parts = _DURATION.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        return None
    seconds = sum(int(number) * _UNITS[unit] for number, unit in parts)
    if not 0 < seconds <= 366 * 86400:
        raise PromptError("move a post by at least a minute and at most a year")
    return timedelta(seconds=seconds)


def _zone(name: str) -> tzinfo | None:
    if "/" not in name and name.upper() not in ("UTC", "GMT"):
        return None
    try:
        return ZoneInfo("UTC" if name.upper() in ("UTC", "GMT") else name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _clock(raw: str) -> time | None:
    match = _CLOCK.match(raw)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    return time(hour, minute) if hour <= 23 and minute <= 59 else None


def _wall_clock(raw: str, local_now: datetime) -> datetime | None:
    """A naive wall-clock time from ``today 10:00``, ``tomorrow 10:00``, ``mon 09:00`` or a
    bare ``17:00`` (the next time the clock shows it), the day read from ``local_now``."""
    day_word, _, rest = raw.partition(" ")
    today = local_now.date()
    day: date | None = None
    if day_word == "today":
        day = today
    elif day_word == "tomorrow":
        day = today + timedelta(days=1)
    elif day_word[:3] in _WEEKDAYS and (len(day_word) == 3 or day_word.endswith("day")):
        day = today + timedelta(days=(_WEEKDAYS.index(day_word[:3]) - today.weekday()) % 7 or 7)
    if day is None:
        clock = _clock(raw)
        if clock is None:
            return None
        wall = datetime.combine(today, clock)
        return wall if wall > local_now.replace(tzinfo=None) else wall + timedelta(days=1)
    clock = _clock(rest) if rest else None
    return datetime.combine(day, clock) if clock is not None else None
