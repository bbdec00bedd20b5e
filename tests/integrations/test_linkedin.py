"""The LinkedIn adapter against fixtures in the documented shapes (MockTransport)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from integrations.base import (
    AccountRef,
    AuthError,
    Author,
    InboundItem,
    ItemKind,
    OutboundPost,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
    UnsupportedError,
)
from integrations.linkedin import (
    DEFAULT_VERSION,
    LITTLE_TEXT_RESERVED,
    LinkedInAdapter,
    decode_cursor,
    encode_cursor,
    escape_little_text,
    next_utc_midnight,
)
from tests.conftest import FakeClock

FIX = Path(__file__).parent / "fixtures" / "linkedin"
BASE = "https://api.linkedin.com"
TOKEN = "AQX-linkedin-very-secret-token-42"
ORG = "urn:li:organization:2414183"
REF = AccountRef(platform="linkedin", account_id="linkedin:acme", handle="Acme")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
NOW_MS = int(NOW.timestamp() * 1000)

POST = "urn:li:share:7191234567890123456"
ACTIVITY = "urn:li:activity:7191234567890000000"
COMMENT_1 = f"urn:li:comment:({ACTIVITY},7191299999999999999)"
COMMENT_REPLY = f"urn:li:comment:({ACTIVITY},7191300000000000001)"
MENTION_POST = "urn:li:share:7192000000000000001"

NOTIFICATIONS = "/rest/organizationalEntityNotifications"


def enc(urn: str) -> str:
    return urn.replace(":", "%3A").replace("(", "%28").replace(")", "%29").replace(",", "%2C")


def comment_path(comment_id: str, post: str = POST) -> str:
    return f"/rest/socialActions/{enc(post)}/comments/{comment_id}"


def fixture(name: str) -> bytes:
    return (FIX / name).read_bytes()


def ok(name: str, status: int = 200, headers: dict | None = None) -> httpx.Response:
    return httpx.Response(status, content=fixture(name), headers={
        "content-type": "application/json", **(headers or {})})


def created(urn: str) -> httpx.Response:
    return httpx.Response(201, headers={"x-restli-id": urn, "x-li-uuid": "abc"})


class Router:
    """Routes on (method, raw path): the path as sent, so URN encoding is checked."""

    def __init__(self, routes: dict[tuple[str, str], object]) -> None:
        self.routes = routes
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        path = request.url.raw_path.decode().split("?")[0]
        r = self.routes.get((request.method, path))
        if r is None:
            return httpx.Response(404, json={"status": 404, "message": "Not Found"})
        if callable(r):
            return r(request)
        if isinstance(r, list):
            return r.pop(0) if len(r) > 1 else r[0]
        return r

    def paths(self, method: str | None = None) -> list[str]:
        return [r.url.raw_path.decode().split("?")[0] for r in self.requests
                if method is None or r.method == method]


def adapter(routes, *, clock=None, **kw) -> tuple[LinkedInAdapter, Router]:
    router = Router(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(router))

    async def no_sleep(_s: float) -> None:
        return None

    a = LinkedInAdapter(REF, organization_urn=ORG, access_token=TOKEN, client=client,
                        clock=clock or (lambda: NOW), sleep=no_sleep, rand=lambda: 0.5, **kw)
    return a, router


def run(coro):
    return asyncio.run(coro)


def paged_notifications(request: httpx.Request) -> httpx.Response:
    pages = {"0": "notifications_page1.json", "2": "notifications_page2.json"}
    return ok(pages.get(request.url.params["start"], "notifications_empty.json"))


def std_routes(over=None):
    routes = {
        ("GET", NOTIFICATIONS): paged_notifications,
        ("GET", comment_path("7191299999999999999")): ok("comment.json"),
        ("GET", comment_path("7191300000000000001")): ok("comment_reply.json"),
        ("GET", comment_path("7191300000000000002")): ok("comment_own.json"),
        ("GET", f"/rest/posts/{enc(MENTION_POST)}"): ok("post.json"),
    }
    routes.update(over or {})
    return routes


def paged_adapter(over=None, **kw):
    a, router = adapter(std_routes(over), **kw)
    a.notification_page_size = 2
    return a, router


def assert_rest_headers(request: httpx.Request) -> None:
    assert request.headers["authorization"] == f"Bearer {TOKEN}"
    assert request.headers["linkedin-version"] == DEFAULT_VERSION
    assert request.headers["x-restli-protocol-version"] == "2.0.0"


# -- shape and capabilities ------------------------------------------------------

def test_is_a_platform_adapter_with_honest_capabilities():
    a, _ = adapter(std_routes())
    assert isinstance(a, PlatformAdapter) and a.platform == "linkedin"
    caps = a.capabilities
    assert caps.inbound_comments and caps.inbound_mentions and caps.reply
    assert caps.publish and caps.delete and caps.media
    assert not (caps.direct_messages or caps.keyword_search or caps.native_scheduling)
    assert TOKEN not in repr(a) and TOKEN not in str(vars(a).get("http"))
    with pytest.raises(UnsupportedError):
        run(a.search("acme"))


def test_rejects_a_non_organization_urn():
    with pytest.raises(PermanentError):
        LinkedInAdapter(REF, organization_urn="urn:li:person:abc", access_token=TOKEN)


# -- fetch_inbound ----------------------------------------------------------------

def test_fetch_inbound_first_page_resolves_comments_and_mentions():
    a, router = paged_adapter()
    page = run(a.fetch_inbound(None))
    assert [(i.remote_id, i.kind) for i in page.items] == [
        (COMMENT_1, ItemKind.COMMENT),
        (MENTION_POST, ItemKind.MENTION),
        (COMMENT_REPLY, ItemKind.COMMENT),
    ]  # oldest first; our own organization's comment is skipped
    comment, mention, reply = page.items
    assert comment.thread_id == f"linkedin:{POST}" and comment.parent_remote_id is None
    assert comment.author == Author(remote_id="urn:li:person:AbC123xyz",
                                    handle="urn:li:person:AbC123xyz", display_name="")
    assert comment.text == "Congrats! When is it available in EU? <b>soon</b> \\(v2\\)"  # as sent
    assert comment.created_at == datetime(2026, 11, 26, 6, 59, 50, tzinfo=timezone.utc)
    assert comment.url == f"https://www.linkedin.com/feed/update/{POST}/"
    assert comment.platform == "linkedin" and comment.account_id == "linkedin:acme"
    assert reply.parent_remote_id == COMMENT_1 and reply.thread_id == comment.thread_id
    assert mention.thread_id == f"linkedin:{MENTION_POST}"
    assert mention.author.handle == "urn:li:person:Mention42"
    assert mention.text.startswith("Loving the new release from @[Acme](urn:li:organization:2414183)")
    assert mention.created_at == datetime(2026, 11, 26, 7, 59, 55, tzinfo=timezone.utc)  # publishedAt
    assert not page.has_more
    mark, seen = decode_cursor(page.cursor)
    assert mark == 1795683600000  # the newest notification's millisecond
    assert len(seen) == 2 and all(ms == mark for ms, _ in seen)  # both notifications of that ms

    for request in router.requests:
        assert_rest_headers(request)
    first = router.requests[0]
    raw = first.url.raw_path.decode()
    assert "actions=List(COMMENT,SHARE_MENTION,COMMENT_MENTION,ADMIN_COMMENT)" in raw
    assert f"organizationalEntity={enc(ORG)}" in raw and "q=criteria" in raw
    week_ago = NOW_MS - 7 * 86400 * 1000
    assert f"timeRange=(start:{week_ago - 1},end:{NOW_MS})" in raw
    assert first.url.params["count"] == "2" and first.url.params["start"] == "0"
    assert router.requests[1].url.params["start"] == "2"
    assert router.requests[2].url.params["start"] == "4"
    assert router.paths().count(NOTIFICATIONS) == 3  # the third page was short: the end


def test_passing_the_cursor_again_repeats_nothing_and_skips_nothing():
    a, router = paged_adapter()
    page = run(a.fetch_inbound(None))
    again = run(a.fetch_inbound(page.cursor))
    assert again.items == [] and not again.has_more
    assert decode_cursor(again.cursor) == decode_cursor(page.cursor)
    raw = router.requests[-1].url.raw_path.decode()
    assert "timeRange=(start:1795683599999," in raw  # one ms back, filtered by the seen ids
    # nothing was re-resolved: only notification pages were asked the second time
    second = router.requests[len(router.requests) - 3:]
    assert {r.url.raw_path.decode().split("?")[0] for r in second} == {NOTIFICATIONS}


def test_limit_stops_mid_page_and_resumes_without_skipping():
    a, _ = paged_adapter()
    seen: list[str] = []
    cursor, pages = None, 0
    while True:
        page = run(a.fetch_inbound(cursor, limit=1))
        pages += 1
        assert len(page.items) <= 1
        seen += [i.remote_id for i in page.items]
        cursor = page.cursor
        if not page.has_more:
            break
    assert seen == [COMMENT_1, MENTION_POST, COMMENT_REPLY]
    assert pages == 3  # our own comment (same ms as the reply) gives no item and takes no slot


def test_empty_notifications_keep_the_lookback_mark():
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): ok("notifications_empty.json")}))
    page = run(a.fetch_inbound(None))
    assert page.items == [] and not page.has_more
    assert decode_cursor(page.cursor) == (NOW_MS - 7 * 86400 * 1000, set())
    assert router.requests[0].url.params["count"] == "50"


def test_old_cursor_is_clamped_to_linkedin_retention():
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): ok("notifications_empty.json")}))
    run(a.fetch_inbound(encode_cursor(1000, {(1000, "x")})))
    sixty_days = NOW_MS - 60 * 86400 * 1000
    assert f"timeRange=(start:{sixty_days - 1}," in router.requests[0].url.raw_path.decode()


def test_unexpected_fields_are_ignored_and_other_actions_skipped():
    a, router = adapter(std_routes({
        ("GET", NOTIFICATIONS): ok("notifications_unexpected_fields.json")}))
    page = run(a.fetch_inbound(None))
    assert [i.remote_id for i in page.items] == [COMMENT_1]
    assert decode_cursor(page.cursor)[0] == 1795676400001  # the LIKE was handled (nothing to do)


def test_deleted_comments_and_posts_are_skipped():
    a, _ = paged_adapter({
        ("GET", comment_path("7191299999999999999")): ok("error_404.json", 404),
        ("GET", f"/rest/posts/{enc(MENTION_POST)}"): ok("error_404.json", 404),
    })
    page = run(a.fetch_inbound(None))
    assert [i.remote_id for i in page.items] == [COMMENT_REPLY]
    assert decode_cursor(page.cursor)[0] == 1795683600000


@pytest.mark.parametrize("name", [
    "malformed.html", "truncated.json", "notifications_missing_fields.json",
    "notifications_bad_comment_urn.json", "notifications_no_elements.json",
])
def test_malformed_notifications_are_permanent(name):
    a, _ = adapter(std_routes({("GET", NOTIFICATIONS): ok(name)}))
    with pytest.raises(PermanentError, match="malformed response from linkedin"):
        run(a.fetch_inbound(None))


@pytest.mark.parametrize("route,name", [
    (comment_path("7191299999999999999"), "comment_missing_fields.json"),
    (comment_path("7191299999999999999"), "malformed.html"),
    (f"/rest/posts/{enc(MENTION_POST)}", "post_missing_fields.json"),
    (f"/rest/posts/{enc(MENTION_POST)}", "truncated.json"),
])
def test_malformed_comments_and_posts_are_permanent(route, name):
    a, _ = paged_adapter({("GET", route): ok(name)})
    with pytest.raises(PermanentError, match="malformed response from linkedin") as ei:
        run(a.fetch_inbound(None))
    assert "KeyError" not in str(ei.value)


def test_invalid_cursor():
    a, _ = adapter(std_routes())
    for bad in ("garbage", "v1:[]", "v1:{", 'v1:{"t": "3", "seen": []}', 'v1:{"t": 3}',
                'v1:{"t": 3, "seen": [[1]]}', 'v1:{"t": -1, "seen": []}'):
        with pytest.raises(PermanentError, match="invalid linkedin cursor"):
            run(a.fetch_inbound(bad))


# -- errors -----------------------------------------------------------------------

@pytest.mark.parametrize("status,name,exc,words", [
    (400, "error_400.json", PermanentError, "Invalid param"),
    (401, "error_401.json", AuthError, "reconnect"),
    (401, "error_401_revoked.json", AuthError, "revoked"),
    (403, "error_403.json", PermanentError, "Not enough permissions"),
    (404, "error_404.json", PermanentError, "404"),
    (426, "error_426.json", PermanentError, f"LinkedIn-Version {DEFAULT_VERSION}"),
    (400, "error_400_version.json", PermanentError, f"LinkedIn-Version {DEFAULT_VERSION}"),
    (500, "error_500.json", TransientError, "server error 500"),
    (503, "malformed.html", TransientError, "server error 503"),
    (500, "error_500_token.json", AuthError, "verify the token"),
])
def test_errors_are_typed_and_never_leak_the_token(status, name, exc, words):
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): ok(name, status)}))
    with pytest.raises(exc) as ei:
        run(a.fetch_inbound(None))
    msg = str(ei.value)
    assert words in msg
    assert TOKEN not in msg and "Bearer" not in msg
    assert ei.value.platform == "linkedin"
    if exc is TransientError:
        assert len(router.requests) == 4  # retried with backoff (no real sleep)
    elif exc is not AuthError or status != 500:
        assert len(router.requests) == 1


def test_error_message_echoing_the_token_is_scrubbed():
    a, _ = adapter(std_routes({("GET", NOTIFICATIONS): httpx.Response(
        400, json={"status": 400, "message": f"bad token {TOKEN}"})}))
    with pytest.raises(PermanentError) as ei:
        run(a.fetch_inbound(None))
    assert TOKEN not in str(ei.value) and "[redacted]" in str(ei.value)


def test_daily_throttle_waits_until_midnight_utc_and_blocks_that_endpoint():
    clock = FakeClock(datetime(2026, 11, 26, 23, 59, 30, tzinfo=timezone.utc))
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): [
        ok("error_429_throttle.json", 429), ok("notifications_empty.json")]}), clock=clock)
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    midnight = datetime(2026, 11, 27, tzinfo=timezone.utc)
    assert ei.value.until == midnight
    assert "calls resume at 2026-11-27T00:00:00+00:00" in str(ei.value)
    assert len(router.requests) == 1  # a daily limit is not retried
    assert a.calls_today == {"organizationalEntityNotifications": 1}

    clock.advance(seconds=20)  # still before midnight: not called at all
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == midnight and len(router.requests) == 1

    clock.advance(seconds=11)  # 00:00:01 UTC: a new day, counts start again
    assert a.calls_today == {}
    page = run(a.fetch_inbound(None))
    assert page.items == [] and len(router.requests) == 2
    assert a.calls_today == {"organizationalEntityNotifications": 1}


def test_other_429_is_a_short_backoff():
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): ok("error_429_other.json", 429)}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert NOW < ei.value.until <= NOW + timedelta(minutes=5)


def test_next_utc_midnight():
    assert next_utc_midnight(datetime(2026, 12, 31, 23, 0, tzinfo=timezone.utc)) == datetime(
        2027, 1, 1, tzinfo=timezone.utc)
    assert next_utc_midnight(datetime(2026, 3, 1, 0, 0, tzinfo=timezone.utc)) == datetime(
        2026, 3, 2, tzinfo=timezone.utc)


def test_calls_are_counted_per_endpoint():
    a, _ = paged_adapter()
    run(a.fetch_inbound(None))
    assert a.calls_today == {"organizationalEntityNotifications": 3, "socialActions/comments": 3,
                             "posts": 1}


def _item(kind: ItemKind, remote_id: str, parent: str | None = None,
          thread: str = f"linkedin:{POST}") -> InboundItem:
    return InboundItem(platform="linkedin", account_id=REF.account_id, remote_id=remote_id,
                       kind=kind, thread_id=thread,
                       author=Author(remote_id="urn:li:person:x", handle="urn:li:person:x"),
                       text="x", created_at=NOW, parent_remote_id=parent)


def test_an_expired_token_is_refused_before_any_call():
    clock = FakeClock(datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc))
    expires = datetime(2026, 11, 26, 10, 0, tzinfo=timezone.utc)
    a, router = adapter(std_routes({("GET", NOTIFICATIONS): ok("notifications_empty.json")}),
                        clock=clock, expires_at=expires)
    run(a.fetch_inbound(None))
    assert len(router.requests) == 1
    clock.advance(hours=1)
    calls = [
        a.fetch_inbound(None),
        a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "hi", idempotency_key="k"),
        a.publish(OutboundPost(text="hi"), idempotency_key="k"),
        a.delete(POST),
    ]
    for call in calls:
        with pytest.raises(AuthError) as ei:
            run(call)
        msg = str(ei.value)
        assert "expired on 2026-11-26T10:00:00+00:00" in msg and "reconnect" in msg
        assert TOKEN not in msg
    assert len(router.requests) == 1


def test_aclose_closes_only_owned_client():
    a, _ = adapter(std_routes())
    run(a.aclose())
    assert not a._client.is_closed
    own = LinkedInAdapter(REF, organization_urn=ORG, access_token=TOKEN)
    run(own.aclose())
    assert own._client.is_closed


# -- little text ---------------------------------------------------------------------

def test_escape_little_text_escapes_every_reserved_character():
    reserved = "\\|{}@[]()<>#*_~"
    assert set(reserved) == LITTLE_TEXT_RESERVED
    for char in reserved:
        assert escape_little_text(char) == "\\" + char
    assert escape_little_text("a\\b") == "a\\\\b"
    assert escape_little_text("Hi @[Bob](urn:li:person:1) #x") == "Hi \\@\\[Bob\\]\\(urn:li:person:1\\) \\#x"
    assert escape_little_text("plain: text, 100% ok! é 🎉") == "plain: text, 100% ok! é 🎉"
    assert escape_little_text("") == ""


def test_cursor_round_trip():
    cursor = encode_cursor(5, {(5, "COMMENT a b"), (7, "SHARE_MENTION c d")})
    assert cursor.startswith("v1:")
    assert decode_cursor(cursor) == (5, {(5, "COMMENT a b"), (7, "SHARE_MENTION c d")})
    assert decode_cursor(None) == (None, set())
    assert unquote(enc(COMMENT_1)) == COMMENT_1
