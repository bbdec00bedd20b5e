"""The worker: the one process per workspace that talks to the platforms on
its own (sync, send, publish) and runs the timed jobs.

- ``lock.py``: :class:`WorkerLock`, so that exactly one worker runs.
- ``status.py``: :class:`WorkerStatus`, what it is doing, for the status bar.
"""

from console.worker.lock import WorkerLock
from console.worker.status import WorkerStatus

__all__ = ["WorkerLock", "WorkerStatus"]
