"""Ctrl+C during ``socops sandbox seed`` and ``socops inbox import``, for real:
a subprocess sent SIGINT.

Before, Ctrl+C left 21,939 items and no audit record, and the next seed added
a surprising count. Now the run stops after a whole batch, says exactly how
many items it wrote, audits that, and the next run continues after them.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time

import pyotp

from console.inbox import INBOX
from console.paths import workspace_paths
from console.workspace import Workspace


def socops(argv, env, **options):
    return subprocess.Popen([sys.executable, "-m", "console.cli.main", *argv], env=env, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options)


@contextlib.contextmanager
def stopped_at_the_end(process: subprocess.Popen):
    """Kill ``process`` if the test ends (or fails) while it still runs."""
    try:
        yield process
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()


def owner_workspace(tmp_path):
    """A workspace whose owner the CLI created: (its home, env acting as the owner, their TOTP)."""
    home = tmp_path / "interrupt-home"
    env = dict(os.environ, SOCOPS_HOME=str(home), SOCOPS_USER="olivia")
    env.pop("SOCOPS_TOTP", None)
    created = socops(["user", "add", "olivia", "--role", "owner"], env)
    out, err = created.communicate(timeout=60)
    assert created.returncode == 0, err
    return home, env, pyotp.TOTP(re.search(r"secret=([A-Z2-7]+)", out).group(1))


def test_ctrl_c_stops_a_seed_after_a_whole_batch_says_how_many_and_the_next_run_follows_on(tmp_path):
    home, env, totp = owner_workspace(tmp_path)
    run = socops(["sandbox", "seed", "--items", "50000"], dict(env, SOCOPS_TOTP=totp.now()))
    with stopped_at_the_end(run):
        progress = ""
        while "items written" not in progress:          # the first progress line: batches are being written
            progress = run.stderr.readline()
            assert progress or run.poll() is None, "the seed ended before it reported any progress"
        run.send_signal(signal.SIGINT)
        out, err = run.communicate(timeout=120)

    assert run.returncode == 130, err
    assert "stopping after the batch being written" in err and "Traceback" not in err
    stopped = re.fullmatch(r"interrupted: added (\d+) of 50000 sandbox items in [\d.]+ s, in whole batches, "
                           r"nothing half-written; the inbox holds (\d+)\. `socops sandbox seed --items (\d+)` "
                           r"adds the rest, numbered after these\n", out)
    assert stopped, out
    added, total, rest = (int(group) for group in stopped.groups())
    assert 10_000 <= added < 50_000 and added % 1_000 == 0      # whole batches of 1,000
    assert total == added and rest == 50_000 - added

    with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)})) as workspace:
        assert workspace.store.count(INBOX) == added
        seeded = [e for e in workspace.audit.events() if e["action"] == "inbox.seed"]
        assert seeded[-1]["actor"] == "olivia"
        assert seeded[-1]["summary"] == (f"seed 7: run interrupted (nothing half-written): {added} of 50000 "
                                         f"items added in {added // 1_000} batches")
        assert len(seeded) == added // 1_000 + 1

    follow_on = socops(["sandbox", "seed", "--items", "2000"], dict(env, SOCOPS_TOTP=totp.at(time.time() + 30)))
    out, err = follow_on.communicate(timeout=120)
    assert follow_on.returncode == 0, err
    assert out.startswith(f"added 2000 sandbox items (numbered after the {added} seeded before) in ")
    assert out.rstrip().endswith(f"the inbox holds {added + 2000}")


def test_ctrl_c_stops_an_import_after_a_whole_batch_and_says_where(tmp_path):
    home, env, totp = owner_workspace(tmp_path)

    def item(n: int) -> str:
        return json.dumps({"platform": "sandbox", "account_id": "sandbox:northwind_en", "remote_id": f"old-{n}",
                           "kind": "comment", "author_handle": "@ana", "text": f"message {n}",
                           "created_at": "2026-11-01T10:00:00Z"}) + "\n"

    run = socops(["inbox", "import", "-"], dict(env, SOCOPS_TOTP=totp.now()), stdin=subprocess.PIPE)
    with stopped_at_the_end(run), Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)})) as workspace:
        run.stdin.write("".join(item(n) for n in range(1, 1_501)))
        run.stdin.flush()
        deadline = time.monotonic() + 60
        while workspace.store.count(INBOX) < 1_000:           # the first batch is in: the import runs
            assert time.monotonic() < deadline and run.poll() is None, "the import wrote no batch"
            time.sleep(0.05)
            workspace.store.refresh()
        run.send_signal(signal.SIGINT)
        with contextlib.suppress(BrokenPipeError):     # it stops reading at the next line
            run.stdin.write("".join(item(n) for n in range(1_501, 3_001)))
        out, err = run.communicate(timeout=120)
        assert run.returncode == 130, err
        stopped = re.match(r"interrupted after line (\d+) \(nothing half-written\): imported (\d+), skipped 0 "
                           r"already present, 0 bad lines\nthe rest of - was not read; import it again to add "
                           r"the rest \(what is already imported is skipped\)\n\Z", out)
        assert stopped, out
        line, imported = int(stopped.group(1)), int(stopped.group(2))
        assert 1_000 <= line < 3_000 and imported == line
        workspace.store.refresh()
        assert workspace.store.count(INBOX) == imported
        last = [e for e in workspace.audit.events() if e["action"] == "inbox.import"][-1]
        assert last["actor"] == "olivia" and last["summary"].startswith(f"interrupted after line {line} ")
