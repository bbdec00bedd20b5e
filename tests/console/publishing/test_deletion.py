"""Deleting a published post: only through a platform that has a delete, every
refusal before anything is deleted, and nothing recorded unless the platform
said it is gone."""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from console.errors import InvalidAction
from console.publishing import DELETED, PUBLISHED, ScheduleRequest, combined_state
from integrations.base import Capabilities, PlatformAdapter, TransientError
from tests.console.publishing.cli_fixtures import EN, JA, approved, audit, publish_due
from tests.console.publishing.cli_fixtures import cli_clock, memory_keyring, people, team  # noqa: F401

TEXT = "Winter boots are back #ノースウィンド"


class Platform(PlatformAdapter):
    """An adapter at the edge of the test: a delete that works, fails, or does not exist."""

    def __init__(self, account, platform: str, *, can_delete: bool = True, fails: bool = False) -> None:
        super().__init__(account)
        self.platform = platform
        self.capabilities = Capabilities(publish=True, delete=can_delete)
        self.fails = fails
        self.deleted: list[str] = []

    async def fetch_inbound(self, cursor, limit=100):
        raise NotImplementedError

    async def send_reply(self, item, text, *, idempotency_key):
        raise NotImplementedError

    async def delete(self, remote_id: str) -> None:
        if self.fails:
            raise TransientError("HTTP 503 from the platform", platform=self.platform)
        self.deleted.append(remote_id)


def _at(text: str) -> ScheduleRequest:
    return ScheduleRequest(at=datetime.fromisoformat(text))


@pytest.fixture
def out_on_two(workspace, team):
    """A post published on @en and @ja (Friday 08:00 in New York, 22:00 in Tokyo)."""
    post_id = approved(workspace, team, TEXT, targets=(EN, JA))
    workspace.scheduling.schedule(team.login("ed"), post_id, _at("2026-11-27T13:00+00:00"))
    team.clock.advance(hours=28)
    assert publish_due(workspace).published == 2
    return post_id


def delete(workspace, session, post_id, adapters, **kwargs):
    return asyncio.run(workspace.deletion.delete(session, post_id, adapters, **kwargs))


def test_a_platform_without_a_delete_is_refused_before_anything_is_deleted(workspace, team, out_on_two):
    mia = team.login("mia")
    en = Platform(workspace.account_ref(EN), "sandbox")
    ja = Platform(workspace.account_ref(JA), "instagram", can_delete=False)
    with pytest.raises(InvalidAction) as refused:
        delete(workspace, mia, out_on_two, {EN: en, JA: ja})
    assert str(refused.value).startswith(f"nothing was deleted: instagram has no delete in its API: delete the post "
                                         f"on {JA} in instagram itself (https://")
    assert str(refused.value).endswith(f"; to delete it from the others, name them with --account ({EN})")
    assert en.deleted == []
    outcomes = delete(workspace, mia, out_on_two, {EN: en, JA: ja}, accounts=[EN])
    assert [(o.account_id, o.deleted) for o in outcomes] == [(EN, True)]
    targets = workspace.scheduling.get(out_on_two).targets
    assert (targets[EN].state, targets[JA].state) == (DELETED, PUBLISHED)
    assert combined_state((DELETED, PUBLISHED), False) == "published"
    assert combined_state((DELETED,), False) == "deleted"


def test_a_platform_error_is_reported_and_nothing_is_recorded(workspace, team, out_on_two):
    mia = team.login("mia")
    before = [e for e in audit(workspace) if e[1] == "post.delete"]
    en = Platform(workspace.account_ref(EN), "sandbox", fails=True)
    ja = Platform(workspace.account_ref(JA), "sandbox")
    outcomes = delete(workspace, mia, out_on_two, {EN: en, JA: ja})
    assert [(o.account_id, o.deleted, o.detail) for o in outcomes] == [
        (EN, False, "sandbox said: HTTP 503 from the platform"), (JA, True, ja.deleted[0])]
    targets = workspace.scheduling.get(out_on_two).targets
    assert (targets[EN].state, targets[EN].deleted_by) == (PUBLISHED, "")
    assert targets[JA].state == DELETED
    deletes = [e for e in audit(workspace) if e[1] == "post.delete"]
    assert len(deletes) == len(before) + 1 and deletes[-1][3].startswith(f"{JA}: deleted ")


def test_an_account_not_connected_and_a_post_not_out_are_refused(workspace, team, out_on_two):
    mia = team.login("mia")
    with pytest.raises(InvalidAction, match=f"{JA} is not connected; reconnect it"):
        delete(workspace, mia, out_on_two, {EN: Platform(workspace.account_ref(EN), "sandbox")})
    waiting = approved(workspace, team, "Gloves are back #ノースウィンド", targets=(JA,))
    workspace.scheduling.schedule(team.login("ed"), waiting, _at("2026-12-02T03:00+00:00"))
    with pytest.raises(InvalidAction, match=r"is scheduled; only a post that is out can be deleted \(to stop it "
                                            r"going out, `socops post unschedule`\)"):
        workspace.deletion.targets(mia, waiting, [JA])
