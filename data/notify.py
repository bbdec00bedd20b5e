"""Delivery of Change lists to ``Store.on_change`` callbacks."""
from __future__ import annotations

import threading
from typing import Callable

from .schema import Change


class Notifier:
    """Queues changes (under the store's lock) and delivers them in order.

    Delivery never waits for another thread's delivery (that thread may be
    waiting on us, e.g. a UI callback posting to the UI thread): whoever is
    delivering loops until nothing is pending. So a callback may run on any
    thread that uses the store.
    """

    def __init__(self, lock: threading.RLock, warn: Callable[[str], None]) -> None:
        self._lock = lock                 # the store's state lock
        self._warn = warn
        self._busy = threading.RLock()
        self.callbacks: list[Callable[[list[Change]], None]] = []
        self.pending: list[Change] = []

    def add(self, callback: Callable[[list[Change]], None]) -> None:
        with self._lock:
            self.callbacks.append(callback)

    def remove(self, callback: Callable[[list[Change]], None]) -> None:
        """Stop calling ``callback`` (a delivery already under way may still call it once)."""
        with self._lock:
            if callback in self.callbacks:
                self.callbacks.remove(callback)

    def drain(self) -> None:
        while True:
            if not self._busy.acquire(blocking=False):
                return
            try:
                while True:
                    with self._lock:
                        batch, self.pending = self.pending, []
                        callbacks = list(self.callbacks)
                    if not batch:
                        break
                    for callback in callbacks:
                        try:
                            callback(batch)
                        except Exception as exc:  # a UI bug must not undo a write
                            self._warn(f"on_change callback {callback!r} failed: {exc!r}")
            finally:
                self._busy.release()
            with self._lock:
                if not self.pending:
                    return
