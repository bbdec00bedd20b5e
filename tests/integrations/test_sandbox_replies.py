"""A post published on the sandbox draws realistic comments over the next minutes,
handed out once each through the ordinary inbound cursor."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from integrations.base import ItemKind, OutboundPost
from integrations.sandbox import (
    REPLY_WINDOW,
    SANDBOX_ACCOUNTS,
    SandboxAdapter,
    SandboxFaults,
    SandboxPlatform,
)
from integrations.sandbox.people import author_pool
from tests.conftest import FakeClock

EN, ES, JA = SANDBOX_ACCOUNTS
EPOCH = datetime(2026, 5, 1, tzinfo=timezone.utc)
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)


def run(coro):
    return asyncio.run(coro)


def sandbox(account=EN, *, clock, **kw) -> SandboxAdapter:
    kw.setdefault("faults", SandboxFaults())
    # a quiet timeline (one item an hour) so the comments on our posts stand out
    return SandboxAdapter(account, clock=clock, epoch=EPOCH, rate_per_hour=1.0, **kw)


def drain(a: SandboxAdapter, cursor: str | None, limit: int = 100) -> tuple[list, str]:
    items = []
    while True:
        page = run(a.fetch_inbound(cursor, limit))
        items += page.items
        cursor = page.cursor
        if not page.has_more:
            return items, cursor


def comments_on(items, remote_id):
    return [i for i in items if i.parent_remote_id == remote_id]


def test_a_published_post_draws_comments_over_ten_minutes_each_handed_out_once():
    clock = FakeClock(NOW)
    a = sandbox(clock=clock)
    _, cursor = drain(a, None)
    made = run(a.publish(OutboundPost("Trail notes: the Ridgeline rain jacket is back in every size"),
                         idempotency_key="k"))
    assert comments_on(drain(a, cursor)[0], made.remote_id) == []          # nobody has answered yet
    seen = []
    for _ in range(12):                                                     # a sync every minute
        clock.advance(minutes=1)
        items, cursor = drain(a, cursor)
        seen += items
    comments = comments_on(seen, made.remote_id)
    assert 3 <= len(comments) <= 6
    assert len({c.remote_id for c in comments}) == len(comments)            # each once
    assert [c.remote_id for c in comments] == [f"{made.remote_id}-c{i}" for i in range(1, len(comments) + 1)]
    for comment in comments:
        assert comment.kind is ItemKind.COMMENT and comment.thread_id == made.remote_id
        assert NOW + timedelta(seconds=20) <= comment.created_at <= NOW + REPLY_WINDOW
        assert comment.language == "en" and comment.author in author_pool("en") and comment.text.strip()
        assert comment.url.startswith(made.url + "#comment-")
    assert comments[-1].created_at - comments[0].created_at > timedelta(minutes=1)   # spread, not a burst
    clock.advance(hours=1)
    assert comments_on(drain(a, cursor)[0], made.remote_id) == []


def test_comments_are_in_the_accounts_language_and_the_same_in_every_process(tmp_path):
    clock = FakeClock(NOW)
    a = sandbox(ES, clock=clock, platform_dir=tmp_path)
    made = run(a.publish(OutboundPost("Vuelve la chaqueta impermeable Ridgeline"), idempotency_key="k"))
    clock.advance(minutes=11)
    mine = comments_on(drain(a, None)[0], made.remote_id)
    theirs = comments_on(drain(sandbox(ES, clock=clock, platform_dir=tmp_path), None)[0], made.remote_id)
    assert mine == theirs and mine
    assert {c.language for c in mine} == {"es"} and all(c.author in author_pool("es") for c in mine)
    other_seed = sandbox(ES, clock=clock, platform_dir=tmp_path, seed=8)
    assert [c.text for c in comments_on(drain(other_seed, None)[0], made.remote_id)] != [c.text for c in mine]


def test_a_limit_cuts_the_comments_and_the_next_call_goes_on_without_a_gap():
    clock = FakeClock(NOW)
    a = sandbox(JA, clock=clock)
    _, cursor = drain(a, None)
    posts = [run(a.publish(OutboundPost(f"新作 {n}"), idempotency_key=f"k{n}")) for n in range(4)]
    clock.advance(minutes=11)
    one_at_a_time, _ = drain(a, cursor, limit=1)
    everything = [c for p in posts for c in comments_on(drain(a, cursor)[0], p.remote_id)]
    assert sorted(c.remote_id for c in one_at_a_time) == sorted(c.remote_id for c in everything)
    assert len(everything) >= 12
    assert [c.created_at for c in one_at_a_time] == sorted(c.created_at for c in one_at_a_time)


def test_comments_come_in_time_order_with_the_rest_of_the_traffic():
    clock = FakeClock(NOW)
    a = SandboxAdapter(EN, clock=clock, epoch=EPOCH, faults=SandboxFaults())    # 40 items an hour
    _, cursor = drain(a, None)
    made = run(a.publish(OutboundPost("Ridgeline restock"), idempotency_key="k"))
    clock.advance(minutes=15)
    items, _ = drain(a, cursor, limit=3)            # across pages too, not only within one
    assert comments_on(items, made.remote_id) and len(items) > len(comments_on(items, made.remote_id))
    assert [i.created_at for i in items] == sorted(i.created_at for i in items)
    assert len({i.remote_id for i in items}) == len(items)


def test_a_cursor_from_before_the_first_post_still_gets_its_comments():
    clock = FakeClock(NOW)
    a = sandbox(clock=clock)
    _, cursor = drain(a, None)
    assert ";p:" not in cursor                    # no posts yet: the cursor keeps its old form
    made = run(a.publish(OutboundPost("Summit down vest"), idempotency_key="k"))
    clock.advance(minutes=11)
    items, cursor = drain(a, cursor)
    assert comments_on(items, made.remote_id) and ";p:" in cursor


def test_a_deleted_post_draws_no_more_comments(tmp_path):
    clock = FakeClock(NOW)
    a = sandbox(clock=clock, platform_dir=tmp_path)
    made = run(a.publish(OutboundPost("Cedar fleece, new colours"), idempotency_key="k"))
    clock.advance(minutes=10)
    before = comments_on(drain(a, None)[0], made.remote_id)
    clock.advance(seconds=-9 * 60)                 # go back: delete it one minute after posting
    run(a.delete(made.remote_id))
    clock.advance(minutes=9)
    after = comments_on(drain(a, None)[0], made.remote_id)
    (stored,) = SandboxPlatform(tmp_path).posts()
    assert all(c.created_at < stored.deleted_at for c in after)
    assert len(after) < len(before)
