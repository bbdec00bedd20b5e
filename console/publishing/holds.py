"""Publishing holds: a record that stops publishing for every account, or for
some accounts or regions, until someone releases it.

A hold is checked when the publishing job claims a post, so nothing in its
scope goes out while it is in force; posts stay scheduled and show "held".
Setting and releasing one needs ``schedule.freeze`` (a high-risk permission:
a fresh code) and is audited. Crisis mode's freeze sets a hold of kind
"crisis": a due post it stops is missed at once, and stays missed after the
release, so nothing goes out by itself after a freeze.

A hold and a claim exclude each other through the publishing gate (see
``records.py``): setting a hold updates the gate, and in the same
transaction records what the hold caught, read from a view of the schedules
no claim has changed since (a claim updates the gate too, so one that
slipped in makes the hold try again on fresh state). When :meth:`hold`
returns, every claim either happened before it, and is named in the hold's
``in_flight``, or will fail. Should claims keep slipping in (hundreds of
posts due at once), the hold is written without the compare-and-set and
the claims committed meanwhile are named from the audit trail, so a freeze
never fails for being busy.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from console.audit import AuditNote, AuditTrail
from console.errors import ActionConflict, InvalidAction, StorageProblem
from console.permissions import SCHEDULE_FREEZE, Actor
from console.publishing.records import (CRISIS_HOLD, GATE, GATE_KEY, HOLDS, MISSED, PENDING, PUBLISHING, SCHEDULES,
                                        Hold, InFlight, hold_from_record, in_flight_to_dict, schedule_from_record)
from console.records import format_time
from data import ConflictError, Store

MAX_REASON_CHARS = 300
#: A hold tries this often to be written over the gate it looked at, then holds anyway.
MAX_GATE_ATTEMPTS = 8
#: ``_write_hold`` without the compare-and-set.
ANY_GATE = object()

#: More writes for the hold's (or release's) own transaction: ``also(tx, hold)``
#: adds its operations and returns its audit notes.
Also = Callable[..., Iterable[AuditNote]]


@dataclass(frozen=True)
class CaughtTarget:
    """A target whose time came while a crisis hold was in force: missed, never sent by itself."""

    post_id: str
    account_id: str
    at: datetime
    state: str                  # "missed", or still pending until the publishing job marks it


class HoldService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *,
                 known_accounts: Callable[[], Iterable[str]], known_regions: Callable[[], Iterable[str]],
                 region_of: Callable[[str], str] = lambda account_id: "") -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.known_accounts = known_accounts
        self.known_regions = known_regions
        self.region_of = region_of

    # -- reading -------------------------------------------------------------------------
    def all(self) -> list[Hold]:
        """Every hold, the ones in force first, newest first."""
        holds = [hold_from_record(record) for record in self.store.records(HOLDS)]
        return sorted(holds, key=lambda h: (not h.active, -(h.at.timestamp() if h.at else 0)))

    def get(self, hold_id: str) -> Hold | None:
        record = self.store.get(HOLDS, (hold_id or "").strip())
        return hold_from_record(record) if record is not None else None

    def active(self) -> list[Hold]:
        return [hold for hold in self.all() if hold.active]

    def holding(self, account_id: str, region: str, *, crisis_pass: str = "") -> Hold | None:
        """The hold in force that stops ``account_id`` (in ``region``), if any; a post
        with ``crisis_pass`` passes the holds of that crisis."""
        return next((hold for hold in self.active() if hold.stops(account_id, region, crisis_pass)), None)

    def froze(self, account_id: str, region: str, due_at: datetime, *, crisis_pass: str = "") -> Hold | None:
        """A crisis hold on ``account_id`` that was in force at some moment since
        ``due_at`` (the target's time): such a target is missed, not sent late."""
        now = self.clock()
        return next((hold for hold in self.all() if hold.kind == CRISIS_HOLD
                     and hold.stops(account_id, region, crisis_pass) and hold.in_force_between(due_at, now)), None)

    def gate_version(self) -> int | None:
        """The publishing gate's version now (None before the first hold or claim).
        Read it before checking the holds, and claim with it (see ``records.py``)."""
        record = self.store.get(GATE, GATE_KEY)
        return int(record["_v"]) if record is not None else None

    def caught(self, hold_ids: Iterable[str]) -> list[CaughtTarget]:
        """The targets these crisis holds made miss their time: marked missed by one of
        them, or pending and due while one was in force (the publishing job marks
        those missed when it looks). Each must be rescheduled or dropped by a person."""
        holds = [hold for hold in (self.get(h) for h in hold_ids) if hold is not None and hold.kind == CRISIS_HOLD]
        if not holds:
            return []
        ids = {hold.id for hold in holds}
        now = self.clock()
        now_text = format_time(now)
        found = []
        for post_id, projected in list(self.store.projection(SCHEDULES).items()):
            rows = [row for row in projected[0] or () if row[2] == MISSED or (
                row[2] in PENDING and (row[3] or row[1] if row[2] == "retrying" else row[1]) <= now_text)]
            rows = [row for row in rows if any(h.applies_to(row[0], self.region_of(row[0])) for h in holds)]
            if not rows:
                continue
            record = self.store.get(SCHEDULES, post_id)
            if record is None:
                continue
            schedule = schedule_from_record(record)
            if any(hold.passed_by(schedule.crisis_pass) for hold in holds):
                continue
            for account_id, _at, state, _next in rows:
                target = schedule.targets.get(account_id)
                if target is None:
                    continue
                due = target.due_at()
                region = self.region_of(account_id)
                if state == MISSED:
                    caught = target.hold in ids
                else:
                    caught = any(h.applies_to(account_id, region) and h.in_force_between(due, now) for h in holds)
                if caught:
                    found.append(CaughtTarget(post_id, account_id, due, state))
        return sorted(found, key=lambda c: (c.at, c.post_id, c.account_id))

    # -- changing ------------------------------------------------------------------------
    def hold(self, actor: Actor, reason: str, *, accounts: Iterable[str] = (), regions: Iterable[str] = (),
             kind: str = "manual", crisis: str = "", also: Also | None = None) -> Hold:
        """Set a hold; see the module docstring for what it promises when it returns.

        ``also(tx, hold)`` may add the caller's own writes (a crisis record) to
        the hold's transaction and return their audit notes."""
        actor.require(SCHEDULE_FREEZE)
        reason = " ".join((reason or "").split())
        if not reason:
            raise InvalidAction("a hold needs a reason; the team reads it on every held post")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidAction(f"the reason has {len(reason)} characters; the limit is {MAX_REASON_CHARS}")
        accounts = tuple(dict.fromkeys(a.strip() for a in accounts if a.strip()))
        regions = tuple(dict.fromkeys(r.strip() for r in regions if r.strip()))
        known = set(self.known_accounts())
        unknown = [a for a in accounts if a not in known]
        if unknown:
            raise InvalidAction(f"no account {unknown[0]!r}; `socops account list` shows them")
        known_regions = set(self.known_regions())
        unknown = [r for r in regions if r not in known_regions]
        if unknown:
            raise InvalidAction(f"no region {unknown[0]!r}; the accounts' regions are "
                                f"{', '.join(sorted(known_regions)) or 'none'}")
        hold_id = f"h-{uuid.uuid4().hex[:6]}"
        for _ in range(MAX_GATE_ATTEMPTS):
            self.store.refresh()
            gate = self.gate_version()
            try:
                return self._write_hold(actor, hold_id, reason, accounts, regions, kind, crisis, also, gate)
            except ConflictError as error:
                if error.collection != GATE:
                    raise
                # a claim (or another hold) moved the gate: look again
        # Claims keep coming (hundreds of posts due at once): a freeze must not fail for
        # that. Hold without the compare-and-set (every claim from now on fails all the
        # same), then name the claims committed between the look and the hold from the
        # audit trail, whose order is the order of the commits.
        self.store.refresh()
        head = self.audit.head()
        made = self._write_hold(actor, hold_id, reason, accounts, regions, kind, crisis, also, ANY_GATE)
        return self._name_late_claims(actor, made, int(head["seq"]) if head else 0)

    def _write_hold(self, actor: Actor, hold_id: str, reason: str, accounts: tuple[str, ...],
                    regions: tuple[str, ...], kind: str, crisis: str, also: Also | None,
                    gate: int | None | object) -> Hold:
        """Look at the schedules and write the hold with what it caught, moving the gate
        from ``gate`` (ConflictError on the gate when it moved), or whatever it is (ANY_GATE)."""
        now = self.clock()
        draft = Hold(hold_id, reason, actor.name, now, accounts, regions, kind, crisis)
        scheduled, due, in_flight = self._caught_now(draft, now)
        record = {"reason": reason, "by": actor.name, "at": format_time(now), "accounts": list(accounts),
                  "regions": list(regions), "kind": kind, "crisis": crisis, "released_by": "",
                  "released_at": None, "scheduled": scheduled, "due": due,
                  "in_flight": [in_flight_to_dict(target) for target in in_flight]}
        made = hold_from_record({**record, "_key": hold_id, "_v": 1})
        flight = f"; {len(in_flight)} already being sent" if in_flight else ""

        def write(tx) -> list[AuditNote]:
            tx.insert(HOLDS, hold_id, record)
            if gate is ANY_GATE:
                tx.update(GATE, GATE_KEY, {"last": f"hold {hold_id}", "at": format_time(now)}, expected_version=None)
            else:
                claim_gate(tx, gate, f"hold {hold_id}", now)
            notes = [AuditNote("publishing.hold", f"hold/{hold_id}",
                               f"{kind} hold on {draft.scope}: {reason}; held {scheduled} scheduled, "
                               f"{due} due now{flight}")]
            # the caller's notes first: a crisis is declared, then it freezes
            return list(also(tx, made) if also else ()) + notes

        self.audit.apply(actor.name, write)
        return made

    def _name_late_claims(self, actor: Actor, hold: Hold, after_seq: int) -> Hold:
        """Add to ``hold.in_flight`` the claims in its scope committed after audit event
        ``after_seq`` and before the hold itself."""
        named = {(t.post_id, t.account_id) for t in hold.in_flight}
        late: list[InFlight] = []
        for event in self.audit.events_after(after_seq):
            if event.get("target") == f"hold/{hold.id}":
                break
            if event.get("action") != "post.publishing" or not event.get("target", "").startswith("post/"):
                continue
            post_id, account_id = event["target"][5:], str(event.get("summary", "")).split(": ", 1)[0]
            if (post_id, account_id) in named or not hold.applies_to(account_id, self.region_of(account_id)):
                continue
            record = self.store.get(SCHEDULES, post_id)
            target = schedule_from_record(record).targets.get(account_id) if record else None
            if target is None or hold.passed_by(schedule_from_record(record).crisis_pass):
                continue
            named.add((post_id, account_id))
            late.append(InFlight(post_id, account_id, target.claimed_at, target.claimed_by))
        if not late:
            return hold
        in_flight = hold.in_flight + tuple(late)
        current = self.store.get(HOLDS, hold.id)

        def write(tx) -> AuditNote:
            tx.update(HOLDS, hold.id, {"in_flight": [in_flight_to_dict(t) for t in in_flight]},
                      expected_version=current["_v"])
            return AuditNote("publishing.hold", f"hold/{hold.id}",
                             f"{len(late)} more already being sent as it came into force: "
                             + ", ".join(f"{t.post_id} on {t.account_id}" for t in late))

        self.audit.apply(actor.name, write)
        return self.get(hold.id)

    def release(self, actor: Actor, hold_id: str, note: str = "", *, also: Also | None = None) -> Hold:
        return self.release_many(actor, [hold_id], note, also=also)[0]

    def release_many(self, actor: Actor, hold_ids: Iterable[str], note: str = "", *,
                     also: Also | None = None) -> list[Hold]:
        """Release holds in one transaction (with ``also(tx, holds)``'s writes)."""
        actor.require(SCHEDULE_FREEZE)
        holds = []
        for hold_id in hold_ids:
            hold = self.get(hold_id)
            if hold is None:
                raise InvalidAction(f"no hold {hold_id!r}; `socops publishing holds` lists them")
            if not hold.active:
                raise InvalidAction(f"{hold.id} was already released by {hold.released_by} "
                                    f"at {format_time(hold.released_at)}")
            holds.append(hold)
        note = " ".join((note or "").split())[:MAX_REASON_CHARS]
        now = self.clock()

        def write(tx) -> list[AuditNote]:
            notes = []
            for hold in holds:
                tx.update(HOLDS, hold.id, {"released_by": actor.name, "released_at": format_time(now),
                                           "release_note": note}, expected_version=hold.version)
                notes.append(AuditNote("publishing.release", f"hold/{hold.id}",
                                       f"released ({hold.describe()})" + (f": {note}" if note else "")))
            # A release never makes a claim unsafe; it moves the gate all the same, so
            # that every change of the holds is ordered against the claims.
            tx.update(GATE, GATE_KEY, {"last": f"release {', '.join(h.id for h in holds)}",
                                       "at": format_time(now)}, expected_version=None)
            return notes + list(also(tx, holds) if also else ())

        for _ in range(MAX_GATE_ATTEMPTS):
            try:
                self.audit.apply(actor.name, write)
                break
            except ConflictError as error:
                self.store.refresh()
                if error.collection == HOLDS:
                    raise ActionConflict(f"{error.key} changed while you released it; look again") from None
                if error.collection != GATE:
                    raise
        else:
            raise StorageProblem(f"publishing was too busy to release after {MAX_GATE_ATTEMPTS} attempts; "
                                 "nothing was released; try again")
        return [self.get(hold.id) for hold in holds]

    def attach(self, tx, hold: Hold, crisis: str) -> AuditNote:
        """Make a crisis freeze set before any crisis was declared part of ``crisis``, in
        the caller's transaction ``tx`` (its holding statements then pass it too);
        returns the audit note to record with it."""
        tx.update(HOLDS, hold.id, {"crisis": crisis}, expected_version=hold.version)
        return AuditNote("publishing.hold_attached", f"hold/{hold.id}", f"{hold.scope}: now part of crisis {crisis}")

    # -- internals -----------------------------------------------------------------------
    def _caught_now(self, hold: Hold, now: datetime) -> tuple[int, int, list[InFlight]]:
        """Targets in the hold's scope, as the store says now: pending and due later,
        pending and already due, and claimed (being sent)."""
        scheduled = due = 0
        in_flight: list[InFlight] = []
        now_text = format_time(now)
        for post_id, projected in list(self.store.projection(SCHEDULES).items()):
            rows = [row for row in projected[0] or () if row[2] in PENDING or row[2] == PUBLISHING]
            rows = [row for row in rows if hold.applies_to(row[0], self.region_of(row[0]))]
            if not rows:
                continue
            record = self.store.get(SCHEDULES, post_id)
            if record is None:
                continue
            schedule = schedule_from_record(record)
            if hold.passed_by(schedule.crisis_pass):
                continue
            for account_id, at, state, next_attempt in rows:
                if state == PUBLISHING:
                    target = schedule.targets.get(account_id)
                    in_flight.append(InFlight(post_id, account_id, target.claimed_at if target else None,
                                              target.claimed_by if target else ""))
                elif ((next_attempt or at) if state == "retrying" else at) <= now_text:
                    due += 1
                else:
                    scheduled += 1
        in_flight.sort(key=lambda t: (t.claimed_at is None, t.claimed_at or now, t.post_id))
        return scheduled, due, in_flight

    def _passing(self, post_ids: set[str], crises: set[str]) -> set[str]:
        """Which of ``post_ids`` carry the pass of one of ``crises``."""
        passing = set()
        for post_id in post_ids:
            record = self.store.get(SCHEDULES, post_id)
            if record is not None and record.get("crisis_pass") and record["crisis_pass"] in crises:
                passing.add(post_id)
        return passing


def claim_gate(tx, seen: int | None, what: str, now: datetime) -> None:
    """Move the publishing gate only if it is still at ``seen``, the version read
    before the holds were checked (None: there was no gate yet); else the
    transaction fails with ConflictError on the gate. See ``records.py``."""
    values = {"last": what, "at": format_time(now)}
    if seen is None:
        tx.insert(GATE, GATE_KEY, values)
    else:
        tx.update(GATE, GATE_KEY, values, expected_version=seen)
