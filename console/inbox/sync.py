"""The worker: pulls inbound items from every connected account into the
store, sends queued replies, and reopens snoozed items when they are due.

Exactly one worker runs per workspace: it holds the worker lock (an
``flock`` on a file), so a second ``socops worker`` or a TUI whose workspace
already has a worker does not sync or send twice.

Exactly-once ingestion: each page of inbound items and the account's new
cursor are written in one store transaction, and items are keyed by
``platform:remote_id`` and inserted only if absent. A crash before the
transaction leaves the old cursor, so the page is fetched again and the
duplicates are skipped; a crash after it leaves both.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone

from console.inbox.inbound import inbound_from_item, record_from_inbound
from console.accounts import (
    SYNC,
    SYNC_FAILING,
    SYNC_NEEDS_RECONNECT,
    SYNC_OK,
    SYNC_RATE_LIMITED,
    accounts_needing_reconnect,
)
from console.audit import AuditNote, AuditTrail
from console.errors import ItemNotFound
from console.inbox.service import InboxService
from console.inbox.records import (
    INBOX,
    REPLY_FAILED,
    REPLY_RETRYING,
    REPLY_SENT,
    STATUS_OPEN,
    STATUS_SNOOZED,
    item_key,
)
from console.records import format_time
from console.inbox.sla import SlaTargets
from console.worker import WorkerLock, WorkerStatus
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

WORKER_ACTOR = "worker"
MAX_PAGES_PER_PASS = 20
MAX_REPLY_ATTEMPTS = 6



@dataclass
class PassReport:
    """What one worker pass did."""

    fetched: int = 0
    stored: int = 0
    replies_sent: int = 0
    replies_failed: int = 0
    woken: int = 0
    posts_expired: int = 0
    problems: list[str] = field(default_factory=list)

    def summary(self) -> str:
        text = (f"fetched {self.fetched}, new {self.stored}, replies sent {self.replies_sent}, "
                f"failed {self.replies_failed}, snoozes woken {self.woken}")
        if self.posts_expired:
            text += f", posts expired {self.posts_expired}"
        if self.problems:
            text += "; " + "; ".join(self.problems)
        return text


def reply_backoff(attempts: int) -> timedelta:
    """Exponential backoff with full jitter: up to 30 s, 60 s, ... capped at 15 min."""
    ceiling = min(30 * (2 ** max(attempts - 1, 0)), 15 * 60)
    return timedelta(seconds=random.uniform(ceiling / 2, ceiling))


class InboxWorker:
    """One pass, or a loop of passes, over every connected account."""

    def __init__(self, store: Store, inbox: InboxService, adapters: dict[str, PlatformAdapter], *,
                 sla: SlaTargets, clock: Callable[[], datetime], audit: AuditTrail,
                 reconcile: Callable[[dict[str, PlatformAdapter]],
                                     tuple[dict[str, PlatformAdapter], list[PlatformAdapter]]] | None = None,
                 expire_posts: Callable[[], list[str]] | None = None) -> None:
        self.store = store
        #: Called before each pass to follow accounts connected, reconnected or
        #: removed meanwhile: returns the adapters to use and the ones to close.
        self.reconcile = reconcile
        #: Marks posts not approved before their proposed time (or whose approval
        #: lapsed) expired and tells their authors; returns their ids.
        self.expire_posts = expire_posts
        self.audit = audit
        self.inbox = inbox
        self.adapters = adapters
        self.sla = sla
        self.clock = clock
        self._paused_until: dict[str, datetime] = {}
        self.last_sync_at: datetime | None = None

    # -- one pass -----------------------------------------------------------------
    async def run_once(self) -> PassReport:
        report = PassReport()
        self.store.refresh()
        if self.reconcile is not None:
            self.adapters, gone = self.reconcile(self.adapters)
            for adapter in gone:
                await adapter.aclose()
        for account_id, adapter in self.adapters.items():
            await self._pull(account_id, adapter, report)
        await self._send_replies(report)
        self._wake_snoozed(report)
        if self.expire_posts is not None:
            report.posts_expired = len(self.expire_posts())
        self.last_sync_at = self.clock()
        self.store.maybe_compact()
        return report

    async def _pull(self, account_id: str, adapter: PlatformAdapter, report: PassReport) -> None:
        now = self.clock()
        paused = self._paused_until.get(account_id)
        if paused and paused > now:
            return
        state = self.store.get(SYNC, account_id) or {}
        cursor = state.get("cursor")
        try:
            for _ in range(MAX_PAGES_PER_PASS):
                page = await adapter.fetch_inbound(cursor, limit=200)
                report.fetched += len(page.items)
                received = format_time(self.clock())
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
            self._mark(account_id, SYNC_NEEDS_RECONNECT, f"{error}; reconnect the account")
            report.problems.append(f"{account_id} needs reconnecting")
        except RateLimitedError as error:
            self._paused_until[account_id] = error.until
            self._mark(account_id, SYNC_RATE_LIMITED, f"rate limited until {format_time(error.until)}")
            report.problems.append(f"{account_id} rate limited")
        except AdapterError as error:
            # Transient or permanent: keep the cursor, try again next pass.
            self._paused_until[account_id] = now + reply_backoff(2)
            self._mark(account_id, SYNC_FAILING, str(error))
            report.problems.append(f"{account_id}: {error}")

    def _mark(self, account_id: str, state: str, detail: str) -> None:
        log.warning("account %s: %s", account_id, detail)
        self.store.update(SYNC, account_id, {"state": state, "detail": detail},
                          expected_version=None, actor=WORKER_ACTOR)

    async def _send_replies(self, report: PassReport) -> None:
        now = self.clock()
        for item_id in self.inbox.index.pending_reply_ids():
            try:
                item = self.inbox.get(item_id)
            except ItemNotFound:  # deleted meanwhile
                continue
            adapter = self.adapters.get(item.account_id)
            for reply in item.pending_replies:
                if reply.next_attempt_at and reply.next_attempt_at > now:
                    continue
                if adapter is None:
                    self._record_reply(item_id, reply.reply_id, {
                        "status": REPLY_FAILED,
                        "error": f"account {item.account_id} is not connected; reconnect it and reply again",
                    })
                    report.replies_failed += 1
                    continue
                await self._send_one(item, reply, adapter, report)

    async def _send_one(self, item, reply, adapter: PlatformAdapter, report: PassReport) -> None:
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
                report.replies_failed += 1
                return
            if isinstance(error, RateLimitedError):
                retry_at = error.until
            elif isinstance(error, AuthError):
                retry_at = self.clock() + timedelta(minutes=5)
                self._mark(item.account_id, SYNC_NEEDS_RECONNECT, f"{error}; reconnect the account")
            else:
                retry_at = self.clock() + reply_backoff(attempts)
            self._record_reply(item.id, reply.reply_id, {
                "status": REPLY_RETRYING, "attempts": attempts, "error": str(error),
                "next_attempt_at": format_time(retry_at),
            })
            return
        except PermanentError as error:
            self._record_reply(item.id, reply.reply_id, {
                "status": REPLY_FAILED, "attempts": attempts, "error": str(error),
            })
            report.replies_failed += 1
            return
        self._record_reply(item.id, reply.reply_id, {
            "status": REPLY_SENT, "attempts": attempts, "error": "", "next_attempt_at": None,
            "remote_id": result.remote_id, "url": result.url or "",
            "sent_at": format_time(result.published_at),
        }, first_response_at=format_time(result.published_at))
        report.replies_sent += 1

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

    def _wake_snoozed(self, report: PassReport) -> None:
        now_iso = format_time(self.clock())
        for item_id in self.inbox.index.due_snoozes(now_iso):
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
                report.woken += 1
            except (ConflictError, NotFoundError):
                continue  # an operator acted on it first; theirs stands

    # -- the loop -------------------------------------------------------------------
    def needs_reconnect(self) -> tuple[str, ...]:
        return accounts_needing_reconnect(self.store)

    def run_forever(self, lock: WorkerLock, stop: threading.Event, poll_seconds: float,
                    on_status: Callable[[WorkerStatus], None]) -> None:
        """Pass after pass until ``stop`` is set; returns at once if the lock is held elsewhere."""
        if not lock.acquire():
            on_status(WorkerStatus("external", f"worker run by {lock.holder() or 'another process'}"))
            return
        try:
            asyncio.run(self._loop(stop, poll_seconds, on_status))
        finally:
            lock.release()
            on_status(WorkerStatus("stopped", "worker stopped", self.last_sync_at))

    async def _loop(self, stop: threading.Event, poll_seconds: float,
                    on_status: Callable[[WorkerStatus], None]) -> None:
        try:
            while not stop.is_set():
                on_status(WorkerStatus("syncing", "syncing", self.last_sync_at, self.needs_reconnect()))
                try:
                    report = await self.run_once()
                    state, detail = "running", report.summary()
                except Exception as error:  # noqa: BLE001 - keep the worker alive, say why
                    log.exception("worker pass failed")
                    state, detail = "error", f"worker pass failed: {error}"
                on_status(WorkerStatus(state, detail, self.last_sync_at, self.needs_reconnect()))
                waited = 0.0
                while waited < poll_seconds and not stop.is_set():
                    await asyncio.sleep(0.1)
                    waited += 0.1
        finally:
            for adapter in self.adapters.values():
                await adapter.aclose()

