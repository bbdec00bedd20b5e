"""What the worker is doing, as the status bar and ``socops doctor`` show it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True)
class WorkerStatus:
    """What the worker is doing, for the status bar and ``socops doctor``."""

    state: str  # starting, running, external, stopped, error
    detail: str = ""
    last_sync_at: datetime | None = None
    needs_reconnect: tuple[str, ...] = ()
    #: The jobs whose last run failed, or that are overdue, in the order they run.
    failing: tuple[str, ...] = ()
