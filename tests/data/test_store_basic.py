"""CRUD, compare-and-set, transactions, notifications."""
from __future__ import annotations

import threading
import time

import pytest

from data import (Change, CollectionSpec, ConflictError, NotFoundError, Query, Store,
                  StoreError, where)


def journal_lines(store_dir):
    return [line for p in sorted(store_dir.glob("journal-*.jsonl"))
            for line in p.read_bytes().splitlines()]


def test_insert_get_update_delete_roundtrip(open_store, clock):
    s = open_store(clock=clock)
    rec = s.insert("inbox", "sandbox:1", {"status": "open", "text": "héllo 😀 你好"}, actor="alice")
    assert rec == {"status": "open", "text": "héllo 😀 你好", "_v": 1, "_by": "alice",
                   "_at": "2026-11-26T10:42:05.000000+00:00", "_key": "sandbox:1"}
    clock.tick()
    rec2 = s.update("inbox", "sandbox:1", {"status": "done"}, expected_version=1, actor="bob")
    assert rec2["status"] == "done" and rec2["text"] == rec["text"]
    assert (rec2["_v"], rec2["_by"]) == (2, "bob")
    rec3 = s.replace("inbox", "sandbox:1", {"only": True}, expected_version=2, actor="carol")
    assert rec3 == {"only": True, "_v": 3, "_by": "carol", "_at": rec3["_at"], "_key": "sandbox:1"}
    s.insert("inbox", "sandbox:2", {"status": "open"}, actor="alice")
    assert s.keys("inbox") == ["sandbox:1", "sandbox:2"]
    assert s.count("inbox") == 2
    assert [r["_key"] for r in s.find("inbox", where("status") == "open")] == ["sandbox:2"]
    assert [r["_key"] for r in s.find("inbox", Query().only == True)] == ["sandbox:1"]  # noqa: E712
    assert {r["_key"] for r in s.records("inbox")} == {"sandbox:1", "sandbox:2"}
    s.delete("inbox", "sandbox:1", expected_version=3, actor="alice")
    assert s.get("inbox", "sandbox:1") is None
    assert s.count("inbox") == 1


def test_data_survives_reopen_and_compaction(open_store, store_dir):
    s = open_store()
    for i in range(20):
        s.insert("inbox", f"k{i}", {"i": i}, actor="a")
    s.update("inbox", "k3", {"i": 33}, expected_version=1, actor="a")
    s.delete("inbox", "k4", expected_version=None, actor="a")
    expected = {r["_key"]: r for r in s.records("inbox")}
    s.close()
    s = open_store()
    assert {r["_key"]: r for r in s.records("inbox")} == expected
    s.compact()
    s.insert("inbox", "after", {"x": 1}, actor="a")
    s.close()
    s = open_store()
    got = {r["_key"]: r for r in s.records("inbox")}
    assert got.pop("after")["x"] == 1
    assert got == expected
    assert [p.name for p in sorted(store_dir.glob("journal-*"))] == ["journal-2.jsonl"]
    assert s.warnings == []


def test_conflict_message_names_who_and_when(open_store, clock):
    s = open_store(clock=clock)
    s.insert("inbox", "sandbox:123", {"status": "open"}, actor="alice")
    for v in (1, 2):
        s.update("inbox", "sandbox:123", {"n": v}, expected_version=v, actor="bob")
    with pytest.raises(ConflictError) as info:
        s.update("inbox", "sandbox:123", {"status": "done"}, expected_version=2, actor="carol")
    err = info.value
    assert str(err) == ("inbox sandbox:123 was changed by bob at 2026-11-26 10:42:05 UTC "
                        "(version 3; you had version 2)")
    assert (err.collection, err.key, err.expected_version, err.actual_version) == \
        ("inbox", "sandbox:123", 2, 3)
    assert err.changed_by == "bob" and err.changed_at.startswith("2026-11-26T10:42:05")
    assert isinstance(err, StoreError)
    assert s.get("inbox", "sandbox:123")["_v"] == 3      # nothing written
    with pytest.raises(ConflictError, match="already exists"):
        s.insert("inbox", "sandbox:123", {}, actor="carol")
    with pytest.raises(ConflictError):
        s.delete("inbox", "sandbox:123", expected_version=1, actor="carol")
    with pytest.raises(ConflictError):
        s.replace("inbox", "sandbox:123", {}, expected_version=1, actor="carol")


def test_not_found_and_unconditional_upsert(open_store, clock):
    s = open_store(clock=clock)
    with pytest.raises(NotFoundError, match="inbox nope does not exist"):
        s.update("inbox", "nope", {"a": 1}, expected_version=1, actor="a")
    with pytest.raises(NotFoundError):
        s.delete("inbox", "nope", expected_version=None, actor="a")
    rec = s.update("counters", "cursor", {"pos": 5}, expected_version=None, actor="worker")
    assert (rec["pos"], rec["_v"]) == (5, 1)
    rec = s.update("counters", "cursor", {"pos": 6}, expected_version=None, actor="worker")
    assert (rec["pos"], rec["_v"]) == (6, 2)
    s.delete("counters", "cursor", expected_version=2, actor="bob")
    with pytest.raises(NotFoundError, match="was deleted by bob at 2026-11-26 10:42:05 UTC"):
        s.update("counters", "cursor", {"pos": 7}, expected_version=2, actor="a")


def test_bad_arguments_write_nothing(open_store, store_dir):
    s = open_store()
    s.insert("inbox", "a", {"x": 1}, actor="a")
    before = journal_lines(store_dir)
    with pytest.raises(ValueError, match="_v"):
        s.insert("inbox", "b", {"_v": 3}, actor="a")
    with pytest.raises(ValueError):
        s.update("inbox", "a", {"_key": "zz"}, expected_version=1, actor="a")
    with pytest.raises(ValueError, match="plain JSON"):
        s.insert("inbox", "b", {"when": object()}, actor="a")
    with pytest.raises(ValueError):
        s.insert("inbox", "", {}, actor="a")
    with pytest.raises(ValueError):
        s.insert("inbox", "b", {}, actor="")
    with pytest.raises(StoreError, match="not declared"):
        s.insert("nosuch", "b", {}, actor="a")
    with pytest.raises(StoreError, match="unknown collection"):
        s.get("nosuch", "b")
    assert journal_lines(store_dir) == before
    assert s.keys("inbox") == ["a"]


def test_records_are_not_shared_with_callers(open_store):
    s = open_store()
    mine = {"tags": ["a"], "nested": {"x": 1}}
    s.insert("inbox", "k", mine, actor="a")
    mine["tags"].append("mutated")
    got = s.get("inbox", "k")
    assert got["tags"] == ["a"]
    got["tags"].append("again")
    got["nested"]["x"] = 99
    assert s.get("inbox", "k") == {**got, "tags": ["a"], "nested": {"x": 1}}
    returned = s.update("inbox", "k", {"y": 2}, expected_version=1, actor="a")
    returned["y"] = 3
    assert s.get("inbox", "k")["y"] == 2


def test_transaction_is_one_entry_and_all_or_nothing(open_store, store_dir):
    s = open_store()
    s.insert("inbox", "a", {"status": "open"}, actor="x")
    n = len(journal_lines(store_dir))
    with s.transaction(actor="alice") as tx:
        tx.update("inbox", "a", {"status": "done"}, expected_version=1)
        tx.insert("audit", "e1", {"event": "closed a"})
        tx.insert("inbox", "b", {"status": "open"})
        tx.update("inbox", "b", {"status": "assigned"}, expected_version=1)  # sees the insert
        assert tx.get("inbox", "b")["status"] == "assigned"
    assert len(journal_lines(store_dir)) == n + 1
    assert [r and r["_v"] for r in tx.results] == [2, 1, 1, 2]
    assert s.get("inbox", "b")["status"] == "assigned"

    n = len(journal_lines(store_dir))
    with pytest.raises(ConflictError):
        with s.transaction(actor="bob") as tx:
            tx.insert("audit", "e2", {"event": "reopen a"})
            tx.update("inbox", "a", {"status": "open"}, expected_version=1)  # stale
    with pytest.raises(NotFoundError):
        with s.transaction(actor="bob") as tx:
            tx.insert("audit", "e3", {})
            tx.delete("inbox", "missing", expected_version=None)
    with pytest.raises(RuntimeError):
        with s.transaction(actor="bob") as tx:
            tx.insert("audit", "e4", {})
            raise RuntimeError("caller changed its mind")
    assert len(journal_lines(store_dir)) == n
    assert s.keys("audit") == ["e1"]
    assert s.get("inbox", "a")["status"] == "done"
    with pytest.raises(StoreError):
        tx.insert("audit", "late", {})


def test_transaction_if_absent_gives_exactly_once(open_store, store_dir):
    s = open_store()
    for attempt in range(3):
        with s.transaction(actor="worker") as tx:
            tx.insert("inbox", "sandbox:9", {"text": f"try {attempt}"}, if_absent=True)
            tx.insert("inbox", "sandbox:10", {"text": f"try {attempt}"}, if_absent=True)
    assert s.get("inbox", "sandbox:9")["text"] == "try 0"
    assert s.get("inbox", "sandbox:9")["_v"] == 1
    assert tx.results == [None, None]
    assert len(journal_lines(store_dir)) == 1       # skipped everything: no entry


def test_on_change_local_and_remote(open_store):
    a, b = open_store(), open_store()
    seen_a, seen_b = [], []
    a.on_change(seen_a.append)
    b.on_change(seen_b.append)
    a.insert("inbox", "k", {"x": 1}, actor="alice")
    assert [(c.key, c.local, c.by) for c in seen_a[-1]] == [("k", True, "alice")]
    assert b.refresh() == seen_b[-1]
    assert [(c.key, c.local, c.record["x"]) for c in seen_b[-1]] == [("k", False, 1)]
    assert b.refresh() == [] and len(seen_b) == 1    # nothing new: no callback
    b.delete("inbox", "k", expected_version=1, actor="bob")   # b's write first catches up
    a.refresh()
    assert seen_a[-1] == [Change("inbox", "k", None, "bob", seen_a[-1][0].at, False)]

    def broken(changes):
        raise KeyError("ui bug")
    a.on_change(broken)
    a.insert("inbox", "k2", {}, actor="alice")       # the write still succeeds
    assert a.get("inbox", "k2") is not None
    assert any("ui bug" in w for w in a.warnings)


def test_two_instances_cas_in_one_process(open_store):
    a, b = open_store(), open_store()
    rec = a.insert("inbox", "k", {"status": "open"}, actor="alice")
    b.refresh()
    a.update("inbox", "k", {"status": "done"}, expected_version=rec["_v"], actor="alice")
    with pytest.raises(ConflictError, match="changed by alice"):
        b.update("inbox", "k", {"status": "spam"}, expected_version=rec["_v"], actor="bob")
    assert b.get("inbox", "k")["status"] == "done"   # the failed write caught b up


def test_threads_share_one_store(open_store):
    s = open_store()
    s.insert("counters", "c", {"n": 0}, actor="t")
    errors = []

    def work():
        try:
            for _ in range(100):
                while True:
                    cur = s.get("counters", "c")
                    try:
                        s.update("counters", "c", {"n": cur["n"] + 1},
                                 expected_version=cur["_v"], actor="t")
                        break
                    except ConflictError:
                        pass
                s.refresh()
                list(s.records("counters"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert s.get("counters", "c")["n"] == 400


def test_stats_and_maybe_compact(open_store, store_dir):
    s = open_store()
    for i in range(50):
        s.insert("inbox", f"k{i}", {"pad": "x" * 100}, actor="a")
    st = s.stats()
    assert st["generation"] == 1 and st["counts"]["inbox"] == 50
    assert st["journal_bytes"] > 5000
    assert s.maybe_compact(max_journal_bytes=10**9) is False
    assert s.maybe_compact(max_journal_bytes=1000) is True
    st = s.stats()
    assert st["generation"] == 2 and st["journal_bytes"] == 0
    assert st["snapshot_bytes"]["inbox"] > 5000


def test_store_is_a_context_manager(store_dir):
    with Store.open(store_dir, [CollectionSpec("inbox")]) as s:
        s.insert("inbox", "a", {}, actor="a")
    with pytest.raises(StoreError, match="closed"):
        s.get("inbox", "a")


def test_compaction_lets_other_threads_read_and_write(open_store, store_dir, monkeypatch):
    from data import compaction
    s = open_store()
    for i in range(20):
        s.insert("inbox", f"k{i}", {"i": i}, actor="a")
    in_snapshot_write = threading.Event()
    resume = threading.Event()
    real = compaction.write_all

    def slow_write_all(plan, directory):
        in_snapshot_write.set()
        assert resume.wait(5)
        real(plan, directory)

    monkeypatch.setattr(compaction, "write_all", slow_write_all)
    worker = threading.Thread(target=s.compact)
    worker.start()
    assert in_snapshot_write.wait(5)
    # the compaction is half-way: this thread can still read and write
    assert s.get("inbox", "k3")["i"] == 3
    s.insert("inbox", "during", {"x": 1}, actor="b")
    s.update("inbox", "k1", {"i": 100}, expected_version=1, actor="b")
    resume.set()
    worker.join()
    s.close()
    with Store.open(store_dir, [CollectionSpec("inbox"), CollectionSpec("counters"),
                                CollectionSpec("audit")]) as again:
        assert again.get("inbox", "during")["x"] == 1
        assert again.get("inbox", "k1")["i"] == 100
        assert again.count("inbox") == 21
        assert again.stats()["generation"] == 2


def test_callback_waiting_on_another_thread_does_not_deadlock(open_store):
    """A worker's callback that waits for the UI thread (like call_from_thread)
    must not block the UI thread's own writes."""
    s = open_store()
    ui_wrote = threading.Event()
    delivered: list[tuple[str, str]] = []

    def callback(changes):
        delivered.extend((threading.current_thread().name, c.key) for c in changes)
        if any(c.key == "from-worker" for c in changes):
            assert ui_wrote.wait(5), "UI thread was blocked by the callback"

    s.on_change(callback)
    worker = threading.Thread(target=lambda: s.insert("inbox", "from-worker", {}, actor="w"),
                              name="worker")
    worker.start()
    while not delivered:
        time.sleep(0.001)
    s.insert("inbox", "from-ui", {}, actor="ui")      # returns although the worker is busy
    ui_wrote.set()
    worker.join(5)
    assert not worker.is_alive()
    assert [k for _, k in delivered] == ["from-worker", "from-ui"]
