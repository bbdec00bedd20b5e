"""The X adapter going out: threaded replies and DM replies, posts with media,
delete and search, against fixtures in the documented shapes (MockTransport)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from integrations.base import (
    AuthError,
    ItemKind,
    MediaAttachment,
    OutboundPost,
    PermanentError,
    RateLimitedError,
    TransientError,
)
from tests.integrations.test_x import (
    NOW,
    OWN_ID,
    fixture,
    item,
    make,
    ok,
    run,
    std_routes,
)


# -- replies ---------------------------------------------------------------------

def test_reply_to_mention_is_threaded_and_sent_once():
    a, router = make(std_routes({("POST", "/2/tweets"): ok("tweet_created.json", 201)}))
    result = run(a.send_reply(item(), "We are on it!", idempotency_key="k1"))
    body = json.loads(router.requests[-1].content)
    assert body == {"text": "We are on it!", "reply": {"in_reply_to_tweet_id": "1301573587187331076"}}
    assert result.remote_id == "1445880548472328192"
    assert result.url == "https://x.com/acme/status/1445880548472328192"
    assert result.published_at == NOW


def test_reply_to_dm_is_a_dm_in_the_conversation():
    a, router = make(std_routes({
        ("POST", "/2/dm_conversations/944480690-2244994945/messages"): ok("dm_created.json", 201)}))
    result = run(a.send_reply(item(ItemKind.DM, "1582838535115067392", "x:dm:944480690-2244994945"),
                              "Sorry! Refund on its way.", idempotency_key="k"))
    assert json.loads(router.requests[-1].content) == {"text": "Sorry! Refund on its way."}
    assert result.remote_id == "1582838535115067400" and result.url is None
    with pytest.raises(PermanentError, match="not an x DM thread"):
        run(a.send_reply(item(ItemKind.DM, "1", "x:conv:1"), "hi", idempotency_key="k"))


def test_reply_too_long_is_refused_before_sending():
    a, router = make(std_routes())
    with pytest.raises(PermanentError, match="281 weighted characters"):
        run(a.send_reply(item(), "a" * 281, idempotency_key="k"))
    with pytest.raises(PermanentError, match="282 weighted"):
        run(a.send_reply(item(), "漢" * 141, idempotency_key="k"))
    assert router.requests == []


@pytest.mark.parametrize("name,words", [
    ("error_403_duplicate.json", "duplicate"),
    ("error_403_summoned.json", "mentioned or quoted this account"),
])
def test_reply_403s_are_permanent_and_say_why(name, words):
    a, _ = make(std_routes({("POST", "/2/tweets"): ok(name, 403)}))
    with pytest.raises(PermanentError) as ei:
        run(a.send_reply(item(), "hello", idempotency_key="k"))
    assert not isinstance(ei.value, AuthError)
    assert words in str(ei.value)


def test_reply_5xx_is_not_retried_and_a_retry_finds_the_post():
    routes = std_routes({
        ("POST", "/2/tweets"): ok("error_500.json", 503),
        ("GET", f"/2/users/{OWN_ID}/tweets"): ok("user_tweets.json"),
    })
    a, router = make(routes)
    text = "We are on it: https://example.com/orders?id=1 & more"
    with pytest.raises(TransientError):
        run(a.send_reply(item(), text, idempotency_key="same"))
    assert router.paths("POST") == ["/2/tweets"]  # sent once
    result = run(a.send_reply(item(), text, idempotency_key="same"))
    assert result.remote_id == "1445880548472328199" and result.extra["recovered"] == "true"
    assert result.published_at == datetime(2024, 1, 15, 10, 40, tzinfo=timezone.utc)
    assert router.paths("POST") == ["/2/tweets"]  # not posted again
    lookup = router.requests[-1]
    assert lookup.url.params["max_results"] == "10"
    assert "referenced_tweets" in lookup.url.params["tweet.fields"]


def test_retry_posts_again_when_the_post_is_not_found():
    routes = std_routes({("GET", f"/2/users/{OWN_ID}/tweets"): ok("user_tweets.json")})
    calls = {"n": 0}

    def tweets(request):
        calls["n"] += 1
        if calls["n"] == 1:
            raise httpx.ReadTimeout("slow", request=request)
        return ok("tweet_created.json", 201)

    routes[("POST", "/2/tweets")] = tweets
    a, router = make(routes)
    with pytest.raises(TransientError, match="network error"):
        run(a.send_reply(item(), "A different text", idempotency_key="k"))
    result = run(a.send_reply(item(), "A different text", idempotency_key="k"))
    assert result.remote_id == "1445880548472328192"
    assert router.paths("POST") == ["/2/tweets", "/2/tweets"]
    assert f"/2/users/{OWN_ID}/tweets" in router.paths("GET")
    # a key whose create succeeded is forgotten: no more look-ups
    n = len(router.requests)
    run(a.send_reply(item(), "A different text", idempotency_key="k"))
    assert router.paths()[n:] == ["/2/tweets"]


def test_dm_retry_after_ambiguous_failure_finds_the_message():
    conv = "944480690-2244994945"
    routes = std_routes({
        ("POST", f"/2/dm_conversations/{conv}/messages"): ok("error_500.json", 500),
        ("GET", f"/2/dm_conversations/{conv}/dm_events"): ok("dm_conversation_events.json"),
    })
    a, router = make(routes)
    dm = item(ItemKind.DM, "1582838535115067392", f"x:dm:{conv}")
    with pytest.raises(TransientError):
        run(a.send_reply(dm, "Your refund is on its way.", idempotency_key="d"))
    result = run(a.send_reply(dm, "Your refund is on its way.", idempotency_key="d"))
    assert result.remote_id == "1582838535115067399"
    assert len(router.paths("POST")) == 1


def test_rate_limited_create_is_not_ambiguous():
    headers = json.loads(fixture("error_429.headers.json"))
    a, _ = make(std_routes({("POST", "/2/tweets"): ok("error_429.json", 429, headers=headers)}))
    with pytest.raises(RateLimitedError):
        run(a.send_reply(item(), "hi", idempotency_key="r"))
    assert "r" not in a._ambiguous


# -- publish ---------------------------------------------------------------------

def publish_routes(over: dict | None = None) -> dict:
    routes = std_routes({
        ("POST", "/2/media/upload"): ok("media_uploaded.json"),
        ("POST", "/2/media/metadata"): ok("media_metadata.json"),
        ("POST", "/2/tweets"): ok("tweet_created.json", 201),
    })
    routes.update(over or {})
    return routes


def test_publish_uploads_media_with_alt_text_then_posts():
    a, router = make(publish_routes())
    post = OutboundPost(text="Launch day!", media=(
        MediaAttachment(alt_text="A red box", data=b"\xff\xd8jpeg", filename="box.jpg"),
        MediaAttachment(alt_text="", data=b"PNG", mime_type="image/png")))
    result = run(a.publish(post, idempotency_key="p"))
    assert router.paths() == ["/2/media/upload", "/2/media/metadata", "/2/media/upload", "/2/tweets"]
    upload = router.requests[0]
    assert upload.headers["content-type"].startswith("multipart/form-data; boundary=")
    assert b'name="media_category"\r\n\r\ntweet_image' in upload.content
    assert b'name="media"; filename="box.jpg"' in upload.content and b"\xff\xd8jpeg" in upload.content
    assert json.loads(router.requests[1].content) == {
        "id": "1880028106020515840", "metadata": {"alt_text": {"text": "A red box"}}}
    assert json.loads(router.requests[-1].content) == {
        "text": "Launch day!", "media": {"media_ids": ["1880028106020515840", "1880028106020515840"]}}
    assert result.url == "https://x.com/acme/status/1445880548472328192"
    assert result.published_at == NOW


def test_publish_text_only_appends_link():
    a, router = make(publish_routes())
    run(a.publish(OutboundPost(text="Read this", link="https://acme.example/blog"),
                  idempotency_key="p"))
    assert json.loads(router.requests[-1].content) == {"text": "Read this\nhttps://acme.example/blog"}


@pytest.mark.parametrize("post,words", [
    (OutboundPost(text="x", media=tuple(MediaAttachment(alt_text="a", data=b"1") for _ in range(5))),
     "at most 4"),
    (OutboundPost(text="x", media=(MediaAttachment(alt_text="a" * 1001, data=b"1"),)), "1001"),
    (OutboundPost(text="x", media=(MediaAttachment(alt_text="a", source_url="https://i"),)),
     "image bytes"),
    (OutboundPost(text="b" * 300), "300 weighted"),
    (OutboundPost(text="  "), "empty"),
])
def test_publish_refuses_what_x_would_refuse_before_any_request(post, words):
    a, router = make(publish_routes())
    with pytest.raises(PermanentError, match=words):
        run(a.publish(post, idempotency_key="p"))
    assert router.requests == []


def test_publish_upload_error_stops_before_posting():
    a, router = make(publish_routes({("POST", "/2/media/upload"): ok("error_400.json", 400)}))
    with pytest.raises(PermanentError):
        run(a.publish(OutboundPost(text="x", media=(MediaAttachment(alt_text="a", data=b"1"),)),
                      idempotency_key="p"))
    assert "/2/tweets" not in router.paths()


def test_publish_retry_after_timeout_finds_the_post_with_its_media_link():
    a, router = make(publish_routes({
        ("POST", "/2/tweets"): ok("error_500.json", 502),
        ("GET", f"/2/users/{OWN_ID}/tweets"): ok("user_tweets.json"),
    }))
    post = OutboundPost(text="Launch day! https://acme.example/launch",
                        media=(MediaAttachment(alt_text="a", data=b"1"),))
    with pytest.raises(TransientError):
        run(a.publish(post, idempotency_key="launch"))
    result = run(a.publish(post, idempotency_key="launch"))
    assert result.remote_id == "1445880548472328198"
    assert router.paths("POST").count("/2/tweets") == 1
    assert router.paths("POST").count("/2/media/upload") == 1  # not uploaded again


def test_publish_malformed_create_response():
    a, _ = make(publish_routes({("POST", "/2/tweets"): httpx.Response(201, json={"data": {}})}))
    with pytest.raises(PermanentError, match="malformed response from x: tweets.id"):
        run(a.publish(OutboundPost(text="x"), idempotency_key="p"))


# -- delete ----------------------------------------------------------------------

def test_delete():
    a, router = make(std_routes({("DELETE", "/2/tweets/1445880548472328192"): ok("deleted.json")}))
    assert run(a.delete("1445880548472328192")) is None
    assert router.requests[-1].method == "DELETE"


@pytest.mark.parametrize("response", [ok("error_404.json", 404), ok("errors_only.json")])
def test_delete_of_a_deleted_post_is_not_an_error(response):
    a, _ = make(std_routes({("DELETE", "/2/tweets/1"): response}))
    assert run(a.delete("1")) is None


@pytest.mark.parametrize("response,exc", [
    (ok("not_deleted.json"), PermanentError), (ok("error_403_auth.json", 403), AuthError),
    (ok("error_500.json", 500), TransientError), (ok("malformed.html"), PermanentError)])
def test_delete_failures(response, exc):
    a, _ = make(std_routes({("DELETE", "/2/tweets/1"): response}))
    with pytest.raises(exc):
        run(a.delete("1"))


# -- search ----------------------------------------------------------------------

def test_search_newest_first_with_cursor():
    a, router = make(std_routes({("GET", "/2/tweets/search/recent"): ok("search_page.json")}))
    page = run(a.search('acme OR "acme corp" -is:retweet', limit=5))
    assert [p.remote_id for p in page.posts] == ["1700000000000000002", "1700000000000000001"]
    first = page.posts[0]
    assert first.author.handle == "@happy" and first.text == "acme corp shipped fast 👍"
    assert first.url == "https://x.com/happy/status/1700000000000000002"
    assert first.created_at.tzinfo is not None
    assert page.cursor == "b26v89c19zqg8o3fo7gesq314yb9l2l4ptqy"
    params = router.requests[-1].url.params
    assert params["query"] == 'acme OR "acme corp" -is:retweet'
    assert params["max_results"] == "10" and "next_token" not in params
    run(a.search("acme", cursor=page.cursor, limit=500))
    params = router.requests[-1].url.params
    assert params["next_token"] == page.cursor and params["max_results"] == "100"


def test_search_empty_and_errors():
    a, _ = make(std_routes({("GET", "/2/tweets/search/recent"): ok("empty.json")}))
    page = run(a.search("acme"))
    assert page.posts == [] and page.cursor is None
    with pytest.raises(PermanentError, match="empty"):
        run(a.search("  "))
    with pytest.raises(PermanentError, match="513"):
        run(a.search("a" * 513))
    a, _ = make(std_routes({("GET", "/2/tweets/search/recent"): ok("error_400.json", 400)}))
    with pytest.raises(PermanentError, match="query"):
        run(a.search("acme"))


# -- finding our own post (the publisher asks after an ambiguous failure) ---------

OWN_TWEETS = f"/2/users/{OWN_ID}/tweets"
LAUNCH = OutboundPost(text="Launch day! Details: https://acme.example/launch?utm_source=socops 🚀",
                      media=(MediaAttachment(alt_text="a", data=b"1"),))


def own_posts_routes(over: dict | None = None) -> dict:
    return std_routes({(
        "GET", OWN_TWEETS): [ok("own_posts_page1.json"), ok("own_posts_page2.json")], **(over or {})})


def test_find_published_matches_despite_shortened_links_and_skips_replies():
    a, router = make(own_posts_routes())
    assert a.capabilities.find_published and not a.capabilities.idempotent_publish
    found = run(a.find_published(LAUNCH, since=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)))
    assert found.remote_id == "1445880548472328300"          # not the reply with the same words
    assert found.url == "https://x.com/acme/status/1445880548472328300"
    assert found.published_at == datetime(2024, 1, 15, 10, 57, tzinfo=timezone.utc)
    params = router.requests[0].url.params
    assert params["start_time"] == "2024-01-15T10:30:00Z" and params["exclude"] == "replies,retweets"
    assert params["max_results"] == "100" and "referenced_tweets" in params["tweet.fields"]


def test_find_published_reads_every_page_since_and_takes_the_oldest_match():
    a, router = make(own_posts_routes())
    found = run(a.find_published(OutboundPost(text="Spring sale starts today"),
                                 since=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)))
    assert found.remote_id == "1445880548472328280"
    assert router.requests[1].url.params["pagination_token"] == "7140dibdnow9c7btw3w29grvxfcgvpb9n9coehpk7xz5i"


def test_find_published_answers_none_when_the_text_is_not_there():
    a, router = make(own_posts_routes())
    assert run(a.find_published(OutboundPost(text="Launch day!"),
                                since=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc))) is None
    assert router.paths("GET") == [OWN_TWEETS, OWN_TWEETS]


@pytest.mark.parametrize("response, error", [
    (ok("error_500.json", 503), TransientError), (ok("error_403_auth.json", 403), AuthError),
    (ok("malformed.html"), PermanentError)])
def test_find_published_raises_a_typed_error_when_x_cannot_be_asked(response, error):
    a, _ = make(own_posts_routes({("GET", OWN_TWEETS): response}))
    with pytest.raises(error):
        run(a.find_published(LAUNCH, since=datetime(2024, 1, 15, 10, 30, tzinfo=timezone.utc)))


def test_publish_retry_after_an_ambiguous_failure_looks_from_shortly_before_it():
    a, router = make(publish_routes({("POST", "/2/tweets"): ok("error_500.json", 503),
                                     ("GET", OWN_TWEETS): ok("own_posts_page1.json")}))
    with pytest.raises(TransientError) as raised:
        run(a.publish(LAUNCH, idempotency_key="launch"))
    assert raised.value.maybe_sent
    assert run(a.publish(LAUNCH, idempotency_key="launch")).remote_id == "1445880548472328300"
    assert router.requests[-1].url.params["start_time"] == "2024-01-15T10:55:00Z"   # NOW - 5 min


def test_a_create_that_never_left_is_not_ambiguous():
    def refused(request):
        raise httpx.ConnectError("connection refused", request=request)

    a, router = make(publish_routes({("POST", "/2/tweets"): refused}))
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="hi"), idempotency_key="k"))
    assert raised.value.maybe_sent is False and "k" not in a._ambiguous


def test_a_failed_upload_means_the_post_was_never_sent():
    a, router = make(publish_routes({("POST", "/2/media/upload"): ok("error_500.json", 503)}))
    with pytest.raises(TransientError) as raised:
        run(a.publish(LAUNCH, idempotency_key="k"))
    assert raised.value.maybe_sent is False and "k" not in a._ambiguous
    assert "/2/tweets" not in router.paths()


def test_a_failed_token_refresh_before_the_create_means_nothing_was_sent():
    a, router = make(publish_routes({("POST", "/2/oauth2/token"): ok("error_500.json", 503)}),
                     refresh_token="refresh-SECRET-1", client_id="cid",
                     expires_at=NOW + timedelta(seconds=10))
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="hi"), idempotency_key="k"))
    assert raised.value.maybe_sent is False
    assert "/2/tweets" not in router.paths()
