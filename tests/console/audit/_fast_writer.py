"""Child process for the contention test: audited changes as fast as it can,
for SECONDS, on the store in DIR; prints "started" first and its count at the end."""
from __future__ import annotations

import sys
import time
from datetime import datetime, timezone

from console.audit import AUDIT_COLLECTIONS, AuditNote, AuditTrail
from data import CollectionSpec, Store

directory, seconds = sys.argv[1], float(sys.argv[2])
store = Store.open(directory, [*AUDIT_COLLECTIONS, CollectionSpec("things")])
trail = AuditTrail(store, lambda: datetime.now(timezone.utc))
print("started", flush=True)
count, end = 0, time.monotonic() + seconds
while time.monotonic() < end:
    count += 1
    trail.apply("worker", lambda tx, n=count: (tx.insert("things", f"fast-{n}", {"n": n}),
                                               AuditNote("thing.bump", "things/fast", f"n={n}"))[1])
print(count, flush=True)
store.close()
