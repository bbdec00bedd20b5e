"""The worker's loop: each job when it is due, one after another.

One job raising never stops the others: its error is logged and kept in its
health, and it waits longer after each failure in a row (twice its interval,
then four times, ... up to five minutes, or its interval if that is longer),
so a broken platform or a bug is not hammered every few seconds. A run that
takes longer than five minutes is stopped and counts as a failure. A success
puts it back on its interval.

Each pass starts by reading what other processes wrote (the TUI sessions
queue replies and snooze items), and ends by recording the jobs' health
(``health.py``), which writes only what changed or is a minute old.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Protocol

from console.errors import ConsoleError
from console.worker.health import HealthRecorder, JobHealth, read_job_health, span_text
from console.worker.jobs import WORKER_ACTOR, Job
from console.worker.lock import WorkerLock
from console.worker.status import WorkerStatus
from data import Store, StoreError
from integrations.base import AdapterError

log = logging.getLogger("socops.worker")

#: A failing job waits at most this long between tries (or its interval, if longer).
MAX_BACKOFF = timedelta(minutes=5)
#: A run that takes longer is stopped and counts as a failure, so that one
#: stuck job (a platform that never answers) cannot hold up all the others.
RUN_TIMEOUT = timedelta(minutes=5)
#: How often the loop looks for due jobs and for the signal to stop.
TICK_SECONDS = 0.1
#: How often the loop reads other processes' writes while no job runs, so a
#: job that wakes at a time of its own (a post scheduled from a console just
#: now) hears of it within a second.
REFRESH_SECONDS = 0.5
#: How long the loop waits after the store itself failed between jobs.
PAUSE_AFTER_STORE_ERROR_SECONDS = 5.0


class Closable(Protocol):
    async def aclose(self) -> None: ...


def retry_delay(interval: timedelta, failures: int) -> timedelta:
    """How long a job that failed ``failures`` times in a row waits before its next try."""
    return min(interval * (2 ** min(failures, 16)), max(interval, MAX_BACKOFF))


@dataclass(frozen=True)
class JobOutcome:
    """What one run of a job came to: its report, or the error it raised."""

    name: str
    ok: bool
    report: str


class JobRunner:
    """Runs ``jobs`` in turn, each on its interval, and records their health.

    ``resources`` (e.g. the platform adapters the jobs share) are closed when
    the runner stops, inside the event loop the jobs ran in."""

    def __init__(self, store: Store, jobs: Sequence[Job], *, clock: Callable[[], datetime],
                 resources: Iterable[Closable] = (), run_timeout: timedelta = RUN_TIMEOUT) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"two jobs share a name: {', '.join(sorted(names))}")
        self.store = store
        self.jobs = list(jobs)
        self.clock = clock
        self.resources = list(resources)
        self.run_timeout = run_timeout
        self.recorder = HealthRecorder(store, names, actor=WORKER_ACTOR)
        stored = read_job_health(store)
        # A restarted worker keeps what its predecessor knew (last success, a
        # failure streak) but runs every job at once.
        self._health: dict[str, JobHealth] = {
            job.name: replace(stored.get(job.name) or JobHealth(job.name, job.interval),
                              interval=job.interval, next_run=None)
            for job in self.jobs
        }
        #: When a pass last ran jobs (the status bar's "sync" time).
        self.last_pass_at: datetime | None = None

    # -- passes ------------------------------------------------------------------------
    def health(self) -> list[JobHealth]:
        """Each job's health as this runner knows it, in the order the jobs run."""
        return [self._health[job.name] for job in self.jobs]

    def due(self, now: datetime) -> list[Job]:
        """The jobs whose interval is up, or whose own next moment (``wakes_at``,
        for a job with work at set times, like publishing) has come."""
        return [job for job in self.jobs
                if self._health[job.name].next_run is None or self._health[job.name].next_run <= now
                or _wakes_by(job, now)]

    async def run_due(self) -> list[JobOutcome]:
        """Run the jobs that are due; nothing (and no store read) when none is."""
        due = self.due(self.clock())
        return await self._run(due) if due else []

    async def run_all(self) -> list[JobOutcome]:
        """Run every job once, now, whatever its schedule (``socops worker --once``)."""
        return await self._run(self.jobs)

    async def _run(self, jobs: Sequence[Job]) -> list[JobOutcome]:
        self.store.refresh()
        outcomes = [await self._run_job(job) for job in jobs]
        self.last_pass_at = self.clock()
        self.recorder.record(self.health(), self.last_pass_at)
        return outcomes

    async def _run_job(self, job: Job) -> JobOutcome:
        health = self._health[job.name]
        now = self.clock()
        deadline = asyncio.timeout(self.run_timeout.total_seconds())
        try:
            async with deadline:
                report = await job.run(now)
        except Exception as error:  # noqa: BLE001 - one job's failure must not stop the others
            if deadline.expired():
                text = f"did not finish within {span_text(self.run_timeout)}; stopped it"
                log.error("job %s %s", job.name, text)
            else:
                log.exception("job %s failed", job.name)
                text = _describe(error)
            failures = health.failures + 1
            self._health[job.name] = replace(
                health, last_run=now, last_error=text, last_error_at=now, failures=failures,
                failing_since=health.failing_since or now, next_run=now + retry_delay(job.interval, failures))
            return JobOutcome(job.name, False, text)
        self._health[job.name] = replace(
            health, last_run=now, last_success=now, failures=0, failing_since=None,
            next_run=now + job.interval, report=report)
        return JobOutcome(job.name, True, report)

    def status(self, outcomes: Sequence[JobOutcome] = ()) -> WorkerStatus:
        """The worker's state after a pass: "error" naming each failing job and its
        error while any fails, else "running" with the pass's reports."""
        failing = tuple(health.name for health in self.health() if health.failing)
        if failing:
            detail = "; ".join(f"{name} failing: {self._health[name].last_error}" for name in failing)
            return WorkerStatus("error", detail, self.last_pass_at, failing=failing)
        detail = "; ".join(f"{outcome.name}: {outcome.report}" for outcome in outcomes)
        return WorkerStatus("running", detail, self.last_pass_at)

    async def aclose(self) -> None:
        for resource in self.resources:
            try:
                await resource.aclose()
            except Exception:  # noqa: BLE001 - stopping goes on; the process is ending
                log.exception("closing %r failed", resource)

    # -- the loop ----------------------------------------------------------------------
    def run_forever(self, lock: WorkerLock, stop: threading.Event,
                    on_status: Callable[[WorkerStatus], None]) -> None:
        """Pass after pass until ``stop`` is set; returns at once if the lock is held elsewhere."""
        if not lock.acquire():
            on_status(WorkerStatus("external", f"worker run by {lock.holder() or 'another process'}"))
            return
        # The first pass can take a while (every account's backlog): say it has begun.
        on_status(WorkerStatus("starting", "running every job for the first time", self.last_pass_at))
        try:
            asyncio.run(self._loop(stop, on_status))
        finally:
            lock.release()
            on_status(WorkerStatus("stopped", "worker stopped", self.last_pass_at))

    async def _loop(self, stop: threading.Event, on_status: Callable[[WorkerStatus], None]) -> None:
        refreshed = 0.0
        loop = asyncio.get_running_loop()
        try:
            while not stop.is_set():
                try:
                    if loop.time() - refreshed >= REFRESH_SECONDS:
                        self.store.refresh()
                        refreshed = loop.time()
                    outcomes = await self.run_due()
                except Exception as error:  # noqa: BLE001 - reading the store or writing health failed
                    log.exception("the worker pass failed outside its jobs")
                    on_status(WorkerStatus("error", f"worker pass failed: {error}", self.last_pass_at))
                    await _pause(stop, PAUSE_AFTER_STORE_ERROR_SECONDS)
                    continue
                if outcomes:
                    on_status(self.status(outcomes))
                await _pause(stop, TICK_SECONDS)
        finally:
            await self.aclose()


def _wakes_by(job: Job, now: datetime) -> bool:
    wakes_at = getattr(job, "wakes_at", None)
    if wakes_at is None:
        return False
    moment = wakes_at()
    return moment is not None and moment <= now


def _describe(error: Exception) -> str:
    """The error in one line; an unexpected one (a bug) with its type, which its text alone may not say."""
    text = " ".join(str(error).split())
    if isinstance(error, (ConsoleError, StoreError, AdapterError)) and text:
        return text
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


async def _pause(stop: threading.Event, seconds: float) -> None:
    waited = 0.0
    while waited < seconds and not stop.is_set():
        await asyncio.sleep(min(TICK_SECONDS, seconds))
        waited += TICK_SECONDS
