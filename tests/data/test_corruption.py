"""Torn tails, damaged lines, unreadable snapshots, compaction crash points."""
from __future__ import annotations

import json
import os

import pytest

from data import CollectionSpec, Store, compaction
from data.journal import encode_entry
from data.snapshot import write_snapshot

SPECS = [CollectionSpec("inbox"), CollectionSpec("audit")]


def fill(store_dir, n=5):
    with Store.open(store_dir, SPECS) as s:
        for i in range(n):
            s.insert("inbox", f"k{i}", {"i": i}, actor="a")
        return {r["_key"]: r for r in s.records("inbox")}


def test_torn_tail_is_skipped_then_cut_by_the_next_write(store_dir):
    expected = fill(store_dir)
    journal = store_dir / "journal-1.jsonl"
    good = journal.read_bytes()
    line, _ = encode_entry({"seq": 9, "at": "t", "by": "x", "ops": [
        {"c": "inbox", "k": "torn", "s": 1, "r": {"_v": 1}}]})
    journal.write_bytes(good + line[: len(line) // 2])

    reader = Store.open(store_dir, SPECS)
    assert {r["_key"]: r for r in reader.records("inbox")} == expected
    assert any("journal-1.jsonl" in w and f"byte {len(good)}" in w and "incomplete" in w
               for w in reader.warnings), reader.warnings
    assert reader.refresh() == []                      # partial line left alone

    with Store.open(store_dir, SPECS) as writer:
        writer.insert("inbox", "after", {"ok": True}, actor="b")
        assert any("discarded a torn entry" in w for w in writer.warnings)
    data = journal.read_bytes()
    assert data.startswith(good) and data.endswith(b"\n") and data.count(b"\n") == 6
    assert [c.key for c in reader.refresh()] == ["after"]   # reader offset still right
    reader.close()
    with Store.open(store_dir, SPECS) as again:
        assert again.warnings == []
        assert again.count("inbox") == 6 and again.get("inbox", "torn") is None


def test_garbage_line_in_the_middle_is_skipped_and_kept_aside(store_dir):
    fill(store_dir, 2)
    journal = store_dir / "journal-1.jsonl"
    offset = journal.stat().st_size
    with open(journal, "ab") as fh:
        fh.write(b"this is not an entry\n")
    with Store.open(store_dir, SPECS) as s:
        s.insert("inbox", "k9", {"i": 9}, actor="a")
    raw = journal.read_bytes()
    with Store.open(store_dir, SPECS) as s:
        assert sorted(s.keys("inbox")) == ["k0", "k1", "k9"]
        assert any(f"journal-1.jsonl: skipped a damaged entry at byte {offset}" in w
                   for w in s.warnings), s.warnings
        s.compact()
    aside = list(store_dir.glob("journal-1.jsonl.corrupt-*"))
    assert len(aside) == 1 and aside[0].read_bytes() == raw
    with Store.open(store_dir, SPECS) as s:
        assert sorted(s.keys("inbox")) == ["k0", "k1", "k9"]


def test_bad_checksum_is_skipped(store_dir):
    fill(store_dir, 3)
    journal = store_dir / "journal-1.jsonl"
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[1] = lines[1].replace(b'"i":1', b'"i":7')     # bit rot: JSON still valid
    journal.write_bytes(b"".join(lines))
    with Store.open(store_dir, SPECS) as s:
        assert sorted(s.keys("inbox")) == ["k0", "k2"]
        assert any("checksum mismatch" in w for w in s.warnings)


def test_damaged_last_line_is_rechecked_by_a_live_reader(store_dir):
    fill(store_dir, 1)
    reader = Store.open(store_dir, SPECS)
    journal = store_dir / "journal-1.jsonl"
    with open(journal, "ab") as fh:
        fh.write(b"00000000 {half-visible write}\n")
    assert reader.refresh() == [] and reader.warnings == []   # maybe mid-write: wait
    with Store.open(store_dir, SPECS) as w:
        w.insert("inbox", "next", {}, actor="a")
    assert [c.key for c in reader.refresh()] == ["next"]
    assert any("damaged entry" in w for w in reader.warnings)
    reader.close()


def test_corrupt_snapshot_is_moved_aside_and_journal_still_applies(store_dir):
    with Store.open(store_dir, SPECS) as s:
        s.insert("inbox", "in-snapshot", {}, actor="a")
        s.compact()
        s.insert("inbox", "in-journal", {}, actor="a")
    snap = store_dir / "inbox.json"
    damaged = snap.read_bytes()[:-40]
    snap.write_bytes(damaged)
    with Store.open(store_dir, SPECS) as s:
        assert s.keys("inbox") == ["in-journal"]
        moved = list(store_dir.glob("inbox.json.corrupt-*"))
        assert len(moved) == 1 and moved[0].read_bytes() == damaged
        assert not snap.exists()
        assert any(w.startswith("inbox snapshot was unreadable (not valid JSON")
                   and str(moved[0]) in w and "socops doctor" in w for w in s.warnings)
    log = (store_dir / "warnings.log").read_text()
    assert "inbox snapshot was unreadable" in log and moved[0].name in log
    with Store.open(store_dir, SPECS) as s:                   # still visible later
        assert any(moved[0].name in w for w in s.warnings)
        assert s.keys("inbox") == ["in-journal"]


def test_snapshot_is_a_tinydb_database(store_dir):
    from tinydb import TinyDB
    with Store.open(store_dir, SPECS) as s:
        s.insert("inbox", "k", {"text": "😀 你好"}, actor="a")
        s.compact()
    db = TinyDB(store_dir / "inbox.json", encoding="utf-8")
    assert db.table("records").all() == [
        {"text": "😀 你好", "_v": 1, "_by": "a", "_at": db.table("records").all()[0]["_at"],
         "_key": "k"}]
    meta = db.table("_meta").all()[0]
    assert (meta["generation"], meta["schema_version"], meta["collection"]) == (2, 1, "inbox")
    db.close()


# -- compaction crash points ------------------------------------------------

class Crash(Exception):
    pass


def build(store_dir):
    """Generation 1 journal with inbox + audit changes; returns expected data."""
    with Store.open(store_dir, SPECS) as s:
        for i in range(4):
            s.insert("inbox", f"k{i}", {"i": i}, actor="a")
        s.delete("inbox", "k0", expected_version=1, actor="a")
        s.update("inbox", "k1", {"i": 11}, expected_version=1, actor="a")
        with s.transaction(actor="a") as tx:
            tx.insert("audit", "e1", {"what": "x"})
            tx.update("inbox", "k2", {"i": 22}, expected_version=1)
        return {c: {r["_key"]: r for r in s.records(c)} for c in ("inbox", "audit")}


def snapshot_all(store_dir):
    with Store.open(store_dir, SPECS) as s:
        assert not [w for w in s.warnings if "damaged" in w or "unreadable" in w]
        return {c: {r["_key"]: r for r in s.records(c)} for c in ("inbox", "audit")}


@pytest.mark.parametrize("crash_at", ["first_snapshot", "second_snapshot", "delete"])
def test_compaction_crash_points(store_dir, monkeypatch, crash_at):
    expected = build(store_dir)
    real_write = compaction.write_snapshot
    calls = []

    def write(*a, **kw):
        calls.append(a[1])
        if (crash_at == "first_snapshot" and len(calls) == 1) or \
                (crash_at == "second_snapshot" and len(calls) == 2):
            raise Crash()
        return real_write(*a, **kw)

    def listing(*a):
        raise Crash()

    monkeypatch.setattr(compaction, "write_snapshot", write)
    if crash_at == "delete":
        monkeypatch.setattr(compaction, "list_journals", listing)
    s = Store.open(store_dir, SPECS)
    with pytest.raises(Crash):
        s.compact()
    s.close()                                        # the process "dies" here
    monkeypatch.undo()
    assert (store_dir / "journal-2.jsonl").exists() and (store_dir / "journal-1.jsonl").exists()
    assert snapshot_all(store_dir) == expected
    with Store.open(store_dir, SPECS) as s:          # life goes on: write, compact
        s.insert("inbox", "later", {}, actor="b")
        expected["inbox"]["later"] = s.get("inbox", "later")
        s.compact()
    assert snapshot_all(store_dir) == expected
    assert sorted(p.name for p in store_dir.glob("journal-*")) == ["journal-3.jsonl"]


def test_generation_rule_on_handmade_states(store_dir):
    """A snapshot of generation G includes journals < G: journal G-1 entries
    must be skipped for it, and applied for a snapshot of a lower generation."""
    fill(store_dir, 1)                                  # journal-1: k0 {"i": 0}
    (store_dir / "journal-2.jsonl").write_bytes(b"")
    rec = {"i": "from-snapshot", "_v": 5, "_by": "z", "_at": "t", "_key": "k0"}
    write_snapshot(store_dir, "inbox", generation=2, schema_version=1, records=[rec])
    write_snapshot(store_dir, "audit", generation=1, schema_version=1, records=[])
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "k0")["i"] == "from-snapshot"      # journal-1 skipped
    write_snapshot(store_dir, "inbox", generation=1, schema_version=1, records=[rec])
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "k0")["i"] == 0                    # journal-1 replayed


def test_leftover_old_journal_and_temp_files_are_harmless(store_dir):
    expected = fill(store_dir, 3)
    with Store.open(store_dir, SPECS) as s:
        s.compact()
    # a crash after step 2 would leave journal-1 behind, and a temp snapshot
    (store_dir / "journal-1.jsonl").write_bytes(encode_entry(
        {"seq": 1, "at": "t", "by": "x", "ops": [{"c": "inbox", "k": "k0", "d": True}]})[0])
    (store_dir / ".inbox.json.tmp-123-abc").write_bytes(b"{half")
    with Store.open(store_dir, SPECS) as s:
        assert {r["_key"]: r for r in s.records("inbox")} == expected
        s.compact()
    assert sorted(os.listdir(store_dir)) == ["audit.json", "inbox.json", "journal-3.jsonl", "lock"]


def test_missing_journal_is_recreated_at_the_snapshot_generation(store_dir):
    expected = fill(store_dir, 2)
    with Store.open(store_dir, SPECS) as s:
        s.compact()
        s.compact()
    os.unlink(store_dir / "journal-3.jsonl")          # someone deleted it by hand
    with Store.open(store_dir, SPECS) as s:
        assert {r["_key"]: r for r in s.records("inbox")} == expected
        s.insert("inbox", "new", {}, actor="a")
    assert json.loads((store_dir / "inbox.json").read_text())["_meta"]["1"]["generation"] == 3
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "new") is not None       # not written to a skipped journal


def test_journal_truncated_by_hand_under_a_reader_triggers_reload(store_dir):
    fill(store_dir, 3)
    reader = Store.open(store_dir, SPECS)
    journal = store_dir / "journal-1.jsonl"
    first = journal.read_bytes().splitlines(keepends=True)[0]
    journal.write_bytes(first)
    changes = reader.refresh()
    assert sorted(reader.keys("inbox")) == ["k0"]
    assert {(c.key, c.record) for c in changes} == {("k1", None), ("k2", None)}
    assert any("shrank" in w for w in reader.warnings)
    reader.close()
