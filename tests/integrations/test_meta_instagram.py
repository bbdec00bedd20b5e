"""The Instagram adapter against fixtures in the documented Graph shapes (MockTransport)."""

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
    RateLimitedError,
    TransientError,
    UnsupportedError,
)
from integrations.meta import InstagramAdapter
from integrations.meta.instagram import hashtag_of
from tests.integrations.test_meta_graph import IG_USER, NOW, PAGE, TOKEN, make, ok, run

MEDIA = "17895695668004550"
HASHTAG = "17843853986012965"


def ig(routes, **kw):
    return make(InstagramAdapter, routes, ig_user_id=IG_USER, page_id=PAGE, **kw)


def inbound_routes(over=None):
    routes = {
        ("GET", f"/{IG_USER}/media"): ok("ig_media.json"),
        ("GET", f"/{MEDIA}/comments"): ok("ig_comments.json"),
        ("GET", f"/{PAGE}/conversations"): ok("ig_conversations.json"),
        ("GET", f"/{IG_USER}/tags"): ok("ig_tags.json"),
    }
    routes.update(over or {})
    return routes


def test_capabilities_and_repr():
    a, _, _ = ig(inbound_routes())
    caps = a.capabilities
    assert caps.publish and caps.keyword_search and caps.direct_messages and caps.media
    assert not caps.delete and not caps.native_scheduling
    assert TOKEN not in repr(a)
    with pytest.raises(UnsupportedError):
        run(a.delete("1"))


def test_fetch_inbound_first_page():
    a, router, _ = ig(inbound_routes())
    page = run(a.fetch_inbound(None))
    got = [(i.remote_id, i.kind) for i in page.items]
    assert got == [
        ("18000000000000001", ItemKind.MENTION),
        ("17870913679156914", ItemKind.COMMENT),
        ("17870913679156916", ItemKind.COMMENT),  # the account's own reply is skipped
        ("aWdfZAG1faXRlbTox", ItemKind.DM),
    ]
    tag, top, reply, dm = page.items
    assert tag.author.handle == "@cafe.blog" and tag.text == "Great coffee with @acme"
    assert tag.thread_id == "instagram:media:18000000000000001"
    assert top.text == "Love it 😍 #coffee" and top.author == Author("17841400000000001", "@jane.doe")
    assert top.parent_remote_id == MEDIA and top.url == "https://www.instagram.com/p/AbC/"
    assert reply.parent_remote_id == "17870913679156914" and reply.author.handle == "@bob"
    assert reply.thread_id == f"instagram:media:{MEDIA}"
    assert dm.thread_id == "instagram:conv:aWdfZAG06MTpJR01lc3NhZA" and dm.author.remote_id == "5551112223"
    assert dm.created_at == datetime(2026, 5, 4, 11, 0, tzinfo=timezone.utc)
    conv = next(r for r in router.requests if r.url.path.endswith("/conversations"))
    assert conv.url.params["platform"] == "instagram"
    # media without comments are not asked
    assert not any("17895695668004551" in r.url.path for r in router.requests)


def test_cursor_resume_and_limit():
    a, _, _ = ig(inbound_routes())
    first = run(a.fetch_inbound(None, limit=3))
    assert len(first.items) == 3 and first.has_more
    a2, _, _ = ig(inbound_routes())
    second = run(a2.fetch_inbound(first.cursor))
    assert [i.remote_id for i in second.items] == ["aWdfZAG1faXRlbTox"] and not second.has_more
    a3, _, _ = ig(inbound_routes())
    assert run(a3.fetch_inbound(second.cursor)).items == []


@pytest.mark.parametrize("name,status,exc", [
    ("error_190.json", 400, AuthError),
    ("error_80001.json", 400, RateLimitedError),
    ("error_100.json", 400, PermanentError),
    ("error_plain_404.json", 404, PermanentError),
    ("error_plain_404.json", 403, PermanentError),
    ("error_500.json", 502, TransientError),
])
def test_errors_are_typed(name, status, exc):
    for route in (f"/{IG_USER}/media", f"/{MEDIA}/comments", f"/{IG_USER}/tags"):
        a, _, _ = ig(inbound_routes({("GET", route): ok(name, status)}))
        with pytest.raises(exc) as ei:
            run(a.fetch_inbound(None))
        assert TOKEN not in str(ei.value) and ei.value.platform == "instagram"


@pytest.mark.parametrize("name", ["malformed.html", "truncated.json", "missing_fields.json"])
def test_malformed_is_permanent(name):
    for route in (f"/{IG_USER}/media", f"/{MEDIA}/comments", f"/{PAGE}/conversations", f"/{IG_USER}/tags"):
        a, _, _ = ig(inbound_routes({("GET", route): ok(name)}))
        with pytest.raises(PermanentError, match="malformed response from instagram"):
            run(a.fetch_inbound(None))


def _item(kind, rid, parent=None, created=NOW - timedelta(hours=2)):
    return InboundItem(platform="instagram", account_id="instagram:acme", remote_id=rid, kind=kind,
                       thread_id="t", author=Author("5551112223", "@jane.doe"), text="x",
                       created_at=created, parent_remote_id=parent)


def test_reply_to_comment_dm_and_mention():
    a, router, _ = ig({("POST", "/17870913679156914/replies"): ok("ig_reply_created.json"),
                       ("POST", f"/{PAGE}/messages"): ok("message_sent.json")})
    r = run(a.send_reply(_item(ItemKind.COMMENT, "17870913679156914", MEDIA), "Thanks!", idempotency_key="k"))
    assert r.remote_id == "17870913679156999"
    assert dict(httpx.QueryParams(router.requests[0].content.decode())) == {"message": "Thanks!"}
    r = run(a.send_reply(_item(ItemKind.DM, "m1"), "Yes we do", idempotency_key="k"))
    assert json.loads(router.requests[1].content)["recipient"] == {"id": "5551112223"}
    with pytest.raises(PermanentError, match="24 hours"):
        run(a.send_reply(_item(ItemKind.DM, "m1", created=NOW - timedelta(days=2)), "late",
                         idempotency_key="k"))
    with pytest.raises(UnsupportedError, match="tagged"):
        run(a.send_reply(_item(ItemKind.MENTION, "18000000000000001"), "hi", idempotency_key="k"))
    assert len(router.requests) == 2
    with pytest.raises(PermanentError, match="2200"):
        run(a.send_reply(_item(ItemKind.COMMENT, "1", MEDIA), "x" * 2201, idempotency_key="k"))


def test_publish_one_image():
    a, router, _ = ig({("POST", f"/{IG_USER}/media"): ok("ig_container.json"),
                       ("POST", f"/{IG_USER}/media_publish"): ok("ig_published.json"),
                       ("GET", "/17920238422030506"): ok("ig_permalink.json")})
    img = MediaAttachment(alt_text="Latte art", source_url="https://cdn.example/latte.jpg")
    r = run(a.publish(OutboundPost(text="Monday #coffee", media=(img,)), idempotency_key="k"))
    assert r.remote_id == "17920238422030506" and r.url == "https://www.instagram.com/p/NeW/"
    assert dict(httpx.QueryParams(router.requests[0].content.decode())) == {
        "image_url": "https://cdn.example/latte.jpg", "caption": "Monday #coffee", "alt_text": "Latte art"}
    assert dict(httpx.QueryParams(router.requests[1].content.decode())) == {"creation_id": "17889615691921648"}


def test_publish_carousel():
    a, router, _ = ig({("POST", f"/{IG_USER}/media"): ok("ig_container.json"),
                       ("POST", f"/{IG_USER}/media_publish"): ok("ig_published.json")})
    media = tuple(MediaAttachment(alt_text=f"p{i}", source_url=f"https://cdn.example/{i}.jpg") for i in range(2))
    r = run(a.publish(OutboundPost(text="two", media=media), idempotency_key="k"))
    assert r.url is None  # the permalink look-up failed; the post exists anyway
    last = dict(httpx.QueryParams(router.requests[2].content.decode()))
    assert last["media_type"] == "CAROUSEL" and last["children"] == "17889615691921648,17889615691921648"


def test_publish_refusals_are_clear_and_call_nothing():
    a, router, _ = ig({})
    url_img = MediaAttachment(alt_text="a", source_url="https://cdn.example/a.jpg")
    with pytest.raises(PermanentError, match="no text-only posts"):
        run(a.publish(OutboundPost(text="just words"), idempotency_key="k"))
    with pytest.raises(PermanentError, match="public URL"):
        run(a.publish(OutboundPost(text="x", media=(MediaAttachment(alt_text="a", data=b"x"),)),
                      idempotency_key="k"))
    with pytest.raises(PermanentError, match="6 hashtags; Instagram allows 5"):
        run(a.publish(OutboundPost(text="#a #b #c #d #e #f", media=(url_img,)), idempotency_key="k"))
    with pytest.raises(PermanentError, match="2201 characters"):
        run(a.publish(OutboundPost(text="x" * 2201, media=(url_img,)), idempotency_key="k"))
    assert router.requests == []


def test_publish_is_not_retried_on_5xx():
    a, router, _ = ig({("POST", f"/{IG_USER}/media"): ok("ig_container.json"),
                       ("POST", f"/{IG_USER}/media_publish"): ok("error_500.json", 500)})
    img = MediaAttachment(alt_text="a", source_url="https://cdn.example/a.jpg")
    with pytest.raises(TransientError):
        run(a.publish(OutboundPost(text="x", media=(img,)), idempotency_key="k"))
    assert len(router.requests) == 2


def test_hashtag_search():
    a, router, _ = ig({("GET", "/ig_hashtag_search"): ok("ig_hashtag_search.json"),
                       ("GET", f"/{HASHTAG}/recent_media"): ok("ig_recent_media.json")})
    page = run(a.search("#coffee", limit=10))
    assert [p.remote_id for p in page.posts] == ["18002", "18001"]  # newest first
    assert page.posts[0].author == Author("", "") and page.posts[0].text == "newer #coffee"
    assert router.requests[0].url.params["q"] == "coffee"
    assert router.requests[0].url.params["user_id"] == IG_USER
    assert router.requests[1].url.params["user_id"] == IG_USER
    page2 = run(a.search("coffee", cursor=page.cursor))
    assert router.requests[-1].url.params["after"] == "a1"
    assert len(router.requests) == 3  # the hashtag id travels in the cursor
    assert page2.posts


def test_hashtag_search_refuses_keywords_and_handles_unknown_tags():
    a, router, _ = ig({("GET", "/ig_hashtag_search"): ok("empty.json")})
    for q in ("two words", "", "#", "caf\u00e9 latte"):
        with pytest.raises(PermanentError, match="hashtags only"):
            run(a.search(q))
    assert hashtag_of(" #Café ") == "Café"
    assert run(a.search("#nothing")).posts == []
    with pytest.raises(PermanentError):
        run(a.search("coffee", cursor="bogus"))


# -- finding our own post, and what an ambiguous failure says --------------------

OWN_MEDIA = f"/{IG_USER}/media"
COFFEE = OutboundPost(text="Monday #coffee ☕", media=(MediaAttachment(alt_text="a", source_url="https://c/a.jpg"),))


def own_media(over=None):
    return {("GET", OWN_MEDIA): [ok("ig_own_media.json"), ok("ig_own_media_page2.json")], **(over or {})}


def test_find_published_finds_the_media_by_caption_and_stops_at_since():
    a, router, _ = ig(own_media())
    assert a.capabilities.find_published and not a.capabilities.idempotent_publish
    found = run(a.find_published(COFFEE, since=datetime(2026, 5, 4, 10, tzinfo=timezone.utc)))
    assert found.remote_id == "17920238422030510" and found.url == "https://www.instagram.com/p/MoN2/"
    assert found.published_at == datetime(2026, 5, 4, 11, 58, tzinfo=timezone.utc)
    assert len(router.requests) == 1                    # page 1 already reached media before 10:00
    assert router.requests[0].url.params["fields"] == "id,caption,timestamp,permalink"


def test_find_published_takes_the_oldest_match_across_pages():
    a, router, _ = ig(own_media())
    found = run(a.find_published(COFFEE, since=datetime(2026, 4, 30, tzinfo=timezone.utc)))
    assert found.remote_id == "17920238422030500" and len(router.requests) == 2


def test_find_published_answers_none_when_no_caption_matches():
    a, _, _ = ig(own_media())
    assert run(a.find_published(OutboundPost(text="Tuesday tea"),
                                since=datetime(2026, 5, 4, 10, tzinfo=timezone.utc))) is None


@pytest.mark.parametrize("name, status, exc", [
    ("error_500.json", 500, TransientError), ("error_190.json", 400, AuthError),
    ("missing_fields.json", 200, PermanentError)])
def test_find_published_raises_a_typed_error_when_meta_cannot_be_asked(name, status, exc):
    a, _, _ = ig({("GET", OWN_MEDIA): ok(name, status)})
    with pytest.raises(exc):
        run(a.find_published(COFFEE, since=NOW - timedelta(hours=1)))


def test_a_failed_container_says_nothing_was_sent_a_failed_media_publish_may_have():
    img = MediaAttachment(alt_text="a", source_url="https://cdn.example/a.jpg")
    a, _, _ = ig({("POST", f"/{IG_USER}/media"): ok("error_500.json", 500)})
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="x", media=(img,)), idempotency_key="k"))
    assert raised.value.maybe_sent is False
    a, _, _ = ig({("POST", f"/{IG_USER}/media"): ok("ig_container.json"),
                  ("POST", f"/{IG_USER}/media_publish"): ok("error_500.json", 500)})
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="x", media=(img,)), idempotency_key="k"))
    assert raised.value.maybe_sent is True
