"""The calendar: what goes out, when and where, for the Calendar panel and
``socops calendar``.

An entry is one post at one moment: the accounts it goes to then (a post can
go out at a different moment on each account, 09:00 local in each zone),
the start of its text, and its state. Posts not yet scheduled appear at
their proposed time (draft, in approval, approved); scheduled ones with the
state of their targets. Read from the store's projections, so a week of a
busy calendar is listed without decoding a post.

States, each with a letter so the calendar reads without colour::

    D draft     R in approval     A approved      S scheduled    P publishing
    O published  L partly published  F failed   C needs check   H held   M missed
    X deleted (taken down from the platform after it went out)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from console.posts import (APPROVED, CHANGES_REQUESTED, DRAFT, IN_REVIEW, P_PREVIEW, P_PROPOSED_AT, P_STATUS,
                           P_TAGS, P_TARGETS, POSTS)
from console.publishing.holds import HoldService
from console.publishing.model import PublishingPolicy
from console.publishing.records import (DELETED as T_DELETED, FAILED as T_FAILED, MISSED as T_MISSED,
                                        NEEDS_CHECK as T_NEEDS_CHECK,
                                        PUBLISHED as T_PUBLISHED, PUBLISHING as T_PUBLISHING,
                                        RETRYING as T_RETRYING, SCHEDULED as T_SCHEDULED, SCHEDULES)
from console.policy import ERROR
from console.publishing.rules import local_text
from console.publishing.service import account_zone
from console.publishing.slots import slot_moments
from console.records import format_time, parse_time
from console.untrusted import one_line
from data import Store
from integrations.base import AccountRef

DRAFT_STATE = "draft"
IN_APPROVAL = "in approval"
APPROVED_STATE = "approved"
SCHEDULED = "scheduled"
PUBLISHING = "publishing"
PUBLISHED = "published"
PARTLY = "partly published"
FAILED = "failed"
NEEDS_CHECK = "needs check"
HELD = "held"
MISSED = "missed"
DELETED = "deleted"
CALENDAR_STATES = (DRAFT_STATE, IN_APPROVAL, APPROVED_STATE, SCHEDULED, PUBLISHING, PUBLISHED, PARTLY, FAILED,
                   NEEDS_CHECK, HELD, MISSED, DELETED)
STATE_LETTERS = {DRAFT_STATE: "D", IN_APPROVAL: "R", APPROVED_STATE: "A", SCHEDULED: "S", PUBLISHING: "P",
                 PUBLISHED: "O", PARTLY: "L", FAILED: "F", NEEDS_CHECK: "C", HELD: "H", MISSED: "M",
                 DELETED: "X"}

_POST_STATES = {DRAFT: DRAFT_STATE, CHANGES_REQUESTED: DRAFT_STATE, IN_REVIEW: IN_APPROVAL, APPROVED: APPROVED_STATE}


@dataclass(frozen=True)
class CalendarEntry:
    post_id: str
    at: datetime
    accounts: tuple[str, ...]
    state: str
    preview: str
    tags: tuple[str, ...] = ()
    scheduled: bool = False                   # on the calendar (else: a post at its proposed time)
    target_states: tuple[str, ...] = ()       # each account's own state, in the order of ``accounts``

    @property
    def letter(self) -> str:
        return STATE_LETTERS[self.state]


@dataclass(frozen=True)
class FreeSlot:
    account_id: str
    at: datetime


@dataclass(frozen=True)
class CalendarFilter:
    """What the calendar shows; empty fields do not filter."""

    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def describe(self) -> str:
        parts = [f"account:{a}" for a in self.accounts] + [f"region:{r}" for r in self.regions]
        parts += [f"state:{s.replace(' ', '-')}" for s in self.states] + [f"tag:{t}" for t in self.tags]
        return " ".join(parts) or "everything"


@dataclass(frozen=True)
class Departure:
    """The next post to go out: for the departures board."""

    entry: CalendarEntry
    account: str
    minutes: int

    def describe(self, handle: str) -> str:
        when = "now" if self.minutes <= 0 else f"in {_minutes(self.minutes)}"
        return f"next post {when} on {handle}"


def combined_state(target_states: Sequence[str], held: bool) -> str:
    """One entry's state from its targets' states."""
    states = set(target_states)
    if states == {T_DELETED}:
        return DELETED
    # A target taken down after it went out says nothing about the others' way out.
    states = {T_PUBLISHED if state == T_DELETED else state for state in states}
    if states == {T_PUBLISHED}:
        return PUBLISHED
    if T_PUBLISHING in states:
        return PUBLISHING
    if T_PUBLISHED in states:
        return PARTLY
    if T_NEEDS_CHECK in states:
        return NEEDS_CHECK
    if T_FAILED in states:
        return FAILED
    if T_MISSED in states:
        return MISSED
    return HELD if held else SCHEDULED


class Calendar:
    """Entries, free slots and departures for any period, accounts, regions, states and tags."""

    def __init__(self, store: Store, holds: HoldService, *, policy: Callable[[], PublishingPolicy],
                 accounts: Callable[[], Iterable[AccountRef]], region_of: Callable[[str], str],
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.holds = holds
        self.policy = policy
        self.accounts = accounts
        self.region_of = region_of
        self.clock = clock

    def entries(self, start: datetime, end: datetime, where: CalendarFilter = CalendarFilter(), *,
                visible: Callable[[Sequence[str]], bool] = lambda accounts: True) -> list[CalendarEntry]:
        """Every entry with a moment in ``[start, end)``, earliest first. ``visible``
        says whether the viewer may see a post with these targets (their scope); it is
        asked with all the post's accounts, so a post going out on one account in scope
        and one outside is not shown in part (as the post service would not show it)."""
        start_text, end_text = format_time(start), format_time(end)
        posts = self.store.projection(POSTS)
        holds = self.holds.active()
        found: list[CalendarEntry] = []
        scheduled: set[str] = set()
        for post_id, projected in self.store.projection(SCHEDULES).items():
            scheduled.add(post_id)
            post = posts.get(post_id)
            if post is None:
                continue
            by_moment: dict[str, list[tuple[str, str]]] = {}
            for account_id, at, state, _next in projected[0] or ():
                if at and start_text <= at < end_text:
                    by_moment.setdefault(at, []).append((account_id, state))
            for at, targets in by_moment.items():
                accounts = tuple(account_id for account_id, _ in targets)
                states = tuple(_shown_target_state(state) for _, state in targets)
                held = any(state in (T_SCHEDULED, T_RETRYING) and _held(holds, a, self.region_of(a))
                           for a, state in targets)
                found.append(CalendarEntry(post_id, parse_time(at), accounts, combined_state(states, held),
                                           post[P_PREVIEW] or "", tuple(post[P_TAGS] or ()), True, states))
        for post_id, post in posts.items():
            if post_id in scheduled:
                continue
            state = _POST_STATES.get(post[P_STATUS])
            at = post[P_PROPOSED_AT]
            if state is None or not at or not start_text <= at < end_text:
                continue
            accounts = tuple(post[P_TARGETS] or ())
            found.append(CalendarEntry(post_id, parse_time(at), accounts, state, post[P_PREVIEW] or "",
                                       tuple(post[P_TAGS] or ()), False, tuple(state for _ in accounts)))
        found = [entry for entry in found if self._matches(entry, where)
                 and visible(_all_accounts(entry, posts.get(entry.post_id)))]
        return sorted(found, key=lambda entry: (entry.at, entry.post_id))

    def _matches(self, entry: CalendarEntry, where: CalendarFilter) -> bool:
        if where.accounts and not set(entry.accounts) & set(where.accounts):
            return False
        if where.regions and not {self.region_of(a) for a in entry.accounts} & set(where.regions):
            return False
        if where.states and entry.state not in where.states:
            return False
        if where.tags and not set(entry.tags) & set(where.tags):
            return False
        return True

    def free_slots(self, start: datetime, end: datetime, accounts: Iterable[str] | None = None) -> list[FreeSlot]:
        """Queue slots in ``[start, end)`` that no scheduled post takes and no blackout
        closes (one that refuses, not one that only warns), per account."""
        policy = self.policy()
        refs = [a for a in self.accounts() if accounts is None or a.account_id in set(accounts)]
        taken: set[tuple[str, str]] = set()
        for projected in self.store.projection(SCHEDULES).values():
            for account_id, at, state, _next in projected[0] or ():
                if state not in (T_FAILED, T_MISSED):
                    taken.add((account_id, at))
        now = self.clock()
        free = []
        for ref in refs:
            slots = policy.slots_for(ref.account_id)
            if slots is None:
                continue
            zone = account_zone(ref)
            closing = [b for b in policy.blackouts
                       if b.severity == ERROR and b.applies_to(ref.account_id, self.region_of(ref.account_id))]
            for moment in slot_moments(slots, zone, max(start, now), end):
                if (ref.account_id, format_time(moment)) not in taken \
                        and not any(blackout.covers(moment, zone) for blackout in closing):
                    free.append(FreeSlot(ref.account_id, moment))
        return sorted(free, key=lambda slot: (slot.at, slot.account_id))

    def departures(self, now: datetime, *, hours: int = 24, limit: int = 5,
                   where: CalendarFilter = CalendarFilter(),
                   visible: Callable[[Sequence[str]], bool] = lambda accounts: True) -> list[Departure]:
        """What goes out in the next ``hours``, soonest first (held posts too: they show it)."""
        upcoming = [entry for entry in self.entries(now - timedelta(minutes=1), now + timedelta(hours=hours),
                                                    where, visible=visible)
                    if entry.state in (SCHEDULED, HELD, PUBLISHING)]
        return [Departure(entry, entry.accounts[0], int((entry.at - now).total_seconds() // 60))
                for entry in upcoming[:limit]]


def _all_accounts(entry: CalendarEntry, post: tuple | None) -> tuple[str, ...]:
    """The entry's accounts and the post's other targets (an entry is one moment of it)."""
    return tuple(dict.fromkeys(entry.accounts + tuple((post[P_TARGETS] or ()) if post else ())))


def _held(holds, account_id: str, region: str) -> bool:
    return any(hold.applies_to(account_id, region) for hold in holds)


def _shown_target_state(state: str) -> str:
    # A retry is still on its way out: the calendar shows it as scheduled (its detail says why).
    return T_SCHEDULED if state == T_RETRYING else state


def _minutes(minutes: int) -> str:
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h {rest} min" if rest else f"{hours} h"


def entry_line(entry: CalendarEntry, zone: tzinfo, handles: Callable[[str], str]) -> str:
    """One entry as plain text (the CLI's line): local time, letter, state, accounts, text.

    The text is a person's (untrusted): it is folded onto the line without control sequences."""
    accounts = ", ".join(handles(a) for a in entry.accounts)
    return f"{local_text(entry.at, zone)}  {entry.letter} {entry.state:<16} {entry.post_id}  {accounts}  " \
           f"{one_line(entry.preview)}"

