"""Helpers for the tests of an author's own posts (test_my_posts.py,
test_notices_live.py): a team with an editor, ed, and the console driven as one
of them at 80x24."""

from __future__ import annotations

import asyncio

import pytest

from screens.widgets.message_line import MessageLine
from tests.screens.approvals.approvals_data import Team
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import session_app

LOW = "Our new trail jacket is here. Light, warm, packable."


@pytest.fixture
def team(governance_file, workspace, people, fixed_post_ids) -> Team:
    team = Team(people)
    people.add("ed", "editor")
    return team


def shown(pilot) -> str:
    return screen_render(pilot.app)[0]


def status_line(pilot) -> str:
    return shown(pilot).splitlines()[0]


def footer(pilot) -> str:
    return shown(pilot).splitlines()[-1]


def message(screen) -> str:
    return screen.query_one(MessageLine).message


def run(team: Team, user: str, steps, *, size=(80, 24)) -> None:
    """Open the console as ``user`` and run ``steps(pilot)`` (on the first panel)."""

    async def main():
        app = session_app(team.workspace, team.session(user))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await steps(pilot)

    asyncio.run(main())


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)
