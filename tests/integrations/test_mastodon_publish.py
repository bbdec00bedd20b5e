"""Mastodon publish, delete and keyword search against documented shapes (MockTransport)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import httpx
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import (
    AdapterError,
    AuthError,
    FoundPost,
    MediaAttachment,
    OutboundPost,
    PermanentError,
    PublishResult,
    RateLimitedError,
    SearchPage,
    TransientError,
)
from integrations.mastodon import MEDIA_POLL_ATTEMPTS, MastodonAdapter

from tests.integrations.test_mastodon import BASE, NOW, REF, TOKEN, Router as _Router, fixture, ok

JPEG = b"\xff\xd8\xff\xe0" + b"\x00JFIF" + bytes(range(256)) + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 40


class Router(_Router):
    def calls(self, method: str, path: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.method == method and r.url.path == path]


def adapter(routes, **kw) -> tuple[MastodonAdapter, Router, list[float]]:
    router = Router(routes)
    client = httpx.AsyncClient(transport=httpx.MockTransport(router))
    slept: list[float] = []

    async def no_sleep(s: float) -> None:
        slept.append(s)

    kw.setdefault("own_account_id", "14715")
    a = MastodonAdapter(REF, base_url=BASE, token=TOKEN, client=client, clock=lambda: NOW,
                        sleep=no_sleep, rand=lambda: 0.5, **kw)
    return a, router, slept


def run(coro):
    return asyncio.run(coro)


def publish_routes(over=None):
    routes = {
        ("GET", "/api/v2/instance"): ok("instance.json"),
        ("POST", "/api/v2/media"): ok("media_ready.json"),
        ("POST", "/api/v1/statuses"): ok("status_published.json"),
    }
    routes.update(over or {})
    return routes


def instance_with(**statuses) -> httpx.Response:
    data = json.loads(fixture("instance.json"))
    media = statuses.pop("description_limit", None)
    data["configuration"]["statuses"].update(statuses)
    if media is not None:
        data["configuration"]["media_attachments"]["description_limit"] = media
    return httpx.Response(200, json=data)


def image(alt: str = "A red jacket on a hanger", data: bytes = JPEG, **kw) -> MediaAttachment:
    return MediaAttachment(alt_text=alt, data=data, **kw)


def multipart_fields(request: httpx.Request) -> dict[str, tuple[dict[str, str], bytes]]:
    """Parse a multipart/form-data body: name -> (part headers, content)."""
    ctype = request.headers["content-type"]
    assert ctype.startswith("multipart/form-data; boundary=")
    boundary = ctype.split("boundary=", 1)[1].encode()
    fields = {}
    for part in request.content.split(b"--" + boundary)[1:-1]:
        head, _, body = part.strip(b"\r\n").partition(b"\r\n\r\n")
        headers = {}
        for line in head.decode().split("\r\n"):
            k, _, v = line.partition(":")
            headers[k.strip().lower()] = v.strip()
        name = headers["content-disposition"].split('name="', 1)[1].split('"', 1)[0]
        fields[name] = (headers, body)
    return fields


# -- publish -------------------------------------------------------------------------

def test_publish_text_sends_public_status_with_idempotency_key_and_language():
    a, router, _ = adapter(publish_routes())
    result = run(a.publish(OutboundPost(text="Launch day! #release", language="en"),
                           idempotency_key="post-42"))
    assert isinstance(result, PublishResult)
    assert result.remote_id == "103254962155278888"
    assert result.url == "https://mastodon.example/@acme/103254962155278888"
    assert result.published_at == datetime(2019, 12, 5, 11, 34, 47, 196000, tzinfo=timezone.utc)
    [post] = router.calls("POST", "/api/v1/statuses")
    assert json.loads(post.content) == {"status": "Launch day! #release", "visibility": "public",
                                        "language": "en"}
    assert post.headers["idempotency-key"] == "post-42"
    assert post.headers["authorization"] == f"Bearer {TOKEN}"
    assert router.calls("POST", "/api/v2/media") == []


def test_publish_without_language_lets_the_platform_guess_and_appends_link():
    a, router, _ = adapter(publish_routes())
    run(a.publish(OutboundPost(text="New drop", link="https://acme.example/drop"),
                  idempotency_key="k"))
    body = json.loads(router.calls("POST", "/api/v1/statuses")[0].content)
    assert "language" not in body and "media_ids" not in body
    assert body["status"] == "New drop\n\nhttps://acme.example/drop"
    run(a.publish(OutboundPost(text="See https://acme.example/drop", link="https://acme.example/drop"),
                  idempotency_key="k2"))
    body = json.loads(router.calls("POST", "/api/v1/statuses")[1].content)
    assert body["status"] == "See https://acme.example/drop"


def test_instance_limits_are_read_once():
    a, router, _ = adapter(publish_routes())
    run(a.publish(OutboundPost(text="one"), idempotency_key="1"))
    run(a.publish(OutboundPost(text="two"), idempotency_key="2"))
    assert len(router.calls("GET", "/api/v2/instance")) == 1


def test_url_falls_back_to_uri():
    status = json.loads(fixture("status_published.json"))
    status["url"] = None
    a, _, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): httpx.Response(200, json=status)}))
    result = run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert result.url == status["uri"]


def test_publish_two_images_uploads_each_with_alt_text_and_polls_until_processed():
    uploads = [ok("media_ready.json"), ok("media_processing.json", 202)]
    polls = [ok("media_processing.json", 206), ok("media_processing.json", 206), ok("media_ready.json")]
    a, router, slept = adapter(publish_routes({
        ("POST", "/api/v2/media"): uploads,
        ("GET", "/api/v1/media/22348641"): polls,
    }))
    post = OutboundPost(text="Two looks", media=(
        image("Red jacket, front", filename="front.jpg"),
        image("Red jacket, back", data=PNG, mime_type="image/png", filename="back.png"),
    ))
    result = run(a.publish(post, idempotency_key="k-media"))
    assert result.remote_id == "103254962155278888"
    media = router.calls("POST", "/api/v2/media")
    assert len(media) == 2
    first, second = multipart_fields(media[0]), multipart_fields(media[1])
    assert first["description"][1] == b"Red jacket, front"
    assert first["file"][1] == JPEG
    assert 'filename="front.jpg"' in first["file"][0]["content-disposition"]
    assert first["file"][0]["content-type"] == "image/jpeg"
    assert second["description"][1] == b"Red jacket, back"
    assert second["file"][1] == PNG and second["file"][0]["content-type"] == "image/png"
    assert len(router.calls("GET", "/api/v1/media/22348641")) == 3  # 206, 206, 200
    assert len(slept) == 3 and all(s > 0 for s in slept)  # the injected sleep paces the polls
    [status] = router.calls("POST", "/api/v1/statuses")
    assert json.loads(status.content)["media_ids"] == ["22348641", "22348641"]
    # the status is created only after both uploads finished processing
    assert router.requests.index(status) > router.requests.index(router.calls("GET", "/api/v1/media/22348641")[-1])


def test_media_still_processing_gives_up_with_transient_error():
    a, router, slept = adapter(publish_routes({
        ("POST", "/api/v2/media"): ok("media_processing.json", 202),
        ("GET", "/api/v1/media/22348641"): ok("media_processing.json", 206),
    }))
    with pytest.raises(TransientError, match="still processing") as raised:
        run(a.publish(OutboundPost(text="x", media=(image(),)), idempotency_key="k"))
    assert raised.value.maybe_sent is False            # the status itself was never sent
    assert len(router.calls("GET", "/api/v1/media/22348641")) == MEDIA_POLL_ATTEMPTS
    assert len(slept) == MEDIA_POLL_ATTEMPTS
    assert router.calls("POST", "/api/v1/statuses") == []


def test_too_long_text_is_refused_before_anything_is_sent():
    a, router, _ = adapter(publish_routes())
    with pytest.raises(PermanentError, match="501 characters; the instance allows 500"):
        run(a.publish(OutboundPost(text="x" * 501), idempotency_key="k"))
    assert router.calls("POST", "/api/v1/statuses") == []
    # a URL counts as the instance's characters_reserved_per_url, whatever its length
    url = "https://acme.example/" + "a" * 200
    run(a.publish(OutboundPost(text="y" * 477 + url), idempotency_key="k"))  # 477 + 23 = 500


def test_instance_max_characters_and_url_weight_are_honoured():
    a, _, _ = adapter(publish_routes({("GET", "/api/v2/instance"): instance_with(
        max_characters=5000, characters_reserved_per_url=30)}))
    run(a.publish(OutboundPost(text="x" * 4999), idempotency_key="k"))
    with pytest.raises(PermanentError, match="5001 characters; the instance allows 5000"):
        run(a.publish(OutboundPost(text="x" * 4970 + " https://a.example"), idempotency_key="k"))


def test_too_many_images():
    a, router, _ = adapter(publish_routes())
    with pytest.raises(PermanentError, match="5 images; the instance allows 4"):
        run(a.publish(OutboundPost(text="x", media=(image(),) * 5), idempotency_key="k"))
    assert router.calls("POST", "/api/v2/media") == []


def test_alt_text_too_long():
    a, router, _ = adapter(publish_routes())
    with pytest.raises(PermanentError, match="alt text of image 2 is 1501 characters; the instance allows 1500"):
        run(a.publish(OutboundPost(text="x", media=(image(), image("a" * 1501))),
                      idempotency_key="k"))
    assert router.calls("POST", "/api/v2/media") == []


def test_image_without_bytes_and_empty_post_are_refused():
    a, _, _ = adapter(publish_routes())
    with pytest.raises(PermanentError, match="image 1 has no data"):
        run(a.publish(OutboundPost(text="x", media=(MediaAttachment(
            alt_text="alt", source_url="https://cdn.example/a.jpg"),)), idempotency_key="k"))
    with pytest.raises(PermanentError, match="neither text nor images"):
        run(a.publish(OutboundPost(text="  "), idempotency_key="k"))


def test_instance_404_falls_back_to_defaults():
    a, router, _ = adapter(publish_routes({("GET", "/api/v2/instance"): ok("error_404.json", 404)}))
    run(a.publish(OutboundPost(text="x" * 500), idempotency_key="k"))
    with pytest.raises(PermanentError, match="allows 500"):
        run(a.publish(OutboundPost(text="x" * 501), idempotency_key="k"))
    with pytest.raises(PermanentError, match="allows 4"):
        run(a.publish(OutboundPost(text="x", media=(image(),) * 5), idempotency_key="k"))
    with pytest.raises(PermanentError, match="allows 1500"):
        run(a.publish(OutboundPost(text="x", media=(image("a" * 1501),)), idempotency_key="k"))
    assert len(router.calls("GET", "/api/v2/instance")) == 1


@pytest.mark.parametrize("body", [
    {}, {"configuration": None}, {"configuration": {"statuses": {"max_characters": "lots"}}},
    {"configuration": {"statuses": {"max_characters": True, "max_media_attachments": -1}}}, [],
])
def test_instance_without_usable_configuration_uses_defaults(body):
    a, _, _ = adapter(publish_routes({("GET", "/api/v2/instance"): httpx.Response(200, json=body)}))
    limits = run(a.instance_limits())
    assert (limits.max_characters, limits.max_media_attachments,
            limits.characters_reserved_per_url, limits.description_limit) == (500, 4, 23, 1500)


def test_422_validation_error_is_permanent_with_platform_message():
    a, _, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): ok("error_422.json", 422)}))
    with pytest.raises(PermanentError, match="HTTP 422: Validation failed: Text can't be blank"):
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))


@pytest.mark.parametrize("route", [("POST", "/api/v1/statuses"), ("POST", "/api/v2/media"),
                                   ("GET", "/api/v2/instance")])
@pytest.mark.parametrize("status,name,exc", [
    (401, "error_401.json", AuthError),
    (403, "error_403.json", AuthError),
    (403, "error_403_not_allowed.json", PermanentError),
    (500, "error_500.json", TransientError),
    (503, "error_500.json", TransientError),
])
def test_publish_errors_are_typed_and_never_leak_the_token(route, status, name, exc):
    a, _, _ = adapter(publish_routes({route: ok(name, status)}))
    with pytest.raises(exc) as ei:
        run(a.publish(OutboundPost(text="x", media=(image(),)), idempotency_key="k"))
    msg = str(ei.value)
    assert TOKEN not in msg and "Bearer" not in msg and TOKEN not in repr(ei.value)
    assert ei.value.platform == "mastodon"
    if exc is AuthError:
        assert not isinstance(ei.value, TransientError)
    if status < 500:
        assert json.loads(fixture(name))["error"] in msg


def test_publish_429_raises_rate_limited_with_reset():
    headers = json.loads(fixture("error_429.headers.json"))
    a, _, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): ok("error_429.json", 429, headers)}))
    with pytest.raises(RateLimitedError) as ei:
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert ei.value.until == datetime(2019, 11, 26, 12, 20, tzinfo=timezone.utc)
    assert TOKEN not in str(ei.value)


def test_5xx_on_status_create_is_retried_with_the_same_idempotency_key():
    a, router, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): [
        ok("error_500.json", 502), ok("error_500.json", 503), ok("status_published.json")]}))
    result = run(a.publish(OutboundPost(text="x"), idempotency_key="same-key"))
    assert result.remote_id == "103254962155278888"
    posts = router.calls("POST", "/api/v1/statuses")
    assert len(posts) == 3
    assert {p.headers["idempotency-key"] for p in posts} == {"same-key"}
    assert len({p.content for p in posts}) == 1


def test_timeout_on_status_create_is_retried_with_the_same_idempotency_key():
    state = {"n": 0}

    def flaky(request: httpx.Request) -> httpx.Response:
        state["n"] += 1
        if state["n"] == 1:
            raise httpx.ReadTimeout("timed out", request=request)
        return ok("status_published.json")

    a, router, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): flaky}))
    run(a.publish(OutboundPost(text="x"), idempotency_key="k-timeout"))
    posts = router.calls("POST", "/api/v1/statuses")
    assert [p.headers["idempotency-key"] for p in posts] == ["k-timeout", "k-timeout"]


def test_publish_is_idempotent_by_key_so_a_later_retry_sends_the_same_key():
    """The publisher retries an ambiguous publish with the target's key; Mastodon
    answers a key it has seen with the status it already made."""
    a, router, _ = adapter(publish_routes())
    assert a.capabilities.idempotent_publish and not a.capabilities.find_published
    first = run(a.publish(OutboundPost(text="Launch day"), idempotency_key="socops-abc"))
    again = run(a.publish(OutboundPost(text="Launch day"), idempotency_key="socops-abc"))
    assert first == again
    posts = router.calls("POST", "/api/v1/statuses")
    assert [p.headers["idempotency-key"] for p in posts] == ["socops-abc", "socops-abc"]


@pytest.mark.parametrize("route,response", [
    (("POST", "/api/v1/statuses"), ok("malformed.html")),
    (("POST", "/api/v1/statuses"), ok("truncated.json")),
    (("POST", "/api/v1/statuses"), httpx.Response(200, json={"id": "1"})),
    (("POST", "/api/v1/statuses"), httpx.Response(200, json={"id": "1", "created_at": "yesterday"})),
    (("POST", "/api/v1/statuses"), httpx.Response(200, json=[])),
    (("POST", "/api/v2/media"), httpx.Response(200, json={"url": None})),
    (("POST", "/api/v2/media"), ok("malformed.html")),
    (("GET", "/api/v2/instance"), ok("malformed.html")),
])
def test_publish_malformed_responses_are_permanent(route, response):
    a, _, _ = adapter(publish_routes({route: response}))
    with pytest.raises(PermanentError, match="malformed response from mastodon"):
        run(a.publish(OutboundPost(text="x", media=(image(),)), idempotency_key="k"))


# -- delete ----------------------------------------------------------------------------

def test_delete_ok():
    a, router, _ = adapter({("DELETE", "/api/v1/statuses/103254962155278888"): ok("status_deleted.json")})
    assert run(a.delete("103254962155278888")) is None
    [req] = router.requests
    assert req.method == "DELETE" and req.headers["authorization"] == f"Bearer {TOKEN}"


def test_delete_of_a_deleted_status_is_fine():
    a, _, _ = adapter({("DELETE", "/api/v1/statuses/1"): ok("error_404.json", 404)})
    assert run(a.delete("1")) is None


def test_delete_errors():
    a, _, _ = adapter({("DELETE", "/api/v1/statuses/1"): ok("error_403_not_allowed.json", 403)})
    with pytest.raises(PermanentError, match="This action is not allowed") as ei:
        run(a.delete("1"))
    assert not isinstance(ei.value, AuthError) and TOKEN not in str(ei.value)
    a, _, _ = adapter({("DELETE", "/api/v1/statuses/1"): ok("error_401.json", 401)})
    with pytest.raises(AuthError):
        run(a.delete("1"))
    a, router, _ = adapter({("DELETE", "/api/v1/statuses/1"): ok("error_500.json", 500)})
    with pytest.raises(TransientError):
        run(a.delete("1"))
    assert len(router.requests) == 4  # retried (deleting twice is harmless)
    with pytest.raises(PermanentError):
        run(a.delete(""))


def test_delete_quotes_the_id():
    a, router, _ = adapter({})
    run(a.delete("../accounts/1"))
    assert router.requests[0].url.raw_path == b"/api/v1/statuses/..%2Faccounts%2F1"


def test_404_elsewhere_is_still_a_plain_permanent_error():
    a, _, _ = adapter({("GET", "/api/v2/search"): ok("error_404.json", 404)})
    with pytest.raises(PermanentError, match="HTTP 404: Record not found"):
        run(a.search("acme"))


# -- search ------------------------------------------------------------------------------

def test_search_results():
    a, router, _ = adapter({("GET", "/api/v2/search"): ok("search_statuses.json")})
    page = run(a.search("acme jacket", limit=20))
    assert isinstance(page, SearchPage)
    assert [p.remote_id for p in page.posts] == ["103270115826048975", "103186126728896492"]
    first, second = page.posts
    assert isinstance(first, FoundPost) and first.platform == "mastodon"
    assert first.text == "Anyone else's #acme jacket falling apart?\n\nMine & my sister's both."
    assert first.author.handle == "@amic@nulled.red" and first.author.remote_id == "482403"
    assert first.url == "https://nulled.red/@amic/103270115826048975" and first.language == "en"
    assert first.created_at == datetime(2019, 12, 8, 3, 48, 33, 901000, tzinfo=timezone.utc)
    assert second.url == "https://mastodon.example/users/zsc/statuses/103186126728896492"  # uri
    assert second.text == "acme: livraison rapide\nmerci" and second.language == "fr"
    assert page.cursor == "103186126728896492"  # the oldest id: max_id of the next page
    params = router.requests[0].url.params
    assert params["q"] == "acme jacket" and params["type"] == "statuses"
    assert params["limit"] == "20" and params["resolve"] == "false" and "max_id" not in params


def test_search_orders_newest_first_whatever_the_server_order():
    data = json.loads(fixture("search_statuses.json"))
    data["statuses"].reverse()
    a, _, _ = adapter({("GET", "/api/v2/search"): httpx.Response(200, json=data)})
    page = run(a.search("acme"))
    assert [p.remote_id for p in page.posts] == ["103270115826048975", "103186126728896492"]


def test_search_empty_page_has_no_cursor():
    a, _, _ = adapter({("GET", "/api/v2/search"): ok("search_empty.json")})
    page = run(a.search("nothing here", cursor="103186126728896492"))
    assert page.posts == [] and page.cursor is None


def test_search_pagination_passes_cursor_as_max_id_and_caps_limit():
    a, router, _ = adapter({("GET", "/api/v2/search"): ok("search_statuses.json")})
    page = run(a.search("acme", limit=500))
    run(a.search("acme", cursor=page.cursor, limit=0))
    first, second = router.requests
    assert first.url.params["limit"] == "40"
    assert second.url.params["max_id"] == "103186126728896492"
    assert second.url.params["limit"] == "1"


def test_hashtag_query_reads_the_tag_timeline():
    statuses = json.loads(fixture("search_statuses.json"))["statuses"]
    a, router, _ = adapter({("GET", "/api/v1/timelines/tag/acme"): httpx.Response(200, json=statuses)})
    page = run(a.search(" #acme ", cursor="103999", limit=10))
    assert [p.remote_id for p in page.posts] == ["103270115826048975", "103186126728896492"]
    params = router.requests[0].url.params
    assert params["max_id"] == "103999" and params["limit"] == "10" and "q" not in params
    # two tags or words: full-text search
    a, router, _ = adapter({("GET", "/api/v2/search"): ok("search_empty.json")})
    run(a.search("#acme #jacket"))
    assert router.requests[0].url.params["q"] == "#acme #jacket"


def test_search_refuses_empty_query_and_bad_cursor():
    a, router, _ = adapter({})
    with pytest.raises(PermanentError):
        run(a.search("   "))
    with pytest.raises(PermanentError, match="invalid mastodon search cursor"):
        run(a.search("acme", cursor="1&admin=true"))
    assert router.requests == []


@pytest.mark.parametrize("response", [
    ok("malformed.html"), ok("truncated.json"), httpx.Response(200, json=[]),
    httpx.Response(200, json={"accounts": []}), httpx.Response(200, json={"statuses": {}}),
    httpx.Response(200, json={"statuses": [{"id": "1"}]}),
    httpx.Response(200, json={"statuses": [{"id": "1", "created_at": "2019-12-08T03:48:33Z",
                                            "account": {"acct": "x"}}]}),
])
def test_search_malformed_is_permanent(response):
    a, _, _ = adapter({("GET", "/api/v2/search"): response})
    with pytest.raises(PermanentError, match="malformed response from mastodon"):
        run(a.search("acme"))


@pytest.mark.parametrize("status,exc", [(401, AuthError), (429, RateLimitedError), (500, TransientError)])
def test_search_errors_are_typed(status, exc):
    name = {401: "error_401.json", 429: "error_429.json", 500: "error_500.json"}[status]
    headers = json.loads(fixture("error_429.headers.json")) if status == 429 else None
    a, _, _ = adapter({("GET", "/api/v2/search"): ok(name, status, headers)})
    with pytest.raises(exc) as ei:
        run(a.search("acme"))
    assert TOKEN not in str(ei.value)


# -- arbitrary bodies ----------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30)
    | st.sampled_from(["2019-11-23T07:49:02.064Z", "103186126728896492", "not a date", TOKEN,
                       "<p>a<br>b &amp; c</p>"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["id", "statuses", "account", "acct", "content", "created_at",
                                        "url", "uri", "language", "display_name", "configuration",
                                        "max_characters", "error", "x"]) | st.text(max_size=5),
                      children, max_size=8),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_search_never_raises_untyped_errors_on_arbitrary_bodies(data):
    body = json.dumps(data).encode()
    a, _, _ = adapter({("GET", "/api/v2/search"): httpx.Response(200, content=body),
                       ("GET", "/api/v1/timelines/tag/acme"): httpx.Response(200, content=body)})
    for query in ("acme", "#acme"):
        try:
            page = run(a.search(query))
        except AdapterError as e:
            assert TOKEN not in str(e)
            continue
        assert all(isinstance(p, FoundPost) and p.created_at.tzinfo for p in page.posts)


@given(json_values, st.sampled_from([("POST", "/api/v1/statuses"), ("POST", "/api/v2/media"),
                                     ("GET", "/api/v2/instance"), ("GET", "/api/v1/media/22348641")]),
       st.sampled_from([200, 202, 206, 400, 403, 404, 422, 500]))
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_publish_never_raises_untyped_errors_on_arbitrary_bodies(data, route, status):
    body = json.dumps(data).encode()
    a, _, _ = adapter(publish_routes({
        route: httpx.Response(status, content=body),
        ("GET", "/api/v1/media/22348641"): (httpx.Response(status, content=body)
                                            if route[1].startswith("/api/v1/media") else ok("media_ready.json")),
    }))
    try:
        result = run(a.publish(OutboundPost(text="hello", media=(image(),)), idempotency_key="k"))
    except AdapterError as e:
        assert TOKEN not in str(e) and TOKEN not in repr(e)
        return
    assert isinstance(result, PublishResult) and result.published_at.tzinfo
    assert result.remote_id


def test_token_never_in_repr_or_messages():
    a, _, _ = adapter(publish_routes({("POST", "/api/v1/statuses"): httpx.Response(
        422, json={"error": f"Validation failed: bad token {TOKEN}"})}))
    assert TOKEN not in repr(a)
    with pytest.raises(PermanentError) as ei:
        run(a.publish(OutboundPost(text="x"), idempotency_key="k"))
    assert TOKEN not in str(ei.value) and "[redacted]" in str(ei.value)
