"""The proposed time of a post: reading what the operator typed, and showing it
in every target account's own time zone.

A team in New York proposing "10:00" for three regional accounts must see at
a glance that it is midnight in Tokyo; so the compose screen shows the time
converted into each target's zone, with the day shift. Kept free of Textual
so it can be tested on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo
from typing import Protocol
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.timeparse import parse_when

class Zoned(Protocol):
    """Anything with an IANA time zone name (an account)."""

    timezone: str


_OFFSET = re.compile(r"[+-]\d{2}:?\d{2}|Z")


def example_date(now: datetime) -> str:
    """A date a week after ``now``, for examples that must not lie in the past."""
    return (now + timedelta(days=7)).strftime("%Y-%m-%d")


def time_help(now: datetime) -> str:
    day = example_date(now)
    return f"{day} 10:00, tomorrow 10:00, mon 09:00, {day} 10:00 America/New_York or an ISO time"


def _zone(name: str) -> tzinfo | None:
    if "/" not in name and name.upper() not in ("UTC", "GMT"):
        return None  # "10:00" or "pm" are not zones; ZoneInfo would look them up on disk
    try:
        return ZoneInfo("UTC" if name.upper() in ("UTC", "GMT") else name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _in_zone(naive: datetime, zone: tzinfo | None) -> datetime:
    # zone None is the operator's local time: astimezone() reads a naive time as local.
    return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def parse_proposed_time(text: str, now: datetime, display_tz: tzinfo | None) -> datetime | None:
    """The moment ``text`` names (aware), or None when it is blank.

    Dates without an offset are read in ``display_tz`` (the operator's display
    zone; None means local time) unless a zone name follows them
    (``2026-11-27 10:00 Asia/Tokyo``). Relative forms (``tomorrow 10:00``,
    ``2h``) count from ``now``. Raises ValueError saying what to type instead.
    A time in the past is accepted here: the approval service refuses to
    submit it, and the screen shows it as past.
    """
    raw = " ".join(text.split())
    if not raw:
        return None
    zone = display_tz
    head, _, last = raw.rpartition(" ")
    named = _zone(last) if head else None
    if named is not None:
        raw, zone = head, named
    elif head and _OFFSET.fullmatch(last):
        raw = head + last  # "2026-11-27 10:00 +09:00": fromisoformat wants no space
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        moment = None
    if moment is not None:
        if moment.tzinfo is None:
            return _in_zone(moment, zone)
        if named is not None:
            raise ValueError(f"{text.strip()!r} has both an offset and a zone name; give one of them")
        return moment
    local_now = now.astimezone(zone) if zone is not None else now.astimezone()
    try:
        return parse_when(raw, local_now)
    except ValueError:
        raise ValueError(f"cannot read {text.strip()!r} as a time; type e.g. {time_help(now)}") from None


def city_name(zone_name: str) -> str:
    """``America/New_York`` -> ``New York``, ``UTC`` -> ``UTC``."""
    return zone_name.rsplit("/", 1)[-1].replace("_", " ") or zone_name


def local_times(moment: datetime, accounts: Iterable[Zoned],
                display_tz: tzinfo | None) -> list[tuple[str, str, int]]:
    """``(clock time, city, day shift)`` per distinct time zone of ``accounts``.

    The day shift is the number of days between the date in the account's zone
    and the date in the operator's zone (``+1``: the next day over there).
    """
    home_day = (moment.astimezone(display_tz) if display_tz is not None else moment.astimezone()).date()
    shown: list[tuple[str, str, int]] = []
    seen: set[str] = set()
    for account in accounts:
        if account.timezone in seen:
            continue
        seen.add(account.timezone)
        zone = _zone(account.timezone) or ZoneInfo("UTC")
        there = moment.astimezone(zone)
        shown.append((there.strftime("%H:%M"), city_name(account.timezone), (there.date() - home_day).days))
    return shown


def day_shift_text(days: int) -> str:
    """`` (+1 day)``, `` (-1 day)``, `` (+2 days)``, or '' for the same day."""
    if not days:
        return ""
    return f" ({days:+d} day{'s' if abs(days) != 1 else ''})"


def zones_text(moment: datetime, accounts: Iterable[Zoned], display_tz: tzinfo | None) -> str:
    """``10:00 New York · 09:00 Mexico City · 00:00 Tokyo (+1 day)``."""
    return " · ".join(f"{clock} {city}{day_shift_text(shift)}"
                      for clock, city, shift in local_times(moment, accounts, display_tz))
