"""Job health: written to the store only when a job's state changes or once a
minute, and read back as words that say which job is overdue."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from console.worker import JOB_HEALTH, JobHealth, JobRunner, read_job_health, span_text
from tests.conftest import START
from tests.console.worker.conftest import ScriptedJob

FIVE_S = timedelta(seconds=5)


@pytest.fixture
def health_writes(store):
    """The store writes that touched job health, as they happen."""
    writes = []

    def count(changes):
        if any(change.collection == JOB_HEALTH for change in changes):
            writes.append(changes)

    store.on_change(count)
    return writes


def every_five_seconds(runner, clock, seconds):
    for _ in range(seconds // 5):
        clock.advance(seconds=5)
        asyncio.run(runner.run_due())


def test_a_healthy_job_is_written_once_a_minute_not_every_pass(store, clock, health_writes):
    runner = JobRunner(store, [ScriptedJob("sync"), ScriptedJob("replies")], clock=clock)
    asyncio.run(runner.run_due())
    assert len(health_writes) == 1  # the first pass: both records, one write
    every_five_seconds(runner, clock, 55)
    assert len(health_writes) == 1  # eleven passes later, nothing new to say
    every_five_seconds(runner, clock, 5)
    assert len(health_writes) == 2  # a minute on: last run and success brought up to date
    every_five_seconds(runner, clock, 120)
    assert len(health_writes) == 4
    record = read_job_health(store)["sync"]
    assert record.last_success == clock() and record.next_run == clock() + FIVE_S


def test_a_change_of_state_is_written_at_once(store, clock, health_writes):
    job = ScriptedJob("sync")
    runner = JobRunner(store, [job], clock=clock)
    asyncio.run(runner.run_due())
    assert len(health_writes) == 1

    job.error = RuntimeError("timeout")
    every_five_seconds(runner, clock, 5)
    assert len(health_writes) == 2  # it failed: written now, not in a minute
    assert read_job_health(store)["sync"].last_error == "RuntimeError: timeout"

    every_five_seconds(runner, clock, 10)  # backed off to 10 s; fails the same way
    assert len(job.runs) == 3 and len(health_writes) == 2

    job.error = RuntimeError("connection refused")
    every_five_seconds(runner, clock, 20)  # a different error
    assert len(job.runs) == 4 and len(health_writes) == 3

    job.error = None
    every_five_seconds(runner, clock, 40)  # backed off to 40 s; then recovers
    assert len(job.runs) == 5 and len(health_writes) == 4
    record = read_job_health(store)["sync"]
    assert not record.failing and record.last_success == clock()


def test_a_job_is_overdue_after_three_intervals_without_success():
    job = JobHealth("publishing", timedelta(minutes=4), last_run=START, last_success=START)
    assert job.problem(START + timedelta(minutes=12)) == ""
    assert job.problem(START + timedelta(minutes=12, seconds=1)) == "publishing has not run for 12 min"


def test_a_failing_job_is_overdue_when_it_has_failed_for_three_intervals():
    job = JobHealth("sync", timedelta(minutes=1), last_run=START + timedelta(minutes=3, seconds=40),
                    last_success=START - timedelta(minutes=1), failing_since=START, failures=4,
                    last_error="server error 503")
    assert job.problem(START + timedelta(minutes=2)) == ""  # failing, but not for long yet
    assert job.problem(START + timedelta(minutes=4)) == "sync has been failing for 4 min: server error 503"


def test_a_fast_job_is_not_flagged_for_a_record_that_is_only_a_minute_old():
    """Health is written once a minute: a 5 s job's record may be that old while it is fine."""
    job = JobHealth("sync", FIVE_S, last_run=START, last_success=START)
    assert job.problem(START + timedelta(seconds=90)) == ""
    assert job.problem(START + timedelta(seconds=121)) == "sync has not run for 2 min"


def test_a_job_that_never_ran_is_for_its_caller_to_judge():
    assert JobHealth("publishing", FIVE_S).problem(START + timedelta(days=1)) == ""


@pytest.mark.parametrize("seconds, text", [
    (0, "0 s"), (40, "40 s"), (89, "89 s"), (90, "2 min"), (12 * 60, "12 min"),
    (5 * 3600, "5 h"), (3 * 86400, "3 days"), (-3, "0 s"),
])
def test_spans_read_as_words(seconds, text):
    assert span_text(timedelta(seconds=seconds)) == text


def test_a_record_reads_back_as_it_was_written(store, clock):
    job = JobHealth("sync", FIVE_S, last_run=START, last_success=START - FIVE_S, last_error="timeout",
                    last_error_at=START, failing_since=START, failures=1, next_run=START + FIVE_S * 2,
                    report="fetched 3, new 3")
    store.replace(JOB_HEALTH, "sync", job.to_record(), expected_version=None, actor="worker")
    assert read_job_health(store) == {"sync": job}
