"""Property tests of the LinkedIn adapter: escaping, the cursor walk, arbitrary JSON."""

from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta, timezone

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import AccountRef, AdapterError, InboundItem, ItemKind
from integrations.linkedin import (
    LITTLE_TEXT_RESERVED,
    LinkedInAdapter,
    decode_cursor,
    encode_cursor,
    escape_little_text,
    parse_comment,
    parse_notification_page,
    parse_post,
)
from tests.conftest import FakeClock

TOKEN = "AQX-linkedin-very-secret-token-42"
ORG = "urn:li:organization:2414183"
REF = AccountRef(platform="linkedin", account_id="linkedin:acme", handle="Acme")
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
NOW_MS = int(NOW.timestamp() * 1000)
POST = "urn:li:share:1"
ACTIVITY = "urn:li:activity:1"


def run(coro):
    return asyncio.run(coro)


def make_adapter(handler, clock=None) -> LinkedInAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))

    async def no_sleep(_s: float) -> None:
        return None

    return LinkedInAdapter(REF, organization_urn=ORG, access_token=TOKEN, client=client,
                           clock=clock or (lambda: NOW), sleep=no_sleep, rand=lambda: 0.5)


def unescape_little_text(text: str) -> str:
    """The inverse of escaping, and a check that no reserved character is left bare."""
    out, i = [], 0
    while i < len(text):
        char = text[i]
        if char == "\\":
            assert i + 1 < len(text), "a trailing lone backslash"
            assert text[i + 1] in LITTLE_TEXT_RESERVED, "a backslash before a plain character"
            out.append(text[i + 1])
            i += 2
            continue
        assert char not in LITTLE_TEXT_RESERVED, f"unescaped {char!r}"
        out.append(char)
        i += 1
    return "".join(out)


reserved_heavy_text = st.text(alphabet=st.sampled_from(sorted(LITTLE_TEXT_RESERVED)) | st.characters(),
                              max_size=200)


@given(reserved_heavy_text)
@settings(max_examples=250, deadline=None)
def test_escaping_round_trips_and_leaves_no_bare_reserved_character(text):
    escaped = escape_little_text(text)
    assert unescape_little_text(escaped) == text
    assert len(escaped) == len(text) + sum(c in LITTLE_TEXT_RESERVED for c in text)


@given(st.integers(min_value=0, max_value=2**53),
       st.sets(st.tuples(st.integers(min_value=0, max_value=2**53), st.text(max_size=20)),
               max_size=5))
@settings(max_examples=200, deadline=None)
def test_cursor_round_trips(mark, seen):
    assert decode_cursor(encode_cursor(mark, seen)) == (mark, seen)


# -- the cursor walk against a fake LinkedIn ----------------------------------------------

_TIME_RANGE = re.compile(r"timeRange=\(start:(\d+),end:(\d+)\)")


def fake_linkedin(times: list[int], newest_first: bool, end_inclusive: bool):
    """Comment notifications at ``times`` (ms), answering timeRange/start/count as documented.

    Notification n carries comment n (text "comment n"); every third is our own.
    The order inside a range and whether its end is inclusive are configurable:
    LinkedIn documents neither.
    """
    notes = [{"action": "COMMENT", "organizationalEntity": ORG, "sourcePost": POST,
              "generatedActivity": f"urn:li:comment:({ACTIVITY},{n})", "lastModifiedAt": t}
             for n, t in enumerate(times)]

    def handler(request: httpx.Request) -> httpx.Response:
        raw = request.url.raw_path.decode()
        if raw.startswith("/rest/organizationalEntityNotifications"):
            start_ms, end_ms = map(int, _TIME_RANGE.search(raw).groups())
            start, count = int(request.url.params["start"]), int(request.url.params["count"])
            hits = [n for n in notes if start_ms <= n["lastModifiedAt"] < end_ms + end_inclusive]
            hits.sort(key=lambda n: n["lastModifiedAt"], reverse=newest_first)
            return httpx.Response(200, json={"elements": hits[start:start + count],
                                             "paging": {"start": start, "count": count}})
        comment_id = raw.rsplit("/", 1)[1]
        n = int(comment_id)
        actor = ORG if n % 3 == 2 else f"urn:li:person:p{n}"
        return httpx.Response(200, json={
            "id": comment_id, "commentUrn": f"urn:li:comment:({ACTIVITY},{n})", "actor": actor,
            "message": {"text": f"comment {n}"}, "created": {"actor": actor, "time": times[n]}})

    return handler


@given(
    times=st.lists(st.integers(min_value=NOW_MS - 300, max_value=NOW_MS)
                   | st.sampled_from([NOW_MS - 50, NOW_MS - 49, NOW_MS - 1, NOW_MS]),
                   max_size=25),
    limit=st.integers(min_value=1, max_value=6),
    page_size=st.integers(min_value=1, max_value=5),
    max_pages=st.integers(min_value=1, max_value=3),
    newest_first=st.booleans(),
    end_inclusive=st.booleans(),
)
@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walking_the_cursor_never_skips(times, limit, page_size, max_pages, newest_first,
                                        end_inclusive):
    clock = FakeClock(NOW)
    a = make_adapter(fake_linkedin(times, newest_first, end_inclusive), clock)
    a.notification_page_size = page_size
    a.max_notification_pages = max_pages
    a.first_lookback = timedelta(milliseconds=400)  # a short range keeps the halving cheap
    seen: list[str] = []
    cursor = None

    def walk() -> None:
        nonlocal cursor
        # a range too big for the page cap is halved: each call at least halves the distance
        for _ in range(4 * len(times) + 40):
            page = run(a.fetch_inbound(cursor, limit=limit))
            assert len(page.items) <= limit
            assert [i.created_at for i in page.items] == sorted(i.created_at for i in page.items)
            seen.extend(i.text for i in page.items)
            cursor = page.cursor
            if not page.has_more:
                return
        raise AssertionError("the walk never ended")

    walk()
    clock.advance(seconds=1)  # a notification of exactly "now" shows up on the next poll
    walk()
    expected = {f"comment {n}" for n in range(len(times)) if n % 3 != 2}
    assert set(seen) == expected  # nothing skipped
    assert len(seen) == len(expected)  # and here nothing repeated either
    # passing the last cursor again brings nothing new and never goes back
    again = run(a.fetch_inbound(cursor, limit=limit))
    assert again.items == []
    assert decode_cursor(again.cursor)[0] >= decode_cursor(cursor)[0]


# -- arbitrary JSON ---------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
    | st.sampled_from(["COMMENT", "SHARE_MENTION", "COMMENT_MENTION", "ADMIN_COMMENT", ORG,
                       POST, f"urn:li:comment:({ACTIVITY},7)", 1795683600000, -1, 10**20]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["elements", "paging", "action", "lastModifiedAt",
                                       "sourcePost", "generatedActivity", "id", "commentUrn",
                                       "actor", "message", "text", "created", "time",
                                       "parentComment", "author", "commentary", "createdAt",
                                       "publishedAt", "value", "x"]) | st.text(max_size=5),
                      children, max_size=8),
    max_leaves=30,
)


@given(json_values)
@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_parsers_give_a_record_or_a_typed_error(data):
    parsers = [
        lambda: parse_notification_page(data),
        lambda: [parse_comment(data, REF, post_urn=POST, comment_urn="urn:li:comment:(a,1)",
                               kind=ItemKind.COMMENT)],
        lambda: [parse_post(data, REF, post_urn=POST)],
    ]
    for parse in parsers:
        try:
            records = parse()
        except AdapterError as exc:
            assert TOKEN not in str(exc)
            continue
        for record in records:
            if isinstance(record, InboundItem):
                assert record.created_at.tzinfo is not None
                assert isinstance(record.text, str) and record.remote_id


@given(notifications=json_values, resolved=json_values)
@settings(max_examples=100, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_adapter_gives_a_page_or_a_typed_error_on_arbitrary_bodies(notifications, resolved):
    def handler(request: httpx.Request) -> httpx.Response:
        raw = request.url.raw_path.decode()
        body = notifications if "organizationalEntityNotifications" in raw else resolved
        if "organizationalEntityNotifications" in raw and request.url.params["start"] != "0":
            body = {"elements": []}
        return httpx.Response(200, content=json.dumps(body).encode())

    a = make_adapter(handler)
    try:
        page = run(a.fetch_inbound(None))
    except AdapterError as exc:
        assert TOKEN not in str(exc)
        return
    assert all(isinstance(i, InboundItem) and i.created_at.tzinfo for i in page.items)
    decode_cursor(page.cursor)


@given(st.text(max_size=60))
@settings(max_examples=100, deadline=None)
def test_arbitrary_cursors_are_accepted_or_refused_with_a_typed_error(cursor):
    for candidate in (cursor, "v1:" + cursor):
        try:
            decode_cursor(candidate)
        except AdapterError:
            pass


@given(json_values)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_publish_gives_a_result_or_a_typed_error_on_arbitrary_upload_answers(init_body):
    from integrations.base import MediaAttachment, OutboundPost, PublishResult

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/rest/images":
            return httpx.Response(200, content=json.dumps(init_body).encode())
        if request.method == "PUT":
            return httpx.Response(201)
        return httpx.Response(201, headers={"x-restli-id": "urn:li:share:9"})

    a = make_adapter(handler)
    post = OutboundPost(text="x", media=(MediaAttachment(alt_text="a", data=b"img"),))
    try:
        result = run(a.publish(post, idempotency_key="k"))
    except AdapterError as exc:
        assert TOKEN not in str(exc)
        return
    assert isinstance(result, PublishResult) and result.remote_id == "urn:li:share:9"
