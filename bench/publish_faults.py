"""Publishing exactly once under faults: N approved posts scheduled now on the
sandbox, a worker killed with ``kill -9`` at random moments and restarted, the
sandbox injecting timeouts after sending, 5xx, rate limits, slow answers and
crashes right after a send, until every target is final.

    python -m bench.publish_faults --posts 500

A temporary workspace gets two people (an editor who drafts and submits, a
manager who approves and schedules) and N posts, one target each, spread over
the three sandbox accounts, scheduled a few seconds ahead, through the
services (``workspace.posts``, ``workspace.approvals``,
``workspace.scheduling``). Then ``socops worker`` runs in a subprocess with
``SOCOPS_SANDBOX_FAULTS`` set; the bench kills it with SIGKILL after a random
0.5 to 4 s (the ``crash_after_send`` fault also ends it, right after a send:
a faithful kill -9 between sending and recording), and starts it again,
until every target is published, failed or needs check, or the time bound
is hit. By default the sandbox plays a platform without idempotency keys
(``idempotent:no``), where a second create makes a second post: the case
where sending twice would show.

It prints one JSON object: the platform's duplicates (posts beyond the first
for one idempotency key: must be 0), targets left without a final state (must
be 0), orphans (posts on the platform that no target records: must be 0),
needs-check targets whose post does exist, targets by state, kills,
restarts and time taken. ``tests/console/publishing/test_publish_faults.py``
runs the same thing, smaller.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: Faults per create request, as the sandbox reads them (see integrations/sandbox/faults.py).
DEFAULT_FAULTS = ("timeout_after_send:0.08,server_error:0.06,connect_error:0.02,rate_limit:0.04,slow:0.06,"
                  "crash_after_send:0.04,slow_seconds:0.3,rate_limit_seconds:2,idempotent:no")
#: The publishing rules of the run: nothing in the way of N posts at the same moment.
PUBLISHING_RULES = """[publishing]
min_spacing_minutes = 0
duplicate_days = 0
reapprove_on_reschedule = false
override_roles = ["owner", "admin"]
missed_after_minutes = 240
"""
TEXTS = {
    "en": "Trail notes {n}: the Ridgeline rain jacket is back in every size. See you out there!",
    "es": "Notas del sendero {n}: vuelve la chaqueta Ridgeline en todas las tallas. #NorthwindLatAm",
    "ja": "トレイル通信 {n}: Ridgelineレインジャケットが全サイズ再入荷しました。#ノースウィンド",
}
FINAL_STATES = ("published", "failed", "needs_check")


@dataclass
class Person:
    """Someone acting through the services with the permissions of a built-in role."""

    name: str
    role: str

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        from console.permissions import BUILTIN_ROLES, PERMISSIONS, PermissionDenied

        if permission not in BUILTIN_ROLES[self.role]:
            raise PermissionDenied(f"{self.name} ({self.role}) may not {PERMISSIONS[permission]}",
                                   permission=permission)

    def scope(self):
        from console.permissions import Scope

        return Scope()


@dataclass
class Outcome:
    """What a run came to."""

    targets: int = 0
    states: Counter = field(default_factory=Counter)
    duplicates: int = 0            # platform posts beyond the first for one (account, key)
    not_final: int = 0
    orphans: int = 0               # platform posts no published target records
    needs_check_with_post: int = 0
    platform_posts: int = 0
    create_requests: int = 0
    kills: int = 0
    crashes: int = 0               # the worker ended itself (crash_after_send)
    starts: int = 0
    seed_s: float = 0.0
    run_s: float = 0.0
    bound_hit: bool = False

    def as_dict(self) -> dict:
        return {"targets": self.targets, "duplicates": self.duplicates, "not_final": self.not_final,
                "orphans": self.orphans, "needs_check_with_post": self.needs_check_with_post,
                "states": dict(sorted(self.states.items())), "platform_posts": self.platform_posts,
                "create_requests": self.create_requests, "worker_starts": self.starts, "kills": self.kills,
                "crashes_after_send": self.crashes, "seed_s": round(self.seed_s, 1),
                "run_s": round(self.run_s, 1), "bound_hit": self.bound_hit}


def write_governance(paths) -> None:
    """The shipped governance file with the publishing rules of the run."""
    from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE

    head = EXAMPLE_GOVERNANCE.split("\n[publishing]\n", 1)[0]
    paths.config_dir.mkdir(parents=True, exist_ok=True)
    (paths.config_dir / GOVERNANCE_FILE).write_text(head + "\n" + PUBLISHING_RULES, encoding="utf-8")


def seed_posts(home: Path, count: int, *, ahead: timedelta = timedelta(seconds=3)) -> list[str]:
    """``count`` approved posts, one target each over the sandbox accounts, scheduled
    ``ahead`` from now; their ids."""
    from console.paths import workspace_paths
    from console.permissions import PERMISSIONS, SystemActor
    from console.publishing import ScheduleRequest
    from console.records import utc_now
    from console.workspace import Workspace

    paths = workspace_paths({"SOCOPS_HOME": str(home)})
    write_governance(paths)
    editor, manager = Person("ed", "editor"), Person("mia", "manager")
    with Workspace.open(paths, operator="bench") as workspace:
        workspace.users.bootstrap_owner("olivia", "Olivia Owner")
        admin = SystemActor("bench", frozenset(PERMISSIONS))
        workspace.users.add(admin, editor.name, editor.role)
        workspace.users.add(admin, manager.name, manager.role)
        accounts = [a for a in workspace.accounts if a.platform == "sandbox"]
        ids = []
        for n in range(count):
            account = accounts[n % len(accounts)]
            text = TEXTS.get(account.language, TEXTS["en"]).format(n=n)
            post = workspace.posts.draft(editor, [account.account_id], text,
                                         proposed_at=utc_now() + timedelta(days=1))
            workspace.posts.submit(editor, post.id)
            workspace.approvals.approve(manager, post.id)
            ids.append(post.id)
        # all scheduled together at the end, so none is due before the worker starts
        at = utc_now() + ahead
        for post_id in ids:
            workspace.scheduling.schedule(manager, post_id, ScheduleRequest(at=at))
    return ids


def target_states(workspace, ids: list[str]) -> dict[tuple[str, str], object]:
    """Every target of the posts, as the store says now: ``(post id, account id) -> TargetSchedule``."""
    workspace.store.refresh()
    found = {}
    for post_id in ids:
        schedule = workspace.scheduling.get(post_id)
        for account_id, target in (schedule.targets.items() if schedule else ()):
            found[(post_id, account_id)] = target
    return found


def start_worker(home: Path, faults: str, log) -> subprocess.Popen:
    env = {**os.environ, "SOCOPS_HOME": str(home), "SOCOPS_SANDBOX_FAULTS": faults,
           "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.Popen([sys.executable, "-m", "console.cli.main", "worker"], cwd=ROOT, env=env,
                            stdout=log, stderr=subprocess.STDOUT)


def run_until_final(home: Path, ids: list[str], *, faults: str, seed: int, bound_s: float,
                    kill_after: tuple[float, float] = (0.5, 4.0), log_path: Path | None = None) -> Outcome:
    """Start, kill and restart the worker until every target is final or ``bound_s`` passes."""
    from console.paths import workspace_paths
    from console.workspace import Workspace

    rng = random.Random(seed)
    outcome = Outcome(targets=len(ids))
    started = time.monotonic()
    log = open(log_path or os.devnull, "ab")
    try:
        with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)}), operator="bench") as workspace:
            while True:
                states = target_states(workspace, ids)
                if all(t.state in FINAL_STATES for t in states.values()):
                    break
                if time.monotonic() - started > bound_s:
                    outcome.bound_hit = True
                    break
                worker = start_worker(home, faults, log)
                outcome.starts += 1
                try:
                    worker.wait(timeout=rng.uniform(*kill_after))
                    outcome.crashes += worker.returncode == 137
                except subprocess.TimeoutExpired:
                    worker.kill()          # SIGKILL: kill -9, wherever it was
                    worker.wait()
                    outcome.kills += 1
        outcome.run_s = time.monotonic() - started
        count(home, ids, outcome)
    finally:
        log.close()
    return outcome


def count(home: Path, ids: list[str], outcome: Outcome) -> None:
    """Duplicates, orphans and states: the platform's posts against the store's targets."""
    from console.paths import workspace_paths
    from console.workspace import Workspace
    from integrations.sandbox import SandboxPlatform

    paths = workspace_paths({"SOCOPS_HOME": str(home)})
    platform = SandboxPlatform(paths.state_dir)
    posts = platform.posts()
    per_key = Counter((p.account_id, p.key) for p in posts)
    with Workspace.open(paths, operator="bench") as workspace:
        targets = target_states(workspace, ids)
    outcome.states = Counter(t.state for t in targets.values())
    outcome.not_final = sum(1 for t in targets.values() if t.state not in FINAL_STATES)
    outcome.duplicates = sum(n - 1 for n in per_key.values() if n > 1)
    outcome.platform_posts = len(posts)
    recorded = {t.remote_id for t in targets.values() if t.state == "published"}
    outcome.orphans = sum(1 for p in posts if p.remote_id not in recorded)
    outcome.needs_check_with_post = sum(1 for (_post, account), t in targets.items()
                                        if t.state == "needs_check" and per_key[(account, t.key)])
    outcome.create_requests = sum(platform.attempts(account, t.key) for (_post, account), t in targets.items())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=500, help="approved posts to publish (one target each)")
    parser.add_argument("--faults", default=DEFAULT_FAULTS, help="SOCOPS_SANDBOX_FAULTS for the worker")
    parser.add_argument("--seed", type=int, default=1, help="seeds the faults and the kill times")
    parser.add_argument("--bound", type=float, default=900.0, help="give up after this many seconds")
    parser.add_argument("--keep", action="store_true", help="keep the temporary workspace and the worker's log")
    args = parser.parse_args()
    faults = args.faults if "seed:" in args.faults else f"{args.faults},seed:{args.seed}"
    scratch = tempfile.mkdtemp(prefix="socops-publish-faults-")
    home = Path(scratch) / "home"
    began = time.monotonic()
    ids = seed_posts(home, args.posts)
    seeded = time.monotonic() - began
    outcome = run_until_final(home, ids, faults=faults, seed=args.seed, bound_s=args.bound,
                              log_path=Path(scratch) / "worker.log")
    outcome.seed_s = seeded
    report = {"posts": args.posts, "faults": faults, **outcome.as_dict(),
              "ok": outcome.duplicates == 0 and outcome.not_final == 0 and outcome.orphans == 0}
    if args.keep:
        report["workspace"] = scratch
    else:
        shutil.rmtree(scratch, ignore_errors=True)
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
