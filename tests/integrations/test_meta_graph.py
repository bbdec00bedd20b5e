"""Shared Meta Graph pieces: error classification, usage headers, times, cursors, paging."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx
import pytest
from hypothesis import given, settings, strategies as st

from integrations.base import (
    AccountRef,
    AuthError,
    Author,
    InboundItem,
    ItemKind,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from integrations.meta.common import Mark, decode_cursor, encode_cursor, finish_page
from integrations.meta.graph import (
    GraphClient,
    UsageMeter,
    classify_meta_error,
    parse_time,
    read_usage,
)

FIX = Path(__file__).parent / "fixtures" / "meta"
BASE = "https://graph.facebook.com"
TOKEN = "EAAG-page-token-very-secret-42"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
PAGE = "546349135390552"
IG_USER = "17841405822304914"


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def ok(name: str, status: int = 200, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=fixture(name), headers={
        "content-type": "application/json", **(headers or {})})


class Router:
    """Answers by (method, path without the version); lists are served in turn."""

    def __init__(self, routes: dict) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.path.removeprefix("/v25.0")
        r = self.routes.get((request.method, path))
        if r is None:
            return ok("error_100.json", 400)
        if callable(r):
            return r(request)
        if isinstance(r, list):
            return r.pop(0) if len(r) > 1 else r[0]
        return r


class Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


def make(cls, routes, clock=lambda: NOW, **kw):
    router = Router(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(router))
    sleeps = Sleeps()
    ref = AccountRef(platform=cls.platform, account_id=f"{cls.platform}:acme", handle="@acme")
    a = cls(ref, page_token=TOKEN, client=client, clock=clock, sleep=sleeps, rand=lambda: 0.5,
            **kw)
    return a, router, sleeps


def run(coro):
    return asyncio.run(coro)


def _resp(name: str, status: int = 400, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=fixture(name), headers=headers or {})


@pytest.mark.parametrize("code,exc", [
    (190, AuthError), (102, AuthError),
    (4, RateLimitedError), (17, RateLimitedError), (32, RateLimitedError), (613, RateLimitedError),
    (80001, RateLimitedError), (80002, RateLimitedError), (80006, RateLimitedError),
    (1, TransientError), (2, TransientError),
    (10, PermanentError), (200, PermanentError), (299, PermanentError),
    (100, PermanentError), (368, PermanentError), (12345, PermanentError),
])
def test_classify_table(code, exc):
    body = {"error": {"message": f"(#{code}) something", "type": "OAuthException", "code": code}}
    typed = classify_meta_error(httpx.Response(400, json=body), "facebook GET /x", NOW,
                                platform="facebook", message=f"(#{code}) something")
    assert type(typed) is exc
    assert typed.platform == "facebook"
    if exc is RateLimitedError:
        assert typed.until == NOW + timedelta(minutes=60)  # no usage header: 60 min
    if code in (10, 200, 299):
        assert "permission missing" in str(typed)


def test_classify_decides_by_code_not_status_and_reads_regain_time():
    headers = {"X-Business-Use-Case-Usage": json.dumps({PAGE: [
        {"type": "pages", "call_count": 100, "estimated_time_to_regain_access": 7},
        {"type": "messenger", "call_count": 20, "estimated_time_to_regain_access": 12}]})}
    typed = classify_meta_error(_resp("error_80001.json", 400, headers), "w", NOW, platform="facebook")
    assert isinstance(typed, RateLimitedError) and typed.until == NOW + timedelta(minutes=12)
    # expired token arrives as 400 (sometimes 401): auth either way, with a reconnect hint
    for status in (400, 401, 500):
        typed = classify_meta_error(_resp("error_190.json", status), "w", NOW, platform="facebook")
        assert isinstance(typed, AuthError) and "reconnect" in str(typed)
    typed = classify_meta_error(_resp("error_10.json"), "w", NOW, platform="facebook",
                                message=json.loads(fixture("error_10.json"))["error"]["message"])
    assert "permission missing (pages_read_engagement)" in str(typed)
    assert classify_meta_error(_resp("error_500.json", 500), "w", NOW, platform="x").__class__ is TransientError
    # not a Graph error body: the default status mapping decides
    assert classify_meta_error(_resp("malformed.html", 502), "w", NOW, platform="x") is None
    assert classify_meta_error(_resp("error_plain_404.json", 404), "w", NOW, platform="x") is None
    assert classify_meta_error(httpx.Response(400, json={"error": {"code": "abc"}}), "w", NOW,
                               platform="x") is None


def test_read_usage_headers_and_malformed_ones_are_ignored():
    h = httpx.Headers({"X-App-Usage": '{"call_count":28,"total_time":85,"total_cputime":25}',
                       "X-Business-Use-Case-Usage": json.dumps({"1": [{"type": "pages", "call_count": 97,
                                                                       "estimated_time_to_regain_access": 3}]})})
    assert read_usage(h) == (97.0, 3.0)
    for bad in ("not json", "[1,2]", '{"call_count":"lots"}', '{"1": "x"}', '{"1": [null, 5]}', "{"):
        assert read_usage(httpx.Headers({"X-App-Usage": bad, "X-Business-Use-Case-Usage": bad})) == (None, None)
    assert read_usage(httpx.Headers({})) == (None, None)


def test_usage_meter_slows_above_80_and_stops_at_95():
    sleeps = Sleeps()
    now = [NOW]
    meter = UsageMeter("facebook", lambda: now[0], sleeps)
    run(meter.before_request())
    assert sleeps.calls == []
    meter.observe({"x-app-usage": '{"call_count": 50}'})
    run(meter.before_request())
    assert sleeps.calls == []
    meter.observe({"x-app-usage": '{"call_count": 90}'})
    run(meter.before_request())
    assert len(sleeps.calls) == 1 and 0 < sleeps.calls[0] <= 10
    meter.observe({"x-business-use-case-usage": json.dumps(
        {"1": [{"call_count": 96, "estimated_time_to_regain_access": 4}]})})
    with pytest.raises(RateLimitedError) as ei:
        run(meter.before_request())
    assert ei.value.until == NOW + timedelta(minutes=4)
    with pytest.raises(RateLimitedError):  # still blocked: no call
        run(meter.before_request())
    now[0] = NOW + timedelta(minutes=5)
    run(meter.before_request())  # block over, readings forgotten until the next response


def test_graph_client_stops_calling_after_a_throttle_and_drops_leaked_tokens():
    calls = []

    def handler(request):
        calls.append(request)
        if request.url.path.endswith("/feed"):
            return httpx.Response(400, content=fixture("error_80001.json"))
        return httpx.Response(200, json={"data": [{"id": "1"}],
                                         "paging": {"next": f"{BASE}/v25.0/p/feed?after=z&access_token=LEAK"}})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    g = GraphClient("facebook", token=TOKEN, client=client, clock=lambda: NOW, sleep=Sleeps())

    async def walk():
        return [page async for page in g.pages("p/posts", None, "posts")]

    with pytest.raises(RateLimitedError) as ei:
        run(walk())
    assert "LEAK" not in str(calls[1].url) and calls[1].url.params["after"] == "z"
    assert calls[0].headers["authorization"] == f"Bearer {TOKEN}"
    assert TOKEN not in str(ei.value)
    n = len(calls)
    with pytest.raises(RateLimitedError):
        run(g.get("p/other"))
    assert len(calls) == n  # blocked without calling


def test_paging_next_to_another_host_is_refused():
    def handler(request):
        return httpx.Response(200, json={"data": [], "paging": {"next": "https://evil.example/v25.0/x"}})

    g = GraphClient("facebook", token=TOKEN, client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
                    clock=lambda: NOW, sleep=Sleeps())

    async def walk():
        return [page async for page in g.pages("p/posts", None, "posts")]

    with pytest.raises(PermanentError, match="outside"):
        run(walk())


def test_parse_time_graph_format():
    assert parse_time("2026-05-04T10:15:02+0000", "facebook", "t") == datetime(
        2026, 5, 4, 10, 15, 2, tzinfo=timezone.utc)
    assert parse_time("2026-05-04T12:15:02+0200", "facebook", "t").hour == 10
    for bad in ("yesterday", "", "2026-13-04T10:15:02+0000"):
        with pytest.raises(PermanentError, match="malformed response from facebook"):
            parse_time(bad, "facebook", "t")


def _item(rid: str, when: datetime) -> InboundItem:
    return InboundItem(platform="facebook", account_id="a", remote_id=rid, kind=ItemKind.COMMENT,
                       thread_id="t", author=Author("1", "x"), text="", created_at=when)


def test_cursor_round_trip_and_invalid_cursors():
    marks = {"comments": Mark(NOW, frozenset({"a", "b"})), "dms": Mark(), "mentions": Mark()}
    assert decode_cursor(encode_cursor(marks), ("comments", "dms", "mentions"), "facebook") == marks
    for bad in ("garbage", "v1:[]", "v1:{", 'v1:{"dms": 3}', 'v1:{"dms": {"t": 5}}',
                'v1:{"dms": {"t": "nope"}}', 'v1:{"dms": {"t": null, "ids": [1]}}'):
        with pytest.raises(PermanentError):
            decode_cursor(bad, ("dms",), "facebook")


@given(times=st.lists(st.integers(min_value=0, max_value=4), max_size=30),
       limit=st.integers(min_value=1, max_value=5), arrivals=st.integers(min_value=0, max_value=30))
@settings(max_examples=150, deadline=None)
def test_walking_marks_never_skips_even_with_equal_timestamps(times, limit, arrivals):
    """Items arrive between polls in time order, many at the same second (so one
    second's items can straddle two polls); every one is returned."""
    everything = [_item(f"id{n:03d}", NOW + timedelta(seconds=t)) for n, t in enumerate(sorted(times))]
    visible = everything[:arrivals]  # some arrive before polling starts, the rest later
    cursor, seen = None, set()
    for step in range(len(everything) * 2 + 5):
        marks = decode_cursor(cursor, ("comments",), "facebook")
        new = [i for i in visible if marks["comments"].is_new(i.created_at, i.remote_id)]
        page = finish_page({"comments": new}, marks, limit)
        assert [i.created_at for i in page.items] == sorted(i.created_at for i in page.items)
        seen |= {i.remote_id for i in page.items}
        cursor = page.cursor
        if not page.has_more:
            visible = everything[:len(visible) + 3]
    assert seen == {i.remote_id for i in everything}
