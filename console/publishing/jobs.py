"""The worker's publishing job: sends what is due, as soon as it is due.

The runner runs a job every ``interval``; this one also tells the runner
when it next wants to run (``wakes_at``: the next target's time), so a post
goes out within a second or two of its time rather than at the next poll.
The answer is kept until the schedules change (here or in another process:
the runner reads other processes' writes every half second), so asking costs
nothing between changes.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from console.publishing.publisher import Publisher
from console.publishing.records import SCHEDULES
from data import Store
from integrations.base import PlatformAdapter


class AdapterSource(Protocol):
    """The accounts' adapters as of now (``console.accounts.AccountAdapters``)."""

    async def current(self) -> dict[str, PlatformAdapter]: ...

_UNKNOWN = object()


class PublishDue:
    """Claim, send and record every due target (see ``publisher.py``)."""

    name = "publishing"

    def __init__(self, store: Store, publisher: Publisher, adapters: AdapterSource, *,
                 interval: timedelta = timedelta(seconds=30)) -> None:
        self.publisher = publisher
        self.adapters = adapters
        self.interval = interval
        self._next: object = _UNKNOWN
        store.on_change(self._changed)

    def _changed(self, changes) -> None:
        if any(change.collection == SCHEDULES for change in changes):
            self._next = _UNKNOWN

    def wakes_at(self) -> datetime | None:
        """When the next target is due (None: nothing is scheduled)."""
        if self._next is _UNKNOWN:
            self._next = self.publisher.next_due()
        return self._next  # type: ignore[return-value]

    async def run(self, now: datetime) -> str:
        adapters = await self.adapters.current()
        report = await self.publisher.run(adapters, now)
        self._next = _UNKNOWN
        return report.summary()
