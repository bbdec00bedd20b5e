"""Buffered write operations and their resolution against the current state.

Every write, single or in a transaction, becomes a list of pending ops that
the store resolves under its file lock: each op's expectation is checked
against the latest state (with earlier ops of the same transaction applied),
and either all of them become one journal entry or none does.
"""
from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import orjson

from .errors import ConflictError, LogConflictError, NotFoundError, StoreError
from .schema import META_FIELDS, CollectionSpec, copy_json

if TYPE_CHECKING:
    from .state import State

_ABSENT = object()
_EXISTS = object()       # a stored record that an if_absent insert skips


@dataclass
class PendingOp:
    kind: str                    # insert | update | replace | delete
    collection: str
    key: str
    body: dict | None = None     # record (insert/replace) or changes (update)
    expected_version: int | None = None
    if_absent: bool = False


def check_op(specs: Mapping[str, CollectionSpec], op: PendingOp) -> PendingOp:
    """Validate arguments early against the store's declared collections
    (programming errors raise ValueError/TypeError)."""
    if op.collection not in specs:
        raise StoreError(f"collection {op.collection!r} is not declared; "
                         f"this socops cannot write to it")
    if not isinstance(op.key, str) or not op.key:
        raise ValueError(f"key must be a non-empty string, not {op.key!r}")
    if not specs[op.collection].resident:
        if op.kind != "insert":
            raise StoreError(f"{op.collection} is append-only: {op.kind} refused "
                             f"for {op.key}")
        if op.if_absent:
            raise StoreError(f"{op.collection} is append-only: if_absent is not "
                             f"supported (an insert whose key is not after the last "
                             f"one raises ConflictError)")
    if op.kind != "delete":
        if not isinstance(op.body, dict):
            raise TypeError(f"{op.kind} needs a dict, not {type(op.body).__name__}")
        bad = META_FIELDS.intersection(op.body)
        if bad:
            raise ValueError(f"{', '.join(sorted(bad))} are set by the store; "
                             f"remove them from the {op.kind}")
        try:
            orjson.dumps(op.body)      # what the store keeps in memory must encode
        except TypeError as exc:
            raise ValueError(f"record is not plain JSON: {exc}") from None
        op.body = copy_json(op.body)   # the caller may keep mutating theirs
    if op.expected_version is not None and (
            not isinstance(op.expected_version, int) or isinstance(op.expected_version, bool)):
        raise TypeError("expected_version must be an int or None")
    return op


def resolve(state: "State", ops: list[PendingOp], *, actor: str, at: str,
            ) -> tuple[list[dict], list[int | None]]:
    """Check every op; return (journal ops, index of each op's journal op or
    None when skipped). Raises ConflictError/NotFoundError, writing nothing."""
    overlay: dict[tuple[str, str], object] = {}
    out: list[dict] = []
    index: list[int | None] = []
    log_last: dict[str, dict | None] = {}        # log collection -> last record
    for op in ops:
        c, k = op.collection, op.key
        log = state.logs.get(c)
        if log is not None:                       # append-only: key after the last
            last = log_last[c] if c in log_last else log.last
            if op.kind != "insert" or op.if_absent:
                raise StoreError(f"{c} is append-only: {op.kind} refused for {k}")
            if last is not None and k <= last["_key"]:
                raise LogConflictError(c, k, last_key=last["_key"], last=last)
            new = {**op.body, "_v": 1, "_by": actor, "_at": at}
            log_last[c] = {**new, "_key": k}
            index.append(len(out))
            out.append({"c": c, "k": k, "s": state.schema[c], "r": new})
            continue
        cur = overlay.get((c, k), _ABSENT)
        if cur is _ABSENT:
            table = state.data.get(c)
            exists = table is not None and k in table
            # decode the stored record only when this op needs it
            cur = table.get(k) if exists and (op.kind != "insert" or not op.if_absent) \
                else (_EXISTS if exists else None)
        schema = state.schema[c]
        if op.kind == "insert":
            if cur is not None:
                if op.if_absent:
                    index.append(None)
                    continue
                raise _conflict(c, k, None, cur)
            new = {**op.body, "_v": 1, "_by": actor, "_at": at}
        elif op.kind == "delete":
            if cur is None:
                raise _not_found(state, c, k)
            if op.expected_version is not None and cur.get("_v") != op.expected_version:
                raise _conflict(c, k, op.expected_version, cur)
            overlay[(c, k)] = None
            index.append(len(out))
            out.append({"c": c, "k": k, "d": True})
            continue
        else:  # update / replace
            if cur is None:
                if op.expected_version is not None:
                    raise _not_found(state, c, k)
                version = 1
                base: dict = {}
            else:
                if op.expected_version is not None and cur.get("_v") != op.expected_version:
                    raise _conflict(c, k, op.expected_version, cur)
                version = _version(cur) + 1
                base = cur if op.kind == "update" else {}
            new = {**base, **op.body, "_v": version, "_by": actor, "_at": at}
            new.pop("_key", None)
        overlay[(c, k)] = new
        index.append(len(out))
        out.append({"c": c, "k": k, "s": schema, "r": new})
    return out, index


def _version(record: dict) -> int:
    v = record.get("_v")
    return v if isinstance(v, int) else 0


def _conflict(c: str, k: str, expected: int | None, cur: dict) -> ConflictError:
    return ConflictError(c, k, expected_version=expected, actual_version=cur.get("_v"),
                         changed_by=cur.get("_by"), changed_at=cur.get("_at"))


def _not_found(state: "State", c: str, k: str) -> NotFoundError:
    by, at = state.tombstones.get((c, k), (None, None))
    return NotFoundError(c, k, deleted_by=by, deleted_at=at)


class Transaction:
    """Buffered ops of ``Store.transaction()``; written on clean exit.

    After the commit ``results`` holds, per op, a copy of the resulting record
    (None for a delete or a skipped ``if_absent`` insert).
    """

    def __init__(self, specs: Mapping[str, CollectionSpec], lock: threading.RLock,
                 current_state: Callable[[], "State"], actor: str) -> None:
        # The store's declared collections, its lock and its state now: what
        # checking an op and previewing a record need of it.
        self._specs = specs
        self._lock = lock
        self._current_state = current_state
        self.actor = actor
        self._ops: list[PendingOp] = []
        self._closed = False
        self.results: list[dict | None] | None = None

    def _add(self, op: PendingOp) -> None:
        if self._closed:
            raise StoreError("this transaction is already finished")
        self._ops.append(check_op(self._specs, op))

    def insert(self, collection: str, key: str, record: dict, if_absent: bool = False) -> None:
        self._add(PendingOp("insert", collection, key, record, if_absent=if_absent))

    def update(self, collection: str, key: str, changes: dict,
               expected_version: int | None) -> None:
        self._add(PendingOp("update", collection, key, changes, expected_version))

    def replace(self, collection: str, key: str, record: dict,
                expected_version: int | None) -> None:
        self._add(PendingOp("replace", collection, key, record, expected_version))

    def delete(self, collection: str, key: str, expected_version: int | None) -> None:
        self._add(PendingOp("delete", collection, key, None, expected_version))

    def get(self, collection: str, key: str) -> dict | None:
        """Preview: the record as it would be if committed now (a copy)."""
        with self._lock:
            state = self._current_state()
            try:
                out, index = resolve(state, list(self._ops), actor=self.actor, at="")
            except StoreError:
                out = []
            record = state.record(collection, key)
            for op in out:
                if op["c"] == collection and op["k"] == key:
                    record = None if op.get("d") else copy_json({**op["r"], "_key": key})
            return record

    def __len__(self) -> int:
        return len(self._ops)
