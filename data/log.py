"""Append-only, non-resident *log collections* (``CollectionSpec(resident=False)``).

A log collection (e.g. ``audit``) only ever gets inserts; its records are not
kept in memory. Per log collection a Store keeps only :class:`LogState`: the
record count, the last (highest-key) record, and a few generation numbers.

Keys are strings chosen by the caller that sort (``str`` order) in append
order, e.g. zero-padded sequence numbers ``"000000000042"``. Because only the
last key is known, "this key exists" is decided as "this key is <= the last
key": an insert whose key is not greater than the last key raises
:class:`~data.errors.LogConflictError` (a ConflictError naming the last key,
its actor and time). Two processes racing to append the same next key are
thus told apart (one wins, the other re-reads ``Store.last`` and retries).

On disk::

    journal-<G>.jsonl          the log's inserts are ordinary put ops
                               {"c","k","s","r"} of journal entries (same
                               entry, same fsync as the other ops)
    <name>.log/                created when the collection is first declared;
                               its presence marks <name> as a log collection
                               for every process, even one not declaring it
    <name>.log/<G:08d>.jsonl   archive segment: the log's ops of journal G,
                               written by the compaction that retired G

A segment is written atomically (temp file, fsync, rename, fsync dir) BEFORE
its journal is deleted. Each line is ``<crc32 8 hex> <json>\\n`` like the
journal. Line 1 is the *header*::

    {"log": name, "gen": G, "before": N, "count": n,
     "first_key": k, "last_key": k, "last": {"k","s","r"}}

(``before`` = records in all earlier segments, ``last`` = the segment's last
op), the other lines are the ops ``{"k": key, "s": schema, "r": record}`` in
key order. The head of the log (count and last record) is therefore the
header of the newest segment, plus the journals' ops: opening a store reads
one line of one segment, whatever the size of the archive.

Crash safety: replay (opening) skips journal G's ops of a log when segment G
exists (the segment has them; its header counts them), so a crash between
writing the segment and deleting the journal neither loses nor duplicates an
event; a crash before the rename leaves only a temp file (removed by the next
compaction) and the journal is replayed and archived next time.

``scan`` streams the segments, then the journals' ops: it reads from disk
(big chunks, orjson), checks every line's CRC and raises StoreCorruptError
naming the file and line for a damaged segment line. Opening never reads
segment bodies, so it never fails because of such damage (a damaged newest
header is worked around with a warning).
"""
from __future__ import annotations

import os
import re
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import orjson

from .errors import StoreCorruptError, StoreError
from .journal import (check_entry, decode_checked, journal_name, list_journals,
                      write_file_atomically)
from .schema import CollectionSpec, migrate

LOG_SUFFIX = ".log"
_DIR_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,63})\.log$")
_SEGMENT_RE = re.compile(r"^([0-9]{8,})\.jsonl$")
_TEMP_RE = re.compile(r"^\.[0-9]+\.jsonl\.tmp-")
CHUNK = 1 << 22                     # scan reads 4 MiB at a time
_loads = orjson.loads
_dumps = orjson.dumps


@dataclass
class LogState:
    """What a Store keeps in memory for one log collection."""

    name: str
    count: int = 0
    last: dict | None = None            # decoded, migrated, with _key
    # segments that existed when this state was loaded, for journals still on
    # disk: replay skips those journals' ops of this log (archived already)
    skip_gens: frozenset = frozenset()
    # journal generations whose ops of this log were applied and may not be
    # archived yet: the next compaction writes their segments
    pending: set = field(default_factory=set)

    @property
    def last_key(self) -> str | None:
        return None if self.last is None else self.last["_key"]


def log_dir(directory: Path, name: str) -> Path:
    return directory / f"{name}{LOG_SUFFIX}"


def segment_name(gen: int) -> str:
    return f"{gen:08d}.jsonl"


def segment_path(directory: Path, name: str, gen: int) -> Path:
    return log_dir(directory, name) / segment_name(gen)


def list_log_dirs(directory: Path) -> list[str]:
    out = []
    for entry in os.listdir(directory):
        m = _DIR_RE.match(entry)
        if m and os.path.isdir(directory / entry):
            out.append(m.group(1))
    return sorted(out)


def list_segments(directory: Path, name: str) -> list[int]:
    try:
        entries = os.listdir(log_dir(directory, name))
    except FileNotFoundError:
        return []
    return sorted(int(m.group(1)) for m in map(_SEGMENT_RE.match, entries) if m)


def remove_temp(directory: Path, name: str) -> None:
    folder = log_dir(directory, name)
    try:
        entries = os.listdir(folder)
    except FileNotFoundError:
        return
    for entry in entries:
        if _TEMP_RE.match(entry):
            try:
                os.unlink(folder / entry)
            except OSError:
                pass


# -- lines ------------------------------------------------------------------
def encode_line(obj) -> bytes:
    payload = _dumps(obj)
    return b"%08x %s\n" % (zlib.crc32(payload), payload)


decode_line = decode_checked


def _check_op(op) -> bool:
    return isinstance(op, dict) and isinstance(op.get("k"), str) \
        and isinstance(op.get("r"), dict) and isinstance(op.get("s", 1), int)


def to_record(op: dict, spec: CollectionSpec | None, where: str) -> dict:
    record = op["r"]
    if spec is not None:
        record = migrate(spec, record, op.get("s", 1), where)
    record["_key"] = op["k"]
    return record


# -- segment heads ----------------------------------------------------------
@dataclass
class Head:
    gen: int
    total: int                 # records up to and including this segment
    last: dict | None          # the last op {"k","s","r"}


class SegmentError(Exception):
    pass


def read_header(path: Path) -> dict:
    with open(path, "rb") as fh:
        line = fh.readline(1 << 24)
    if not line.endswith(b"\n"):
        raise SegmentError("truncated header")
    header, reason = decode_line(line[:-1])
    if header is None:
        raise SegmentError(reason)
    if not isinstance(header, dict) or not isinstance(header.get("before"), int) \
            or not isinstance(header.get("count"), int) \
            or not (header.get("last") is None or _check_op(header.get("last"))):
        raise SegmentError("bad header")
    return header


def newest_head(directory: Path, name: str, gens: list[int],
                warn: Callable[[str], None]) -> Head | None:
    """The head of the archive (None if it has no segment). Reads the header
    line of the newest segment; if that is damaged, walks back to a readable
    header and counts the records of the damaged segments after it."""
    if not gens:
        return None
    bad: list[int] = []
    base: Head | None = None
    for gen in reversed(gens):
        path = segment_path(directory, name, gen)
        try:
            header = read_header(path)
        except (OSError, SegmentError) as exc:
            warn(f"{path}: unreadable segment header ({exc}); the count of {name} "
                 f"is recomputed from its lines — run a scan to check the archive")
            bad.append(gen)
            continue
        base = Head(gen, header["before"] + header["count"], header["last"])
        break
    if base is None:
        base = Head(0, 0, None)
    for gen in reversed(bad):
        total, last = base.total, base.last
        for op in _tolerant_ops(segment_path(directory, name, gen)):
            total += 1
            last = op
        base = Head(gen, total, last)
    return base


def _tolerant_ops(path: Path) -> Iterator[dict]:
    """Valid ops of a (damaged) segment, skipping what cannot be read."""
    try:
        fh = open(path, "rb")
    except OSError:
        return
    with fh:
        for line in fh:
            if not line.endswith(b"\n"):
                break
            obj, _ = decode_line(line[:-1])
            if _check_op(obj) and "log" not in obj:
                yield obj


# -- archiving (compaction) ---------------------------------------------------
def journal_log_ops(path: Path, names: Iterable[str]) -> dict[str, list[dict]]:
    """The put ops of each log in ``names`` found in journal ``path`` (complete,
    undamaged lines only, exactly what a replay applies), in order."""
    wanted = {n: [] for n in names}
    needles = [b'"%s"' % n.encode() for n in wanted]
    with open(path, "rb") as fh:
        data = fh.read()
    data = data[:data.rfind(b"\n") + 1]
    for line in data.split(b"\n")[:-1]:
        if not any(needle in line for needle in needles):
            continue
        entry, _ = decode_line(line)
        if entry is None or check_entry(entry) is not None:
            continue                            # replay skips it too
        for op in entry["ops"]:
            ops = wanted.get(op["c"])
            if ops is not None and op.get("d") is not True:
                ops.append({"k": op["k"], "s": op.get("s", 1), "r": op["r"]})
    return wanted


def write_segment(directory: Path, name: str, gen: int, ops: list[dict],
                  before: int) -> int:
    """Write segment ``gen`` atomically; returns its size."""
    header = {"log": name, "gen": gen, "before": before, "count": len(ops),
              "first_key": ops[0]["k"], "last_key": ops[-1]["k"], "last": ops[-1]}
    body = b"".join([encode_line(header), *map(encode_line, ops)])
    folder = log_dir(directory, name)
    folder.mkdir(mode=0o700, exist_ok=True)
    write_file_atomically(folder, folder / segment_name(gen), body)
    return len(body)


def archive(directory: Path, name: str, gens: list[int],
            warn: Callable[[str], None]) -> list[int]:
    """Write the missing segments of journals ``gens`` (file lock held).
    Returns the generations now archived (written, already there, or without
    ops of this log)."""
    done = []
    for gen in sorted(gens):
        if segment_path(directory, name, gen).exists():
            done.append(gen)
            continue
        try:
            ops = journal_log_ops(directory / journal_name(gen), [name])[name]
        except FileNotFoundError:
            warn(f"{journal_name(gen)} disappeared before its {name} events were "
                 f"archived: they are missing from {log_dir(directory, name)}")
            done.append(gen)
            continue
        if ops:
            existing = list_segments(directory, name)
            later = [g for g in existing if g > gen]
            if later:
                warn(f"{name}: archiving journal {gen} after segment {later[0]}: "
                     f"the archive is out of order")
            head = newest_head(directory, name, [g for g in existing if g < gen], warn)
            write_segment(directory, name, gen, ops, head.total if head else 0)
        done.append(gen)
    return done


# -- loading ------------------------------------------------------------------
def load_log(directory: Path, name: str, spec: CollectionSpec | None,
             journal_gens: list[int], warn: Callable[[str], None]) -> LogState:
    """Log state from the archive's head (call after opening the journals)."""
    gens = list_segments(directory, name)
    state = LogState(name)
    head = newest_head(directory, name, gens, warn)
    if head is not None:
        state.count = head.total
        if head.last is not None:
            where = f"{name}.log/{segment_name(head.gen)}"
            state.last = to_record(head.last, spec, where)
    low = min(journal_gens, default=0)
    state.skip_gens = frozenset(g for g in gens if g >= low)
    return state


# -- scanning -------------------------------------------------------------------
def scan(directory: Path, name: str, spec: CollectionSpec | None,
         after_key: str | None) -> Iterator[dict]:
    """Every record of log ``name`` with key > ``after_key``, in key order,
    from disk: segments, then journals. The set of files is taken at the
    first ``next()``; O(1) memory beyond one read chunk."""
    fds: dict[int, int] = {}
    try:
        # open the journals first: one archived meanwhile keeps its fd, and
        # its segment is then in the listing below
        for gen in list_journals(directory):
            try:
                fds[gen] = os.open(directory / journal_name(gen),
                                   os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            except FileNotFoundError:
                pass
        gens = list_segments(directory, name)
        last = after_key
        for gen in gens:
            path = segment_path(directory, name, gen)
            if last is not None:
                try:
                    header = read_header(path)
                except (OSError, SegmentError):
                    header = None
                if header is not None and isinstance(header.get("last_key"), str) \
                        and header["last_key"] <= last:
                    continue                    # nothing new in it
            last = (yield from _scan_segment(path, spec, last)) or last
        archived = set(gens)
        needle = b'"%s"' % name.encode()
        for gen in sorted(fds):
            if gen in archived:
                continue
            where = journal_name(gen)
            for line in _lines(fds[gen]):
                if needle not in line:
                    continue
                entry, _ = decode_line(line)
                if entry is None or check_entry(entry) is not None:
                    continue        # damaged journal entries are not applied either
                for op in entry["ops"]:
                    if op["c"] != name or op.get("d") is True:
                        continue
                    if last is not None and op["k"] <= last:
                        continue
                    record = to_record(op, spec, where)
                    yield record
                    last = record["_key"]
    finally:
        for fd in fds.values():
            os.close(fd)


def _lines(fd: int) -> Iterator[bytes]:
    """Complete lines of a file (a torn tail is left out)."""
    rest = b""
    offset = 0
    while True:
        chunk = os.pread(fd, CHUNK, offset)
        if not chunk:
            return
        offset += len(chunk)
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield from lines


def _scan_segment(path: Path, spec: CollectionSpec | None, after: str | None):
    """Yield the records of one segment with key > ``after``; return the
    last key yielded (None if none)."""
    where = f"{path.parent.name}/{path.name}"
    target = spec.schema_version if spec is not None else None
    crc32 = zlib.crc32
    loads = _loads
    number = 0
    last = None
    with open(path, "rb", buffering=0) as fh:
        rest = b""
        while True:
            chunk = fh.read(CHUNK)
            if not chunk:
                break
            lines = (rest + chunk).split(b"\n")
            rest = lines.pop()
            for line in lines:
                number += 1
                if number == 1:
                    header, reason = decode_line(line)
                    if header is None or not isinstance(header, dict) or "log" not in header:
                        raise _corrupt(path, 1, reason or "bad header")
                    continue
                # fast path; any doubt goes to the careful decoder
                try:
                    payload = line[9:]
                    if crc32(payload) != int(line[:8], 16) or line[8] != 32:
                        raise ValueError
                    op = loads(payload)
                    key = op["k"]
                    record = op["r"]
                    schema = op.get("s", 1)
                    if type(key) is not str or type(record) is not dict:
                        raise ValueError
                except (ValueError, KeyError, TypeError):
                    op, reason = decode_line(line)
                    if op is None or not _check_op(op):
                        raise _corrupt(path, number, reason or "malformed record") from None
                    key, record, schema = op["k"], op["r"], op.get("s", 1)
                if after is not None:
                    if key <= after:
                        continue
                    after = None                # keys increase from here on
                if schema != target and spec is not None:
                    record = migrate(spec, record, schema, where)
                record["_key"] = key
                last = key
                yield record
        if rest:
            raise _corrupt(path, number + 1, "truncated line (no newline at the end)")
        if number == 0:
            raise _corrupt(path, 1, "empty segment")
    return last


def _corrupt(path: Path, line: int, reason: str) -> StoreCorruptError:
    error = StoreCorruptError(f"{path}: line {line}: {reason}")
    error.path, error.line = path, line
    return error


def check_not_resident(directory: Path, name: str) -> None:
    """Refuse a log directory that a resident declaration would break."""
    if log_dir(directory, name).is_dir():
        raise StoreError(
            f"{name} is an append-only log collection in {directory} ({name}.log/ "
            f"exists): declare it with CollectionSpec({name!r}, resident=False)")
