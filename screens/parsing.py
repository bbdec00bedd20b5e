"""Pure parsers for what operators type into the small prompts.

Each raises :class:`PromptError` whose message says what was wrong and what
to type instead; the prompt shows it under the input and stays open.
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

SNOOZE_HELP = "30m, 2h, 1d, 1h30m, 17:00, tomorrow, tomorrow 09:00, mon 09:00 or 2026-03-05 09:00"


class PromptError(ValueError):
    """What the operator typed cannot be used; the message says what to type."""


def parse_snooze(text: str, now: datetime) -> datetime:
    """When to wake a snoozed item, from ``30m``, ``2h``, ``tomorrow 09:00``...

    Clock times are read in ``now``'s time zone (``now`` must be aware).
    """
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    raw = " ".join(text.strip().casefold().split())
    if not raw:
        raise PromptError(f"type when the item should come back: {SNOOZE_HELP}")
    until = _relative(raw, now) or _calendar(raw, now)
    if until is None:
        raise PromptError(f"cannot read {text.strip()!r} as a time; use {SNOOZE_HELP}")
    if until <= now:
        raise PromptError(f"{text.strip()!r} is in the past; snooze until a later time")
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
        raise PromptError("snooze for at least one minute")
    if seconds > 366 * 86400:
        raise PromptError("snooze for at most a year")
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


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """Tags to add and to remove from ``"vip, shipping, -urgent"``."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.replace(";", ",").split(","):
        word = part.strip()
        if not word:
            continue
        target = remove if word.startswith("-") else add
        word = word.lstrip("-").strip()
        if not word:
            continue
        if any(c.isspace() for c in word):
            raise PromptError(f"{word!r} has a space; separate tags with commas, e.g. vip, shipping")
        target.append(word)
    if not add and not remove:
        raise PromptError("type tags separated by commas; put - before a tag to remove it")
    return add, remove


def parse_assignee(text: str, operator: str) -> str:
    """Who to assign: a name, ``me`` for the operator, empty or ``-`` to unassign."""
    name = text.strip()
    if name in ("", "-"):
        return ""
    if name.casefold() == "me":
        return operator
    if any(c.isspace() for c in name) or len(name) > 64:
        raise PromptError(f"{name!r} is not a user name; type one name, 'me', or '-' to unassign")
    return name
