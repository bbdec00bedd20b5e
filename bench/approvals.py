"""Approval queue benchmark: opening the queue with N posts in the store.

    python -m bench.approvals --posts 10000

Fills a temporary workspace with N posts (mixed statuses, routes, targets and
authors, as a year of a busy team's posts looks; written straight into the
store in large transactions, with a small team of real console users), closes
it, then in fresh processes (``--runs`` of them) measures:

* ``open_ms``: opening the workspace (store, services, governance);
* ``queue_open_ms``: the first ``ApprovalService.queue_ids`` for a manager plus
  building the first screenful of rows (the first 20 posts decoded) — the
  issue's target is <= 100 ms;
* ``queue_ids_ms`` (the ids alone), ``queue_warm_ms`` (a second call) and
  ``queue_all_ms`` (decoding every post of the queue, not just a screenful).

Prints one JSON object with the medians, every run, and the targets.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

SCREENFUL = 20
TARGET_QUEUE_MS = 100
EDITORS = [f"editor{n}" for n in range(10)]
MANAGERS = ["mia", "max", "mo"]
LEGAL = ["lena", "luis"]
# Status mix of a store a year old: most posts are long decided.
STATUSES = [("approved", 40), ("expired", 12), ("rejected", 5), ("draft", 13), ("changes_requested", 5),
            ("in_review", 25)]
TEXTS = ["Autumn walks start Saturday at the harbour 🍂", "Our winter sale starts Monday #ad",
         "New waterproof jacket, tested in the Alps", "¡Nuevas rutas de senderismo este fin de semana!",
         "秋の新作ジャケットが入荷しました", "Meet the team behind the Northwind trail guides"]


@dataclass(frozen=True)
class BenchActor:
    """A manager acting from an already open session (login has its own benchmark)."""

    name: str

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        return None

    def scope(self):
        from console.permissions import Scope
        return Scope()


def post_record(n: int, rng: random.Random, now: datetime, accounts: list[str], routes) -> dict:
    from console.posts import history_entry, revision_to_dict, route_to_dict
    from console.records import format_time

    status = rng.choices([s for s, _ in STATUSES], [w for _, w in STATUSES])[0]
    targets = rng.sample(accounts, rng.choice((1, 1, 1, 2, 3)))
    author = rng.choice(EDITORS)
    created = now - timedelta(days=rng.uniform(0, 365))
    if status in ("in_review", "draft", "changes_requested"):
        proposed = now + timedelta(hours=rng.uniform(1, 24 * 21))
    else:
        proposed = created + timedelta(days=rng.uniform(0.5, 7))
    content = {"text": rng.choice(TEXTS) + f" ({n})", "variants": {}, "tags": rng.choice(([], ["promo"], ["walks"])),
               "assets": [], "targets": targets}
    route = rng.choice(routes)
    stage = rng.randrange(len(route.stages)) if status == "in_review" else 0
    approvals = [{"stage": i, "by": rng.choice(MANAGERS if s.role == "manager" else LEGAL), "at": format_time(created),
                  "revision": 1, "note": ""} for i, s in enumerate(route.stages)
                 if i < stage or status == "approved"]
    return {**content, "author": author, "proposed_at": format_time(proposed), "status": status, "revision": 1,
            "revisions": [revision_to_dict(1, content, author, created)], "authors": [author],
            "risk": rng.choice(("low", "low", "medium", "high")), "risk_reasons": [],
            "route": None if status == "draft" else route_to_dict(route), "stage": stage,
            "approvals": approvals, "past_approvals": [], "acknowledgements": [],
            "history": [history_entry(created, author, "draft"), history_entry(created, author, "submit")],
            "findings": [], "approved_at": format_time(created) if status == "approved" else None,
            "created_at": format_time(created)}


def fill(home: Path, count: int) -> float:
    from console.permissions import SystemActor
    from console.paths import workspace_paths
    from console.permissions import PERMISSIONS
    from console.posts import POSTS
    from console.workspace import Workspace

    started = time.perf_counter()
    with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)})) as workspace:
        workspace.users.bootstrap_owner("olivia", "Olivia Owner")
        admin = SystemActor("bench", frozenset(PERMISSIONS))
        for names, role in ((EDITORS, "editor"), (MANAGERS, "manager"), (LEGAL, "legal")):
            for name in names:
                workspace.users.add(admin, name, role)
        rng = random.Random(5)
        now = workspace.clock()
        accounts = [a.account_id for a in workspace.accounts]
        routes = workspace.governance.content.approval.routes
        for start in range(0, count, 2_000):
            with workspace.store.transaction(actor="bench") as tx:
                for n in range(start, min(start + 2_000, count)):
                    tx.insert(POSTS, f"p-{n:06x}", post_record(n, rng, now, accounts, routes))
        workspace.store.compact()
    return time.perf_counter() - started


def child(home: str) -> None:
    """One fresh process: open the workspace, then open the queue."""
    from console.paths import workspace_paths
    from console.workspace import Workspace

    started = time.perf_counter()
    workspace = Workspace.open(workspace_paths({"SOCOPS_HOME": home}))
    opened = time.perf_counter()
    actor = BenchActor("mia")
    ids = workspace.approvals.queue_ids(actor)
    listed = time.perf_counter()
    rows = [workspace.posts.get(key) for key in ids[:SCREENFUL]]
    shown = time.perf_counter()
    workspace.approvals.queue_ids(actor)
    warm = time.perf_counter()
    everything = workspace.approvals.queue(actor)
    done = time.perf_counter()
    workspace.close()
    print(json.dumps({"open_ms": (opened - started) * 1e3, "queue_ids_ms": (listed - opened) * 1e3,
                      "queue_open_ms": (shown - opened) * 1e3, "queue_warm_ms": (warm - shown) * 1e3,
                      "queue_all_ms": (done - warm) * 1e3, "queue_length": len(ids), "rows": len(rows),
                      "decoded_all": len(everything)}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5, help="fresh processes to measure in")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    with tempfile.TemporaryDirectory(prefix="socops-approvals-bench-") as scratch:
        home = Path(scratch) / "home"
        fill_s = fill(home, args.posts)
        env = {**os.environ, "SOCOPS_HOME": str(home)}
        runs = []
        for _ in range(args.runs):
            out = subprocess.run([sys.executable, "-m", "bench.approvals", "--child", str(home)], env=env,
                                 check=True, capture_output=True, text=True).stdout
            runs.append(json.loads(out))
    names = ("open_ms", "queue_open_ms", "queue_ids_ms", "queue_warm_ms", "queue_all_ms")
    report = {
        "posts": args.posts, "fill_s": round(fill_s, 2),
        "queue_length": runs[0]["queue_length"], "screenful": SCREENFUL,
        **{name: round(statistics.median(r[name] for r in runs), 1) for name in names},
        "runs": {name: [round(r[name], 1) for r in runs] for name in names},
        "targets": {"queue_open_ms": TARGET_QUEUE_MS},
        "queue_open_within_target": statistics.median(r["queue_open_ms"] for r in runs) <= TARGET_QUEUE_MS,
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
