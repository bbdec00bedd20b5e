"""Property test: random writes through two Store instances, compactions and
reopens always agree with a plain-dict model."""
from __future__ import annotations

import shutil
import tempfile

from hypothesis import HealthCheck, given, settings, strategies as st

from data import CollectionSpec, ConflictError, NotFoundError, Store

SPECS = [CollectionSpec("inbox"), CollectionSpec("audit")]
keys = st.sampled_from(["a", "b", "c", "d"])
values = st.dictionaries(st.sampled_from(["x", "y", "txt"]),
                         st.one_of(st.integers(-2**63, 2**64 - 1), st.text(max_size=8),
                                   st.none(), st.lists(st.integers(-2**63, 2**64 - 1),
                                                       max_size=2)), max_size=3)
# (integers beyond 64 bits are refused by the store: see test_big_int_is_refused)
ops = st.lists(st.one_of(
    st.tuples(st.just("insert"), st.integers(0, 1), keys, values),
    st.tuples(st.just("update"), st.integers(0, 1), keys, values, st.booleans()),
    st.tuples(st.just("replace"), st.integers(0, 1), keys, values, st.booleans()),
    st.tuples(st.just("delete"), st.integers(0, 1), keys, st.booleans()),
    st.tuples(st.just("tx"), st.integers(0, 1), keys, keys, values),
    st.tuples(st.just("compact"), st.integers(0, 1)),
    st.tuples(st.just("reopen"), st.integers(0, 1)),
    st.tuples(st.just("refresh"), st.integers(0, 1)),
), max_size=40)


def strip(rec):
    return {k: v for k, v in rec.items() if not k.startswith("_")}


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
def test_store_matches_model(program):
    root = tempfile.mkdtemp()
    stores = [Store.open(root, SPECS), Store.open(root, SPECS)]
    model: dict[str, dict] = {}
    version: dict[str, int] = {}
    try:
        for op in program:
            kind, i = op[0], op[1]
            s = stores[i]
            if kind == "insert":
                _, _, k, v = op
                try:
                    s.insert("inbox", k, v, actor="p")
                    assert k not in model
                    model[k], version[k] = dict(v), 1
                except ConflictError:
                    assert k in model
            elif kind in ("update", "replace"):
                _, _, k, v, stale = op
                expected = version.get(k, 1) - (1 if stale else 0)
                method = s.update if kind == "update" else s.replace
                try:
                    method("inbox", k, v, expected_version=expected, actor="p")
                    assert k in model and not stale
                    model[k] = {**model[k], **v} if kind == "update" else dict(v)
                    version[k] += 1
                except ConflictError:
                    assert k in model and (stale or expected != version[k])
                except NotFoundError:
                    assert k not in model
            elif kind == "delete":
                _, _, k, stale = op
                expected = version.get(k, 1) - (1 if stale else 0)
                try:
                    s.delete("inbox", k, expected_version=expected, actor="p")
                    assert k in model and not stale
                    del model[k], version[k]
                except ConflictError:
                    assert stale
                except NotFoundError:
                    assert k not in model
            elif kind == "tx":
                _, _, k1, k2, v = op
                try:
                    with s.transaction(actor="p") as tx:
                        tx.insert("audit", f"e{len(program)}-{k1}{k2}", v, if_absent=True)
                        tx.update("inbox", k1, v, expected_version=None)
                        tx.delete("inbox", k2, expected_version=None)
                    model[k1] = {**model.get(k1, {}), **v}
                    version[k1] = version.get(k1, 0) + 1
                    del model[k2], version[k2]
                except NotFoundError:
                    assert k2 not in model and k1 != k2 or k1 == k2 and k1 not in model
            elif kind == "compact":
                s.compact()
            elif kind == "reopen":
                s.close()
                stores[i] = Store.open(root, SPECS)
            elif kind == "refresh":
                s.refresh()
        for s in stores:
            s.refresh()
            assert {r["_key"]: strip(r) for r in s.records("inbox")} == model
            assert {r["_key"]: r["_v"] for r in s.records("inbox")} == version
            assert s.warnings == []
        with Store.open(root, SPECS) as fresh:
            assert {r["_key"]: strip(r) for r in fresh.records("inbox")} == model
    finally:
        for s in stores:
            s.close()
        shutil.rmtree(root, ignore_errors=True)
