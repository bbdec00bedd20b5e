"""The X adapter against fixtures in the documented shapes (MockTransport).

Endpoints, errors, token refresh, replies, publishing, delete and search.
Inbound cursor walks, DM pacing and property tests: test_x_inbound.py.
"""

from __future__ import annotations

import asyncio
import base64
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import parse_qs

import httpx
import pytest

from integrations.base import (
    AccountRef,
    AuthError,
    Author,
    InboundItem,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)
from integrations.x import Cursor, XAdapter, decode_cursor

FIX = Path(__file__).parent / "fixtures" / "x"
BASE = "https://api.x.com"
TOKEN = "access-SECRET-1"
REFRESH = "refresh-SECRET-1"
CLIENT_SECRET = "client-SECRET-9"
OWN_ID = "2244994945"
REF = AccountRef(platform="x", account_id="x:acme", handle="@acme")
NOW = datetime(2024, 1, 15, 11, 0, tzinfo=timezone.utc)
SECRETS = (TOKEN, REFRESH, CLIENT_SECRET, "new-access-SECRET-2", "new-refresh-SECRET-2")


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def ok(name: str, status: int = 200, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=fixture(name), headers={
        "content-type": "application/json", **(headers or {})})


class Router:
    """Answers by (method, path); a list answers in turn (the last one repeats)."""

    def __init__(self, routes: dict) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        r = self.routes.get((request.method, request.url.path))
        if r is None:
            return ok("error_404.json", 404)
        if callable(r):
            return r(request)
        if isinstance(r, list):
            return r.pop(0) if len(r) > 1 else r[0]
        return r

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.path for r in self.requests if method is None or r.method == method]


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


async def no_sleep(_s: float) -> None:
    return None


def make(routes: dict, **kw) -> tuple[XAdapter, Router]:
    router = Router(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(router))
    kw.setdefault("user_id", OWN_ID)
    kw.setdefault("clock", lambda: NOW)
    a = XAdapter(REF, access_token=kw.pop("access_token", TOKEN), client=client,
                 sleep=no_sleep, rand=lambda: 0.5, **kw)
    return a, router


def run(coro):
    return asyncio.run(coro)


MENTIONS = f"/2/users/{OWN_ID}/mentions"


def std_routes(over: dict | None = None) -> dict:
    routes = {
        ("GET", MENTIONS): ok("empty.json"),
        ("GET", "/2/dm_events"): ok("empty.json"),
        ("GET", "/2/users/me"): ok("users_me.json"),
    }
    routes.update(over or {})
    return routes


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text
    assert "Bearer" not in text and "Basic" not in text


def item(kind: ItemKind = ItemKind.MENTION, remote_id: str = "1301573587187331076",
         thread_id: str = "x:conv:1301573587187331070") -> InboundItem:
    return InboundItem(platform="x", account_id=REF.account_id, remote_id=remote_id, kind=kind,
                       thread_id=thread_id, author=Author(remote_id="1234567890", handle="@developer"),
                       text="hi", created_at=NOW)


# -- basics --------------------------------------------------------------------

def test_is_a_platform_adapter_with_honest_capabilities():
    a, _ = make(std_routes(), refresh_token=REFRESH, client_secret=CLIENT_SECRET)
    assert isinstance(a, PlatformAdapter) and a.platform == "x"
    caps = a.capabilities
    assert all([caps.inbound_comments, caps.inbound_mentions, caps.direct_messages, caps.reply,
                caps.publish, caps.delete, caps.media, caps.keyword_search])
    assert not caps.native_scheduling
    assert_no_secret(repr(a))


def test_own_user_id_looked_up_once():
    a, router = make(std_routes(), user_id=None)
    run(a.fetch_inbound(None))
    run(a.fetch_inbound(None))
    assert router.paths().count("/2/users/me") == 1
    assert router.requests[0].headers["authorization"] == f"Bearer {TOKEN}"


def test_fetch_inbound_mentions_and_dms_first_page():
    routes = std_routes({
        ("GET", MENTIONS): [ok("mentions_page1.json"), ok("mentions_page2.json")],
        ("GET", "/2/dm_events"): ok("dm_events.json"),
    })
    a, router = make(routes)
    page = run(a.fetch_inbound(None, limit=100))
    assert [(i.remote_id, i.kind) for i in page.items] == [
        ("1582838535115067392", ItemKind.DM),         # 10:29
        ("1301573587187331074", ItemKind.MENTION),    # 10:30, replies to someone else
        ("1301573587187331075", ItemKind.MENTION),    # 10:31
        ("1301573587187331076", ItemKind.COMMENT),    # 10:32, replies to us
    ]
    dm, other, mention, comment = page.items
    assert comment.text == "@acme where is my order & why <3 days>? 📦"
    assert comment.thread_id == "x:conv:1301573587187331070"
    assert comment.parent_remote_id == "1301573587187331070"
    assert comment.author == Author("1234567890", "@developer", "Dev Person")
    assert comment.url == "https://x.com/developer/status/1301573587187331076"
    assert comment.created_at == datetime(2024, 1, 15, 10, 32, tzinfo=timezone.utc)
    assert comment.language == "en"
    assert mention.parent_remote_id is None and mention.thread_id == "x:conv:1301573587187331075"
    # partial success keeps the data; the long text comes from note_tweet
    assert other.text.endswith("(long version)") and other.language == "es"
    assert other.parent_remote_id == "1301573587187331061"
    assert dm.thread_id == "x:dm:944480690-2244994945" and dm.author.handle == "@janedoe"
    assert dm.text == "Hi, my parcel never arrived." and dm.parent_remote_id is None
    assert not page.has_more
    pos = decode_cursor(page.cursor)
    assert pos.since == "1301573587187331076" and pos.until is None
    assert pos.dm == "1582838535115067394" and pos.dm_polled == NOW  # our own DM passed
    first, second = router.requests[0], router.requests[1]
    assert first.url.params["max_results"] == "100" and "since_id" not in first.url.params
    assert set(first.url.params["tweet.fields"].split(",")) >= {
        "created_at", "author_id", "conversation_id", "in_reply_to_user_id", "referenced_tweets", "lang"}
    assert first.url.params["expansions"] == "author_id"
    assert first.url.params["user.fields"] == "username,name"
    assert second.url.params["pagination_token"] == "t3buvdr5pujq9g7bggsnf3ep2ha28"
    dm_req = router.requests[2]
    assert dm_req.url.path == "/2/dm_events" and dm_req.url.params["event_types"] == "MessageCreate"
    assert "sender_id" in dm_req.url.params["dm_event.fields"]
    assert "pagination_token" not in dm_req.url.params  # first DM read: newest page only
    assert len(router.requests) == 3


def test_fetch_inbound_resumes_with_since_id_and_empty_page_keeps_position():
    a, router = make(std_routes())
    cursor = Cursor(since="1301573587187331076", dm="1582838535115067394",
                    dm_polled=NOW - timedelta(minutes=5)).encode()
    page = run(a.fetch_inbound(cursor))
    assert page.items == [] and not page.has_more
    assert router.requests[0].url.params["since_id"] == "1301573587187331076"
    pos = decode_cursor(page.cursor)
    assert pos.since == "1301573587187331076" and pos.dm == "1582838535115067394"


def test_unexpected_fields_are_ignored_and_missing_fields_are_permanent():
    a, _ = make(std_routes({("GET", MENTIONS): ok("unexpected_fields.json")}))
    page = run(a.fetch_inbound(None))
    assert [i.text for i in page.items] == ["@acme hi"]
    a, _ = make(std_routes({("GET", MENTIONS): ok("missing_fields.json")}))
    with pytest.raises(PermanentError, match="malformed response from x: mention.author_id"):
        run(a.fetch_inbound(None))


@pytest.mark.parametrize("name", ["malformed.html", "truncated.json"])
def test_bodies_that_are_not_json_are_permanent(name):
    a, _ = make(std_routes({("GET", MENTIONS): ok(name)}))
    with pytest.raises(PermanentError, match="malformed response from x"):
        run(a.fetch_inbound(None))


def test_errors_only_200_is_permanent_with_x_detail():
    a, _ = make(std_routes({("GET", MENTIONS): ok("errors_only.json")}))
    with pytest.raises(PermanentError, match="suspended"):
        run(a.fetch_inbound(None))


@pytest.mark.parametrize("status,name,exc,words", [
    (400, "error_400.json", PermanentError, "query' parameter is required"),
    (401, "error_401.json", AuthError, "reconnect"),
    (403, "error_403_auth.json", AuthError, "Unsupported Authentication"),
    (404, "error_404.json", PermanentError, "Could not find tweet"),
    (422, "error_422.json", PermanentError, "media id is not valid"),
    (500, "error_500.json", TransientError, "server error 500"),
    (503, "error_500.json", TransientError, "Service Unavailable"),
])
def test_errors_are_typed_and_never_leak_a_secret(status, name, exc, words):
    a, _ = make(std_routes({("GET", MENTIONS): ok(name, status)}))
    with pytest.raises(exc) as ei:
        run(a.fetch_inbound(None))
    assert words in str(ei.value)
    assert ei.value.platform == "x"
    assert_no_secret(str(ei.value))


@pytest.mark.parametrize("name", ["error_429.json", "error_429_v11.json"])
def test_429_raises_rate_limited_until_the_epoch_reset(name):
    headers = json.loads(fixture("error_429.headers.json"))
    a, router = make(std_routes({("GET", MENTIONS): ok(name, 429, headers=headers)}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == datetime(2024, 1, 15, 11, 30, tzinfo=timezone.utc)
    assert router.paths().count(MENTIONS) == 1  # too long to wait: raised at once
    assert a.http.rate_limit.remaining == 0


def test_v11_throttle_body_with_another_status_is_rate_limited():
    headers = json.loads(fixture("error_429.headers.json"))
    a, _ = make(std_routes({("GET", MENTIONS): ok("error_429_v11.json", 400, headers=headers)}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == datetime(2024, 1, 15, 11, 30, tzinfo=timezone.utc)


def test_short_429_waits_and_retries():
    slept: list[float] = []

    async def sleep(s: float) -> None:
        slept.append(s)

    reset = str(int((NOW + timedelta(seconds=10)).timestamp()))
    routes = std_routes({("GET", MENTIONS): [
        ok("error_429.json", 429, headers={"x-rate-limit-reset": reset}), ok("empty.json")]})
    router = Router(routes)
    a = XAdapter(REF, access_token=TOKEN, user_id=OWN_ID, clock=lambda: NOW, sleep=sleep,
                 rand=lambda: 0.0, client=httpx.AsyncClient(transport=httpx.MockTransport(router)))
    run(a.fetch_inbound(None))
    assert slept == [10.0]


def test_invalid_cursor_is_permanent():
    a, _ = make(std_routes())
    for bad in ("garbage", "v1:[]", "v1:{", 'v1:{"s": 3}',
                'v1:{"s": "12", "u": null, "d": null, "dt": "yesterday"}',
                'v1:{"s": "1; drop", "u": null, "d": null, "dt": null}'):
        with pytest.raises(PermanentError, match="invalid x cursor"):
            run(a.fetch_inbound(bad))


# -- token refresh ---------------------------------------------------------------

def refresh_routes(token_response: httpx.Response) -> dict:
    def mentions(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer new-access-SECRET-2":
            return ok("mentions_page2.json")
        return ok("error_401.json", 401)

    return std_routes({("GET", MENTIONS): mentions, ("POST", "/2/oauth2/token"): token_response})


def test_expired_token_is_refreshed_before_the_call_and_persisted():
    saved: list[dict] = []
    a, router = make(refresh_routes(ok("token_refreshed.json")), refresh_token=REFRESH,
                     client_id="cid", client_secret=CLIENT_SECRET,
                     expires_at=NOW + timedelta(seconds=30), on_token_refresh=saved.append)
    page = run(a.fetch_inbound(None))
    assert [i.remote_id for i in page.items] == ["1301573587187331074"]
    token_req = router.requests[0]
    assert token_req.url.path == "/2/oauth2/token"
    form = parse_qs(token_req.content.decode())
    assert form == {"grant_type": ["refresh_token"], "refresh_token": [REFRESH], "client_id": ["cid"]}
    assert token_req.headers["authorization"] == "Basic " + base64.b64encode(
        f"cid:{CLIENT_SECRET}".encode()).decode()
    assert saved == [{"access_token": "new-access-SECRET-2", "refresh_token": "new-refresh-SECRET-2",
                      "expires_at": (NOW + timedelta(hours=2)).isoformat()}]
    assert router.paths().count("/2/oauth2/token") == 1
    assert_no_secret(repr(a))


def test_public_client_refresh_sends_no_auth_header():
    naive_past = (NOW - timedelta(hours=1)).replace(tzinfo=None)
    a, router = make(refresh_routes(ok("token_refreshed.json")), refresh_token=REFRESH,
                     client_id="cid", expires_at=naive_past)
    run(a.fetch_inbound(None))
    assert router.requests[0].url.path == "/2/oauth2/token"
    assert "authorization" not in router.requests[0].headers


def test_401_refreshes_and_retries_once():
    saved: list[dict] = []
    a, router = make(refresh_routes(ok("token_refreshed.json")), refresh_token=REFRESH,
                     client_id="cid", on_token_refresh=saved.append)
    page = run(a.fetch_inbound(None))
    assert len(page.items) == 1
    assert router.paths()[:3] == [MENTIONS, "/2/oauth2/token", MENTIONS]
    assert saved and saved[0]["refresh_token"] == "new-refresh-SECRET-2"
    # the rotated refresh token is the one used next time
    a._access_token = "stale"
    a.http.set_token("stale")
    run(a.fetch_inbound(None))
    later = [r for r in router.requests if r.url.path == "/2/oauth2/token"][-1]
    assert parse_qs(later.content.decode())["refresh_token"] == ["new-refresh-SECRET-2"]


@pytest.mark.parametrize("response", [
    ok("token_refused.json", 400), ok("error_401.json", 401), ok("empty.json", 200)])
def test_refresh_refused_is_auth_error_without_secrets(response):
    saved: list[dict] = []
    a, _ = make(refresh_routes(response), refresh_token=REFRESH, client_id="cid",
                client_secret=CLIENT_SECRET, on_token_refresh=saved.append)
    with pytest.raises(AuthError, match="reconnect the account") as ei:
        run(a.fetch_inbound(None))
    assert_no_secret(str(ei.value))
    assert saved == []


def test_401_without_refresh_token_is_auth_error():
    a, router = make(refresh_routes(ok("token_refreshed.json")))
    with pytest.raises(AuthError, match="reconnect the account") as ei:
        run(a.fetch_inbound(None))
    assert "/2/oauth2/token" not in router.paths()
    assert_no_secret(str(ei.value))


def test_still_401_after_refresh_is_auth_error():
    routes = std_routes({("GET", MENTIONS): ok("error_401.json", 401),
                         ("POST", "/2/oauth2/token"): ok("token_refreshed.json")})
    a, router = make(routes, refresh_token=REFRESH)
    with pytest.raises(AuthError):
        run(a.fetch_inbound(None))
    assert router.paths().count(MENTIONS) == 2


def test_aclose_closes_only_owned_client():
    a, _ = make(std_routes())
    run(a.aclose())
    assert not a._client.is_closed
    own = XAdapter(REF, access_token=TOKEN)
    run(own.aclose())
    assert own._client.is_closed
