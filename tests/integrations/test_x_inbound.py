"""The X adapter's inbound streams: cursor walks against fake servers that
answer ``since_id``/``until_id``/``pagination_token`` as X does, DM pacing with
a fake clock, and property tests feeding arbitrary JSON to parsers and adapter."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import (
    AdapterError,
    AuthError,
    FoundPost,
    InboundItem,
    ItemKind,
    PermanentError,
    PublishResult,
    SearchPage,
)
from integrations.x import Cursor, decode_cursor
from integrations.x.parse import (
    parse_dm_event,
    parse_envelope,
    parse_found_post,
    parse_mention,
    parse_object,
    same_text,
)
from tests.integrations.test_x import (
    MENTIONS,
    OWN_ID,
    REF,
    Clock,
    item,
    make,
    ok,
    run,
    std_routes,
)


def _stamp(n: int) -> str:
    when = datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=n)
    return when.strftime("%Y-%m-%dT%H:%M:%S.000Z")


class FakeMentions:
    """Mentions 1..n (ids 5000+n), newest first, paged by ``page_size``."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.ids: list[int] = []

    def add(self, count: int, *, own_every: int = 0) -> None:
        for _ in range(count):
            self.ids.append(5000 + len(self.ids) + 1)

    def tweet(self, tid: int) -> dict:
        n = tid - 5000
        own = n % 7 == 0
        return {"id": str(tid), "text": f"@acme hello {n}", "created_at": _stamp(n),
                "author_id": OWN_ID if own else "42", "conversation_id": str(tid),
                "in_reply_to_user_id": OWN_ID if n % 2 else "9"}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        p = request.url.params
        assert int(p["max_results"]) <= 100
        since = int(p.get("since_id", "0"))
        until = int(p.get("until_id", str(10**9)))
        window = [t for t in sorted(self.ids, reverse=True) if since < t < until]
        offset = int(p.get("pagination_token", "p0")[1:])
        page = window[offset:offset + self.page_size]
        if not page:
            return httpx.Response(200, json={"meta": {"result_count": 0}})
        meta = {"result_count": len(page), "newest_id": str(page[0]), "oldest_id": str(page[-1])}
        if offset + self.page_size < len(window):
            meta["next_token"] = f"p{offset + self.page_size}"
        return httpx.Response(200, json={
            "data": [self.tweet(t) for t in page],
            "includes": {"users": [{"id": "42", "username": "bob", "name": "Bob"},
                                   {"id": OWN_ID, "username": "acme", "name": "Acme"}]},
            "meta": meta})


@given(
    batches=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=3),
    limits=st.lists(st.integers(min_value=1, max_value=7), min_size=1, max_size=5),
    page_size=st.integers(min_value=1, max_value=6),
    pages_max=st.integers(min_value=1, max_value=4),
)
@settings(max_examples=35, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walking_the_mentions_cursor_never_skips_or_reorders(batches, limits, page_size, pages_max):
    server = FakeMentions(page_size)
    a, _ = make(std_routes({("GET", MENTIONS): server}), mention_pages_max=pages_max)
    seen: list[str] = []
    cursor = None
    calls = 0
    for batch in batches:
        server.add(batch)  # new mentions arrive between polls
        for _ in range(200):
            page = run(a.fetch_inbound(cursor, limit=limits[calls % len(limits)]))
            calls += 1
            assert [i.created_at for i in page.items] == sorted(i.created_at for i in page.items)
            seen += [i.text for i in page.items]
            cursor = page.cursor
            if not page.has_more:
                break
    total = len(server.ids)
    assert seen == [f"@acme hello {n}" for n in range(1, total + 1) if n % 7]


def test_a_walk_stopped_by_the_page_cap_drains_the_older_window_first():
    server = FakeMentions(page_size=2)
    server.add(7)
    a, router = make(std_routes({("GET", MENTIONS): server}), mention_pages_max=2)
    page = run(a.fetch_inbound(None, limit=100))
    assert page.items == [] and page.has_more
    assert decode_cursor(page.cursor).until == "5004"  # oldest of the 4 seen
    page = run(a.fetch_inbound(page.cursor, limit=100))
    assert [i.text for i in page.items] == ["@acme hello 1", "@acme hello 2", "@acme hello 3"]
    assert router.requests[-1].url.params["until_id"] == "5004"
    pos = decode_cursor(page.cursor)
    assert (pos.since, pos.until) == ("5003", None) and page.has_more
    page = run(a.fetch_inbound(page.cursor, limit=100))
    assert [i.text for i in page.items] == ["@acme hello 4", "@acme hello 5", "@acme hello 6"]
    assert "until_id" not in router.requests[-2].url.params


def test_comment_or_mention_by_in_reply_to_user():
    server = FakeMentions(page_size=10)
    server.add(3)
    a, _ = make(std_routes({("GET", MENTIONS): server}))
    page = run(a.fetch_inbound(None))
    assert [i.kind for i in page.items] == [ItemKind.COMMENT, ItemKind.MENTION, ItemKind.COMMENT]
    assert page.items[0].url == "https://x.com/bob/status/5001"
    assert page.items[0].author.handle == "@bob"


class FakeDMs:
    """DM events (ids 8000+n), newest first, paged; every 4th is ours."""

    def __init__(self, page_size: int) -> None:
        self.page_size = page_size
        self.count = 0
        self.reads = 0

    def add(self, count: int) -> None:
        self.count += count

    def event(self, n: int) -> dict:
        return {"id": str(8000 + n), "event_type": "MessageCreate", "text": f"dm {n}",
                "sender_id": OWN_ID if n % 4 == 0 else "77", "dm_conversation_id": "77-2244994945",
                "created_at": _stamp(n)}

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.reads += 1
        offset = int(request.url.params.get("pagination_token", "p0")[1:])
        ns = list(range(self.count, 0, -1))[offset:offset + self.page_size]
        meta: dict = {"result_count": len(ns)}
        if offset + self.page_size < self.count:
            meta["next_token"] = f"p{offset + self.page_size}"
        body: dict = {"meta": meta}
        if ns:
            body["data"] = [self.event(n) for n in ns]
            body["includes"] = {"users": [{"id": "77", "username": "carol", "name": "Carol"}]}
        return httpx.Response(200, json=body)


def test_dms_are_read_at_most_once_per_poll_interval():
    dms = FakeDMs(page_size=5)
    dms.add(2)
    clock = Clock()
    a, _ = make(std_routes({("GET", "/2/dm_events"): dms}), clock=clock)
    page = run(a.fetch_inbound(None))
    assert [i.text for i in page.items] == ["dm 1", "dm 2"] and dms.reads == 1
    dms.add(1)
    clock.advance(seconds=30)
    page = run(a.fetch_inbound(page.cursor))
    assert page.items == [] and dms.reads == 1  # too soon: not read
    clock.advance(seconds=59)
    cursor = run(a.fetch_inbound(page.cursor)).cursor
    assert dms.reads == 1
    clock.advance(seconds=1)  # 90 s since the last read
    # a fresh adapter (e.g. after a restart) honours the time kept in the cursor
    b, _ = make(std_routes({("GET", "/2/dm_events"): dms}), clock=clock)
    page = run(b.fetch_inbound(cursor))
    assert [i.text for i in page.items] == ["dm 3"] and dms.reads == 2
    assert decode_cursor(page.cursor).dm_polled == clock.now


def test_custom_dm_poll_interval():
    dms = FakeDMs(page_size=5)
    clock = Clock()
    a, _ = make(std_routes({("GET", "/2/dm_events"): dms}), clock=clock, dm_poll_interval=600)
    cursor = run(a.fetch_inbound(None)).cursor
    clock.advance(seconds=300)
    run(a.fetch_inbound(cursor))
    assert dms.reads == 1


@given(
    batches=st.lists(st.integers(min_value=0, max_value=12), min_size=1, max_size=4),
    limit=st.integers(min_value=1, max_value=5),
    page_size=st.integers(min_value=1, max_value=5),
)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walking_the_dm_cursor_never_skips(batches, limit, page_size):
    dms = FakeDMs(page_size)
    clock = Clock()
    a, _ = make(std_routes({("GET", "/2/dm_events"): dms}), clock=clock)
    cursor = run(a.fetch_inbound(None)).cursor  # connected before any DM arrived
    seen: list[str] = []
    for batch in batches:
        dms.add(batch)
        for _ in range(100):
            clock.advance(seconds=90)
            page = run(a.fetch_inbound(cursor, limit=limit))
            seen += [i.text for i in page.items]
            cursor = page.cursor
            if not page.has_more:
                break
    assert seen == [f"dm {n}" for n in range(1, dms.count + 1) if n % 4]


def test_mentions_filling_the_limit_leave_dms_for_later():
    server = FakeMentions(page_size=10)
    server.add(3)
    dms = FakeDMs(page_size=5)
    dms.add(1)
    a, _ = make(std_routes({("GET", MENTIONS): server, ("GET", "/2/dm_events"): dms}))
    page = run(a.fetch_inbound(None, limit=2))
    assert dms.reads == 0 and page.has_more
    assert decode_cursor(page.cursor).dm_polled is None


@given(since=st.none() | st.integers(1, 10**19).map(str), until=st.none() | st.integers(1, 10**19).map(str),
       dm=st.none() | st.integers(1, 10**19).map(str), polled=st.none() | st.datetimes(
           timezones=st.just(timezone.utc)))
def test_cursor_round_trips(since, until, dm, polled):
    c = Cursor(since, until, dm, polled)
    assert decode_cursor(c.encode()) == c


@given(st.text(max_size=60))
def test_arbitrary_cursor_text_is_decoded_or_permanent(text):
    for candidate in (text, "v1:" + text):
        try:
            decode_cursor(candidate)
        except AdapterError:
            pass


# -- arbitrary JSON ----------------------------------------------------------------

KEYS = ["id", "text", "author_id", "created_at", "conversation_id", "in_reply_to_user_id",
        "referenced_tweets", "type", "lang", "note_tweet", "data", "includes", "users", "username",
        "name", "meta", "next_token", "errors", "event_type", "sender_id", "dm_conversation_id",
        "deleted", "access_token", "refresh_token", "expires_in", "title", "detail"]
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(["replied_to", "MessageCreate", "2024-01-15T10:30:00.000Z", OWN_ID, "bad date"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=8),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_parsers_return_records_or_typed_errors(data):
    try:
        env = parse_envelope(data, "mentions")
    except AdapterError:
        return
    for record in env.data:
        for parse, kind in ((parse_mention, InboundItem), (parse_dm_event, InboundItem)):
            try:
                result = parse(record, env.users, REF, OWN_ID)
            except AdapterError:
                continue
            assert result is None or (isinstance(result, kind) and result.created_at.tzinfo)
        try:
            assert isinstance(parse_found_post(record, env.users), FoundPost)
        except AdapterError:
            pass
    try:
        assert isinstance(parse_object(data, "x"), dict)
    except AdapterError:
        pass


@given(json_values)
@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_adapter_returns_records_or_typed_errors_on_arbitrary_bodies(data):
    body = json.dumps(data).encode()

    def answer(_request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=body)

    routes = std_routes({(m, p): answer for m, p in [
        ("GET", MENTIONS), ("GET", "/2/dm_events"), ("GET", "/2/users/me"),
        ("GET", "/2/tweets/search/recent"), ("POST", "/2/tweets"), ("DELETE", "/2/tweets/1"),
        ("GET", f"/2/users/{OWN_ID}/tweets"),
    ]})
    for user_id in (OWN_ID, None):
        a, _ = make(routes, user_id=user_id)
        calls = [
            (a.fetch_inbound(None), lambda r: all(isinstance(i, InboundItem) for i in r.items)),
            (a.search("acme"), lambda r: isinstance(r, SearchPage)),
            (a.send_reply(item(), "hi", idempotency_key="k"), lambda r: isinstance(r, PublishResult)),
            (a.delete("1"), lambda r: r is None),
        ]
        for coro, check in calls:
            try:
                result = run(coro)
            except AdapterError:
                continue
            assert check(result)


@given(json_values)
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_arbitrary_token_responses_never_escape_untyped(data):
    routes = std_routes({("GET", MENTIONS): ok("error_401.json", 401),
                         ("POST", "/2/oauth2/token"): httpx.Response(
                             200, content=json.dumps(data).encode())})
    a, _ = make(routes, refresh_token="r", on_token_refresh=lambda _d: None)
    with pytest.raises(AdapterError):
        run(a.fetch_inbound(None))


def test_same_text_matches_what_x_shows_of_our_post():
    assert same_text("Thanks & sorry <3", "@bob @carol Thanks &amp; sorry &lt;3")
    assert same_text("see https://acme.example/a?b=1 now", "see https://t.co/xyz now https://t.co/img")
    assert not same_text("Thanks!", "Thanks?")
    assert not same_text("@bob hi", "hi")


def _dm_cursor() -> str:
    return Cursor(since=None, dm="1", dm_polled=None).encode()


def test_dm_walk_refuses_a_repeating_page_token():
    body = json.loads((ok("dm_events.json").content))
    a, _ = make(std_routes({("GET", "/2/dm_events"): httpx.Response(200, json=body)}))
    with pytest.raises(PermanentError, match="next_token repeats"):
        run(a.fetch_inbound(_dm_cursor()))


def test_dm_walk_stops_at_the_read_budget_instead_of_skipping():
    dms = FakeDMs(page_size=1)
    dms.add(40)
    a, _ = make(std_routes({("GET", "/2/dm_events"): dms}))
    with pytest.raises(PermanentError, match="cannot be reached"):
        run(a.fetch_inbound(Cursor(dm="8001").encode()))
    assert dms.reads == 15


def test_dm_walk_stops_at_the_known_position():
    dms = FakeDMs(page_size=2)
    dms.add(9)
    a, _ = make(std_routes({("GET", "/2/dm_events"): dms}))
    page = run(a.fetch_inbound(Cursor(dm="8005").encode()))
    assert [i.text for i in page.items] == ["dm 6", "dm 7", "dm 9"]
    assert dms.reads == 3  # 9-8, 7-6, 5-4: position met on the third page
    assert decode_cursor(page.cursor).dm == "8009"


def test_a_plain_403_is_permanent_not_auth():
    forbidden = httpx.Response(403, json={"title": "Forbidden", "detail": "Forbidden",
                                          "type": "about:blank", "status": 403})
    a, _ = make(std_routes({("GET", MENTIONS): forbidden}))
    with pytest.raises(PermanentError) as ei:
        run(a.fetch_inbound(None))
    assert not isinstance(ei.value, AuthError)
