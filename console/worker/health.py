"""Each job's health, kept in the store so every process can show it.

The worker writes one record per job (collection ``worker_jobs``, keyed by
the job's name): when it last ran, last succeeded, last failed and with
what error, how many times in a row it failed, and when it runs next. The
status bar, ``socops doctor`` and the wallboard read them.

Writing on every pass would put a journal entry in the store every few
seconds for nothing, so :class:`HealthRecorder` writes a job's health at
once when its state changes (it failed, failed differently, or recovered)
and otherwise at most once a minute. Readers allow for that: a job is
overdue only when it has not succeeded for three times its interval *and*
for two of those minutes, so a healthy job is never flagged for a record
that is merely a minute old.

Not audited: this is the worker's telemetry, not a change anyone made.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.records import format_time, parse_time
from data import CollectionSpec, Store

JOB_HEALTH = "worker_jobs"
JOB_HEALTH_COLLECTIONS = (CollectionSpec(JOB_HEALTH, schema_version=1),)

#: A job's health is written when its state changes, else at most this often.
WRITE_EVERY = timedelta(minutes=1)
#: A job is overdue after this many intervals without success.
OVERDUE_INTERVALS = 3
#: Errors are cut to this length in the record (a platform may send a page).
MAX_ERROR_CHARS = 300


@dataclass(frozen=True)
class JobHealth:
    """How one job is doing; everything but the name and interval is None/empty
    until it has run."""

    name: str
    interval: timedelta
    last_run: datetime | None = None
    last_success: datetime | None = None
    last_error: str = ""
    last_error_at: datetime | None = None
    failing_since: datetime | None = None
    failures: int = 0       # in a row; 0 once it succeeds again
    next_run: datetime | None = None
    report: str = ""        # what its last successful run said

    @property
    def failing(self) -> bool:
        return self.failures > 0

    @property
    def overdue_after(self) -> timedelta:
        # Never less than two writes apart: the record may be a minute old.
        return max(self.interval * OVERDUE_INTERVALS, 2 * WRITE_EVERY)

    def problem(self, now: datetime) -> str:
        """What is wrong, in words ("publishing has not run for 12 min"), or "" when
        nothing is (or the job has never run: only its caller knows whether it should have)."""
        if self.last_run is None:
            return ""
        if self.failing and self.failing_since is not None and now - self.failing_since > self.overdue_after:
            return f"{self.name} has been failing for {span_text(now - self.failing_since)}: {self.last_error}"
        if now - self.last_run > self.overdue_after:
            return f"{self.name} has not run for {span_text(now - self.last_run)}"
        return ""

    def to_record(self) -> dict:
        return {
            "interval_s": self.interval.total_seconds(),
            "last_run_at": format_time(self.last_run),
            "last_success_at": format_time(self.last_success),
            "last_error": self.last_error[:MAX_ERROR_CHARS],
            "last_error_at": format_time(self.last_error_at),
            "failing_since": format_time(self.failing_since),
            "failures": self.failures,
            "next_run_at": format_time(self.next_run),
            "report": self.report[:MAX_ERROR_CHARS],
        }

    @classmethod
    def from_record(cls, record: dict) -> "JobHealth":
        return cls(
            name=record["_key"],
            interval=timedelta(seconds=float(record.get("interval_s") or 0)),
            last_run=parse_time(record.get("last_run_at")),
            last_success=parse_time(record.get("last_success_at")),
            last_error=str(record.get("last_error") or ""),
            last_error_at=parse_time(record.get("last_error_at")),
            failing_since=parse_time(record.get("failing_since")),
            failures=int(record.get("failures") or 0),
            next_run=parse_time(record.get("next_run_at")),
            report=str(record.get("report") or ""),
        )


def read_job_health(store: Store) -> dict[str, JobHealth]:
    """Every job's health as the worker last wrote it, by job name."""
    return {record["_key"]: JobHealth.from_record(record) for record in store.records(JOB_HEALTH)}


def span_text(span: timedelta) -> str:
    """A rough duration in words: ``40 s``, ``12 min``, ``5 h``, ``3 days``."""
    seconds = max(int(span.total_seconds()), 0)
    if seconds < 90:
        return f"{seconds} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    if seconds < 48 * 3600:
        return f"{round(seconds / 3600)} h"
    return f"{round(seconds / 86400)} days"


class HealthRecorder:
    """Writes the health of a worker's jobs: a job's record at once when its state
    changed, else when the last write of it is :data:`WRITE_EVERY` old."""

    def __init__(self, store: Store, job_names: Iterable[str], *, actor: str) -> None:
        self.store = store
        self.job_names = tuple(job_names)
        self.actor = actor
        #: job name -> (the state written, when)
        self._written: dict[str, tuple[tuple, datetime]] = {}
        self._first = True

    @staticmethod
    def _state(health: JobHealth) -> tuple:
        return (health.failing, health.last_error, health.interval)

    def due(self, health: JobHealth, now: datetime) -> bool:
        written = self._written.get(health.name)
        return written is None or written[0] != self._state(health) or now - written[1] >= WRITE_EVERY

    def record(self, healths: Iterable[JobHealth], now: datetime) -> int:
        """Write the records that are due, in one transaction; returns how many."""
        due = [health for health in healths if self.due(health, now)]
        # Jobs this worker does not run (renamed or removed since an older version
        # wrote them) would read as overdue for ever: the first write drops them.
        stale = [key for key in self.store.keys(JOB_HEALTH) if key not in self.job_names] if self._first else []
        if not due and not stale:
            return 0
        with self.store.transaction(actor=self.actor) as tx:
            for health in due:
                tx.replace(JOB_HEALTH, health.name, health.to_record(), expected_version=None)
            for key in stale:
                tx.delete(JOB_HEALTH, key, expected_version=None)
        self._first = False
        for health in due:
            self._written[health.name] = (self._state(health), now)
        return len(due)
