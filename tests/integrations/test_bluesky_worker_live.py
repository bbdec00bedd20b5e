"""End to end on a real local Bluesky network: the brand account is connected
through the account service (app password checked, kept in the keyring), a
fan mentions the brand, the worker brings the mention into the inbox, an
operator replies, and the worker's reply arrives threaded under the mention.

Skipped, with the reason, when no PDS answers (see test_bluesky_live.py)."""

from __future__ import annotations

import asyncio
import secrets
import time

import httpx
import pytest

from console.inbox import InboxFilter
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
from tests.integrations.test_bluesky_live import PDS, _WHY_NOT, _account, _post

pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")

OWNER = RoleActor("olivia", "owner")


async def run_worker_once(workspace):
    """Every job once, as `socops worker --once` runs them; a job that fails fails the test."""
    worker = workspace.make_worker()
    try:
        outcomes = await worker.run_all()
    finally:
        await worker.aclose()
    assert all(outcome.ok for outcome in outcomes), outcomes


def test_a_mention_reaches_the_inbox_and_the_reply_is_threaded(open_workspace, memory_keyring):
    workspace = open_workspace()
    sfx = secrets.token_hex(3)

    async def scenario():
        async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
            brand, fan = await _account(c, "brand", sfx), await _account(c, "fan", sfx)
            r = await c.post("com.atproto.server.createAppPassword", json={"name": "socops"},
                             headers={"Authorization": "Bearer " + brand["accessJwt"]})
            r.raise_for_status()
            await workspace.platform_accounts.connect(
                OWNER, "bluesky", base_url=PDS, identifier=brand["handle"], credential=r.json()["password"])
            text = f"@{brand['handle']} where is my order? {sfx}"
            start = text.encode().index(b"@")
            end = start + len(("@" + brand["handle"]).encode())
            facets = [{"index": {"byteStart": start, "byteEnd": end},
                       "features": [{"$type": "app.bsky.richtext.facet#mention", "did": brand["did"]}]}]
            mention = await _post(c, fan, text, facets=facets)
            return brand, fan, mention

    brand, fan, mention = asyncio.run(scenario())
    account_id = f"bluesky:{brand['handle']}"
    found = []
    deadline = time.monotonic() + 20
    while not found and time.monotonic() < deadline:
        asyncio.run(run_worker_once(workspace))
        found = workspace.inbox.list_ids(InboxFilter(account=account_id), actor=OWNER)
        if not found:
            time.sleep(0.5)
    assert found, "the worker did not bring the mention into the inbox"
    item = workspace.inbox.get(found[0])
    assert item.platform == "bluesky" and item.author_handle.lstrip("@") == fan["handle"]
    assert mention["uri"] in (item.remote_id, item.thread_id)

    workspace.inbox.reply(item.id, f"Sorry about that! Checking now {sfx}", actor=OWNER)
    asyncio.run(run_worker_once(workspace))
    sent = workspace.inbox.get(item.id).replies[0]
    assert sent.status == "sent", sent.error

    async def reply_parent():
        async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
            r = await c.get("com.atproto.repo.listRecords",
                            params={"repo": brand["did"], "collection": "app.bsky.feed.post"})
            r.raise_for_status()
            return [rec["value"].get("reply", {}).get("parent", {}).get("uri")
                    for rec in r.json()["records"]]

    assert mention["uri"] in asyncio.run(reply_parent())
