"""Inbound volume per hour and account over the last 24 hours, kept up to date
from the inbox's change feed rather than recounted.

The first question walks the inbox index once for the items of the window;
after that only the changed items are looked at (an item's arrival time never
changes, so an update of one already counted costs a dict look-up). Items
that fall out of the window as the hours pass are dropped, so what is kept is
one day of arrivals, whatever the size of the inbox.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from console.inbox import InboxIndex
from console.records import format_time

#: Hours shown, the current (partial) hour last.
HOURS = 24


def hour_key(moment_iso: str) -> str:
    """``2026-11-26T09``: the hour of a store time (ISO UTC text of one format)."""
    return moment_iso[:13]


def window_hours(now: datetime) -> list[str]:
    """The keys of the :data:`HOURS` hours ending with the current one, oldest first."""
    this_hour = now.replace(minute=0, second=0, microsecond=0)
    return [hour_key(format_time(this_hour - timedelta(hours=back)) or "") for back in range(HOURS - 1, -1, -1)]


class InboundVolume:
    """Arrivals per (hour, account) for the last :data:`HOURS` hours."""

    def __init__(self, index: InboxIndex, clock: Callable[[], datetime]) -> None:
        self.index = index
        self.clock = clock
        self._lock = threading.Lock()
        self._arrivals: dict[str, tuple[str, str]] | None = None   # id -> (hour, account), built at first use
        self._counts: Counter[tuple[str, str]] = Counter()
        self._oldest = ""                                           # the window's first hour when last pruned

    def items_changed(self, ids: Iterable[str]) -> None:
        """The inbox's change listener (any thread): count arrivals, forget removed items."""
        with self._lock:
            if self._arrivals is None:
                return                      # built from the index at the first question, changes included
            for key in ids:
                arrival = self.index.arrival(key)
                known = self._arrivals.get(key)
                if arrival is None:
                    if known is not None:
                        del self._arrivals[key]
                        self._uncount(known)
                    continue
                if known is not None:
                    continue                # an update: when and where it arrived does not change
                entry = (hour_key(arrival[0]), arrival[1])
                if entry[0] >= self._oldest:
                    self._arrivals[key] = entry
                    self._counts[entry] += 1

    def per_account(self, accounts: Iterable[str] | None = None) -> dict[str, tuple[int, ...]]:
        """account -> arrivals per hour, oldest hour first (:data:`HOURS` numbers). Every
        account of ``accounts`` is there (zeros when quiet); None: the accounts with arrivals."""
        hours = window_hours(self.clock())
        with self._lock:
            self._prune(hours[0])
            seen = {account for _, account in self._counts}
            wanted = list(accounts) if accounts is not None else sorted(seen)
            return {account: tuple(self._counts.get((hour, account), 0) for hour in hours) for account in wanted}

    def _prune(self, oldest: str) -> None:
        if self._arrivals is None:
            since = oldest + ":00:00+00:00"
            self._arrivals = {key: (hour_key(created), account)
                              for key, (created, account) in self.index.arrivals_since(since).items()}
            self._counts = Counter(self._arrivals.values())
        elif oldest > self._oldest:
            gone = [key for key, (hour, _) in self._arrivals.items() if hour < oldest]
            for key in gone:
                self._uncount(self._arrivals.pop(key))
        self._oldest = oldest

    def _uncount(self, entry: tuple[str, str]) -> None:
        self._counts[entry] -= 1
        if self._counts[entry] <= 0:
            del self._counts[entry]
