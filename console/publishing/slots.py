"""Queue slots: the moments an account's posts go out by default.

Slots are wall-clock times of the account's own zone (``zoneinfo``), so a
daily 09:00 slot stays 09:00 local across a daylight-saving change: its UTC
moment moves, not its local time.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, time, timedelta, tzinfo

from console.publishing.model import QueueSlots, local_moment

#: How far ahead "the next free slot" looks before it gives up.
SLOT_HORIZON = timedelta(days=60)


def slot_moments(slots: QueueSlots, zone: tzinfo, start: datetime, end: datetime) -> Iterator[datetime]:
    """Every slot moment in ``[start, end)``, in order (aware, in ``zone``)."""
    day = start.astimezone(zone).date() - timedelta(days=1)     # a slot just after midnight UTC
    while local_moment(day, time(0), zone) < end:
        if day.weekday() in slots.days:
            for clock in slots.times:
                moment = local_moment(day, clock, zone)
                if start <= moment < end:
                    yield moment
        day += timedelta(days=1)


def next_free_slot(slots: QueueSlots, zone: tzinfo, after: datetime,
                   free: Callable[[datetime], bool], horizon: timedelta = SLOT_HORIZON) -> datetime | None:
    """The first slot after ``after`` that ``free`` accepts (not taken, not in a
    blackout, far enough from the account's other posts), or None within ``horizon``."""
    for moment in slot_moments(slots, zone, after, after + horizon):
        if moment > after and free(moment):
            return moment
    return None
