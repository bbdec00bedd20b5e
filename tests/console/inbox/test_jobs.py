"""The inbox's worker jobs: exactly-once ingestion with cursors, SLA due times,
reply sending and its failure paths, snooze wake-up; and the worker lock."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest

from console.accounts import SYNC, AccountAdapters
from console.inbox import INBOX, InboxFilter, SendReplies, SyncInbound, WakeSnoozed
from console.worker import WorkerLock
from integrations.base import (
    AccountRef,
    AuthError,
    InboundPage,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    RateLimitedError,
    TransientError,
)
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


class InboxJobs:
    """The inbox's three jobs over one scripted adapter, run as the worker runs them."""

    def __init__(self, workspace, adapter):
        adapters = AccountAdapters(workspace.platform_accounts, workspace.store,
                                   builtin=lambda: {ACCOUNT.account_id: adapter})
        self.clock = workspace.clock
        self.sync = SyncInbound(workspace.store, workspace.inbox, adapters, sla=workspace.config.sla)
        self.replies = SendReplies(workspace.store, workspace.inbox, workspace.audit, adapters)
        self.snoozes = WakeSnoozed(workspace.store, workspace.inbox, workspace.audit)

    def pull(self):
        return asyncio.run(self.sync.pull(self.clock()))

    def send(self):
        return asyncio.run(self.replies.send(self.clock()))

    def wake(self):
        return self.snoozes.wake(self.clock())

    def run_all(self):
        """Each job once, in the worker's order; their reports."""
        now = self.clock()
        return [asyncio.run(job.run(now)) for job in (self.sync, self.replies, self.snoozes)]


def make_jobs(workspace, adapter):
    return InboxJobs(workspace, adapter)


def sample(clock, count=5):
    return [inbound(n, clock() - timedelta(minutes=n), kind=ItemKind.DM if n % 2 else ItemKind.COMMENT)
            for n in range(count)]


def test_items_are_stored_once_with_sla_due_times(workspace, clock):
    adapter = ScriptedAdapter(sample(clock))
    report = make_jobs(workspace, adapter).pull()
    assert (report.fetched, report.stored) == (5, 5)
    item = workspace.inbox.get("sandbox:t-1")  # a DM written a minute ago
    assert item.sla_due == item.created_at + timedelta(minutes=30)
    assert workspace.inbox.get("sandbox:t-2").sla_due == clock() - timedelta(minutes=2) + timedelta(minutes=60)
    # A new worker (a restart) that lost its cursor sees duplicates only.
    workspace.store.update(SYNC, ACCOUNT.account_id, {"cursor": None}, expected_version=None, actor="test")
    again = make_jobs(workspace, ScriptedAdapter(sample(clock))).pull()
    assert (again.fetched, again.stored) == (5, 0)
    assert workspace.store.count(INBOX) == 5


def test_a_page_and_its_cursor_are_one_write(workspace, clock):
    """Exactly once: the items of a page and the cursor after it land in one
    transaction, so a crash between pages leaves a cursor that matches the items."""
    entries = []
    workspace.store.on_change(lambda changes: entries.append({(c.collection, c.key) for c in changes}))
    make_jobs(workspace, ScriptedAdapter(sample(clock, 3), page_size=2)).pull()
    assert entries == [
        {(INBOX, "sandbox:t-0"), (INBOX, "sandbox:t-1"), (SYNC, ACCOUNT.account_id)},
        {(INBOX, "sandbox:t-2"), (SYNC, ACCOUNT.account_id)},
    ]
    assert workspace.store.get(SYNC, ACCOUNT.account_id)["cursor"] == "3"


def test_cursor_survives_a_restart(open_workspace, clock):
    first = open_workspace()
    make_jobs(first, ScriptedAdapter(sample(clock, 3))).pull()
    first.close()
    second = open_workspace()
    adapter = ScriptedAdapter(sample(clock, 6))
    report = make_jobs(second, adapter).pull()
    assert (report.fetched, report.stored) == (3, 3)  # only what came after the cursor


def test_reply_is_sent_once_and_stops_the_sla(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 2))
    jobs = make_jobs(workspace, adapter)
    jobs.run_all()
    workspace.inbox.reply("sandbox:t-0", "Thanks for writing!", actor=ALICE)
    report = jobs.send()
    assert report.sent == 1
    assert jobs.run_all()[1] == "sent 0, failed 0"
    assert len(adapter.sent) == 1
    item = workspace.inbox.get("sandbox:t-0")
    assert item.replies[0].status == "sent" and item.replies[0].remote_id == "r-1"
    assert item.first_response_at is not None and item.sla_remaining(clock()) is None
    assert adapter.sent[0][2] == item.replies[0].reply_id  # idempotency key
    sent = [e for e in workspace.audit.events() if e["action"] == "reply.sent"]
    assert [(e["actor"], e["target"]) for e in sent] == [("worker", "inbox/sandbox:t-0")]


@pytest.mark.parametrize("error, status", [
    (TransientError("timeout"), "retrying"),
    (RateLimitedError("slow down", until=datetime(2026, 11, 26, 9, 15, tzinfo=timezone.utc)), "retrying"),
    (AuthError("token revoked"), "retrying"),
    (PermanentError("text too long"), "failed"),
])
def test_reply_failures_are_recorded(workspace, clock, error, status):
    adapter = ScriptedAdapter(sample(clock, 1))
    jobs = make_jobs(workspace, adapter)
    jobs.run_all()
    workspace.inbox.reply("sandbox:t-0", "hello", actor=ALICE)
    adapter.reply_error = error
    jobs.run_all()
    reply = workspace.inbox.get("sandbox:t-0").replies[0]
    assert reply.status == status and str(error) in reply.error
    if isinstance(error, AuthError):
        assert workspace.needs_reconnect() == (ACCOUNT.account_id,)
    if status == "retrying":
        # Not retried before its time; retried and sent after it.
        adapter.reply_error = None
        jobs.run_all()
        assert adapter.sent == []
        clock.advance(minutes=20)
        jobs.run_all()
        assert workspace.inbox.get("sandbox:t-0").replies[0].status == "sent"
    else:
        failed = [e for e in workspace.audit.events() if e["action"] == "reply.failed"]
        assert len(failed) == 1 and str(error) in failed[0]["summary"]


def test_transient_reply_failures_give_up_after_six_attempts(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 1))
    jobs = make_jobs(workspace, adapter)
    jobs.run_all()
    workspace.inbox.reply("sandbox:t-0", "hello", actor=ALICE)
    adapter.reply_error = TransientError("server error 503")
    for _ in range(6):
        jobs.run_all()
        clock.advance(minutes=16)
    reply = workspace.inbox.get("sandbox:t-0").replies[0]
    assert reply.status == "failed" and "gave up after 6 attempts" in reply.error


def test_revoked_token_marks_the_account_and_keeps_going(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 2))
    adapter.fetch_error = AuthError("token revoked")
    report = make_jobs(workspace, adapter).run_all()[0]
    assert "needs reconnecting" in report
    assert workspace.needs_reconnect() == (ACCOUNT.account_id,)


def test_a_rate_limited_account_is_not_asked_again_before_its_time(workspace, clock):
    adapter = ScriptedAdapter(sample(clock, 2))
    adapter.fetch_error = RateLimitedError("slow down", until=clock() + timedelta(minutes=10))
    jobs = make_jobs(workspace, adapter)
    assert "rate limited" in jobs.run_all()[0]
    adapter.fetch_error = None
    assert jobs.pull().fetched == 0
    clock.advance(minutes=11)
    assert jobs.pull().fetched == 2


def test_snoozed_items_wake_when_due(workspace, clock):
    make_jobs(workspace, ScriptedAdapter(sample(clock, 1))).pull()
    workspace.inbox.snooze("sandbox:t-0", clock() + timedelta(minutes=30), actor=ALICE)
    jobs = make_jobs(workspace, ScriptedAdapter([]))
    assert jobs.wake() == 0
    clock.advance(minutes=31)
    assert jobs.run_all()[2] == "woke 1"
    assert workspace.inbox.list_ids(InboxFilter(), actor=ALICE) == ["sandbox:t-0"]
    assert list(workspace.audit.events())[-1]["action"] == "inbox.snooze_ended"


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
    outcomes = asyncio.run(worker.run_all())
    sync = outcomes[0]
    assert sync.name == "sync" and sync.ok
    stored = workspace.store.count(INBOX)
    assert stored > 0 and f"new {stored}" in sync.report
    assert {i.account_id for i in workspace.inbox.list(None, actor=ALICE)} >= {"sandbox:northwind_en"}
