"""Publishing, deleting and searching on Bluesky, against the fake PDS."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import pytest
from hypothesis import given, settings, strategies as st

from integrations.base import AdapterError, MediaAttachment, OutboundPost, PermanentError, TransientError
from integrations.bluesky import BlueskyAdapter
from integrations.bluesky.publishing import parse_search_page
from tests.integrations.test_bluesky_fake import NOW, FakeBluesky, make_adapter

CREATE = "com.atproto.repo.createRecord"
FEED = "app.bsky.feed.getAuthorFeed"


def run_with(adapter: BlueskyAdapter, coro_fn):
    async def go():
        try:
            return await coro_fn(adapter)
        finally:
            await adapter.aclose()
    return asyncio.run(go())


def created_records(fake: FakeBluesky) -> list[dict]:
    return [json.loads(r.content) for r in fake.calls(CREATE)]


def test_publish_with_mention_and_link_facets_returns_the_public_url():
    fake = FakeBluesky()
    text = "Kettles are back, thanks @alice.bsky.social! 🫖 https://northwind.example/kettles"
    result = run_with(make_adapter(fake), lambda a: a.publish(OutboundPost(text), idempotency_key="post-1"))
    (sent,) = created_records(fake)
    record = sent["record"]
    assert record["text"] == text and "reply" not in record and record["langs"] == ["en"]
    assert record["createdAt"] == "2026-05-04T12:00:00Z"
    kinds = [f["features"][0]["$type"].rsplit("#", 1)[1] for f in record["facets"]]
    assert kinds == ["mention", "link"]
    assert record["facets"][0]["features"][0]["did"] == "did:plc:alice123"
    raw = text.encode("utf-8")
    link = record["facets"][1]["index"]
    assert raw[link["byteStart"]:link["byteEnd"]].decode() == "https://northwind.example/kettles"
    assert result.remote_id == f"at://{sent['repo']}/app.bsky.feed.post/{sent['rkey']}"
    assert result.url == f"https://bsky.app/profile/acme.test/post/{sent['rkey']}"
    assert result.published_at == NOW and result.extra["kind"] == "post"


def test_publish_is_idempotent_and_keys_do_not_collide_with_replies():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def twice(a):
        first = await a.publish(OutboundPost("hello"), idempotency_key="k")
        second = await a.publish(OutboundPost("hello"), idempotency_key="k")
        return first, second

    first, second = run_with(adapter, twice)
    assert first.remote_id == second.remote_id and len(fake.calls(CREATE)) == 1


def test_publish_after_a_lost_answer_returns_the_post_that_landed():
    fake = FakeBluesky()
    fake.lose_create_response = True
    result = run_with(make_adapter(fake), lambda a: a.publish(OutboundPost("hi"), idempotency_key="lost"))
    assert result.remote_id.endswith(result.extra["rkey"]) and len(fake.records) == 1


def test_publish_is_idempotent_by_its_record_key():
    caps = make_adapter(FakeBluesky()).capabilities
    assert caps.idempotent_publish and caps.find_published


def test_a_retry_whose_first_attempt_landed_after_the_look_returns_that_post():
    """The first attempt lands between the retry's getRecord and its createRecord: the
    PDS answers the taken record key with HTTP 500 (as the reference PDS does), and
    the adapter reads the record and returns it instead of failing."""
    fake = FakeBluesky()

    async def go(a):
        first = await a.publish(OutboundPost("Kettles are back"), idempotency_key="race")
        fake.queue("com.atproto.repo.getRecord", 400, "error_record_not_found.json")
        again = await a.publish(OutboundPost("Kettles are back"), idempotency_key="race")
        return first, again

    first, again = run_with(make_adapter(fake), go)
    assert first.remote_id == again.remote_id and len(fake.records) == 1
    assert len(fake.calls(CREATE)) == 2
    assert again.published_at == first.published_at == NOW


def test_a_retry_that_finds_no_record_after_a_failed_create_reports_the_failure():
    fake = FakeBluesky()
    fake.queue(CREATE, 502, "error_internal.json")
    with pytest.raises(TransientError):
        run_with(make_adapter(fake), lambda a: a.publish(OutboundPost("hi"), idempotency_key="none"))
    assert fake.records == {}


def test_find_published_finds_our_post_by_its_text_despite_whitespace():
    fake = FakeBluesky()
    post = OutboundPost("Kettles are back, thanks @alice.bsky.social! 🫖")
    found = run_with(make_adapter(fake), lambda a: a.find_published(
        post, since=datetime(2026, 5, 4, 11, 30, tzinfo=timezone.utc)))
    assert found.remote_id == "at://did:plc:acme/app.bsky.feed.post/3lmnkettle001"   # not alice's repost
    assert found.url == "https://bsky.app/profile/acme.test/post/3lmnkettle001"
    assert found.published_at == datetime(2026, 5, 4, 11, 55, tzinfo=timezone.utc)
    assert found.extra["recovered"] == "true"
    (request,) = fake.calls(FEED)
    assert request.url.params["actor"] == "did:plc:acme"
    assert request.url.params["filter"] == "posts_no_replies"


def test_find_published_reads_older_pages_until_since():
    fake = FakeBluesky()
    found = run_with(make_adapter(fake), lambda a: a.find_published(
        OutboundPost("Spring sale starts today"), since=datetime(2026, 5, 4, 11, 30, tzinfo=timezone.utc)))
    assert found.remote_id.endswith("/3lmnspring001")       # the one since 11:30, not the 10:00 one
    assert [r.url.params.get("cursor") for r in fake.calls(FEED)] == [None, "2026-05-04T11:50:00.000Z"]


def test_find_published_answers_none_and_stops_at_since():
    fake = FakeBluesky()
    found = run_with(make_adapter(fake), lambda a: a.find_published(
        OutboundPost("Spring sale starts today"), since=datetime(2026, 5, 4, 11, 52, tzinfo=timezone.utc)))
    assert found is None and len(fake.calls(FEED)) == 1     # page 1 already reached posts before 11:52


def test_find_published_passes_on_an_api_error():
    fake = FakeBluesky()
    fake.queue(FEED, 502, "error_internal.json")
    with pytest.raises(TransientError):
        run_with(make_adapter(fake), lambda a: a.find_published(
            OutboundPost("x"), since=datetime(2026, 5, 4, 11, tzinfo=timezone.utc)))


def test_publish_uploads_images_with_alt_text_and_aspect_ratio():
    fake = FakeBluesky()
    images = (MediaAttachment("A red kettle on a stove", "image/png", data=b"\x89PNG-1", width=1280, height=760),
              MediaAttachment("", "image/jpeg", data=b"\xff\xd8-2"))
    run_with(make_adapter(fake), lambda a: a.publish(OutboundPost("new colours", media=images),
                                                     idempotency_key="img"))
    assert fake.blobs == [("image/png", b"\x89PNG-1"), ("image/jpeg", b"\xff\xd8-2")]
    embed = created_records(fake)[0]["record"]["embed"]
    assert embed["$type"] == "app.bsky.embed.images"
    assert [i["alt"] for i in embed["images"]] == ["A red kettle on a stove", ""]
    assert embed["images"][0]["aspectRatio"] == {"width": 1280, "height": 760}
    assert "aspectRatio" not in embed["images"][1]
    assert embed["images"][0]["image"]["ref"] == {"$link": "bafkblob1"}


@pytest.mark.parametrize("post, message", [
    (OutboundPost("x" * 301), "301 characters"),
    (OutboundPost("日本" * 200 + "🎉" * 100), "300"),
    (OutboundPost("   "), "empty"),
    (OutboundPost("five", media=tuple(MediaAttachment("a", "image/png", data=b"x") for _ in range(5))),
     "5 images"),
    (OutboundPost("big", media=(MediaAttachment("a", "image/png", data=b"x" * 2_000_001),)), "2,000,001 bytes"),
    (OutboundPost("link", media=(MediaAttachment("a", "image/png", source_url="https://x.example/a.png"),)),
     "no file data"),
    (OutboundPost("pdf", media=(MediaAttachment("a", "application/pdf", data=b"%PDF"),)), "not an image"),
])
def test_publish_refuses_what_bluesky_would_refuse_before_any_call(post, message):
    fake = FakeBluesky()
    with pytest.raises(PermanentError, match=message):
        run_with(make_adapter(fake), lambda a: a.publish(post, idempotency_key="bad"))
    assert fake.requests == []


def test_publish_maps_a_server_refusal_to_a_permanent_error():
    fake = FakeBluesky()
    fake.queue(CREATE, 400, "error_invalid_request.json")
    with pytest.raises(PermanentError, match="InvalidRequest"):
        run_with(make_adapter(fake), lambda a: a.publish(OutboundPost("hello"), idempotency_key="x"))


def test_delete_removes_our_post_and_deleting_twice_is_fine():
    fake = FakeBluesky()

    async def go(a):
        result = await a.publish(OutboundPost("short-lived"), idempotency_key="del")
        await a.delete(result.remote_id)
        await a.delete(result.remote_id)
        return result

    result = run_with(make_adapter(fake), go)
    assert fake.records == {}
    bodies = [json.loads(r.content) for r in fake.calls("com.atproto.repo.deleteRecord")]
    assert bodies[0] == {"repo": result.remote_id.split("/")[2], "collection": "app.bsky.feed.post",
                         "rkey": result.extra["rkey"]}


@pytest.mark.parametrize("uri, message", [
    ("at://did:plc:alice123/app.bsky.feed.post/3lmn2abcxyz2k", "another account"),
    ("https://bsky.app/profile/acme.test/post/3abc", "not a Bluesky post URI"),
    ("at://did:plc:x/app.bsky.feed.like/3abc", "not a Bluesky post URI"),
])
def test_delete_refuses_foreign_or_malformed_uris(uri, message):
    fake = FakeBluesky()
    with pytest.raises(PermanentError, match=message):
        run_with(make_adapter(fake), lambda a: a.delete(uri))
    assert fake.calls("com.atproto.repo.deleteRecord") == []


def test_search_returns_found_posts_and_skips_broken_views():
    fake = FakeBluesky()
    page = run_with(make_adapter(fake), lambda a: a.search("northwind", limit=500))
    (request,) = fake.calls("app.bsky.feed.searchPosts")
    assert request.url.params["q"] == "northwind" and request.url.params["limit"] == "100"
    assert request.url.params["sort"] == "latest"
    assert [p.remote_id.rsplit("/", 1)[1] for p in page.posts] == ["3lmsearch0001", "3lmsearch0002"]
    first, second = page.posts
    assert first.author.handle == "@alice.bsky.social" and first.language == "en"
    assert first.url == "https://bsky.app/profile/alice.bsky.social/post/3lmsearch0001"
    assert first.created_at == datetime(2026, 5, 4, 11, tzinfo=timezone.utc)
    assert second.created_at == datetime(2026, 5, 4, 10, 59, tzinfo=timezone.utc)  # from indexedAt
    assert page.cursor == "25"


def test_search_follows_the_cursor_to_an_empty_end():
    fake = FakeBluesky()
    page = run_with(make_adapter(fake), lambda a: a.search("northwind", cursor="25"))
    assert page.posts == [] and page.cursor is None


@pytest.mark.parametrize("body", [{"posts": "nope"}, {"cursor": 5, "posts": []}, [], {"hits": []}])
def test_search_with_a_bad_envelope_is_permanent(body):
    fake = FakeBluesky()
    fake.queue("app.bsky.feed.searchPosts", 200, body)
    with pytest.raises(PermanentError):
        run_with(make_adapter(fake), lambda a: a.search("x"))


def test_search_refuses_an_empty_query():
    with pytest.raises(PermanentError, match="empty"):
        run_with(make_adapter(FakeBluesky()), lambda a: a.search("  "))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=20),
    lambda children: st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=5),
    max_leaves=25)


@given(json_values)
@settings(max_examples=150)
def test_search_parser_gives_a_page_or_a_typed_error(body):
    try:
        page = parse_search_page(body)
    except AdapterError:
        return
    assert all(p.remote_id.startswith("at://") for p in page.posts)


@given(st.fixed_dictionaries({"posts": st.lists(json_values, max_size=5)}))
@settings(max_examples=150)
def test_search_parser_skips_arbitrary_post_views(body):
    page = parse_search_page(body)
    assert len(page.posts) <= len(body["posts"])
