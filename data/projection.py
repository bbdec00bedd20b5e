"""Projections: the few values of each record kept decoded in memory.

A :class:`Projector` turns a full record into its projection tuple (see
``CollectionSpec.fields`` / ``derived``) and interns short values: each
position has its own pool, so 100k records whose status is ``"open"`` share
one string. A pool stops growing at ``POOL_CAP`` entries, so a position with
unique values (times, search text) costs no pool memory beyond that.

Snapshots store projections column-wise (``encode_columns`` /
``decode_columns``): a low-cardinality column is dictionary-encoded as
``{"values": [...], "codes": [int, ...]}``, which parses faster than the
repeated strings and comes back already interned. ``array_columns`` names
the other columns that hold arrays (JSON has no tuples): only those are
converted back at load, the rest are used as parsed.
"""
from __future__ import annotations

from operator import itemgetter
from typing import Callable

from .schema import CollectionSpec

INTERN_MAX = 40           # intern strings up to this length (and small tuples)
POOL_CAP = 4096           # distinct values per position kept in a pool
_NONE = type(None)
_DICT_TYPES = frozenset({str, bool, _NONE, tuple})


class Projector:
    """Computes projection tuples for one collection (None spec: empty)."""

    def __init__(self, spec: CollectionSpec | None, warn: Callable[[str], None]) -> None:
        self.fields: tuple[str, ...] = spec.fields if spec is not None else ()
        self.derived = tuple(spec.derived.items()) if spec is not None else ()
        self.names: tuple[str, ...] = self.fields + tuple(n for n, _ in self.derived)
        self.pools: list[dict] = [{} for _ in self.names]
        self._name = spec.name if spec is not None else "?"
        self._warn = warn
        self._failed: set[str] = set()

    def __call__(self, record: dict) -> tuple:
        if not self.names:
            return ()
        get = record.get
        out = []
        i = 0
        for name in self.fields:
            out.append(self.intern(i, get(name)))
            i += 1
        for name, fn in self.derived:
            try:
                value = fn(record)
            except Exception as exc:  # a bug in one derived value must not block the store
                value = None
                if name not in self._failed:
                    self._failed.add(name)
                    self._warn(f"{self._name}: derived value {name!r} failed for "
                               f"{record.get('_key', '?')}: {exc!r}; projected as None")
            out.append(self.intern(i, value))
            i += 1
        return tuple(out)

    def intern(self, i: int, value):
        kind = type(value)
        if kind is list:
            value = tuple(value)
            kind = tuple
        if (kind is str or kind is tuple) and len(value) <= INTERN_MAX:
            pool = self.pools[i]
            try:
                shared = pool.get(value)
            except TypeError:           # a tuple holding lists/dicts
                return value
            if shared is not None:
                return shared
            if len(pool) < POOL_CAP:
                pool[value] = value
        return value

    def seed(self, i: int, values: list) -> None:
        """Share already-decoded distinct values of position ``i`` with later writes."""
        pool = self.pools[i]
        for value in values:
            if len(pool) >= POOL_CAP:
                return
            kind = type(value)
            if (kind is str or kind is tuple) and len(value) <= INTERN_MAX:
                try:
                    pool.setdefault(value, value)
                except TypeError:
                    pass


def encode_columns(projections: list[tuple], width: int) -> list:
    """Column-wise JSON-ready form of ``projections`` (each of length ``width``)."""
    n = len(projections)
    columns = [list(c) for c in zip(*projections)] if n else [[] for _ in range(width)]
    out = []
    limit = max(256, n // 8)
    for col in columns:
        encoded = _dict_encode(col, limit)
        out.append(col if encoded is None else encoded)
    return out


def array_columns(columns: list) -> list[int]:
    """Positions of the plain (not dictionary-encoded) columns that hold tuples."""
    return [i for i, col in enumerate(columns)
            if isinstance(col, list) and not set(map(type, col)).isdisjoint((tuple, list))]


def _dict_encode(col: list, limit: int) -> dict | None:
    kinds = set(map(type, col))
    # only values that cannot compare equal across types (1 == True == 1.0)
    if not kinds <= _DICT_TYPES or (bool in kinds and len(kinds - {bool, _NONE})):
        return None
    if tuple in kinds and not all(type(x) is str for t in col if type(t) is tuple for x in t):
        return None
    index: dict = {}
    try:
        codes = [index.setdefault(v, len(index)) for v in col]
    except TypeError:
        return None
    if len(index) > limit:
        return None
    return {"values": list(index), "codes": codes}


def decode_columns(columns, n: int, projector: Projector, arrays=None) -> list[tuple] | None:
    """Projection tuples from the column-wise form (None if unusable).

    ``arrays``: the plain columns that hold arrays (see ``array_columns``);
    None (a snapshot written before it was recorded) looks through each."""
    if not isinstance(columns, list) or len(columns) != len(projector.names):
        return None
    if not isinstance(arrays, list) or not set(map(type, arrays)) <= {int}:
        arrays = None
    decoded = []
    for i, col in enumerate(columns):
        if isinstance(col, dict):
            values, codes = col.get("values"), col.get("codes")
            if not isinstance(values, list) or not isinstance(codes, list) \
                    or len(codes) != n:
                return None
            values = [tuple(v) if type(v) is list else v for v in values]
            projector.seed(i, values)
            # Looked up by code in a dict, all at once: a code that names no
            # value is a KeyError (a list would count a negative one from its
            # end), and itemgetter makes one C loop of 100k look-ups.
            by_code = dict(enumerate(projector.intern(i, v) for v in values))
            try:
                col = itemgetter(*codes)(by_code) if n > 1 else [by_code[code] for code in codes]
            except (KeyError, TypeError):
                return None
        elif isinstance(col, list) and len(col) == n:
            if (i in arrays) if arrays is not None else (list in set(map(type, col))):
                col = [tuple(v) if type(v) is list else v for v in col]
        else:
            return None
        decoded.append(col)
    if not decoded:
        return [()] * n
    return list(zip(*decoded))
