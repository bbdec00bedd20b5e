"""The job contract: what the worker runs.

A job has a ``name`` (short: the status bar shows it as "wk !sync" when it
fails), an ``interval`` (how often it runs) and ``async run(now) -> str``,
which does one round of its work and returns a short report ("fetched 3,
new 3"). It raises only for a real failure (the store cannot be written, a
bug): what a job expects to go wrong now and then (a platform refusing a
token, a reply to retry later) it handles itself and says in its report.
The runner (``runner.py``) backs off a job that raises and keeps running the
others.

Each domain package provides its own jobs (``console.inbox``: sync,
replies, snoozes; ``console.posts``: expiry); the workspace assembles the
list. Store compaction, the worker's own upkeep, is here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol

from data import Store

#: Who the worker's writes are recorded as, in the store and the audit trail.
WORKER_ACTOR = "worker"


class Job(Protocol):
    """One kind of timed work the worker does.

    A job with work at set times may also have ``wakes_at() -> datetime | None``:
    the runner then runs it at that moment too, not only every ``interval``."""

    name: str
    interval: timedelta

    async def run(self, now: datetime) -> str:
        """One round of the work, as of ``now``; a short report of what it did."""
        ...


class CompactStore:
    """Compacts the store once its journal has grown past a size: a fresh
    snapshot per collection and an empty journal, so that opening the store
    (every console start) stays quick."""

    name = "compact"

    def __init__(self, store: Store, *, interval: timedelta = timedelta(minutes=1),
                 max_journal_bytes: int = 8_000_000) -> None:
        self.store = store
        self.interval = interval
        self.max_journal_bytes = max_journal_bytes

    async def run(self, now: datetime) -> str:
        if self.store.maybe_compact(self.max_journal_bytes):
            return "compacted the store"
        return f"journal under {self.max_journal_bytes / 1e6:g} MB, nothing to do"
