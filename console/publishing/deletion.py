"""Deleting a post that went out: through each account's adapter, where the
platform has a delete (``Capabilities.delete``; Instagram has none).

Deleting undoes a publication in public, so it asks what publishing now asks:
``post.publish`` on every account it touches (a high-risk permission: a fresh
code). Every account that cannot be deleted from is named before anything is
deleted, so a request is done whole or refused whole up to the platforms' own
answers. A target becomes "deleted" (with who and when) only once its
platform said the post is gone, in one transaction with its audit event; a
platform error is reported and nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from console.audit import AuditNote, AuditTrail
from console.errors import ConsoleError, InvalidAction
from console.notices import NoticeService
from console.permissions import POST_PUBLISH, Actor
from console.posts import Post, PostService
from console.publishing.records import (DELETED, MISSED, PUBLISHED, RETRYING, SCHEDULED, SCHEDULES, Schedule,
                                        TargetSchedule, schedule_from_record, target_to_dict)
from console.records import format_time
from data import ConflictError, Store
from integrations.base import AccountRef, AdapterError, PlatformAdapter


@dataclass(frozen=True)
class DeletionOutcome:
    """What happened to one account's copy of the post."""

    account_id: str
    deleted: bool
    detail: str          # the remote id deleted, or the platform's reason it was not


class PostDeletion:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *, posts: PostService,
                 notices: NoticeService, account_of: Callable[[str], AccountRef | None]) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.posts = posts
        self.notices = notices
        self.account_of = account_of

    def targets(self, actor: Actor, post_id: str, accounts: Iterable[str] = ()) -> tuple[Post, list[TargetSchedule]]:
        """The published targets a delete of ``post_id`` would take down (all of
        them, or those of ``accounts``), after the permission checks; InvalidAction
        saying why when there is nothing to delete."""
        post = self.posts.get(post_id)
        wanted = tuple(dict.fromkeys(a.strip() for a in accounts if a.strip()))
        strangers = [a for a in wanted if a not in post.targets]
        if strangers:
            raise InvalidAction(f"{post.id} does not go to {strangers[0]}; its accounts are "
                                f"{', '.join(post.targets)}")
        self.posts.require_on_targets(actor, POST_PUBLISH, wanted or post.targets)
        record = self.store.get(SCHEDULES, post.id)
        if record is None:
            raise InvalidAction(f"{post.id} was never scheduled, so it is on no platform; nothing to delete")
        schedule = schedule_from_record(record)
        if wanted:
            chosen = [schedule.targets.get(a) for a in wanted]
            for account_id, target in zip(wanted, chosen):
                if target is None:
                    raise InvalidAction(f"{post.id} is not scheduled on {account_id}; nothing to delete there")
                if target.state != PUBLISHED:
                    raise InvalidAction(f"{post.id} on {account_id} is {_state_text(target)}; only a post that "
                                        "is out can be deleted" + _instead(target))
            return post, chosen
        chosen = [t for t in schedule.targets.values() if t.state == PUBLISHED]
        if not chosen:
            states = ", ".join(f"{t.account_id} {_state_text(t)}" for t in schedule.targets.values())
            raise InvalidAction(f"{post.id} is out on no account ({states}); nothing to delete")
        return post, chosen

    async def delete(self, actor: Actor, post_id: str, adapters: Mapping[str, PlatformAdapter], *,
                     accounts: Iterable[str] = ()) -> list[DeletionOutcome]:
        """Take ``post_id`` down from its platforms (all its published accounts,
        or ``accounts``): see the module docstring."""
        post, chosen = self.targets(actor, post_id, accounts)
        reasons = {target.account_id: self._unable(target, adapters.get(target.account_id)) for target in chosen}
        unable = [reason for reason in reasons.values() if reason]
        if unable:
            others = [account_id for account_id, reason in reasons.items() if not reason]
            hint = f"; to delete it from the others, name them with --account ({', '.join(others)})" if others else ""
            raise InvalidAction(f"nothing was deleted: {'; '.join(unable)}{hint}")
        outcomes = []
        for target in chosen:
            adapter = adapters[target.account_id]
            try:
                await adapter.delete(target.remote_id)
            except AdapterError as error:
                outcomes.append(DeletionOutcome(target.account_id, False, f"{adapter.platform} said: {error}"))
                continue
            self._record(actor, post, target, adapter.platform)
            outcomes.append(DeletionOutcome(target.account_id, True, target.remote_id))
        return outcomes

    def _unable(self, target: TargetSchedule, adapter: PlatformAdapter | None) -> str:
        """Why ``target`` cannot be deleted through its platform ("" when it can)."""
        if adapter is None:
            return f"{target.account_id} is not connected; reconnect it (`socops account connect`), then delete"
        if not adapter.capabilities.delete:
            where = f" ({target.url})" if target.url else ""
            return (f"{adapter.platform} has no delete in its API: delete the post on {target.account_id} in "
                    f"{adapter.platform} itself{where}")
        if not target.remote_id:
            return f"{target.account_id} has no platform id recorded for the post; delete it on the platform itself"
        return ""

    def _record(self, actor: Actor, post: Post, sent: TargetSchedule, platform: str) -> None:
        """Write that the platform deleted it; re-read on a conflict (the worker
        may have written another target meanwhile), so this is never lost."""
        now = self.clock()
        account = self.account_of(sent.account_id)
        handle = account.handle if account else sent.account_id
        text = f"{post.id} was deleted from {handle} by {actor.name}"
        for _ in range(20):
            schedule = schedule_from_record(self.store.get(SCHEDULES, post.id))
            targets = {account_id: target_to_dict(
                replace(target, state=DELETED, deleted_by=actor.name, deleted_at=now)
                if account_id == sent.account_id else target) for account_id, target in schedule.targets.items()}

            def write(tx, schedule: Schedule = schedule, targets: dict = targets) -> AuditNote:
                tx.update(SCHEDULES, post.id, {"targets": targets}, expected_version=schedule.version)
                for author in post.authors:
                    if author != actor.name:
                        self.notices.tell(tx, author, text, post.id)
                return AuditNote("post.delete", f"post/{post.id}",
                                 f"{sent.account_id}: deleted {sent.remote_id} from {platform}"
                                 + (f" ({sent.url})" if sent.url else ""))

            try:
                self.audit.apply(actor.name, write)
                return
            except ConflictError:
                self.store.refresh()
        raise ConsoleError(f"{platform} deleted {post.id} on {sent.account_id}, but recording it failed after 20 "
                           "conflicts; it still shows as published: run the delete again (deleting it twice is "
                           "harmless)")


def _state_text(target: TargetSchedule) -> str:
    if target.state == DELETED:
        return f"already deleted (by {target.deleted_by} at {format_time(target.deleted_at)})"
    return target.state.replace("_", " ")


def _instead(target: TargetSchedule) -> str:
    if target.state == DELETED:
        return ""
    if target.state in (SCHEDULED, RETRYING, MISSED):
        return " (to stop it going out, `socops post unschedule`)"
    return ""
