"""The job runner: jobs run when due and in turn, one job's failure never stops
the others, a failing job is backed off and recovers, and the loop stops
cleanly, closing what the jobs shared."""

from __future__ import annotations

import asyncio
import threading
from datetime import timedelta

import pytest

from console.worker import (
    JOB_HEALTH,
    MAX_BACKOFF,
    CompactStore,
    JobRunner,
    WorkerLock,
    read_job_health,
    retry_delay,
)
from data import StoreError
from tests.console.worker.conftest import ScriptedJob

FIVE_S = timedelta(seconds=5)


def names(outcomes):
    return [outcome.name for outcome in outcomes]


def test_jobs_run_in_turn_each_on_its_interval(store, clock):
    fast, slow = ScriptedJob("fast"), ScriptedJob("slow", timedelta(seconds=30))
    runner = JobRunner(store, [fast, slow], clock=clock)
    assert names(asyncio.run(runner.run_due())) == ["fast", "slow"]  # everything at start
    assert asyncio.run(runner.run_due()) == []                          # nothing due yet
    for _ in range(5):
        clock.advance(seconds=5)
        assert names(asyncio.run(runner.run_due())) == ["fast"]
    clock.advance(seconds=5)
    assert names(asyncio.run(runner.run_due())) == ["fast", "slow"]
    assert (len(fast.runs), len(slow.runs)) == (7, 2)


def test_a_failing_job_does_not_stop_the_others_and_is_backed_off_until_it_recovers(store, clock):
    sync, replies = ScriptedJob("sync"), ScriptedJob("replies")
    sync.error = RuntimeError("platform client broke")
    runner = JobRunner(store, [sync, replies], clock=clock)

    outcomes = asyncio.run(runner.run_due())
    assert [(o.name, o.ok) for o in outcomes] == [("sync", False), ("replies", True)]
    assert outcomes[0].report == "RuntimeError: platform client broke"
    status = runner.status(outcomes)
    assert status.state == "error" and status.failing == ("sync",)
    assert status.detail == "sync failing: RuntimeError: platform client broke"

    # Backed off: twice its interval after one failure, four times after two.
    clock.advance(seconds=5)
    assert names(asyncio.run(runner.run_due())) == ["replies"]
    clock.advance(seconds=5)
    assert names(asyncio.run(runner.run_due())) == ["sync", "replies"]
    for _ in range(3):
        clock.advance(seconds=5)
        assert names(asyncio.run(runner.run_due())) == ["replies"]
    sync.error = None
    clock.advance(seconds=5)
    outcomes = asyncio.run(runner.run_due())
    assert [(o.name, o.ok) for o in outcomes] == [("sync", True), ("replies", True)]

    # Recovered: back on its interval, the streak over, the last error kept for the record.
    health = {h.name: h for h in runner.health()}["sync"]
    assert not health.failing and health.failing_since is None
    assert health.last_success == clock() and health.last_error == "RuntimeError: platform client broke"
    assert runner.status(outcomes).state == "running" and runner.status(outcomes).failing == ()
    clock.advance(seconds=5)
    assert names(asyncio.run(runner.run_due())) == ["sync", "replies"]


class StuckJob(ScriptedJob):
    async def run(self, now):
        self.runs.append(now)
        await asyncio.sleep(3600)


def test_a_stuck_job_is_stopped_and_the_others_still_run(store, clock):
    stuck, replies = StuckJob("sync"), ScriptedJob("replies")
    runner = JobRunner(store, [stuck, replies], clock=clock, run_timeout=timedelta(seconds=0.05))
    outcomes = asyncio.run(runner.run_due())
    assert [(o.name, o.ok) for o in outcomes] == [("sync", False), ("replies", True)]
    assert outcomes[0].report == "did not finish within 0 s; stopped it"
    assert runner.health()[0].failing


def test_backoff_doubles_up_to_a_cap_and_never_below_the_interval():
    assert retry_delay(FIVE_S, 1) == timedelta(seconds=10)
    assert retry_delay(FIVE_S, 3) == timedelta(seconds=40)
    assert retry_delay(FIVE_S, 50) == MAX_BACKOFF
    assert retry_delay(timedelta(hours=1), 4) == timedelta(hours=1)


def test_errors_of_our_own_kinds_read_as_they_are(store, clock):
    job = ScriptedJob("compact")
    job.error = StoreError("could not write journal-3.jsonl: disk full")
    outcome = asyncio.run(JobRunner(store, [job], clock=clock).run_all())[0]
    assert outcome.report == "could not write journal-3.jsonl: disk full"


def test_run_all_runs_every_job_whatever_its_schedule(store, clock):
    jobs = [ScriptedJob("a"), ScriptedJob("b", timedelta(hours=1))]
    runner = JobRunner(store, jobs, clock=clock)
    asyncio.run(runner.run_all())
    assert [o.report for o in asyncio.run(runner.run_all())] == ["a run 2", "b run 2"]


def test_two_jobs_may_not_share_a_name(store, clock):
    with pytest.raises(ValueError, match="share a name"):
        JobRunner(store, [ScriptedJob("sync"), ScriptedJob("sync")], clock=clock)


def test_a_restarted_worker_keeps_the_record_and_runs_everything_at_once(store, clock):
    job = ScriptedJob("sync")
    asyncio.run(JobRunner(store, [job], clock=clock).run_due())
    started = clock()
    job.error = RuntimeError("boom")
    clock.advance(seconds=5)
    asyncio.run(JobRunner(store, [job], clock=clock).run_due())  # a second process, later
    clock.advance(seconds=1)
    again = JobRunner(store, [job], clock=clock)
    assert names(asyncio.run(again.run_due())) == ["sync"]  # not waiting for the stored next run
    health = read_job_health(store)["sync"]
    assert health.last_success == started and health.failures == 2
    assert health.failing_since == started + timedelta(seconds=5)


def test_records_of_jobs_no_longer_run_are_dropped(store, clock):
    asyncio.run(JobRunner(store, [ScriptedJob("old-name"), ScriptedJob("sync")], clock=clock).run_all())
    asyncio.run(JobRunner(store, [ScriptedJob("sync")], clock=clock).run_all())
    assert store.keys(JOB_HEALTH) == ["sync"]


def test_the_compaction_job_compacts_only_a_grown_journal(store, clock):
    job = CompactStore(store, max_journal_bytes=2000)
    assert "nothing to do" in asyncio.run(job.run(clock()))
    generation = store.stats()["generation"]
    for n in range(40):
        store.replace(JOB_HEALTH, f"filler-{n}", {"report": "x" * 40}, expected_version=None, actor="test")
    assert asyncio.run(job.run(clock())) == "compacted the store"
    assert store.stats()["generation"] == generation + 1


class ClosingResource:
    closed = 0

    async def aclose(self):
        self.closed += 1


def test_the_loop_runs_until_stopped_then_closes_and_releases_the_lock(store, clock, tmp_path):
    job, shared = ScriptedJob("sync"), ClosingResource()
    runner = JobRunner(store, [job], clock=clock, resources=[shared])
    lock, stop, statuses = WorkerLock(tmp_path / "worker.lock"), threading.Event(), []

    def on_status(status):
        statuses.append(status)
        if status.state == "running":
            stop.set()  # after the first pass

    runner.run_forever(lock, stop, on_status)
    assert [s.state for s in statuses] == ["starting", "running", "stopped"]
    assert statuses[1].detail == "sync: sync run 1" and statuses[1].last_sync_at == clock()
    assert shared.closed == 1 and lock.holder() is None


def test_the_loop_does_nothing_while_another_worker_holds_the_lock(store, clock, tmp_path):
    other = WorkerLock(tmp_path / "worker.lock")
    assert other.acquire()
    job, statuses = ScriptedJob("sync"), []
    JobRunner(store, [job], clock=clock).run_forever(WorkerLock(tmp_path / "worker.lock"), threading.Event(),
                                                      statuses.append)
    assert [s.state for s in statuses] == ["external"] and "pid" in statuses[0].detail
    assert job.runs == []
    other.release()
