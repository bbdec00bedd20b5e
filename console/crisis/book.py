"""What every part of crisis mode shares: the records, as read and changed.

:class:`CrisisBook` holds the services and callables crisis mode works with,
reads crises, the desk and the freezes, and changes a crisis record
compare-and-set (again on fresh state when someone changed it at the same
moment, so a note and a step marked at once both stay).
:class:`console.crisis.service.CrisisService` builds on it; ``desk.py``
(the two-person rule) and ``statements.py`` (holding statements) take it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from console.audit import AuditNote, AuditTrail
from console.crisis.model import CrisisPolicy
from console.crisis.records import (ACTIVE_KEY, CRISES, DESK, REQUEST_KEY, Crisis, ReplyFact, Request,
                                    crisis_from_record, request_from_record)
from console.crisis.status import CrisisStatus, runbook_progress
from console.crisis.timeline import TimelineEntry, record_entries
from console.errors import InvalidAction, StorageProblem
from console.library import LibraryService
from console.notices import NoticeService
from console.posts import PostService
from console.publishing import CRISIS_HOLD, HOLDS, Hold, HoldService, SchedulingService
from console.untrusted import one_line
from data import ConflictError, Store

#: How many of the latest entries the status carries.
LATEST_ENTRIES = 6
#: A change of the crisis record is retried this often when others change it at the same moment.
MAX_ATTEMPTS = 20


class CrisisBook:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *,
                 policy: Callable[[], CrisisPolicy], holds: HoldService, scheduling: SchedulingService,
                 posts: PostService, library: LibraryService, notices: NoticeService,
                 role_of: Callable[[str], str | None], people: Callable[[], Iterable[str]],
                 known_accounts: Callable[[], Iterable[str]], region_of: Callable[[str], str],
                 handle_of: Callable[[str], str], queued_replies: Callable[[], Iterable[ReplyFact]],
                 item_account: Callable[[str], str | None], replies_of: Callable[[str], list[ReplyFact]]) -> None:
        """The rest of the console, as crisis mode needs it: ``role_of`` a console
        user's role (None: unknown or disabled); ``people`` every enabled console
        user (notices go to them all); ``queued_replies`` the inbox's replies not
        yet sent; ``item_account`` and ``replies_of`` an inbox item's account and
        replies (for the timeline)."""
        self.store = store
        self.audit = audit
        self.clock = clock
        self.policy = policy
        self.holds = holds
        self.scheduling = scheduling
        self.posts = posts
        self.library = library
        self.notices = notices
        self.role_of = role_of
        self.people = people
        self.known_accounts = known_accounts
        self.region_of = region_of
        self.handle_of = handle_of
        self.queued_replies = queued_replies
        self.item_account = item_account
        self.replies_of = replies_of
        self._cache_lock = threading.Lock()
        self._generation = 0
        self._cached: tuple[Crisis | None, tuple[Hold, ...], Request | None, tuple[TimelineEntry, ...]] | None = None
        store.on_change(self._changed)

    # -- reading -------------------------------------------------------------------------
    def active(self) -> Crisis | None:
        """The active crisis, if there is one."""
        marker = self.store.get(DESK, ACTIVE_KEY)
        if marker is None:
            return None
        record = self.store.get(CRISES, marker.get("crisis_id", ""))
        return crisis_from_record(record) if record is not None else None

    def get(self, crisis_id: str) -> Crisis:
        record = self.store.get(CRISES, (crisis_id or "").strip())
        if record is None:
            raise InvalidAction(f"no crisis {one_line(crisis_id or '', 40)!r}; `socops crisis list` shows them")
        return crisis_from_record(record)

    def all(self) -> list[Crisis]:
        """Every crisis, the newest first (the active one is the newest)."""
        crises = [crisis_from_record(record) for record in self.store.records(CRISES)]
        return sorted(crises, key=lambda c: c.declared_at, reverse=True)

    def request(self) -> Request | None:
        """The unfreeze or resolve waiting for a second person, if any."""
        record = self.store.get(DESK, REQUEST_KEY)
        return request_from_record(record) if record is not None else None

    def freezes(self) -> list[Hold]:
        """The crisis freezes in force (holds of kind "crisis")."""
        return [hold for hold in self.holds.active() if hold.kind == CRISIS_HOLD]

    def confirmers(self) -> list[str]:
        """Who could confirm an unfreeze or a resolve (by role; the asker excepted later)."""
        roles = self.policy().confirm_roles
        return [name for name in self.people() if self.role_of(name) in roles]

    def status(self) -> CrisisStatus:
        """The read model for status bars, banners and the wallboard: cheap to ask
        every second. The records are kept until the crisis, the desk or the holds
        change (here, or in another process once the store is refreshed); elapsed
        time and overdue steps are worked out at the moment asked."""
        with self._cache_lock:
            cached, generation = self._cached, self._generation
        if cached is None:
            crisis = self.active()
            holds = tuple(self.holds.active())
            by_id = {hold.id: hold for hold in self.holds.all()} if crisis else {}
            latest = tuple(record_entries(crisis, by_id)[-LATEST_ENTRIES:]) if crisis else ()
            cached = (crisis, holds, self.request(), latest)
            with self._cache_lock:
                if generation == self._generation:     # nothing changed while it was read
                    self._cached = cached
        crisis, holds, request, latest = cached
        now = self.clock()
        return CrisisStatus(now, crisis, holds, runbook_progress(crisis, now), request, latest)

    def _changed(self, changes: list) -> None:
        if any(change.collection in (CRISES, DESK, HOLDS) for change in changes):
            with self._cache_lock:
                self._generation += 1
                self._cached = None

    # -- changing ------------------------------------------------------------------------
    def require_active(self) -> Crisis:
        crisis = self.active()
        if crisis is None:
            raise InvalidAction("no crisis is active; declare one first (`socops crisis declare`)")
        return crisis

    def change(self, actor_name: str, crisis_id: str, change: Callable[[Crisis], tuple[dict, list[AuditNote]]],
               *, tell: str = "") -> Crisis:
        """Apply ``change`` to the crisis as it is now (it returns the new values and
        the audit notes), compare-and-set; again on fresh state when someone else
        changed it meanwhile, so nothing is lost. ``tell``: a notice to everyone."""
        for _ in range(MAX_ATTEMPTS):
            current = self.get(crisis_id)
            values, notes = change(current)

            def write(tx: Any) -> list[AuditNote]:
                tx.update(CRISES, crisis_id, values, expected_version=current.version)
                if tell:
                    self.tell_everyone(tx, actor_name, tell, crisis_id)
                return notes

            try:
                self.audit.apply(actor_name, write)
            except ConflictError as error:
                if error.collection != CRISES:
                    raise
                self.store.refresh()
                continue
            return self.get(crisis_id)
        raise StorageProblem(f"{crisis_id} changed too often to save this; nothing was saved; try again")

    def tell_everyone(self, tx: Any, actor_name: str, text: str, ref: str) -> None:
        """A notice for every console user but ``actor_name``, in the transaction ``tx``."""
        for username in dict.fromkeys(self.people()):
            if username != actor_name:
                self.notices.tell(tx, username, text, ref)
