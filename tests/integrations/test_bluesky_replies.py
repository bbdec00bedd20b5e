"""The Bluesky adapter against a fake PDS: mention and link facets, and threaded,
idempotent replies."""

from __future__ import annotations

import asyncio
import json

import pytest

from integrations.base import (
    InboundItem,
    ItemKind,
    PermanentError,
    TransientError,
    UnsupportedError,
)
from integrations.bluesky import BlueskyAdapter, build_facets, rkey_for
from tests.integrations.test_bluesky_fake import (
    ACCOUNT,
    NOW,
    FakeBluesky,
    make_adapter,
)

run = asyncio.run
LIST = "app.bsky.notification.listNotifications"


async def _fetch(adapter: BlueskyAdapter, cursor=None, limit=100):
    try:
        return await adapter.fetch_inbound(cursor, limit)
    finally:
        await adapter.aclose()


def _all_text(exc: BaseException) -> str:
    return f"{exc} {exc!r} {exc.args}"


# -- facets ----------------------------------------------------------------------

def _slice(text: str, facet: dict) -> str:
    raw = text.encode("utf-8")
    return raw[facet["index"]["byteStart"]:facet["index"]["byteEnd"]].decode("utf-8")


def test_facets_match_the_documented_example():
    text = "Hi @alice.bsky.social see https://acme.com"
    facets = build_facets(text, {"alice.bsky.social": "did:plc:alice123"})
    assert [f["index"] for f in facets] == [{"byteStart": 3, "byteEnd": 21},
                                            {"byteStart": 26, "byteEnd": 42}]
    assert facets[0]["features"] == [{"$type": "app.bsky.richtext.facet#mention",
                                      "did": "did:plc:alice123"}]
    assert facets[1]["features"] == [{"$type": "app.bsky.richtext.facet#link",
                                      "uri": "https://acme.com"}]


@pytest.mark.parametrize("text", [
    "👋🏽 こんにちは @alice.bsky.social、詳細は https://acme.com/ja/サポート を見てね 🎉",
    "🇯🇵🇪🇸 (@alice.bsky.social) https://acme.com/a?b=1.",
    "Ünïcödé @ALICE.bsky.social! https://acme.com/x_(y)",
    "支持 https://例え.jp @bob.test",
])
def test_facet_byte_offsets_with_emoji_and_cjk(text):
    facets = build_facets(text, {"alice.bsky.social": "did:plc:alice123",
                                 "bob.test": "did:plc:bob456"})
    slices = [_slice(text, f) for f in facets]
    assert len(facets) == 2
    for facet, piece in zip(facets, slices):
        feature = facet["features"][0]
        if feature["$type"].endswith("#mention"):
            assert piece.lower() in ("@alice.bsky.social", "@bob.test")
        else:
            assert piece == feature["uri"] and piece.startswith("https://")
            assert not piece.endswith((".", ","))


def test_no_facet_for_emails_or_unresolved_handles():
    assert build_facets("write to ops@acme.test or @nobody.test", {}) == []


# -- replies --------------------------------------------------------------------

async def _inbound(adapter: BlueskyAdapter) -> dict[str, InboundItem]:
    page = await adapter.fetch_inbound(None)
    return {i.remote_id[-2:]: i for i in page.items}


def test_reply_threads_root_and_parent_with_cids_and_facets():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        result = await adapter.send_reply(
            items["04"], "Glad it worked 🎉 @alice.bsky.social, docs: https://acme.com/help",
            idempotency_key="reply-1")
        await adapter.aclose()
        return result
    result = run(go())
    created = fake.calls("com.atproto.repo.createRecord")
    assert len(created) == 1
    body = json.loads(created[0].content)
    rkey = rkey_for(ACCOUNT.account_id, "reply-1")
    assert body["repo"] == "did:plc:acme" and body["collection"] == "app.bsky.feed.post"
    assert body["rkey"] == rkey
    record = body["record"]
    assert record["reply"] == {
        "root": {"uri": "at://did:plc:acme/app.bsky.feed.post/3kroot0000000", "cid": "bafyroot"},
        "parent": {"uri": "at://did:plc:bob456/app.bsky.feed.post/3lmn2bbbbbb04", "cid": "bafy04"}}
    assert record["createdAt"] == "2026-05-04T12:00:00Z"
    assert record["langs"] == ["en"]
    mention, link = record["facets"]
    assert _slice(record["text"], mention) == "@alice.bsky.social"
    assert mention["features"][0]["did"] == "did:plc:alice123"
    assert _slice(record["text"], link) == "https://acme.com/help"
    assert result.remote_id == f"at://did:plc:acme/app.bsky.feed.post/{rkey}"
    assert result.url == f"https://bsky.app/profile/acme.test/post/{rkey}"
    assert result.extra["thread_id"] == "at://did:plc:acme/app.bsky.feed.post/3kroot0000000"
    assert result.published_at == NOW
    assert not fake.calls("app.bsky.feed.getPosts")  # CIDs came from the notification


def test_reply_to_a_top_level_mention_uses_it_as_root_and_parent():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        await adapter.send_reply(items["01"], "Yes, we are open!", idempotency_key="k")
        await adapter.aclose()
    run(go())
    record = json.loads(fake.calls("com.atproto.repo.createRecord")[0].content)["record"]
    ref = {"uri": "at://did:plc:alice123/app.bsky.feed.post/3lmn2abcxyz01", "cid": "bafy01"}
    assert record["reply"] == {"root": ref, "parent": ref}
    assert "facets" not in record


def test_reply_after_restart_fetches_cids_with_get_posts():
    fake = FakeBluesky()

    async def go():
        items = await _inbound(make_adapter(fake))
        fresh = make_adapter(fake)  # a new process: no remembered CIDs
        await fresh.send_reply(items["04"], "On it", idempotency_key="k2")
        await fresh.aclose()
    run(go())
    assert len(fake.calls("app.bsky.feed.getPosts")) == 1
    record = json.loads(fake.calls("com.atproto.repo.createRecord")[0].content)["record"]
    assert record["reply"]["root"] == {"uri": "at://did:plc:acme/app.bsky.feed.post/3kroot0000000",
                                       "cid": "bafyroot"}
    assert record["reply"]["parent"]["cid"] == "bafy04"


def test_reply_to_a_deleted_post_is_permanent():
    fake = FakeBluesky()
    fake.posts.clear()

    async def go():
        items = await _inbound(make_adapter(fake))
        fresh = make_adapter(fake)
        try:
            await fresh.send_reply(items["04"], "hello", idempotency_key="k")
        finally:
            await fresh.aclose()
    with pytest.raises(PermanentError, match="deleted"):
        run(go())


def test_a_lost_create_response_is_recovered_by_looking_the_record_up():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        fake.lose_create_response = True  # committed, but the answer times out
        first = await adapter.send_reply(items["04"], "Thanks!", idempotency_key="same")
        again = await adapter.send_reply(items["04"], "Thanks!", idempotency_key="same")
        await adapter.aclose()
        return first, again
    first, again = run(go())
    assert first == again
    assert len(fake.records) == 1
    assert len(fake.calls("com.atproto.repo.createRecord")) == 1
    rkey = rkey_for(ACCOUNT.account_id, "same")
    assert first.url == f"https://bsky.app/profile/acme.test/post/{rkey}"
    assert first.published_at == NOW


def test_retry_after_a_failed_attempt_does_not_post_twice():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        fake.lose_create_response = True
        fake.queue("com.atproto.repo.getRecord", 400, "error_record_not_found.json")
        fake.queue("com.atproto.repo.getRecord", 503, b"")  # the look-up after the timeout fails
        with pytest.raises(TransientError):
            await adapter.send_reply(items["04"], "Thanks!", idempotency_key="same")
        retry = await adapter.send_reply(items["04"], "Thanks!", idempotency_key="same")
        await adapter.aclose()
        return retry
    retry = run(go())
    assert len(fake.records) == 1
    assert len(fake.calls("com.atproto.repo.createRecord")) == 1
    assert retry.remote_id.endswith(rkey_for(ACCOUNT.account_id, "same"))


def test_a_second_create_with_the_same_rkey_is_resolved_by_look_up():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        first = await adapter.send_reply(items["04"], "Thanks!", idempotency_key="race")
        # a concurrent attempt passed its look-up before the first one landed
        fake.queue("com.atproto.repo.getRecord", 400, "error_record_not_found.json")
        second = await adapter.send_reply(items["04"], "Thanks!", idempotency_key="race")
        await adapter.aclose()
        return first, second
    first, second = run(go())
    assert first == second
    assert len(fake.records) == 1
    assert len(fake.calls("com.atproto.repo.createRecord")) == 2  # the second got HTTP 500


def test_reusing_a_key_for_another_item_is_refused():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        await adapter.send_reply(items["04"], "one", idempotency_key="dup")
        try:
            await adapter.send_reply(items["01"], "two", idempotency_key="dup")
        finally:
            await adapter.aclose()
    with pytest.raises(PermanentError, match="idempotency_key"):
        run(go())


def test_rkeys_are_deterministic_valid_tids():
    import re
    keys = {rkey_for("bluesky:acme", str(i)) for i in range(500)}
    assert len(keys) == 500
    assert all(re.fullmatch(r"[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}", k)
               for k in keys)
    assert rkey_for("bluesky:acme", "x") == rkey_for("bluesky:acme", "x")
    assert rkey_for("bluesky:acme", "x") != rkey_for("bluesky:other", "x")


def test_rejected_reply_is_permanent_and_names_the_reason():
    fake = FakeBluesky()
    fake.queue("com.atproto.repo.createRecord", 400, "error_invalid_request.json")
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        try:
            await adapter.send_reply(items["04"], "x" * 301, idempotency_key="long")
        finally:
            await adapter.aclose()
    with pytest.raises(PermanentError, match="300 graphemes"):
        run(go())


@pytest.mark.parametrize("text,key", [("", "k"), ("   ", "k"), ("x" * 3001, "k"), ("ok", "")])
def test_invalid_reply_arguments_are_refused_before_any_request(text, key):
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        before = len(fake.requests)
        try:
            await adapter.send_reply(items["04"], text, idempotency_key=key)
        finally:
            assert len(fake.requests) == before
            await adapter.aclose()
    with pytest.raises(PermanentError):
        run(go())


def test_dm_replies_are_unsupported():
    adapter = make_adapter(FakeBluesky())
    item = InboundItem(platform="bluesky", account_id=ACCOUNT.account_id, remote_id="c1",
                       kind=ItemKind.DM, thread_id="c1",
                       author=__import__("integrations.base", fromlist=["Author"]).Author("d", "h"),
                       text="hi", created_at=NOW)
    with pytest.raises(UnsupportedError):
        run(adapter.send_reply(item, "hello", idempotency_key="k"))


def test_unresolvable_mentions_stay_plain_text():
    fake = FakeBluesky()
    adapter = make_adapter(fake)

    async def go():
        items = await _inbound(adapter)
        await adapter.send_reply(items["01"], "cc @ghost.example.test", idempotency_key="g")
        await adapter.aclose()
    run(go())
    assert len(fake.calls("com.atproto.identity.resolveHandle")) == 1
    record = json.loads(fake.calls("com.atproto.repo.createRecord")[0].content)["record"]
    assert "facets" not in record
