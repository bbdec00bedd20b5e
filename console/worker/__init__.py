"""The worker: the one process per workspace that talks to the platforms on
its own (sync, send, publish) and runs the timed jobs.

- ``jobs.py``: the :class:`Job` contract (a name, an interval, ``run(now)``)
  and the worker's own job, :class:`CompactStore`.
- ``runner.py``: :class:`JobRunner`: runs the jobs when due, one after
  another, isolates and backs off a failing one, and loops until stopped.
- ``health.py``: each job's health in the store (``worker_jobs``), written
  on change or once a minute; :class:`JobHealth` says when a job is overdue.
- ``lock.py``: :class:`WorkerLock`, so that exactly one worker runs.
- ``status.py``: :class:`WorkerStatus`, what it is doing, for the status bar.

The jobs themselves come from the domains (``console.inbox``,
``console.posts``); the workspace assembles them.
"""

from console.worker.health import (
    JOB_HEALTH,
    JOB_HEALTH_COLLECTIONS,
    WRITE_EVERY,
    HealthRecorder,
    JobHealth,
    read_job_health,
    span_text,
)
from console.worker.jobs import WORKER_ACTOR, CompactStore, Job
from console.worker.lock import WorkerLock
from console.worker.runner import MAX_BACKOFF, JobOutcome, JobRunner, retry_delay
from console.worker.status import WorkerStatus

__all__ = [
    "JOB_HEALTH", "JOB_HEALTH_COLLECTIONS", "MAX_BACKOFF", "WORKER_ACTOR", "WRITE_EVERY", "CompactStore",
    "HealthRecorder", "Job", "JobHealth", "JobOutcome", "JobRunner", "WorkerLock", "WorkerStatus",
    "read_job_health", "retry_delay", "span_text",
]
