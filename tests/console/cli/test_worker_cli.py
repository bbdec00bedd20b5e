"""``socops worker --once`` and ``socops doctor`` on the worker's jobs: one line
per job, exit 1 when a job failed, overdue jobs flagged in words."""

from __future__ import annotations

import pytest

from console.cli.main import main
from console.paths import workspace_paths
from console.posts import ApprovalService
from console.worker import JOB_HEALTH, WorkerLock
from console.workspace import Workspace
from tests.console.identity_fixtures import cli_clock, memory_keyring  # noqa: F401

JOBS = ["sync", "replies", "snoozes", "expiry", "publishing", "compact"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def job_lines(out: str) -> dict[str, str]:
    """``name -> the rest of its line`` for the lines that start with a job's name."""
    rows = {}
    for line in out.splitlines():
        name, _, rest = line.partition(" ")
        if name in JOBS:
            rows[name] = rest.strip()
    return rows


@pytest.fixture
def other_worker():
    """A worker running in another process (it holds the lock) while the test needs it."""
    paths = workspace_paths()
    paths.ensure()
    lock = WorkerLock(paths.worker_lock)
    yield lock
    lock.release()


def test_once_runs_every_job_and_prints_a_line_each(capsys, cli_clock, memory_keyring):
    code, out, err = run(capsys, "worker", "--once")
    assert code == 0, err
    lines = out.splitlines()
    assert [line.split()[0] for line in lines] == JOBS
    rows = job_lines(out)
    assert rows["sync"].startswith("fetched ") and ", new " in rows["sync"]
    assert rows["replies"] == "sent 0, failed 0"
    assert rows["snoozes"] == "woke 0"
    assert rows["expiry"] == "none due"
    assert "nothing to do" in rows["compact"]


def test_once_exits_1_when_a_job_failed_and_still_runs_the_others(capsys, cli_clock, memory_keyring,
                                                                   monkeypatch):
    def broken(self):
        raise RuntimeError("expiry exploded")

    monkeypatch.setattr(ApprovalService, "expire_due", broken)
    code, out, _ = run(capsys, "worker", "--once")
    assert code == 1
    rows = job_lines(out)
    assert rows["expiry"] == "FAILED: RuntimeError: expiry exploded"
    assert rows["compact"].startswith("journal under") and rows["sync"].startswith("fetched")
    assert "1 job failed (expiry)" in out and "run `socops worker --once` again" in out


def test_once_refuses_while_another_worker_runs(capsys, cli_clock, other_worker):
    assert other_worker.acquire()
    code, out, err = run(capsys, "worker", "--once")
    assert code == 1 and out == ""
    assert "another worker is running (pid" in err and "leave the work to it" in err


def test_doctor_lists_the_jobs_with_last_success_and_next_run(capsys, cli_clock, memory_keyring, other_worker):
    code, out, _ = run(capsys, "doctor")
    assert "            sync every 5 s: never run" in out  # no worker has run yet: not a problem
    assert run(capsys, "worker", "--once")[0] == 0
    cli_clock.advance(seconds=3)
    assert other_worker.acquire()
    code, out, _ = run(capsys, "doctor")
    assert "            sync every 5 s: last success 3 s ago, next run in 2 s" in out
    assert "            expiry every 30 s: last success 3 s ago, next run in 27 s" in out
    assert "            compact every 60 s: last success 3 s ago, next run in 57 s" in out
    assert "overdue" not in out
    assert code == 0, out


def test_doctor_flags_a_job_that_has_not_run_for_three_intervals(capsys, cli_clock, memory_keyring, other_worker):
    assert run(capsys, "worker", "--once")[0] == 0
    assert other_worker.acquire()
    cli_clock.advance(minutes=2)
    code, out, _ = run(capsys, "doctor")
    assert code == 0 and "overdue" not in out  # within two minutes: the record may just be old
    cli_clock.advance(minutes=10)
    code, out, _ = run(capsys, "doctor")
    assert code == 1
    assert "  overdue   sync has not run for 12 min" in out
    assert "  overdue   compact has not run for 12 min" in out
    assert "restart the worker if it is stuck" in out
    assert "  overdue   publishing has not run for 12 min" in out
    assert "6 problems found" in out      # one per job


def test_doctor_flags_a_job_that_keeps_failing(capsys, cli_clock, memory_keyring, monkeypatch, other_worker):
    def broken(self):
        raise RuntimeError("expiry exploded")

    monkeypatch.setattr(ApprovalService, "expire_due", broken)
    for _ in range(3):
        run(capsys, "worker", "--once")
        cli_clock.advance(seconds=30)
    assert other_worker.acquire()
    code, out, _ = run(capsys, "doctor")
    assert ("            expiry every 30 s: last success never, failed 3 times in a row "
            "(RuntimeError: expiry exploded)") in out
    assert "overdue" not in out  # failing for 90 s: not yet for three intervals
    cli_clock.advance(seconds=90)
    code, out, _ = run(capsys, "doctor")
    assert "  overdue   expiry has been failing for 3 min: RuntimeError: expiry exploded" in out
    assert code == 1


def test_doctor_does_not_flag_jobs_while_no_worker_runs(capsys, cli_clock, memory_keyring):
    assert run(capsys, "worker", "--once")[0] == 0
    cli_clock.advance(hours=3)
    code, out, _ = run(capsys, "doctor")
    assert "worker      not running" in out and "sync every 5 s: last success 3 h ago" in out
    assert "overdue" not in out and code == 0


def test_doctor_flags_a_job_the_running_worker_never_ran(capsys, cli_clock, memory_keyring, other_worker):
    """A worker of an older socops, say, that does not know a job yet."""
    assert run(capsys, "worker", "--once")[0] == 0
    with Workspace.open(workspace_paths(), clock=cli_clock) as workspace:
        workspace.store.delete(JOB_HEALTH, "compact", expected_version=None, actor="test")
    assert other_worker.acquire()
    code, out, _ = run(capsys, "doctor")
    assert "            compact every 60 s: never run" in out
    assert "  overdue   compact has never run: the running worker may be an older socops; restart it" in out
    assert code == 1
