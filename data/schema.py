"""Collection specs, schema migrations and the Change value.

A record is a JSON object (dict). The store keeps four metadata fields in it:
``_key`` (the record's key), ``_v`` (version: 1 on insert, +1 per change),
``_by`` (actor of the last change) and ``_at`` (ISO UTC time of it).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Callable, Mapping

from .errors import StoreError

META_FIELDS = frozenset({"_key", "_v", "_by", "_at"})
_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_-]{0,63}$")
_RESERVED = frozenset({"lock", "warnings"})


@dataclass(frozen=True)
class CollectionSpec:
    """A collection this code knows, at its current schema version.

    ``migrations[n]`` turns a record of schema version ``n`` into version
    ``n + 1``. It receives a fresh dict (metadata fields included) and returns
    the new dict; metadata fields are restored afterwards if it drops them.

    ``fields`` and ``derived`` declare the record's *projection*: a tuple kept
    decoded in memory for every record (``Store.projection()``), in the order
    of :attr:`projected_names` (``fields`` then ``derived`` keys). A field
    missing from a record projects as None; a list value becomes a tuple.
    ``derived[name](record)`` computes a value from the full record whenever
    it is written, replayed or migrated; it must not mutate the record, must
    return a JSON value (lists become tuples) and should be deterministic: the
    value is stored in snapshots and recomputed only when the projected names
    change (rename a derived value when its meaning changes). A derived
    function that raises projects as None (and the store records a warning).

    ``resident=False`` declares an append-only *log collection* (see
    ``data/log.py``): inserts only, keys that sort in append order, records
    not kept in memory (read them with ``Store.scan`` / ``Store.last``),
    archived to ``<name>.log/`` segments by compaction. It has no projection
    (``fields``/``derived`` must be empty); ``migrations`` apply when records
    are read.
    """

    name: str
    schema_version: int = 1
    migrations: Mapping[int, Callable[[dict], dict]] = field(default_factory=dict)
    fields: tuple[str, ...] = ()
    derived: Mapping[str, Callable[[dict], object]] = field(default_factory=dict)
    resident: bool = True

    def __post_init__(self) -> None:
        check_collection_name(self.name)
        if not isinstance(self.resident, bool):
            raise TypeError(f"resident of {self.name} must be a bool")
        if not self.resident and (self.fields or self.derived):
            raise ValueError(f"{self.name} is not resident: it cannot have a projection "
                             f"(fields/derived)")
        if not isinstance(self.schema_version, int) or self.schema_version < 1:
            raise ValueError(f"schema_version of {self.name} must be an int >= 1")
        if isinstance(self.fields, str):
            raise TypeError(f"fields of {self.name} must be a tuple of names, not a str")
        object.__setattr__(self, "fields", tuple(self.fields))
        object.__setattr__(self, "derived", dict(self.derived))
        names = self.projected_names
        if not all(isinstance(n, str) and n for n in names):
            raise ValueError(f"projected names of {self.name} must be non-empty strings")
        if len(set(names)) != len(names):
            raise ValueError(f"projected names of {self.name} repeat: {names}")
        if not all(callable(fn) for fn in self.derived.values()):
            raise TypeError(f"derived values of {self.name} must be callables")

    @property
    def projected_names(self) -> tuple[str, ...]:
        """Names of the projection tuple's items: ``fields``, then ``derived``."""
        return self.fields + tuple(self.derived)


@dataclass(frozen=True)
class Change:
    """One record changed. ``record`` and ``projection`` are None when it was
    deleted.

    ``local`` is True when this Store instance made the change. ``record`` is
    the decoded record (one dict shared by every callback: read it, never
    mutate it); ``projection`` its projection tuple (see CollectionSpec).
    """

    collection: str
    key: str
    record: dict | None
    by: str
    at: str
    local: bool
    projection: tuple | None = None


def check_collection_name(name: str) -> None:
    if not isinstance(name, str) or not _NAME_RE.match(name) or name in _RESERVED:
        raise ValueError(
            f"invalid collection name {name!r}: use letters, digits, '_' or '-', "
            "starting with a letter (not 'lock' or 'warnings')")


def newer_schema_error(collection: str, found: int, known: int, where: str) -> StoreError:
    return StoreError(
        f"{collection} {where} was written by a newer socops "
        f"(schema {found} > {known}); upgrade socops")


def migrate(spec: CollectionSpec, record: dict, version: int, where: str) -> dict:
    """Bring ``record`` from schema ``version`` up to ``spec.schema_version``.

    Returns the same dict when nothing needs doing. Raises StoreError for a
    newer version or a missing migration step.
    """
    target = spec.schema_version
    if version == target:
        return record
    if version > target:
        raise newer_schema_error(spec.name, version, target, where)
    meta = {name: record[name] for name in META_FIELDS if name in record}
    current = record
    for step in range(version, target):
        fn = spec.migrations.get(step)
        if fn is None:
            raise StoreError(
                f"{spec.name}: no migration from schema {step} to {step + 1} "
                f"(needed for {where})")
        try:
            current = fn(dict(current))
        except Exception as exc:  # a migration bug must not look like corruption
            raise StoreError(
                f"{spec.name}: migration from schema {step} failed for "
                f"{meta.get('_key', '?')} ({where}): {exc!r}") from exc
        if not isinstance(current, dict):
            raise StoreError(f"{spec.name}: migration from schema {step} returned "
                             f"{type(current).__name__}, not dict")
    for name, value in meta.items():
        current.setdefault(name, value)
    return current


def copy_json(value):
    """Deep copy of a JSON value (dicts, lists, scalars); faster than deepcopy."""
    if isinstance(value, dict):
        return {k: (v if v is None or isinstance(v, (str, int, float, bool)) else copy_json(v))
                for k, v in value.items()}
    if isinstance(value, list):
        return [copy_json(v) for v in value]
    return value
