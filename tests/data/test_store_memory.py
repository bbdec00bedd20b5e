"""What a written record costs in memory: about its JSON size, however it got there.

A long-running process (the worker, the wallboard) keeps every record it writes
or reads from another process's journal; orjson hands back its write buffer at
the size it grew to (64 KB for a 5 KB record), which the store must not keep.
"""
from __future__ import annotations

import gc
import tracemalloc

import orjson

from data import CollectionSpec, Store

RECORDS = 200
TEXT = "When does my order ship? I have been waiting for two weeks now. " * 80   # ~5 KB


def test_a_written_record_costs_about_its_json_size(tmp_path):
    store = Store.open(tmp_path / "store", [CollectionSpec("inbox")])
    try:
        size = len(orjson.dumps({"text": TEXT, "n": 0, "_key": "k-000", "_v": 1}))
        gc.collect()
        tracemalloc.start()
        before = tracemalloc.take_snapshot()
        for n in range(RECORDS):
            store.insert("inbox", f"k-{n:03d}", {"text": TEXT, "n": n}, actor="test")
        gc.collect()
        after = tracemalloc.take_snapshot()
        tracemalloc.stop()
        kept = sum(stat.size_diff for stat in after.compare_to(before, "filename"))
        per_record = kept / RECORDS
        assert per_record < 2 * size, f"{per_record:.0f} bytes kept per record of {size} bytes of JSON"
    finally:
        store.close()
