"""Scheduling and publishing from a shell: a team on the sandbox workspace (its
three accounts in New York, Mexico City and Tokyo, and the example governance
file's publishing rules), posts approved through the services, and the
publishing job run as the worker would run it.

The test clock starts on Thu 2026-11-26 09:00 UTC: 04:00 in New York (quiet
hours, and US Thanksgiving), 18:00 in Tokyo.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

import pytest

from console.cli.main import main
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401

EN, ES, JA = "sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(people, cli_clock):
    people.owner("olivia")
    people.session("ed", "editor")          # added, logged in once, the policy acknowledged
    people.session("mia", "manager")
    return people


def as_user(monkeypatch, team, name: str, capsys, *argv):
    act_as(monkeypatch, team, name)
    return run(capsys, *argv)


def approved(workspace, team, text: str = "Autumn walks start Saturday at the harbour #ノースウィンド", *, targets=(EN,),
             at: datetime | None = None, tags=()) -> str:
    """A post drafted and submitted by ed and approved by mia: its id."""
    workspace.store.refresh()
    at = at or datetime.fromisoformat("2026-12-02T15:00+00:00")
    post = workspace.posts.draft(team.login("ed"), list(targets), text, proposed_at=at, tags=tags)
    workspace.posts.submit(team.login("ed"), post.id)
    workspace.approvals.approve(team.login("mia"), post.id)
    return post.id


def publish_due(workspace):
    """One round of the publishing job, with the sandbox's adapters."""
    workspace.store.refresh()
    source = workspace.make_account_adapters()

    async def once():
        try:
            return await workspace.publisher.run(await source.current(), workspace.clock())
        finally:
            await source.aclose()

    return asyncio.run(once())


def audit(workspace) -> list[tuple[str, str, str, str]]:
    workspace.store.refresh()
    return [(e["actor"], e["action"], e["target"], e["summary"]) for e in workspace.audit.events()]
