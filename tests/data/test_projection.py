"""Projections (CollectionSpec.fields / derived), the snapshot layout and the
records kept as JSON texts in memory."""
from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import orjson
import pytest

from data import Change, CollectionSpec, Store, StoreError
from data.snapshot import SnapshotError, read_snapshot, write_snapshot


def search(record):
    return f"{record.get('text', '')} {record.get('author', '')}".casefold()


def pending(record):
    return any(r.get("status") == "queued" for r in record.get("replies", ()))


FIELDS = ("status", "tags", "sla_due")
INBOX = CollectionSpec("inbox", fields=FIELDS, derived={"search": search, "pending": pending})
SPECS = [INBOX, CollectionSpec("audit")]


def expected(record) -> tuple:
    values = [record.get(f) for f in FIELDS]
    values = [tuple(v) if isinstance(v, list) else v for v in values]
    return (*values, search(record), pending(record))


def check_all(store: Store) -> None:
    """Every projection equals the one computed from the decoded record."""
    proj = store.projection("inbox")
    assert list(proj) == store.keys("inbox")
    for key, p in proj.items():
        assert p == expected(store.get("inbox", key)), key


def test_projected_names_and_spec_checks():
    assert INBOX.projected_names == ("status", "tags", "sla_due", "search", "pending")
    assert CollectionSpec("x").projected_names == ()
    with pytest.raises(ValueError, match="repeat"):
        CollectionSpec("x", fields=("a",), derived={"a": len})
    with pytest.raises(TypeError):
        CollectionSpec("x", fields="status")
    with pytest.raises(TypeError):
        CollectionSpec("x", derived={"a": 3})



def test_a_change_listener_can_stop_listening(open_store):
    s = open_store(SPECS)
    seen: list[Change] = []
    stop = s.on_change(seen.extend)
    s.insert("inbox", "k1", {"status": "open"}, actor="a")
    stop()
    s.insert("inbox", "k2", {"status": "open"}, actor="a")
    assert [change.key for change in seen] == ["k1"]
    stop()  # a second stop is harmless

def test_projection_follows_insert_update_delete(open_store):
    s = open_store(SPECS)
    proj = s.projection("inbox")
    seen: list[Change] = []
    s.on_change(seen.extend)
    rec = s.insert("inbox", "k1", {"status": "open", "tags": ["vip"], "text": "Héllo WORLD",
                                   "author": "@Ana", "replies": [{"status": "queued"}]},
                   actor="a")
    assert proj["k1"] == ("open", ("vip",), None, "héllo world @ana", True)
    assert seen[-1].projection == proj["k1"] and seen[-1].record["text"] == "Héllo WORLD"
    s.update("inbox", "k1", {"status": "closed", "replies": []}, expected_version=rec["_v"],
             actor="a")
    assert proj["k1"] == ("closed", ("vip",), None, "héllo world @ana", False)
    assert seen[-1].projection == proj["k1"]
    s.replace("inbox", "k1", {"sla_due": "2026-11-27T10:00:00+00:00"}, expected_version=2,
              actor="a")
    assert proj["k1"] == (None, None, "2026-11-27T10:00:00+00:00", " ", False)
    with s.transaction(actor="a") as tx:
        tx.insert("inbox", "k2", {"status": "open"})
        tx.delete("inbox", "k1", expected_version=3)
    assert dict(proj) == {"k2": ("open", None, None, " ", False)}
    assert [(c.key, c.projection) for c in seen[-2:]] == [
        ("k2", ("open", None, None, " ", False)), ("k1", None)]
    with pytest.raises(TypeError):
        proj["k3"] = ()                                 # read-only
    assert s.projection("audit") == {} and s.projected_names("audit") == ()
    s.insert("audit", "e1", {"x": 1}, actor="a")
    assert s.projection("audit") == {"e1": ()}
    with pytest.raises(StoreError, match="unknown collection"):
        s.projection("nosuch")


def test_projection_after_refresh_compaction_and_reopen(open_store, store_dir):
    a, b = open_store(SPECS), open_store(SPECS)
    seen: list[Change] = []
    b.on_change(seen.extend)
    for i in range(30):
        a.insert("inbox", f"k{i}", {"status": ["open", "closed"][i % 2], "tags": ["t", str(i % 3)],
                                    "text": f"Text {i}", "author": "@Bo"}, actor="a")
    a.update("inbox", "k3", {"status": "snoozed"}, expected_version=1, actor="a")
    a.delete("inbox", "k4", expected_version=None, actor="a")
    b.refresh()
    assert {c.key: c.projection for c in seen if c.projection is not None}["k3"][0] == "snoozed"
    assert dict(b.projection("inbox")) == dict(a.projection("inbox"))
    check_all(b)
    a.compact()
    a.update("inbox", "k5", {"tags": []}, expected_version=1, actor="a")
    b.refresh()
    assert b.projection("inbox")["k5"][1] == ()
    check_all(a)
    check_all(b)
    want = dict(a.projection("inbox"))
    with Store.open(store_dir, SPECS) as fresh:         # snapshot + journal
        assert dict(fresh.projection("inbox")) == want
        check_all(fresh)
    a.compact()
    with Store.open(store_dir, SPECS) as fresh:         # snapshot only
        assert dict(fresh.projection("inbox")) == want
        assert list(fresh.projection("inbox")) == list(want)    # key order kept
        check_all(fresh)
        assert fresh.warnings == []


def test_projection_mapping_stays_live_across_a_reload(open_store):
    reader, writer = open_store(SPECS), open_store(SPECS)
    proj = reader.projection("inbox")
    writer.insert("inbox", "a", {"status": "open"}, actor="w")
    for _ in range(3):                                   # several compactions: reader reloads
        writer.compact()
    writer.insert("inbox", "b", {"status": "closed"}, actor="w")
    reader.refresh()
    assert sorted(proj) == ["a", "b"] and proj["b"][0] == "closed"


def test_projection_from_another_process(store_dir):
    s = Store.open(store_dir, SPECS)
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(__file__.rsplit('/', 1)[0])!r})
        from test_projection import SPECS
        from data import Store
        with Store.open({str(store_dir)!r}, SPECS) as s:
            s.insert("inbox", "p1", {{"status": "open", "text": "Über", "tags": ["x"]}},
                     actor="child")
            s.compact()
            s.update("inbox", "p1", {{"status": "closed"}}, expected_version=1, actor="child")
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
    changes = s.refresh()
    assert [c.projection for c in changes if c.key == "p1"][-1] == \
        ("closed", ("x",), None, "über ", False)
    check_all(s)
    s.close()


def test_changed_fields_recompute_projections_once(store_dir):
    with Store.open(store_dir, SPECS) as s:
        for i in range(5):
            s.insert("inbox", f"k{i}", {"status": "open", "kind": "dm", "text": f"T{i}"},
                     actor="a")
        s.compact()
    meta = json.loads((store_dir / "inbox.json").read_text())["_meta"]["1"]
    assert meta["projected"] == list(INBOX.projected_names)
    other = [CollectionSpec("inbox", fields=("kind",), derived={"n": lambda r: len(r["text"])}),
             CollectionSpec("audit")]
    with Store.open(store_dir, other) as s:
        assert dict(s.projection("inbox")) == {f"k{i}": ("dm", 2) for i in range(5)}
        assert s.warnings == []
    # the snapshot was rewritten with the new projection: next open reads it as is
    meta = json.loads((store_dir / "inbox.json").read_text())["_meta"]["1"]
    assert meta["projected"] == ["kind", "n"]
    snap = read_snapshot(store_dir / "inbox.json", "inbox")
    assert snap.projected == ("kind", "n") and snap.raws is not None
    with Store.open(store_dir, other) as s:
        assert s._state.stale == set()
        assert s.projection("inbox")["k3"] == ("dm", 2)


def test_old_format_snapshot_loads_and_is_rewritten(store_dir):
    """A snapshot as written before projections existed: plain documents."""
    store_dir.mkdir()
    records = {str(i): {"status": "open", "tags": ["a"], "text": f"Old {i} 😀", "_v": 2,
                        "_by": "old", "_at": "2026-11-25T10:00:00+00:00", "_key": f"k{i}"}
               for i in range(1, 4)}
    meta = {"generation": 1, "schema_version": 1, "collection": "inbox", "count": 3,
            "written_at": "2026-11-25T10:00:00+00:00"}
    (store_dir / "inbox.json").write_bytes(orjson.dumps({"_meta": {"1": meta},
                                                         "records": records}))
    (store_dir / "journal-1.jsonl").write_bytes(b"")
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "k2") == records["2"]
        assert s.projection("inbox")["k1"] == ("open", ("a",), None, "old 1 😀 ", False)
        check_all(s)
        assert s.warnings == []
    first = (store_dir / "inbox.json").read_bytes().split(b"\n", 1)[0]
    assert b'"layout":"socops-lines-1"' in first            # rewritten in the new layout
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "k2") == records["2"]
        check_all(s)


def test_migration_recomputes_projection(store_dir):
    with Store.open(store_dir, [CollectionSpec("inbox", fields=("st",))]) as s:
        s.insert("inbox", "k", {"st": "o"}, actor="a")
        s.compact()
        s.insert("inbox", "j", {"st": "d"}, actor="a")
    v2 = CollectionSpec("inbox", 2, {1: lambda r: {**r, "status": {"o": "open", "d": "done"}[r["st"]]}},
                        fields=("status",))
    with Store.open(store_dir, [v2]) as s:
        assert dict(s.projection("inbox")) == {"k": ("open",), "j": ("done",)}
    with Store.open(store_dir, [v2]) as s:
        assert dict(s.projection("inbox")) == {"k": ("open",), "j": ("done",)}


def test_get_records_find_return_independent_dicts(open_store):
    s = open_store(SPECS)
    s.insert("inbox", "k", {"status": "open", "tags": ["a"], "nested": {"x": 1}}, actor="a")
    one, two = s.get("inbox", "k"), s.get("inbox", "k")
    assert one == two and one is not two and one["tags"] is not two["tags"]
    one["tags"].append("mutated")
    one["nested"]["x"] = 2
    for got in (s.get("inbox", "k"), next(iter(s.records("inbox"))), s.find("inbox", lambda r: True)[0]):
        assert got["tags"] == ["a"] and got["nested"] == {"x": 1}
        got["tags"].append("again")
    assert s.get("inbox", "k")["tags"] == ["a"]
    assert s.projection("inbox")["k"][1] == ("a",)


def test_has(open_store):
    s = open_store(SPECS)
    assert s.has("inbox", "k") is False
    s.insert("inbox", "k", {}, actor="a")
    assert s.has("inbox", "k") is True
    s.delete("inbox", "k", expected_version=1, actor="a")
    assert s.has("inbox", "k") is False
    with pytest.raises(StoreError, match="unknown collection"):
        s.has("nosuch", "k")


def test_short_values_are_interned(open_store, store_dir):
    s = open_store(SPECS)
    for i in range(50):
        s.insert("inbox", f"k{i}", {"status": "op" + "en", "tags": ["vip"]}, actor="a")
    proj = s.projection("inbox")
    assert len({id(p[0]) for p in proj.values()}) == 1
    assert len({id(p[1]) for p in proj.values()}) == 1
    s.compact()
    with Store.open(store_dir, SPECS) as fresh:
        proj = fresh.projection("inbox")
        assert len({id(p[0]) for p in proj.values()}) == 1
        fresh.insert("inbox", "new", {"status": "open"}, actor="a")
        assert proj["new"][0] is proj["k0"][0]


def test_failing_derived_value_projects_none_and_warns(open_store):
    spec = CollectionSpec("inbox", derived={"n": lambda r: r["needed"]})
    s = open_store([spec])
    s.insert("inbox", "ok", {"needed": 1}, actor="a")
    s.insert("inbox", "bad", {}, actor="a")             # the write itself succeeds
    assert dict(s.projection("inbox")) == {"ok": (1,), "bad": (None,)}
    assert any("derived value 'n' failed" in w for w in s.warnings)


def test_big_int_is_refused_before_writing(open_store, store_dir):
    s = open_store(SPECS)
    with pytest.raises(ValueError, match="plain JSON"):
        s.insert("inbox", "k", {"n": 2 ** 70}, actor="a")
    assert not s.has("inbox", "k")


def test_damaged_record_line_is_detected(store_dir):
    with Store.open(store_dir, SPECS) as s:
        for i in range(3):
            s.insert("inbox", f"k{i}", {"status": "open", "text": f"t{i}"}, actor="a")
        s.compact()
    snap = store_dir / "inbox.json"
    data = snap.read_bytes()
    snap.write_bytes(data.replace(b'"text":"t1"', b'"text":"t7"'))   # bit rot
    with Store.open(store_dir, SPECS) as s:
        assert s.keys("inbox") == []
        assert any("crc32" in w and "unreadable" in w for w in s.warnings)


@pytest.fixture
def crc_in_a_thread(monkeypatch):
    """Check every snapshot's crc32 in a thread, as for a big one (1 MB and more)."""
    from data import snapshot

    monkeypatch.setattr(snapshot._Crc32, "THREAD_FROM", 0)


def _three_records(store_dir) -> bytes:
    with Store.open(store_dir, SPECS) as s:
        for i in range(3):
            s.insert("inbox", f"k{i}", {"status": "open", "text": f"t{i}"}, actor="a")
        s.compact()
    return (store_dir / "inbox.json").read_bytes()


def test_a_big_snapshot_opens_with_its_crc_checked_beside(store_dir, crc_in_a_thread):
    _three_records(store_dir)
    with Store.open(store_dir, SPECS) as s:
        assert s.keys("inbox") == ["k0", "k1", "k2"] and not s.warnings
        assert s.get("inbox", "k1")["text"] == "t1"


def test_a_big_snapshot_with_a_damaged_record_is_detected(store_dir, crc_in_a_thread):
    data = _three_records(store_dir)
    (store_dir / "inbox.json").write_bytes(data.replace(b'"text":"t1"', b'"text":"t7"'))
    with Store.open(store_dir, SPECS) as s:
        assert s.keys("inbox") == []
        assert any("crc32" in w and "unreadable" in w for w in s.warnings)


@pytest.mark.parametrize("damage", [
    (b'"lengths":[', b'"lengths":[900000000,'),   # still JSON: offsets that must not be used
    (b'"lengths":[', b'"lengths":[[['),             # no longer JSON
])
def test_a_damaged_projection_document_is_reported_as_damaged(store_dir, crc_in_a_thread, damage):
    data = _three_records(store_dir)
    path = store_dir / "inbox.json"
    path.write_bytes(data.replace(*damage))
    with pytest.raises(SnapshotError, match="damaged: crc32"):
        read_snapshot(path, "inbox")


def test_snapshot_layout_is_tinydb_and_projection_table(store_dir):
    from tinydb import TinyDB
    with Store.open(store_dir, SPECS) as s:
        s.insert("inbox", "k1", {"status": "open", "tags": ["a", "b"], "text": "x"}, actor="a")
        s.insert("inbox", "k2", {"status": "open", "text": "y\nz \"q\""}, actor="a")
        s.compact()
    db = TinyDB(store_dir / "inbox.json", encoding="utf-8")
    assert [r["_key"] for r in db.table("records").all()] == ["k1", "k2"]
    assert db.table("records").all()[1]["text"] == "y\nz \"q\""
    pdoc = db.table("_projection").all()[0]
    assert pdoc["keys"] == ["k1", "k2"] and len(pdoc["columns"]) == 5
    assert db.table("_meta").all()[0]["projected"] == list(INBOX.projected_names)
    db.close()


def test_snapshot_rewritten_by_tinydb_still_loads(store_dir):
    from tinydb import TinyDB
    with Store.open(store_dir, SPECS) as s:
        s.insert("inbox", "k1", {"status": "open", "text": "x"}, actor="a")
        s.compact()
    db = TinyDB(store_dir / "inbox.json", encoding="utf-8")
    db.table("records").update({"status": "closed"})    # edited by hand, one-line JSON
    db.close()
    with Store.open(store_dir, SPECS) as s:
        assert s.get("inbox", "k1")["status"] == "closed"
        assert s.projection("inbox")["k1"][0] == "closed"


def test_write_snapshot_with_plain_records(store_dir):
    store_dir.mkdir()
    rec = {"status": "open", "_v": 1, "_by": "z", "_at": "t", "_key": "k0"}
    write_snapshot(store_dir, "inbox", generation=1, schema_version=1, records=[rec])
    snap = read_snapshot(store_dir / "inbox.json", "inbox")
    assert snap.keys == ["k0"] and orjson.loads(snap.raws[0]) == rec and snap.projected == ()
    with Store.open(store_dir, SPECS) as s:                # projection recomputed
        assert s.projection("inbox")["k0"] == ("open", None, None, " ", False)


def _columns(rows: list[tuple]) -> list:
    from data.projection import encode_columns

    return json.loads(orjson.dumps(encode_columns(rows, 3)))   # as a snapshot holds them


@pytest.mark.parametrize("count", [0, 1, 2, 300])
def test_columns_come_back_as_the_tuples_they_were(count):
    from data.projection import Projector, decode_columns

    spec = CollectionSpec("c", fields=("status", "tags", "due"))
    rows = [(("open", "closed")[n % 2], ("vip",) if n % 3 else (), None if n % 5 else f"t{n}")
            for n in range(count)]
    assert decode_columns(_columns(rows), count, Projector(spec, print)) == rows


@pytest.mark.parametrize("bad", [-1, 2, "0", 0.5, None, [0]])
def test_a_code_that_names_no_value_makes_the_columns_unusable(bad):
    from data.projection import Projector, decode_columns

    spec = CollectionSpec("c", fields=("status", "tags", "due"))
    rows = [("open", (), None), ("closed", (), None), ("open", (), None)]
    columns = _columns(rows)
    assert isinstance(columns[0], dict) and columns[0]["values"] == ["open", "closed"]
    columns[0]["codes"][1] = bad
    assert decode_columns(columns, 3, Projector(spec, print)) is None


def test_a_plain_column_of_arrays_comes_back_as_tuples_after_a_compaction(store_dir):
    # 300 different tag lists: too many values to dictionary-encode the column
    with Store.open(store_dir, SPECS) as s:
        for n in range(300):
            s.insert("inbox", f"k{n}", {"status": "open", "tags": [f"t{n}", "x"], "text": "t"}, actor="a")
        s.compact()
    columns = read_snapshot(store_dir / "inbox.json", "inbox")
    assert isinstance(columns.columns[1], list) and columns.arrays == [1]
    with Store.open(store_dir, SPECS) as s:
        assert s.projection("inbox")["k7"][1] == ("t7", "x")
        check_all(s)


def test_columns_without_the_list_of_array_columns_are_looked_through():
    from data.projection import Projector, decode_columns

    spec = CollectionSpec("c", fields=("tags",))
    plain = [[["a", str(n)] for n in range(300)]]          # as an older snapshot holds it
    assert decode_columns(plain, 300, Projector(spec, print))[5] == (("a", "5"),)
    assert decode_columns(plain, 300, Projector(spec, print), arrays=[0])[5] == (("a", "5"),)
