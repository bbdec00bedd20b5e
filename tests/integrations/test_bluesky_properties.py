"""Property tests: arbitrary JSON into the Bluesky parsers never escapes as an untyped error."""

from __future__ import annotations

import asyncio
import copy
import json
import re

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import AdapterError, InboundPage, PermanentError
from integrations.bluesky import BlueskyAdapter, build_facets, parse_notifications_page, rkey_for
from integrations.bluesky.facets import find_links, find_mentions
from tests.integrations.test_bluesky_fake import ACCOUNT, NOW, PASSWORD, fixture

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False)
    | st.text(max_size=40),
    lambda children: st.lists(children, max_size=5)
    | st.dictionaries(st.text(max_size=12), children, max_size=6),
    max_leaves=30,
)

TEMPLATE = fixture("notifications_page1.json")["notifications"][0]
FIELDS = [("uri",), ("cid",), ("reason",), ("indexedAt",), ("author",), ("author", "did"),
          ("author", "handle"), ("author", "displayName"), ("record",), ("record", "text"),
          ("record", "createdAt"), ("record", "reply"), ("record", "reply", "root"),
          ("record", "reply", "parent", "uri"), ("record", "langs")]


@st.composite
def mutated_notifications(draw):
    n = copy.deepcopy(TEMPLATE)
    for _ in range(draw(st.integers(1, 4))):
        path = draw(st.sampled_from(FIELDS))
        target = n
        for key in path[:-1]:
            target = target.get(key) if isinstance(target, dict) else None
        if isinstance(target, dict):
            if draw(st.booleans()):
                target[path[-1]] = draw(json_values)
            else:
                target.pop(path[-1], None)
    return n


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(json_values)
def test_arbitrary_json_is_records_or_a_permanent_error(body):
    try:
        page = parse_notifications_page(body, account_id=ACCOUNT.account_id)
    except PermanentError:
        return
    assert all(n.item.created_at.tzinfo is not None for n in page.notifications)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(mutated_notifications() | json_values, max_size=6), json_values)
def test_notification_lists_never_crash_the_page(notifications, cursor):
    body = {"notifications": notifications}
    if isinstance(cursor, str):
        body["cursor"] = cursor
    page = parse_notifications_page(body, account_id=ACCOUNT.account_id)
    assert len(page.notifications) + len(page.skipped) + page.ignored == len(notifications)
    for n in page.notifications:
        assert isinstance(n.item.text, str) and n.item.remote_id.startswith("at://")
        assert n.item.created_at.utcoffset().total_seconds() == 0


def _adapter_for(payload: bytes) -> BlueskyAdapter:
    session = fixture("create_session.json")

    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("createSession"):
            return httpx.Response(200, json=session)
        return httpx.Response(200, content=payload, headers={"content-type": "application/json"})
    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return BlueskyAdapter(ACCOUNT, base_url="https://x.test", identifier="acme.test",
                          app_password=PASSWORD, client=client, clock=lambda: NOW, max_pages=3)


async def _fetch_once(adapter: BlueskyAdapter, cursor):
    try:
        return await adapter.fetch_inbound(cursor)
    finally:
        await adapter.aclose()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(json_values.map(lambda v: json.dumps(v).encode()),
                 st.lists(mutated_notifications(), max_size=4).map(
                     lambda ns: json.dumps({"notifications": ns}).encode()),
                 st.binary(max_size=60)),
       st.none() | st.just("bsky1:2026-05-04T00:00:00+00:00"))
def test_adapter_answers_any_body_with_a_page_or_a_typed_error(payload, cursor):
    try:
        page = asyncio.run(_fetch_once(_adapter_for(payload), cursor))
    except AdapterError:
        return
    assert isinstance(page, InboundPage)
    times = [i.created_at for i in page.items]
    assert all(t.tzinfo is not None for t in times)


@settings(max_examples=300)
@given(st.lists(st.sampled_from(list("ab @.:/()-_ é👋🏽日本") + ["https://", "@x.test",
                                                             "http://a.b/c"]),
               max_size=30).map("".join))
def test_facet_offsets_are_valid_byte_ranges(text):
    dids = {s.value: "did:plc:x" for s in find_mentions(text)}
    facets = build_facets(text, dids)
    raw = text.encode("utf-8")
    last_end = 0
    for f in facets:
        start, end = f["index"]["byteStart"], f["index"]["byteEnd"]
        assert last_end <= start < end <= len(raw)
        piece = raw[start:end].decode("utf-8")  # never splits a code point
        feature = f["features"][0]
        if feature["$type"].endswith("#link"):
            assert piece == feature["uri"]
        else:
            assert piece.startswith("@")
        last_end = end
    assert len(find_links(text)) <= text.count("http")


@given(st.text(max_size=200), st.text(min_size=1, max_size=200))
def test_rkeys_are_always_valid_tids(account, key):
    assert re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}",
                        rkey_for(account, key))
