"""The Bluesky adapter against a fake PDS: session, notifications, errors.

Replies and facets are in test_bluesky_replies.py."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from integrations.base import (
    AuthError,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)
from integrations.bluesky import BlueskyAdapter
from tests.integrations.test_bluesky_fake import (
    ACCOUNT,
    NOW,
    PASSWORD,
    FakeBluesky,
    fixture,
    make_adapter,
)

run = asyncio.run
LIST = "app.bsky.notification.listNotifications"


async def _fetch(adapter: BlueskyAdapter, cursor=None, limit=100):
    try:
        return await adapter.fetch_inbound(cursor, limit)
    finally:
        await adapter.aclose()


def _all_text(exc: BaseException) -> str:
    return f"{exc} {exc!r} {exc.args}"


# -- session -------------------------------------------------------------------

def test_is_a_platform_adapter_with_honest_capabilities():
    adapter = make_adapter(FakeBluesky())
    assert isinstance(adapter, PlatformAdapter)
    caps = adapter.capabilities
    assert caps.inbound_mentions and caps.inbound_comments and caps.reply
    assert not caps.direct_messages and not caps.native_scheduling
    assert PASSWORD not in repr(adapter)


def test_logs_in_once_and_then_talks_to_the_pds_of_the_did_document():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        await adapter.fetch_inbound(None)
        await adapter.fetch_inbound(None)
        await adapter.aclose()
    run(go())
    assert len(fake.calls("com.atproto.server.createSession")) == 1
    login = fake.calls("com.atproto.server.createSession")[0]
    assert login.url.host == "entryway.example.test"
    assert json.loads(login.content) == {"identifier": "acme.test", "password": PASSWORD}
    listed = fake.calls(LIST)
    assert listed and all(r.url.host == "pds.example.test" for r in listed)
    assert all(r.headers["authorization"] == "Bearer ACCESS-1.jwt.sig" for r in listed)


def test_expired_token_refreshes_and_retries_once():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        await adapter.fetch_inbound(None)
        fake.valid_access.discard("ACCESS-1.jwt.sig")  # the access JWT expires
        page = await adapter.fetch_inbound(None)
        await adapter.aclose()
        return page
    page = run(go())
    assert page.cursor == "bsky1:2026-05-04T10:19:00+00:00"
    refresh = fake.calls("com.atproto.server.refreshSession")
    assert len(refresh) == 1
    assert refresh[0].headers["authorization"] == "Bearer REFRESH-1.jwt.sig"
    assert fake.requests[-1].headers["authorization"] == "Bearer ACCESS-2.jwt.sig"
    assert len(fake.calls("com.atproto.server.createSession")) == 1


def test_dead_refresh_token_logs_in_again_with_the_app_password():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        await adapter.fetch_inbound(None)
        fake.valid_refresh.clear()
        fake.queue(LIST, 400, "error_expired_token.json")
        return await _fetch(adapter)
    assert run(go()).cursor == "bsky1:2026-05-04T10:19:00+00:00"
    assert len(fake.calls("com.atproto.server.createSession")) == 2


def test_a_401_on_a_call_also_refreshes():
    fake = FakeBluesky()
    fake.queue(LIST, 401, {"error": "AuthenticationRequired", "message": "Bad token"})
    assert len(run(_fetch(make_adapter(fake))).items) == 4
    assert len(fake.calls("com.atproto.server.refreshSession")) == 1


@pytest.mark.parametrize("status", [400, 401])
def test_wrong_or_revoked_app_password_is_an_auth_error_without_secrets(status):
    fake = FakeBluesky()
    fake.queue("com.atproto.server.createSession", status, "error_auth_required.json")
    with pytest.raises(AuthError) as err:
        run(_fetch(make_adapter(fake, password="wxyz-wxyz-wxyz-wxyz")))
    assert "wxyz" not in _all_text(err.value)
    assert err.value.platform == "bluesky"


def test_session_revoked_after_refresh_is_an_auth_error():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        await adapter.fetch_inbound(None)
        fake.valid_access.clear()
        fake.valid_refresh.clear()
        fake.password = "changed"
        return await _fetch(adapter)
    with pytest.raises(AuthError) as err:
        run(go())
    text = _all_text(err.value)
    for secret in ("ACCESS-1", "REFRESH-1", PASSWORD):
        assert secret not in text


def test_server_messages_echoing_a_secret_are_redacted():
    fake = FakeBluesky()
    fake.queue(LIST, 400, {"error": "InvalidRequest",
                           "message": "bad header Bearer ACCESS-1.jwt.sig and " + PASSWORD})
    with pytest.raises(PermanentError) as err:
        run(_fetch(make_adapter(fake)))
    assert "ACCESS-1.jwt.sig" not in str(err.value) and PASSWORD not in str(err.value)
    assert "InvalidRequest" in str(err.value)


def test_session_response_missing_fields_is_permanent():
    fake = FakeBluesky()
    fake.queue("com.atproto.server.createSession", 200, {"did": "did:plc:acme"})
    with pytest.raises(PermanentError, match="accessJwt"):
        run(_fetch(make_adapter(fake)))


# -- notifications -----------------------------------------------------------

def test_first_fetch_pages_and_returns_oldest_first():
    fake = FakeBluesky()
    page = run(_fetch(make_adapter(fake)))
    assert [i.remote_id.rsplit("/", 1)[1] for i in page.items] == [
        "3lmn2abcxyz01", "3lmn2abcxyz02", "3lmn2abcxyz03", "3lmn2bbbbbb04"]
    assert len(fake.calls(LIST)) == 2
    req = fake.calls(LIST)[0]
    assert req.url.params.get_list("reasons") == ["mention", "reply", "quote"]
    assert fake.calls(LIST)[1].url.params["cursor"] == "2026-05-04T10:18:00.000Z"
    assert page.cursor and page.cursor.startswith("bsky1:")
    assert not page.has_more


def test_items_carry_threads_authors_kinds_and_aware_times():
    items = {i.remote_id.rsplit("/", 1)[1]: i for i in run(_fetch(make_adapter(FakeBluesky()))).items}
    mention, reply_to_root, quote, deep_reply = (
        items["3lmn2abcxyz01"], items["3lmn2abcxyz02"], items["3lmn2abcxyz03"], items["3lmn2bbbbbb04"])
    assert mention.kind is ItemKind.MENTION and quote.kind is ItemKind.MENTION
    assert deep_reply.kind is ItemKind.COMMENT
    assert mention.thread_id == mention.remote_id and mention.parent_remote_id is None
    root = "at://did:plc:acme/app.bsky.feed.post/3kroot0000000"
    assert reply_to_root.thread_id == root and reply_to_root.parent_remote_id == root
    assert deep_reply.thread_id == root
    assert deep_reply.parent_remote_id == "at://did:plc:acme/app.bsky.feed.post/3kparent00000"
    assert mention.author.remote_id == "did:plc:alice123"
    assert mention.author.handle == "alice.bsky.social" and mention.author.display_name == "Alice"
    assert deep_reply.author.display_name == ""
    assert mention.text == "@acme.test is support open?"
    assert reply_to_root.text == "サポートは開いていますか？"
    assert mention.created_at == datetime(2026, 5, 4, 10, 15, 2, tzinfo=timezone.utc)
    assert reply_to_root.created_at == datetime(2026, 5, 4, 1, 15, 59, tzinfo=timezone.utc)
    assert all(i.created_at.tzinfo is not None for i in items.values())
    assert mention.url == "https://bsky.app/profile/alice.bsky.social/post/3lmn2abcxyz01"
    assert mention.platform == "bluesky" and mention.account_id == ACCOUNT.account_id
    assert mention.language == "en"


def _with_new_on_top(fake: FakeBluesky, rkey: str, indexed_at: str) -> None:
    body = fixture("notifications_page1.json") if fake.pages[None] == "notifications_page1.json" \
        else fake.pages[None]
    new = json.loads(json.dumps(fixture("notifications_page1.json")["notifications"][0]))
    new["uri"] = f"at://did:plc:bob456/app.bsky.feed.post/{rkey}"
    new["indexedAt"] = indexed_at
    body["notifications"].insert(0, new)
    fake.pages[None] = body


def test_stored_cursor_stops_at_the_stored_position_and_skips_nothing():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        first = await adapter.fetch_inbound(None)
        again = await adapter.fetch_inbound(first.cursor)  # nothing new
        _with_new_on_top(fake, "3lmn2bbbbbb05", "2026-05-04T10:30:00.000Z")
        calls_before = len(fake.calls(LIST))
        later = await adapter.fetch_inbound(again.cursor)
        pages_read = len(fake.calls(LIST)) - calls_before
        await adapter.aclose()
        return first, again, later, pages_read
    first, again, later, pages_read = run(go())
    assert first.cursor == "bsky1:2026-05-04T10:19:00+00:00"
    assert again.items == [] and again.cursor == first.cursor
    assert [i.remote_id[-2:] for i in later.items] == ["05"]
    assert later.cursor == "bsky1:2026-05-04T10:30:00+00:00"
    assert pages_read == 2  # reads back to 10 min (the overlap) before the position


def test_a_restarted_adapter_returns_the_overlap_again_never_less():
    fake = FakeBluesky()

    async def go():
        first = await _fetch(make_adapter(fake))
        return first, await _fetch(make_adapter(fake), first.cursor)
    first, after_restart = run(go())
    # 10 minutes of overlap before 10:19: everything since 10:09 comes again
    assert [i.remote_id for i in after_restart.items] == [i.remote_id for i in first.items]
    assert after_restart.cursor == first.cursor


def test_a_backdated_post_within_the_overlap_is_not_skipped():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        first = await adapter.fetch_inbound(None)  # position 10:19
        # its author's clock is 5 minutes behind: it sorts below the position
        body = fixture("notifications_page1.json")
        late = json.loads(json.dumps(body["notifications"][1]))
        late["uri"] = "at://did:plc:alice123/app.bsky.feed.post/3lmn2backdat9"
        late["indexedAt"] = "2026-05-04T10:14:00.000Z"
        fake.pages["2026-05-04T10:18:00.000Z"] = {
            "notifications": fixture("notifications_page2.json")["notifications"] + [late]}
        later = await adapter.fetch_inbound(first.cursor)
        await adapter.aclose()
        return first, later
    first, later = run(go())
    assert [i.remote_id[-2:] for i in later.items] == ["t9"]
    assert later.cursor == first.cursor  # the position never moves backwards


def test_limit_returns_the_oldest_first_and_has_more_then_the_rest():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        seen = []
        cursor = "bsky1:2026-05-04T10:00:00+00:00"
        for _ in range(5):
            page = await adapter.fetch_inbound(cursor, limit=2)
            seen.append([i.remote_id[-2:] for i in page.items])
            cursor = page.cursor
            if not page.has_more:
                break
        await adapter.aclose()
        return seen
    seen = run(go())
    assert seen[0] == ["01", "02"]
    flat = [x for chunk in seen for x in chunk]
    assert set(flat) == {"01", "02", "03", "04"}


def test_a_backlog_beyond_the_limit_is_read_once_then_served_from_memory():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        cursor = "bsky1:2026-05-04T10:00:00+00:00"
        pages = []
        while True:
            page = await adapter.fetch_inbound(cursor, limit=1)
            pages.append(page)
            cursor = page.cursor
            if not page.has_more:
                break
        await adapter.aclose()
        return pages
    pages = run(go())
    reads = len(fake.calls("app.bsky.notification.listNotifications"))
    assert [i.remote_id[-2:] for p in pages for i in p.items] == ["01", "02", "03", "04"]
    # The fixture holds two pages: one full read serves all four calls.
    assert len(pages) == 4 and reads <= 2, reads


def test_first_fetch_with_small_limit_starts_at_the_newest():
    page = run(_fetch(make_adapter(FakeBluesky()), None, 1))
    assert [i.remote_id[-2:] for i in page.items] == ["04"]


def test_empty_page():
    fake = FakeBluesky()
    fake.pages = {None: "notifications_empty.json"}
    page = run(_fetch(make_adapter(fake)))
    assert page.items == [] and page.cursor is None and not page.has_more
    fake2 = FakeBluesky()
    fake2.pages = {None: "notifications_empty.json"}
    page2 = run(_fetch(make_adapter(fake2), "bsky1:2026-05-04T10:00:00+00:00"))
    assert page2.items == [] and page2.cursor == "bsky1:2026-05-04T10:00:00+00:00"


def test_missing_and_unexpected_fields_skip_only_the_bad_records():
    fake = FakeBluesky()
    fake.pages = {None: "notifications_mixed.json"}
    adapter = make_adapter(fake)
    page = run(_fetch(adapter))
    assert [i.remote_id for i in page.items] == ["at://did:plc:bob456/app.bsky.feed.post/3good00000000"]
    assert page.items[0].created_at == datetime(2026, 5, 4, 11, 0, 5, 500000, tzinfo=timezone.utc)
    assert len(adapter.last_skipped) == 7  # the like is ignored, not counted
    assert any("createdAt" in why for why in adapter.last_skipped)


@pytest.mark.parametrize("cursor", ["", "n:5", "bsky1:yesterday", "bsky1:2026-05-04T10:00:00"])
def test_malformed_cursor_is_permanent(cursor):
    with pytest.raises(PermanentError, match="cursor"):
        run(_fetch(make_adapter(FakeBluesky()), cursor))


@pytest.mark.parametrize("body", [
    b"<html>oops</html>", b"{\"notifications\": [", b"[]", b"null",
    b"{\"cursor\": 5, \"notifications\": []}", b"{\"notifications\": {}}", b"{}",
])
def test_malformed_envelopes_are_permanent_errors(body):
    fake = FakeBluesky()
    fake.queue(LIST, 200, body, {"content-type": "application/json"})
    with pytest.raises(PermanentError):
        run(_fetch(make_adapter(fake)))


def test_429_waits_until_ratelimit_reset():
    reset = NOW + timedelta(minutes=4)
    fake = FakeBluesky()
    fake.queue(LIST, 429, "error_rate_limit.json", {
        "RateLimit-Limit": "3000", "RateLimit-Remaining": "0",
        "RateLimit-Reset": str(int(reset.timestamp())), "RateLimit-Policy": "3000;w=300"})
    adapter = make_adapter(fake)
    with pytest.raises(RateLimitedError) as err:
        run(_fetch(adapter))
    assert err.value.until == reset
    assert adapter.xrpc.rate_limit.remaining == 0


def test_429_without_a_usable_reset_waits_a_minute():
    fake = FakeBluesky()
    fake.queue(LIST, 429, "error_rate_limit.json", {"RateLimit-Reset": "soon"})
    with pytest.raises(RateLimitedError) as err:
        run(_fetch(make_adapter(fake)))
    assert err.value.until == NOW + timedelta(seconds=60)


@pytest.mark.parametrize("status,body,error", [
    (400, "error_invalid_request.json", PermanentError),
    (403, {"error": "Forbidden", "message": "nope"}, PermanentError),
    (404, b"not found", PermanentError),
    (500, "error_internal.json", TransientError),
    (502, b"<html>bad gateway</html>", TransientError),
    (503, b"", TransientError),
])
def test_http_errors_map_to_typed_errors(status, body, error):
    fake = FakeBluesky()
    fake.queue(LIST, status, body)
    with pytest.raises(error) as err:
        run(_fetch(make_adapter(fake)))
    assert str(status) in str(err.value)


@pytest.mark.parametrize("failure, maybe_sent", [
    (httpx.ConnectError, False), (httpx.ConnectTimeout, False),   # never reached the PDS
    (httpx.ReadTimeout, True), (httpx.RemoteProtocolError, True),  # may have been acted on
])
def test_network_failures_are_transient_and_say_whether_anything_was_sent(failure, maybe_sent):
    def handler(request):
        raise failure("broken", request=request)
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    adapter = BlueskyAdapter(ACCOUNT, base_url="https://x.test", identifier="acme.test",
                             app_password=PASSWORD, client=client)
    with pytest.raises(TransientError) as raised:
        run(_fetch(adapter))
    assert raised.value.maybe_sent is maybe_sent


def test_concurrent_calls_on_an_expired_token_refresh_once():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        await adapter.fetch_inbound(None)
        fake.valid_access.discard("ACCESS-1.jwt.sig")
        pages = await asyncio.gather(*(adapter.fetch_inbound(None) for _ in range(3)))
        await adapter.aclose()
        return pages
    pages = run(go())
    assert len(pages) == 3
    assert len(fake.calls("com.atproto.server.refreshSession")) == 1
    assert len(fake.calls("com.atproto.server.createSession")) == 1
