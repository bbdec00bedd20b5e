"""The append-only journal: ``journal-<G>.jsonl`` files of checksummed entries.

One line is one entry, i.e. one atomic transaction::

    <crc32 of the json bytes, 8 hex digits> <json>\\n

with json = ``{"seq": N, "at": iso, "by": actor, "ops": [op, ...]}`` and op =
``{"c": collection, "k": key, "s": schema, "r": record}`` (put) or
``{"c": collection, "k": key, "d": true}`` (delete). A line without its final
newline is a torn tail (a writer died mid-write, or is writing right now).
"""
from __future__ import annotations

import json
import os
import re
import zlib
from dataclasses import dataclass
from pathlib import Path

_JOURNAL_RE = re.compile(r"^journal-([0-9]+)\.jsonl$")
_dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"),
                          allow_nan=False).encode
_loads = json.loads

# fdatasync is enough for an append (it also flushes the new file size).
_sync = getattr(os, "fdatasync", os.fsync)


def journal_name(gen: int) -> str:
    return f"journal-{gen}.jsonl"


def list_journals(directory: Path) -> list[int]:
    gens = []
    for name in os.listdir(directory):
        m = _JOURNAL_RE.match(name)
        if m:
            gens.append(int(m.group(1)))
    return sorted(gens)


def fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def encode_entry(entry: dict) -> tuple[bytes, bytes]:
    """Return (line, payload) for an entry; raises TypeError/ValueError if the
    entry is not plain JSON."""
    payload = _dumps(entry).encode("utf-8")
    line = b"%08x %s\n" % (zlib.crc32(payload), payload)
    return line, payload


def decode_checked(line: bytes):
    """(object, None) or (None, reason) for one CRC'd line without its newline:
    the shared line format of journals and log segments."""
    if len(line) < 10 or line[8:9] != b" ":
        return None, "malformed line"
    payload = line[9:]
    try:
        crc = int(line[:8], 16)
    except ValueError:
        return None, "malformed checksum"
    if zlib.crc32(payload) != crc:
        return None, "checksum mismatch"
    try:
        return _loads(payload), None
    except ValueError:
        try:                               # what orjson refuses (huge ints...)
            return json.loads(payload), None
        except ValueError as exc:
            return None, f"invalid JSON: {exc}"


def decode_line(line: bytes) -> tuple[dict | None, str | None]:
    """Parse one journal line (without its newline). Returns (entry, None) or
    (None, reason)."""
    entry, reason = decode_checked(line)
    if reason:
        return None, reason
    reason = check_entry(entry)
    if reason:
        return None, reason
    return entry, None


def write_file_atomically(directory: Path, final: Path, body: bytes, *, mode: int = 0o600) -> None:
    """Write ``body`` to ``final`` so that a crash leaves the old file or the
    new one, never a part: temp file in the same folder, fsync, rename, fsync
    of the folder. ``mode`` is the new file's permissions (less the umask):
    private by default."""
    temp = directory / f".{final.name}.tmp-{os.getpid()}-{os.urandom(3).hex()}"
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    try:
        try:
            view = memoryview(body)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, final)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_dir(directory)


def check_entry(entry) -> str | None:
    if not isinstance(entry, dict):
        return "entry is not an object"
    ops = entry.get("ops")
    if not isinstance(ops, list):
        return "entry has no ops list"
    if not isinstance(entry.get("by"), str) or not isinstance(entry.get("at"), str):
        return "entry has no by/at"
    for op in ops:
        if not isinstance(op, dict) or not isinstance(op.get("c"), str) \
                or not isinstance(op.get("k"), str):
            return "malformed op"
        if op.get("d") is True:
            continue
        if not isinstance(op.get("r"), dict) or not isinstance(op.get("s", 1), int):
            return "malformed op"
    return None


@dataclass
class Line:
    start: int          # byte offset of the line in the file
    end: int            # byte offset just past its newline
    entry: dict | None  # None when damaged
    error: str | None


class JournalFile:
    """An open journal file. ``offset`` is how far this process has applied.

    The fd stays usable after the file is unlinked by a compaction, so a
    superseded journal can still be read to its end.
    """

    def __init__(self, directory: Path, gen: int, *, create: bool = False) -> None:
        self.gen = gen
        self.path = directory / journal_name(gen)
        flags = os.O_RDWR | os.O_APPEND | getattr(os, "O_CLOEXEC", 0)
        if create:
            flags |= os.O_CREAT
        try:
            self.fd = os.open(self.path, flags, 0o600)
            self.writable = True
        except PermissionError:
            self.fd = os.open(self.path, os.O_RDONLY | getattr(os, "O_CLOEXEC", 0))
            self.writable = False
        self.offset = 0
        self.damaged = False      # had a damaged entry: keep it aside, never delete
        self.last_seq = 0

    def stat(self) -> os.stat_result:
        return os.fstat(self.fd)

    def read_new(self, *, final: bool) -> tuple[list[Line], tuple[int, int] | None]:
        """Read complete lines after ``offset`` (does not move ``offset``).

        Returns (lines, tail) where tail = (start, length) of bytes after the
        last newline, if any. When not ``final`` (no lock held, journal still
        current) a damaged *last* line is not returned: it may be a write in
        progress seen half-way, and is looked at again next time.
        """
        size = os.fstat(self.fd).st_size
        if size <= self.offset:
            return [], None
        data = _pread_all(self.fd, size - self.offset, self.offset)
        cut = data.rfind(b"\n") + 1
        tail = (self.offset + cut, len(data) - cut) if cut < len(data) else None
        lines: list[Line] = []
        pos = 0
        base = self.offset
        while pos < cut:
            nl = data.index(b"\n", pos)
            entry, error = decode_line(data[pos:nl])
            lines.append(Line(base + pos, base + nl + 1, entry, error))
            pos = nl + 1
        if not final and lines and lines[-1].entry is None:
            stale = lines.pop()
            tail = (stale.start, size - stale.start)
        return lines, tail

    def append(self, line: bytes) -> None:
        """Append one entry durably. On failure the partial bytes are cut."""
        start = os.fstat(self.fd).st_size
        try:
            view = memoryview(line)
            while view:
                written = os.write(self.fd, view)
                view = view[written:]
            _sync(self.fd)
        except BaseException:
            try:
                os.ftruncate(self.fd, start)
            except OSError:
                pass
            raise

    def truncate(self, length: int) -> None:
        os.ftruncate(self.fd, length)
        _sync(self.fd)

    def close(self) -> None:
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


def _pread_all(fd: int, length: int, offset: int) -> bytes:
    chunks = []
    while length > 0:
        chunk = os.pread(fd, length, offset)
        if not chunk:
            break
        chunks.append(chunk)
        length -= len(chunk)
        offset += len(chunk)
    return b"".join(chunks)
