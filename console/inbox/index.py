"""An in-memory index over the inbox, for filters and search at 100k items.

It never decodes whole records: the store keeps, for every inbox record, a
small *projection* (the fields below plus a lower-cased search text), and the
index works on those. It holds:

* per status, the ids sorted in triage order (SLA due time, then id), so the
  usual views (open, snoozed) never walk the closed history, and the first
  ones of a status's list are exactly its breached items;
* posting sets (account, platform, kind, assignee, tag -> ids), so a filter is
  a few set intersections and one ordered pass.

It is updated from the store's change feed, so writes made here and by other
processes land in it without a rebuild. Times are ISO UTC strings of one
format, so they compare correctly as strings; filtering never parses a date.
"""

from __future__ import annotations

import bisect
import heapq
import threading
from collections.abc import Iterable, Mapping

from console.inbox.records import INBOX, InboxFilter, STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED


def search_text(record: dict) -> str:
    """What text search looks in: the message, the author, tags, assignee, notes."""
    return " ".join((
        record.get("text", ""),
        record.get("author_handle", ""),
        record.get("author_name", ""),
        " ".join(record.get("tags", ())),
        record.get("assignee", ""),
        " ".join(n.get("text", "") for n in record.get("notes", ())),
    )).casefold()


def has_pending_reply(record: dict) -> bool:
    return any(r.get("status") in ("queued", "retrying") for r in record.get("replies", ()))


# What the store projects for every inbox record (see data.CollectionSpec).
PROJECTED_FIELDS = ("status", "sla_due", "created_at", "account_id", "platform", "kind",
                    "assignee", "tags", "first_response_at", "thread_id", "snoozed_until")
PROJECTED_DERIVED = {"search": search_text, "pending": has_pending_reply}

(STATUS, SLA_DUE, CREATED_AT, ACCOUNT, PLATFORM, KIND, ASSIGNEE, TAGS, FIRST_RESPONSE, THREAD,
 SNOOZED_UNTIL, SEARCH, PENDING) = range(13)

_POSTED = ((ACCOUNT, "account"), (PLATFORM, "platform"), (KIND, "kind"), (ASSIGNEE, "assignee"))
# Above this many new items in one change batch a re-sort beats inserting each.
_RESORT_THRESHOLD = 2_000


def _status(p: tuple) -> str:
    return p[STATUS] or STATUS_OPEN


def _entry(key: str, p: tuple) -> tuple[str, str]:
    return (p[SLA_DUE] or p[CREATED_AT] or "", key)


class InboxIndex:
    """Ids of inbox items in triage order, with fast filtering."""

    def __init__(self, projections: Mapping[str, tuple]) -> None:
        self._lock = threading.RLock()
        # The store gives a read-only view of its dict: the view's copy() copies
        # the dict as a block, dict(view) key by key (20 ms at 100k items).
        copy = getattr(projections, "copy", None)
        self._proj: dict[str, tuple] = copy() if callable(copy) else dict(projections)
        grouped: dict[str, list[tuple[str, str]]] = {}
        for key, p in self._proj.items():
            grouped.setdefault(p[STATUS] or STATUS_OPEN, []).append((p[SLA_DUE] or p[CREATED_AT] or "", key))
        self._by_status = grouped
        # The open and snoozed orders are what start-up shows and counts; the
        # closed history (most items) is sorted when it is first listed.
        self._unsorted = set(grouped)
        for status in (STATUS_OPEN, STATUS_SNOOZED):
            self._order(status)
        # Built by the first filter that needs them (or warm_up): start-up
        # only needs the per-status orders for the default view.
        self._postings: dict[tuple[int, str], set[str]] | None = None
        self._all: list[tuple[str, str]] | None = None
        self._threads: dict[tuple[str, str], list[str]] | None = None

    # -- keeping up with the store -------------------------------------------------
    def apply(self, changes: Iterable) -> set[str]:
        """Fold the store's changes in; returns the ids of inbox items that changed."""
        changed: set[str] = set()
        with self._lock:
            added: dict[str, list[tuple[str, str]]] = {}
            for change in changes:
                if change.collection != INBOX:
                    continue
                key = change.key
                changed.add(key)
                old = self._proj.pop(key, None)
                if old is not None:
                    self._unplace(key, old)
                new = change.projection
                if new is None:
                    continue
                self._proj[key] = new
                added.setdefault(_status(new), []).append(_entry(key, new))
                self._post(key, new)
            for status, entries in added.items():
                order = self._order(status, create=True)
                if len(entries) > _RESORT_THRESHOLD:
                    order.extend(entries)
                    order.sort()
                else:
                    for entry in entries:
                        bisect.insort(order, entry)
            if changed:
                self._all = None
        return changed

    def _posting_sets(self) -> dict[tuple[int, str], set[str]]:
        if self._postings is None:
            postings: dict[tuple[int, str], set[str]] = {}
            for key, p in self._proj.items():
                for position, _ in _POSTED:
                    if p[position]:
                        postings.setdefault((position, p[position]), set()).add(key)
                for tag in p[TAGS] or ():
                    postings.setdefault((TAGS, tag), set()).add(key)
            self._postings = postings
        return self._postings

    def _post(self, key: str, p: tuple) -> None:
        if self._postings is None:
            self._post_thread(key, p)
            return
        for position, _ in _POSTED:
            if p[position]:
                self._postings.setdefault((position, p[position]), set()).add(key)
        for tag in p[TAGS] or ():
            self._postings.setdefault((TAGS, tag), set()).add(key)
        self._post_thread(key, p)

    def _post_thread(self, key: str, p: tuple) -> None:
        if self._threads is not None:
            members = self._threads.setdefault((p[PLATFORM], p[THREAD]), [])
            if key not in members:
                members.append(key)

    def _order(self, status: str, *, create: bool = False) -> list[tuple[str, str]]:
        """``status``'s (due, id) entries in triage order, sorted now if they were not yet."""
        order = self._by_status.setdefault(status, []) if create else self._by_status.get(status, [])
        if status in self._unsorted:
            order.sort()
            self._unsorted.discard(status)
        return order

    def _unplace(self, key: str, p: tuple) -> None:
        order = self._order(_status(p))
        entry = _entry(key, p)
        position = bisect.bisect_left(order, entry)
        if position < len(order) and order[position] == entry:
            del order[position]
        if self._postings is None:
            return
        for position_, _ in _POSTED:
            if p[position_]:
                self._postings.get((position_, p[position_]), set()).discard(key)
        for tag in p[TAGS] or ():
            self._postings.get((TAGS, tag), set()).discard(key)

    # -- reading -------------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._proj)

    def __contains__(self, key: str) -> bool:
        return key in self._proj

    def projection(self, key: str) -> tuple | None:
        return self._proj.get(key)

    def arrival(self, key: str) -> tuple[str, str] | None:
        """(created_at, account_id) of item ``key``, or None when it is not (or no longer) in the inbox."""
        p = self._proj.get(key)
        return (p[CREATED_AT] or "", p[ACCOUNT] or "") if p is not None else None

    def arrivals_since(self, since_iso: str) -> dict[str, tuple[str, str]]:
        """Every item created at or after ``since_iso``: id -> (created_at, account_id).
        One pass over the projections; the wallboard asks once, then follows the changes."""
        with self._lock:
            return {key: (p[CREATED_AT], p[ACCOUNT] or "") for key, p in self._proj.items()
                    if (p[CREATED_AT] or "") >= since_iso}

    def accounts(self) -> set[str]:
        """Every account that has items."""
        with self._lock:
            return {value for (position, value), keys in self._posting_sets().items()
                    if position == ACCOUNT and keys}

    def ids(self, flt: InboxFilter, now_iso: str) -> list[str]:
        """Ids matching ``flt``, most urgent first."""
        with self._lock:
            order = self._order(flt.status) if flt.status else self._everything()
            wanted: list[set[str]] = []
            for position, name in _POSTED:
                value = getattr(flt, name)
                if value and not (position == ASSIGNEE and value == "-"):
                    wanted.append(self._posting_sets().get((position, value), set()))
            if flt.tag:
                wanted.append(self._posting_sets().get((TAGS, flt.tag.lstrip("#").casefold()), set()))
            needle = flt.text.casefold().strip()
            if needle:
                wanted.append({k for k, p in self._proj.items() if needle in p[SEARCH]})
            if flt.breached:
                wanted.append(self._breached(now_iso))
            if wanted:
                wanted.sort(key=len)
                candidates = wanted[0].intersection(*wanted[1:])
                if len(candidates) * 16 < len(order):
                    # Few matches: sort them rather than walking the whole order.
                    proj = self._proj
                    keys = sorted((k for k in candidates
                                   if not flt.status or _status(proj[k]) == flt.status),
                                  key=lambda k: _entry(k, proj[k]))
                else:
                    keys = [k for _, k in order if k in candidates]
            else:
                keys = [k for _, k in order]
            if flt.assignee == "-":
                keys = [k for k in keys if not self._proj[k][ASSIGNEE]]
            if flt.breached is False:
                breached = self._breached(now_iso)
                keys = [k for k in keys if k not in breached]
            return keys

    def _breached(self, now_iso: str) -> set[str]:
        """Unanswered, not closed, past due: the front of each open status's order."""
        found: set[str] = set()
        for status in (STATUS_OPEN, STATUS_SNOOZED):
            order = self._order(status)
            end = bisect.bisect_left(order, (now_iso, ""))
            found.update(k for _, k in order[:end] if not self._proj[k][FIRST_RESPONSE])
        return found

    def _everything(self) -> list[tuple[str, str]]:
        if self._all is None:
            self._all = list(heapq.merge(*map(self._order, list(self._by_status))))
        return self._all

    def warm_up(self) -> None:
        """Build the all-status order, posting sets and thread map now, not on first use."""
        with self._lock:
            self._everything()
            self._posting_sets()
            self._thread_map()

    def _thread_map(self) -> dict[tuple[str, str], list[str]]:
        if self._threads is None:
            threads: dict[tuple[str, str], list[str]] = {}
            for key, p in self._proj.items():
                threads.setdefault((p[PLATFORM], p[THREAD]), []).append(key)
            self._threads = threads
        return self._threads

    def thread_ids(self, key: str) -> list[str]:
        """Ids of every item in ``key``'s thread, oldest first."""
        with self._lock:
            p = self._proj.get(key)
            if p is None:
                return []
            members = [k for k in self._thread_map().get((p[PLATFORM], p[THREAD]), [])
                       if k in self._proj]
            return sorted(members, key=lambda k: (self._proj[k][CREATED_AT], k))

    def pending_reply_ids(self) -> list[str]:
        with self._lock:
            return sorted(k for k, p in self._proj.items() if p[PENDING])

    def due_snoozes(self, now_iso: str) -> list[str]:
        with self._lock:
            return [k for _, k in self._by_status.get(STATUS_SNOOZED, [])
                    if (self._proj[k][SNOOZED_UNTIL] or "") <= now_iso]

    def counts(self, now_iso: str, soon_iso: str) -> dict[str, int]:
        """Headline numbers: open, breached, due soon, unassigned, snoozed, closed, total."""
        with self._lock:
            open_order = self._by_status.get(STATUS_OPEN, [])
            proj = self._proj
            unanswered = [entry for entry in open_order if not proj[entry[1]][FIRST_RESPONSE]]
            breached = bisect.bisect_left(unanswered, (now_iso, ""))
            soon = bisect.bisect_left(unanswered, (soon_iso, "")) - breached
            return {
                "open": len(open_order),
                "breached": breached,
                "due_soon": soon,
                "unassigned": sum(1 for _, k in open_order if not proj[k][ASSIGNEE]),
                "snoozed": len(self._by_status.get(STATUS_SNOOZED, [])),
                "closed": len(self._by_status.get(STATUS_CLOSED, [])),
                "total": len(proj),
            }
