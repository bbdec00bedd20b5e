"""Append-only, non-resident log collections (CollectionSpec(resident=False))."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from data import (
    CollectionSpec,
    ConflictError,
    LogConflictError,
    Store,
    StoreCorruptError,
    StoreError,
    compaction,
    log as logmod,
)

HELPER = str(Path(__file__).with_name("_logproc.py"))
SPECS = [CollectionSpec("inbox"), CollectionSpec("counters"),
         CollectionSpec("audit", resident=False)]


def key(seq: int) -> str:
    return f"{seq:012d}"


def spawn(*args: str) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, HELPER, *args], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, text=True, bufsize=1)
    assert proc.stdout.readline().strip() == "ready"
    return proc


def append(store: Store, start: int, n: int, **extra) -> None:
    for i in range(start, start + n):
        store.insert("audit", key(i), {"action": "test", "i": i, **extra}, actor="alice")


def segments(store_dir: Path) -> list[Path]:
    return sorted((store_dir / "audit.log").glob("*.jsonl"))


def test_spec_validation():
    with pytest.raises(ValueError):
        CollectionSpec("audit", resident=False, fields=("action",))
    assert CollectionSpec("audit", resident=False).resident is False


def test_appends_count_last_and_change_events(open_store):
    s = open_store(SPECS)
    assert s.count("audit") == 0 and s.last("audit") is None
    assert list(s.scan("audit")) == []
    seen = []
    s.on_change(seen.extend)
    rec = s.insert("audit", key(0), {"action": "login"}, actor="alice")
    assert rec["_key"] == key(0) and rec["_v"] == 1 and rec["_by"] == "alice"
    append(s, 1, 4)
    assert s.count("audit") == 5
    assert s.last("audit")["_key"] == key(4) and s.last("audit")["i"] == 4
    s.last("audit")["i"] = 99                           # a copy
    assert s.last("audit")["i"] == 4
    assert [c.key for c in seen] == [key(i) for i in range(5)]
    assert seen[0].record["action"] == "login" and seen[0].local
    assert [r["_key"] for r in s.scan("audit")] == [key(i) for i in range(5)]
    assert [r["_key"] for r in s.scan("audit", after_key=key(2))] == [key(3), key(4)]
    assert s.stats()["counts"]["audit"] == 5


def test_update_replace_delete_are_refused(open_store):
    s = open_store(SPECS)
    append(s, 0, 2)
    for call in (lambda: s.update("audit", key(1), {"x": 1}, expected_version=1, actor="a"),
                 lambda: s.replace("audit", key(1), {"x": 1}, expected_version=None,
                                   actor="a"),
                 lambda: s.delete("audit", key(1), expected_version=None, actor="a")):
        with pytest.raises(StoreError, match="audit is append-only"):
            call()
    with pytest.raises(StoreError, match="audit is append-only"):
        with s.transaction(actor="a") as tx:
            tx.insert("inbox", "x", {})
            tx.delete("audit", key(0), expected_version=None)
    with pytest.raises(StoreError, match="append-only"):
        with s.transaction(actor="a") as tx:
            tx.insert("audit", key(9), {}, if_absent=True)
    with pytest.raises(StoreError, match="scan"):
        s.get("audit", key(0))
    with pytest.raises(StoreError, match="scan"):
        list(s.records("audit"))
    assert s.get("inbox", "x") is None and s.count("audit") == 2


def test_key_not_after_the_last_is_a_conflict(open_store, clock):
    s = open_store(SPECS, clock=clock)
    append(s, 0, 3)
    for bad in (key(2), key(1), "0"):
        with pytest.raises(LogConflictError) as info:
            s.insert("audit", bad, {}, actor="bob")
        assert isinstance(info.value, ConflictError)
        assert info.value.last_key == key(2) and info.value.changed_by == "alice"
        text = str(info.value)
        assert key(2) in text and "alice" in text and "2026-11-26 10:42:05 UTC" in text
    # within one transaction too: nothing written
    with pytest.raises(LogConflictError):
        with s.transaction(actor="bob") as tx:
            tx.insert("inbox", "x", {})
            tx.insert("audit", key(3), {})
            tx.insert("audit", key(3), {})
    assert s.count("audit") == 3 and s.get("inbox", "x") is None
    with s.transaction(actor="bob") as tx:
        tx.insert("audit", key(3), {})
        tx.insert("audit", key(4), {})
    assert s.last("audit")["_key"] == key(4)


def test_append_in_the_same_transaction_as_an_update(open_store):
    s = open_store(SPECS)
    s.insert("inbox", "item", {"status": "open"}, actor="alice")
    journal = s.directory / "journal-1.jsonl"
    lines_before = journal.read_bytes().count(b"\n")
    with s.transaction(actor="alice") as tx:
        tx.update("inbox", "item", {"status": "done"}, expected_version=1)
        tx.insert("audit", key(0), {"action": "close", "target": "item"})
    assert journal.read_bytes().count(b"\n") == lines_before + 1     # one entry
    assert tx.results[1]["_key"] == key(0)
    # a failing check writes neither
    with pytest.raises(ConflictError):
        with s.transaction(actor="alice") as tx:
            tx.update("inbox", "item", {"status": "open"}, expected_version=1)
            tx.insert("audit", key(1), {"action": "reopen"})
    assert s.count("audit") == 1 and s.get("inbox", "item")["status"] == "done"


def test_compaction_moves_events_to_segments_and_scan_yields_all(store_dir, open_store):
    s = open_store(SPECS)
    append(s, 0, 50)
    s.compact()
    assert not (store_dir / "audit.json").exists()
    assert [p.name for p in segments(store_dir)] == ["00000001.jsonl"]
    append(s, 50, 30)
    s.compact()
    s.compact()                                          # nothing new: no segment
    append(s, 80, 20)                                    # still in the journal
    assert [p.name for p in segments(store_dir)] == ["00000001.jsonl", "00000002.jsonl"]
    got = [r["_key"] for r in s.scan("audit")]
    assert got == [key(i) for i in range(100)]
    assert [r["i"] for r in s.scan("audit", after_key=key(64))] == list(range(65, 100))
    assert list(s.scan("audit", after_key=key(99))) == []
    stats = s.stats()["logs"]["audit"]
    assert stats["count"] == 100 and stats["segments"] == 2
    assert stats["segment_bytes"] == sum(p.stat().st_size for p in segments(store_dir))
    # reopen keeps count and last (from the newest segment's header + journal)
    with Store.open(store_dir, SPECS) as again:
        assert again.count("audit") == 100
        assert again.last("audit") == s.last("audit")
        assert again.warnings == []
        again.compact()
    with Store.open(store_dir, SPECS) as again:
        assert again.count("audit") == 100 and again.last("audit")["i"] == 99
        assert [r["i"] for r in again.scan("audit")] == list(range(100))


def test_open_reads_only_the_newest_segment_header(store_dir, open_store, monkeypatch):
    s = open_store(SPECS)
    for round_ in range(4):
        append(s, round_ * 10, 10)
        s.compact()
    s.close()
    opened = []
    real_open = open

    def spy(path, *args, **kw):
        opened.append(str(path))
        return real_open(path, *args, **kw)

    monkeypatch.setattr("builtins.open", spy)
    with Store.open(store_dir, SPECS) as again:
        assert again.count("audit") == 40 and again.last("audit")["i"] == 39
    assert [p for p in opened if "audit.log" in p] == [str(segments(store_dir)[-1])]


def test_crash_between_segment_write_and_journal_delete(store_dir, monkeypatch):
    with Store.open(store_dir, SPECS) as s:
        append(s, 0, 10)
        s.insert("inbox", "x", {}, actor="a")
        monkeypatch.setattr(compaction, "finish", lambda *a, **k: None)   # "crash"
        s.compact()
        monkeypatch.undo()
        assert [p.name for p in segments(store_dir)] == ["00000001.jsonl"]
        assert (store_dir / "journal-1.jsonl").exists()
        append(s, 10, 3)
    for _ in range(2):
        with Store.open(store_dir, SPECS) as s:
            assert s.count("audit") == 13 and s.last("audit")["i"] == 12
            assert [r["i"] for r in s.scan("audit")] == list(range(13))
            assert s.warnings == []
            s.compact()                                # archives journal 2 only
            assert [r["i"] for r in s.scan("audit")] == list(range(13))
    assert not (store_dir / "journal-1.jsonl").exists()
    assert len(segments(store_dir)) == 2


def test_crash_before_the_segment_rename_leaves_a_harmless_temp(store_dir, monkeypatch):
    with Store.open(store_dir, SPECS) as s:
        append(s, 0, 10)
        real = logmod.os.replace

        def die(src, dst):
            raise KeyboardInterrupt("killed")          # not cleaned like an OSError

        monkeypatch.setattr(logmod.os, "replace", die)
        monkeypatch.setattr(logmod.os, "unlink", lambda p: None)  # leave the temp file
        with pytest.raises(KeyboardInterrupt):
            s.compact()
        monkeypatch.undo()
        assert logmod.os.replace is real
    assert segments(store_dir) == []
    assert list((store_dir / "audit.log").glob(".*.tmp-*"))
    with Store.open(store_dir, SPECS) as s:
        assert s.count("audit") == 10 and [r["i"] for r in s.scan("audit")] == list(range(10))
        s.compact()
        assert not list((store_dir / "audit.log").glob(".*.tmp-*"))
        assert [r["i"] for r in s.scan("audit")] == list(range(10))
        assert s.stats()["logs"]["audit"]["segments"] == 1
    with Store.open(store_dir, SPECS) as s:
        assert s.count("audit") == 10


def test_damaged_segment_line_is_reported_by_scan_not_by_open(store_dir):
    with Store.open(store_dir, SPECS) as s:
        append(s, 0, 20)
        s.compact()
        append(s, 20, 5)
    path = segments(store_dir)[0]
    lines = path.read_bytes().splitlines(keepends=True)
    lines[6] = lines[6].replace(b'"i":5', b'"i":7')     # bit rot, JSON still valid
    path.write_bytes(b"".join(lines))
    with Store.open(store_dir, SPECS) as s:
        assert s.warnings == []
        assert s.count("audit") == 25 and s.last("audit")["i"] == 24
        seen = []
        with pytest.raises(StoreCorruptError) as info:
            for record in s.scan("audit"):
                seen.append(record["i"])
        assert seen == [0, 1, 2, 3, 4]
        assert str(path) in str(info.value) and "line 7" in str(info.value)
        assert info.value.line == 7 and info.value.path == path
        # the damaged line stays visible to a scan starting right before it...
        with pytest.raises(StoreCorruptError, match="line 7"):
            list(s.scan("audit", after_key=key(4)))
        # ...and one past the damaged segment skips it by its header
        assert [r["i"] for r in s.scan("audit", after_key=key(19))] == list(range(20, 25))
        append(s, 25, 1)
        s.compact()
        assert s.count("audit") == 26


def test_damaged_newest_header_is_worked_around_at_open(store_dir):
    with Store.open(store_dir, SPECS) as s:
        append(s, 0, 10)
        s.compact()
        append(s, 10, 10)
        s.compact()
    path = segments(store_dir)[-1]
    data = path.read_bytes()
    # Break the header's checksum: change its first hex digit (to one it is not).
    path.write_bytes((b"1" if data[:1] == b"0" else b"0") + data[1:])
    with Store.open(store_dir, SPECS) as s:
        assert s.count("audit") == 20 and s.last("audit")["i"] == 19
        assert any("unreadable segment header" in w for w in s.warnings)
        with pytest.raises(StoreCorruptError, match="line 1"):
            list(s.scan("audit"))
        append(s, 20, 1)
        s.compact()                                    # new head counts right
    with Store.open(store_dir, SPECS) as s:
        assert s.count("audit") == 21


def test_other_store_follows_appends_and_compactions(store_dir):
    reader = Store.open(store_dir, SPECS)
    seen = []
    reader.on_change(lambda changes: seen.extend(c.key for c in changes
                                                 if c.collection == "audit"))
    with Store.open(store_dir, SPECS) as w:
        append(w, 0, 3)
        reader.refresh()
        assert reader.count("audit") == 3 and reader.last("audit")["i"] == 2
        w.compact()
        append(w, 3, 2)
        reader.refresh()                                 # one compaction: follows
        assert reader.count("audit") == 5
        append(w, 5, 2)
        w.compact()
        append(w, 7, 1)
        w.compact()
        append(w, 8, 2)
        reader.refresh()                                 # several: reloads
        assert reader.count("audit") == 10 and reader.last("audit")["i"] == 9
    assert seen == [key(i) for i in range(10)]
    reader.close()


def test_a_process_not_declaring_the_log_keeps_it_a_log(store_dir):
    with Store.open(store_dir, SPECS) as s:
        append(s, 0, 5)
    with Store.open(store_dir, [CollectionSpec("inbox")]) as other:
        assert other.count("audit") == 5
        with pytest.raises(StoreError):
            other.insert("audit", key(5), {}, actor="x")
        other.compact()
    assert not (store_dir / "audit.json").exists()
    with Store.open(store_dir, SPECS) as s:
        assert [r["i"] for r in s.scan("audit")] == list(range(5))
    with pytest.raises(StoreError, match="resident=False"):
        Store.open(store_dir, [CollectionSpec("audit")])


def test_two_processes_racing_to_append_leave_no_gap_and_no_duplicate(store_dir):
    n = 150
    with Store.open(store_dir, SPECS):
        pass
    children = [spawn("append", str(store_dir), str(n), name) for name in ("p1", "p2")]
    for child in children:
        child.stdin.write("go\n")
        child.stdin.flush()
    conflicts = 0
    for child in children:
        out, _ = child.communicate(timeout=120)
        assert child.returncode == 0
        conflicts += int(out.split()[-1])
    with Store.open(store_dir, SPECS) as s:
        events = list(s.scan("audit"))
        assert [e["_key"] for e in events] == [key(i) for i in range(2 * n)]
        for name in ("p1", "p2"):
            assert [e["i"] for e in events if e["by"] == name] == list(range(n))
        assert s.count("audit") == 2 * n
        assert s.last("audit")["_key"] == key(2 * n - 1)
        assert s.warnings == []
        assert s.stats()["logs"]["audit"]["segments"] > 2
    assert conflicts > 0, "the processes never actually raced"


def test_kill_9_keeps_update_and_append_together(store_dir):
    rng = random.Random(4321)
    acked = 0
    started = time.monotonic()
    for round_ in range(20):
        child = spawn("churn", str(store_dir), str(round_))
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(child.stdout))
        reader.start()
        time.sleep(rng.uniform(0.02, 0.25))
        os.kill(child.pid, signal.SIGKILL)
        child.wait()
        reader.join()
        for line in lines:
            if line.endswith("\n") and line.startswith("ack "):
                acked = max(acked, int(line.split()[1]))
        with Store.open(store_dir, SPECS) as s:
            bad = [w for w in s.warnings if "incomplete entry" not in w]
            assert bad == [], bad
            counter = s.get("counters", "n")
            n = counter["n"] if counter else 0
            assert n >= acked, f"round {round_}: acknowledged but lost"
            assert s.count("audit") == n, "an update and its event were separated"
            events = list(s.scan("audit"))
            assert [e["_key"] for e in events] == [key(i) for i in range(n)]
            assert [e["n"] for e in events] == list(range(1, n + 1))
            assert (s.last("audit") or {}).get("n", 0) == n
    assert acked > 100, acked
    assert len(segments(store_dir)) > 3
    assert time.monotonic() - started < 40
