"""The inbox's worker jobs: pull inbound items from every account into the
store (:class:`SyncInbound`), send queued replies (:class:`SendReplies`),
and reopen snoozed items when they are due (:class:`WakeSnoozed`).

Exactly-once ingestion: each page of inbound items and the account's new
cursor are written in one store transaction, and items are keyed by
``platform:remote_id`` and inserted only if absent. A crash before the
transaction leaves the old cursor, so the page is fetched again and the
duplicates are skipped; a crash after it leaves both.

What a platform does wrong (a refused token, a rate limit, a timeout) is
not a failure of the job: it is recorded on the account (``sync`` records)
or on the reply, retried later, and said in the job's report.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.accounts import (
    SYNC,
    SYNC_FAILING,
    SYNC_NEEDS_RECONNECT,
    SYNC_OK,
    SYNC_RATE_LIMITED,
    AccountAdapters,
)
from console.audit import AuditNote, AuditTrail
from console.errors import ItemNotFound
from console.inbox.inbound import inbound_from_item, record_from_inbound
from console.inbox.records import (
    INBOX,
    REPLY_FAILED,
    REPLY_RETRYING,
    REPLY_SENT,
    STATUS_OPEN,
    STATUS_SNOOZED,
    item_key,
)
from console.inbox.service import InboxService
from console.inbox.sla import SlaTargets
from console.records import format_time
from console.worker import WORKER_ACTOR
from data import ConflictError, NotFoundError, Store
from integrations.base import (
    AdapterError,
    AuthError,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)

log = logging.getLogger("socops.worker")

MAX_PAGES_PER_PASS = 20
MAX_REPLY_ATTEMPTS = 6


def reply_backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s, 60 s, ... capped at 15 min."""
    ceiling = min(30 * (2 ** max(attempts - 1, 0)), 15 * 60)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


def _mark_account(store: Store, account_id: str, state: str, detail: str) -> None:
    log.warning("account %s: %s", account_id, detail)
    store.update(SYNC, account_id, {"state": state, "detail": detail}, expected_version=None, actor=WORKER_ACTOR)


# -- inbound -----------------------------------------------------------------------------
@dataclass
class SyncReport:
    """What one round of inbound sync did."""

    fetched: int = 0
    stored: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = f"fetched {self.fetched}, new {self.stored}"
        return text + "; " + "; ".join(self.problems) if self.problems else text


class SyncInbound:
    """Pulls every account's new comments, DMs and mentions into the inbox."""

    name = "sync"

    def __init__(self, store: Store, inbox: InboxService, adapters: AccountAdapters, *,
                 sla: SlaTargets, interval: timedelta = timedelta(seconds=5)) -> None:
        self.store = store
        self.inbox = inbox
        self.adapters = adapters
        self.sla = sla
        self.interval = interval
        #: Accounts not to ask before a time: rate limited, or failing.
        self._paused_until: dict[str, datetime] = {}

    async def run(self, now: datetime) -> str:
        return (await self.pull(now)).summary()

    async def pull(self, now: datetime) -> SyncReport:
        report = SyncReport()
        for account_id, adapter in (await self.adapters.current()).items():
            await self._pull(account_id, adapter, now, report)
        return report

    async def _pull(self, account_id: str, adapter: PlatformAdapter, now: datetime, report: SyncReport) -> None:
        paused = self._paused_until.get(account_id)
        if paused and paused > now:
            return
        state = self.store.get(SYNC, account_id) or {}
        cursor = state.get("cursor")
        received = format_time(now)
        try:
            for _ in range(MAX_PAGES_PER_PASS):
                page = await adapter.fetch_inbound(cursor, limit=200)
                report.fetched += len(page.items)
                with self.store.transaction(actor=WORKER_ACTOR) as tx:
                    for item in page.items:
                        key = item_key(item.platform, item.remote_id)
                        if key not in self.inbox.index:
                            report.stored += 1
                        record = record_from_inbound(item, received_at=received, sla=self.sla)
                        tx.insert(INBOX, key, record, if_absent=True)
                    tx.update(SYNC, account_id, {
                        "cursor": page.cursor if page.cursor is not None else cursor,
                        "state": SYNC_OK, "detail": "", "last_sync_at": received,
                    }, expected_version=None)
                cursor = page.cursor if page.cursor is not None else cursor
                if not page.has_more:
                    break
        except AuthError as error:
            _mark_account(self.store, account_id, SYNC_NEEDS_RECONNECT, f"{error}; reconnect the account")
            report.problems.append(f"{account_id} needs reconnecting")
        except RateLimitedError as error:
            self._paused_until[account_id] = error.until
            _mark_account(self.store, account_id, SYNC_RATE_LIMITED, f"rate limited until {format_time(error.until)}")
            report.problems.append(f"{account_id} rate limited")
        except AdapterError as error:
            # Transient or permanent: keep the cursor, try again after a pause.
            self._paused_until[account_id] = now + reply_backoff(2)
            _mark_account(self.store, account_id, SYNC_FAILING, str(error))
            report.problems.append(f"{account_id}: {error}")


# -- replies -------------------------------------------------------------------------------
@dataclass
class ReplyReport:
    """What one round of reply sending did."""

    sent: int = 0
    failed: int = 0
    held: int = 0               # queued on a frozen account by someone who is not a responder

    def summary(self) -> str:
        return f"sent {self.sent}, failed {self.failed}" + (f", held {self.held}" if self.held else "")


class SendReplies:
    """Sends the replies operators queued, each exactly once (the reply's id is the
    platform's idempotency key), retrying with backoff; every outcome is audited.

    ``held(author, account_id)`` says why a queued reply must wait ("" to send it):
    during a crisis freeze, replies on frozen accounts by anyone who is not an
    authorised responder stay queued, and go out once the freeze ends."""

    name = "replies"

    def __init__(self, store: Store, inbox: InboxService, audit: AuditTrail, adapters: AccountAdapters, *,
                 interval: timedelta = timedelta(seconds=5),
                 held: Callable[[str, str], str] = lambda author, account_id: "") -> None:
        self.store = store
        self.inbox = inbox
        self.audit = audit
        self.adapters = adapters
        self.interval = interval
        self.held = held

    async def run(self, now: datetime) -> str:
        return (await self.send(now)).summary()

    async def send(self, now: datetime) -> ReplyReport:
        report = ReplyReport()
        adapters: dict[str, PlatformAdapter] | None = None
        for item_id in self.inbox.index.pending_reply_ids():
            try:
                item = self.inbox.get(item_id)
            except ItemNotFound:  # deleted meanwhile
                continue
            if adapters is None:  # only when there is something to send
                adapters = await self.adapters.current()
            adapter = adapters.get(item.account_id)
            for reply in item.pending_replies:
                if reply.next_attempt_at and reply.next_attempt_at > now:
                    continue
                if self.held(reply.by, item.account_id):
                    report.held += 1
                    continue
                if adapter is None:
                    self._record_reply(item_id, reply.reply_id, {
                        "status": REPLY_FAILED,
                        "error": f"account {item.account_id} is not connected; reconnect it and reply again",
                    })
                    report.failed += 1
                    continue
                await self._send_one(item, reply, adapter, now, report)
        return report

    async def _send_one(self, item, reply, adapter: PlatformAdapter, now: datetime, report: ReplyReport) -> None:
        attempts = reply.attempts + 1
        try:
            result = await adapter.send_reply(
                inbound_from_item(item), reply.text, idempotency_key=reply.reply_id
            )
        except (TransientError, RateLimitedError, AuthError) as error:
            if attempts >= MAX_REPLY_ATTEMPTS and not isinstance(error, RateLimitedError):
                self._record_reply(item.id, reply.reply_id, {
                    "status": REPLY_FAILED, "attempts": attempts,
                    "error": f"gave up after {attempts} attempts: {error}",
                })
                report.failed += 1
                return
            if isinstance(error, RateLimitedError):
                retry_at = error.until
            elif isinstance(error, AuthError):
                retry_at = now + timedelta(minutes=5)
                _mark_account(self.store, item.account_id, SYNC_NEEDS_RECONNECT, f"{error}; reconnect the account")
            else:
                retry_at = now + reply_backoff(attempts)
            self._record_reply(item.id, reply.reply_id, {
                "status": REPLY_RETRYING, "attempts": attempts, "error": str(error),
                "next_attempt_at": format_time(retry_at),
            })
            return
        except PermanentError as error:
            self._record_reply(item.id, reply.reply_id, {
                "status": REPLY_FAILED, "attempts": attempts, "error": str(error),
            })
            report.failed += 1
            return
        self._record_reply(item.id, reply.reply_id, {
            "status": REPLY_SENT, "attempts": attempts, "error": "", "next_attempt_at": None,
            "remote_id": result.remote_id, "url": result.url or "",
            "sent_at": format_time(result.published_at),
        }, first_response_at=format_time(result.published_at))
        report.sent += 1

    def _record_reply(self, item_id: str, reply_id: str, values: dict, *,
                      first_response_at: str | None = None) -> None:
        """Write a reply's outcome, with its audit event, re-reading on conflict:
        an operator may be tagging the same item at this moment, and the
        outcome must not be lost."""
        for _ in range(20):
            record = self.store.get(INBOX, item_id)
            if record is None:
                return
            replies = [dict(r, **values) if r["reply_id"] == reply_id else r
                       for r in record.get("replies", [])]
            changes = {"replies": replies}
            if first_response_at and not record.get("first_response_at"):
                changes["first_response_at"] = first_response_at

            def write(tx, record=record, changes=changes) -> AuditNote | None:
                tx.update(INBOX, item_id, changes, expected_version=record["_v"])
                if values["status"] == REPLY_RETRYING:
                    return None  # a retry is not an outcome; the final one is recorded
                detail = f"reply {reply_id[:8]} {values['status']}"
                if values.get("error"):
                    detail += f": {values['error'][:200]}"
                return AuditNote(f"reply.{values['status']}", f"inbox/{item_id}", detail)

            try:
                self.audit.apply(WORKER_ACTOR, write)
                return
            except ConflictError:
                self.store.refresh()
            except NotFoundError:
                return
        log.error("could not record the outcome of reply %s on %s after 20 conflicts", reply_id, item_id)


# -- snoozes -------------------------------------------------------------------------------
class WakeSnoozed:
    """Reopens snoozed items whose time has come; an operator's own change wins."""

    name = "snoozes"

    def __init__(self, store: Store, inbox: InboxService, audit: AuditTrail, *,
                 interval: timedelta = timedelta(seconds=15)) -> None:
        self.store = store
        self.inbox = inbox
        self.audit = audit
        self.interval = interval

    async def run(self, now: datetime) -> str:
        return f"woke {self.wake(now)}"

    def wake(self, now: datetime) -> int:
        """Reopen the items due by ``now``; returns how many."""
        woken = 0
        for item_id in self.inbox.index.due_snoozes(format_time(now)):
            record = self.store.get(INBOX, item_id)
            if record is None or record.get("status") != STATUS_SNOOZED:
                continue

            def wake(tx, item_id=item_id, record=record) -> AuditNote:
                tx.update(INBOX, item_id, {"status": STATUS_OPEN, "snoozed_until": None},
                          expected_version=record["_v"])
                return AuditNote("inbox.snooze_ended", f"inbox/{item_id}",
                                 f"status snoozed -> open (was until {record.get('snoozed_until')})")

            try:
                self.audit.apply(WORKER_ACTOR, wake)
                woken += 1
            except (ConflictError, NotFoundError):
                continue  # an operator acted on it first; theirs stands
        return woken
