"""Times as operators type them, for snoozing from the TUI and the CLI:
``30m``, ``2h``, ``1h30m``, ``17:00``, ``tomorrow``, ``tomorrow 09:00``,
``mon 09:00`` or ``2026-03-05 09:00``. Relative forms count from ``now``;
clock times are read in ``now``'s time zone, so callers pass a local ``now``.
"""

from __future__ import annotations

import re
from datetime import datetime, time, timedelta

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
