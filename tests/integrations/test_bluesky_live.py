"""The Bluesky adapter against a real local Bluesky network (``../shared/peers/bluesky``).

Skipped, with the reason, when no PDS answers at ``SOCOPS_BSKY_PDS`` (default
``http://localhost:2583``); this module does not start the network itself.
"""

from __future__ import annotations

import asyncio
import os
import secrets
from datetime import datetime, timezone

import httpx
import pytest

from integrations.base import AccountRef, ItemKind, MediaAttachment, OutboundPost
from integrations.bluesky import BlueskyAdapter, rkey_for

PDS = os.environ.get("SOCOPS_BSKY_PDS", "http://localhost:2583")


def _pds_up() -> str | None:
    try:
        httpx.get(f"{PDS}/xrpc/_health", timeout=2.0).raise_for_status()
    except httpx.HTTPError as exc:
        return f"no local Bluesky PDS at {PDS} ({type(exc).__name__}); start ../shared/peers/bluesky/up.sh"
    return None


_WHY_NOT = _pds_up()
pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")


async def _account(c: httpx.AsyncClient, name: str, sfx: str) -> dict:
    r = await c.post("com.atproto.server.createAccount", json={
        "handle": f"{name}{sfx}.test", "email": f"{name}{sfx}@example.test",
        "password": "pw-" + sfx})
    r.raise_for_status()
    return r.json()


async def _post(c: httpx.AsyncClient, who: dict, text: str, **extra) -> dict:
    record = {"$type": "app.bsky.feed.post", "text": text,
              "createdAt": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), **extra}
    r = await c.post("com.atproto.repo.createRecord",
                     headers={"Authorization": "Bearer " + who["accessJwt"]},
                     json={"repo": who["did"], "collection": "app.bsky.feed.post", "record": record})
    r.raise_for_status()
    return r.json()


async def _scenario():
    sfx = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        brand, alice = await _account(c, "brand", sfx), await _account(c, "alice", sfx)
        r = await c.post("com.atproto.server.createAppPassword", json={"name": "socops"},
                         headers={"Authorization": "Bearer " + brand["accessJwt"]})
        r.raise_for_status()
        app_password = r.json()["password"]
        mention = "@" + brand["handle"]
        await _post(c, alice, f"{mention} is support open? 👋", facets=[{
            "index": {"byteStart": 0, "byteEnd": len(mention.encode())},
            "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand["did"]}]}])
        own = await _post(c, brand, "We ship on Fridays")
        ref = {"uri": own["uri"], "cid": own["cid"]}
        await _post(c, alice, "Even on holidays? 日本でも？", reply={"root": ref, "parent": ref})

        account = AccountRef(platform="bluesky", account_id=f"bluesky:{sfx}",
                             handle="@" + brand["handle"], language="en")
        adapter = BlueskyAdapter(account, base_url=PDS, identifier=brand["handle"],
                                 app_password=app_password)
        try:
            items = []
            for _ in range(40):  # notifications arrive within about 0.5 s
                items += (await adapter.fetch_inbound(None)).items
                if len(items) >= 2:
                    break
                await asyncio.sleep(0.25)
            # a spoiled access token: the adapter refreshes the session and goes on
            adapter.xrpc.session.access_jwt += "x"
            refresh_before = adapter.xrpc.session.refresh_jwt
            await adapter.fetch_inbound(None)
            assert adapter.xrpc.session.refresh_jwt != refresh_before
            text = f"Yes! @{alice['handle']} details: https://acme.example/holidays 🎌"
            reply_to = next(i for i in items if i.kind is ItemKind.COMMENT)
            first = await adapter.send_reply(reply_to, text, idempotency_key="op-1")
            again = await adapter.send_reply(reply_to, text, idempotency_key="op-1")
            r = await c.get("com.atproto.repo.getRecord", params={
                "repo": brand["did"], "collection": "app.bsky.feed.post",
                "rkey": rkey_for(account.account_id, "op-1")})
            r.raise_for_status()
            stored = r.json()["value"]
            r = await c.get("com.atproto.repo.listRecords", params={
                "repo": brand["did"], "collection": "app.bsky.feed.post"})
            own_posts = r.json()["records"]
        finally:
            await adapter.aclose()
    return brand, alice, own, items, first, again, stored, own_posts, text


def test_inbox_and_threaded_idempotent_reply_against_the_local_network():
    brand, alice, own, items, first, again, stored, own_posts, text = asyncio.run(_scenario())
    kinds = sorted(i.kind.value for i in items)
    assert kinds == ["comment", "mention"]
    comment = next(i for i in items if i.kind is ItemKind.COMMENT)
    assert comment.thread_id == own["uri"] and comment.parent_remote_id == own["uri"]
    assert comment.author.remote_id == alice["did"] and comment.text.endswith("日本でも？")
    assert first == again and len(own_posts) == 2  # "We ship on Fridays" + one reply
    assert stored["reply"]["root"] == {"uri": own["uri"], "cid": own["cid"]}
    assert stored["reply"]["parent"]["uri"] == comment.remote_id
    raw = text.encode()
    spans = {f["features"][0]["$type"].rsplit("#", 1)[1]:
             raw[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in stored["facets"]}
    assert spans == {"mention": "@" + alice["handle"], "link": "https://acme.example/holidays"}
    assert first.url == f"https://bsky.app/profile/{brand['handle']}/post/{first.extra['rkey']}"


async def _publish_search_delete():
    sfx = secrets.token_hex(3)
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        brand, alice = await _account(c, "brand", sfx), await _account(c, "alice", sfx)
        r = await c.post("com.atproto.server.createAppPassword", json={"name": "socops"},
                         headers={"Authorization": "Bearer " + brand["accessJwt"]})
        r.raise_for_status()
        account = AccountRef(platform="bluesky", account_id=f"bluesky:{sfx}",
                             handle="@" + brand["handle"], language="en")
        adapter = BlueskyAdapter(account, base_url=PDS, identifier=brand["handle"],
                                 app_password=r.json()["password"])
        marker = f"kettle{sfx}"
        text = f"New {marker} colours with @{alice['handle']} 🫖 https://acme.example/kettles"
        image = MediaAttachment("A teal kettle on a wooden table", "image/png", data=_PNG, width=1, height=1)
        try:
            published = await adapter.publish(OutboundPost(text, media=(image,)), idempotency_key="launch-1")
            found = []
            for _ in range(40):  # the App View indexes the post within about 0.5 s
                found = (await adapter.search(marker)).posts
                if found:
                    break
                await asyncio.sleep(0.25)
            rkey = published.remote_id.rsplit("/", 1)[1]
            r = await c.get("com.atproto.repo.getRecord", params={
                "repo": brand["did"], "collection": "app.bsky.feed.post", "rkey": rkey})
            r.raise_for_status()
            stored = r.json()["value"]
            await adapter.delete(published.remote_id)
            r = await c.get("com.atproto.repo.getRecord", params={
                "repo": brand["did"], "collection": "app.bsky.feed.post", "rkey": rkey})
            after_delete = r.status_code
            gone = True
            for _ in range(40):
                if not (await adapter.search(marker)).posts:
                    break
                await asyncio.sleep(0.25)
            else:
                gone = False
        finally:
            await adapter.aclose()
    return brand, alice, text, published, found, stored, after_delete, gone


# a 1x1 PNG
_PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                     "1f15c4890000000d49444154789c6360f8cf00000301010018dd8db00000000049454e44ae426082")


def test_publish_with_facets_and_alt_text_search_finds_it_delete_removes_it():
    brand, alice, text, published, found, stored, after_delete, gone = asyncio.run(_publish_search_delete())
    assert published.url == f"https://bsky.app/profile/{brand['handle']}/post/{published.extra['rkey']}"
    raw = text.encode()
    spans = {f["features"][0]["$type"].rsplit("#", 1)[1]:
             raw[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in stored["facets"]}
    assert spans == {"mention": "@" + alice["handle"], "link": "https://acme.example/kettles"}
    mention = next(f for f in stored["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"] == alice["did"]
    assert stored["embed"]["images"][0]["alt"] == "A teal kettle on a wooden table"
    assert [p.remote_id for p in found] == [published.remote_id]
    assert found[0].text == text and found[0].author.handle == "@" + brand["handle"]
    assert after_delete == 400  # RecordNotFound
    assert gone, "search still finds the post after delete"
