"""The freeze against the publisher, 200 times: once a freeze returns, no post is
claimed for publishing, and every post already claimed is named in its answer.

Each round puts posts due now on the sandbox's three accounts, lets the
worker's publishing job (in a thread, on the real clock, sending to the
sandbox platform) claim and send them, and freezes at a random moment. The
audit trail orders every commit (its chain is compare-and-set), so each
round checks: no claim committed after the freeze's; every claim committed
before it whose outcome came after it is named in the freeze's answer, and
only claims committed before it are; no target's ``claimed_at`` is later
than the freeze's time. Then the same with the worker in another process.

Without the publishing gate (the claim's compare-and-set) both fail: about
one round in three has a claim committed after the freeze returned.
"""

from __future__ import annotations

import asyncio
import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path

from console.crisis import FreezeReport
from console.governance import GOVERNANCE_FILE
from console.paths import workspace_paths
from console.permissions import PERMISSIONS, SystemActor
from console.publishing import FINAL, PENDING
from console.workspace import Workspace
from tests.actors import RoleActor
from tests.console.crisis.crisis_fixtures import EN, ES, JA, crisis_governance

ROUNDS = 200
#: With the worker in another process (the same gate, across processes); fewer, to keep the suite short.
PROCESS_ROUNDS = 100
POSTS_PER_ROUND = 2
ROOT = Path(__file__).resolve().parents[3]
#: One text every account takes (each one's required hashtag is in it).
TEXT = "Trail notes {n}: the Ridgeline rain jacket is back in every size. #NorthwindLatAm #ノースウィンド"


class Worker(threading.Thread):
    """The publishing job, round after round, as the worker runs it (its own event loop)."""

    def __init__(self, workspace: Workspace) -> None:
        super().__init__(daemon=True)
        self.workspace = workspace
        self.stop = threading.Event()
        self.error: BaseException | None = None

    def run(self) -> None:
        async def loop() -> None:
            adapters = self.workspace.make_account_adapters()
            try:
                while not self.stop.is_set():
                    report = await self.workspace.publisher.run(await adapters.current(), self.workspace.clock())
                    # Like the runner, it waits when nothing was due (a millisecond, not its poll).
                    await asyncio.sleep(0 if report.summary() != "nothing due" else 0.001)
            finally:
                await adapters.aclose()

        try:
            asyncio.run(loop())
        except BaseException as error:      # reported by the test, not lost in the thread
            self.error = error


def round_posts(workspace: Workspace, editor, manager, first: int) -> list[str]:
    """Approved posts to the three accounts, not yet scheduled."""
    ids = []
    for n in range(first, first + POSTS_PER_ROUND):
        post = workspace.posts.draft(editor, [EN, ES, JA], TEXT.format(n=n),
                                     proposed_at=workspace.clock().replace(year=2099))
        workspace.posts.submit(editor, post.id)
        workspace.approvals.approve(manager, post.id)
        ids.append(post.id)
    return ids


def commits(workspace: Workspace, post_ids: set[str], after: int) -> tuple[dict, dict]:
    """Per (post, account): the audit seq of its claim, and of its outcome."""
    claims, outcomes = {}, {}
    for event in workspace.audit.events_after(after):
        target = event["target"]
        if not target.startswith("post/") or target[5:] not in post_ids:
            continue
        account = event["summary"].split(": ", 1)[0]       # "sandbox:northwind_en: attempt 1 by ..."
        key = (target[5:], account)
        if event["action"] == "post.publishing":
            claims[key] = event["seq"]
        elif event["action"] in ("post.published", "post.publish_failed", "post.needs_check"):
            outcomes[key] = event["seq"]
    return claims, outcomes


def open_race_workspace(home) -> Workspace:
    paths = workspace_paths({"SOCOPS_HOME": str(home)})
    paths.ensure()
    (paths.config_dir / GOVERNANCE_FILE).write_text(crisis_governance(), encoding="utf-8")
    workspace = Workspace.open(paths, operator="race")       # the real clock
    installer = SystemActor("installer", frozenset(PERMISSIONS))
    workspace.users.add(installer, "ed", "editor")
    workspace.users.add(installer, "mia", "manager")
    return workspace


def race(workspace: Workspace, rounds: int, seed: int) -> tuple[list[str], dict]:
    """Freeze against the running publisher ``rounds`` times; the violations, and counts."""
    rng = random.Random(seed)
    editor, manager = RoleActor("ed", "editor"), RoleActor("mia", "manager")
    violations: list[str] = []
    counts = {"raced": 0, "held": 0, "claimed": 0}
    for round_number in range(rounds):
        ids = round_posts(workspace, editor, manager, round_number * POSTS_PER_ROUND)
        head = workspace.audit.head()["seq"]
        for post_id in ids:
            workspace.scheduling.publish_now(manager, post_id)     # due now: the worker takes them
        time.sleep(rng.uniform(0, 0.02))
        report: FreezeReport = workspace.crisis.freeze(manager, f"race round {round_number}")
        freeze_seq = next(e["seq"] for e in workspace.audit.events_after(head)
                          if e["target"] == f"hold/{report.hold.id}" and e["action"] == "publishing.hold")
        # the worker settles this round: everything sent, or missed at its time
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            workspace.store.refresh()
            states = [t.state for post_id in ids for t in workspace.scheduling.get(post_id).targets.values()]
            if all(state in FINAL for state in states):
                break
            time.sleep(0.005)
        else:
            violations.append(f"round {round_number}: targets not final: {states}")
        claims, outcomes = commits(workspace, set(ids), head)
        late = [key for key, seq in claims.items() if seq > freeze_seq]
        before = {key for key, seq in claims.items() if seq < freeze_seq}
        under_way = {key for key in before if outcomes.get(key, freeze_seq + 1) > freeze_seq}
        named = {(t.post_id, t.account_id) for t in report.in_flight}
        if late:
            violations.append(f"round {round_number}: claimed after the freeze: {late}")
        # Every send under way is named; what is named was claimed before the freeze (one
        # that finished while the freeze was being written may be named too: it was under
        # way when the freeze looked).
        if not under_way <= named <= before:
            violations.append(f"round {round_number}: named {sorted(named)}, under way {sorted(under_way)}, "
                              f"claimed before {sorted(before)}")
        for post_id in ids:
            for account, target in workspace.scheduling.get(post_id).targets.items():
                if target.claimed_at and target.claimed_at > report.hold.at:
                    violations.append(f"round {round_number}: {post_id} on {account} claimed at "
                                      f"{target.claimed_at}, after the freeze at {report.hold.at}")
                if target.state in PENDING:
                    violations.append(f"round {round_number}: {post_id} on {account} still pending")
        counts["raced"] += bool(under_way)
        counts["claimed"] += bool(claims)
        counts["held"] += report.publish_now > 0
        workspace.holds.release(manager, report.hold.id, "next round")
    return violations, counts


# memory_keyring: the people's codes stay in the test (keyring's default backend chains whatever
# backends the test modules define, one of which refuses to store anything).
def test_no_post_is_claimed_after_a_freeze_returns_and_every_send_under_way_is_named(tmp_path, memory_keyring):
    with open_race_workspace(tmp_path / "race") as workspace:
        worker = Worker(workspace)
        worker.start()
        started = time.monotonic()
        try:
            violations, counts = race(workspace, ROUNDS, seed=12)
        finally:
            worker.stop.set()
            worker.join(timeout=30)
        seconds = time.monotonic() - started
    assert worker.error is None, repr(worker.error)
    assert violations == [], "\n".join(violations[:20])
    # The freeze really met the worker: mid-send in some rounds, before any claim in others.
    assert counts["raced"] >= 5 and counts["held"] >= 5 and counts["claimed"] >= 5, counts
    print(f"{ROUNDS} rounds in {seconds:.1f} s: {counts}")


def test_the_same_holds_with_the_worker_in_another_process(tmp_path, memory_keyring):
    """The gate is the store's compare-and-set, which holds across processes."""
    home = tmp_path / "race"
    stop = tmp_path / "stop"
    with open_race_workspace(home) as workspace:
        env = {**os.environ, "SOCOPS_HOME": str(home), "PYTHONPATH": str(ROOT)}
        child = subprocess.Popen([sys.executable, str(Path(__file__).with_name("_publisher_proc.py")), str(stop)],
                                 env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            assert child.stdout.readline().strip() == "ready"
            violations, counts = race(workspace, PROCESS_ROUNDS, seed=21)
        finally:
            stop.touch()
            child.wait(timeout=30)
    assert child.returncode == 0
    assert violations == [], "\n".join(violations[:20])
    assert counts["claimed"] >= 3, counts
    print(f"{PROCESS_ROUNDS} rounds with the worker in another process: {counts}")
