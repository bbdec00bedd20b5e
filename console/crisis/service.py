"""Crisis mode: declare, freeze, work the runbook, write notes, read the state.

:class:`CrisisService` is what the Crisis panel, the wallboard, the status
bar and ``socops crisis`` call; every rule is enforced here.

- **Declare** (``crisis.declare``, high-risk: a fresh code): the level must
  exist in ``[crisis]`` and name the actor's role among those who may
  declare it. One crisis is active at a time. The runbook is the level's
  steps and the playbook's, each due so many minutes after the declaration.
  Every console user is told. A level that freezes freezes at once, in the
  same transaction.
- **Freeze** (``schedule.freeze``, high-risk), with or without a crisis: a
  publishing hold of kind "crisis" on every account, or on the crisis's
  accounts and regions when its level says "affected". It returns a
  :class:`FreezeReport`: what it held, and every post already being sent.
- **Unfreeze and resolve** need two people (``desk.py``).
- **Runbook steps** and **team notes** (``crisis.respond``).
- **Responders**: while a crisis whose level names responders lasts, only
  they reply on its accounts (:meth:`responder_refusal`, asked by the inbox),
  and the worker holds queued replies by anyone else on frozen accounts
  (:meth:`reply_held`).
- **Holding statements** pass the freeze (``statements.py``).
- **Status** (:meth:`status`): the cheap read model for the screens.

The rest of the console reaches it through callables the workspace gives
(people, roles, the inbox's replies), so this package imports neither the
people nor the accounts.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import timedelta
from typing import Any

from console.audit import AuditNote
from console.crisis import desk, statements
from console.crisis.book import CrisisBook
from console.crisis.desk import Confirmed
from console.crisis.model import FREEZE_ALL, CrisisLevel, CrisisPolicy, responder_allowed
from console.crisis.records import (ACTIVE_KEY, CRISES, DESK, STEP_DONE, STEP_NA, STEP_OPEN, Crisis, Request,
                                    Step, TeamNote, crisis_from_record, note_to_dict, step_to_dict)
from console.crisis.report import build_report
from console.crisis.statements import StatementChoice
from console.crisis.timeline import AuditReading, TimelineEntry, audit_entries
from console.errors import ActionConflict, InvalidAction, StorageProblem
from console.permissions import (CRISIS_DECLARE, CRISIS_RESPOND, REPORT_READ, SCHEDULE_FREEZE, Actor,
                                 PermissionDenied, PolicyAckRequired, SessionLocked, StepUpRequired)
from console.posts import Post, PostNotFound
from console.publishing import CRISIS_HOLD, HOLDS, CaughtTarget, Hold, InFlight
from console.records import format_time
from console.untrusted import one_line
from data import ConflictError

MAX_TITLE_CHARS = 120
MAX_REASON_CHARS = 500
MAX_NOTE_CHARS = 1_000
#: A freeze tries again this often when the crisis record changes under it.
MAX_ATTEMPTS = 20
#: Who may read a crisis's timeline and report (the status is for everyone).
READERS = (CRISIS_RESPOND, REPORT_READ)


@dataclass(frozen=True)
class FreezeReport:
    """What a freeze held as it came into force, and what was already being sent."""

    hold: Hold
    crisis_id: str
    scheduled: int              # scheduled targets held (due later)
    publish_now: int            # targets already due (publish-now requests, late ones) held
    replies: int                # queued replies on frozen accounts from people who are not responders
    in_flight: tuple[InFlight, ...]
    handles: dict[str, str]     # account id -> handle, for the lines

    def lines(self) -> list[str]:
        """What the person who froze reads, one statement a line."""
        at = self.hold.at.strftime("%H:%M:%S UTC") if self.hold.at else "now"
        crisis = f", crisis {self.crisis_id}" if self.crisis_id else ""
        first = (f"Publishing frozen at {at} on {self.hold.scope} (hold {self.hold.id}{crisis}): held "
                 f"{_count(self.scheduled, 'scheduled post')}, {_count(self.publish_now, 'publish-now request')}, "
                 f"{_count(self.replies, 'queued reply', 'queued replies')}.")
        return [first, *self.in_flight_lines()]

    def in_flight_lines(self) -> list[str]:
        """Each post that was already being sent: it may still go out, and it is named, not hidden."""
        def name(target: InFlight) -> str:
            return f"{target.post_id} on {self.handles.get(target.account_id, target.account_id)}"

        def when(target: InFlight) -> str:
            return target.claimed_at.strftime("%H:%M:%S UTC") if target.claimed_at else "an unknown time"

        if len(self.in_flight) == 1:
            only = self.in_flight[0]
            return [f"1 post was being sent at {when(only)}: {name(only)}"]
        if self.in_flight:
            return [f"{len(self.in_flight)} posts were being sent: "
                    + "; ".join(f"{name(t)} at {when(t)}" for t in self.in_flight)]
        return []


@dataclass(frozen=True)
class Declared:
    crisis: Crisis
    freeze: FreezeReport | None     # the level froze publishing at once
    adopted: tuple[Hold, ...] = ()  # freezes set before the declaration, now part of the crisis


def _count(number: int, noun: str, plural: str = "") -> str:
    return f"{number} {noun if number == 1 else (plural or noun + 's')}"


def require_any(actor: Actor, permissions: tuple[str, ...]) -> None:
    """Pass if ``actor`` holds one of ``permissions`` (a locked session or a
    step-up is raised as it is); else PermissionDenied naming them all."""
    for permission in permissions:
        try:
            actor.require(permission)
            return
        except (SessionLocked, PolicyAckRequired, StepUpRequired):
            raise
        except PermissionDenied:
            continue
    raise PermissionDenied(f"{actor.name} may not read crises: needs {' or '.join(permissions)}",
                           permission=permissions[0])


class CrisisService(CrisisBook):
    """Crisis mode's one entry point (see the module docstring); the records and the
    status are :class:`CrisisBook`'s."""

    # -- declaring ----------------------------------------------------------------------
    def declare(self, actor: Actor, severity: int, title: str, reason: str, *, accounts: Iterable[str] = (),
                regions: Iterable[str] = (), playbook: str | None = None) -> Declared:
        """Declare a crisis; see the module docstring for the rules. A freeze set
        before (without a crisis) becomes part of it."""
        actor.require(CRISIS_DECLARE)
        policy = self.policy()
        level = self._level(policy, severity)
        role = self.role_of(actor.name)
        if role not in level.declare_roles:
            raise PermissionDenied(f"level {level.label} may be declared by {', '.join(level.declare_roles)}; "
                                   f"{actor.name} is {_a(role)}: ask one of them, or declare a lower level",
                                   permission=CRISIS_DECLARE)
        if level.freezes:
            actor.require(SCHEDULE_FREEZE)     # the level freezes publishing as it is declared
        title, reason = _text(title, "a title", MAX_TITLE_CHARS), _text(reason, "a reason", MAX_REASON_CHARS)
        accounts, regions = self._scope(accounts, regions)
        chosen = None
        if playbook:
            chosen = policy.playbook(playbook.strip())
            if chosen is None:
                raise InvalidAction(f"no playbook {one_line(playbook, 40)!r} in [crisis]; playbooks: "
                                    f"{', '.join(policy.playbooks) or 'none'}")
        current = self.active()
        if current is not None:
            raise InvalidAction(f"crisis {current.id} ({current.label}: {one_line(current.title, 60)}) is active "
                                f"since {format_time(current.declared_at)}; one crisis at a time: work it, or "
                                "resolve it first")
        now = self.clock()
        crisis_id = f"c-{secrets.token_hex(3)}"
        steps = [Step(step.id, step.title, step.owner, now + timedelta(minutes=step.due_minutes))
                 for step in policy.runbook(level, chosen)]
        head = self.audit.head()
        record = {"severity": level.number, "level": level.name, "title": title, "reason": reason,
                  "declared_by": actor.name, "declared_at": format_time(now), "state": "active",
                  "accounts": list(accounts), "regions": list(regions), "playbook": chosen.id if chosen else "",
                  "playbook_title": chosen.title if chosen else "", "freeze_scope": level.freeze,
                  "responders": list(level.responders), "statement_tags": list(policy.statement_tags(level, chosen)),
                  "steps": [step_to_dict(step) for step in steps], "notes": [], "holds": [], "statements": [],
                  "missed": [], "held_replies": 0, "audit_from": int(head["seq"]) if head else 0}
        draft = crisis_from_record({**record, "_key": crisis_id, "_v": 1})
        loose = [hold for hold in self.freezes() if not hold.crisis]     # a freeze that came first
        frozen_before = any(_covers(hold, *self._freeze_scope(draft, level)) for hold in loose)
        text = (f"CRISIS {level.label} declared by {actor.name}: {one_line(title, 80)} ({draft.scope}); "
                f"{one_line(reason, 200)}")

        def write(tx: Any, hold: Hold | None = None, replies: int = 0) -> list[AuditNote]:
            tx.insert(DESK, ACTIVE_KEY, {"crisis_id": crisis_id})
            tx.insert(CRISES, crisis_id, {**record, "holds": [h.id for h in loose] + ([hold.id] if hold else []),
                                          "held_replies": replies})
            frozen = " Publishing is frozen." if hold or frozen_before else ""
            self.tell_everyone(tx, actor.name, text + frozen, crisis_id)
            notes = [AuditNote("crisis.declare", f"crisis/{crisis_id}",
                               f"{level.label}: {one_line(title, 80)}; scope {draft.scope}; "
                               f"playbook {chosen.id if chosen else 'none'}; {len(steps)} runbook steps; "
                               f"reason: {one_line(reason, 200)}")]
            return notes + [self.holds.attach(tx, h, crisis_id) for h in loose]

        try:
            if level.freezes and not frozen_before:
                report = self._freeze(actor, draft, level, f"crisis {crisis_id}: {title}", also=write)
                return Declared(self.get(crisis_id), report, tuple(loose))
            self.audit.apply(actor.name, write)
        except ConflictError as error:
            self.store.refresh()
            if error.collection == DESK:
                current = self.active()
                raise ActionConflict("another crisis was declared at the same moment"
                                     + (f": {current.id} by {current.declared_by}" if current else "")
                                     + "; look again") from None
            if error.collection == HOLDS:
                raise ActionConflict("the freeze changed while you declared; look again") from None
            raise
        return Declared(self.get(crisis_id), None, tuple(loose))

    def _level(self, policy: CrisisPolicy, severity: int) -> CrisisLevel:
        if not policy.levels:
            raise InvalidAction("governance.toml has no crisis levels; add [crisis.levels.N] tables (the shipped "
                                "example has four) and run `socops policy check`")
        level = policy.level(severity) if isinstance(severity, int) else None
        if level is None:
            raise InvalidAction(f"no crisis level {severity!r}; levels: "
                                f"{', '.join(level.label for level in policy.levels.values())}")
        return level

    def _scope(self, accounts: Iterable[str], regions: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
        accounts = tuple(dict.fromkeys(a.strip() for a in accounts if a and a.strip()))
        regions = tuple(dict.fromkeys(r.strip() for r in regions if r and r.strip()))
        known = list(self.known_accounts())
        unknown = [a for a in accounts if a not in known]
        if unknown:
            raise InvalidAction(f"no account {one_line(unknown[0], 60)!r}; accounts: {', '.join(known) or 'none'}")
        known_regions = sorted({self.region_of(a) for a in known} - {""})
        unknown = [r for r in regions if r not in known_regions]
        if unknown:
            raise InvalidAction(f"no region {one_line(unknown[0], 40)!r}; the accounts' regions are "
                                f"{', '.join(known_regions) or 'none'}")
        return accounts, regions

    # -- freezing -----------------------------------------------------------------------
    def freeze(self, actor: Actor, reason: str = "") -> FreezeReport:
        """Freeze publishing now, with or without an active crisis; see the module docstring."""
        actor.require(SCHEDULE_FREEZE)
        crisis = self.active()
        level = self.policy().level(crisis.severity) if crisis else None
        reason = " ".join((reason or "").split())
        if not reason:
            reason = f"crisis {crisis.id}: {crisis.title}" if crisis else f"emergency freeze by {actor.name}"

        def write(tx: Any, hold: Hold, replies: int) -> list[AuditNote]:
            if crisis is not None:
                record = self.store.get(CRISES, crisis.id)
                tx.update(CRISES, crisis.id, {"holds": list(record.get("holds") or ()) + [hold.id],
                                              "held_replies": int(record.get("held_replies") or 0) + replies},
                          expected_version=record["_v"])
            self.tell_everyone(tx, actor.name, f"FROZEN by {actor.name}: publishing on {hold.scope} is frozen "
                               f"({one_line(reason, 200)})", crisis.id if crisis else hold.id)
            return []

        return self._freeze(actor, crisis, level, reason, also=write)

    def _freeze_scope(self, crisis: Crisis | None, level: CrisisLevel | None) -> tuple[tuple, tuple]:
        """Every account without a crisis or when its level says "all"; else (the level
        says "affected", or "none" and someone freezes all the same) the crisis's
        accounts and regions (every account when it names none)."""
        if crisis is None or (level.freeze if level else crisis.freeze_scope) == FREEZE_ALL:
            return (), ()
        return crisis.accounts, crisis.regions

    def _freeze(self, actor: Actor, crisis: Crisis | None, level: CrisisLevel | None, reason: str, *,
                also: Callable[..., list[AuditNote]]) -> FreezeReport:
        accounts, regions = self._freeze_scope(crisis, level)
        for hold in self.freezes():
            if _covers(hold, accounts, regions):
                raise InvalidAction(f"publishing is already frozen on {hold.scope} (hold {hold.id}, by {hold.by} at "
                                    f"{format_time(hold.at)}); nothing changed")
        crisis_id = crisis.id if crisis else ""
        # Counted before: from now on the reply job holds them (with the crisis record, in the hold's transaction).
        replies = self._held_replies(crisis, accounts, regions)
        for _ in range(MAX_ATTEMPTS):
            try:
                hold = self.holds.hold(actor, reason, accounts=accounts, regions=regions, kind=CRISIS_HOLD,
                                       crisis=crisis_id, also=lambda tx, hold: also(tx, hold, replies))
                break
            except ConflictError as error:
                if error.collection != CRISES:
                    raise
                self.store.refresh()     # a note or a step landed at the same moment: again
        else:
            raise StorageProblem("the crisis changed too often to freeze; nothing was frozen; try again at once")
        handles = {t.account_id: self.handle_of(t.account_id) for t in hold.in_flight}
        return FreezeReport(hold, crisis_id, hold.scheduled, hold.due, replies, hold.in_flight, handles)

    def _held_replies(self, crisis: Crisis | None, accounts: tuple[str, ...], regions: tuple[str, ...]) -> int:
        """Queued replies on these accounts and regions (none named: every account) by
        people who are not the crisis's responders."""
        if crisis is None or not crisis.responders:
            return 0

        def frozen(account_id: str) -> bool:
            return (not accounts and not regions) or account_id in accounts or self.region_of(account_id) in regions

        return sum(1 for reply in self.queued_replies() if frozen(reply.account_id)
                   and not responder_allowed(crisis.responders, reply.by, self.role_of(reply.by)))

    # -- responders ---------------------------------------------------------------------
    def responder_refusal(self, username: str, account_id: str) -> str:
        """Why ``username`` may not reply on ``account_id`` now ("" when they may):
        during a crisis whose level names responders, only they reply on its accounts."""
        crisis = self.active()
        if crisis is None or not crisis.responders or not crisis.affects(account_id, self.region_of(account_id)):
            return ""
        role = self.role_of(username)
        if responder_allowed(crisis.responders, username, role):
            return ""
        return (f"{account_id} is affected by crisis {crisis.id} ({crisis.label}: {one_line(crisis.title, 60)}): "
                f"while it lasts only its responders reply there ({', '.join(crisis.responders)}), and {username} "
                f"is {_a(role)}; hand the item to a responder, or ask the crisis lead")

    def reply_held(self, username: str, account_id: str) -> str:
        """Why the worker must not send ``username``'s queued reply on ``account_id``
        now ("" to send it): the account is frozen and they are not a responder."""
        freeze = next((hold for hold in self.freezes()
                       if hold.applies_to(account_id, self.region_of(account_id))), None)
        crisis = self.active() if freeze is not None else None
        if crisis is None or responder_allowed(crisis.responders, username, self.role_of(username)):
            return ""
        return (f"held: publishing on {account_id} is frozen (hold {freeze.id}) and {username} is not a responder "
                f"of crisis {crisis.id}; it goes out when the freeze ends")

    # -- the runbook and the notes ------------------------------------------------------
    def step(self, actor: Actor, step_id: str, state: str, note: str = "") -> Step:
        """Mark a runbook step of the active crisis done or not applicable (n/a needs a note)."""
        actor.require(CRISIS_RESPOND)
        if state not in (STEP_DONE, STEP_NA):
            raise InvalidAction(f"a step is marked {STEP_DONE!r} or {STEP_NA!r}, not {one_line(state, 20)!r}")
        note = " ".join((note or "").split())[:MAX_NOTE_CHARS]
        if state == STEP_NA and not note:
            raise InvalidAction("marking a step not applicable needs a note saying why; the post-mortem reads it")
        crisis = self.require_active()
        step_id = (step_id or "").strip()
        if crisis.step(step_id) is None:
            raise InvalidAction(f"no step {one_line(step_id, 40)!r} in the runbook of {crisis.id}; steps: "
                                f"{', '.join(step.id for step in crisis.steps) or 'none'}")
        now = self.clock()

        def mark(current: Crisis) -> tuple[dict, list[AuditNote]]:
            step = current.step(step_id)
            if step.state != STEP_OPEN:
                raise InvalidAction(f"{step.id} was already marked {step.state} by {step.by} at {format_time(step.at)}")
            marked = replace(step, state=state, by=actor.name, at=now, note=note)
            late = " (late)" if state == STEP_DONE and now > step.due_at else ""
            steps = [step_to_dict(marked if s.id == step_id else s) for s in current.steps]
            return {"steps": steps}, [AuditNote("crisis.step", f"crisis/{current.id}",
                                                f"{step.id} {state}{late}: {one_line(step.title, 80)}"
                                                + (f"; {one_line(note, 200)}" if note else ""))]

        return self.change(actor.name, crisis.id, mark).step(step_id)

    def note(self, actor: Actor, text: str, *, announce: bool = False) -> TeamNote:
        """Add a note to the active crisis's log; ``announce`` also tells every console user."""
        actor.require(CRISIS_RESPOND)
        text = (text or "").strip()
        if not text:
            raise InvalidAction("the note is empty")
        if len(text) > MAX_NOTE_CHARS:
            raise InvalidAction(f"the note has {len(text)} characters; the limit is {MAX_NOTE_CHARS}")
        crisis = self.require_active()
        made = TeamNote(self.clock(), actor.name, text, announce)

        def add(current: Crisis) -> tuple[dict, list[AuditNote]]:
            return ({"notes": [note_to_dict(n) for n in current.notes] + [note_to_dict(made)]},
                    [AuditNote("crisis.note", f"crisis/{current.id}",
                               ("announced: " if announce else "") + one_line(text, 300))])

        tell = f"{crisis.id} {actor.name}: {one_line(text, 400)}" if announce else ""
        self.change(actor.name, crisis.id, add, tell=tell)
        return made

    # -- the two-person rule (desk.py) ---------------------------------------------------
    def request_unfreeze(self, actor: Actor, note: str = "") -> Request:
        """Ask to end the freeze (``schedule.freeze``, a fresh code); a second person confirms."""
        return desk.request_unfreeze(self, actor, note)

    def request_resolve(self, actor: Actor, note: str = "") -> Request:
        """Ask to resolve the active crisis (``crisis.declare``, a fresh code); a second person confirms."""
        return desk.request_resolve(self, actor, note)

    def confirm(self, actor: Actor) -> Confirmed:
        """Confirm the waiting request as the second person (a confirm role, a fresh code)."""
        return desk.confirm(self, actor)

    def cancel_request(self, actor: Actor) -> Request:
        """Withdraw the waiting request (its asker, or someone who could confirm it)."""
        return desk.cancel(self, actor)

    def missed_posts(self, crisis_id: str | None = None) -> list[CaughtTarget]:
        """Posts a crisis freeze made miss their time that still wait for a person: each
        must be rescheduled (``SchedulingService.schedule``) or dropped
        (``SchedulingService.unschedule``); none publishes by itself. Those of one
        crisis, or of every freeze when ``crisis_id`` is None."""
        if crisis_id:
            hold_ids = self.get(crisis_id).holds
        else:
            hold_ids = tuple(hold.id for hold in self.holds.all() if hold.kind == CRISIS_HOLD)
        return self.holds.caught(hold_ids)

    # -- holding statements (statements.py) -----------------------------------------------
    def holding_statements(self, actor: Actor) -> list[StatementChoice]:
        """The usable holding statements, those prepared for the active crisis first."""
        return statements.holding_statements(self, actor)

    def publish_holding_statement(self, actor: Actor, asset_id: str, accounts: Iterable[str], *,
                                  acknowledge: Iterable[str] = ()) -> Post:
        """Make a post of a holding statement and submit it on the crisis route; once
        approved it is published at once, passing the freeze (and only it does)."""
        return statements.publish_holding_statement(self, actor, asset_id, accounts, acknowledge=acknowledge)

    def statement_approved(self, approver: Actor, post: Post) -> None:
        """The approval service's call after a post's last approval (see statements.py)."""
        statements.statement_approved(self, approver, post)

    # -- timeline and report ----------------------------------------------------------------
    def timeline(self, actor: Actor, crisis_id: str | None = None) -> list[TimelineEntry]:
        """The timeline of a crisis (the active one by default) from the audit trail and
        the team's notes, oldest first (needs ``crisis.respond`` or ``report.read``;
        :meth:`status` carries the latest entries for everyone)."""
        require_any(actor, READERS)
        crisis = self.get(crisis_id) if crisis_id else self.require_active()
        return self._timeline(crisis)

    def report(self, actor: Actor, crisis_id: str) -> dict:
        """The post-mortem of a crisis (an interim one while it is active); see report.py.
        :func:`report_markdown` renders it."""
        require_any(actor, READERS)
        crisis = self.get(crisis_id)
        holds = {hold_id: hold for hold_id in crisis.holds if (hold := self.holds.get(hold_id)) is not None}
        return build_report(crisis, self._timeline(crisis), holds, self.scheduling.get, self.clock())

    def _timeline(self, crisis: Crisis) -> list[TimelineEntry]:
        def post_targets(post_id: str) -> tuple[str, ...] | None:
            try:
                return self.posts.get(post_id).targets
            except PostNotFound:
                return None

        reading = AuditReading(post_targets=post_targets, item_account=self.item_account,
                               replies_of=self.replies_of, region_of=self.region_of, handle_of=self.handle_of)
        return audit_entries(crisis, self.audit.events_after(crisis.audit_from), reading, self.clock())


def _covers(hold: Hold, accounts: tuple[str, ...], regions: tuple[str, ...]) -> bool:
    """Whether ``hold`` already stops everything a freeze of ``accounts`` and ``regions`` would."""
    if not hold.accounts and not hold.regions:
        return True
    if not accounts and not regions:
        return False
    return set(accounts) <= set(hold.accounts) and set(regions) <= set(hold.regions)


def _text(value: str, what: str, limit: int) -> str:
    text = " ".join((value or "").split())
    if not text:
        raise InvalidAction(f"a crisis needs {what}; the team and the post-mortem read it")
    if len(text) > limit:
        raise InvalidAction(f"{what} has {len(text)} characters; the limit is {limit}")
    return text


def _a(role: str | None) -> str:
    if not role:
        return "not an active console user"
    return ("an " if role[:1] in "aeiou" else "a ") + role
