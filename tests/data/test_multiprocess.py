"""Several processes sharing one store: no lost update, prompt visibility,
and kill -9 at random moments never loses an acknowledged write."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from data import CollectionSpec, Store

HELPER = str(Path(__file__).with_name("_proc.py"))
SPECS = [CollectionSpec("inbox"), CollectionSpec("counters"), CollectionSpec("audit")]


def spawn(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, HELPER, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_concurrent_cas_increments_lose_nothing(store_dir):
    procs, n, keys = 3, 40, ["c1", "c2", "c3"]
    with Store.open(store_dir, SPECS):
        pass
    children = [spawn("incr", str(store_dir), str(n), *keys) for _ in range(procs)]
    for child in children:                     # release them together
        child.stdin.write("go\n")
        child.stdin.flush()
    conflicts = 0
    for child in children:
        out, _ = child.communicate(timeout=60)
        assert child.returncode == 0
        conflicts += int(out.split()[-1])
    with Store.open(store_dir, SPECS) as s:
        for key in keys:
            assert s.get("counters", key)["n"] == procs * n
            assert s.get("counters", key)["_v"] == procs * n
        assert s.warnings == []
    assert conflicts > 0, "the processes never actually raced"


def test_other_process_write_is_seen_by_refresh_within_a_second(store_dir):
    with Store.open(store_dir, SPECS) as s:
        child = spawn("write", str(store_dir), "sandbox:77")
        child.stdin.write("go\n")
        child.stdin.flush()
        assert child.stdout.readline().strip() == "done"
        acked = time.monotonic()
        while s.get("inbox", "sandbox:77") is None:
            s.refresh()
            assert time.monotonic() - acked < 1.0
            time.sleep(0.01)
        child.wait(timeout=10)


def test_refresh_follows_compactions_by_other_writers(store_dir):
    reader = Store.open(store_dir, SPECS)
    seen = []
    reader.on_change(lambda changes: seen.extend(c.key for c in changes))
    with Store.open(store_dir, SPECS) as w:
        w.insert("inbox", "a", {}, actor="w")
        w.compact()
        w.insert("inbox", "b", {}, actor="w")
        reader.refresh()                            # one compaction: follows journals
        assert sorted(reader.keys("inbox")) == ["a", "b"]
        w.compact()
        w.insert("inbox", "c", {}, actor="w")
        w.compact()
        w.delete("inbox", "a", expected_version=1, actor="w")
        w.insert("inbox", "d", {}, actor="w")
        reader.refresh()                            # two compactions: reloads
    assert sorted(reader.keys("inbox")) == ["b", "c", "d"]
    assert seen[:2] == ["a", "b"] and set(seen[2:]) == {"a", "c", "d"}
    reader.close()


def test_kill_9_never_loses_acknowledged_writes(store_dir):
    rng = random.Random(1234)
    acked: set[str] = set()
    maybe_deleted: set[str] = set()
    tx_acked: set[str] = set()
    started = time.monotonic()
    for round_ in range(25):
        child = spawn("churn", str(store_dir), str(round_))
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(child.stdout))
        reader.start()
        time.sleep(rng.uniform(0.02, 0.2))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        reader.join()
        for line in lines:
            if not line.endswith("\n"):
                continue                       # cut by the kill: not acknowledged
            word, _, arg = line.strip().partition(" ")
            if word == "ack":
                acked.add(arg)
            elif word == "tx":
                tx_acked.add(arg)
            elif word == "deleting":
                maybe_deleted.add(arg)
            elif word == "del":
                acked.discard(arg)
        with Store.open(store_dir, SPECS) as s:
            bad = [w for w in s.warnings if "incomplete entry" not in w]
            assert bad == [], bad
            keys = set(s.keys("inbox"))
            missing = acked - keys - maybe_deleted
            assert not missing, f"round {round_}: acknowledged but lost: {sorted(missing)[:5]}"
            groups: dict[str, int] = {}
            for key in keys:
                if key.startswith("t-"):
                    group = key.rsplit("-", 1)[0][2:]
                    groups[group] = groups.get(group, 0) + 1
            assert all(n == 3 for n in groups.values()), "a transaction was half applied"
            assert tx_acked <= set(groups), "an acknowledged transaction was lost"
            audits = {k[2:] for k in s.keys("audit")}
            assert audits == set(groups), "audit events and their changes disagree"
            counter = s.get("counters", "tx")
            assert (counter["n"] if counter else 0) == len(groups)
        acked -= maybe_deleted - keys
    assert len(acked) > 50 and len(tx_acked) > 25, (len(acked), len(tx_acked))
    assert time.monotonic() - started < 30


def test_readers_follow_concurrent_writers_that_compact(store_dir):
    procs, n, keys = 3, 30, ["c1", "c2"]
    reader = Store.open(store_dir, SPECS)
    children = [spawn("incr-compact", str(store_dir), str(n), *keys) for _ in range(procs)]
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    while any(child.poll() is None for child in children):
        reader.refresh()
        for key in keys:
            rec = reader.get("counters", key)
            assert rec is None or rec["n"] == rec["_v"]
    for child in children:
        child.communicate(timeout=60)
        assert child.returncode == 0
    reader.refresh()
    for key in keys:
        assert reader.get("counters", key)["n"] == procs * n
    assert [w for w in reader.warnings if "damaged" in w or "unreadable" in w] == []
    with Store.open(store_dir, SPECS) as fresh:
        assert list(fresh.records("counters")) == list(reader.records("counters"))
    reader.close()
