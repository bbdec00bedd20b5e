"""Publishing on a real local Bluesky network (``../shared/peers/bluesky``): once per
idempotency key (also when the first attempt lands between a retry's look and its
create), with mention and link facets and an image with alt text; found with
``app.bsky.feed.getPosts`` and with ``find_published``; deleted.

Skipped, with the reason, when no PDS answers at ``SOCOPS_BSKY_PDS`` (default
``http://localhost:2583``); this module does not start the network itself.
"""

from __future__ import annotations

import asyncio
import secrets
from datetime import datetime, timedelta, timezone

import httpx
import pytest

from integrations.base import AccountRef, MediaAttachment, OutboundPost
from integrations.bluesky import BlueskyAdapter
from tests.integrations.test_bluesky_live import _PNG, _WHY_NOT, PDS, _account

pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")

POST = "app.bsky.feed.post"


async def _until(check, what: str, tries: int = 60):
    """Poll ``check`` (the App View indexes within about half a second)."""
    for _ in range(tries):
        found = await check()
        if found:
            return found
        await asyncio.sleep(0.25)
    raise AssertionError(f"{what} did not happen within {tries * 0.25:.0f} s")


async def _brand_adapter(c: httpx.AsyncClient, sfx: str) -> tuple[dict, dict, BlueskyAdapter]:
    brand, alice = await _account(c, "brand", sfx), await _account(c, "alice", sfx)
    r = await c.post("com.atproto.server.createAppPassword", json={"name": "socops"},
                     headers={"Authorization": "Bearer " + brand["accessJwt"]})
    r.raise_for_status()
    account = AccountRef(platform="bluesky", account_id=f"bluesky:{sfx}", handle="@" + brand["handle"],
                         language="en")
    adapter = BlueskyAdapter(account, base_url=PDS, identifier=brand["handle"], app_password=r.json()["password"])
    return brand, alice, adapter


async def _own_records(c: httpx.AsyncClient, did: str) -> list[dict]:
    r = await c.get("com.atproto.repo.listRecords", params={"repo": did, "collection": POST})
    r.raise_for_status()
    return r.json()["records"]


async def _get_posts(c: httpx.AsyncClient, who: dict, uri: str) -> list[dict]:
    r = await c.get("app.bsky.feed.getPosts", params={"uris": [uri]},
                    headers={"Authorization": "Bearer " + who["accessJwt"]})
    r.raise_for_status()
    return r.json()["posts"]


async def _scenario():
    sfx = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        brand, alice, adapter = await _brand_adapter(c, sfx)
        text = f"The Ridgeline jacket {sfx} is back, thanks @{alice['handle']}! https://acme.example/ridgeline"
        image = MediaAttachment("A red rain jacket hanging on a wooden peg", "image/png", data=_PNG,
                                width=1, height=1)
        post = OutboundPost(text, media=(image,))
        before = datetime.now(timezone.utc) - timedelta(seconds=5)
        try:
            first = await adapter.publish(post, idempotency_key="socops-launch-1")
            again = await adapter.publish(post, idempotency_key="socops-launch-1")
            records_after_retry = await _own_records(c, brand["did"])
            views = await _until(lambda: _get_posts(c, alice, first.remote_id), "getPosts finding the post")
            found = await _until(lambda: adapter.find_published(post, since=before), "find_published")
            await adapter.delete(first.remote_id)
            gone = await _until(lambda: _none(_get_posts(c, alice, first.remote_id)), "the post going away")
        finally:
            await adapter.aclose()
    return brand, alice, text, first, again, records_after_retry, views, found, gone


async def _none(posts_call) -> bool:
    return not await posts_call


def test_published_once_with_facets_and_alt_text_found_and_deleted():
    brand, alice, text, first, again, records, views, found, gone = asyncio.run(_scenario())
    assert again == first
    assert [r["uri"] for r in records] == [first.remote_id]              # one record for the key
    (view,) = views
    record = view["record"]
    assert record["text"] == text
    spans = {f["features"][0]["$type"].rsplit("#", 1)[1]: text.encode()[f["index"]["byteStart"]:
                                                                       f["index"]["byteEnd"]].decode()
             for f in record["facets"]}
    assert spans == {"mention": "@" + alice["handle"], "link": "https://acme.example/ridgeline"}
    mention = next(f for f in record["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"] == alice["did"]
    assert record["embed"]["images"][0]["alt"] == "A red rain jacket hanging on a wooden peg"
    assert view["embed"]["images"][0]["alt"] == "A red rain jacket hanging on a wooden peg"
    assert view["author"]["did"] == brand["did"]
    assert found.remote_id == first.remote_id and found.url == first.url
    assert gone


async def _landed_between_look_and_create():
    """The first attempt lands after the retry looked (getRecord: none) and before it
    creates: the PDS refuses the taken record key, and the adapter returns the post."""
    sfx = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        brand, _alice, adapter = await _brand_adapter(c, sfx)
        post = OutboundPost(f"Summit vests {sfx} restocked")
        try:
            first = await adapter.publish(post, idempotency_key="socops-race")
            looked = adapter._get_own_post
            looks: list[str] = []

            async def look_misses_once(did, rkey):
                looks.append(rkey)
                return None if len(looks) == 1 else await looked(did, rkey)

            adapter._get_own_post = look_misses_once
            again = await adapter.publish(post, idempotency_key="socops-race")
            records = await _own_records(c, brand["did"])
        finally:
            await adapter.aclose()
    return first, again, records, looks


def test_a_retry_racing_the_first_attempt_returns_the_post_the_first_made():
    first, again, records, looks = asyncio.run(_landed_between_look_and_create())
    assert len(looks) == 2        # the look that missed, then the read after the refused create
    assert again.remote_id == first.remote_id and again.extra["rkey"] == first.extra["rkey"]
    assert [r["uri"] for r in records] == [first.remote_id]
