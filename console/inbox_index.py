"""An in-memory index over the inbox collection, for filters at 100k items.

The index keeps references to the store's own (immutable) record dicts, one
list of ids in triage order (SLA due time, then id), and, built lazily, the
lower-cased search text and the thread membership. It is updated from the
store's change feed, so writes made here and by other processes land in it
without a rebuild. Times in records are ISO UTC strings of one format, so they
compare correctly as strings; filtering never parses a date.
"""

from __future__ import annotations

import bisect
import threading
from collections.abc import Iterable

from console.records import INBOX, InboxFilter, STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED

# Above this many new items in one change batch a full re-sort is cheaper
# than inserting each one.
_RESORT_THRESHOLD = 2_000


def _sort_key(record: dict) -> tuple[str, str]:
    return (record.get("sla_due") or record.get("created_at") or "", record["_key"])


def _haystack(record: dict) -> str:
    return " ".join(
        (
            record.get("text", ""),
            record.get("author_handle", ""),
            record.get("author_name", ""),
            " ".join(record.get("tags", ())),
            record.get("assignee", ""),
            " ".join(n.get("text", "") for n in record.get("notes", ())),
        )
    ).casefold()


class InboxIndex:
    """Ids of inbox items in triage order, with fast filtering."""

    def __init__(self, records: Iterable[dict]) -> None:
        self._lock = threading.RLock()
        self._records: dict[str, dict] = {r["_key"]: r for r in records}
        self._order: list[tuple[str, str]] = sorted(_sort_key(r) for r in self._records.values())
        self._haystacks: dict[str, str] | None = None
        self._threads: dict[tuple[str, str], list[str]] | None = None
        self._pending_replies: set[str] = {
            key for key, r in self._records.items() if _has_pending_reply(r)
        }

    # -- keeping up with the store -------------------------------------------------
    def apply(self, changes: Iterable) -> set[str]:
        """Fold the store's changes in; returns the ids of inbox items that changed."""
        changed: set[str] = set()
        with self._lock:
            added: list[dict] = []
            for change in changes:
                if change.collection != INBOX:
                    continue
                key = change.key
                changed.add(key)
                old = self._records.get(key)
                record = change.record
                if old is not None:
                    self._forget(old)
                    if record is None or _sort_key(old) != _sort_key(record):
                        self._remove_from_order(_sort_key(old))
                if record is None:
                    self._records.pop(key, None)
                    continue
                self._records[key] = record
                if old is None or _sort_key(old) != _sort_key(record):
                    added.append(record)
                self._remember(record)
            if len(added) > _RESORT_THRESHOLD:
                self._order.extend(_sort_key(r) for r in added)
                self._order.sort()
            else:
                for record in added:
                    bisect.insort(self._order, _sort_key(record))
        return changed

    def _forget(self, record: dict) -> None:
        key = record["_key"]
        self._pending_replies.discard(key)
        if self._haystacks is not None:
            self._haystacks.pop(key, None)

    def _remove_from_order(self, entry: tuple[str, str]) -> None:
        position = bisect.bisect_left(self._order, entry)
        if position < len(self._order) and self._order[position] == entry:
            del self._order[position]

    def _remember(self, record: dict) -> None:
        key = record["_key"]
        if _has_pending_reply(record):
            self._pending_replies.add(key)
        if self._haystacks is not None:
            self._haystacks[key] = _haystack(record)
        if self._threads is not None:
            members = self._threads.setdefault(_thread_of(record), [])
            if key not in members:
                members.append(key)

    # -- reading -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._records)

    def record(self, key: str) -> dict | None:
        return self._records.get(key)

    def ids(self, flt: InboxFilter, now_iso: str) -> list[str]:
        """Ids matching ``flt``, most urgent first."""
        with self._lock:
            equal = [
                (name, value)
                for name, value in (
                    ("status", flt.status),
                    ("account_id", flt.account),
                    ("platform", flt.platform),
                    ("kind", flt.kind),
                )
                if value
            ]
            assignee = "" if flt.assignee == "-" else flt.assignee
            want_unassigned = flt.assignee == "-"
            tag = flt.tag
            breached = flt.breached
            needle = flt.text.casefold().strip()
            haystacks = self._haystack_map() if needle else None
            records = self._records
            result = []
            for _, key in self._order:
                record = records[key]
                if any(record.get(name) != value for name, value in equal):
                    continue
                if want_unassigned and record.get("assignee"):
                    continue
                if assignee and record.get("assignee") != assignee:
                    continue
                if tag and tag not in record.get("tags", ()):
                    continue
                if breached is not None and is_breached(record, now_iso) != breached:
                    continue
                if needle and needle not in haystacks[key]:
                    continue
                result.append(key)
            return result

    def thread_ids(self, record: dict) -> list[str]:
        """Ids of every item in ``record``'s thread, oldest first."""
        with self._lock:
            if self._threads is None:
                threads: dict[tuple[str, str], list[str]] = {}
                for key, other in self._records.items():
                    threads.setdefault(_thread_of(other), []).append(key)
                self._threads = threads
            members = [k for k in self._threads.get(_thread_of(record), []) if k in self._records]
            return sorted(members, key=lambda k: (self._records[k]["created_at"], k))

    def pending_reply_ids(self) -> list[str]:
        with self._lock:
            return sorted(self._pending_replies)

    def due_snoozes(self, now_iso: str) -> list[str]:
        with self._lock:
            return [
                key
                for key, r in self._records.items()
                if r.get("status") == STATUS_SNOOZED and (r.get("snoozed_until") or "") <= now_iso
            ]

    def counts(self, now_iso: str, soon_iso: str) -> dict[str, int]:
        """Headline numbers: open, breached, due soon, unassigned, snoozed, closed."""
        totals = {"open": 0, "breached": 0, "due_soon": 0, "unassigned": 0, "snoozed": 0, "closed": 0}
        with self._lock:
            for record in self._records.values():
                status = record.get("status")
                if status == STATUS_OPEN:
                    totals["open"] += 1
                    if not record.get("assignee"):
                        totals["unassigned"] += 1
                    if not record.get("first_response_at"):
                        due = record.get("sla_due") or ""
                        if due and due < now_iso:
                            totals["breached"] += 1
                        elif due and due < soon_iso:
                            totals["due_soon"] += 1
                elif status == STATUS_SNOOZED:
                    totals["snoozed"] += 1
                elif status == STATUS_CLOSED:
                    totals["closed"] += 1
            totals["total"] = len(self._records)
        return totals

    # -- internals -----------------------------------------------------------------
    def _haystack_map(self) -> dict[str, str]:
        if self._haystacks is None:
            self._haystacks = {key: _haystack(r) for key, r in self._records.items()}
        return self._haystacks


def is_breached(record: dict, now_iso: str) -> bool:
    """The item waits for a first response past its SLA due time."""
    if record.get("status") == STATUS_CLOSED or record.get("first_response_at"):
        return False
    due = record.get("sla_due")
    return bool(due) and due < now_iso


def _thread_of(record: dict) -> tuple[str, str]:
    return (record.get("platform", ""), record.get("thread_id", ""))


def _has_pending_reply(record: dict) -> bool:
    return any(r.get("status") in ("queued", "retrying") for r in record.get("replies", ()))
