"""The Facebook Page adapter against fixtures in the documented Graph shapes (MockTransport)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from integrations.base import (
    AuthError,
    Author,
    InboundItem,
    ItemKind,
    MediaAttachment,
    OutboundPost,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
    UnsupportedError,
)
from integrations.meta import FacebookPageAdapter
from integrations.meta.common import decode_cursor
from tests.integrations.test_meta_graph import NOW, PAGE, TOKEN, make, ok, run

P1, P2 = f"{PAGE}_1116692661689361", f"{PAGE}_1116692661689999"
SOURCES = ("comments", "dms", "mentions")


def fb(routes, **kw):
    return make(FacebookPageAdapter, routes, page_id=PAGE, **kw)


def inbound_routes(over=None):
    routes = {
        ("GET", f"/{PAGE}/published_posts"): [ok("fb_published_posts.json"), ok("fb_published_posts_page2.json")],
        ("GET", f"/{P1}/comments"): [ok("fb_comments_p1_page1.json"), ok("fb_comments_p1_page2.json")],
        ("GET", f"/{P2}/comments"): ok("fb_comments_p2.json"),
        ("GET", f"/{PAGE}_1000/comments"): ok("empty.json"),
        ("GET", f"/{PAGE}/conversations"): ok("fb_conversations.json"),
        ("GET", f"/{PAGE}/tagged"): ok("fb_tagged.json"),
    }
    routes.update(over or {})
    return routes


def test_capabilities_and_repr():
    a, _, _ = fb(inbound_routes())
    assert isinstance(a, PlatformAdapter) and a.platform == "facebook"
    caps = a.capabilities
    assert caps.publish and caps.delete and caps.media and caps.direct_messages
    assert not caps.keyword_search
    assert TOKEN not in repr(a) and TOKEN not in repr(a.graph)
    with pytest.raises(UnsupportedError):
        run(a.search("coffee"))


def test_fetch_inbound_first_page():
    a, router, _ = fb(inbound_routes())
    page = run(a.fetch_inbound(None))
    got = [(i.remote_id, i.kind) for i in page.items]
    assert got == [
        ("999_111", ItemKind.MENTION),
        ("1116692661689361_987654321", ItemKind.COMMENT),
        ("1116692661689361_987654322", ItemKind.COMMENT),
        ("m_Ab12Cd", ItemKind.DM),
        ("1116692661689999_1", ItemKind.COMMENT),
    ]
    mention, top, reply, dm, sticker = page.items
    assert top.parent_remote_id == P1 and top.thread_id == f"facebook:post:{P1}"
    assert reply.parent_remote_id == "1116692661689361_987654321"
    assert reply.text == "Me too <b>?</b>"  # exactly as sent
    assert top.author == Author("24745216345137108", "Jane Doe", "Jane Doe")
    assert top.created_at == datetime(2026, 5, 4, 10, 15, 2, tzinfo=timezone.utc)
    assert dm.thread_id == "facebook:conv:t_10223456789" and dm.author.remote_id == "24745216345137108"
    assert dm.text == "Where is my order?"
    assert mention.url == "https://www.facebook.com/999/posts/111"
    assert sticker.text == ""  # no message field (a sticker), unexpected fields ignored
    assert not page.has_more
    paths = [r.url.path for r in router.requests]
    assert paths.count(f"/v25.0/{PAGE}/published_posts") == 2  # POST_PAGES pages of posts
    assert paths.count(f"/v25.0/{P1}/comments") == 2  # followed paging.next
    c = next(r for r in router.requests if r.url.path.endswith(f"{P1}/comments"))
    assert c.url.params["order"] == "reverse_chronological" and c.url.params["filter"] == "stream"
    assert c.headers["authorization"] == f"Bearer {TOKEN}"
    assert all("access_token" not in str(r.url) for r in router.requests)
    marks = decode_cursor(page.cursor, SOURCES, "facebook")
    assert marks["comments"].time == datetime(2026, 5, 4, 10, 30, tzinfo=timezone.utc)


def test_cursor_resume_returns_only_new_and_never_skips():
    a, _, _ = fb(inbound_routes())
    first = run(a.fetch_inbound(None))
    a2, router2, _ = fb(inbound_routes())
    again = run(a2.fetch_inbound(first.cursor))
    assert again.items == []
    assert decode_cursor(again.cursor, SOURCES, "facebook") == decode_cursor(first.cursor, SOURCES, "facebook")
    # posts not updated since the mark are not opened
    assert not any(r.url.path.endswith(f"{PAGE}_1000/comments") for r in router2.requests)
    assert sum(r.url.path.endswith(f"{P1}/comments") for r in router2.requests) == 0


def test_limit_keeps_the_rest_for_next_time():
    a, _, _ = fb(inbound_routes())
    page = run(a.fetch_inbound(None, limit=2))
    assert [i.remote_id for i in page.items] == ["999_111", "1116692661689361_987654321"]
    assert page.has_more
    a2, _, _ = fb(inbound_routes())
    page2 = run(a2.fetch_inbound(page.cursor, limit=2))
    # the comment with the same timestamp as the last one returned is not skipped
    assert [i.remote_id for i in page2.items] == ["1116692661689361_987654322", "m_Ab12Cd"]
    a3, _, _ = fb(inbound_routes())
    page3 = run(a3.fetch_inbound(page2.cursor, limit=2))
    assert [i.remote_id for i in page3.items] == ["1116692661689999_1"] and not page3.has_more


def test_empty_sources():
    empty = ok("empty.json")
    a, _, _ = fb({k: empty for k in inbound_routes()})
    page = run(a.fetch_inbound(None))
    assert page.items == [] and not page.has_more and page.cursor.startswith("v1:")


@pytest.mark.parametrize("name,status,exc", [
    ("error_190.json", 400, AuthError),
    ("error_190.json", 401, AuthError),
    ("error_80001.json", 400, RateLimitedError),
    ("error_100.json", 400, PermanentError),
    ("error_10.json", 403, PermanentError),
    ("error_368.json", 400, PermanentError),
    ("error_plain_404.json", 404, PermanentError),
    ("error_plain_404.json", 422, PermanentError),
    ("error_plain_404.json", 401, AuthError),
    ("error_1.json", 400, TransientError),
    ("error_500.json", 500, TransientError),
    ("malformed.html", 503, TransientError),
])
def test_errors_are_typed_and_never_leak_the_token(name, status, exc):
    a, router, sleeps = fb(inbound_routes({("GET", f"/{PAGE}/published_posts"): ok(name, status)}))
    with pytest.raises(exc) as ei:
        run(a.fetch_inbound(None))
    assert TOKEN not in str(ei.value) and "Bearer" not in str(ei.value)
    assert ei.value.platform == "facebook"
    if exc is TransientError:
        assert len(router.requests) == 4 and len(sleeps.calls) == 3  # retried with backoff, no real sleep


def test_429_without_graph_body_is_rate_limited():
    a, _, _ = fb(inbound_routes({("GET", f"/{PAGE}/published_posts"): httpx.Response(
        429, json={"message": "slow"}, headers={"Retry-After": "3600"})}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == NOW + timedelta(hours=1)


def test_throttle_blocks_further_calls():
    a, router, _ = fb(inbound_routes({("GET", f"/{PAGE}/tagged"): ok("error_80001.json", 400, headers={
        "X-Business-Use-Case-Usage": json.dumps({PAGE: [{"type": "pages", "call_count": 100,
                                                         "estimated_time_to_regain_access": 30}]})})}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.fetch_inbound(None))
    assert ei.value.until == NOW + timedelta(minutes=30)
    n = len(router.requests)
    with pytest.raises(RateLimitedError):
        run(a.fetch_inbound(None))
    assert len(router.requests) == n


def test_high_usage_slows_then_pauses():
    usage = {"X-App-Usage": json.dumps({"call_count": 85, "total_time": 10, "total_cputime": 10})}
    a, _, sleeps = fb(inbound_routes({("GET", f"/{PAGE}/published_posts"): ok("empty.json", headers=usage)}))
    run(a.fetch_inbound(None))
    assert sleeps.calls and all(0 < s <= 10 for s in sleeps.calls)
    usage = {"X-App-Usage": '{"call_count": 97}'}
    a, router, _ = fb(inbound_routes({("GET", f"/{PAGE}/published_posts"): ok("empty.json", headers=usage)}))
    with pytest.raises(RateLimitedError):
        run(a.fetch_inbound(None))
    assert len(router.requests) == 1  # paused before the second call


@pytest.mark.parametrize("name", ["malformed.html", "truncated.json", "missing_fields.json"])
def test_malformed_and_missing_fields_are_permanent(name):
    for route in (f"/{PAGE}/published_posts", f"/{P1}/comments", f"/{PAGE}/conversations", f"/{PAGE}/tagged"):
        a, _, _ = fb(inbound_routes({("GET", route): ok(name)}))
        with pytest.raises(PermanentError, match="malformed response from facebook"):
            run(a.fetch_inbound(None))


def _item(kind: ItemKind, rid: str, created=NOW - timedelta(hours=1)) -> InboundItem:
    return InboundItem(platform="facebook", account_id="facebook:acme", remote_id=rid, kind=kind,
                       thread_id="t", author=Author("24745216345137108", "Jane Doe"), text="x",
                       created_at=created)


def test_reply_to_comment_is_sent_once():
    a, router, _ = fb({("POST", "/c1/comments"): ok("fb_comment_created.json")})
    result = run(a.send_reply(_item(ItemKind.COMMENT, "c1"), "Yes, in stock!", idempotency_key="k"))
    assert result.remote_id == "1116692661689361_5555" and result.published_at == NOW
    req = router.requests[-1]
    assert dict(httpx.QueryParams(req.content.decode())) == {"message": "Yes, in stock!"}
    a, router, _ = fb({("POST", "/c1/comments"): ok("error_500.json", 503)})
    with pytest.raises(TransientError):
        run(a.send_reply(_item(ItemKind.MENTION, "c1"), "hi", idempotency_key="k"))
    assert len(router.requests) == 1  # no idempotency key on Meta: never retried


def test_reply_to_dm_within_24_hours():
    a, router, _ = fb({("POST", f"/{PAGE}/messages"): ok("message_sent.json")})
    result = run(a.send_reply(_item(ItemKind.DM, "m_1"), "On its way", idempotency_key="k"))
    assert result.remote_id == "m_sent1"
    assert json.loads(router.requests[-1].content) == {
        "recipient": {"id": "24745216345137108"}, "messaging_type": "RESPONSE",
        "message": {"text": "On its way"}}
    old = _item(ItemKind.DM, "m_2", created=NOW - timedelta(hours=24, seconds=1))
    with pytest.raises(PermanentError, match="24 hours"):
        run(a.send_reply(old, "late", idempotency_key="k"))
    assert len(router.requests) == 1
    edge = _item(ItemKind.DM, "m_3", created=NOW - timedelta(hours=24))
    run(a.send_reply(edge, "just in time", idempotency_key="k"))


def test_reply_too_long_and_errors():
    a, router, _ = fb({("POST", "/c1/comments"): ok("error_100.json", 400)})
    with pytest.raises(PermanentError, match="63206"):
        run(a.send_reply(_item(ItemKind.COMMENT, "c1"), "x" * 63207, idempotency_key="k"))
    assert router.requests == []
    with pytest.raises(PermanentError, match="Invalid parameter"):
        run(a.send_reply(_item(ItemKind.COMMENT, "c1"), "x", idempotency_key="k"))


def test_publish_text_with_link():
    a, router, _ = fb({("POST", f"/{PAGE}/feed"): ok("fb_feed_created.json"),
                       ("GET", f"/{PAGE}_2000"): ok("fb_permalink.json")})
    r = run(a.publish(OutboundPost(text="Hello 👋", link="https://acme.example"), idempotency_key="k"))
    assert r.remote_id == f"{PAGE}_2000" and r.url == f"https://www.facebook.com/{PAGE}/posts/2000"
    body = dict(httpx.QueryParams(router.requests[0].content.decode()))
    assert body == {"message": "Hello 👋", "link": "https://acme.example"}
    assert router.requests[1].url.params["fields"] == "permalink_url"


def test_publish_permalink_failure_falls_back_to_built_url():
    a, _, _ = fb({("POST", f"/{PAGE}/feed"): ok("fb_feed_created.json")})
    r = run(a.publish(OutboundPost(text="Hi"), idempotency_key="k"))
    assert r.url == f"https://www.facebook.com/{PAGE}_2000"


def test_publish_one_photo_is_multipart_with_alt_text():
    a, router, _ = fb({("POST", f"/{PAGE}/photos"): ok("fb_photo_created.json")})
    img = MediaAttachment(alt_text="A red mug", data=b"\x89PNG-bytes", mime_type="image/png", filename="mug.png")
    r = run(a.publish(OutboundPost(text="New mug", media=(img,)), idempotency_key="k"))
    assert r.remote_id == f"{PAGE}_3001"
    req = router.requests[0]
    assert req.headers["content-type"].startswith("multipart/form-data; boundary=")
    body = req.content
    assert b'name="alt_text_custom"\r\n\r\nA red mug' in body and b"\x89PNG-bytes" in body
    assert b'name="source"; filename="mug.png"' in body and b"New mug" in body


def test_publish_several_photos_attaches_unpublished_uploads():
    a, router, _ = fb({
        ("POST", f"/{PAGE}/photos"): [ok("fb_photo_unpublished_1.json"), ok("fb_photo_unpublished_2.json")],
        ("POST", f"/{PAGE}/feed"): ok("fb_feed_created.json"),
        ("GET", f"/{PAGE}_2000"): ok("fb_permalink.json")})
    media = (MediaAttachment(alt_text="one", source_url="https://cdn.example/1.jpg"),
             MediaAttachment(alt_text="two", data=b"jpeg"))
    run(a.publish(OutboundPost(text="Two pics", media=media), idempotency_key="k"))
    first = dict(httpx.QueryParams(router.requests[0].content.decode()))
    assert first == {"published": "false", "alt_text_custom": "one", "url": "https://cdn.example/1.jpg"}
    assert b'name="published"\r\n\r\nfalse' in router.requests[1].content
    feed = dict(httpx.QueryParams(router.requests[2].content.decode()))
    assert json.loads(feed["attached_media[0]"]) == {"media_fbid": "4001"}
    assert json.loads(feed["attached_media[1]"]) == {"media_fbid": "4002"}


def test_publish_refuses_empty_and_too_long():
    a, router, _ = fb({})
    with pytest.raises(PermanentError):
        run(a.publish(OutboundPost(text=""), idempotency_key="k"))
    with pytest.raises(PermanentError, match="63206"):
        run(a.publish(OutboundPost(text="é" * 63207), idempotency_key="k"))
    assert router.requests == []


def test_publish_missing_id_is_malformed():
    a, _, _ = fb({("POST", f"/{PAGE}/feed"): httpx.Response(200, json={"unexpected": 1})})
    with pytest.raises(PermanentError, match="malformed response from facebook"):
        run(a.publish(OutboundPost(text="Hi"), idempotency_key="k"))


def test_delete():
    a, router, _ = fb({("DELETE", f"/{PAGE}_1"): ok("delete_success.json"),
                       ("DELETE", f"/{PAGE}_9"): ok("error_100_gone.json", 400),
                       ("DELETE", f"/{PAGE}_5"): ok("error_10.json", 403),
                       ("DELETE", f"/{PAGE}_6"): httpx.Response(200, json={"success": False})})
    run(a.delete(f"{PAGE}_1"))
    run(a.delete(f"{PAGE}_9"))  # already gone
    with pytest.raises(PermanentError, match="permission missing"):
        run(a.delete(f"{PAGE}_5"))
    with pytest.raises(PermanentError, match="refused"):
        run(a.delete(f"{PAGE}_6"))
    assert router.requests[0].method == "DELETE"


def test_aclose_closes_only_owned_client():
    a, _, _ = fb({})
    run(a.aclose())
    assert not a._client.is_closed
    own = FacebookPageAdapter(a.account, page_id=PAGE, page_token=TOKEN)
    run(own.aclose())
    assert own._client.is_closed
    assert TOKEN not in repr(own)


def test_busy_conversation_follows_older_messages_until_the_mark():
    def msg(mid, minute):
        return {"id": mid, "message": mid, "created_time": f"2026-05-04T10:{minute:02d}:00+0000",
                "from": {"id": "24745216345137108", "name": "Jane Doe"}}

    conv = {"data": [{"id": "t_1", "updated_time": "2026-05-04T10:40:00+0000", "messages": {
        "data": [msg("m_40", 40), msg("m_39", 39)],
        "paging": {"next": "https://graph.facebook.com/v25.0/t_1/messages?after=old"}}}]}
    older = {"data": [msg("m_38", 38), msg("m_10", 10)],
             "paging": {"next": "https://graph.facebook.com/v25.0/t_1/messages?after=older"}}
    empty = ok("empty.json")
    a, router, _ = fb({("GET", f"/{PAGE}/published_posts"): empty, ("GET", f"/{PAGE}/tagged"): empty,
                       ("GET", f"/{PAGE}/conversations"): httpx.Response(200, json=conv),
                       ("GET", "/t_1/messages"): httpx.Response(200, json=older)})
    page = run(a.fetch_inbound(None))
    # no cursor: both message pages are read; the second page's paging.next is followed too (cap)
    assert {"m_40", "m_39", "m_38", "m_10"} <= {i.remote_id for i in page.items}
    cursor = page.cursor
    marks = decode_cursor(cursor, SOURCES, "facebook")
    assert marks["dms"].ids == frozenset({"m_40"})
    conv["data"][0]["updated_time"] = "2026-05-04T10:50:00+0000"
    conv["data"][0]["messages"]["data"].insert(0, msg("m_50", 50))
    a, router, _ = fb({("GET", f"/{PAGE}/published_posts"): empty, ("GET", f"/{PAGE}/tagged"): empty,
                       ("GET", f"/{PAGE}/conversations"): httpx.Response(200, json=conv),
                       ("GET", "/t_1/messages"): httpx.Response(200, json=older)})
    page = run(a.fetch_inbound(cursor))
    assert [i.remote_id for i in page.items] == ["m_50"]
    # the first message page already reached the mark: older pages are not asked
    assert not any(r.url.path.endswith("/t_1/messages") for r in router.requests)


# -- finding our own post, and what an ambiguous failure says --------------------

POSTS = f"/{PAGE}/posts"
WINTER = OutboundPost(text="Winter hours: we open at 10 https://acme.example/hours", link="https://acme.example")


def own_posts(over=None):
    return {("GET", POSTS): [ok("fb_page_posts.json"), ok("fb_page_posts_page2.json")], **(over or {})}


def test_find_published_takes_the_oldest_post_with_the_text_since():
    a, router, _ = fb(own_posts())
    assert a.capabilities.find_published and not a.capabilities.idempotent_publish
    found = run(a.find_published(WINTER, since=datetime(2026, 5, 4, 11, 30, tzinfo=timezone.utc)))
    assert found.remote_id == f"{PAGE}_5001" and found.url == f"https://www.facebook.com/{PAGE}/posts/5001"
    assert found.published_at == datetime(2026, 5, 4, 11, 40, tzinfo=timezone.utc)
    first = router.requests[0].url.params
    assert first["since"] == str(int(datetime(2026, 5, 4, 11, 30, tzinfo=timezone.utc).timestamp()))
    assert "message" in first["fields"] and len(router.requests) == 2


def test_find_published_only_counts_posts_since():
    a, _, _ = fb(own_posts())
    found = run(a.find_published(WINTER, since=datetime(2026, 5, 4, 11, 45, tzinfo=timezone.utc)))
    assert found.remote_id == f"{PAGE}_5003"          # whitespace differs, words do not


def test_find_published_answers_none_when_it_is_not_there():
    a, router, _ = fb(own_posts())
    assert run(a.find_published(OutboundPost(text="Winter hours"),
                                since=datetime(2026, 5, 4, 11, 30, tzinfo=timezone.utc))) is None
    a, router, _ = fb(own_posts())
    assert run(a.find_published(OutboundPost(text="  ", media=(MediaAttachment(alt_text="a", data=b"1"),)),
                                since=NOW)) is None
    assert router.requests == []                        # no text: nothing to tell it by


@pytest.mark.parametrize("name, status, exc", [
    ("error_500.json", 500, TransientError), ("error_190.json", 400, AuthError),
    ("malformed.html", 200, PermanentError)])
def test_find_published_raises_a_typed_error_when_meta_cannot_be_asked(name, status, exc):
    a, _, _ = fb({("GET", POSTS): ok(name, status)})
    with pytest.raises(exc):
        run(a.find_published(WINTER, since=NOW - timedelta(minutes=30)))


def test_a_failed_photo_upload_of_a_multi_photo_post_says_nothing_was_sent():
    a, router, _ = fb({("POST", f"/{PAGE}/photos"): [ok("fb_photo_unpublished_1.json"), ok("error_500.json", 500)]})
    media = (MediaAttachment(alt_text="one", data=b"1"), MediaAttachment(alt_text="two", data=b"2"))
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="Two pics", media=media), idempotency_key="k"))
    assert raised.value.maybe_sent is False
    assert ("POST", f"/v25.0/{PAGE}/feed") not in [(r.method, r.url.path) for r in router.requests]


@pytest.mark.parametrize("name, status", [("error_500.json", 500), ("error_1.json", 400)])
def test_a_failed_create_may_have_been_sent(name, status):
    a, _, _ = fb({("POST", f"/{PAGE}/feed"): ok(name, status)})
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="Hi"), idempotency_key="k"))
    assert raised.value.maybe_sent is True
