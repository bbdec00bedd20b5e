"""Schema versions, migrations, collections this code does not know."""
from __future__ import annotations

import json

import pytest

from data import CollectionSpec, Store, StoreError
from data.journal import encode_entry


def v1_to_v2(rec):
    rec = dict(rec)
    rec["status"] = {"o": "open", "d": "done"}[rec.pop("st")]
    return rec


def v2_to_v3(rec):
    return {**rec, "priority": rec.get("priority", 0)}


V1 = [CollectionSpec("inbox")]
V2 = [CollectionSpec("inbox", 2, {1: v1_to_v2})]
V3 = [CollectionSpec("inbox", 3, {1: v1_to_v2, 2: v2_to_v3})]


def test_old_snapshot_and_old_journal_ops_are_migrated(store_dir):
    with Store.open(store_dir, V1) as s:
        s.insert("inbox", "snap", {"st": "o"}, actor="a")
        s.compact()                                   # snapshot at schema 1
        s.insert("inbox", "jour", {"st": "d"}, actor="a")   # journal op at schema 1
    with Store.open(store_dir, V3) as s:
        assert s.get("inbox", "snap") == {"status": "open", "priority": 0, "_v": 1,
                                          "_by": "a", "_at": s.get("inbox", "snap")["_at"],
                                          "_key": "snap"}
        assert s.get("inbox", "jour")["status"] == "done"
        s.update("inbox", "jour", {"priority": 2}, expected_version=1, actor="b")
        s.compact()
    meta = json.loads((store_dir / "inbox.json").read_text())["_meta"]["1"]
    assert meta["schema_version"] == 3
    with Store.open(store_dir, V3) as s:
        assert s.get("inbox", "jour")["priority"] == 2
        assert s.get("inbox", "snap")["status"] == "open"


def test_new_writes_carry_the_current_schema(store_dir):
    with Store.open(store_dir, V2) as s:
        s.insert("inbox", "k", {"status": "open"}, actor="a")
    line = (store_dir / "journal-1.jsonl").read_bytes().splitlines()[0]
    op = json.loads(line[9:])["ops"][0]
    assert op["s"] == 2 and op["c"] == "inbox" and op["k"] == "k" and "_key" not in op["r"]


def test_newer_snapshot_is_refused(store_dir):
    with Store.open(store_dir, V2) as s:
        s.insert("inbox", "k", {"status": "open"}, actor="a")
        s.compact()
    with pytest.raises(StoreError, match=r"newer socops \(schema 2 > 1\); upgrade socops"):
        Store.open(store_dir, V1)
    assert (store_dir / "inbox.json").exists()        # nothing was set aside


def test_newer_journal_op_is_refused_at_open_and_refresh(store_dir):
    old = Store.open(store_dir, V1)
    old.insert("inbox", "k", {"st": "o"}, actor="a")
    with Store.open(store_dir, V2) as new:
        new.update("inbox", "k", {"status": "done"}, expected_version=1, actor="b")
    with pytest.raises(StoreError, match="upgrade socops"):
        old.refresh()
    with pytest.raises(StoreError, match="upgrade socops"):
        old.update("inbox", "k", {"st": "d"}, expected_version=1, actor="a")
    with pytest.raises(StoreError, match="upgrade socops"):
        Store.open(store_dir, V1)
    old.close()
    with Store.open(store_dir, V2) as new:
        assert new.get("inbox", "k")["status"] == "done"


def test_missing_migration_step_is_an_error(store_dir):
    with Store.open(store_dir, V1) as s:
        s.insert("inbox", "k", {"st": "o"}, actor="a")
    with pytest.raises(StoreError, match="no migration from schema 1 to 2"):
        Store.open(store_dir, [CollectionSpec("inbox", 2)])


def test_unknown_collection_is_preserved(store_dir):
    both = [CollectionSpec("inbox"), CollectionSpec("reports", 1)]
    with Store.open(store_dir, both) as s:
        s.insert("reports", "r1", {"title": "weekly"}, actor="a")
        s.compact()
        s.insert("reports", "r2", {"title": "daily"}, actor="a")   # only in the journal
    with Store.open(store_dir, [CollectionSpec("inbox")]) as old:
        assert old.get("reports", "r2")["title"] == "daily"         # readable, raw
        with pytest.raises(StoreError, match="not declared"):
            old.insert("reports", "r3", {}, actor="a")
        old.insert("inbox", "i", {}, actor="a")
        old.compact()
        old.compact()
    with Store.open(store_dir, both) as s:
        assert sorted(s.keys("reports")) == ["r1", "r2"]
        assert s.get("reports", "r1")["title"] == "weekly"
        assert s.get("inbox", "i") is not None


def test_unknown_collection_with_mixed_schema_survives_compaction(store_dir):
    """An older socops compacts records of a newer one written at two schema
    versions: each record must keep its own version."""
    with Store.open(store_dir, [CollectionSpec("inbox"), CollectionSpec("reports")]) as s:
        s.insert("reports", "old", {"v1field": 1}, actor="a")
        s.compact()
    # a newer socops (reports schema 2) appends a record at schema 2
    entry = {"seq": 1, "at": "2026-11-26T10:00:00+00:00", "by": "new",
             "ops": [{"c": "reports", "k": "new", "s": 2,
                      "r": {"v2field": 2, "_v": 1, "_by": "new", "_at": "x"}}]}
    line, _ = encode_entry(entry)
    with open(store_dir / "journal-2.jsonl", "ab") as fh:
        fh.write(line)
    with Store.open(store_dir, [CollectionSpec("inbox")]) as old:
        old.compact()
    upgrade = CollectionSpec("reports", 2, {1: lambda r: {"v2field": r["v1field"] * 10,
                                                         **{k: v for k, v in r.items()
                                                            if k.startswith("_")}}})
    with Store.open(store_dir, [CollectionSpec("inbox"), upgrade]) as s:
        assert s.get("reports", "old")["v2field"] == 10        # migrated once
        assert s.get("reports", "new")["v2field"] == 2         # not migrated
