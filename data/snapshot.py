"""Per-collection snapshots: ``<collection>.json``, a TinyDB JSON database.

Layout ("socops-lines-1"); it is one JSON object (what ``tinydb.TinyDB(path,
encoding="utf-8")`` sees), written with a newline after each part so it can
be loaded line by line without building one dict per record::

    {"_meta":{"1":{"generation":G,"schema_version":n,"collection":name,
                   "layout":"socops-lines-1","count":N,"projected":[names],
                   "crc32":C,...}},
    "_projection":{"1":{"keys":[k1,...],"starts":[...],"lengths":[...],
                        "columns":[col,...],"arrays":[i,...]}},
    "records":{
    "1":{record 1 as compact JSON, with _key/_v/_by/_at}
    ,"2":{record 2}
    ...
    }}

* ``records`` holds the records themselves, as before: one per line, each
  line exactly the record's compact JSON text (orjson output never contains
  a newline). ``starts``/``lengths`` locate each record's text in the bytes
  after the ``"records":{`` line, so loading slices them out (C-level, no
  parsing) and keeps them as they are: records are parsed only when read
  (``Store.get`` etc.).
* ``_projection`` holds every record's projection column-wise (see
  ``data/projection.py``), in the order of ``records``; ``projected`` names
  the columns, ``arrays`` (absent in older files) the plain ones holding arrays. If they differ from what the code declares (or the document is
  missing or unusable) projections are recomputed by decoding every record.
* ``crc32`` covers every byte after the first line; with ``count`` it detects
  a damaged or truncated file (then set aside like invalid JSON).

``generation`` G means: this snapshot includes every entry of every journal
whose generation is < G. Any other valid layout (an old snapshot whose
``records`` documents are plain records, or a file rewritten by TinyDB) is
read with one full JSON parse and its records re-encoded: that is the slow,
one-off migration path. Writes are atomic (temp file in the same directory,
fsync, rename, fsync of the directory).
"""
from __future__ import annotations

import gc
import mmap
import os
import re
import threading
import zlib
from itertools import accumulate
from itertools import repeat
from operator import add
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterable

import orjson

from .journal import fsync_dir, write_file_atomically
from .projection import array_columns, encode_columns

SUFFIX = ".json"
_NAME_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,63})\.json$")
_CORRUPT_RE = re.compile(r"^([A-Za-z][A-Za-z0-9_-]{0,63})\.json\.corrupt-")
_TEMP_RE = re.compile(r"^\.[A-Za-z][A-Za-z0-9_-]*\.json\.tmp-")


@contextmanager
def gc_paused():
    """Pause the cyclic GC while loading: building many containers triggers
    repeated collections over them that cost about a third of the time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class SnapshotError(Exception):
    """The snapshot file exists but cannot be used (reason in str())."""


@dataclass
class Snapshot:
    collection: str
    generation: int
    schema_version: int
    keys: list[str]
    raws: list[bytes] | None = None      # fast layout: record JSON texts
    docs: list[dict] | None = None       # other layouts: decoded records
    projected: tuple[str, ...] | None = None
    columns: list | None = None          # column-wise projections (undecoded)
    arrays: list | None = None           # the plain columns that hold arrays (None: unknown)
    skipped: int = 0          # documents without a usable _key
    size: int = 0


def snapshot_path(directory: Path, name: str) -> Path:
    return directory / f"{name}{SUFFIX}"


def list_snapshots(directory: Path) -> list[str]:
    names = []
    for entry in os.listdir(directory):
        m = _NAME_RE.match(entry)
        if m and m.group(1) not in ("lock", "warnings"):
            names.append(m.group(1))
    return sorted(names)


def list_corrupt(directory: Path) -> list[str]:
    return sorted(e for e in os.listdir(directory) if _CORRUPT_RE.match(e))


def list_temp(directory: Path) -> list[str]:
    return sorted(e for e in os.listdir(directory) if _TEMP_RE.match(e))


LAYOUT = "socops-lines-1"
_HEAD = b'{"_meta":{"1":'
_PROJ = b'"_projection":{"1":'
_RECORDS = b'"records":{\n'
_END = b"}}"


def read_snapshot(path: Path, name: str) -> Snapshot:
    """Load a snapshot. FileNotFoundError if absent, SnapshotError if unusable."""
    with open(path, "rb") as fh:
        first = fh.readline()
        if first.startswith(_HEAD) and b'"layout":"%s"' % LAYOUT.encode() in first:
            return _read_lines(fh, first, name)
        fh.seek(0)
        raw = fh.read()
    return _read_any(raw, name)


def _check_meta(meta, name: str) -> tuple[int, int]:
    if not isinstance(meta, dict):
        raise SnapshotError("bad _meta document")
    generation = meta.get("generation")
    schema = meta.get("schema_version")
    if not isinstance(generation, int) or generation < 0 \
            or not isinstance(schema, int) or schema < 1:
        raise SnapshotError("bad generation or schema_version in _meta")
    if meta.get("collection", name) != name:
        raise SnapshotError(f"_meta says it belongs to {meta.get('collection')!r}")
    return generation, schema


def _read_lines(fh, first: bytes, name: str) -> Snapshot:
    try:
        meta = orjson.loads(first[len(_HEAD):-3])        # cut '},\n'
    except ValueError as exc:
        raise SnapshotError(f"not valid JSON: {exc}") from None
    generation, schema = _check_meta(meta, name)
    count, crc_expected = meta.get("count"), meta.get("crc32")
    if not isinstance(count, int) or not isinstance(crc_expected, int) \
            or not first.endswith(b"},\n"):
        raise SnapshotError("bad count or crc32 in _meta")
    size = os.fstat(fh.fileno()).st_size
    if size < len(first) + len(_PROJ) + len(_RECORDS) + len(_END):
        raise SnapshotError("not valid JSON: the file is truncated")
    # map the file rather than read() it: no second copy of the records
    flags = mmap.MAP_SHARED | getattr(mmap, "MAP_POPULATE", 0)
    with mmap.mmap(fh.fileno(), size, flags=flags, prot=mmap.PROT_READ) as whole:
        return _read_mapped(whole, len(first), meta, name, size)


def _read_mapped(whole, pos: int, meta: dict, name: str, size: int) -> Snapshot:
    count = meta["count"]
    end = whole.find(b"\n", pos) + 1                    # past the _projection line
    base = end + len(_RECORDS)                           # where the records start
    if end <= 0 or whole[pos:pos + len(_PROJ)] != _PROJ \
            or whole[end - 3:end] != b"},\n" or whole[end:base] != _RECORDS:
        raise SnapshotError("damaged: bad _projection or records line")
    if whole[-len(_END):] != _END:
        raise SnapshotError("not valid JSON: the file is truncated")
    # The projection document is parsed while the crc32 is computed (see
    # _Crc32); nothing of the file is used before the crc32 matched.
    crc = _Crc32(whole, pos)
    try:
        try:
            with gc_paused(), memoryview(whole) as view, \
                    view[pos + len(_PROJ):end - 3] as doc:
                pdoc = orjson.loads(doc)
        except ValueError as exc:
            pdoc, problem = None, SnapshotError(f"not valid JSON: {exc}")
        else:
            problem = None
    finally:
        value = crc.result()          # also before the map is closed: the thread reads it
    if value != meta["crc32"]:
        raise SnapshotError("damaged: crc32 does not match _meta")
    if problem is not None:
        raise problem
    if not isinstance(pdoc, dict):
        raise SnapshotError("bad _projection document")
    keys, starts, lengths = pdoc.get("keys"), pdoc.get("starts"), pdoc.get("lengths")
    if not all(isinstance(x, list) and len(x) == count for x in (keys, starts, lengths)) \
            or not set(map(type, keys)) <= {str}:
        raise SnapshotError("bad keys, starts or lengths in _projection")
    # the crc matched: the records are where the writer put them
    try:
        with gc_paused():
            starts = list(map(add, starts, repeat(base)))
            raws = list(map(whole.__getitem__, map(slice, starts, map(add, starts, lengths))))
    except TypeError:
        raise SnapshotError("bad starts or lengths in _projection") from None
    projected = meta.get("projected")
    columns = pdoc.get("columns")
    if not isinstance(projected, list) or not isinstance(columns, list):
        projected, columns = None, None
    else:
        projected = tuple(projected)
    return Snapshot(name, meta["generation"], meta["schema_version"], keys, raws=raws,
                    projected=projected, columns=columns, arrays=pdoc.get("arrays"), size=size)


class _Crc32:
    """The crc32 of ``whole[pos:]``, computed in a thread of its own when the
    file is big: zlib releases the GIL, so on a second core checking 100 MB
    (about 50 ms) happens while the projections are parsed."""

    THREAD_FROM = 1 << 20            # bytes; below, a thread costs more than it saves

    def __init__(self, whole, pos: int) -> None:
        self._whole, self._pos = whole, pos
        self._value: int | None = None
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        if len(whole) - pos >= self.THREAD_FROM:
            self._thread = threading.Thread(target=self._compute, name="snapshot-crc32", daemon=True)
            self._thread.start()
        else:
            self._compute()

    def _compute(self) -> None:
        try:
            with memoryview(self._whole) as view, view[self._pos:] as tail:
                self._value = zlib.crc32(tail)
        except BaseException as exc:   # raised by result(), in the reading thread
            self._error = exc

    def result(self) -> int:
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._error is not None:
            raise self._error
        assert self._value is not None
        return self._value


def _read_any(raw: bytes, name: str) -> Snapshot:
    size = len(raw)
    try:
        with gc_paused():
            data = orjson.loads(raw)         # also rejects invalid UTF-8
    except (ValueError, RecursionError) as exc:
        raise SnapshotError(f"not valid JSON: {exc}") from None
    del raw                                  # keep the peak memory down
    if not isinstance(data, dict):
        raise SnapshotError("top level is not an object")
    meta_table = data.get("_meta")
    if not isinstance(meta_table, dict) or len(meta_table) != 1:
        raise SnapshotError("missing _meta table")
    generation, schema = _check_meta(next(iter(meta_table.values())), name)
    table = data.get("records", {})
    if not isinstance(table, dict):
        raise SnapshotError("records table is not an object")
    keys: list[str] = []
    docs: list[dict] = []
    skipped = 0
    for doc in table.values():
        key = doc.get("_key") if isinstance(doc, dict) else None
        if isinstance(key, str):
            keys.append(key)
            docs.append(doc)
        else:
            skipped += 1
    return Snapshot(name, generation, schema, keys, docs=docs, skipped=skipped, size=size)


def write_snapshot(directory: Path, name: str, *, generation: int, schema_version: int,
                   records: Iterable[dict] | None = None,
                   rows: tuple[list[str], list[bytes], list[tuple]] | None = None,
                   projected: tuple[str, ...] = ()) -> int:
    """Write ``<name>.json`` atomically; returns its size in bytes.

    Give either ``rows`` = (keys, record JSON texts, projection tuples named
    by ``projected``), or ``records`` (dicts with ``_key``; written with an
    empty projection, which a collection with projected values recomputes).
    """
    if records is not None:
        docs = list(records)
        keys = [r["_key"] for r in docs]
        raws = [orjson.dumps(r) for r in docs]
        projections: list[tuple] = [()] * len(docs)
        projected = ()
    else:
        keys, raws, projections = rows
    lines = [b',"%d":%s\n' % (i, r) for i, r in enumerate(raws, 1)]
    if lines:
        lines[0] = lines[0][1:]
    lengths = [len(r) for r in raws]
    starts = list(accumulate(map(len, lines), initial=0))
    starts.pop()
    starts = [s + len(line) - n - 1 for s, line, n in zip(starts, lines, lengths)]
    lines.append(_END)
    records = b"".join(lines)
    del lines
    try:
        columns = encode_columns(projections, len(projected))
        pdoc = orjson.dumps({"keys": keys, "starts": starts, "lengths": lengths,
                             "columns": columns, "arrays": array_columns(columns)})
        names: list[str] | None = list(projected)
    except TypeError:                  # a derived value that is not JSON: recompute at load
        pdoc = orjson.dumps({"keys": keys, "starts": starts, "lengths": lengths,
                             "columns": None})
        names = None
    rest = b"".join((_PROJ, pdoc, b"},\n", _RECORDS, records))
    del records
    meta = {"generation": generation, "schema_version": schema_version,
            "collection": name, "layout": LAYOUT, "count": len(raws),
            "projected": names, "crc32": zlib.crc32(rest),
            "written_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    body = b"".join((_HEAD, orjson.dumps(meta), b"},\n", rest))
    del rest
    write_file_atomically(directory, snapshot_path(directory, name), body)
    return len(body)


def move_aside(path: Path) -> Path:
    """Rename an unusable file to ``<name>.corrupt-<UTC time>`` (never overwrite)."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    target = path.with_name(f"{path.name}.corrupt-{stamp}")
    n = 1
    while target.exists():
        n += 1
        target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    while True:
        try:
            os.link(path, target)      # fails instead of overwriting
            break
        except FileExistsError:
            n += 1
            target = path.with_name(f"{path.name}.corrupt-{stamp}-{n}")
    os.unlink(path)
    fsync_dir(path.parent)
    return target
