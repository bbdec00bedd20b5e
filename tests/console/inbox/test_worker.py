"""The worker: exactly-once ingestion with cursors, SLA due times, reply sending
and its failure paths, snooze wake-up, and the worker lock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from console.inbox import INBOX, InboxFilter
from console.accounts import SYNC
from console.inbox import InboxWorker
from console.worker import WorkerLock
from integrations.base import (
    AccountRef,
    AuthError,
    InboundPage,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    RateLimitedError,
    TransientError,
)
from integrations.base import ItemKind
from tests.actors import RoleActor
from tests.console.helpers import inbound

ALICE = RoleActor("alice", "manager")

ACCOUNT = AccountRef("sandbox", "sandbox:northwind_en", "@northwind")


class ScriptedAdapter(PlatformAdapter):
    """Serves a fixed list of items in pages; fails replies as told."""

    platform = "sandbox"

    def __init__(self, items, page_size=2, reply_error: Exception | None = None):
        super().__init__(ACCOUNT)
        self.items = items
        self.page_size = page_size
        self.reply_error = reply_error
        self.sent: list[tuple[str, str, str]] = []
        self.fetch_error: Exception | None = None

    async def fetch_inbound(self, cursor, limit=100):
        if self.fetch_error:
            raise self.fetch_error
        start = int(cursor or 0)
        chunk = self.items[start:start + self.page_size]
        end = start + len(chunk)
        return InboundPage(chunk, str(end), has_more=end < len(self.items))

    async def send_reply(self, item, text, *, idempotency_key):
        if self.reply_error:
            raise self.reply_error
        self.sent.append((item.remote_id, text, idempotency_key))
        return PublishResult(f"r-{len(self.sent)}", "https://sandbox.socops.invalid/r", datetime(2026, 11, 26, 9, 5, tzinfo=timezone.utc))


def make_worker(workspace, adapter):
    return InboxWorker(workspace.store, workspace.inbox, {ACCOUNT.account_id: adapter},
                       sla=workspace.config.sla, clock=workspace.clock, audit=workspace.audit)


def sample(clock, count=5):
    return [inbound(n, clock() - timedelta(minutes=n), kind=ItemKind.DM if n % 2 else ItemKind.COMMENT)
            for n in range(count)]


def test_items_are_stored_once_with_sla_due_times(workspace, clock):
    adapter = ScriptedAdapter(sample(clock))
    report = asyncio.run(make_worker(workspace, adapter).run_once())
    assert (report.fetched, report.stored) == (5, 5)
    item = workspace.inbox.get("sandbox:t-1")  # a DM written a minute ago
    assert item.sla_due == item.created_at + timedelta(minutes=30)
    assert workspace.inbox.get("sandbox:t-2").sla_due == clock() - timedelta(minutes=2) + timedelta(minutes=60)
    # A new worker (a restart) that lost its cursor sees duplicates only.
    workspace.store.update(SYNC, ACCOUNT.account_id, {"cursor": None}, expected_version=None, actor="test")
    again = asyncio.run(make_worker(workspace, ScriptedAdapter(sample(clock))).run_once())
    assert (again.fetched, again.stored) == (5, 0)
    assert workspace.store.count(INBOX) == 5


def test_cursor_survives_a_restart(open_workspace, clock):
    first = open_workspace()
    asyncio.run(make_worker(first, ScriptedAdapter(sample(clock, 3))).run_once())
    first.close()
    second = open_workspace()
    adapter = ScriptedAdapter(sample(clock, 6))
    report = asyncio.run(make_worker(second, adapter).run_once())
    assert (report.fetched, report.stored) == (3, 3)  # only what came after the cursor


def test_reply_is_sent_once_and_stops_the_sla(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 2))
    worker = make_worker(workspace, adapter)
    asyncio.run(worker.run_once())
    workspace.inbox.reply("sandbox:t-0", "Thanks for writing!", actor=ALICE)
    report = asyncio.run(worker.run_once())
    assert report.replies_sent == 1
    asyncio.run(worker.run_once())
    assert len(adapter.sent) == 1
    item = workspace.inbox.get("sandbox:t-0")
    assert item.replies[0].status == "sent" and item.replies[0].remote_id == "r-1"
    assert item.first_response_at is not None and item.sla_remaining(clock()) is None
    assert adapter.sent[0][2] == item.replies[0].reply_id  # idempotency key


@pytest.mark.parametrize("error, status", [
    (TransientError("timeout"), "retrying"),
    (RateLimitedError("slow down", until=datetime(2026, 11, 26, 9, 15, tzinfo=timezone.utc)), "retrying"),
    (AuthError("token revoked"), "retrying"),
    (PermanentError("text too long"), "failed"),
])
def test_reply_failures_are_recorded(workspace, clock, error, status):
    adapter = ScriptedAdapter(sample(clock, 1))
    worker = make_worker(workspace, adapter)
    asyncio.run(worker.run_once())
    workspace.inbox.reply("sandbox:t-0", "hello", actor=ALICE)
    adapter.reply_error = error
    asyncio.run(worker.run_once())
    reply = workspace.inbox.get("sandbox:t-0").replies[0]
    assert reply.status == status and str(error) in reply.error
    if isinstance(error, AuthError):
        assert workspace.needs_reconnect() == (ACCOUNT.account_id,)
    if status == "retrying":
        # Not retried before its time; retried and sent after it.
        adapter.reply_error = None
        asyncio.run(worker.run_once())
        assert adapter.sent == []
        clock.advance(minutes=20)
        asyncio.run(worker.run_once())
        assert workspace.inbox.get("sandbox:t-0").replies[0].status == "sent"


def test_transient_reply_failures_give_up_after_six_attempts(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 1))
    worker = make_worker(workspace, adapter)
    asyncio.run(worker.run_once())
    workspace.inbox.reply("sandbox:t-0", "hello", actor=ALICE)
    adapter.reply_error = TransientError("server error 503")
    for _ in range(6):
        asyncio.run(worker.run_once())
        clock.advance(minutes=16)
    reply = workspace.inbox.get("sandbox:t-0").replies[0]
    assert reply.status == "failed" and "gave up after 6 attempts" in reply.error


def test_revoked_token_marks_the_account_and_keeps_going(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 2))
    adapter.fetch_error = AuthError("token revoked")
    report = asyncio.run(make_worker(workspace, adapter).run_once())
    assert "needs reconnecting" in report.summary()
    assert workspace.needs_reconnect() == (ACCOUNT.account_id,)


def test_snoozed_items_wake_when_due(workspace, clock):
    asyncio.run(make_worker(workspace, ScriptedAdapter(sample(clock, 1))).run_once())
    workspace.inbox.snooze("sandbox:t-0", clock() + timedelta(minutes=30), actor=ALICE)
    worker = make_worker(workspace, ScriptedAdapter([]))
    assert asyncio.run(worker.run_once()).woken == 0
    clock.advance(minutes=31)
    assert asyncio.run(worker.run_once()).woken == 1
    assert workspace.inbox.list_ids(InboxFilter(), actor=ALICE) == ["sandbox:t-0"]


def test_worker_lock_is_exclusive(tmp_path):
    first, second = WorkerLock(tmp_path / "w.lock"), WorkerLock(tmp_path / "w.lock")
    assert first.acquire()
    assert not second.acquire()
    assert "pid" in second.holder()
    first.release()
    assert second.holder() is None
    assert second.acquire()
    second.release()


def test_sandbox_traffic_flows_into_the_inbox(workspace):
    worker = workspace.make_worker()
    report = asyncio.run(worker.run_once())
    assert report.stored > 0
    assert workspace.store.count(INBOX) == report.stored
    assert {i.account_id for i in workspace.inbox.list(None, actor=ALICE)} >= {"sandbox:northwind_en"}
