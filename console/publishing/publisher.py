"""Publishing exactly once: claim, then send, then record.

For each due target of a scheduled post the :class:`Publisher`:

1. **claims** it in one store transaction, after checking again, under the
   governance file in force now, that the post is still approved, passes
   the content policy and the publishing rules, that its account is
   connected and healthy, and that no hold stops it. The claim marks the
   target "publishing", counts the attempt and names this worker, and it
   moves the publishing gate from the version read before the holds were
   checked, so a hold set in between makes the claim fail (``records.py``).
   A target that fails a check is not sent and says why; one that a hold
   stops stays scheduled (shown "held"); one whose time came while a crisis
   freeze was in force, or passed by more than the allowed delay while no
   worker ran, is "missed", reported, never sent late.
2. **sends** it with the target's idempotency key, kept in the store since
   scheduling, so a retry after a crash reuses it.
3. **records** the outcome in one transaction, with its audit event: the
   remote id and URL; or the platform's reason (failed); or a later retry
   (transient, rate limited).

An outcome that cannot be told (a timeout after the request went out, or a
claim left by a worker that died between sending and recording) is never
blindly retried: a platform that honours idempotency keys gets the same key
again (a duplicate is impossible); one that does not is first asked whether
the post is there (by its text and time); when that cannot tell, the target
becomes "needs check", shown to people, and is never sent again by itself.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from console.audit import AuditNote, AuditTrail
from console.errors import ConsoleError
from console.notices import NoticeService
from console.policy import CheckResult
from console.posts import APPROVED, Post, PostNotFound, PostService
from console.publishing.holds import HoldService, claim_gate
from console.publishing.model import PublishingPolicy
from console.publishing.records import (FAILED, MISSED, NEEDS_CHECK, PENDING, PUBLISHED, PUBLISHING, RETRYING,
                                        SCHEDULED, SCHEDULES, Schedule, TargetSchedule, schedule_from_record,
                                        target_to_dict)
from console.publishing.rules import PlannedTarget, blackout_findings
from console.publishing.service import account_zone
from console.records import format_time, parse_time
from data import ConflictError, NotFoundError, Store
from integrations.base import (AccountRef, AdapterError, AuthError, MediaAttachment, OutboundPost, PermanentError,
                               PlatformAdapter, PublishResult, RateLimitedError, TransientError)

log = logging.getLogger("socops.publishing")

#: ``Publisher._write`` of an outcome, which does not touch the publishing gate.
NO_GATE = object()
#: A transient failure is retried this many times in all, with backoff, then it fails.
MAX_ATTEMPTS = 5
#: How long a claim may stay unrecorded, by this worker, before it is taken for
#: abandoned (a send never takes this long: the HTTP layer times out first).
CLAIM_TIMEOUT = timedelta(minutes=10)


@dataclass
class PublishReport:
    """What one round of the publishing job did."""

    published: int = 0
    failed: int = 0
    retrying: int = 0
    needs_check: int = 0
    missed: int = 0
    held: int = 0

    def summary(self) -> str:
        parts = [f"{count} {name.replace('_', ' ')}" for name, count in vars(self).items() if count]
        return ", ".join(parts) if parts else "nothing due"


@dataclass(frozen=True)
class Claim:
    """A target this worker claimed and now sends."""

    post: Post
    account: AccountRef
    target: TargetSchedule
    recovering: bool            # a claim found unrecorded: its first send's outcome is unknown


def retry_backoff(attempts: int) -> timedelta:
    """30 s, 1 min, 2 min... with jitter, at most 15 min."""
    ceiling = min(30 * (2 ** max(attempts - 1, 0)), 15 * 60)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


class Publisher:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *, posts: PostService,
                 holds: HoldService, notices: NoticeService, policy: Callable[[], PublishingPolicy],
                 check_content: Callable[[Post], CheckResult], account_of: Callable[[str], AccountRef | None],
                 region_of: Callable[[str], str], owner_of: Callable[[str], str],
                 account_problem: Callable[[str], str], media_for: Callable[[Post], tuple[MediaAttachment, ...]],
                 actor: str = "worker") -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.posts = posts
        self.holds = holds
        self.notices = notices
        self.policy = policy
        self.check_content = check_content
        self.account_of = account_of
        self.region_of = region_of
        self.owner_of = owner_of
        #: Why an account cannot publish now ("" when it can): not connected, needs reconnect.
        self.account_problem = account_problem
        self.media_for = media_for
        self.actor = actor
        #: Names this worker's claims: a claim by another name was left by a worker that stopped.
        self.worker_id = f"{actor} pid {os.getpid()} on {socket.gethostname()} #{uuid.uuid4().hex[:6]}"

    # -- what is due ----------------------------------------------------------------------
    def next_due(self) -> datetime | None:
        """When the next pending target is due (from the projection: no record decoded)."""
        soonest: datetime | None = None
        for projected in self.store.projection(SCHEDULES).values():
            for _account, at, state, next_attempt in projected[0] or ():
                if state == SCHEDULED:
                    moment = parse_time(at)
                elif state == RETRYING:
                    moment = parse_time(next_attempt or at)
                elif state == PUBLISHING:
                    moment = self.clock()      # unrecorded: look at it now
                else:
                    continue
                if moment is not None and (soonest is None or moment < soonest):
                    soonest = moment
        return soonest

    def due(self, now: datetime) -> list[tuple[str, str]]:
        """``(post id, account id)`` of every target to act on now, the earliest first."""
        found = []
        now_text = format_time(now)
        for post_id, projected in self.store.projection(SCHEDULES).items():
            for account_id, at, state, next_attempt in projected[0] or ():
                when = next_attempt or at if state == RETRYING else at
                if (state in PENDING and when and when <= now_text) or state == PUBLISHING:
                    found.append((when or "", post_id, account_id))
        return [(post_id, account_id) for _when, post_id, account_id in sorted(found)]

    # -- one round ------------------------------------------------------------------------
    async def run(self, adapters: dict[str, PlatformAdapter], now: datetime) -> PublishReport:
        report = PublishReport()
        for post_id, account_id in self.due(now):
            try:
                claim = self._claim(post_id, account_id, adapters, report)
            except ConflictError:
                self.store.refresh()     # a person changed the schedule meanwhile: look again next round
                continue
            if claim is None:
                continue
            adapter = adapters[account_id]
            if claim.recovering and not adapter.capabilities.idempotent_publish:
                await self._look(claim, adapter, self._outbound(claim.post, claim.account),
                                 "its worker stopped between sending it and recording the answer", report)
            else:
                await self._send(claim, adapter, report)     # the same key: the platform de-duplicates
        return report

    # -- 1. claim ---------------------------------------------------------------------------
    def _claim(self, post_id: str, account_id: str, adapters: dict[str, PlatformAdapter],
               report: PublishReport) -> Claim | None:
        record = self.store.get(SCHEDULES, post_id)
        if record is None:
            return None
        schedule = schedule_from_record(record)
        target = schedule.targets.get(account_id)
        if target is None:
            return None
        now = self.clock()
        if target.state == PUBLISHING:
            if target.claimed_by == self.worker_id and target.claimed_at and now - target.claimed_at < CLAIM_TIMEOUT:
                return None          # this worker is sending it right now
            return self._recover(schedule, target, adapters, report)
        if target.state not in PENDING or target.due_at() > now:
            return None
        # Read before the holds are checked, and claimed with: a hold set in between
        # makes the claim fail (see the publishing gate in records.py).
        gate = self.holds.gate_version()
        try:
            post = self.posts.get(post_id)
        except PostNotFound:
            self._finish(schedule, target, FAILED, "not sent: the post no longer exists", report)
            return None
        account = self.account_of(account_id)
        region = self.region_of(account_id)
        frozen = self.holds.froze(account_id, region, target.due_at(), crisis_pass=schedule.crisis_pass)
        if frozen is not None:
            # Nothing goes out by itself after a freeze: a person reschedules it or drops it.
            why = (f"missed: publishing was frozen when it was due at {format_time(target.due_at())} "
                   f"({frozen.reason}; hold {frozen.id}); reschedule it or drop it")
            self._finish(schedule, replace(target, hold=frozen.id), MISSED, why, report)
            return None
        hold = self.holds.holding(account_id, region, crisis_pass=schedule.crisis_pass)
        policy = self.policy()
        late = now - target.at
        if target.state == SCHEDULED and target.attempts == 0 and late > policy.missed_after:
            why = (f"missed: it was due at {format_time(target.at)} and no worker sent it within "
                   f"{policy.missed_after_minutes} min" + (f" (held: {hold.reason})" if hold else "")
                   + "; reschedule it or publish it now")
            self._finish(schedule, target, MISSED, why, report)
            return None
        if hold is not None:
            report.held += 1
            return None
        problem = self._problem(post, schedule, account, account_id, region, adapters)
        if problem:
            self._finish(schedule, target, FAILED, f"not sent: {problem}", report)
            return None
        claimed = replace(target, state=PUBLISHING, attempts=target.attempts + 1, claimed_by=self.worker_id,
                          claimed_at=now, error="", next_attempt_at=None)
        self._write(schedule, claimed, AuditNote(
            "post.publishing", f"post/{post_id}", f"{account_id}: attempt {claimed.attempts} by {self.worker_id}"),
            gate=gate)
        return Claim(post, account, claimed, recovering=False)

    def _problem(self, post: Post, schedule: Schedule, account: AccountRef | None, account_id: str, region: str,
                 adapters: dict[str, PlatformAdapter]) -> str:
        """Why the target must not go out now ("" when it may): the re-checks before sending."""
        if post.status != APPROVED:
            return f"{post.id} is {post.status_label}, not approved"
        result = self.check_content(post)
        if result.errors:
            rules = ", ".join(sorted({f.rule_id for f in result.errors}))
            return f"the content policy in force now finds {rules}; fix the post and submit it again"
        acknowledged = {rule for ack in post.acknowledgements for rule in ack.rules} | set(schedule.acknowledged)
        missing = result.unacknowledged(acknowledged)
        if missing:
            return (f"the content policy in force now warns about {', '.join(sorted(missing))}, which nobody "
                    "acknowledged; submit it again")
        zone = account_zone(account)
        planned = PlannedTarget(account_id, account.handle if account else account_id, region, zone,
                                self.clock(), post.variants.get(account.platform if account else "") or post.text)
        blocked = blackout_findings(self.policy(), planned, schedule.overrides)
        if blocked:
            return blocked[0].message
        trouble = self.account_problem(account_id)
        if trouble:
            return trouble
        if account is None or account_id not in adapters:
            return f"{account_id} is not connected; reconnect it, then retry"
        adapter = adapters[account_id]
        if not adapter.capabilities.publish:
            return f"{adapter.platform} cannot publish through its API"
        return ""

    # -- 2. send ----------------------------------------------------------------------------
    async def _send(self, claim: Claim, adapter: PlatformAdapter, report: PublishReport) -> None:
        outbound = self._outbound(claim.post, claim.account)
        try:
            result = await adapter.publish(outbound, idempotency_key=claim.target.key)
        except RateLimitedError as error:
            self._retry(claim, error.until, f"rate limited until {format_time(error.until)}", report)
        except TransientError as error:
            if error.maybe_sent and not adapter.capabilities.idempotent_publish:
                await self._look(claim, adapter, outbound, f"the answer was lost ({error})", report)
            elif claim.target.attempts >= MAX_ATTEMPTS:
                self._fail(claim, f"gave up after {claim.target.attempts} attempts: {error}", report)
            else:
                self._retry(claim, self.clock() + retry_backoff(claim.target.attempts), str(error), report)
        except AuthError as error:
            self._fail(claim, f"the account needs reconnecting: {error}", report)
        except (PermanentError, AdapterError) as error:
            self._fail(claim, str(error), report)
        else:
            self._published(claim, result, report)

    def _outbound(self, post: Post, account: AccountRef) -> OutboundPost:
        return OutboundPost(text=post.variants.get(account.platform) or post.text, media=self.media_for(post),
                            language=account.language)

    async def _look(self, claim: Claim, adapter: PlatformAdapter, outbound: OutboundPost, why: str,
                    report: PublishReport) -> None:
        """A create that may have happened, on a platform with no idempotency key: look for it."""
        since = (claim.target.claimed_at or self.clock()) - timedelta(minutes=5)
        found: PublishResult | None = None
        if adapter.capabilities.find_published:
            try:
                found = await adapter.find_published(outbound, since=since)
            except AdapterError as error:
                why += f"; looking for it failed: {error}"
        if found is not None:
            self._published(claim, found, report)
            return
        looked = "it is not found on the account yet" if adapter.capabilities.find_published else \
            f"{adapter.platform} cannot be asked"
        self._finish_claim(claim, NEEDS_CHECK, f"needs a check: {why}; {looked}. Look on the platform: if it is "
                           "not there, retry with --checked", report)

    # -- recovering a claim left unrecorded ----------------------------------------------------
    def _recover(self, schedule: Schedule, target: TargetSchedule, adapters: dict[str, PlatformAdapter],
                 report: PublishReport) -> Claim | None:
        """A target left "publishing" (the worker stopped between sending and
        recording): send again only where the platform makes that safe."""
        gate = self.holds.gate_version()
        account = self.account_of(target.account_id)
        adapter = adapters.get(target.account_id)
        hold = self.holds.holding(target.account_id, self.region_of(target.account_id),
                                  crisis_pass=schedule.crisis_pass)
        if hold is not None:
            # Taking it over would send it again, and a hold is in force: a person looks.
            self._finish(schedule, target, NEEDS_CHECK, f"needs a check: its worker stopped while sending it, and "
                         f"publishing is held now ({hold.reason}; hold {hold.id}); look on the platform: if it is "
                         "not there, retry it with --checked once the hold is released", report)
            return None
        try:
            post = self.posts.get(schedule.post_id)
        except PostNotFound:
            self._finish(schedule, target, NEEDS_CHECK, "needs a check: its worker stopped while sending it, and "
                         "the post no longer exists", report)
            return None
        if adapter is None or account is None:
            self._finish(schedule, target, NEEDS_CHECK, "needs a check: its worker stopped while sending it and "
                         "the account is not connected now", report)
            return None
        claimed = replace(target, claimed_by=self.worker_id, claimed_at=self.clock())
        self._write(schedule, claimed, AuditNote("post.publishing", f"post/{schedule.post_id}",
                                                 f"{target.account_id}: taken over from {target.claimed_by} "
                                                 f"(attempt {target.attempts} unrecorded)"), gate=gate)
        return Claim(post, account, claimed, recovering=True)

    # -- 3. record --------------------------------------------------------------------------
    def _published(self, claim: Claim, result: PublishResult, report: PublishReport) -> None:
        done = replace(claim.target, state=PUBLISHED, remote_id=result.remote_id, url=result.url or "",
                       published_at=result.published_at, error="", next_attempt_at=None)
        summary = f"{claim.account.account_id}: published {result.remote_id}" + (f" {result.url}" if result.url else "")
        text = f"{claim.post.id} is out on {claim.account.handle}" + (f": {result.url}" if result.url else "")
        self._record(claim, done, AuditNote("post.published", f"post/{claim.post.id}", summary),
                     self._tell_authors(claim.post, text))
        report.published += 1

    def _retry(self, claim: Claim, at: datetime, why: str, report: PublishReport) -> None:
        retrying = replace(claim.target, state=RETRYING, next_attempt_at=at, error=why)
        self._record(claim, retrying, None, [])
        report.retrying += 1

    def _fail(self, claim: Claim, why: str, report: PublishReport) -> None:
        self._finish_claim(claim, FAILED, why, report)

    def _finish_claim(self, claim: Claim, state: str, why: str, report: PublishReport) -> None:
        ended = replace(claim.target, state=state, error=why, next_attempt_at=None)
        note = AuditNote(f"post.{'publish_failed' if state == FAILED else state}", f"post/{claim.post.id}",
                         f"{claim.account.account_id}: {why}")
        self._record(claim, ended, note, self._tell_people(claim.post, claim.account.account_id, state, why))
        _count(report, state)

    def _finish(self, schedule: Schedule, target: TargetSchedule, state: str, why: str,
                report: PublishReport) -> None:
        """End a target that was never sent (or whose send cannot be followed up)."""
        ended = replace(target, state=state, error=why, next_attempt_at=None)
        note = AuditNote(f"post.{'publish_failed' if state == FAILED else state}", f"post/{schedule.post_id}",
                         f"{target.account_id}: {why}")
        try:
            post = self.posts.get(schedule.post_id)
            tell = self._tell_people(post, target.account_id, state, why)
        except PostNotFound:
            tell = []
        self._write(schedule, ended, note, tell)
        _count(report, state)

    def _record(self, claim: Claim, target: TargetSchedule, note: AuditNote | None,
                tell: list[tuple[str, str]]) -> None:
        """Write a sent target's outcome; re-read on a conflict (a person may have
        touched another target of the post meanwhile), so the outcome is never lost."""
        for _ in range(20):
            record = self.store.get(SCHEDULES, claim.post.id)
            if record is None:
                log.error("the schedule of %s vanished while %s was being sent; outcome: %s",
                          claim.post.id, target.account_id, target.state)
                return
            try:
                self._write(schedule_from_record(record), target, note, tell)
                return
            except ConflictError:
                self.store.refresh()
        raise ConsoleError(f"could not record that {claim.post.id} on {target.account_id} is {target.state} "
                           "after 20 conflicts; it stays 'publishing' and will be checked, not sent again blindly")

    def _write(self, schedule: Schedule, target: TargetSchedule, note: AuditNote | None,
               tell: Iterable[tuple[str, str]] = (), *, gate: int | None | object = NO_GATE) -> None:
        """Write one target's new state; a claim passes ``gate``, the gate's version
        read before the holds were checked."""
        targets = {account_id: target_to_dict(target if account_id == target.account_id else other)
                   for account_id, other in schedule.targets.items()}

        def write(tx) -> AuditNote | None:
            tx.update(SCHEDULES, schedule.post_id, {"targets": targets}, expected_version=schedule.version)
            if gate is not NO_GATE:
                claim_gate(tx, gate, f"claim {schedule.post_id} on {target.account_id}", self.clock())
            for username, text in tell:
                self.notices.tell(tx, username, text, schedule.post_id)
            return note

        try:
            self.audit.apply(self.actor, write)
        except NotFoundError:
            log.warning("the schedule of %s was removed while the worker acted on it", schedule.post_id)

    def _tell_authors(self, post: Post, text: str) -> list[tuple[str, str]]:
        return [(name, text) for name in post.authors]

    def _tell_people(self, post: Post, account_id: str, state: str, why: str) -> list[tuple[str, str]]:
        """The authors and the account's owner, when a target did not go out."""
        word = {FAILED: "failed", NEEDS_CHECK: "needs a check", MISSED: "was missed"}.get(state, state)
        text = f"{post.id} on {account_id} {word}: {why}"
        people = list(dict.fromkeys([*post.authors, self.owner_of(account_id)]))
        return [(name, text) for name in people if name]


def _count(report: PublishReport, state: str) -> None:
    field = {FAILED: "failed", NEEDS_CHECK: "needs_check", MISSED: "missed"}[state]
    setattr(report, field, getattr(report, field) + 1)

