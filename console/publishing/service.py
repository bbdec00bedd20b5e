"""Scheduling approved posts: when each account gets a post, and changing that.

:class:`SchedulingService` schedules an approved post at its proposed time,
at a time given now (an aware moment, or a wall-clock time read in each
target account's own zone), or at each account's next free queue slot. It
checks the publishing rules (blackouts, spacing, duplicates: ``rules.py``)
first: an error refuses, a warning needs an acknowledgement, and a blackout
may be overridden only by a role the governance file names, with a note.
It also reschedules, unschedules, publishes now (high-risk: a fresh code)
and retries failed targets. Every change is audited in the same
transaction as the change, and the post's authors are told.

Sending is the publishing job's (``jobs.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.audit import AuditNote, AuditTrail
from console.errors import ActionConflict, InvalidAction
from console.notices import NoticeService
from console.permissions import POST_PUBLISH, POST_SUBMIT, Actor
from console.policy import ERROR, WARNING, Finding
from console.posts import APPROVED, AcknowledgementRequired, PolicyBlocked, Post, PostNotFound, PostService
from console.publishing.model import RULE_BLACKOUT, PublishingPolicy, local_moment
from console.publishing.records import (FAILED, MISSED, NEEDS_CHECK, PENDING, PUBLISHED, SCHEDULED,
                                        SCHEDULES, Schedule, ScheduleRequest, TargetSchedule,
                                        schedule_from_record, target_key, target_to_dict)
from console.publishing.rules import OtherPost, PlannedTarget, local_text, schedule_findings
from console.publishing.slots import next_free_slot
from console.records import format_time, parse_time
from data import ConflictError, Store
from integrations.base import AccountRef

MAX_NOTE_CHARS = 500


@dataclass(frozen=True)
class SchedulePlan:
    """What scheduling would do: each target's time, and what the rules find."""

    post: Post
    times: Mapping[str, datetime]
    findings: tuple[Finding, ...]
    zones: Mapping[str, tzinfo]

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    def describe(self) -> list[str]:
        return [f"{account_id}  {local_text(at, self.zones[account_id])}" for account_id, at in self.times.items()]


def account_zone(account: AccountRef | None) -> tzinfo:
    try:
        return ZoneInfo(account.timezone if account and account.timezone else "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


class SchedulingService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *, posts: PostService,
                 notices: NoticeService, policy: Callable[[], PublishingPolicy],
                 account_of: Callable[[str], AccountRef | None], region_of: Callable[[str], str],
                 role_of: Callable[[str], str | None]) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.posts = posts
        self.notices = notices
        self.policy = policy
        self.account_of = account_of
        self.region_of = region_of
        self.role_of = role_of

    # -- reading ---------------------------------------------------------------------------
    def get(self, post_id: str) -> Schedule | None:
        record = self.store.get(SCHEDULES, (post_id or "").strip())
        return schedule_from_record(record) if record is not None else None

    def is_scheduled(self, post_id: str) -> bool:
        """Scheduled and not yet out everywhere: its approval keeps until it is sent."""
        schedule = self.get(post_id)
        return schedule is not None and any(t.state in PENDING or t.state == "publishing"
                                            for t in schedule.targets.values())

    def zone(self, account_id: str) -> tzinfo:
        return account_zone(self.account_of(account_id))

    def proposed_moment(self, targets: Iterable[str], when: datetime) -> datetime:
        """The one moment a post's proposed time names. An aware ``when`` is that
        moment; a wall-clock one (no offset) is read in the target accounts' zone
        when they share one. Accounts in different zones have no single moment
        for "15:00": InvalidAction saying which zones, and what to give instead.
        (Scheduling takes a wall-clock time per account: see :class:`ScheduleRequest`.)"""
        if when.tzinfo is not None:
            return when
        accounts = [account_id.strip() for account_id in targets]
        zones = {account_id: self.zone(account_id) for account_id in accounts if self.account_of(account_id)}
        names = sorted({str(zone) for zone in zones.values()})
        if len(names) > 1:
            listed = ", ".join(f"{account_id} {zone}" for account_id, zone in zones.items())
            raise InvalidAction(f"{when:%Y-%m-%d %H:%M} names no single moment: the accounts are in different "
                                f"time zones ({listed}); give the proposed time with an offset (e.g. "
                                f"{when:%Y-%m-%dT%H:%M}+00:00). Once the post is approved, `socops post schedule "
                                f"ID --at \"{when:%Y-%m-%d %H:%M}\"` sends it at {when:%H:%M} in each account's "
                                "own zone")
        zone = next(iter(zones.values()), account_zone(None))
        return local_moment(when.date(), when.time(), zone)

    def others(self, account_ids: Iterable[str], *, excluding: str) -> list[OtherPost]:
        """The other posts scheduled or published on these accounts (for spacing and duplicates)."""
        wanted = set(account_ids)
        found = []
        for post_id, projected in self.store.projection(SCHEDULES).items():
            if post_id == excluding:
                continue
            rows = [row for row in projected[0] or () if row[0] in wanted and row[2] in (*PENDING, "publishing",
                                                                                           PUBLISHED)]
            if not rows:
                continue
            try:
                post = self.posts.get(post_id)
            except PostNotFound:      # a schedule whose post is gone blocks nothing
                continue
            for account_id, at, _state, _next in rows:
                found.append(OtherPost(post_id, account_id, _time(at), self.text_for(post, account_id)))
        return found

    def text_for(self, post: Post, account_id: str) -> str:
        account = self.account_of(account_id)
        platform = account.platform if account else ""
        return post.variants.get(platform) or post.text

    def plan(self, actor: Actor, post_id: str, request: ScheduleRequest) -> SchedulePlan:
        """Each target's time for ``request`` and what the rules find; changes nothing."""
        post = self.posts.show(actor, post_id)
        self.posts.require_on_targets(actor, POST_SUBMIT, post.targets)
        return self._plan(post, request)

    def blackouts_in(self, plan: SchedulePlan) -> tuple[str, ...]:
        """The ids of the blackouts the plan's times fall in: what an override names
        (the Calendar panel offers to override the ones that refused a time)."""
        found = [blackout.id for account_id, at in plan.times.items() for blackout in self.policy().blackouts
                 if blackout.applies_to(account_id, self.region_of(account_id))
                 and blackout.covers(at, plan.zones[account_id])]
        return tuple(dict.fromkeys(found))

    def _plan(self, post: Post, request: ScheduleRequest) -> SchedulePlan:
        policy = self.policy()
        now = self.clock()
        zones = {account_id: self.zone(account_id) for account_id in post.targets}
        others = self.others(post.targets, excluding=post.id)
        times: dict[str, datetime] = {}
        for account_id in post.targets:
            zone = zones[account_id]
            if request.next_slot:
                times[account_id] = self._next_slot(policy, post, account_id, zone, now, others, request)
            elif request.local is not None:
                times[account_id] = local_moment(request.local.date(), request.local.time(), zone)
            elif request.at is not None:
                times[account_id] = request.at
            elif post.proposed_at is not None:
                times[account_id] = post.proposed_at
            else:
                raise InvalidAction(f"{post.id} has no proposed time; give one (--at TIME) or take the next "
                                    "free slot (--next-slot)")
            if times[account_id] <= now:
                raise InvalidAction(f"{account_id}: {local_text(times[account_id], zone)} has passed; "
                                    "give a later time")
        planned = [self._planned(post, account_id, zones[account_id], at) for account_id, at in times.items()]
        findings = schedule_findings(policy, planned, others, request.overrides)
        return SchedulePlan(post, times, tuple(findings), zones)

    def _planned(self, post: Post, account_id: str, zone: tzinfo, at: datetime) -> PlannedTarget:
        return self._planned_text(account_id, zone, at, self.text_for(post, account_id))

    def _planned_text(self, account_id: str, zone: tzinfo, at: datetime, text: str) -> PlannedTarget:
        account = self.account_of(account_id)
        return PlannedTarget(account_id, account.handle if account else account_id, self.region_of(account_id),
                             zone, at, text)

    def rule_findings(self, times: Mapping[str, datetime], text: str,
                      others: Sequence[OtherPost]) -> tuple[Finding, ...]:
        """What the publishing rules would say of a post not written yet (an
        imported row): ``text`` on each account at its time, among ``others``."""
        planned = [self._planned_text(account_id, self.zone(account_id), at, text)
                   for account_id, at in times.items()]
        return tuple(schedule_findings(self.policy(), planned, others))

    def _next_slot(self, policy: PublishingPolicy, post: Post, account_id: str, zone: tzinfo, now: datetime,
                   others: Sequence[OtherPost], request: ScheduleRequest) -> datetime:
        slots = policy.slots_for(account_id)
        if slots is None:
            raise InvalidAction(f"{account_id} has no queue slots; add [publishing.slots.\"{account_id}\"] to "
                                "governance.toml, or give a time (--at)")
        taken = {other.at for other in others if other.account_id == account_id}

        def free(moment: datetime) -> bool:
            if moment in taken:
                return False
            planned = self._planned(post, account_id, zone, moment)
            return not [f for f in schedule_findings(policy, [planned], others, request.overrides)
                        if f.severity == ERROR]

        moment = next_free_slot(slots, zone, now, free)
        if moment is None:
            raise InvalidAction(f"{account_id} has no free slot in the next 60 days; give a time (--at)")
        return moment

    # -- changing --------------------------------------------------------------------------
    def schedule(self, actor: Actor, post_id: str, request: ScheduleRequest = ScheduleRequest()) -> Schedule:
        """Schedule an approved post (or move a scheduled one): see the module docstring."""
        post = self.posts.get(post_id)
        self.posts.require_on_targets(actor, POST_SUBMIT, post.targets)
        if post.status != APPROVED:
            raise InvalidAction(f"{post.id} is {post.status_label}; only an approved post can be scheduled")
        plan = self._plan(post, request)
        self._check_overrides(actor, plan, request)
        if plan.errors:
            count = len(plan.errors)
            raise PolicyBlocked(f"{post.id} cannot be scheduled then: {count} publishing rule"
                                f"{'s' if count != 1 else ''} say{'' if count != 1 else 's'} no", plan.errors)
        missing = sorted({f.rule_id for f in plan.warnings} - set(request.acknowledge))
        if missing:
            raise AcknowledgementRequired(f"{post.id}: acknowledge {', '.join(missing)} to schedule it then",
                                          tuple(f for f in plan.warnings if f.rule_id in missing))
        existing = self.get(post.id)
        reapprove = self._needs_reapproval(existing, plan, request)
        return self._write(actor, post, plan, request, existing, reapprove)

    def _check_overrides(self, actor: Actor, plan: SchedulePlan, request: ScheduleRequest) -> None:
        if not request.overrides:
            return
        policy = self.policy()
        known = {blackout.id for blackout in policy.blackouts}
        unknown = [o for o in request.overrides if o not in known]
        if unknown:
            raise InvalidAction(f"no blackout {unknown[0]!r} in governance.toml; known: "
                                f"{', '.join(sorted(known)) or 'none'}")
        role = self.role_of(actor.name)
        if role not in policy.override_roles:
            raise InvalidAction(f"overriding a blackout needs one of these roles: "
                                f"{', '.join(policy.override_roles) or 'none (governance.toml names none)'}; "
                                f"you are {role or 'not a console user'}")
        if not " ".join(request.note.split()):
            raise InvalidAction("overriding a blackout needs a note saying why; approvers and the audit read it")

    def _needs_reapproval(self, existing: Schedule | None, plan: SchedulePlan, request: ScheduleRequest) -> str:
        """Why the post must be approved again at its new times ("" when it keeps its approval)."""
        if request.overrides:
            return f"it overrides blackout {', '.join(request.overrides)}"
        if existing is not None and self.policy().reapprove_on_reschedule and any(
                existing.targets.get(a) is None or existing.targets[a].at != at for a, at in plan.times.items()):
            return "governance.toml says a new time needs a new approval (reapprove_on_reschedule)"
        return ""

    def _write(self, actor: Actor, post: Post, plan: SchedulePlan, request: ScheduleRequest,
               existing: Schedule | None, reapprove: str) -> Schedule:
        now = self.clock()
        targets = {}
        for account_id, at in plan.times.items():
            before = existing.targets.get(account_id) if existing else None
            if before is not None and before.state not in PENDING and before.state != MISSED:
                raise InvalidAction(f"{post.id} on {account_id} is {before.state.replace('_', ' ')}; it cannot be "
                                    "moved (retry a failed one, or copy the post for a new one)")
            generation = (before.attempts if before else 0)
            targets[account_id] = target_to_dict(TargetSchedule(
                account_id, at, SCHEDULED, key=(before.key if before and before.key else
                                                target_key(post.id, account_id, generation))))
        note = " ".join(request.note.split())[:MAX_NOTE_CHARS]
        record = {"targets": targets, "revision": post.revision, "scheduled_by": actor.name,
                  "scheduled_at": format_time(now), "overrides": list(request.overrides), "override_note": note,
                  "acknowledged": sorted(set(request.acknowledge))}
        verb = "reschedule" if existing else "schedule"
        summary = "; ".join(plan.describe())
        if request.overrides:
            summary += f"; overrides {', '.join(request.overrides)}: {note}"
        text = f"{post.id} is {verb}d: {summary}" + (f"; it needs approval again: {reapprove}" if reapprove else "")

        def write(tx) -> list[AuditNote]:
            if existing is None:
                tx.insert(SCHEDULES, post.id, record)
            else:
                tx.replace(SCHEDULES, post.id, record, expected_version=existing.version)
            for author in post.authors:
                if author != actor.name:
                    self.notices.tell(tx, author, text, post.id)
            return [AuditNote(f"post.{verb}", f"post/{post.id}", summary)]

        try:
            self.audit.apply(actor.name, write)
        except ConflictError:
            self.store.refresh()
            raise ActionConflict(f"{post.id}'s schedule changed while you worked on it; look again") from None
        if reapprove:
            self.posts.require_approval_again(actor, post.id, reapprove)
        return self.get(post.id)

    def unschedule(self, actor: Actor, post_id: str) -> Post:
        """Take a post off the calendar; it stays approved ("ready to schedule")."""
        post = self.posts.get(post_id)
        self.posts.require_on_targets(actor, POST_SUBMIT, post.targets)
        schedule = self._require(post.id)
        started = [a for a, t in schedule.targets.items() if t.state not in PENDING and t.state != MISSED]
        if started:
            raise InvalidAction(f"{post.id} has already gone out (or is going out) on {', '.join(started)}; "
                                "delete it there instead (`socops post delete`)")

        def write(tx) -> AuditNote:
            tx.delete(SCHEDULES, post.id, expected_version=schedule.version)
            return AuditNote("post.unschedule", f"post/{post.id}",
                             f"was {', '.join(f'{a} {format_time(t.at)}' for a, t in schedule.targets.items())}")

        self._apply(actor, post.id, write)
        return post

    def publish_now(self, actor: Actor, post_id: str, *, crisis_pass: str = "", note: str = "") -> Schedule:
        """Every target not yet out goes out at once (high-risk: needs a fresh code).

        The publishing rules still apply (a blackout may be overridden the usual way);
        the job sends it within seconds, after its own checks.

        ``crisis_pass`` is crisis mode's alone (a holding statement, approved on the
        crisis route): the post passes the freeze of that crisis, and the blackouts
        in force now, which are recorded as overridden with ``note``."""
        post = self.posts.get(post_id)
        self.posts.require_on_targets(actor, POST_PUBLISH, post.targets)
        if post.status != APPROVED:
            raise InvalidAction(f"{post.id} is {post.status_label}; only an approved post can be published")
        existing = self.get(post.id)
        now = self.clock()
        waiting = [a for a in post.targets if existing is None or existing.targets.get(a) is None
                   or existing.targets[a].state in (*PENDING, MISSED)]
        if not waiting:
            raise InvalidAction(f"{post.id} has gone out on every account already; nothing to publish")
        planned = [self._planned(post, a, self.zone(a), now) for a in waiting]
        overrides: tuple[str, ...] = ()
        if crisis_pass:
            policy = self.policy()
            overrides = tuple(dict.fromkeys(
                blackout.id for target in planned for blackout in policy.blackouts
                if blackout.applies_to(target.account_id, target.region) and blackout.covers(now, target.zone)))
        findings = [f for f in schedule_findings(self.policy(), planned, self.others(waiting, excluding=post.id),
                                                 overrides)
                    if f.severity == ERROR and f.rule_id == RULE_BLACKOUT]
        if findings:
            raise PolicyBlocked(f"{post.id} cannot go out now: it is in a blackout", tuple(findings))
        targets = {}
        for account_id in post.targets:
            before = existing.targets.get(account_id) if existing else None
            if account_id in waiting:
                key = before.key if before and before.key else target_key(post.id, account_id)
                targets[account_id] = target_to_dict(TargetSchedule(account_id, now, SCHEDULED, key=key))
            else:
                targets[account_id] = target_to_dict(before)
        note = " ".join(note.split())[:MAX_NOTE_CHARS]
        record = {"targets": targets, "revision": post.revision, "scheduled_by": actor.name,
                  "scheduled_at": format_time(now), "overrides": list(overrides),
                  "override_note": note if overrides else "",
                  "acknowledged": list(existing.acknowledged) if existing else [], "crisis_pass": crisis_pass}
        summary = f"now on {', '.join(waiting)}"
        if crisis_pass:
            summary += f"; passes the freeze of {crisis_pass}" + (f" and blackout {', '.join(overrides)}"
                                                                   if overrides else "")
            summary += f": {note}" if note else ""

        def write(tx) -> AuditNote:
            if existing is None:
                tx.insert(SCHEDULES, post.id, record)
            else:
                tx.replace(SCHEDULES, post.id, record, expected_version=existing.version)
            return AuditNote("post.publish_now", f"post/{post.id}", summary)

        self._apply(actor, post.id, write)
        return self.get(post.id)

    def retry(self, actor: Actor, post_id: str, *, checked: bool = False) -> Schedule:
        """Send the failed or missed targets again, now. A "needs check" target is
        retried only when the person says they checked it is not on the platform
        (``checked``): retrying it blindly could post twice."""
        post = self.posts.get(post_id)
        self.posts.require_on_targets(actor, POST_SUBMIT, post.targets)
        schedule = self._require(post.id)
        states = (FAILED, MISSED, NEEDS_CHECK) if checked else (FAILED, MISSED)
        again = [a for a, t in schedule.targets.items() if t.state in states]
        unchecked = [a for a, t in schedule.targets.items() if t.state == NEEDS_CHECK and not checked]
        if not again:
            if unchecked:
                raise InvalidAction(f"{post.id} on {', '.join(unchecked)} needs a check: look on the platform; "
                                    "if it is not there, retry with --checked (it may otherwise post twice)")
            raise InvalidAction(f"{post.id} has no failed or missed target to retry")
        if post.status != APPROVED:
            raise InvalidAction(f"{post.id} is {post.status_label}; it needs approval before it can be sent")
        now = self.clock()
        targets = {}
        for account_id, target in schedule.targets.items():
            if account_id in again:
                # A needs-check target gets a new key: the person checked the old one did not land.
                key = target_key(post.id, account_id, target.attempts + 1) if target.state == NEEDS_CHECK \
                    else target.key
                target = replace(target, at=now, state=SCHEDULED, key=key, next_attempt_at=None, error="",
                                 claimed_by="", claimed_at=None)
            targets[account_id] = target_to_dict(target)

        checked_ones = [a for a in again if schedule.targets[a].state == NEEDS_CHECK]
        summary = f"retry on {', '.join(again)}"
        if checked_ones:
            summary += f"; {', '.join(checked_ones)} checked by {actor.name}: not on the platform"

        def write(tx) -> AuditNote:
            tx.update(SCHEDULES, post.id, {"targets": targets}, expected_version=schedule.version)
            return AuditNote("post.retry", f"post/{post.id}", summary)

        self._apply(actor, post.id, write)
        return self.get(post.id)

    # -- internals -------------------------------------------------------------------------
    def _require(self, post_id: str) -> Schedule:
        schedule = self.get(post_id)
        if schedule is None:
            raise InvalidAction(f"{post_id} is not scheduled")
        return schedule

    def _apply(self, actor: Actor, post_id: str, write) -> None:
        try:
            self.audit.apply(actor.name, write)
        except ConflictError:
            self.store.refresh()
            raise ActionConflict(f"{post_id}'s schedule changed meanwhile (the worker may be sending it); "
                                 "look again") from None


def _time(value: str | None) -> datetime:
    moment = parse_time(value)
    if moment is None:
        raise InvalidAction("a schedule without a time; the store may be damaged")
    return moment
