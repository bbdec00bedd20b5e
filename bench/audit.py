"""Audit trail benchmark: what an audit event adds to an action, and verify speed.

    python -m bench.audit --events 1000000

Fills a temporary workspace's audit trail with N events (written in batches
through AuditTrail, so the chain is real), then measures and prints one JSON
object:

* ``action_ms``: median and p95 of an inbox action (assign) with its audit
  event, against the same durable store update without one (``update_ms``);
  the issue's target is that the audit adds <= 1 ms (median);
* ``verify_s``: ``AuditTrail.verify`` over all N events (target <= 10 s at 1M);
* ``open_s``: opening the workspace with N events in the trail.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--actions", type=int, default=300)
    args = parser.parse_args()

    from console.permissions import SystemActor
    from console.audit import AuditNote
    from console.inbox import record_from_inbound
    from console.paths import workspace_paths
    from console.permissions import PERMISSIONS
    from console.inbox import INBOX
    from console.records import format_time
    from console.workspace import Workspace
    from integrations.base import Author, InboundItem, ItemKind

    actor = SystemActor("bench", frozenset(PERMISSIONS))
    with tempfile.TemporaryDirectory(prefix="socops-audit-bench-") as scratch:
        paths = workspace_paths({"SOCOPS_HOME": str(Path(scratch) / "home")})
        started = time.perf_counter()
        with Workspace.open(paths) as workspace:
            # the people the timed actions assign to (assignees must be console users)
            workspace.users.bootstrap_owner("olivia", "Olivia Owner")
            for n in range(5):
                workspace.users.add(actor, f"agent{n}", "responder")
            batch = 5_000
            for start in range(0, args.events, batch):
                notes = [AuditNote("inbox.assign", f"inbox/sandbox:n-{n}", f"assignee - -> agent{n % 7}")
                         for n in range(start, min(start + batch, args.events))]
                workspace.audit.apply("bench", lambda tx, notes=notes: notes)
                workspace.store.maybe_compact()
            now = datetime.now(timezone.utc)
            item = InboundItem("sandbox", "sandbox:northwind_en", "bench-1", ItemKind.COMMENT, "t",
                               Author("a", "@a"), "hello", now)
            workspace.store.insert(INBOX, "sandbox:bench-1", record_from_inbound(
                item, received_at=format_time(now), sla=workspace.config.sla), actor="bench")
            workspace.store.insert(INBOX, "sandbox:bench-2", record_from_inbound(
                item, received_at=format_time(now), sla=workspace.config.sla), actor="bench")
        fill_s = time.perf_counter() - started

        started = time.perf_counter()
        workspace = Workspace.open(paths)
        open_s = time.perf_counter() - started
        with workspace:
            with_audit, without = [], []
            for n in range(args.actions):
                began = time.perf_counter()
                workspace.inbox.assign("sandbox:bench-1", f"agent{n % 5}", actor=actor)
                with_audit.append((time.perf_counter() - began) * 1000)
                record = workspace.store.get(INBOX, "sandbox:bench-2")
                began = time.perf_counter()
                workspace.store.update(INBOX, "sandbox:bench-2", {"assignee": f"agent{n % 5}"},
                                       expected_version=record["_v"], actor="bench")
                without.append((time.perf_counter() - began) * 1000)
            started = time.perf_counter()
            result = workspace.audit.verify(actor)
            verify_s = time.perf_counter() - started
    with_audit.sort()
    without.sort()
    print(json.dumps({
        "events": args.events,
        "fill_s": round(fill_s, 1),
        "open_s": round(open_s, 3),
        "action_ms": {"median": round(statistics.median(with_audit), 3),
                      "p95": round(with_audit[int(len(with_audit) * 0.95) - 1], 3)},
        "update_ms": {"median": round(statistics.median(without), 3),
                      "p95": round(without[int(len(without) * 0.95) - 1], 3)},
        "audit_added_ms_median": round(statistics.median(with_audit) - statistics.median(without), 3),
        "verify_s": round(verify_s, 2),
        "verify": result.describe(),
        "targets": {"audit_added_ms_median": 1.0, "verify_s_at_1M": 10.0},
    }, indent=2))


if __name__ == "__main__":
    main()
