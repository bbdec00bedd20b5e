"""A crisis room on the test workspace: the shipped governance file (its
crisis plan, levels and playbooks, its crisis statement route) with
publishing rules that keep out of the way, the sandbox's accounts, the
sample holding statements, a team of logged-in people, and helpers to
schedule posts, queue replies and run the publishing job."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import timedelta

import pytest

from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE
from console.publishing import ScheduleRequest
from tests.console.helpers import add_items, inbound
from tests.console.identity_fixtures import People, memory_keyring  # noqa: F401

EN, ES, JA = "sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja"
#: The publishing rules of these tests: nothing in the way of many posts at once.
PUBLISHING_RULES = """[publishing]
min_spacing_minutes = 0
duplicate_days = 0
reapprove_on_reschedule = false
override_roles = ["owner", "admin"]
missed_after_minutes = 15
"""
TEXTS = {
    EN: "Trail notes {n}: the Ridgeline rain jacket is back in every size. See you out there!",
    ES: "Notas del sendero {n}: vuelve la chaqueta Ridgeline en todas las tallas. #NorthwindLatAm",
    JA: "トレイル通信 {n}: Ridgelineレインジャケットが全サイズ再入荷しました。#ノースウィンド",
}
#: Who is on the team: name -> role.
TEAM = {"mia": "manager", "max": "manager", "rita": "responder", "ed": "editor", "ada": "admin", "vic": "viewer",
        "al": "analyst"}


def crisis_governance(publishing: str = PUBLISHING_RULES, crisis: str | None = None) -> str:
    """The shipped file, its publishing rules replaced (and its crisis plan, when given)."""
    head, rest = EXAMPLE_GOVERNANCE.split("\n[publishing]\n", 1)
    plan = rest[rest.index("# ==== Crisis plan"):] if crisis is None else crisis
    return head + "\n" + publishing + "\n" + plan


@dataclass
class Room:
    workspace: object
    people: People
    clock: object

    @property
    def crisis(self):
        return self.workspace.crisis

    def as_(self, name: str):
        """A fresh session of ``name`` (a fresh code: high-risk actions pass)."""
        if name == "olivia":
            return self.people.owner()
        return self.people.session(name, TEAM[name])

    def approved_post(self, n: int, account: str = EN, *, text: str | None = None):
        """An approved post (written by ed, approved by mia), not scheduled."""
        ed, mia = self.as_("ed"), self.as_("mia")
        posts = self.workspace.posts
        post = posts.draft(ed, [account], text or TEXTS[account].format(n=n),
                           proposed_at=self.clock() + timedelta(days=1))
        posts.submit(ed, post.id)
        return self.workspace.approvals.approve(mia, post.id)

    def scheduled(self, n: int, account: str = EN, *, minutes: float = 60):
        post = self.approved_post(n, account)
        self.workspace.scheduling.schedule(self.as_("mia"), post.id,
                                           ScheduleRequest(at=self.clock() + timedelta(minutes=minutes)))
        return post

    def publish_now(self, n: int, account: str = EN):
        post = self.approved_post(n, account)
        self.workspace.scheduling.publish_now(self.as_("mia"), post.id)
        return post

    def target(self, post_id: str, account: str = EN):
        return self.workspace.scheduling.get(post_id).targets[account]

    def publish_round(self):
        """One round of the worker's publishing job, on the sandbox."""
        async def go():
            adapters = self.workspace.make_account_adapters()
            try:
                return await self.workspace.publisher.run(await adapters.current(), self.clock())
            finally:
                await adapters.aclose()

        return asyncio.run(go())

    def send_replies(self):
        """One round of the worker's reply job, on the sandbox."""
        from console.inbox import SendReplies

        async def go():
            adapters = self.workspace.make_account_adapters()
            job = SendReplies(self.workspace.store, self.workspace.inbox, self.workspace.audit, adapters,
                              held=lambda author, account: self.workspace.crisis.reply_held(author, account))
            try:
                return await job.send(self.clock())
            finally:
                await adapters.aclose()

        return asyncio.run(go())

    def item(self, n: int, account: str = EN) -> str:
        """An inbox item on ``account``, received now; its id."""
        return add_items(self.workspace.store, [inbound(n, self.clock() - timedelta(minutes=5), account=account)],
                         received=self.clock())[0]

    def unread(self, name: str) -> list[str]:
        return [notice.text for notice in self.workspace.notices.unread(name)]

    def audit(self, action_prefix: str = "") -> list[tuple[str, str, str]]:
        return [(e["actor"], e["action"], e["target"]) for e in self.workspace.audit.events()
                if e["action"].startswith(action_prefix)]


@pytest.fixture
def room(workspace, clock, memory_keyring) -> Room:  # noqa: F811
    workspace.paths.config_dir.joinpath(GOVERNANCE_FILE).write_text(crisis_governance(), encoding="utf-8")
    workspace.add_sample_content()
    room = Room(workspace, People(workspace, clock), clock)
    room.people.owner()
    for name, role in TEAM.items():
        room.people.add(name, role)
    return room
