"""The Store: snapshots + journal, shared by several processes.

See ``data/__init__.py`` for the overview. Locking: ``self._lock`` (an RLock)
guards all in-memory state inside this process; the ``lock`` file
(``fcntl.flock``) serialises writers and compaction across processes. Readers
never take the file lock.
"""
from __future__ import annotations

import fcntl
import os
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from types import MappingProxyType
from typing import Callable, Iterable, Iterator, Mapping

import orjson

from . import compaction
from . import log as logs
from .errors import StoreError
from .journal import JournalFile, encode_entry, fsync_dir, journal_name, _loads
from .notify import Notifier
from .schema import Change, CollectionSpec, copy_json
from .snapshot import snapshot_path
from .state import State, Table, consume, diff_states, load_state
from .transaction import PendingOp, Transaction, check_op, resolve

MAX_WARNINGS = 200
_decode = orjson.loads


class Store:
    """A local, multi-process, crash-safe document store.

    Reads come from memory and never block on other processes; call
    :meth:`refresh` (cheap when nothing changed) to pick up other processes'
    writes. In memory each record is its JSON text plus its projection (see
    ``CollectionSpec``): :meth:`get`, :meth:`records`, :meth:`find` and the
    write methods decode and return fresh dicts (the caller's to keep);
    :meth:`projection` gives the projections without decoding anything.
    """

    def __init__(self, directory: Path, specs: dict[str, CollectionSpec],
                 clock: Callable[[], datetime | str] | None) -> None:
        self.directory = directory
        self.warnings: list[str] = []
        self._specs = specs
        self._clock = clock
        self._lock = threading.RLock()
        self._notifier = Notifier(self._lock, self._warn)
        self._lock_fd = -1
        self._flock_depth = 0
        self._compact_mutex = threading.Lock()
        self._state: State | None = None
        self._closed = False

    # -- opening and closing ----------------------------------------------
    @classmethod
    def open(cls, directory: str | os.PathLike, specs: Iterable[CollectionSpec], *,
             clock: Callable[[], datetime | str] | None = None) -> "Store":
        directory = Path(directory)
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        by_name: dict[str, CollectionSpec] = {}
        for spec in specs:
            if spec.name in by_name:
                raise ValueError(f"collection {spec.name} is declared twice")
            by_name[spec.name] = spec
        store = cls(directory, by_name, clock)
        try:
            flags = os.O_CREAT | getattr(os, "O_CLOEXEC", 0)
            try:
                store._lock_fd = os.open(directory / "lock", os.O_RDWR | flags, 0o600)
            except PermissionError:
                store._lock_fd = os.open(directory / "lock", os.O_RDONLY | flags)
            store._make_log_dirs()
            store._state = load_state(directory, by_name, store._warn, store._flock)
        except BaseException:
            store.close()
            raise
        store._rewrite_stale()
        return store

    def _make_log_dirs(self) -> None:
        """Create ``<name>.log/`` for each declared log collection: it tells
        every process (even one not declaring it) that it is a log."""
        made = False
        for name, spec in self._specs.items():
            if spec.resident:
                logs.check_not_resident(self.directory, name)
                continue
            try:
                logs.log_dir(self.directory, name).mkdir(mode=0o700)
                made = True
            except FileExistsError:
                pass
            except PermissionError:
                pass                  # read-only for this user: reading still works
        if made:
            fsync_dir(self.directory)

    def _rewrite_stale(self) -> None:
        """A snapshot had to be decoded at load (old layout, schema migration,
        changed projection): compact once, so later opens are fast again."""
        if not self._state.stale or not self._state.journal.writable:
            return
        try:
            self._compact(None)
        except (OSError, StoreError) as exc:
            self._warn(f"could not rewrite the snapshots of "
                       f"{', '.join(sorted(self._state.stale))}: {exc}")

    def close(self) -> None:
        with self._lock:
            self._closed = True
            if self._state is not None and self._state.journal is not None:
                self._state.journal.close()
            if self._lock_fd >= 0:
                os.close(self._lock_fd)
                self._lock_fd = -1

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- reads --------------------------------------------------------------
    def get(self, collection: str, key: str) -> dict | None:
        """The record (a freshly decoded dict, the caller's to keep), or None."""
        with self._lock:
            raw = self._table(collection).raw.get(key)
        return None if raw is None else _decode(raw)

    def has(self, collection: str, key: str) -> bool:
        """True if the record exists (decodes nothing)."""
        with self._lock:
            return key in self._table(collection).raw

    def records(self, collection: str) -> Iterator[dict]:
        """Every record as of this call, decoded one by one as the iterator
        advances: O(n) decodes, meant for small collections (use
        :meth:`projection` to scan a big one)."""
        with self._lock:
            raws = list(self._table(collection).raw.values())
        return map(_decode, raws)

    def keys(self, collection: str) -> list[str]:
        with self._lock:
            return list(self._table(collection).raw)

    def count(self, collection: str) -> int:
        with self._lock:
            self._check_open()
            log = self._state.logs.get(collection)
            if log is not None:
                return log.count
            return len(self._table(collection).raw)

    # -- log collections (CollectionSpec(resident=False)) ---------------------
    def last(self, collection: str) -> dict | None:
        """The last (highest-key) record of a log collection, as this store
        knows it (call :meth:`refresh` first for other processes' appends);
        a fresh dict. Cheap: the chain head is kept in memory."""
        with self._lock:
            last = self._log(collection).last
            return None if last is None else copy_json(last)

    def scan(self, collection: str, *, after_key: str | None = None) -> Iterator[dict]:
        """Every record of a log collection with key > ``after_key`` (all when
        None), in key order, streamed from disk (archive segments, then the
        journals): fresh dicts, O(1) memory. The set of files is taken when
        iteration starts, so it may include appends this store has not
        refreshed yet. A damaged archive line raises StoreCorruptError naming
        the file and line (the records before it have been yielded)."""
        if after_key is not None and not isinstance(after_key, str):
            raise TypeError("after_key must be a str or None")
        with self._lock:
            self._log(collection)
            spec = self._specs.get(collection)
        return logs.scan(self.directory, collection, spec, after_key)

    def _log(self, collection: str) -> "logs.LogState":
        self._check_open()
        log = self._state.logs.get(collection)
        if log is None:
            if collection in self._state.data:
                raise StoreError(f"{collection} is not an append-only log collection")
            raise StoreError(f"unknown collection {collection!r}")
        return log

    def find(self, collection: str, query: Callable[[dict], bool]) -> list[dict]:
        """Records for which ``query`` (e.g. ``where("status") == "open"``) is
        true, as fresh dicts. Decodes every record (O(n)): for big collections
        filter :meth:`projection` and :meth:`get` the few that match."""
        return [r for r in self.records(collection) if query(r)]

    def projection(self, collection: str) -> Mapping[str, tuple]:
        """Live, read-only mapping key -> projection tuple (items named by
        ``CollectionSpec.projected_names``; ``()`` for a collection this code
        does not declare). Iterating it decodes nothing. It follows every
        write and refresh of this store (even a reload from disk), so iterate
        it on the thread that calls :meth:`refresh` and writes, or take a
        copy first (``dict(mapping)`` is one step under the GIL)."""
        with self._lock:
            return MappingProxyType(self._table(collection).proj)

    def projected_names(self, collection: str) -> tuple[str, ...]:
        with self._lock:
            return self._table(collection).projector.names

    def _table(self, collection: str) -> Table:
        self._check_open()
        table = self._state.data.get(collection)
        if table is None:
            if collection in self._state.logs:
                raise StoreError(f"{collection} is an append-only log collection, not "
                                 f"kept in memory: read it with scan() or last()")
            raise StoreError(f"unknown collection {collection!r}")
        return table

    # -- writes -------------------------------------------------------------
    def insert(self, collection: str, key: str, record: dict, *, actor: str) -> dict:
        return self._write([PendingOp("insert", collection, key, record)], actor)[0]

    def update(self, collection: str, key: str, changes: dict, *,
               expected_version: int | None, actor: str) -> dict:
        op = PendingOp("update", collection, key, changes, expected_version)
        return self._write([op], actor)[0]

    def replace(self, collection: str, key: str, record: dict, *,
                expected_version: int | None, actor: str) -> dict:
        op = PendingOp("replace", collection, key, record, expected_version)
        return self._write([op], actor)[0]

    def delete(self, collection: str, key: str, *, expected_version: int | None,
               actor: str) -> None:
        self._write([PendingOp("delete", collection, key, None, expected_version)], actor)

    @contextmanager
    def transaction(self, *, actor: str) -> Iterator[Transaction]:
        """Buffer ops; on a clean exit write them as ONE journal entry, or
        nothing at all if any check fails (the error is raised)."""
        _check_actor(actor)
        tx = Transaction(self._specs, self._lock, lambda: self._state, actor)
        try:
            yield tx
        finally:
            tx._closed = True
        tx.results = self._write(tx._ops, actor, checked=True)

    def _write(self, ops: list[PendingOp], actor: str, checked: bool = False) -> list:
        _check_actor(actor)
        if not checked:
            ops = [check_op(self._specs, op) for op in ops]
        try:
            with self._lock:
                self._check_open()
                if not self._state.journal.writable:
                    raise StoreError(f"{self.directory} is read-only for this user")
                with self._flock():
                    self._catch_up(locked=True)
                    at = self._now()
                    out, index = resolve(self._state, ops, actor=actor, at=at)
                    applied: list[dict] = []
                    if out:
                        applied = self._append(out, actor, at)
                    return [copy_json(applied[i]) if i is not None and applied[i] else None
                            for i in index]
        finally:
            self._notifier.drain()

    def _append(self, ops: list[dict], actor: str, at: str) -> list[dict | None]:
        jf = self._state.journal
        entry = {"seq": jf.last_seq + 1, "at": at, "by": actor, "ops": ops}
        try:
            line, payload = encode_entry(entry)
        except (TypeError, ValueError, RecursionError) as exc:
            raise ValueError(f"record is not plain JSON: {exc}") from None
        try:
            jf.append(line)
        except OSError as exc:
            raise StoreError(f"could not write {jf.path}: {exc}") from exc
        jf.offset += len(line)
        jf.last_seq += 1
        # Apply what was written, re-read from its JSON: memory then holds
        # exactly what a replay will produce, and shares nothing with callers.
        written = _loads(payload)
        changes = self._state.apply_entry(written, jf.gen, True, journal_name(jf.gen))
        self._notifier.pending.extend(changes)
        return [None if op.get("d") else op["r"] for op in written["ops"]]

    # -- other processes' writes ------------------------------------------
    def refresh(self) -> list[Change]:
        """Apply other processes' new journal entries; returns the changes."""
        try:
            with self._lock:
                self._check_open()
                return self._catch_up(locked=False)
        finally:
            self._notifier.drain()

    def _catch_up(self, *, locked: bool) -> list[Change]:
        state = self._state
        changes: list[Change] = []
        while True:
            jf = state.journal
            info = jf.stat()
            if info.st_size < jf.offset:         # cut below what we applied: by hand?
                self._warn(f"{jf.path} shrank below what this session had read; "
                           f"reloading the store from disk")
                changes += self._reload()
                state = self._state
                continue
            if info.st_size > jf.offset:
                new, _ = self._consume(jf, final=locked)
                changes += new
            following = self.directory / journal_name(jf.gen + 1)
            if info.st_nlink and not os.path.exists(following):
                break
            # A compaction superseded this journal: it is final, read it to
            # its end, then move to the next one (or reload if it is gone).
            new, tail = self._consume(jf, final=True)
            changes += new
            if tail is not None:
                self._warn(f"{jf.path}: ignored a torn entry at byte {tail[0]} "
                           f"({tail[1]} bytes) left by a writer that crashed")
            try:
                state.journal = JournalFile(self.directory, jf.gen + 1)
            except FileNotFoundError:
                changes += self._reload()    # it went too: several compactions
                state = self._state
                continue
            jf.close()
        if locked:
            self._cut_torn_tail(state.journal)
        return changes

    def _consume(self, jf: JournalFile, final: bool):
        new: list[Change] = []
        try:
            _, tail = consume(self._state, jf, final=final, local=False, warn=self._warn,
                              changes=new)
        finally:
            self._notifier.pending.extend(new)
        return new, tail

    def _cut_torn_tail(self, jf: JournalFile) -> None:
        size = jf.stat().st_size
        if size > jf.offset:
            if not jf.writable:
                return
            jf.truncate(jf.offset)
            self._warn(f"{jf.path}: discarded a torn entry at byte {jf.offset} "
                       f"({size - jf.offset} bytes) left by a writer that crashed")

    def _reload(self) -> list[Change]:
        """Several compactions happened since we last looked: rebuild from disk
        and report the difference."""
        old = self._state
        new = load_state(self.directory, self._specs, self._warn, self._flock)
        changes = diff_states(old, new)
        if old.journal is not None:
            old.journal.close()
        for name, table in new.data.items():   # keep projection() mappings live
            if name in old.data:
                old.data[name].adopt(table)
        for name, log in new.logs.items():      # appends we had not seen
            before = old.logs.get(name)
            changes += self._log_changes(name, before.last_key if before else None,
                                         log.last_key)
        self._state = new
        self._notifier.pending.extend(changes)
        return changes

    def _log_changes(self, name: str, after: str | None, upto: str | None) -> list[Change]:
        if upto is None or (after is not None and upto <= after):
            return []
        out = []
        try:
            for record in logs.scan(self.directory, name, self._specs.get(name), after):
                if record["_key"] > upto:
                    break
                out.append(Change(name, record["_key"], record, record.get("_by", "?"),
                                  record.get("_at", ""), False, ()))
        except (StoreError, OSError) as exc:
            self._warn(f"could not read the {name} events appended meanwhile: {exc}")
        return out

    # -- change notification ------------------------------------------------
    def on_change(self, callback: Callable[[list[Change]], None]) -> Callable[[], None]:
        """Call ``callback(changes)`` after each committed local write and each
        refresh that applied something. It runs on whichever thread made or
        picked up the change, outside the store's lock; exceptions are caught
        and recorded in ``warnings``. Returns a function that stops the calls
        (for a screen that goes away while the store stays open)."""
        self._notifier.add(callback)
        return lambda: self._notifier.remove(callback)

    # -- compaction ---------------------------------------------------------
    def compact(self) -> None:
        """Write fresh snapshots and start a new, empty journal generation.

        Other threads may keep reading (and writing) while the snapshots are
        written; other processes' writers wait for the file lock."""
        self._compact(None)

    def maybe_compact(self, max_journal_bytes: int = 8_000_000) -> bool:
        """Compact if the current journal is larger than ``max_journal_bytes``."""
        with self._lock:
            self._check_open()
            if self._state.journal.stat().st_size <= max_journal_bytes:
                return False
        return self._compact(max_journal_bytes)

    def _compact(self, threshold: int | None) -> bool:
        with self._compact_mutex:             # one compaction at a time per process
            try:
                with self._lock:
                    self._check_writable()
                    self._lock_file()
                try:
                    with self._lock:
                        self._catch_up(locked=True)
                        if threshold is not None and \
                                self._state.journal.stat().st_size <= threshold:
                            return False       # someone else just compacted
                        state = self._state
                        plan = compaction.begin(state, self.directory, now=self._now())
                        plan.warn = self._warn
                    compaction.write_all(plan, self.directory)
                    with self._lock:
                        if self._state is state:
                            compaction.finish(plan, state, self.directory, self._warn)
                    return True
                finally:
                    with self._lock:
                        self._unlock_file()
            finally:
                self._notifier.drain()

    # -- misc ---------------------------------------------------------------
    def stats(self) -> dict:
        with self._lock:
            self._check_open()
            state = self._state
            sizes = {}
            for name in state.data:
                try:
                    sizes[name] = snapshot_path(self.directory, name).stat().st_size
                except FileNotFoundError:
                    sizes[name] = 0
            log_stats = {}
            for name, log in sorted(state.logs.items()):
                folder = logs.log_dir(self.directory, name)
                segments = {}
                for gen in logs.list_segments(self.directory, name):
                    try:
                        segments[logs.segment_name(gen)] = \
                            (folder / logs.segment_name(gen)).stat().st_size
                    except FileNotFoundError:
                        pass
                log_stats[name] = {"count": log.count, "last_key": log.last_key,
                                   "segments": len(segments),
                                   "segment_bytes": sum(segments.values()),
                                   "segment_sizes": segments}
            return {
                "directory": str(self.directory),
                "generation": state.journal.gen,
                "journal_bytes": state.journal.stat().st_size,
                "counts": {**{name: len(t) for name, t in state.data.items()},
                           **{name: log.count for name, log in state.logs.items()}},
                "logs": log_stats,
                "projected": {name: t.projector.names for name, t in state.data.items()},
                "snapshot_bytes": sizes,
                "schema_versions": dict(state.schema),
                "warnings": list(self.warnings),
            }

    @contextmanager
    def _flock(self):
        """Hold the cross-process file lock (call with ``self._lock`` held).

        flock() belongs to the open file, shared by all threads, so it is
        counted: while a compaction holds it, other threads' writes proceed
        under ``self._lock`` alone, which is safe (they go to the new journal).
        """
        self._lock_file()
        try:
            yield
        finally:
            self._unlock_file()

    def _lock_file(self) -> None:
        if self._flock_depth == 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_EX)
        self._flock_depth += 1

    def _unlock_file(self) -> None:
        self._flock_depth -= 1
        if self._flock_depth == 0 and self._lock_fd >= 0:
            fcntl.flock(self._lock_fd, fcntl.LOCK_UN)

    def _now(self) -> str:
        if self._clock is None:
            return datetime.now(timezone.utc).isoformat(timespec="microseconds")
        value = self._clock()
        if isinstance(value, datetime):
            if value.tzinfo is None:
                value = value.replace(tzinfo=timezone.utc)
            return value.astimezone(timezone.utc).isoformat(timespec="microseconds")
        return str(value)

    def _warn(self, message: str) -> None:
        with self._lock:
            if message not in self.warnings:
                self.warnings.append(message)
                del self.warnings[:-MAX_WARNINGS]

    def _check_open(self) -> None:
        if self._closed or self._state is None:
            raise StoreError("the store is closed")

    def _check_writable(self) -> None:
        self._check_open()
        if not self._state.journal.writable:
            raise StoreError(f"{self.directory} is read-only for this user")


def _check_actor(actor: str) -> None:
    if not isinstance(actor, str) or not actor:
        raise ValueError("actor must be a non-empty string")
