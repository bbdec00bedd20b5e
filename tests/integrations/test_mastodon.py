"""The Mastodon adapter against fixtures in the documented shapes (MockTransport)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import (
    AccountRef,
    AdapterError,
    AuthError,
    Author,
    InboundItem,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)
from integrations.mastodon import (
    MastodonAdapter,
    decode_cursor,
    encode_cursor,
    html_to_text,
    parse_conversations,
    parse_notifications,
)

FIX = Path(__file__).parent / "fixtures" / "mastodon"
BASE = "https://mastodon.example"
TOKEN = "tok-very-secret-42"
REF = AccountRef(platform="mastodon", account_id="mastodon:acme", handle="@acme")
NOW = datetime(2019, 11, 26, 12, 0, tzinfo=timezone.utc)


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def ok(name: str, status: int = 200, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=fixture(name), headers={
        "content-type": "application/json", **(headers or {})})


class Router:
    def __init__(self, routes: dict[tuple[str, str], object]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        r = self.routes.get((request.method, request.url.path))
        if r is None:
            return httpx.Response(404, json={"error": "Record not found"})
        if callable(r):
            return r(request)
        if isinstance(r, list):
            return r.pop(0) if len(r) > 1 else r[0]
        return r


def adapter(routes, **kw) -> tuple[MastodonAdapter, Router]:
    router = Router(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(router))

    async def no_sleep(_s: float) -> None:
        return None

    kw.setdefault("own_account_id", "14715")
    a = MastodonAdapter(REF, base_url=BASE, token=TOKEN, client=client, clock=lambda: NOW,
                        sleep=no_sleep, rand=lambda: 0.5, **kw)
    return a, router


def run(coro):
    return asyncio.run(coro)


def std_routes(over=None):
    routes = {
        ("GET", "/api/v1/notifications"): ok(
            "notifications_page1.json",
            headers=json.loads(fixture("notifications_page1.headers.json"))),
        ("GET", "/api/v1/conversations"): ok("conversations.json", headers={
            "Link": f'<{BASE}/api/v1/conversations?max_id=418440>; rel="next", '
                    f'<{BASE}/api/v1/conversations?min_id=418450>; rel="prev"'}),
        ("GET", "/api/v1/accounts/verify_credentials"): ok("verify_credentials.json"),
    }
    routes.update(over or {})
    return routes


def test_is_a_platform_adapter_with_honest_capabilities():
    a, _ = adapter(std_routes())
    assert isinstance(a, PlatformAdapter)
    caps = a.capabilities
    assert caps.direct_messages and caps.reply and caps.inbound_mentions and caps.inbound_comments
    assert caps.publish and caps.delete and caps.media and caps.keyword_search
    assert not caps.native_scheduling  # the scheduler decides whether to use scheduled_at
    assert TOKEN not in repr(a)


def test_fetch_inbound_first_page():
    a, router = adapter(std_routes())
    page = run(a.fetch_inbound(None, limit=100))
    kinds = [(i.remote_id, i.kind) for i in page.items]
    # oldest first; the direct mention is left to conversations; our own DM is skipped
    assert kinds == [
        ("103186126728896492", ItemKind.COMMENT),
        ("103186200000000001", ItemKind.MENTION),
        ("103196583826321184", ItemKind.DM),
    ]
    comment, mention, dm = page.items
    assert comment.parent_remote_id == "103186038209478945"
    assert comment.thread_id == "mastodon:status:103186038209478945"
    assert comment.author.handle == "@zsc" and comment.text == "@acme sup!"
    assert mention.text == "@acme où est ma commande\xa0? <script>alert(1)</script>\n\nligne 2\nligne 3"
    assert mention.language == "fr" and mention.url.startswith("https://nulled.red/")
    assert mention.created_at == datetime(2019, 11, 23, 8, 0, 1, tzinfo=timezone.utc)
    assert dm.thread_id == "mastodon:conv:418450" and dm.author.handle == "@amic@nulled.red"
    assert not page.has_more
    assert decode_cursor(page.cursor) == ("34975870", "418450")
    n_req = router.requests[0]
    assert n_req.url.params.get_list("types[]") == ["mention"]
    assert n_req.url.params["min_id"] == "0"
    assert n_req.headers["authorization"] == f"Bearer {TOKEN}"
    assert "min_id" not in router.requests[1].url.params


def test_fetch_inbound_resumes_from_cursor_and_empty_page():
    routes = std_routes({
        ("GET", "/api/v1/notifications"): ok("notifications_page2.json"),
        ("GET", "/api/v1/conversations"): ok("empty.json"),
    })
    a, router = adapter(routes)
    cursor = encode_cursor("34975870", "418450")
    page = run(a.fetch_inbound(cursor, limit=1))
    assert [i.remote_id for i in page.items] == ["103186300000000000"]
    assert page.items[0].kind is ItemKind.MENTION  # replies to someone else's status
    assert router.requests[0].url.params["min_id"] == "34975870"
    assert router.requests[0].url.params["limit"] == "1"
    assert len(router.requests) == 1  # the mention filled the limit; DMs wait
    assert page.has_more  # the notifications page was full
    assert decode_cursor(page.cursor) == ("34975900", "418450")

    routes[("GET", "/api/v1/notifications")] = ok("empty.json")
    a2, router2 = adapter(routes)
    page2 = run(a2.fetch_inbound(page.cursor))
    assert page2.items == [] and not page2.has_more
    assert router2.requests[1].url.params["min_id"] == "418450"
    assert decode_cursor(page2.cursor) == decode_cursor(page.cursor)  # never goes back, never skips


def test_own_account_id_looked_up_once():
    a, router = adapter(std_routes(), own_account_id=None)
    run(a.fetch_inbound(None))
    run(a.fetch_inbound(None))
    paths = [r.url.path for r in router.requests]
    assert paths.count("/api/v1/accounts/verify_credentials") == 1


@pytest.mark.parametrize("status,name,exc", [
    (400, "error_422.json", PermanentError),
    (401, "error_401.json", AuthError),
    (403, "error_403.json", AuthError),
    (404, "error_404.json", PermanentError),
    (422, "error_422.json", PermanentError),
    (500, "error_500.json", TransientError),
])
def test_errors_are_typed_and_never_leak_the_token(status, name, exc):
    a, _ = adapter(std_routes({("GET", "/api/v1/notifications"): ok(name, status)}))
    with pytest.raises(exc) as ei:
        run(a.fetch_inbound(None))
    msg = str(ei.value)
    assert TOKEN not in msg and "Bearer" not in msg
    assert ei.value.platform == "mastodon"
    if status < 500:
        assert json.loads(fixture(name))["error"] in msg


def test_429_with_reset_raises_rate_limited():
    headers = json.loads(fixture("error_429.headers.json"))
    a, _ = adapter(std_routes({("GET", "/api/v1/notifications"): ok(
        "error_429.json", 429, headers=headers)}), max_wait=60)
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == datetime(2019, 11, 26, 12, 20, tzinfo=timezone.utc)
    assert a.http.rate_limit.remaining == 0


@pytest.mark.parametrize("name", ["malformed.html", "truncated.json", "missing_fields.json"])
def test_malformed_and_missing_fields_are_permanent(name):
    a, _ = adapter(std_routes({("GET", "/api/v1/notifications"): ok(name)}))
    with pytest.raises(PermanentError, match="malformed response from mastodon"):
        run(a.fetch_inbound(None))


def test_invalid_cursor():
    a, _ = adapter(std_routes())
    for bad in ("garbage", "v1:[]", "v1:{", 'v1:{"n": 3}'):
        with pytest.raises(PermanentError):
            run(a.fetch_inbound(bad))


def _item(kind: ItemKind, remote_id: str) -> InboundItem:
    return InboundItem(platform="mastodon", account_id=REF.account_id, remote_id=remote_id,
                       kind=kind, thread_id="t",
                       author=Author(remote_id="482403", handle="@amic@nulled.red"),
                       text="x", created_at=NOW)


def test_send_reply_to_dm_is_direct_and_mentions_every_recipient():
    conv = json.loads(fixture("conversations.json"))[0]["last_status"]
    a, router = adapter(std_routes({
        ("GET", "/api/v1/statuses/103196583826321184"): httpx.Response(200, json=conv),
        ("POST", "/api/v1/statuses"): ok("status_created.json"),
    }))
    result = run(a.send_reply(_item(ItemKind.DM, "103196583826321184"), "Order shipped!",
                              idempotency_key="key-1"))
    post = router.requests[-1]
    body = json.loads(post.content)
    assert body == {"status": "@amic@nulled.red @zsc Order shipped!",
                    "in_reply_to_id": "103196583826321184", "visibility": "direct"}
    assert post.headers["idempotency-key"] == "key-1"
    assert result.remote_id == "103254962155278888"
    assert result.url == "https://mastodon.example/@acme/103254962155278888"
    assert result.published_at.tzinfo is not None


def test_send_reply_to_comment_keeps_visibility_and_existing_mention():
    status = json.loads(fixture("notifications_page2.json"))[0]["status"]
    a, router = adapter(std_routes({
        ("GET", "/api/v1/statuses/103186300000000000"): httpx.Response(200, json=status),
        ("POST", "/api/v1/statuses"): ok("status_created.json"),
    }))
    run(a.send_reply(_item(ItemKind.COMMENT, "103186300000000000"), "@ZSC thanks",
                     idempotency_key="k"))
    body = json.loads(router.requests[-1].content)
    assert body["status"] == "@ZSC thanks" and body["visibility"] == "unlisted"


def test_send_reply_errors():
    status = json.loads(fixture("notifications_page2.json"))[0]["status"]
    a, _ = adapter(std_routes({
        ("GET", "/api/v1/statuses/1"): httpx.Response(200, json=status),
        ("POST", "/api/v1/statuses"): ok("error_422.json", 422),
    }))
    with pytest.raises(PermanentError, match="Text can't be blank"):
        run(a.send_reply(_item(ItemKind.COMMENT, "1"), "", idempotency_key="k"))
    with pytest.raises(PermanentError, match="500"):
        run(a.send_reply(_item(ItemKind.COMMENT, "1"), "x" * 501, idempotency_key="k"))
    with pytest.raises(PermanentError):  # the original is gone
        run(a.send_reply(_item(ItemKind.COMMENT, "2"), "hi", idempotency_key="k"))


def test_send_reply_retries_5xx_with_same_idempotency_key():
    status = json.loads(fixture("notifications_page2.json"))[0]["status"]
    a, router = adapter(std_routes({
        ("GET", "/api/v1/statuses/1"): httpx.Response(200, json=status),
        ("POST", "/api/v1/statuses"): [ok("error_500.json", 503), ok("status_created.json")],
    }))
    run(a.send_reply(_item(ItemKind.COMMENT, "1"), "hi", idempotency_key="same"))
    posts = [r for r in router.requests if r.method == "POST"]
    assert len(posts) == 2 and {p.headers["idempotency-key"] for p in posts} == {"same"}


def test_html_to_text():
    assert html_to_text("<p>a &amp; b</p><p>c<br>d</p>") == "a & b\n\nc\nd"
    assert html_to_text('<p><a href="x"><span class="invisible">https://</span>'
                        '<span>ex.com/</span></a></p>') == "https://ex.com/"
    assert "<" not in html_to_text("<p><b>bold</b><img src=x onerror=alert(1)></p>")
    assert html_to_text("<script>x</script>") == "x"  # text only; nothing is executed or kept as markup
    assert html_to_text("") == ""


def test_aclose_closes_only_owned_client():
    a, _ = adapter(std_routes())
    run(a.aclose())
    assert not a._client.is_closed
    own = MastodonAdapter(REF, base_url=BASE, token=TOKEN)
    run(own.aclose())
    assert own._client.is_closed


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["mention", "direct", "2019-11-23T07:49:02.064Z", "14715", "not a date"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "type", "status", "account", "acct", "content",
                                        "created_at", "in_reply_to_id", "in_reply_to_account_id",
                                        "visibility", "last_status", "url", "language",
                                        "display_name", "x"]) | st.text(max_size=5),
                      children, max_size=8),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
def test_parsers_never_raise_untyped_errors(data):
    for parse in (parse_notifications, parse_conversations):
        try:
            items, _ = parse(data, REF, "14715")
        except AdapterError:
            continue
        assert all(isinstance(i, InboundItem) and i.created_at.tzinfo for i in items)


@given(json_values)
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow])
def test_adapter_never_raises_untyped_errors_on_arbitrary_bodies(data):
    body = json.dumps(data).encode()
    a, _ = adapter(std_routes({
        ("GET", "/api/v1/notifications"): httpx.Response(200, content=body),
        ("GET", "/api/v1/conversations"): httpx.Response(200, content=body),
    }))
    try:
        page = run(a.fetch_inbound(None))
    except AdapterError:
        return
    assert isinstance(page.items, list)


def test_limit_caps_both_streams():
    a, router = adapter(std_routes())
    page = run(a.fetch_inbound(None, limit=2))
    # two mentions fill the page: conversations are not asked, their position is kept
    assert [i.kind for i in page.items] == [ItemKind.COMMENT, ItemKind.MENTION]
    assert page.has_more
    assert [r.url.path for r in router.requests] == ["/api/v1/notifications"]
    assert decode_cursor(page.cursor) == ("34975870", None)
    page = run(a.fetch_inbound(None, limit=3))
    assert router.requests[-1].url.params["limit"] == "1"


def _fake_notifications_server(total: int):
    """Mention notifications 1..total, answering ``min_id``/``limit`` as Mastodon does."""
    def status(n: int) -> dict:
        return {"id": f"9{n:04d}", "created_at": f"2019-11-23T07:{n // 60:02d}:{n % 60:02d}Z",
                "in_reply_to_id": None, "in_reply_to_account_id": None, "visibility": "public",
                "content": f"<p>@acme hello {n}</p>", "account": {"id": "5", "acct": "bob"}}

    def handler(request: httpx.Request) -> httpx.Response:
        min_id = int(request.url.params.get("min_id", "0"))
        limit = int(request.url.params["limit"])
        ids = [n for n in range(1, total + 1) if 1000 + n > min_id][:limit]
        page = [{"id": str(1000 + n), "type": "mention", "created_at": "2019-11-23T08:00:00Z",
                 "account": {"id": "5", "acct": "bob"}, "status": status(n)} for n in reversed(ids)]
        headers = {}
        if page:
            headers["Link"] = (f'<{BASE}/api/v1/notifications?max_id={page[-1]["id"]}>; rel="next", '
                               f'<{BASE}/api/v1/notifications?min_id={page[0]["id"]}>; rel="prev"')
        return httpx.Response(200, json=page, headers=headers)

    return handler


@given(total=st.integers(min_value=0, max_value=25), limit=st.integers(min_value=1, max_value=7))
@settings(max_examples=40, deadline=None)
def test_walking_the_cursor_never_skips_or_reorders(total, limit):
    a, _ = adapter(std_routes({
        ("GET", "/api/v1/notifications"): _fake_notifications_server(total),
        ("GET", "/api/v1/conversations"): ok("empty.json"),
    }))
    seen: list[str] = []
    cursor = None
    for _ in range(total + 3):
        page = run(a.fetch_inbound(cursor, limit=limit))
        seen += [i.text for i in page.items]
        cursor = page.cursor
        if not page.has_more:
            break
    assert seen == [f"@acme hello {n}" for n in range(1, total + 1)]


@given(st.text(max_size=200))
@settings(max_examples=300, deadline=None)
def test_html_to_text_never_raises_and_strips_tags(html):
    assert isinstance(html_to_text(html), str)
    plain = html.replace("<", "").replace("&", "")
    assert html_to_text(f'<p><a href="x"><span>{plain}</span></a></p>') == plain.strip()


def test_rate_limit_headers_are_read_from_successful_pages():
    a, _ = adapter(std_routes())
    run(a.fetch_inbound(None))
    assert a.http.rate_limit.limit == 300
