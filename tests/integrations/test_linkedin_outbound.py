"""The LinkedIn adapter going out: comment replies in 2-level threads, posts with
images, delete; against fixtures in the documented shapes (MockTransport)."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import httpx
import pytest
from hypothesis import given, strategies as st

from integrations.base import (
    AuthError,
    ItemKind,
    MediaAttachment,
    OutboundPost,
    PermanentError,
    TransientError,
    UnsupportedError,
)
from integrations.linkedin.little_text import escape_little_text, plain_text
from tests.integrations.test_linkedin import (
    COMMENT_1,
    COMMENT_REPLY,
    MENTION_POST,
    NOW,
    ORG,
    POST,
    TOKEN,
    _item,
    adapter,
    assert_rest_headers,
    created,
    enc,
    fixture,
    ok,
    run,
)


# -- send_reply --------------------------------------------------------------------

COMMENTS_OF_POST = f"/rest/socialActions/{enc(POST)}/comments"


def test_reply_to_a_top_level_comment_threads_under_it():
    a, router = adapter({("POST", COMMENTS_OF_POST): created("7191399999999999999")})
    result = run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "Yes (soon) #EU @team",
                              idempotency_key="k"))
    post = router.requests[-1]
    assert_rest_headers(post)
    assert json.loads(post.content) == {
        "actor": ORG, "object": POST,
        "message": {"text": "Yes \\(soon\\) \\#EU \\@team"},
        "parentComment": COMMENT_1,
    }
    assert result.remote_id == "7191399999999999999"
    assert result.url == f"https://www.linkedin.com/feed/update/{POST}/"
    assert result.published_at == NOW and result.extra["parent_comment"] == COMMENT_1


def test_reply_to_a_reply_uses_its_top_level_comment():
    a, router = adapter({("POST", COMMENTS_OF_POST): created("1")})
    run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_REPLY, parent=COMMENT_1), "ok",
                     idempotency_key="k"))
    assert json.loads(router.requests[-1].content)["parentComment"] == COMMENT_1


def test_reply_to_a_mention_comments_on_the_post():
    path = f"/rest/socialActions/{enc(MENTION_POST)}/comments"
    a, router = adapter({("POST", path): created("2")})
    run(a.send_reply(_item(ItemKind.MENTION, MENTION_POST, thread=f"linkedin:{MENTION_POST}"),
                     "Thanks!", idempotency_key="k"))
    body = json.loads(router.requests[-1].content)
    assert body == {"actor": ORG, "object": MENTION_POST, "message": {"text": "Thanks!"}}


def test_reply_refusals_and_failures():
    a, router = adapter({("POST", COMMENTS_OF_POST): [
        ok("error_500.json", 500), ok("error_403.json", 403), httpx.Response(201)]})
    with pytest.raises(UnsupportedError, match="messaging"):
        run(a.send_reply(_item(ItemKind.DM, "x"), "hi", idempotency_key="k"))
    with pytest.raises(PermanentError, match="3001 characters"):
        run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "x" * 3001, idempotency_key="k"))
    with pytest.raises(PermanentError, match="not a LinkedIn thread"):
        run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1, thread="mastodon:1"), "hi",
                         idempotency_key="k"))
    assert router.requests == []
    with pytest.raises(TransientError):  # a create is not retried: no idempotency key
        run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "hi", idempotency_key="k"))
    assert len(router.requests) == 1
    with pytest.raises(PermanentError, match="Not enough permissions"):
        run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "hi", idempotency_key="k"))
    with pytest.raises(PermanentError, match="no x-restli-id"):
        run(a.send_reply(_item(ItemKind.COMMENT, COMMENT_1), "hi", idempotency_key="k"))


# -- publish -------------------------------------------------------------------------

NEW_POST = "urn:li:share:7193000000000000000"


def test_publish_text_post():
    a, router = adapter({("POST", "/rest/posts"): created(NEW_POST)})
    result = run(a.publish(OutboundPost(text="Launch day (v2) #release 100% @ noon"),
                           idempotency_key="k"))
    request = router.requests[-1]
    assert_rest_headers(request)
    assert request.headers["content-type"] == "application/json"
    assert json.loads(request.content) == {
        "author": ORG,
        "commentary": "Launch day \\(v2\\) \\#release 100% \\@ noon",
        "visibility": "PUBLIC",
        "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                         "thirdPartyDistributionChannels": []},
        "lifecycleState": "PUBLISHED",
        "isReshareDisabledByAuthor": False,
    }
    assert result.remote_id == NEW_POST
    assert result.url == f"https://www.linkedin.com/feed/update/{NEW_POST}/"
    assert result.published_at == NOW and result.published_at.tzinfo


def test_publish_length_is_counted_before_escaping_and_link_is_appended():
    a, router = adapter({("POST", "/rest/posts"): created(NEW_POST)})
    run(a.publish(OutboundPost(text="#" * 3000), idempotency_key="k"))  # 6000 once escaped: fine
    assert json.loads(router.requests[-1].content)["commentary"] == "\\#" * 3000
    with pytest.raises(PermanentError, match="3001 characters; LinkedIn allows 3000"):
        run(a.publish(OutboundPost(text="x" * 3001), idempotency_key="k"))
    run(a.publish(OutboundPost(text="Read this", link="https://acme.example/a"), idempotency_key="k"))
    assert json.loads(router.requests[-1].content)["commentary"] == "Read this\n\nhttps://acme.example/a"
    assert len(router.requests) == 2


def _image_routes(posted: list):
    upload = "/dms-uploads/sp/v2/D4E10AQ/uploaded-image/0"
    counter = iter(range(1, 100))

    def init(request):
        n = next(counter)
        body = json.loads(fixture("image_init.json"))
        body["value"]["image"] = f"urn:li:image:IMG{n}"
        return httpx.Response(200, json=body)

    def post(request):
        posted.append(json.loads(request.content))
        return created(NEW_POST)

    return {("POST", "/rest/images"): init, ("PUT", upload): httpx.Response(201),
            ("POST", "/rest/posts"): post}


def test_publish_with_one_image_uploads_then_posts():
    posted: list = []
    a, router = adapter(_image_routes(posted))
    media = MediaAttachment(alt_text="Our new office (Berlin)", mime_type="image/png", data=b"\x89PNG..")
    result = run(a.publish(OutboundPost(text="New office", media=(media,)), idempotency_key="k"))
    init, put, create = router.requests
    assert init.url.params["action"] == "initializeUpload"
    assert json.loads(init.content) == {"initializeUploadRequest": {"owner": ORG}}
    assert_rest_headers(init)
    assert put.url.host == "www.linkedin.com" and put.content == b"\x89PNG.."
    assert put.headers["authorization"] == f"Bearer {TOKEN}"
    assert put.headers["content-type"] == "image/png"
    assert posted[0]["content"] == {"media": {"id": "urn:li:image:IMG1",
                                              "altText": "Our new office (Berlin)"}}
    assert result.extra == {"images": "urn:li:image:IMG1"}
    assert a.calls_today == {"images": 1, "image-upload": 1, "posts": 1}


def test_publish_with_several_images_is_multi_image():
    posted: list = []
    a, _ = adapter(_image_routes(posted))
    media = tuple(MediaAttachment(alt_text=f"alt {n}", data=b"jpeg") for n in range(3))
    run(a.publish(OutboundPost(text="Gallery", media=media), idempotency_key="k"))
    assert posted[0]["content"] == {"multiImage": {"images": [
        {"id": f"urn:li:image:IMG{n}", "altText": f"alt {n - 1}"} for n in (1, 2, 3)]}}


def test_publish_media_refusals():
    posted: list = []
    a, router = adapter(_image_routes(posted))
    too_many = tuple(MediaAttachment(alt_text="a", data=b"x") for _ in range(21))
    with pytest.raises(PermanentError, match="at most 20 images"):
        run(a.publish(OutboundPost(text="x", media=too_many), idempotency_key="k"))
    with pytest.raises(PermanentError, match="image bytes"):
        run(a.publish(OutboundPost(text="x", media=(MediaAttachment(
            alt_text="a", source_url="https://cdn.example/a.jpg"),)), idempotency_key="k"))
    assert router.requests == []
    a2, router2 = adapter({("POST", "/rest/images"): ok("image_init_foreign_host.json")})
    with pytest.raises(PermanentError, match="uploadUrl"):
        run(a2.publish(OutboundPost(text="x", media=(MediaAttachment(alt_text="a", data=b"x"),)),
                       idempotency_key="k"))
    assert [r.method for r in router2.requests] == ["POST"]  # the token never went to evil.example


def test_publish_duplicate_and_server_error():
    a, router = adapter({("POST", "/rest/posts"): [
        ok("error_422_duplicate.json", 422), ok("error_500.json", 502),
        ok("error_426.json", 426)]})
    with pytest.raises(PermanentError, match="the same text was already posted") as ei:
        run(a.publish(OutboundPost(text="again"), idempotency_key="k"))
    assert "urn:li:share:7190000000000000000" in str(ei.value)
    with pytest.raises(TransientError):
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert len(router.requests) == 2  # no retry of the create
    with pytest.raises(PermanentError, match="update api_version"):
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))


def test_api_version_is_configurable():
    a, router = adapter({("POST", "/rest/posts"): created(NEW_POST)}, api_version="202610")
    run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert router.requests[-1].headers["linkedin-version"] == "202610"


# -- delete ------------------------------------------------------------------------------

def test_delete_sends_the_restli_method_and_tolerates_404():
    path = f"/rest/posts/{enc(NEW_POST)}"
    a, router = adapter({("DELETE", path): [httpx.Response(204), ok("error_404.json", 404),
                                            ok("error_500.json", 500), httpx.Response(204),
                                            ok("error_403.json", 403)]})
    assert run(a.delete(NEW_POST)) is None
    request = router.requests[-1]
    assert_rest_headers(request)
    assert request.headers["x-restli-method"] == "DELETE"
    assert run(a.delete(NEW_POST)) is None  # already deleted
    run(a.delete(NEW_POST))  # a 500 is retried: deleting is idempotent
    assert len(router.requests) == 4
    with pytest.raises(PermanentError, match="Not enough permissions"):
        run(a.delete(NEW_POST))
    with pytest.raises(PermanentError):
        run(a.delete(""))


# -- finding our own post, and what an ambiguous failure says --------------------

WINTER = OutboundPost(text="Winter hours (10-18) #cosy", link="https://acme.example/hours")


def _own_posts(request: httpx.Request) -> httpx.Response:
    pages = {"0": "own_posts_page1.json", "3": "own_posts_page2.json"}
    return ok(pages.get(request.url.params["start"], "notifications_empty.json"))


def own_posts_adapter(route=_own_posts):
    a, router = adapter({("GET", "/rest/posts"): route})
    a.own_posts_page_size = 3
    return a, router


def test_find_published_reads_the_posts_back_from_little_text_and_takes_the_oldest():
    a, router = own_posts_adapter()
    assert a.capabilities.find_published and not a.capabilities.idempotent_publish
    found = run(a.find_published(WINTER, since=datetime(2026, 11, 26, 11, 30, tzinfo=timezone.utc)))
    assert found.remote_id == "urn:li:ugcPost:7300000000000000300"       # not the 11:00 one
    assert found.url == "https://www.linkedin.com/feed/update/urn:li:ugcPost:7300000000000000300/"
    assert found.published_at == datetime(2026, 11, 26, 11, 40, tzinfo=timezone.utc)
    first = router.requests[0]
    assert_rest_headers(first)
    assert first.headers["x-restli-method"] == "FINDER"
    assert first.url.raw_path.decode().startswith(f"/rest/posts?author={enc(ORG)}&q=author&count=3&start=0")
    assert first.url.params["sortBy"] == "CREATED"
    assert [r.url.params["start"] for r in router.requests] == ["0", "3"]   # stopped at a post before since


def test_find_published_counts_only_posts_since():
    a, router = own_posts_adapter()
    found = run(a.find_published(WINTER, since=datetime(2026, 11, 26, 11, 44, tzinfo=timezone.utc)))
    assert found.remote_id == "urn:li:share:7300000000000000301"         # escaped #, extra space: same words
    a, router = own_posts_adapter()
    found = run(a.find_published(WINTER, since=datetime(2026, 11, 26, 11, 55, tzinfo=timezone.utc)))
    assert found.remote_id == "urn:li:share:7300000000000000303" and len(router.requests) == 1


def test_find_published_answers_none_when_the_text_is_not_there():
    a, router = own_posts_adapter()
    assert run(a.find_published(OutboundPost(text="Winter hours"),
                                since=datetime(2026, 11, 26, 11, 30, tzinfo=timezone.utc))) is None
    assert len(router.requests) == 2


@pytest.mark.parametrize("response, error", [
    (ok("error_500.json", 500), TransientError), (ok("error_401.json", 401), AuthError),
    (httpx.Response(200, json={"paging": {}}), PermanentError)])
def test_find_published_raises_a_typed_error_when_linkedin_cannot_be_asked(response, error):
    a, _ = own_posts_adapter(response)
    with pytest.raises(error):
        run(a.find_published(WINTER, since=NOW - timedelta(minutes=30)))


def test_a_failed_image_upload_says_nothing_was_sent_a_failed_create_may_have():
    image = (MediaAttachment(alt_text="a", data=b"\x89PNG"),)
    a, router = adapter({("POST", "/rest/images"): ok("error_500.json", 500)})
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="x", media=image), idempotency_key="k"))
    assert raised.value.maybe_sent is False and "/rest/posts" not in router.paths()
    a, router = adapter({("POST", "/rest/posts"): ok("error_500.json", 500)})
    with pytest.raises(TransientError) as raised:
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert raised.value.maybe_sent is True and router.paths() == ["/rest/posts"]


@given(st.text(max_size=80))
def test_little_text_reads_back_as_it_was_written(text):
    assert plain_text(escape_little_text(text)) == text
