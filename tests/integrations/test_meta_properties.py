"""Property tests: arbitrary JSON never escapes as an untyped error; cursor walks never skip."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.base import AdapterError, FoundPost, InboundItem
from integrations.meta import FacebookPageAdapter, InstagramAdapter
from integrations.meta.common import Mark, parse_messages
from integrations.meta.facebook import parse_comment, parse_tagged
from integrations.meta.graph import classify_meta_error, read_usage
from integrations.meta.instagram import parse_comments, parse_found, parse_tag
from tests.integrations.test_meta_graph import IG_USER, NOW, PAGE, TOKEN, make, run

TIMES = ["2026-05-04T10:15:02+0000", "2026-05-04T10:15:02Z", "not a date", "2026-02-30T00:00:00+0000"]
KEYS = ["id", "data", "message", "text", "caption", "created_time", "timestamp", "updated_time",
        "from", "parent", "replies", "messages", "username", "name", "permalink", "permalink_url",
        "paging", "next", "error", "code", "post_id", "success", "x"]

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20)
    | st.sampled_from(TIMES + [PAGE, IG_USER, "https://graph.facebook.com/v25.0/x?after=1"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=4), children, max_size=8),
    max_leaves=30,
)


def _account():
    from integrations.base import AccountRef
    return AccountRef(platform="facebook", account_id="facebook:acme", handle="@acme")


@given(json_values)
@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_parsers_return_records_or_typed_errors(data):
    ref = _account()
    parsers = [
        lambda d: [parse_comment(d, "p", ref)],
        lambda d: [parse_tagged(d, ref)],
        lambda d: parse_comments(d if isinstance(d, list) else [d], "m", None, ref),
        lambda d: [parse_tag(d, ref)],
        lambda d: [parse_found(d)],
        lambda d: parse_messages(d, {PAGE}, Mark(), platform="facebook", account_id="a")[0],
    ]
    for parse in parsers:
        try:
            records = parse(data)
        except AdapterError:
            continue
        for r in records:
            assert isinstance(r, (InboundItem, FoundPost)) and r.created_at.tzinfo is not None


@given(json_values, st.integers(min_value=400, max_value=599))
@settings(max_examples=80, deadline=None)
def test_classify_never_raises(data, status):
    response = httpx.Response(status, content=json.dumps(data).encode())
    result = classify_meta_error(response, "w", NOW, platform="facebook", message="m")
    assert result is None or isinstance(result, AdapterError)


@given(st.text(max_size=60) | json_values.map(json.dumps))
@settings(max_examples=80, deadline=None)
def test_usage_headers_never_crash(value):
    pct, regain = read_usage({"x-app-usage": value, "x-business-use-case-usage": value})
    assert pct is None or isinstance(pct, float)
    assert regain is None or isinstance(regain, float)


@given(json_values)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow], deadline=None)
def test_adapters_never_raise_untyped_errors_on_arbitrary_bodies(data):
    body = json.dumps(data).encode()

    def answer(_request):
        return httpx.Response(200, content=body)

    fb, _, _ = make(FacebookPageAdapter, {}, page_id=PAGE)
    fb.graph.http.client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    igs, _, _ = make(InstagramAdapter, {}, ig_user_id=IG_USER, page_id=PAGE)
    igs.graph.http.client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    for call in (lambda: fb.fetch_inbound(None), lambda: igs.fetch_inbound(None),
                 lambda: igs.search("#coffee")):
        try:
            run(call())
        except AdapterError:
            pass


@given(st.text(min_size=0, max_size=40), st.integers(min_value=400, max_value=599))
@settings(max_examples=60, deadline=None)
def test_token_never_in_error_messages(noise, status):
    def answer(_request):
        return httpx.Response(status, json={"error": {"message": f"{noise} {TOKEN} {noise}", "code": 100}})

    a, _, _ = make(FacebookPageAdapter, {}, page_id=PAGE)
    a.graph.http.client = httpx.AsyncClient(transport=httpx.MockTransport(answer))
    try:
        run(a.fetch_inbound(None))
    except AdapterError as exc:
        assert TOKEN not in str(exc) and TOKEN not in repr(exc)
    assert TOKEN not in repr(a)


def _tagged_server(times: list[int], visible: list[int], page_size: int):
    """``/{page}/tagged`` newest first, paged with ``paging.next``; ``visible[0]`` items exist now."""
    def handler(request: httpx.Request) -> httpx.Response:
        if not request.url.path.endswith("/tagged"):
            return httpx.Response(200, json={"data": []})
        posts = [{"id": f"{PAGE}_{n:03d}", "message": f"hi {n}", "from": {"id": "9", "name": "x"},
                  "created_time": (NOW + timedelta(minutes=t)).strftime("%Y-%m-%dT%H:%M:%S+0000")}
                 for n, t in enumerate(times[:visible[0]])]
        posts.sort(key=lambda p: (p["created_time"], p["id"]), reverse=True)
        offset = int(request.url.params.get("offset", "0"))
        chunk = posts[offset:offset + page_size]
        body: dict = {"data": chunk}
        if offset + page_size < len(posts):
            body["paging"] = {"next": f"https://graph.facebook.com/v25.0/{PAGE}/tagged?offset={offset + page_size}"}
        return httpx.Response(200, json=body)

    return handler


@given(times=st.lists(st.integers(min_value=0, max_value=3), max_size=15),
       limit=st.integers(min_value=1, max_value=4), page_size=st.integers(min_value=1, max_value=4))
@settings(max_examples=25, deadline=None)
def test_walking_the_adapter_cursor_never_skips(times, limit, page_size):
    times = sorted(times)  # items appear in time order, several in the same minute
    visible = [0]
    a, _, _ = make(FacebookPageAdapter, {}, page_id=PAGE)
    a.graph.http.client = httpx.AsyncClient(transport=httpx.MockTransport(_tagged_server(times, visible, page_size)))
    seen: set[str] = set()
    cursor = None
    for _ in range(len(times) * 3 + 5):
        page = run(a.fetch_inbound(cursor, limit=limit))
        seen |= {i.remote_id for i in page.items}
        cursor = page.cursor
        if not page.has_more:
            if visible[0] == len(times):
                break
            visible[0] = min(len(times), visible[0] + 2)
    # the first fetch reads only the newest page; after that nothing may be skipped
    assert seen == {f"{PAGE}_{n:03d}" for n in range(len(times))}
