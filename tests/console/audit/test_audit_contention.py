"""A slow audited change is not starved by a process that appends as fast as it
can (a busy worker): audited writers take turns, so the person's change goes
through instead of failing as "too busy" after its retries."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

from console.audit import AUDIT_COLLECTIONS, AuditNote, AuditTrail
from data import CollectionSpec, Store

ROOT = Path(__file__).resolve().parents[3]
CHILD = Path(__file__).with_name("_fast_writer.py")


def test_a_slow_change_gets_its_turn_against_a_fast_writer(tmp_path):
    directory = tmp_path / "store"
    Store.open(directory, [*AUDIT_COLLECTIONS, CollectionSpec("things")]).close()
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    child = subprocess.Popen([sys.executable, str(CHILD), str(directory), "4"], env=env,
                             stdout=subprocess.PIPE, text=True)
    store = Store.open(directory, [*AUDIT_COLLECTIONS, CollectionSpec("things")])
    try:
        assert child.stdout.readline().strip() == "started"
        trail = AuditTrail(store, lambda: datetime.now(timezone.utc))

        def slow(tx, n):
            time.sleep(0.03)        # a policy check, say: long next to the other's appends
            tx.insert("things", f"slow-{n}", {"n": n})
            return AuditNote("thing.slow", f"things/slow-{n}", "slow")

        for n in range(20):
            trail.apply("person", lambda tx, n=n: slow(tx, n))
        fast = int(child.stdout.readline())
        assert child.wait(timeout=30) == 0
        store.refresh()
        assert fast > 20                                   # the other really was busy meanwhile
        assert trail.head()["seq"] == fast + 20            # every change of both is on the chain
    finally:
        child.kill()
        store.close()
