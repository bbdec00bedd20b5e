"""End to end on a real local Bluesky network: a connected brand account, an approved
post with a library image scheduled a few seconds ahead, and the worker publishes
it once, with its facets and the image's alt text, where ``getPosts`` finds it; a
second post goes out with "publish now".

Skipped, with the reason, when no PDS answers (see test_bluesky_live.py), or while
the publishing job is not wired into the workspace."""

from __future__ import annotations

import asyncio
import secrets
from datetime import timedelta

import httpx
import pytest

from console.publishing import PUBLISHED, ScheduleRequest
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.console.library_images import png
from tests.integrations.test_bluesky_live import PDS, _WHY_NOT, _account

pytestmark = pytest.mark.skipif(_WHY_NOT is not None, reason=_WHY_NOT or "")

OWNER = RoleActor("olivia", "owner")
ALT = "Two hikers under a red tarp in the rain"


async def run_worker_once(workspace):
    worker = workspace.make_worker()
    try:
        outcomes = await worker.run_all()
    finally:
        await worker.aclose()
    assert all(outcome.ok for outcome in outcomes), outcomes
    return {outcome.name: outcome.report for outcome in outcomes}


async def _connect(workspace, sfx):
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        brand, alice = await _account(c, "brand", sfx), await _account(c, "alice", sfx)
        r = await c.post("com.atproto.server.createAppPassword", json={"name": "socops"},
                         headers={"Authorization": "Bearer " + brand["accessJwt"]})
        r.raise_for_status()
        await workspace.platform_accounts.connect(OWNER, "bluesky", base_url=PDS, identifier=brand["handle"],
                                                  credential=r.json()["password"])
    return brand, alice


async def _platform_view(brand, alice, uris):
    async with httpx.AsyncClient(base_url=f"{PDS}/xrpc/", timeout=10) as c:
        r = await c.get("com.atproto.repo.listRecords", params={"repo": brand["did"],
                                                                "collection": "app.bsky.feed.post"})
        r.raise_for_status()
        records = r.json()["records"]
        views = []
        for _ in range(40):                      # the App View indexes within about half a second
            r = await c.get("app.bsky.feed.getPosts", params={"uris": uris},
                            headers={"Authorization": "Bearer " + alice["accessJwt"]})
            r.raise_for_status()
            views = r.json()["posts"]
            if len(views) == len(uris):
                break
            await asyncio.sleep(0.25)
    return records, {view["uri"]: view for view in views}


def test_the_worker_publishes_a_scheduled_post_once_with_facets_and_alt_text(open_workspace, people, clock,
                                                                             tmp_path):
    workspace = open_workspace()
    if not hasattr(workspace, "scheduling"):
        pytest.skip("the publishing job is not wired into the workspace yet (Workspace.scheduling)")
    sfx = secrets.token_hex(3)
    brand, alice = asyncio.run(_connect(workspace, sfx))
    account_id = f"bluesky:{brand['handle']}"
    ed, mia = people.session("ed", "editor"), people.session("mia", "manager")
    image = tmp_path / "tarp.png"
    image.write_bytes(png(4, 3, shade=int(sfx, 16) % 250))
    asset = workspace.library.add_image(ed, image, title="Tarp in the rain", alt_text=ALT)
    workspace.library.approve(mia, asset.id)

    def approved(text, assets=()):
        post = workspace.posts.draft(ed, [account_id], text, assets=list(assets),
                                     proposed_at=clock() + timedelta(days=1))
        workspace.posts.submit(ed, post.id)
        return workspace.approvals.approve(mia, post.id)

    text = f"Rain or shine {sfx}, thanks @{alice['handle']}! Route notes: https://northwind.example/routes"
    scheduled = approved(text, [asset.id])
    workspace.scheduling.schedule(mia, scheduled.id, ScheduleRequest(at=clock() + timedelta(seconds=3)))
    assert "nothing due" in asyncio.run(run_worker_once(workspace))["publishing"]     # not yet
    clock.advance(seconds=4)
    assert asyncio.run(run_worker_once(workspace))["publishing"] == "1 published"
    target = workspace.scheduling.get(scheduled.id).targets[account_id]
    assert target.state == PUBLISHED and target.remote_id.startswith(f"at://{brand['did']}/")
    clock.advance(minutes=1)
    asyncio.run(run_worker_once(workspace))                                          # nothing sent again

    now_post = approved(f"Trail report {sfx}: the pass is open again")
    people.next_step()
    mia = people.login("mia")                                     # publish now is high-risk: a fresh code
    workspace.scheduling.publish_now(mia, now_post.id)
    assert asyncio.run(run_worker_once(workspace))["publishing"] == "1 published"
    second = workspace.scheduling.get(now_post.id).targets[account_id]
    assert second.state == PUBLISHED

    records, views = asyncio.run(_platform_view(brand, alice, [target.remote_id, second.remote_id]))
    assert sorted(r["uri"] for r in records) == sorted([target.remote_id, second.remote_id])   # once each
    record = views[target.remote_id]["record"]
    assert record["text"] == text
    spans = {f["features"][0]["$type"].rsplit("#", 1)[1]:
             text.encode()[f["index"]["byteStart"]:f["index"]["byteEnd"]].decode() for f in record["facets"]}
    assert spans == {"mention": "@" + alice["handle"], "link": "https://northwind.example/routes"}
    assert record["embed"]["images"][0]["alt"] == ALT
    assert views[second.remote_id]["record"]["text"] == f"Trail report {sfx}: the pass is open again"
