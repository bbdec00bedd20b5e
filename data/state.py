"""In-memory state of a store and how it is built from the files on disk.

Each collection is a :class:`Table` of two dicts in the same key order:
``raw[key]`` is the record's compact JSON text (bytes, with ``_key``/``_v``/
``_by``/``_at``) and ``proj[key]`` its projection tuple. Records are decoded
only when read; both values are immutable, so applying an op stores new ones.

Log collections (``CollectionSpec(resident=False)``, or any collection with a
``<name>.log/`` directory) have no Table: only a :class:`~data.log.LogState`
in ``State.logs`` (count, last record), see ``data/log.py``.
"""
from __future__ import annotations

import os
import time
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Callable, Mapping

import orjson

from .errors import StoreError
from .journal import JournalFile, Line, fsync_dir, journal_name, list_journals
from .log import LogState, check_not_resident, list_log_dirs, load_log
from .projection import Projector, decode_columns
from .schema import Change, CollectionSpec, migrate, newer_schema_error
from .snapshot import (Snapshot, SnapshotError, gc_paused, list_corrupt, list_snapshots,
                       move_aside, read_snapshot, snapshot_path)

MAX_TOMBSTONES = 10_000
_loads = orjson.loads
_dumps = orjson.dumps


class Table:
    """One collection's records: JSON texts plus projections, same key order."""

    __slots__ = ("raw", "proj", "projector")

    def __init__(self, projector: Projector) -> None:
        self.raw: dict[str, bytes] = {}
        self.proj: dict[str, tuple] = {}
        self.projector = projector

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, key: str) -> bool:
        return key in self.raw

    def get(self, key: str) -> dict | None:
        """A freshly decoded record, or None."""
        raw = self.raw.get(key)
        return None if raw is None else _loads(raw)

    def put(self, key: str, record: dict) -> tuple:
        """Store ``record`` (given ``_key`` here); returns its projection."""
        record["_key"] = key
        # orjson hands back its write buffer at the size it grew to (4 KB for a
        # 300-byte record, 64 KB for a 5 KB one); this text is kept for the life
        # of the process, so it is copied to its own size.
        raw = memoryview(_dumps(record)).tobytes()
        projection = self.projector(record)
        self.raw[key] = raw
        self.proj[key] = projection
        return projection

    def pop(self, key: str) -> bool:
        self.proj.pop(key, None)
        return self.raw.pop(key, None) is not None

    def adopt(self, other: "Table") -> None:
        """Take ``other``'s content into this table's dicts (which callers of
        ``Store.projection`` may hold), then let ``other`` share them."""
        self.raw.clear()
        self.raw.update(other.raw)
        self.proj.clear()
        self.proj.update(other.proj)
        self.projector = other.projector
        other.raw, other.proj = self.raw, self.proj


class State:
    def __init__(self, specs: Mapping[str, CollectionSpec],
                 warn: Callable[[str], None] = lambda message: None) -> None:
        self.specs = specs
        self.warn = warn
        self.data: dict[str, Table] = {name: self.new_table(name)
                                       for name, spec in specs.items() if spec.resident}
        self.logs: dict[str, LogState] = {name: LogState(name)
                                          for name, spec in specs.items() if not spec.resident}
        # schema version of the in-memory records; for collections this code
        # does not know, the version they were found at on disk.
        self.schema: dict[str, int] = {n: s.schema_version for n, s in specs.items()}
        # unknown collections only: keys whose schema differs from schema[c]
        self.foreign: dict[str, dict[str, int]] = {}
        self.since: dict[str, int] = {}       # snapshot generation per collection
        self.tombstones: dict[tuple[str, str], tuple[str, str]] = {}
        self.damaged_gens: set[int] = set()
        self.journal: JournalFile | None = None
        # collections whose snapshot had to be decoded (old layout, migration,
        # changed projection): rewriting it makes the next open fast again
        self.stale: set[str] = set()

    def new_table(self, name: str) -> Table:
        return Table(Projector(self.specs.get(name), self.warn))

    def table(self, name: str) -> Table:
        table = self.data.get(name)
        if table is None:
            table = self.data[name] = self.new_table(name)
        return table

    def record(self, collection: str, key: str) -> dict | None:
        log = self.logs.get(collection)
        if log is not None:
            return orjson.loads(_dumps(log.last)) if key == log.last_key else None
        table = self.data.get(collection)
        return None if table is None else table.get(key)

    # -- applying journal entries -------------------------------------
    def check_entry(self, entry: dict, where: str) -> None:
        """Refuse an entry this code cannot apply, before touching anything."""
        for op in entry["ops"]:
            spec = self.specs.get(op["c"])
            if spec is not None and "d" not in op and op.get("s", 1) > spec.schema_version:
                raise newer_schema_error(op["c"], op.get("s", 1), spec.schema_version, where)

    def apply_entry(self, entry: dict, gen: int, local: bool, where: str) -> list[Change]:
        changes = []
        by = entry["by"]
        for op in entry["ops"]:
            c, k = op["c"], op["k"]
            log = self.logs.get(c)
            if log is not None:
                if gen in log.skip_gens or op.get("d") is True:
                    continue                  # archived already / not a log op
                record = op["r"]
                spec = self.specs.get(c)
                if spec is not None:
                    record = migrate(spec, record, op.get("s", 1), where)
                record["_key"] = k
                log.count += 1
                log.last = record
                log.pending.add(gen)
                changes.append(Change(c, k, record, by, record.get("_at", entry["at"]),
                                      local, ()))
                continue
            if self.since.get(c, 0) > gen:
                continue                      # the snapshot already has it
            table = self.table(c)
            if op.get("d") is True:
                existed = table.pop(k)
                self.foreign.get(c, {}).pop(k, None)
                self.tombstones[(c, k)] = (by, entry["at"])
                if len(self.tombstones) > MAX_TOMBSTONES:
                    del self.tombstones[next(iter(self.tombstones))]
                if existed:
                    changes.append(Change(c, k, None, by, entry["at"], local))
                continue
            record = op["r"]
            version = op.get("s", 1)
            spec = self.specs.get(c)
            if spec is not None:
                record = migrate(spec, record, version, where)
            else:
                self._note_foreign(c, k, version)
            projection = table.put(k, record)
            self.tombstones.pop((c, k), None)
            changes.append(Change(c, k, record, by, record.get("_at", entry["at"]), local,
                                  projection))
        return changes

    def _note_foreign(self, c: str, k: str, version: int) -> None:
        base = self.schema.setdefault(c, version)
        odd = self.foreign.setdefault(c, {})
        if version == base:
            odd.pop(k, None)
        else:
            odd[k] = version

    def load_snapshot(self, snap: Snapshot) -> None:
        name = snap.collection
        spec = self.specs.get(name)
        table = self.new_table(name)
        projector = table.projector
        if spec is None:
            self.schema[name] = snap.schema_version
        migrating = spec is not None and snap.schema_version != spec.schema_version
        where = f"snapshot {name}.json"
        if snap.raws is not None and not migrating:
            projections = None
            if snap.projected == projector.names:
                projections = decode_columns(snap.columns, len(snap.keys), projector, snap.arrays)
            if projections is None:           # recompute from the records
                self.stale.add(name)
                projections = [projector(_loads(raw)) for raw in snap.raws]
            table.raw = dict(zip(snap.keys, snap.raws))
            table.proj = dict(zip(snap.keys, projections))
        else:
            if spec is not None:
                self.stale.add(name)
            docs = snap.docs if snap.docs is not None else map(_loads, snap.raws)
            for key, doc in zip(snap.keys, docs):
                if migrating:
                    doc = migrate(spec, doc, snap.schema_version, where)
                table.put(key, doc)
        if len(table.raw) != len(table.proj):   # duplicate keys in a hand-made file
            table.proj = {k: table.proj[k] for k in table.raw}
        self.data[name] = table
        self.since[name] = snap.generation


def diff_states(old: State, new: State) -> list[Change]:
    """Changes that turn ``old`` into ``new`` (after a reload)."""
    changes: list[Change] = []
    for name in sorted(set(old.data) | set(new.data)):
        before = old.data[name] if name in old.data else None
        after = new.data[name] if name in new.data else None
        before_raw = before.raw if before is not None else {}
        after_raw = after.raw if after is not None else {}
        for key, raw in after_raw.items():
            was = before_raw.get(key)
            if was == raw:
                continue
            record = _loads(raw)
            if was is not None and _loads(was) == record:
                continue
            changes.append(Change(name, key, record, record.get("_by", "?"),
                                  record.get("_at", ""), False, after.proj[key]))
        for key in before_raw.keys() - after_raw.keys():
            by, at = new.tombstones.get((name, key), ("?", ""))
            changes.append(Change(name, key, None, by, at, False))
    return changes


def consume(state: State, jf: JournalFile, *, final: bool, local: bool,
            warn: Callable[[str], None], changes: list[Change] | None = None,
            ) -> tuple[list[Change], tuple[int, int] | None]:
    """Apply the complete new lines of ``jf``; advance its offset entry by
    entry (so a refused entry is retried, not skipped). Changes are appended
    to ``changes`` as they are applied (kept even if a later entry raises);
    returns them and the torn/partial tail, if any."""
    lines, tail = jf.read_new(final=final)
    if changes is None:
        changes = []
    where = journal_name(jf.gen)
    for line in lines:
        if line.entry is None:
            _warn_damaged(warn, state, jf, line)
        else:
            state.check_entry(line.entry, where)
            changes.extend(state.apply_entry(line.entry, jf.gen, local, where))
            seq = line.entry.get("seq")
            if isinstance(seq, int) and seq > jf.last_seq:
                jf.last_seq = seq
        jf.offset = line.end
    return changes, tail


def _warn_damaged(warn, state: State, jf: JournalFile, line: Line) -> None:
    jf.damaged = True
    state.damaged_gens.add(jf.gen)
    warn(f"{jf.path}: skipped a damaged entry at byte {line.start} "
         f"({line.end - line.start} bytes, {line.error}); it will be kept "
         f"aside at the next compaction")


def load_state(directory: Path, specs: Mapping[str, CollectionSpec],
               warn: Callable[[str], None],
               locked: Callable[[], AbstractContextManager]) -> State:
    """Build the state from snapshots + journals, coping with a concurrent
    compaction (retry) and with corrupt files (set aside, warn, go on)."""
    with gc_paused():
        return _load_state(directory, specs, warn, locked)


def _load_state(directory, specs, warn, locked) -> State:
    for attempt in range(100):
        gens = list_journals(directory)
        files: dict[int, JournalFile] = {}
        try:
            for g in gens:
                files[g] = JournalFile(directory, g)
        except FileNotFoundError:         # a compaction removed it meanwhile
            _close_all(files)
            time.sleep(0.005)
            continue
        state = State(specs, warn)
        moved: list[str] = []
        retry = False
        # after opening the journals: a journal archived meanwhile is still
        # readable, and its segment is then listed (its ops are skipped)
        for name in list_log_dirs(directory):
            spec = specs.get(name)
            if spec is not None and spec.resident:
                _close_all(files)
                check_not_resident(directory, name)
        for name in sorted(set(state.logs) | set(list_log_dirs(directory))):
            state.logs[name] = load_log(directory, name, specs.get(name), gens, warn)
        for name in list_snapshots(directory):
            if name in state.logs:
                _close_all(files)
                raise StoreError(
                    f"{directory / (name + '.json')} is a snapshot of {name}, which is an "
                    f"append-only log collection here ({name}.log/): it was written by "
                    f"a socops that kept {name} in memory; move its records to the log "
                    f"before opening this store")
            try:
                state.load_snapshot(_read_or_set_aside(directory, name, warn, locked, moved))
            except FileNotFoundError:
                continue
            except _Retry:
                retry = True
                break
            except BaseException:
                _close_all(files)
                raise
        top = max(gens, default=0)
        need = max([1, *state.since.values(),
                    *(max(log.skip_gens) + 1 for log in state.logs.values() if log.skip_gens)])
        if retry or need > top:
            _close_all(files)
            if not retry and (not gens or attempt >= 3):
                # no journal at all, or the newest is gone: create it (locked,
                # so no compaction is half-way)
                with locked():
                    if max(list_journals(directory), default=0) < need:
                        JournalFile(directory, need, create=True).close()
                        fsync_dir(directory)
            else:
                time.sleep(0.005)
            continue
        try:
            _replay(state, files, top, warn)
        except BaseException:
            _close_all(files)
            raise
        state.journal = files.pop(top)
        _close_all(files)
        first = min(gens)
        for name, since in sorted(state.since.items()):
            if 0 < since < first:
                warn(f"{name} snapshot is from generation {since} but the oldest "
                     f"journal is {journal_name(first)}: changes made in between "
                     f"may be missing — see socops doctor")
        for name in list_corrupt(directory):
            if name in moved:
                continue
            warn(f"{directory / name} is a snapshot that was unreadable and set "
                 f"aside; its records may be missing until restored — see socops doctor")
        return state
    raise StoreError(f"{directory}: the store kept changing while being opened; try again")


def _replay(state: State, files: dict[int, JournalFile], top: int, warn) -> None:
    for g in sorted(files):
        jf = files[g]
        _, tail = consume(state, jf, final=g != top, local=False, warn=warn)
        if tail is not None:
            start, length = tail
            if g != top:
                warn(f"{jf.path}: ignored a torn entry at byte {start} ({length} bytes) "
                     f"left by a writer that crashed")
            else:
                warn(f"{jf.path}: ignored an incomplete entry at byte {start} "
                     f"({length} bytes): a writer crashed mid-write (or is writing "
                     f"now); the next write discards it")


class _Retry(Exception):
    pass


def _read_or_set_aside(directory: Path, name: str, warn, locked, moved) -> Snapshot:
    path = snapshot_path(directory, name)
    try:
        snap = read_snapshot(path, name)
    except SnapshotError:
        pass
    else:
        if snap.skipped:
            warn(f"{path}: skipped {snap.skipped} records without a key")
        return snap
    with locked():                  # no compaction can replace it meanwhile
        try:
            read_snapshot(path, name)
        except SnapshotError as exc:
            reason = str(exc)
        else:
            raise _Retry()          # it was replaced by a compaction: start over
        aside = move_aside(path)
        moved.append(aside.name)
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
        note = (f"{stamp} {name} snapshot was unreadable ({reason}); moved to "
                f"{aside}; its records are missing until restored\n")
        with open(directory / "warnings.log", "a", encoding="utf-8") as fh:
            fh.write(note)
            fh.flush()
            os.fsync(fh.fileno())
    warn(f"{name} snapshot was unreadable ({reason}); moved to {aside}; its records "
         f"are missing until restored — see socops doctor")
    raise FileNotFoundError(path)   # load it as absent: replay all journals


def _close_all(files: dict[int, JournalFile]) -> None:
    for jf in files.values():
        jf.close()
    files.clear()
