"""What the Calendar panel loads, and the messages that bring it to the UI thread.

:func:`load_calendar` runs in a thread worker: it asks the read model
(``workspace.calendar``) for a window of time, as the logged-in person may
see it (reading posts needs ``post.draft`` or ``post.approve``, checked by
the post service; posts with an account outside their scope are left out).
The messages carry its result, a post's detail and the store's change
notices back to the UI thread, where the screen owns every change.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from textual.message import Message

from console.publishing import CalendarFilter
from screens.calendar.model import CalendarData

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace


def load_calendar(workspace: "Workspace", actor: "Actor", start: datetime, end: datetime,
                  where: CalendarFilter) -> CalendarData:
    """The entries, free slots and next departures in ``[start, end)`` that ``actor`` may see."""
    workspace.posts.require_reader(actor, ())
    scope = actor.scope()
    region_of = workspace.account_region

    def visible(accounts: Sequence[str]) -> bool:
        return scope.everything or all(scope.covers(a, region_of(a)) for a in accounts)

    now = workspace.clock()
    calendar = workspace.calendar
    entries = calendar.entries(start, end, where, visible=visible)
    accounts = [a for a in workspace.accounts if scope.covers(a.account_id, a.region)]
    handles = {a.account_id: a.handle for a in workspace.accounts}
    # Free slots are where a post could go: they answer an account or region filter, not a state or tag.
    free = []
    if not where.states and not where.tags:
        wanted = [a.account_id for a in accounts if (not where.accounts or a.account_id in where.accounts)
                  and (not where.regions or a.region in where.regions)]
        free = calendar.free_slots(start, end, wanted)
    departures = calendar.departures(now, where=CalendarFilter(accounts=where.accounts, regions=where.regions,
                                                                tags=where.tags), visible=visible)
    return CalendarData(start, end, entries, free, departures, handles, now)


class CalendarLoaded(Message):
    """One load of the calendar; ``generation`` says which request it answers."""

    def __init__(self, data: CalendarData, generation: int) -> None:
        super().__init__()
        self.data = data
        self.generation = generation



class EntryDetailLoaded(Message):
    """The detail of a post was gathered; ``key`` says which view of it was asked for."""

    def __init__(self, detail, key: tuple) -> None:
        super().__init__()
        self.detail = detail
        self.key = key
