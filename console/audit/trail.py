"""The tamper-evident audit trail: who did what, to what, and when.

Every state change made through a service appends an event in the *same*
store transaction as the change (one journal entry, one fsync), so a crash
can never keep one without the other. Events form a hash chain: each carries
the hash of the one before, and its own hash over its fields; the chain's head
(last sequence number and hash) is kept apart in ``audit_head`` and updated in
the same transaction, so removing events from the end is detected too.

Appending is optimistic: the head's version is compare-and-set, so when two
processes append at once one of them retries its whole change (see
:meth:`AuditTrail.apply`). Verification (:func:`verify_chain`) names the first
event that was changed, removed, inserted or reordered.
"""

from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import threading
import time

import orjson
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from datetime import datetime
from typing import Any, TextIO

from console.permissions import AUDIT_EXPORT, AUDIT_READ, Actor
from console.errors import StorageProblem
from console.records import format_time
from data import CollectionSpec, ConflictError, Store, StoreCorruptError

AUDIT = "audit"
AUDIT_HEAD = "audit_head"
HEAD_KEY = "head"
GENESIS = "0" * 64
MAX_ATTEMPTS = 25
#: The writers' turn file, next to the store's own files.
TURN_FILE = "audit-turn.lock"
#: How long an audited change waits for its turn before it goes ahead on its own
#: (optimistically, retrying on conflict as before): a stuck holder never blocks
#: the others for longer than this.
TURN_WAIT_S = 3.0

AUDIT_COLLECTIONS = (
    CollectionSpec(AUDIT, schema_version=1, resident=False),
    CollectionSpec(AUDIT_HEAD, schema_version=1),
)

_FIELDS = ("seq", "at", "actor", "action", "target", "summary", "prev")


@dataclass(frozen=True)
class AuditNote:
    """What a change says about itself: an action on a target, briefly."""

    action: str      # e.g. "inbox.close", "user.add", "login.failed"
    target: str      # e.g. "inbox/sandbox:123", "user/bob"
    summary: str     # e.g. "status open -> closed"


def event_key(seq: int) -> str:
    return f"{seq:012d}"


def event_hash(event: dict) -> str:
    """SHA-256 over the event's fields (not its own hash), canonically encoded:
    a JSON array of the fields in a fixed order, UTF-8, no spaces (orjson's
    output for strings, integers and null is deterministic)."""
    return hashlib.sha256(orjson.dumps([event.get(name) for name in _FIELDS])).hexdigest()


class WritersTurn:
    """One audited change at a time, across processes and threads.

    Every audited change appends to one chain, so two writers always conflict
    on its head. Retrying alone is not fair: a person's change that takes
    50 ms (a policy check, say) loses every race against a worker that appends
    every few milliseconds, and fails as "too busy". Taking turns on a file
    lock (``flock``, one open file per turn, so threads of one process wait for
    each other too) lets each change through in order. A nested change in the
    same thread already has the turn. A writer that cannot get the turn within
    :data:`TURN_WAIT_S`, or cannot open the file (a read-only store), goes
    ahead without it: the compare-and-set on the chain's head keeps the chain
    whole either way.
    """

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._local = threading.local()

    @contextmanager
    def taken(self) -> Iterator[None]:
        if getattr(self._local, "depth", 0) or self.path is None:
            self._local.depth = getattr(self._local, "depth", 0) + 1
            try:
                yield
            finally:
                self._local.depth -= 1
            return
        fd = self._wait_for_turn()
        self._local.depth = 1
        try:
            yield
        finally:
            self._local.depth = 0
            if fd >= 0:
                os.close(fd)              # closing the file gives the turn up

    def _wait_for_turn(self) -> int:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError:
            return -1
        deadline = time.monotonic() + TURN_WAIT_S
        pause = 0.001
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return fd
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    return -1
                time.sleep(pause)
                pause = min(pause * 2, 0.02)
            except OSError:
                os.close(fd)
                return -1


class AuditTrail:
    """Appends events to the chain, together with the changes they describe."""

    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock
        directory = getattr(store, "directory", None)
        self.turn = WritersTurn(Path(directory) / TURN_FILE if directory is not None else None)

    def apply(self, actor: str, change: Callable[[Any], AuditNote | Iterable[AuditNote] | None]) -> Any:
        """Run ``change(tx)`` in a transaction and append its notes to the chain.

        ``change`` adds its own operations to ``tx`` and returns the note(s)
        to record (or None for nothing to record). If another process appended
        to the chain meanwhile, the whole change runs again on fresh state; a
        conflict on the change's own records propagates to the caller.
        Returns what ``change`` returned. Audited writers take turns
        (:class:`WritersTurn`), so a slow change is not starved by fast ones.
        """
        with self.turn.taken():
            return self._apply(actor, change)

    def _apply(self, actor: str, change: Callable[[Any], AuditNote | Iterable[AuditNote] | None]) -> Any:
        for _ in range(MAX_ATTEMPTS):
            head = self.store.get(AUDIT_HEAD, HEAD_KEY)
            try:
                with self.store.transaction(actor=actor) as tx:
                    notes = change(tx)
                    listed = [notes] if isinstance(notes, AuditNote) else list(notes or ())
                    self._append(tx, actor, listed, head)
                return notes
            except ConflictError as error:
                if error.collection not in (AUDIT, AUDIT_HEAD):
                    raise
                self.store.refresh()
        raise StorageProblem(f"the audit trail was too busy to append after {MAX_ATTEMPTS} attempts; "
                             "nothing was changed; retry")

    def _append(self, tx, actor: str, notes: list[AuditNote], head: dict | None) -> None:
        if not notes:
            return
        seq = head["seq"] if head else 0
        previous = head["hash"] if head else GENESIS
        at = format_time(self.clock())
        for note in notes:
            seq += 1
            event = {"seq": seq, "at": at, "actor": actor, "action": note.action,
                     "target": note.target, "summary": note.summary[:500], "prev": previous}
            event["hash"] = previous = event_hash(event)
            tx.insert(AUDIT, event_key(seq), event)
        values = {"seq": seq, "hash": previous}
        if head is None:
            tx.insert(AUDIT_HEAD, HEAD_KEY, values)
        else:
            tx.update(AUDIT_HEAD, HEAD_KEY, values, expected_version=head["_v"])

    # -- reading ----------------------------------------------------------------------
    def events(self) -> Iterator[dict]:
        """Every event, oldest first (unchecked: for the services themselves)."""
        return _scan(self.store)

    def events_after(self, seq: int) -> Iterator[dict]:
        """The events after event ``seq``, oldest first (unchecked; the archive
        segments before it are skipped by their headers, not read)."""
        return self.store.scan(AUDIT, after_key=event_key(seq)) if seq > 0 else _scan(self.store)

    def verify(self, actor: Actor) -> VerifyResult:
        """Check the whole chain against its head; names the first bad event."""
        actor.require(AUDIT_READ)
        checked = []
        try:
            return verify_chain(_counting(self.events(), checked), self.head())
        except StoreCorruptError as error:
            # A line whose checksum no longer matches: changed on disk by hand.
            return VerifyResult(False, len(checked), f"the stored trail is damaged: {error}",
                                len(checked) + 1)

    def export(self, actor: Actor, out: TextIO, *, fmt: str, since: datetime | None) -> int:
        """Write a compliance archive (a high-risk action: it needs a fresh code)."""
        actor.require(AUDIT_EXPORT)
        count = export_events(self.events(), out, fmt=fmt, since=since)

        def note(tx) -> AuditNote:
            return AuditNote("audit.export", "audit", f"{count} events as {fmt}"
                             + (f" since {format_time(since)}" if since else ""))

        self.apply(actor.name, note)
        return count

    def list(self, actor: Actor, *, limit: int = 500, actor_name: str = "", action: str = "",
             text: str = "") -> list[dict]:
        """The newest events first, filtered (for the Audit screen)."""
        actor.require(AUDIT_READ)
        needle = text.casefold()
        head = self.head()
        if not (actor_name or action or needle) and head and head["seq"] > limit:
            # Unfiltered: only the newest ``limit`` are shown, so read only those
            # (the archive segments before them are skipped by their headers).
            events = self.store.scan(AUDIT, after_key=event_key(head["seq"] - limit))
        else:
            events = self.events()
        found = [e for e in events
                 if (not actor_name or e.get("actor") == actor_name)
                 and (not action or e.get("action", "").startswith(action))
                 and (not needle or needle in " ".join(str(e.get(k, "")) for k in
                                                       ("actor", "action", "target", "summary")).casefold())]
        return found[-limit:][::-1]

    def head(self) -> dict | None:
        return self.store.get(AUDIT_HEAD, HEAD_KEY)


def _counting(events: Iterable[dict], seen: list) -> Iterator[dict]:
    for event in events:
        seen.append(None)
        yield event


def _scan(store: Store) -> Iterator[dict]:
    return store.scan(AUDIT)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    problem: str = ""
    first_bad_seq: int | None = None

    def describe(self) -> str:
        if self.ok:
            return f"audit trail intact: {self.checked} events, chain and head agree"
        return f"audit trail broken at event {self.first_bad_seq}: {self.problem}"


def verify_chain(events: Iterable[dict], head: dict | None) -> VerifyResult:
    """Check the chain event by event; name the first one that is wrong."""
    previous = GENESIS
    expected_seq = 1
    checked = 0
    for event in events:
        seq = event.get("seq")
        if seq != expected_seq:
            kind = ("removed" if isinstance(seq, int) and seq > expected_seq
                    else "inserted or reordered")
            return VerifyResult(False, checked, f"expected event {expected_seq} but found event {seq}: "
                                f"events were {kind}", expected_seq)
        if event.get("prev") != previous:
            return VerifyResult(False, checked, "its link to the previous event does not match: an "
                                "earlier event was changed, removed or reordered", seq)
        if event_hash(event) != event.get("hash"):
            return VerifyResult(False, checked, "its contents were changed after it was written", seq)
        previous = event["hash"]
        expected_seq += 1
        checked += 1
    if head is None:
        if checked:
            return VerifyResult(False, checked, "the chain head record is missing", checked)
        return VerifyResult(True, 0)
    if head.get("seq") != checked or head.get("hash") != previous:
        return VerifyResult(False, checked, f"the chain ends at event {checked} but the head says "
                            f"{head.get('seq')}: events at the end were removed (truncated)",
                            checked + 1)
    return VerifyResult(True, checked)


EXPORT_FIELDS = ("seq", "at", "actor", "action", "target", "summary", "prev", "hash")


def export_events(events: Iterable[dict], out: TextIO, *, fmt: str, since: datetime | None) -> int:
    """Write events at or after ``since`` as JSON Lines or CSV; returns how many."""
    if fmt not in ("jsonl", "csv"):
        raise ValueError(f"unknown export format {fmt!r}; use jsonl or csv")
    since_iso = format_time(since) if since else ""
    writer = csv.writer(out) if fmt == "csv" else None
    if writer:
        writer.writerow(EXPORT_FIELDS)
    count = 0
    for event in events:
        if since_iso and event.get("at", "") < since_iso:
            continue
        row = {name: event.get(name) for name in EXPORT_FIELDS}
        if writer:
            writer.writerow([row[name] for name in EXPORT_FIELDS])
        else:
            out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count

