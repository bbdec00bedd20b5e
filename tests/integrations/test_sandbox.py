"""The sandbox adapter: determinism, paging, threads, replies, failures."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import pytest
from hypothesis import given, settings, strategies as st

from integrations.base import (
    AccountRef,
    AdapterError,
    AuthError,
    InboundItem,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)
from integrations.sandbox import (
    REPLY_MAX_CHARS,
    SANDBOX_ACCOUNTS,
    SANDBOX_EPOCH,
    SANDBOX_HOST,
    SandboxAdapter,
    generate_items,
)

EPOCH = datetime(2024, 3, 1, tzinfo=timezone.utc)
EN, ES, JA = SANDBOX_ACCOUNTS


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw: float) -> None:
        self.now += timedelta(**kw)


def run(coro):
    return asyncio.run(coro)


def adapter(account: AccountRef = EN, *, at: timedelta = timedelta(days=2), **kw) -> SandboxAdapter:
    kw.setdefault("clock", FakeClock(EPOCH + at))
    kw.setdefault("epoch", EPOCH)
    return SandboxAdapter(account, **kw)


def fetch_all(a: SandboxAdapter, cursor: str | None = None, limit: int = 100):
    items: list[InboundItem] = []

    async def go():
        nonlocal cursor
        while True:
            page = await a.fetch_inbound(cursor, limit)
            items.extend(page.items)
            cursor = page.cursor
            if not page.has_more:
                return

    run(go())
    return items, cursor


# -- accounts and contract ----------------------------------------------------


def test_three_brand_accounts():
    assert [a.account_id for a in SANDBOX_ACCOUNTS] == [
        "sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja"]
    assert [a.handle for a in SANDBOX_ACCOUNTS] == ["@northwind", "@northwind_es", "@northwind_jp"]
    assert [(a.language, a.region, a.timezone) for a in SANDBOX_ACCOUNTS] == [
        ("en", "NA", "America/New_York"),
        ("es", "LATAM", "America/Mexico_City"),
        ("ja", "APAC", "Asia/Tokyo"),
    ]
    assert all(a.platform == "sandbox" and a.display_name for a in SANDBOX_ACCOUNTS)


def test_is_a_platform_adapter_with_capabilities():
    a = adapter()
    assert isinstance(a, PlatformAdapter)
    assert a.platform == "sandbox" and a.account is EN
    caps = a.capabilities
    assert caps.inbound_comments and caps.inbound_mentions and caps.direct_messages and caps.reply
    assert caps.publish and caps.delete and caps.media and caps.idempotent_publish and caps.find_published
    assert not caps.keyword_search and not caps.native_scheduling
    run(a.aclose())


def test_rejects_other_platforms_and_naive_times():
    with pytest.raises(ValueError):
        SandboxAdapter(AccountRef("bluesky", "bluesky:x", "@x"))
    with pytest.raises(ValueError):
        SandboxAdapter(EN, epoch=datetime(2024, 1, 1))
    with pytest.raises(ValueError):
        SandboxAdapter(EN, rate_per_hour=0)


# -- determinism ----------------------------------------------------------------


def test_same_seed_same_items_different_seed_different_items():
    a = generate_items(EN, 7, 0, 300, EPOCH)
    assert a == generate_items(EN, 7, 0, 300, EPOCH)
    b = generate_items(EN, 8, 0, 300, EPOCH)
    assert [i.remote_id for i in a] == [i.remote_id for i in b]
    differ = sum(x.text != y.text for x, y in zip(a, b))
    assert differ > 250
    assert [i.created_at for i in a] != [i.created_at for i in b]


def test_item_n_does_not_depend_on_where_generation_starts():
    whole = generate_items(ES, 11, 0, 600, EPOCH)
    for start in (1, 37, 250, 599):
        assert generate_items(ES, 11, start, 600 - start, EPOCH) == whole[start:]


def test_adapter_returns_the_generated_items():
    a = adapter(JA, seed=3, at=timedelta(hours=10))
    items, _ = fetch_all(a, limit=37)
    assert items == generate_items(JA, 3, 0, len(items), EPOCH)
    assert len(items) == a.arrived_count()


def test_accounts_differ_and_remote_ids_are_unique_per_platform():
    ids = [i.remote_id for acct in SANDBOX_ACCOUNTS for i in generate_items(acct, 7, 0, 500, EPOCH)]
    assert len(ids) == len(set(ids))
    assert ids[0] == "northwind_en-00000000"


# -- arrival times and paging ----------------------------------------------------


def test_times_are_utc_non_decreasing_and_average_the_rate():
    items = generate_items(EN, 7, 0, 4000, EPOCH, rate_per_hour=40.0)
    times = [i.created_at for i in items]
    assert all(t.tzinfo is not None and t.utcoffset() == timedelta(0) for t in times)
    assert times == sorted(times)
    assert times[0] >= EPOCH
    hours = (times[-1] - EPOCH) / timedelta(hours=1)
    assert 4000 / hours == pytest.approx(40.0, rel=0.05)
    gaps = {round((b - a).total_seconds()) for a, b in zip(times, times[1:])}
    assert len(gaps) > 100  # irregular, not a metronome


def test_rate_per_hour_changes_the_pace():
    a = adapter(at=timedelta(hours=24), rate_per_hour=10)
    assert a.arrived_count() == pytest.approx(240, rel=0.15)
    assert adapter(at=timedelta(hours=24)).arrived_count() == pytest.approx(960, rel=0.1)


def test_only_arrived_items_are_returned():
    clock = FakeClock(EPOCH + timedelta(hours=3))
    a = adapter(clock=clock)
    items, cursor = fetch_all(a)
    assert items and all(i.created_at <= clock.now for i in items)
    nxt = generate_items(EN, 7, len(items), 1, EPOCH)[0]
    assert nxt.created_at > clock.now
    assert cursor == f"n:{len(items)}"
    # Nothing new until the clock reaches the next item.
    page = run(a.fetch_inbound(cursor))
    assert page.items == [] and page.cursor == cursor and not page.has_more
    clock.now = nxt.created_at
    page = run(a.fetch_inbound(cursor))
    assert page.items[0] == nxt


def test_has_more_and_limit():
    a = adapter(at=timedelta(hours=5))
    arrived = a.arrived_count()
    page = run(a.fetch_inbound(None, limit=10))
    assert len(page.items) == 10 and page.has_more and page.cursor == "n:10"
    page = run(a.fetch_inbound(f"n:{arrived - 3}", limit=10))
    assert len(page.items) == 3 and not page.has_more


def test_paging_with_an_advancing_clock_never_skips_or_duplicates():
    clock = FakeClock(EPOCH)
    a = adapter(clock=clock)
    seen: list[InboundItem] = []
    cursor = None
    limits = [1, 7, 50, 3, 100, 2]

    async def go():
        nonlocal cursor
        for step in range(400):
            clock.advance(minutes=(step * 7) % 23)
            page = await a.fetch_inbound(cursor, limits[step % len(limits)])
            assert all(i.created_at <= clock.now for i in page.items)
            seen.extend(page.items)
            cursor = page.cursor

    run(go())
    rest, _ = fetch_all(a, cursor)
    seen.extend(rest)
    assert [i.remote_id for i in seen] == [f"northwind_en-{n:08d}" for n in range(a.arrived_count())]
    assert len(seen) > 1000


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 240), st.integers(1, 60)), min_size=1, max_size=30),
       st.integers(0, 10_000))
def test_paging_property(steps, seed):
    clock = FakeClock(EPOCH)
    a = SandboxAdapter(SANDBOX_ACCOUNTS[seed % 3], seed=seed, clock=clock, epoch=EPOCH)
    got: list[str] = []
    cursor = None

    async def go():
        nonlocal cursor
        for minutes, limit in steps:
            clock.advance(minutes=minutes)
            page = await a.fetch_inbound(cursor, limit)
            got.extend(i.remote_id for i in page.items)
            assert len(page.items) <= limit
            assert page.has_more == (a.arrived_count() > int(page.cursor[2:]))
            cursor = page.cursor

    run(go())
    prefix = a.account.account_id.split(":")[1]
    assert got == [f"{prefix}-{n:08d}" for n in range(len(got))]


def test_clock_before_epoch_gives_an_empty_page():
    a = adapter(at=timedelta(hours=-1))
    page = run(a.fetch_inbound(None))
    assert page.items == [] and page.cursor == "n:0" and not page.has_more


def test_default_first_fetch_starts_at_midnight_utc_yesterday():
    now = datetime(2025, 6, 15, 12, 30, tzinfo=timezone.utc)
    a = SandboxAdapter(EN, clock=lambda: now)  # default epoch: SANDBOX_EPOCH
    assert a.epoch == SANDBOX_EPOCH
    items, cursor = fetch_all(a, limit=500)
    midnight = datetime(2025, 6, 14, tzinfo=timezone.utc)
    assert items[0].created_at >= midnight
    n0 = int(items[0].remote_id.rsplit("-", 1)[1])
    before = generate_items(EN, 7, n0 - 1, 1, SANDBOX_EPOCH)[0]
    assert before.created_at < midnight
    # A day and a half of backlog at 40/h.
    assert len(items) == pytest.approx(36.5 * 40, rel=0.1)
    assert items[-1].created_at <= now
    # Stable across restarts: a new adapter the next day continues the cursor.
    later = SandboxAdapter(EN, clock=lambda: now + timedelta(days=1))
    page = run(later.fetch_inbound(cursor, limit=1))
    assert page.items[0].remote_id == f"northwind_en-{int(cursor[2:]):08d}"


def test_history_start_can_be_set():
    now = EPOCH + timedelta(days=3)
    a = adapter(clock=lambda: now, history_start=now - timedelta(hours=1))
    items, _ = fetch_all(a)
    assert 20 <= len(items) <= 65
    assert items[0].created_at >= now - timedelta(hours=1)


@pytest.mark.parametrize("bad", ["", "abc", "n:", "n:-1", "n:1.5", "n:12x", " n:1", "n:" + "9" * 13, 17])
def test_malformed_cursor_is_a_permanent_error(bad):
    with pytest.raises(PermanentError, match="cursor"):
        run(adapter().fetch_inbound(bad))


def test_bad_limit_is_a_permanent_error():
    with pytest.raises(PermanentError, match="limit"):
        run(adapter().fetch_inbound(None, 0))


# -- threads --------------------------------------------------------------------


@pytest.mark.parametrize("account", SANDBOX_ACCOUNTS, ids=lambda a: a.language)
def test_threads_are_consistent(account):
    items = generate_items(account, 7, 0, 3000, EPOCH)
    by_id = {i.remote_id: (n, i) for n, i in enumerate(items)}
    followups = 0
    for n, item in enumerate(items):
        if item.parent_remote_id is None:
            if item.kind is ItemKind.MENTION:
                assert item.thread_id == item.remote_id
            continue
        followups += 1
        pn, parent = by_id[item.parent_remote_id]
        assert pn < n
        assert parent.thread_id == item.thread_id
        assert parent.kind is item.kind
        assert parent.created_at <= item.created_at
        if item.kind is ItemKind.DM:
            assert parent.author == item.author
    assert followups > 3000 * 0.15
    short = account.account_id.split(":")[1]
    for item in items:
        if item.kind is ItemKind.COMMENT:
            assert item.thread_id.startswith(f"{short}-post-")
        if item.kind is ItemKind.DM:
            # A DM conversation is with one person.
            assert item.thread_id == f"{short}-dm-{item.author.remote_id}"
    threads = {}
    for item in items:
        threads.setdefault(item.thread_id, []).append(item)
    assert max(len(t) for t in threads.values()) >= 5


def test_follow_up_same_author_quotes_the_same_order_number():
    import re

    items = generate_items(EN, 7, 0, 5000, EPOCH)
    orders: dict[tuple[str, str], set[str]] = {}
    for item in items:
        for order in re.findall(r"#NW-\d{5}", item.text):
            orders.setdefault((item.thread_id, item.author.remote_id), set()).add(order)
    assert orders and all(len(v) == 1 for v in orders.values())


# -- replies ----------------------------------------------------------------------


def _item(account=EN, kind=None):
    items = generate_items(account, 7, 0, 200, EPOCH)
    return next(i for i in items if kind is None or i.kind is kind)


def test_reply_is_accepted_and_idempotent():
    clock = FakeClock(EPOCH + timedelta(days=1))
    a = adapter(clock=clock)
    item = _item()
    r1 = run(a.send_reply(item, "Thanks for reaching out!", idempotency_key="k1"))
    assert r1.remote_id.startswith("northwind_en-reply-")
    assert r1.url and r1.url.startswith(SANDBOX_HOST)
    assert r1.published_at == clock.now
    clock.advance(minutes=5)  # a retry later returns the first answer
    assert r1.extra["in_reply_to"] == item.remote_id
    r2 = run(a.send_reply(item, "Thanks for reaching out!", idempotency_key="k1"))
    assert r2 == r1
    assert len(a.sent_replies) == 1
    r3 = run(a.send_reply(item, "Thanks for reaching out!", idempotency_key="k2"))
    assert r3.remote_id != r1.remote_id
    assert len(a.sent_replies) == 2


def test_reply_to_a_dm_is_a_dm():
    a = adapter()
    dm = _item(kind=ItemKind.DM)
    r = run(a.send_reply(dm, "Hi! Let me check.", idempotency_key="dm-1"))
    assert r.extra["kind"] == "dm" and dm.thread_id in r.url


def test_reusing_a_key_for_a_different_reply_is_refused():
    a = adapter()
    item = _item()
    run(a.send_reply(item, "one", idempotency_key="k"))
    with pytest.raises(PermanentError, match="idempotency"):
        run(a.send_reply(item, "two", idempotency_key="k"))


@pytest.mark.parametrize("text", ["", "   \n\t"])
def test_empty_reply_is_refused(text):
    with pytest.raises(PermanentError, match="empty"):
        run(adapter().send_reply(_item(), text, idempotency_key="k"))


def test_reply_length_limit():
    a = adapter()
    assert REPLY_MAX_CHARS == 2000
    run(a.send_reply(_item(), "x" * 2000, idempotency_key="ok"))
    with pytest.raises(PermanentError, match="2,000"):
        run(a.send_reply(_item(), "x" * 2001, idempotency_key="long"))
    assert list(a.sent_replies) == ["ok"]


def test_reply_to_another_accounts_item_is_refused():
    with pytest.raises(PermanentError, match="belongs to"):
        run(adapter(EN).send_reply(_item(ES), "hola", idempotency_key="k"))


def test_reply_failure_injection_raises_transient_and_posts_nothing():
    a = adapter(fail_replies_matching="boom")
    item = _item()
    for _ in range(2):
        with pytest.raises(TransientError) as err:
            run(a.send_reply(item, "this will boom", idempotency_key="k"))
        assert err.value.platform == "sandbox"
    assert a.sent_replies == {}
    run(a.send_reply(item, "this is fine", idempotency_key="k2"))
    assert list(a.sent_replies) == ["k2"]


def test_revoked_token_raises_auth_error_everywhere():
    a = adapter(revoked=True)
    with pytest.raises(AuthError, match="revoked"):
        run(a.fetch_inbound(None))
    with pytest.raises(AuthError):
        run(a.send_reply(_item(), "hi", idempotency_key="k"))
    a.restore()
    run(a.fetch_inbound(None))
    a.revoke()
    with pytest.raises(AuthError) as err:
        run(a.fetch_inbound("n:0"))
    assert isinstance(err.value, AdapterError) and err.value.platform == "sandbox"


def test_rate_limit_injection():
    clock = FakeClock(EPOCH + timedelta(hours=2))
    until = clock.now + timedelta(minutes=5)
    a = adapter(clock=clock, rate_limited_until=until)
    with pytest.raises(RateLimitedError) as err:
        run(a.fetch_inbound(None))
    assert err.value.until == until
    with pytest.raises(RateLimitedError):
        run(a.send_reply(_item(), "hi", idempotency_key="k"))
    clock.now = until
    assert run(a.fetch_inbound(None)).items


def test_history_joins_up_with_the_first_fetch():
    now = datetime(2025, 6, 15, 12, 30, tzinfo=timezone.utc)
    a = SandboxAdapter(ES, clock=lambda: now)
    history = a.history(500)
    assert len(history) == 500
    page = run(a.fetch_inbound(None, limit=5))
    n_last = int(history[-1].remote_id[-8:])
    assert int(page.items[0].remote_id[-8:]) == n_last + 1
    assert history[-1].created_at <= page.items[0].created_at
    assert history == generate_items(ES, 7, n_last - 499, 500, SANDBOX_EPOCH)
    # Near the epoch there is less history than asked for.
    assert adapter(at=timedelta(hours=1)).history(10) == []
