"""``socops worker --once``: every job once, one line per job, exit 1 when a job failed."""

from __future__ import annotations

import pytest

from console.cli.main import main
from console.paths import workspace_paths
from console.posts import ApprovalService
from console.worker import WorkerLock
from tests.console.identity_fixtures import cli_clock, memory_keyring  # noqa: F401

JOBS = ["sync", "replies", "snoozes", "expiry", "compact"]


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
