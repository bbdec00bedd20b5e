"""Times as operators type them, for snoozing from the TUI and the CLI:
``30m``, ``2h``, ``1h30m``, ``17:00``, ``tomorrow``, ``tomorrow 09:00``,
``mon 09:00`` or ``2026-03-05 09:00``. Relative forms count from ``now``;
clock times are read in ``now``'s time zone, so callers pass a local ``now``.

A post's time (:func:`parse_post_time`) is read differently: a clock time
with no offset is a wall-clock time that each target account reads in its own
zone ("15:00" is 15:00 in New York and 15:00 in Tokyo).
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_HOUR = time(9, 0)

_UNITS = {
    "m": 60, "min": 60, "mins": 60, "minute": 60, "minutes": 60,
    "h": 3600, "hr": 3600, "hrs": 3600, "hour": 3600, "hours": 3600,
    "d": 86400, "day": 86400, "days": 86400,
    "w": 604800, "wk": 604800, "week": 604800, "weeks": 604800,
}
_DURATION_PART = re.compile(r"(\d+)\s*([a-z]+)")
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_CLOCK = re.compile(r"^(\d{1,2})(?::(\d{2}))?\s*(am|pm)?$")

def snooze_help(now: datetime) -> str:
    """The forms :func:`parse_when` reads, with a date a week after ``now`` as the example."""
    example = (now + timedelta(days=7)).strftime("%Y-%m-%d")
    return f"30m, 2h, 1d, 1h30m, 17:00, tomorrow, tomorrow 09:00, mon 09:00 or {example} 09:00"


def parse_when(text: str, now: datetime) -> datetime:
    """A future moment from ``30m``, ``2h``, ``tomorrow 09:00``, ``mon 09:00``...

    Raises ValueError with what to type instead.

    Clock times are read in ``now``'s time zone (``now`` must be aware).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join(text.strip().casefold().split())
    if not raw:
        raise ValueError(f"type when the item should come back: {snooze_help(now)}")
    until = _relative(raw, now) or _calendar(raw, now)
    if until is None:
        raise ValueError(f"cannot read {text.strip()!r} as a time; use {snooze_help(now)}")
    if until <= now:
        raise ValueError(f"{text.strip()!r} is in the past; snooze until a later time")
    return until


def _relative(raw: str, now: datetime) -> datetime | None:
    compact = raw.replace(" ", "")
    parts = _DURATION_PART.findall(raw)
    if not parts or "".join(n + u for n, u in parts) != compact:
        return None
    seconds = 0
    for number, unit in parts:
        if unit not in _UNITS:
            return None
        seconds += int(number) * _UNITS[unit]
    if seconds <= 0:
        raise ValueError("snooze for at least one minute")
    if seconds > 366 * 86400:
        raise ValueError("snooze for at most a year")
    return now + timedelta(seconds=seconds)


def _clock(raw: str) -> time | None:
    match = _CLOCK.match(raw)
    if not match:
        return None
    hour, minute, half = int(match[1]), int(match[2] or 0), match[3]
    if half:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def _calendar(raw: str, now: datetime) -> datetime | None:
    day_word, _, rest = raw.partition(" ")
    today = now.date()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", day_word):
        try:
            day = datetime.strptime(day_word, "%Y-%m-%d").date()
        except ValueError:
            return None
    elif day_word == "today":
        day = today
    elif day_word == "tomorrow":
        day = today + timedelta(days=1)
    elif day_word[:3] in _WEEKDAYS and (len(day_word) == 3 or day_word.endswith("day")):
        ahead = (_WEEKDAYS.index(day_word[:3]) - today.weekday()) % 7 or 7
        day = today + timedelta(days=ahead)
    else:
        # A bare clock time: the next time the clock shows it.
        at = _clock(raw)
        if at is None:
            return None
        moment = datetime.combine(today, at, tzinfo=now.tzinfo)
        return moment if moment > now else moment + timedelta(days=1)
    at = _clock(rest) if rest else DEFAULT_HOUR
    if at is None:
        return None
    return datetime.combine(day, at, tzinfo=now.tzinfo)


# -- post times: a moment, or a wall-clock time read in each account's zone ----------------
POST_TIME_HELP = ("2026-12-05 15:00 (each account's own time), 2026-12-05T15:00+01:00, "
                  "2026-12-05 15:00 Europe/Madrid, 2h, tomorrow 09:00 or mon 09:00")
_OFFSET_AT_END = re.compile(r"(?:[+-]\d{2}(?::?\d{2})?|z)$")
_DATE_ONLY = re.compile(r"\d{4}-\d{2}-\d{2}")


def parse_post_time(text: str, now: datetime) -> datetime:
    """When a post should go out, as a person types it for ``--at`` or an import.

    Returns an **aware** moment for a time with an offset
    (``2026-12-05T15:00+01:00``), a time followed by a zone name
    (``2026-12-05 15:00 Europe/Madrid``) or a relative time (``2h``); and a
    **naive** wall-clock time for one without either (``2026-12-05 15:00``,
    ``tomorrow 09:00``, ``mon 09:00``): the caller reads that in each target
    account's own time zone. The day of ``tomorrow`` and ``mon`` is counted on
    ``now``'s calendar (pass a local ``now``). Raises ValueError saying what
    to type instead; whether the time has passed is the caller's to judge
    (it depends on the account's zone).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join(text.strip().split())
    if not raw:
        raise ValueError(f"give a time: {POST_TIME_HELP}")
    head, _, last = raw.rpartition(" ")
    zone = _zone_name(last) if head else None
    if zone is not None:
        moment = _wall_clock(head, now)
        if moment is None or moment.tzinfo is not None:
            raise ValueError(f"cannot read {head!r} as a date and time before the zone {last}; use {POST_TIME_HELP}")
        # through UTC: a time skipped by a spring-forward change lands where the clocks show it
        return moment.replace(tzinfo=zone, fold=0).astimezone(timezone.utc).astimezone(zone)
    moment = _wall_clock(raw, now)
    if moment is None:
        raise ValueError(f"cannot read {raw!r} as a time; use {POST_TIME_HELP}")
    return moment


def _wall_clock(raw: str, now: datetime) -> datetime | None:
    """An ISO time (aware when it has an offset), a relative time (aware), or a
    calendar form (naive)."""
    if not _DATE_ONLY.fullmatch(raw):       # a bare date is 09:00, as the calendar forms read it
        try:
            return datetime.fromisoformat(raw.upper() if _OFFSET_AT_END.search(raw.casefold()) else raw)
        except ValueError:
            pass
    folded = raw.casefold()
    relative = _relative(folded, now)
    if relative is not None:
        return relative
    local = _calendar(folded, now)
    return local.replace(tzinfo=None) if local is not None else None


def _zone_name(name: str) -> tzinfo | None:
    if "/" not in name and name.upper() not in ("UTC", "GMT"):
        return None        # "15:00" or "pm" are not zones; ZoneInfo would look them up on disk
    try:
        return ZoneInfo("UTC" if name.upper() in ("UTC", "GMT") else name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
