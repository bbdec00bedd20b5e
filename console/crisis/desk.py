"""The two-person rule: unfreezing and resolving need the person who asks and a
second one who confirms.

One person asks (:func:`request_unfreeze`: ``schedule.freeze``;
:func:`request_resolve`: ``crisis.declare``; both high-risk, so a fresh
code). Another person whose role is among ``[crisis] confirm_roles`` (owner,
admin, manager by default) confirms with a fresh code of their own
(:func:`confirm`); the asker cannot. Both names are audited, in the same
transaction as the change. One request waits at a time; the asker, or
anyone who could confirm, may cancel it.

Unfreezing releases every crisis freeze in force; resolving also ends the
crisis. Nothing that missed its time publishes by itself afterwards: the
missed posts are listed (:class:`Confirmed`), and each must be rescheduled
(``SchedulingService.schedule``, with the re-approval rules of the
governance file) or dropped (``SchedulingService.unschedule``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from console.audit import AuditNote
from console.crisis.book import CrisisBook
from console.crisis.records import (ACTIVE_KEY, CRISES, DESK, REQUEST_KEY, RESOLVE, UNFREEZE, Crisis, MissedTarget,
                                    Request, crisis_from_record, missed_to_dict)
from console.errors import ActionConflict, InvalidAction
from console.permissions import CRISIS_DECLARE, SCHEDULE_FREEZE, Actor, PermissionDenied
from console.publishing import CaughtTarget, Hold
from console.records import format_time
from console.untrusted import one_line
from data import ConflictError, NotFoundError

MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class Confirmed:
    """What a confirmation did."""

    request: Request
    confirmed_by: str
    released: tuple[Hold, ...]          # the freezes it released
    missed: tuple[CaughtTarget, ...]    # posts that missed their time: reschedule or drop each
    crisis: Crisis | None               # the resolved crisis (for a resolve)

    def lines(self, handle_of=lambda account_id: account_id) -> list[str]:
        what = "Resolved" if self.request.kind == RESOLVE else "Unfrozen"
        lines = [f"{what}: asked by {self.request.by}, confirmed by {self.confirmed_by}"
                 + (f"; released {', '.join(h.id for h in self.released)}" if self.released else "") + "."]
        if self.missed:
            many = len(self.missed) != 1
            lines.append(f"{len(self.missed)} post{'s' if many else ''} missed {'their' if many else 'its'} time "
                         f"during the freeze; {'none publishes' if many else 'it does not publish'} by itself: "
                         f"reschedule or drop {'each' if many else 'it'}:")
            lines += [f"  {m.post_id} on {handle_of(m.account_id)}, was due {format_time(m.at)}" for m in self.missed]
        elif self.released:
            lines.append("No post missed its time.")
        return lines


def request_unfreeze(book: CrisisBook, actor: Actor, note: str = "") -> Request:
    actor.require(SCHEDULE_FREEZE)
    if not book.freezes():
        raise InvalidAction("publishing is not frozen; there is nothing to unfreeze")
    crisis = book.active()
    return _ask(book, actor, UNFREEZE, note, crisis)


def request_resolve(book: CrisisBook, actor: Actor, note: str = "") -> Request:
    actor.require(CRISIS_DECLARE)
    crisis = book.active()
    if crisis is None:
        raise InvalidAction("no crisis is active; there is nothing to resolve")
    return _ask(book, actor, RESOLVE, note, crisis)


def _ask(book: CrisisBook, actor: Actor, kind: str, note: str, crisis: Crisis | None) -> Request:
    note = " ".join((note or "").split())[:MAX_NOTE_CHARS]
    waiting = book.request()
    if waiting is not None:
        raise InvalidAction(f"the {waiting.describe()} waits for a second person; confirm it (someone else: "
                            "`socops crisis confirm`) or cancel it first")
    now = book.clock()
    record = {"kind": kind, "by": actor.name, "at": format_time(now), "note": note,
              "crisis_id": crisis.id if crisis else ""}
    target = f"crisis/{crisis.id}" if crisis else "publishing/freeze"
    confirmers = ", ".join(book.policy().confirm_roles)
    text = (f"{actor.name} asks to {kind} {crisis.id if crisis and kind == RESOLVE else 'publishing'}"
            + (f": {one_line(note, 200)}" if note else "")
            + f"; a second person ({confirmers}) confirms with `socops crisis confirm`")

    def write(tx: Any) -> AuditNote:
        tx.insert(DESK, REQUEST_KEY, record)
        for username in book.confirmers():
            if username != actor.name:
                book.notices.tell(tx, username, text, crisis.id if crisis else "freeze")
        return AuditNote(f"crisis.{kind}_requested", target, f"{kind} asked" + (f": {one_line(note, 300)}" if note
                                                                                 else ""))

    try:
        book.audit.apply(actor.name, write)
    except ConflictError:
        book.store.refresh()
        raise ActionConflict(f"someone asked for a confirmation at the same moment: "
                             f"{book.request().describe() if book.request() else 'look again'}") from None
    return book.request()


def cancel(book: CrisisBook, actor: Actor) -> Request:
    """Withdraw the waiting request: its asker, or anyone who could confirm it."""
    waiting = _waiting(book)
    actor.require(SCHEDULE_FREEZE if waiting.kind == UNFREEZE else CRISIS_DECLARE)
    if actor.name != waiting.by and book.role_of(actor.name) not in book.policy().confirm_roles:
        raise PermissionDenied(f"only {waiting.by}, who asked, or someone who could confirm it "
                               f"({', '.join(book.policy().confirm_roles)}) may cancel it", permission=SCHEDULE_FREEZE)
    target = f"crisis/{waiting.crisis_id}" if waiting.crisis_id else "publishing/freeze"

    def write(tx: Any) -> AuditNote:
        tx.delete(DESK, REQUEST_KEY, expected_version=waiting.version)
        return AuditNote("crisis.request_cancelled", target, f"{waiting.describe()}; cancelled")

    _apply(book, actor, write)
    return waiting


def confirm(book: CrisisBook, actor: Actor) -> Confirmed:
    """Confirm the waiting request as the second person; see the module docstring."""
    waiting = _waiting(book)
    actor.require(SCHEDULE_FREEZE if waiting.kind == UNFREEZE else CRISIS_DECLARE)
    if actor.name == waiting.by:
        raise PermissionDenied(f"you asked for this {waiting.kind}: a second person must confirm it (two people "
                               "unfreeze and resolve); ask someone else who is "
                               f"{' or '.join(book.policy().confirm_roles)}",
                               permission=SCHEDULE_FREEZE)
    role = book.role_of(actor.name)
    if role not in book.policy().confirm_roles:
        raise PermissionDenied(f"confirming an {waiting.kind} needs one of these roles: "
                               f"{', '.join(book.policy().confirm_roles)}; {actor.name} is "
                               f"{role or 'not an active console user'}", permission=SCHEDULE_FREEZE)
    crisis = book.get(waiting.crisis_id) if waiting.crisis_id else None
    if waiting.kind == RESOLVE and (crisis is None or not crisis.active):
        raise InvalidAction(f"{waiting.crisis_id or 'the crisis'} is no longer active; cancel the request")
    freezes = book.freezes()
    if waiting.kind == RESOLVE and freezes:
        actor.require(SCHEDULE_FREEZE)      # resolving ends the freeze too
    now = book.clock()
    both = f"asked by {waiting.by}" + (f" ({one_line(waiting.note, 200)})" if waiting.note else "") + \
        f", confirmed by {actor.name}"
    target = f"crisis/{crisis.id}" if crisis else "publishing/freeze"
    text = (f"{crisis.id} resolved" if waiting.kind == RESOLVE else "publishing unfrozen") + f": {both}"
    # What the freezes made miss its time, as it stands when they end (the same list after the release).
    missed = tuple(book.holds.caught([h.id for h in freezes])) if freezes else ()

    def write(tx: Any, released: list[Hold] | None = None) -> list[AuditNote]:
        notes = []
        tx.delete(DESK, REQUEST_KEY, expected_version=waiting.version)
        if crisis is not None and missed:
            notes.append(_keep_missed(book, tx, crisis.id, missed))
        if waiting.kind == RESOLVE:
            tx.delete(DESK, ACTIVE_KEY, expected_version=None)
            tx.update(CRISES, crisis.id, {"state": "resolved", "resolved_by": waiting.by,
                                          "resolve_confirmed_by": actor.name, "resolved_at": format_time(now),
                                          "resolve_note": waiting.note}, expected_version=None)
        book.tell_everyone(tx, actor.name, text, crisis.id if crisis else "freeze")
        holds = f"; released {', '.join(h.id for h in released)}" if released else ""
        return notes + [AuditNote(f"crisis.{waiting.kind}", target, both + holds)]

    if freezes:
        try:
            released = tuple(book.holds.release_many(actor, [h.id for h in freezes], f"{waiting.kind} {both}",
                                                     also=write))
        except ConflictError:
            book.store.refresh()
            raise ActionConflict("the request or the freeze changed while you confirmed it; look again") from None
    else:
        _apply(book, actor, write)
        released = ()
    return Confirmed(waiting, actor.name, released, missed, book.get(crisis.id) if crisis else None)


def _keep_missed(book: CrisisBook, tx: Any, crisis_id: str, missed: tuple[CaughtTarget, ...]) -> AuditNote:
    """Keep the posts the freeze made miss their time with the crisis, for its report (only a
    confirmation writes this list, and confirmations are one at a time: no compare-and-set)."""
    current = crisis_from_record(book.store.get(CRISES, crisis_id))
    known = {(m.post_id, m.account_id) for m in current.missed}
    new = [MissedTarget(m.post_id, m.account_id, m.at) for m in missed if (m.post_id, m.account_id) not in known]
    tx.update(CRISES, crisis_id, {"missed": [missed_to_dict(m) for m in current.missed + tuple(new)]},
              expected_version=None)
    listed = ", ".join(f"{m.post_id} on {m.account_id}" for m in new[:20])
    return AuditNote("crisis.missed", f"crisis/{crisis_id}",
                     f"{len(new)} post target{'s' if len(new) != 1 else ''} missed their time during the freeze; "
                     f"each must be rescheduled or dropped: {listed}")


def _waiting(book: CrisisBook) -> Request:
    waiting = book.request()
    if waiting is None:
        raise InvalidAction("nothing waits for a confirmation; ask first (`socops crisis unfreeze` or "
                            "`socops crisis resolve`)")
    return waiting


def _apply(book: CrisisBook, actor: Actor, write) -> None:
    try:
        book.audit.apply(actor.name, write)
    except (ConflictError, NotFoundError):
        book.store.refresh()
        raise ActionConflict("the request changed while you acted on it (confirmed or cancelled by someone "
                             "else?); look again") from None

