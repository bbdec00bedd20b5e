"""integrations.http: status mapping, retries, rate limits, never a token."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from integrations.base import AuthError, PermanentError, RateLimitedError, TransientError
from integrations.http import HttpTransport, before_the_create, parse_link_header, parse_reset, read_rate_limit

NOW = datetime(2026, 5, 4, 10, 15, tzinfo=timezone.utc)
TOKEN = "sekrit-token-123"


def make(handler, **kw):
    sleeps: list[float] = []

    async def sleep(s: float) -> None:
        sleeps.append(s)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="https://m.example")
    t = HttpTransport(
        "mastodon", client, token=TOKEN, sleep=sleep, rand=lambda: 0.5, clock=lambda: NOW, **kw
    )
    return t, sleeps


def run(coro):
    return asyncio.run(coro)


def responder(*responses):
    calls: list[httpx.Request] = []
    seq = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        r = seq.pop(0) if len(seq) > 1 else seq[0]
        if isinstance(r, Exception):
            raise r
        return r

    return handler, calls


def test_success_sends_bearer_and_parses_json():
    handler, calls = responder(httpx.Response(200, json={"ok": True}))
    t, _ = make(handler)
    r = run(t.request("GET", "/api/v1/x"))
    assert r.data == {"ok": True}
    assert calls[0].headers["authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors(status):
    body = {"error": f"The access token is invalid {TOKEN}"}
    handler, _ = responder(httpx.Response(status, json=body))
    t, _ = make(handler)
    with pytest.raises(AuthError) as ei:
        run(t.request("GET", "/api/v1/x"))
    assert TOKEN not in str(ei.value)
    assert "Bearer" not in str(ei.value)
    assert str(status) in str(ei.value)


def test_403_without_auth_meaning_is_permanent():
    handler, _ = responder(httpx.Response(403, json={"error": "This action is not allowed"}))
    t, _ = make(handler)
    with pytest.raises(PermanentError) as ei:
        run(t.request("GET", "/x"))
    assert not isinstance(ei.value, AuthError)


@pytest.mark.parametrize("status,msg", [(400, "bad"), (404, "Record not found"),
                                        (422, "Validation failed: Text can't be blank")])
def test_other_4xx_permanent_with_message(status, msg):
    handler, calls = responder(httpx.Response(status, json={"error": msg}))
    t, _ = make(handler)
    with pytest.raises(PermanentError) as ei:
        run(t.request("POST", "/api/v1/statuses"))
    assert str(status) in str(ei.value) and msg in str(ei.value)
    assert len(calls) == 1  # never retried


def test_5xx_retried_with_full_jitter_then_succeeds():
    handler, calls = responder(httpx.Response(500), httpx.Response(502), httpx.Response(200, json=[]))
    t, sleeps = make(handler, backoff_base=2.0)
    r = run(t.request("GET", "/x"))
    assert r.data == [] and len(calls) == 3
    assert sleeps == [0.5 * 2.0, 0.5 * 4.0]


def test_5xx_exhausted_is_transient():
    handler, calls = responder(httpx.Response(503, json={"error": "down"}))
    t, sleeps = make(handler, max_attempts=3)
    with pytest.raises(TransientError):
        run(t.request("GET", "/x"))
    assert len(calls) == 3 and len(sleeps) == 2


def test_backoff_is_capped():
    t, _ = make(lambda r: httpx.Response(200), backoff_base=1.0, backoff_cap=10.0)
    assert t.backoff(20) == 0.5 * 10.0


@pytest.mark.parametrize("exc", [httpx.ConnectError("boom"), httpx.ReadTimeout("slow")])
def test_network_errors_transient(exc):
    handler, calls = responder(exc)
    t, _ = make(handler, max_attempts=2)
    with pytest.raises(TransientError) as ei:
        run(t.request("GET", "/x"))
    assert len(calls) == 2 and TOKEN not in str(ei.value)


def test_429_short_wait_sleeps_until_reset_then_retries():
    reset = (NOW + timedelta(seconds=10)).isoformat().replace("+00:00", "Z")
    handler, calls = responder(
        httpx.Response(429, json={"error": "Too many requests"},
                       headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0",
                                "X-RateLimit-Reset": reset}),
        httpx.Response(200, json={}),
    )
    t, sleeps = make(handler, max_wait=60)
    run(t.request("GET", "/x"))
    assert len(calls) == 2
    assert len(sleeps) >= 1 and sleeps[-1] >= 10.0


def test_429_long_wait_raises_with_until():
    handler, _ = responder(httpx.Response(
        429, json={"error": "Too many requests"},
        headers={"X-RateLimit-Remaining": "0", "X-RateLimit-Limit": "300",
                 "X-RateLimit-Reset": "2026-05-04T10:20:00.000000Z"}))
    t, _ = make(handler, max_wait=30)
    with pytest.raises(RateLimitedError) as ei:
        run(t.request("GET", "/x"))
    assert ei.value.until == datetime(2026, 5, 4, 10, 20, tzinfo=timezone.utc)


def test_429_retry_after_seconds():
    handler, _ = responder(httpx.Response(429, headers={"Retry-After": "120"}))
    t, _ = make(handler, max_wait=30)
    with pytest.raises(RateLimitedError) as ei:
        run(t.request("GET", "/x"))
    assert ei.value.until == NOW + timedelta(seconds=120)


def test_malformed_json_permanent():
    handler, _ = responder(httpx.Response(200, content=b"<html>oops"))
    t, _ = make(handler)
    with pytest.raises(PermanentError, match="malformed response from mastodon"):
        run(t.request("GET", "/x"))


def test_rate_limit_headers_exposed_and_pacing():
    reset = "2026-05-04T10:20:00Z"
    handler, _ = responder(httpx.Response(
        200, json={}, headers={"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "5",
                               "X-RateLimit-Reset": reset}))
    t, sleeps = make(handler, max_wait=1000)
    run(t.request("GET", "/x"))
    assert t.rate_limit.limit == 300 and t.rate_limit.remaining == 5
    assert sleeps == []
    run(t.request("GET", "/x"))  # below 5%: spread 300 s over 5 requests
    assert sleeps == [60.0]


def test_header_parsers():
    assert parse_reset("1700000000", NOW) == datetime.fromtimestamp(1700000000, timezone.utc)
    assert parse_reset("garbage", NOW) is None
    assert parse_reset("Wed, 21 Oct 2015 07:28:00 GMT", NOW).year == 2015
    rl = read_rate_limit({"RateLimit-Limit": "3000", "RateLimit-Remaining": "x"}, NOW)
    assert rl.limit == 3000 and rl.remaining is None
    links = parse_link_header('<https://a/?max_id=1>; rel="next", <https://a/?min_id=2>; rel="prev"')
    assert links == {"next": "https://a/?max_id=1", "prev": "https://a/?min_id=2"}


from hypothesis import given, settings, strategies as st  # noqa: E402

from integrations.base import AdapterError  # noqa: E402


@given(
    status=st.integers(min_value=200, max_value=599),
    body=st.binary(max_size=64) | st.text(max_size=64).map(str.encode),
    headers=st.dictionaries(
        st.sampled_from(["X-RateLimit-Reset", "X-RateLimit-Remaining", "X-RateLimit-Limit",
                         "Retry-After", "RateLimit-Reset", "Link"]),
        st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=30),
        max_size=4,
    ),
)
@settings(max_examples=300, deadline=None)
def test_any_response_is_data_or_a_typed_error(status, body, headers):
    handler, _ = responder(httpx.Response(status, content=body, headers=headers))
    t, _ = make(handler, max_attempts=2, max_wait=5)
    try:
        r = run(t.request("GET", "/x"))
    except AdapterError as exc:
        assert TOKEN not in str(exc)
        return
    assert 200 <= r.status < 400
    r.link("next")


def test_no_retry_for_non_idempotent_creates():
    handler, calls = responder(httpx.Response(502), httpx.Response(200, json={}))
    t, sleeps = make(handler)
    with pytest.raises(TransientError):
        run(t.request("POST", "/x", retry_transient=False))
    assert len(calls) == 1 and sleeps == []


def test_platform_classifier_decides_before_the_status_mapping():
    """Meta sends a throttle as HTTP 400; the platform's classifier turns it into a wait."""
    until = NOW + timedelta(minutes=5)

    def classify(response, what, now):
        if response.json().get("code") == 80001:
            return RateLimitedError(f"{what}: throttled", until=until, platform="meta")
        return None

    handler, calls = responder(httpx.Response(400, json={"code": 80001}))
    t, _ = make(handler, classify=classify)
    with pytest.raises(RateLimitedError) as ei:
        run(t.request("GET", "/x"))
    assert ei.value.until == until and len(calls) == 1
    # None falls through to the default mapping: a 400 is permanent.
    handler, _ = responder(httpx.Response(400, json={"code": 100, "error": "bad"}))
    t, _ = make(handler, classify=classify)
    with pytest.raises(PermanentError):
        run(t.request("GET", "/x"))


def test_classifier_transient_is_retried_then_raised():
    handler, calls = responder(httpx.Response(400, json={"code": 2}))
    t, sleeps = make(handler, max_attempts=3,
                     classify=lambda r, what, now: TransientError(f"{what}: temporary", platform="meta"))
    with pytest.raises(TransientError):
        run(t.request("GET", "/x"))
    assert len(calls) == 3 and len(sleeps) == 2


def test_set_token_replaces_the_bearer():
    handler, calls = responder(httpx.Response(200, json={}))
    t, _ = make(handler)
    t.set_token("fresh-token")
    run(t.request("GET", "/x"))
    assert calls[0].headers["authorization"] == "Bearer fresh-token"


def test_a_failure_before_the_create_says_nothing_was_sent():
    t, _ = make(responder(httpx.Response(503))[0])
    with pytest.raises(TransientError) as raised:
        with before_the_create():
            run(t.request("POST", "/api/v2/media", retry_transient=False))
    assert raised.value.maybe_sent is False and "503" in str(raised.value)
    t, _ = make(responder(httpx.Response(503))[0])
    with pytest.raises(TransientError) as raised:      # the create itself: it may have happened
        run(t.request("POST", "/api/v1/statuses", retry_transient=False))
    assert raised.value.maybe_sent is True
    with pytest.raises(PermanentError):                # other errors pass through unchanged
        with before_the_create():
            raise PermanentError("refused", platform="x")
