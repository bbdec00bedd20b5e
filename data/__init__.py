"""socops local store: TinyDB snapshots + an append-only, checksummed journal.

Several processes (TUI sessions, the worker) share one store directory::

    lock                     writers flock() it for each write / compaction
    journal-<G>.jsonl        append-only entries, one per transaction (fsync'd)
    <collection>.json        snapshot, a TinyDB JSON database (tables
                             ``records``, ``_projection`` and ``_meta``, one
                             record per line: see data/snapshot.py);
                             generation G in _meta = includes every journal
                             with generation < G
    warnings.log             persistent notes (e.g. a snapshot set aside)
    <log>.log/<G>.jsonl      archive segments of an append-only log collection
                             (data/log.py): the log's ops of journal G

Usage::

    store = Store.open(path, [CollectionSpec(
        "inbox", schema_version=2, migrations={1: upgrade_v1},
        fields=("status", "sla_due"),                      # kept decoded
        derived={"search": lambda r: r.get("text", "").casefold()})])
    rec = store.insert("inbox", "sandbox:1", {"status": "open"}, actor="alice")
    store.update("inbox", "sandbox:1", {"status": "done"},
                 expected_version=rec["_v"], actor="alice")   # ConflictError if stale
    open_items = store.find("inbox", where("status") == "open")   # decodes all
    open_keys = [k for k, (status, due, search) in store.projection("inbox").items()
                 if status == "open"]                                # decodes none
    with store.transaction(actor="worker") as tx:              # one atomic entry
        tx.insert("inbox", "sandbox:2", {...}, if_absent=True)
        tx.insert("audit", "e-77", {...})
    store.refresh()                                            # others' writes

Append-only log collections (``CollectionSpec("audit", resident=False)``) are
not kept in memory: only their count and last record are (``store.count``,
``store.last``). They accept inserts only, whose keys must sort after the last
key (else LogConflictError, a ConflictError), in transactions like any other
op; ``store.scan("audit", after_key=k)`` streams them from disk in key order.
See data/log.py.

Records carry ``_key``, ``_v`` (version), ``_by`` and ``_at`` (ISO UTC).
In memory a record is its compact JSON text plus its *projection*, a tuple of
the values its CollectionSpec declares (``fields`` then ``derived``), so that
opening 100k records builds no per-record dict. ``get()``, ``records()`` and
``find()`` decode (fresh dicts, the caller's to keep; ``records()`` and
``find()`` decode every record: O(n)). ``projection(c)`` is a live read-only
mapping key -> projection tuple; ``has(c, key)`` tests existence. A
``Change`` carries the decoded record (shared by all callbacks: never mutate
it) and its projection. This package imports only the standard library,
tinydb and orjson.
"""
from tinydb import Query, where

from .errors import (ConflictError, LogConflictError, NotFoundError, StoreCorruptError,
                     StoreError)
from .journal import write_file_atomically
from .schema import Change, CollectionSpec
from .store import Store
from .transaction import Transaction

__all__ = [
    "Change", "CollectionSpec", "ConflictError", "LogConflictError", "NotFoundError", "Query",
    "Store", "StoreCorruptError", "StoreError", "Transaction", "where", "write_file_atomically",
]
