"""The approval workflow: posts in review follow their route stage by stage.

A stage names a role (or ``account_owner``) and a mode: ``any`` (one
approval completes it) or ``all`` (every eligible person must approve; see
``console/posts/approvers.py`` for who is eligible). Nobody approves a post they
wrote or edited. Rejecting and requesting changes need a note, which the
authors are told. A post whose proposed time passes before the last stage is
approved expires, and so does an approval older than the policy's
``approval_valid_hours``; the worker's expiry job (``jobs.py``) calls
:meth:`ApprovalService.expire_due` every half minute, and an approval
attempted on a late post expires it on the spot.

The queue reads the store's projection of posts (status, targets, authors,
the current stage's role and approvers), so it stays fast with 10k posts: it
decodes only the posts it returns.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from console.permissions import POST_APPROVE, Actor, PolicyAckRequired, SessionLocked, StepUpRequired
from console.audit import AuditNote, AuditTrail
from console.policy import ACCOUNT_OWNER, MODE_ALL, ContentPolicy, Stage
from console.errors import ActionConflict, ConsoleError, InvalidAction
from console.notices import NoticeService
from console.posts.records import (APPROVED, CHANGES_REQUESTED, DRAFT, EXPIRED, IN_REVIEW, P_APPROVED_AT,
                                  P_AUTHORS, P_PROPOSED_AT, P_RISK, P_STAGE_APPROVERS, P_STAGE_ROLE, P_STATUS,
                                  P_TARGETS, POSTS, REJECTED, NotYourStage, Post, PostExpired, SelfApprovalRefused,
                                  approval_to_dict, with_history)
from console.posts.review import revision_diff
from console.posts.service import PostService
from console.records import BulkResult, format_time
from data import Store

#: Who expires posts when the worker finds them late (the audit trail's actor).
EXPIRY_ACTOR = "worker"
MAX_NOTE_CHARS = 2_000
NOT_YET_APPROVED = (DRAFT, IN_REVIEW, CHANGES_REQUESTED)


class ApprovalService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], posts: PostService, *,
                 policy: Callable[[], ContentPolicy], notices: NoticeService,
                 scheduled: Callable[[str], bool] = lambda post_id: False,
                 approved: Callable[[Actor, Post], None] = lambda actor, post: None) -> None:
        self.store = store
        #: Called after a post's last stage is approved (its approval is saved by then);
        #: it says what it did in its own records, never by raising.
        self.approved = approved
        #: Whether an approved post is on the calendar: its approval then holds
        #: until it is sent (the publisher checks it again just before).
        self.scheduled = scheduled
        self.audit = audit
        self.clock = clock
        self.posts = posts
        self.policy = policy
        self.notices = notices
        self.approvers = posts.approvers     # the same answer as at submission

    # -- the queue ----------------------------------------------------------------------
    def queue_ids(self, actor: Actor) -> list[str]:
        """Ids of in-review posts whose current stage ``actor`` may approve now,
        the earliest proposed time first. Decodes no post."""
        actor.require(POST_APPROVE)
        name = actor.name
        role = self.approvers.role_of(name)
        if role is None:
            return []
        scope = actor.scope()
        owned = {account for account, rules in self.policy().accounts.items()
                 if rules.owner.strip().lower() == name}
        regions: dict[str, str] = {}

        def in_scope(targets: tuple) -> bool:
            for account in targets:
                region = regions.get(account)
                if region is None:
                    region = regions[account] = self.approvers.region(account)
                if not scope.covers(account, region):
                    return False
            return True

        now = format_time(self.clock())
        waiting = []
        for key, p in list(self.store.projection(POSTS).items()):
            if p[P_STATUS] != IN_REVIEW or not p[P_PROPOSED_AT] or p[P_PROPOSED_AT] <= now:
                continue
            stage_role = p[P_STAGE_ROLE]
            if stage_role == ACCOUNT_OWNER:
                if not owned.intersection(p[P_TARGETS]):
                    continue
            elif stage_role != role:
                continue
            if name in p[P_AUTHORS] or name in p[P_STAGE_APPROVERS] or not (scope.everything or in_scope(p[P_TARGETS])):
                continue
            waiting.append((p[P_PROPOSED_AT], key))
        waiting.sort()
        return [key for _, key in waiting]

    def queue(self, actor: Actor, *, limit: int | None = None) -> list[Post]:
        """The posts of :meth:`queue_ids` (the first ``limit`` of them)."""
        ids = self.queue_ids(actor)
        return [self.posts.get(key) for key in ids[:limit]]

    # -- decisions -----------------------------------------------------------------------
    def approve(self, actor: Actor, post_id: str, *, expected_version: int | None = None, note: str = "") -> Post:
        """Approve the current stage; the last stage approved makes the post "ready to schedule"."""
        note = _clean_note(note, required=False)
        post, stage = self._decidable(actor, post_id, expected_version)
        if any(a.by == actor.name for a in post.stage_approvals()):
            raise InvalidAction(f"you already approved stage {post.stage + 1} of {post.id}; "
                                "it waits for the others")
        now = self.clock()
        approved = {a.by for a in post.stage_approvals()} | {actor.name}
        remaining = (self.approvers.eligible(stage, post.targets, post.authors) - approved
                     if stage.mode == MODE_ALL else set())
        number, last = post.stage + 1, post.stage + 1 == len(post.route.stages)
        values: dict = {"approvals": [approval_to_dict(a) for a in post.approvals]
                        + [{"stage": post.stage, "by": actor.name, "at": format_time(now),
                            "revision": post.revision, "note": note}]}
        tell: list[tuple[str, str]] = []
        if remaining:
            outcome = f"stage {number} waits for {len(remaining)} more ({', '.join(sorted(remaining))})"
        elif not last:
            values["stage"] = post.stage + 1
            outcome = f"stage {number} done; stage {number + 1} ({post.route.stages[post.stage + 1].describe()}) next"
        else:
            values.update(status=APPROVED, approved_at=format_time(now))
            outcome = "approved: ready to schedule"
            tell = _to_authors(post, f"{post.id} is approved and ready to schedule (last approval by {actor.name})")
        values["history"] = with_history(post, now, actor.name, "approve", f"stage {number}: {outcome}"
                                         + (f" — {note}" if note else ""))
        summary = f"stage {number} ({stage.describe()}) of revision {post.revision}; {outcome}"
        saved = self.posts.save(actor.name, post, values, [AuditNote("post.approve", f"post/{post.id}", summary)],
                                tell)
        if saved.status == APPROVED:
            # What waits for this approval goes on (a crisis holding statement goes out now).
            self.approved(actor, saved)
        return saved

    def reject(self, actor: Actor, post_id: str, note: str, *, expected_version: int | None = None) -> Post:
        """Turn the post down for good (a note saying why is required; the authors are told)."""
        note = _clean_note(note, required=True, what="a rejection")
        post, _ = self._decidable(actor, post_id, expected_version)
        now = self.clock()
        values = {"status": REJECTED, "history": with_history(post, now, actor.name, "reject", note)}
        tell = _to_authors(post, f"{post.id} was rejected by {actor.name}: {note}")
        return self.posts.save(actor.name, post, values,
                               [AuditNote("post.reject", f"post/{post.id}", f"stage {post.stage + 1}: {note}")], tell)

    def request_changes(self, actor: Actor, post_id: str, note: str, *,
                        expected_version: int | None = None) -> Post:
        """Send the post back to its authors with a note; they edit and submit again (from stage one)."""
        note = _clean_note(note, required=True, what="a request for changes")
        post, _ = self._decidable(actor, post_id, expected_version)
        now = self.clock()
        values = {"status": CHANGES_REQUESTED, "stage": 0, "approvals": [],
                  "past_approvals": [approval_to_dict(a) for a in post.past_approvals + post.approvals],
                  "history": with_history(post, now, actor.name, "changes", note)}
        tell = _to_authors(post, f"{actor.name} asks for changes to {post.id}: {note}")
        return self.posts.save(actor.name, post, values,
                               [AuditNote("post.request_changes", f"post/{post.id}",
                                          f"stage {post.stage + 1}: {note}")], tell)

    def bulk_approve(self, actor: Actor, post_ids: Iterable[str], versions: dict[str, int] | None = None) -> BulkResult:
        """Approve many posts at once; only posts of a risk the policy allows in bulk."""
        allowed = self.policy().approval.bulk_risk
        versions = versions or {}
        result = BulkResult()
        for post_id in post_ids:
            try:
                projected = self.store.projection(POSTS).get(post_id)
                risk = projected[P_RISK] if projected else None
                if projected is not None and risk not in allowed:
                    raise InvalidAction(f"{post_id} is {risk} risk; bulk approval is only for "
                                        f"{', '.join(allowed) or 'no'} risk posts — approve it on its own")
                self.approve(actor, post_id, expected_version=versions.get(post_id))
            except (SessionLocked, PolicyAckRequired, StepUpRequired):
                raise     # about the person, not the post: prompt, then retry
            except ConsoleError as error:
                result.failed.append((post_id, str(error)))
            else:
                result.done.append(post_id)
        return result

    # -- expiry ----------------------------------------------------------------------------
    def expire_due(self) -> list[str]:
        """Expire posts whose time passed before full approval, and approvals older
        than ``approval_valid_hours``; their authors are told. Returns the ids."""
        now = self.clock()
        now_text = format_time(now)
        hours = self.policy().approval.approval_valid_hours
        lapsed_before = format_time(now - timedelta(hours=hours)) if hours is not None else ""
        due = []
        for key, p in list(self.store.projection(POSTS).items()):
            if p[P_STATUS] in NOT_YET_APPROVED and p[P_PROPOSED_AT] and p[P_PROPOSED_AT] <= now_text:
                due.append(key)
            elif p[P_STATUS] == APPROVED and lapsed_before and p[P_APPROVED_AT] and p[P_APPROVED_AT] <= lapsed_before \
                    and not self.scheduled(key):
                due.append(key)
        expired = []
        for key in sorted(due):
            try:
                post = self.posts.get(key)
                if self._expire(EXPIRY_ACTOR, post, lapsed_before) is not None:
                    expired.append(key)
            except ActionConflict:
                continue    # changed meanwhile: the next pass looks again
        return expired

    def _expire(self, actor_name: str, post: Post, lapsed_before: str = "") -> Post | None:
        now = self.clock()
        if post.status in NOT_YET_APPROVED and post.proposed_at and post.proposed_at <= now:
            reason = (f"its proposed time {format_time(post.proposed_at)} passed before it was fully approved "
                      f"(it was {post.status_label})")
        elif post.status == APPROVED and lapsed_before and post.approved_at \
                and format_time(post.approved_at) <= lapsed_before:
            reason = f"approval lapsed: approved at {format_time(post.approved_at)}, valid for " \
                     f"{self.policy().approval.approval_valid_hours} hours"
        else:
            return None
        values = {"status": EXPIRED, "history": with_history(post, now, actor_name, "expire", reason)}
        tell = _to_authors(post, f"{post.id} expired: {reason}; copy it into a new draft to use it again")
        return self.posts.save(actor_name, post, values, [AuditNote("post.expire", f"post/{post.id}", reason)], tell)

    # -- reading for approvers --------------------------------------------------------------
    def revision_diff(self, post: Post, since: int | None = None) -> list[str]:
        return revision_diff(post, since)

    # -- internals ---------------------------------------------------------------------------
    def _decidable(self, actor: Actor, post_id: str, expected_version: int | None) -> tuple[Post, Stage]:
        """The post and its current stage, if ``actor`` may decide on it now; else a refusal."""
        post = self.posts.get(post_id)
        self.posts.require_on_targets(actor, POST_APPROVE, post.targets)
        self.posts.check_version(post, expected_version)
        stage = post.current_stage
        if stage is None:
            raise InvalidAction(f"{post.id} is {post.status_label}, not in review; there is nothing to decide")
        if post.proposed_at is not None and post.proposed_at <= self.clock():
            self._expire(actor.name, post)
            raise PostExpired(f"{post.id}'s proposed time {format_time(post.proposed_at)} passed before it was "
                              "fully approved; it is now expired and its authors were told")
        if actor.name in post.authors:
            raise SelfApprovalRefused(f"you wrote or edited {post.id}; nobody approves their own post — another "
                                      f"{stage.role.replace('_', ' ')} must", permission=POST_APPROVE)
        why = self.approvers.wrong_role(actor.name, stage, post.targets)
        if why:
            raise NotYourStage(f"{post.id} is at stage {post.stage + 1} ({stage.describe()}): {why}",
                               permission=POST_APPROVE)
        return post, stage


def _to_authors(post: Post, text: str) -> list[tuple[str, str]]:
    return [(name, text) for name in post.authors]


def _clean_note(note: str, *, required: bool, what: str = "") -> str:
    note = " ".join((note or "").split())
    if required and not note:
        raise InvalidAction(f"{what} needs a note saying why; the authors read it")
    if len(note) > MAX_NOTE_CHARS:
        raise InvalidAction(f"the note has {len(note)} characters; the limit is {MAX_NOTE_CHARS}")
    return note

