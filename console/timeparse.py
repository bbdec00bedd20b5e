"""Times as operators type them: "30m", "2h", "1d", "tomorrow 09:00", "14:30",
or an ISO 8601 time. Relative forms count from ``now``; clock times are in
``now``'s time zone (UTC unless the caller passes a local ``now``)."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

_RELATIVE = re.compile(r"^\s*(\d+)\s*(m|min|mins|minutes?|h|hrs?|hours?|d|days?|w|weeks?)\s*$", re.I)
_CLOCK = re.compile(r"^\s*(today|tomorrow)?\s*(\d{1,2}):(\d{2})\s*$", re.I)
_UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_when(text: str, now: datetime) -> datetime:
    """The moment ``text`` names; raises ValueError with what was expected."""
    text = text.strip()
    relative = _RELATIVE.match(text)
    if relative:
        amount = int(relative.group(1))
        if amount <= 0:
            raise ValueError("give a positive amount, such as 30m or 2h")
        unit = _UNITS[relative.group(2)[0].lower()]
        return now + timedelta(**{unit: amount})
    clock = _CLOCK.match(text)
    if clock:
        day, hour, minute = clock.group(1), int(clock.group(2)), int(clock.group(3))
        if hour > 23 or minute > 59:
            raise ValueError(f"{text!r} is not a time of day")
        moment = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if day and day.lower() == "tomorrow":
            moment += timedelta(days=1)
        elif moment <= now:
            moment += timedelta(days=1)  # "09:00" said in the afternoon means tomorrow
        return moment
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(
            f"{text!r} is not a time; use 30m, 2h, 1d, 1w, 14:30, tomorrow 09:00 or an ISO time"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment
