"""Posts from a draft to "in review": write, edit, check against the content
policy, submit into the approval route, withdraw.

The approval steps themselves are in ``console/posts/approvals.py``. Every write is
a compare-and-set on the post's version, made through the audit trail, so the
change, its audit event and any notice it leaves are one transaction. A stale
version is refused with :class:`ActionConflict` naming who changed the post.

Who may approve a stage is :class:`console.posts.approvers.Approvers`, shared
with the approval service, so that submission refuses a route nobody could
approve.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import Any

from console.permissions import (
    POST_APPROVE,
    POST_DRAFT,
    POST_SUBMIT,
    Actor,
    PermissionDenied,
    PolicyAckRequired,
    SessionLocked,
    StepUpRequired,
)
from console.audit import AuditNote, AuditTrail
from console.policy import (
    CONTEXT_POST,
    ERROR,
    Attachment,
    CheckResult,
    ContentPolicy,
    Draft,
    Finding,
    Route,
    Target,
)
from console.errors import ActionConflict, ConsoleError, InvalidAction, StorageProblem
from console.notices import NoticeService
from console.posts.approvers import Approvers
from console.posts.content import (CONTENT_FIELDS, check_time, clean_assets, clean_tags, clean_targets,
                                  clean_text, clean_variants, content_differs)
from console.posts.records import (APPROVED, CHANGES_REQUESTED, DRAFT, EDITABLE, IN_REVIEW, P_AUTHORS,
                                  P_PROPOSED_AT, P_STATUS, P_TARGETS, POST_IMPORTS, POSTS, AcknowledgementRequired,
                                  AlreadyImported, PolicyBlocked, Post, PostNotFound, UnstaffedStage, acknowledgement_to_dict,
                                  approval_to_dict, changed_since, history_entry, history_to_dict,
                                  post_from_record, revision_record, revision_to_dict, route_to_dict,
                                  with_history)
from console.records import format_time
from data import ConflictError, NotFoundError, Store, StoreError

Clock = Callable[[], datetime]
_ABOUT_THE_PERSON = (SessionLocked, PolicyAckRequired, StepUpRequired)


class PostService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Clock, *,
                 policy: Callable[[], ContentPolicy],
                 checker: Callable[[ContentPolicy, Draft], CheckResult],
                 target_of: Callable[[str], Target | None],
                 attachment_for: Callable[[str], Attachment],
                 notices: NoticeService, approvers: Approvers,
                 known_accounts: Callable[[], Iterable[str]] = tuple) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.policy = policy
        self.checker = checker
        self.target_of = target_of
        self.attachment_for = attachment_for     # raises ConsoleError for an unusable asset
        self.notices = notices
        self.known_accounts = known_accounts     # for "unknown account; known: ..." messages
        self.approvers = approvers

    # -- reading ----------------------------------------------------------------------
    def get(self, post_id: str) -> Post:
        """One post, unchecked (for rows already listed through :meth:`list`)."""
        record = self.store.get(POSTS, (post_id or "").strip())
        if record is None:
            raise PostNotFound(f"no post {post_id[:40]!r}; list posts with `socops post list`")
        return post_from_record(record)

    def show(self, actor: Actor, post_id: str) -> Post:
        post = self.get(post_id)
        self.require_reader(actor, post.targets)
        return post

    def list(self, actor: Actor, *, status: str | None = None, mine: bool = False) -> list[Post]:
        """Posts ``actor`` may see (every target in scope), earliest proposed time first."""
        self.require_reader(actor, ())
        scope = actor.scope()
        regions: dict[str, str] = {}
        keys = []
        for key, p in self.store.projection(POSTS).items():
            if status and p[P_STATUS] != status or mine and actor.name not in p[P_AUTHORS]:
                continue
            if scope.everything or all(scope.covers(t, regions.get(t) or regions.setdefault(t, self.region(t)))
                                       for t in p[P_TARGETS]):
                keys.append((p[P_PROPOSED_AT] or "~", key))
        return [self.get(key) for _, key in sorted(keys)]

    def region(self, account_id: str) -> str:
        target = self.target_of(account_id)
        return target.region if target is not None else ""

    def require_on_targets(self, actor: Actor, permission: str, targets: Iterable[str]) -> None:
        """``permission`` on every target (with no targets: the permission itself)."""
        targets = tuple(targets)
        if not targets:
            actor.require(permission)
        for account in targets:
            actor.require(permission, account_id=account, region=self.region(account))

    def require_reader(self, actor: Actor, targets: Iterable[str]) -> None:
        """Seeing posts needs post.draft or post.approve (on every target)."""
        try:
            self.require_on_targets(actor, POST_DRAFT, targets)
        except _ABOUT_THE_PERSON:
            raise
        except PermissionDenied:
            self.require_on_targets(actor, POST_APPROVE, targets)

    # -- checks -------------------------------------------------------------------------
    def check(self, post_or_id: Post | str) -> CheckResult:
        """The content policy's findings on the post as it is now."""
        post = self.get(post_or_id) if isinstance(post_or_id, str) else post_or_id
        return self._check_content({name: getattr(post, name) for name in CONTENT_FIELDS})

    def _check_content(self, content: Mapping) -> CheckResult:
        extra: list[Finding] = []
        targets = []
        for account in content["targets"]:
            target = self.target_of(account)
            if target is None:
                extra.append(Finding("target.unknown", ERROR, f"account {account} is not connected any more",
                                     "remove it from the targets, or reconnect it"))
            else:
                targets.append(target)
        attachments = []
        for asset_id in content["assets"]:
            try:
                attachments.append(self.attachment_for(asset_id))
            except ConsoleError as error:
                extra.append(Finding("asset.unusable", ERROR, f"image {asset_id} cannot be used: {error}",
                                     "remove it, or pick an approved, unexpired image from the library"))
        draft = Draft(content["text"], tuple(targets), dict(content["variants"]), tuple(content["tags"]),
                      tuple(attachments), CONTEXT_POST)
        result = self.checker(self.policy(), draft)
        if not extra:
            return result
        return CheckResult(tuple(extra) + result.findings, result.counters, result.risk, result.risk_reasons)

    # -- writing --------------------------------------------------------------------------
    def draft(self, actor: Actor, targets: Iterable[str], text: str, *, variants: Mapping[str, str] | None = None,
              tags: Iterable[str] = (), assets: Iterable[str] = (), proposed_at: datetime | None = None,
              import_key: str = "", source: str = "") -> Post:
        """A new draft. ``import_key`` names the row of an imported file it comes
        from (``source``, e.g. ``plan.csv:12``): a second draft from the same row
        is refused with :class:`AlreadyImported`, also when two imports race."""
        content = self._clean(targets, text, variants, tags, assets)
        self.require_on_targets(actor, POST_DRAFT, content["targets"])
        check_time(proposed_at, self.clock())
        if import_key:
            self._refuse_imported(import_key)
        return self._create(actor, content, proposed_at, "import" if import_key else "draft", source,
                            import_key=import_key)

    def dry_check(self, actor: Actor, targets: Iterable[str], text: str, *, variants: Mapping[str, str] | None = None,
                  tags: Iterable[str] = (), assets: Iterable[str] = ()) -> CheckResult:
        """What :meth:`draft` and then the content policy would say of this
        content, without writing anything: InvalidAction or PermissionDenied as
        the draft would refuse it, else the policy's findings."""
        content = self._clean(targets, text, variants, tags, assets)
        self.require_on_targets(actor, POST_DRAFT, content["targets"])
        return self._check_content(content)

    def imported(self, import_key: str) -> str | None:
        """The post made from the imported row ``import_key``, if any."""
        record = self.store.get(POST_IMPORTS, import_key) if import_key else None
        return record["post_id"] if record else None

    def _refuse_imported(self, import_key: str) -> None:
        post_id = self.imported(import_key)
        if post_id:
            raise AlreadyImported(f"already imported as {post_id}", post_id)

    def duplicate(self, actor: Actor, post_id: str) -> Post:
        """A new draft with the content of ``post_id`` (how a rejected or expired post is reused)."""
        source = self.show(actor, post_id)
        content = {name: getattr(source, name) for name in CONTENT_FIELDS}
        self.require_on_targets(actor, POST_DRAFT, content["targets"])
        proposed_at = source.proposed_at if source.proposed_at and source.proposed_at > self.clock() else None
        return self._create(actor, content, proposed_at, "copy", f"copied from {source.id}")

    def _create(self, actor: Actor, content: dict, proposed_at: datetime | None, action: str, note: str, *,
                import_key: str = "") -> Post:
        now = self.clock()
        result = self._check_content(content)
        body = {**content, "author": actor.name, "proposed_at": format_time(proposed_at), "status": DRAFT,
                "revision": 1, "revisions": [revision_to_dict(1, content, actor.name, now)],
                "authors": [actor.name], "risk": result.risk, "risk_reasons": list(result.risk_reasons),
                "route": None, "stage": 0, "approvals": [], "past_approvals": [], "acknowledgements": [],
                "history": [history_entry(now, actor.name, action, note)], "findings": [],
                "approved_at": None, "created_at": format_time(now)}
        if import_key:
            body["import_key"] = import_key
        for _ in range(8):
            key = "p-" + secrets.token_hex(3)
            if self.store.has(POSTS, key):
                continue

            def write(tx: Any) -> AuditNote:
                # A plain insert: an id another process took meanwhile is refused, never overwritten.
                tx.insert(POSTS, key, body)
                if import_key:
                    # In the same transaction: two imports of one row cannot both make a post.
                    tx.insert(POST_IMPORTS, import_key, {"post_id": key, "source": note})
                return AuditNote(f"post.{action}", f"post/{key}",
                                 f"to {', '.join(content['targets'])}" + (f"; {note}" if note else ""))

            try:
                self.audit.apply(actor.name, write)
            except ConflictError as error:
                if error.collection == POSTS:
                    continue
                if error.collection == POST_IMPORTS:
                    self.store.refresh()
                    self._refuse_imported(import_key)
                raise
            except (StoreError, OSError) as error:
                raise StorageProblem(f"could not save the draft: {error}") from error
            return self.get(key)
        raise StorageProblem("could not find a free post id; retry")

    def edit(self, actor: Actor, post_id: str, *, expected_version: int, text: str | None = None,
             variants: Mapping[str, str] | None = None, tags: Iterable[str] | None = None,
             assets: Iterable[str] | None = None, targets: Iterable[str] | None = None,
             proposed_at: datetime | None = None) -> Post:
        """Change a post. New content makes a new revision, and the editor becomes
        one of its authors (so they cannot approve it). New content in a post
        that is in review or approved sends it back to the first stage of its
        (recomputed) route: approvals given so far no longer count."""
        post = self.get(post_id)
        self.require_on_targets(actor, POST_DRAFT, post.targets)
        if post.status not in EDITABLE:
            raise InvalidAction(f"{post.id} is {post.status_label} and can no longer change; copy it into a "
                                f"new draft (`socops post copy {post.id}`) and edit that")
        self.check_version(post, expected_version)
        current = {name: getattr(post, name) for name in CONTENT_FIELDS}
        content = self._clean(current["targets"] if targets is None else targets,
                              current["text"] if text is None else text,
                              current["variants"] if variants is None else variants,
                              current["tags"] if tags is None else tags,
                              current["assets"] if assets is None else assets)
        self.require_on_targets(actor, POST_DRAFT, content["targets"])
        changed = content_differs(current, content)
        moved = proposed_at is not None and proposed_at != post.proposed_at
        if moved:
            check_time(proposed_at, self.clock())
        if not changed and not moved:
            return post
        now = self.clock()
        values: dict[str, Any] = {}
        history = [history_to_dict(h) for h in post.history]
        notes: list[AuditNote] = []
        tell: list[tuple[str, str]] = []
        if moved:
            values["proposed_at"] = format_time(proposed_at)
            history.append(history_entry(now, actor.name, "time", f"proposed for {format_time(proposed_at)}"))
            notes.append(AuditNote("post.edit", f"post/{post.id}", f"proposed time -> {format_time(proposed_at)}"))
        if changed:
            number = post.revision + 1
            result = self._check_content(content)
            authors = list(post.authors) + ([actor.name] if actor.name not in post.authors else [])
            values.update(content, revision=number, authors=authors, risk=result.risk,
                          risk_reasons=list(result.risk_reasons),
                          revisions=[revision_record(r) for r in post.revisions]
                          + [revision_to_dict(number, content, actor.name, now)])
            summary = f"revision {number}"
            history.append(history_entry(now, actor.name, "edit", f"revision {number}"))
            if post.status in (IN_REVIEW, APPROVED):
                reason = self._restart(post, content, authors, result, values)
                summary += f"; {reason}"
                history.append(history_entry(now, actor.name, "reset", f"edited while {post.status_label}: {reason}"))
                tell = [(a.by, f"{post.id} changed after you approved it (revision {number}); "
                         "it needs your approval again") for a in post.approvals if a.by != actor.name]
            notes.append(AuditNote("post.edit", f"post/{post.id}", summary))
        values["history"] = history
        return self.save(actor.name, post, values, notes, list(dict.fromkeys(tell)))

    def require_approval_again(self, actor: Actor, post_id: str, reason: str) -> Post:
        """Send an approved post back to the first stage of its route, content
        unchanged (a new time in a blackout, or a reschedule when the governance
        file asks for it); its earlier approvers are told why."""
        post = self.get(post_id)
        if post.status != APPROVED or post.route is None:
            return post
        now = self.clock()
        values = {"status": IN_REVIEW, "stage": 0, "approved_at": None, "approvals": [],
                  "past_approvals": [approval_to_dict(a) for a in post.past_approvals + post.approvals],
                  "history": [history_to_dict(h) for h in post.history]
                  + [history_entry(now, actor.name, "reset", f"approval needed again: {reason}")]}
        tell = [(a.by, f"{post.id} needs your approval again: {reason}") for a in post.approvals
                if a.by != actor.name]
        return self.save(actor.name, post, values,
                         [AuditNote("post.reset", f"post/{post.id}", f"back to the first stage: {reason}")],
                         list(dict.fromkeys(tell)))

    def _restart(self, post: Post, content: Mapping, authors: list[str], result: CheckResult,
                 values: dict) -> str:
        """Send a post in review (or approved) back to its first stage, or to draft
        when the new content cannot go to review as it is; says which, and why."""
        values.update(stage=0, approved_at=None, approvals=[],
                      past_approvals=[approval_to_dict(a) for a in post.past_approvals + post.approvals])
        acknowledged = {rule for ack in post.acknowledgements for rule in ack.rules}
        problem = ""
        if result.errors:
            problem = f"the new content breaks {', '.join(sorted({f.rule_id for f in result.errors}))}"
        elif result.unacknowledged(acknowledged):
            problem = "the new content has warnings to acknowledge"
        else:
            route = self._route(content["targets"], result.risk)
            unstaffed = self._unstaffed(route, content["targets"], authors)
            if unstaffed:
                problem = unstaffed
            else:
                values.update(status=IN_REVIEW, route=route_to_dict(route),
                              findings=[f.to_dict() for f in result.findings])
                return "back to the first stage; earlier approvers must approve again"
        values.update(status=DRAFT, route=None)
        return f"back to draft ({problem}); submit it again"

    def submit(self, actor: Actor, post_id: str, *, acknowledge: Iterable[str] = (),
               expected_version: int | None = None, route: str = "") -> Post:
        """Send a draft into its approval route, stage one.

        ``route`` names the route instead of letting the post's risk, regions and
        accounts pick it: crisis mode's holding statements only, on the crisis
        route the governance file names."""
        post = self.get(post_id)
        self.require_on_targets(actor, POST_SUBMIT, post.targets)
        self.check_version(post, expected_version)
        if post.status not in (DRAFT, CHANGES_REQUESTED):
            raise InvalidAction(f"{post.id} is {post.status_label}; only a draft (or one with changes "
                                "requested) can be submitted")
        now = self.clock()
        if post.proposed_at is None:
            raise InvalidAction(f"{post.id} has no proposed time; set one (edit it with a time) and submit again")
        if post.proposed_at <= now:
            raise InvalidAction(f"{post.id}'s proposed time {format_time(post.proposed_at)} has passed; "
                                "propose a later time and submit again")
        result = self.check(post)
        if result.errors:
            raise PolicyBlocked(f"{post.id} breaks {len(result.errors)} rule"
                                f"{'s' if len(result.errors) != 1 else ''} of the content policy; "
                                "fix them and submit again", result.errors)
        acknowledged = {rule.strip() for rule in acknowledge}
        missing = result.unacknowledged(acknowledged)
        if missing:
            rules = ", ".join(dict.fromkeys(f.rule_id for f in missing))
            raise AcknowledgementRequired(f"{post.id} has warnings; acknowledge them to submit ({rules})", missing)
        if route:
            named = self.policy().approval.named(route)
            if named is None:
                raise InvalidAction(f"no approval route {route!r} in governance.toml; name one of "
                                    f"{', '.join(r.name for r in self.policy().approval.routes)}")
            chosen = named
        else:
            chosen = self._route(post.targets, result.risk)
        unstaffed = self._unstaffed(chosen, post.targets, post.authors)
        if unstaffed:
            raise UnstaffedStage(f"cannot submit {post.id}: {unstaffed}")
        warned = sorted({f.rule_id for f in result.warnings})
        history = [history_to_dict(h) for h in post.history]
        history.append(history_entry(now, actor.name, "submit", f"route {chosen.name}: {chosen.describe()}"))
        values = {"status": IN_REVIEW, "stage": 0, "route": route_to_dict(chosen), "risk": result.risk,
                  "risk_reasons": list(result.risk_reasons), "findings": [f.to_dict() for f in result.findings],
                  "approvals": [], "approved_at": None, "history": history,
                  "past_approvals": [approval_to_dict(a) for a in post.past_approvals + post.approvals]}
        notes = [AuditNote("post.submit", f"post/{post.id}",
                           f"revision {post.revision}, {result.risk} risk, route {chosen.name}")]
        if warned:
            values["acknowledgements"] = [acknowledgement_to_dict(a) for a in post.acknowledgements] + [
                {"rules": warned, "by": actor.name, "at": format_time(now), "revision": post.revision}]
            history.append(history_entry(now, actor.name, "acknowledge", ", ".join(warned)))
            notes.append(AuditNote("post.acknowledge", f"post/{post.id}",
                                   f"warnings {', '.join(warned)} acknowledged on revision {post.revision}"))
        return self.save(actor.name, post, values, notes)

    def withdraw(self, actor: Actor, post_id: str, *, expected_version: int | None = None) -> Post:
        """One of the authors pulls a post out of review (or back from approved) to draft."""
        post = self.get(post_id)
        self.require_on_targets(actor, POST_SUBMIT, post.targets)
        if actor.name not in post.authors:
            raise PermissionDenied(f"only the authors of {post.id} ({', '.join(post.authors)}) can withdraw it",
                                   permission=POST_SUBMIT)
        self.check_version(post, expected_version)
        if post.status not in (IN_REVIEW, APPROVED):
            raise InvalidAction(f"{post.id} is {post.status_label}; only a post in review or approved "
                                "can be withdrawn")
        values = {"status": DRAFT, "stage": 0, "approvals": [], "approved_at": None,
                  "history": with_history(post, self.clock(), actor.name, "withdraw"),
                  "past_approvals": [approval_to_dict(a) for a in post.past_approvals + post.approvals]}
        return self.save(actor.name, post, values,
                         [AuditNote("post.withdraw", f"post/{post.id}", f"{post.status} -> draft")])

    # -- shared with the approval service ------------------------------------------------
    def check_version(self, post: Post, expected_version: int | None) -> None:
        if expected_version is not None and post.version != expected_version:
            raise ActionConflict(changed_since(post))

    def save(self, actor_name: str, post: Post, values: dict, notes: list[AuditNote],
             tell: Iterable[tuple[str, str]] = ()) -> Post:
        """Write ``values`` over ``post`` (compare-and-set on its version), its audit
        notes and the notices ``tell`` ((username, text) pairs), in one transaction."""
        written: list[dict] = []

        def write(tx: Any) -> list[AuditNote]:
            tx.update(POSTS, post.id, values, expected_version=post.version)
            for username, text in tell:
                self.notices.tell(tx, username, text, post.id)
            written.append(tx.get(POSTS, post.id))
            return notes

        try:
            self.audit.apply(actor_name, write)
        except ConflictError:
            self.store.refresh()      # another process wrote between our read and our write
            raise ActionConflict(changed_since(self.get(post.id))) from None
        except NotFoundError:
            raise PostNotFound(f"post {post.id} no longer exists") from None
        except (StoreError, OSError) as error:
            raise StorageProblem(f"could not save the change to {post.id}: {error}") from error
        return post_from_record(written[-1])

    # -- internals -----------------------------------------------------------------------
    def _clean(self, targets, text, variants, tags, assets) -> dict:
        accounts = clean_targets(targets, self.target_of, self.known_accounts)
        platforms = {self.target_of(a).platform for a in accounts}
        content = {"targets": accounts, "text": clean_text(text), "variants": clean_variants(variants, platforms),
                   "tags": clean_tags(tags), "assets": clean_assets(assets)}
        for asset_id in content["assets"]:
            try:
                self.attachment_for(asset_id)
            except ConsoleError as error:      # unknown or unusable: refused now, with the library's reason
                raise InvalidAction(f"image {asset_id[:40]} cannot be attached: {error}") from None
        return content

    def _route(self, targets: Sequence[str], risk: str) -> Route:
        regions = [self.region(t) for t in targets]
        return self.policy().approval.route_for(risk, regions, targets)

    def _unstaffed(self, route: Route, targets: Sequence[str], authors: Iterable[str]) -> str:
        """"" when every stage has someone to approve it, else which stage has nobody."""
        authors = tuple(authors)
        for number, stage in enumerate(route.stages, 1):
            if not self.approvers.eligible(stage, targets, authors):
                return (f"stage {number} of route {route.name!r} ({stage.describe()}) has nobody who could approve "
                        f"it: no active {stage.role} whose scope covers {', '.join(targets)}, other than the "
                        "authors; ask an admin to add one or change the route in governance.toml")
        return ""

