"""Mastodon ingest speed-ups keep their meaning: the HTML fast path gives what the
HTML parser gives, and reading several notification pages per call never skips."""

from __future__ import annotations

import httpx
from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.mastodon import html_to_text
from integrations.mastodon_parse import _html_to_text_fast, _html_to_text_slow
from tests.integrations.test_mastodon_publish import adapter, ok, run


# -- html_to_text fast path ------------------------------------------------------------------

html_pieces = st.lists(st.one_of(
    st.sampled_from(["<p>", "</p>", "<br>", "<br />", "<br/>", "<BR>", "<span class=\"invisible\">",
                     "</span>", '<a href="https://x.example/?a=1&amp;b=2" rel="nofollow noopener">',
                     "</a>", "<a href=x>", "<p/>", "<script>", "</script>", "<style>", "<!-- c -->",
                     "<", ">", "&", "&amp;", "&lt;", "&#39;", "&#x1F600;", "&nbsp", "&bogus;",
                     "< p>", "</ p>", "<p class='a'b>", "<textarea>", "<title>", "<h1>", "</h1>",
                     "<a title=\"a>b\">", "<img src=x onerror=alert(1)>", "\n", " ", "\r\n"]),
    st.text(max_size=8),
), max_size=25).map("".join)


@given(html_pieces)
@settings(max_examples=1500, deadline=None)
def test_html_fast_path_matches_html_parser(html):
    fast = _html_to_text_fast(html)
    slow = _html_to_text_slow(html)
    if fast is not None:
        assert fast == slow
    assert html_to_text(html) == slow


def test_html_fast_path_takes_mastodon_html():
    content = ('<p><span class="h-card"><a href="https://mastodon.example/@acme" '
               'class="u-url mention">@<span>acme</span></a></span> where &amp; when?</p>'
               '<p>line 2<br />line 3</p>')
    assert _html_to_text_fast(content) == "@acme where & when?\n\nline 2\nline 3"
    assert _html_to_text_fast("<p><script>x</script></p>") is None


# -- inbound: several notification pages per call --------------------------------------------

def _notifications_server(total: int, log: list[int]):
    """Mention notifications 1..total (ids 1001..), answering ``min_id``/``limit`` (max 80)."""
    def handler(request: httpx.Request) -> httpx.Response:
        min_id = int(request.url.params.get("min_id", "0"))
        limit = min(80, int(request.url.params["limit"]))
        log.append(limit)
        ids = [n for n in range(1, total + 1) if 1000 + n > min_id][:limit]
        page = [{"id": str(1000 + n), "type": "mention", "created_at": "2019-11-23T08:00:00Z",
                 "account": {"id": "5", "acct": "bob"},
                 "status": {"id": str(90000 + n), "created_at": f"2019-11-23T{n // 3600:02d}:"
                            f"{n // 60 % 60:02d}:{n % 60:02d}Z",
                            "visibility": "direct" if n % 17 == 0 else "public",
                            "content": f"<p>hello {n}</p>", "account": {"id": "5", "acct": "bob"}}}
                for n in reversed(ids)]
        return httpx.Response(200, json=page)
    return handler


def test_large_limit_reads_several_notification_pages_and_keeps_room_for_dms():
    log: list[int] = []
    a, router, _ = adapter({
        ("GET", "/api/v1/notifications"): _notifications_server(500, log),
        ("GET", "/api/v1/conversations"): ok("conversations.json"),
    })
    page = run(a.fetch_inbound(None, limit=200))
    assert log == [80, 80]  # 160 notifications; 40 kept for DMs
    convs = router.calls("GET", "/api/v1/conversations")
    assert len(convs) == 1 and convs[0].url.params["limit"] == "40"
    assert page.has_more
    texts = [i.text for i in page.items if i.kind.value != "dm"]
    assert texts == [f"hello {n}" for n in range(1, 161) if n % 17]
    assert len(page.items) <= 200
    notes = router.calls("GET", "/api/v1/notifications")
    assert notes[1].url.params["min_id"] == "1080"  # the second page follows the first


def test_small_limit_still_asks_one_page():
    log: list[int] = []
    a, _, _ = adapter({("GET", "/api/v1/notifications"): _notifications_server(500, log),
                       ("GET", "/api/v1/conversations"): ok("empty.json")})
    run(a.fetch_inbound(None, limit=100))
    assert log == [80]


@given(total=st.integers(min_value=0, max_value=450),
       limit=st.sampled_from([1, 79, 80, 81, 100, 161, 200, 250, 1000]))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_walking_the_cursor_with_large_limits_never_skips_or_reorders(total, limit):
    log: list[int] = []
    a, _, _ = adapter({("GET", "/api/v1/notifications"): _notifications_server(total, log),
                       ("GET", "/api/v1/conversations"): ok("empty.json")})
    seen: list[str] = []
    cursor = None
    for _ in range(total + 3):
        page = run(a.fetch_inbound(cursor, limit=limit))
        assert len(page.items) <= limit
        seen += [i.text for i in page.items]
        cursor = page.cursor
        if not page.has_more:
            break
    assert seen == [f"hello {n}" for n in range(1, total + 1) if n % 17]
