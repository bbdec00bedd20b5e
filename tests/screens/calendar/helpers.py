"""Driving the Calendar panel in tests: open it as someone, move the cursor to a
post, answer its prompts, read the screen."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from screens.calendar.screen import CalendarScreen
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import TextPrompt
from tests.screens.calendar.calendar_data import CalendarTeam, week_of_posts
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import session_app


@pytest.fixture
def team(calendar_governance, workspace, people, fixed_post_ids) -> CalendarTeam:
    return CalendarTeam(people)


@pytest.fixture
def week(team) -> dict[str, str]:
    return week_of_posts(team)


def run(team: CalendarTeam, user: str, steps, *, size=(80, 24)) -> None:
    """Open the console as ``user``, go to the Calendar panel, run ``steps(pilot, screen)``."""

    async def main():
        app = session_app(team.workspace, team.session(user))
        async with app.run_test(size=size) as pilot:
            await settle(pilot)
            await pilot.press("3")
            await settle(pilot)
            assert isinstance(app.screen, CalendarScreen)
            await steps(pilot, app.screen)

    asyncio.run(main())


async def press(pilot, *keys: str) -> None:
    await pilot.press(*keys)
    await settle(pilot)


async def go_to(pilot, screen: CalendarScreen, post_id: str, *, limit: int = 40) -> None:
    """Move the cursor with j or k (whichever way the post is) until it is on ``post_id``."""
    for _ in range(limit):
        entry = screen.cursor_entry
        if entry is not None and entry.post_id == post_id:
            return
        target = next(i for i, e in enumerate(screen.data.entries) if e.post_id == post_id)
        await press(pilot, "j" if screen.cursor is None or screen.cursor < target else "k")
    raise AssertionError(f"the cursor never reached {post_id}")


async def answer(pilot, text: str) -> None:
    """Type ``text`` into the open prompt and press Enter."""
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt), prompt
    prompt.query_one(Input).value = text
    await press(pilot, "enter")


def shown(pilot) -> str:
    return screen_render(pilot.app)[0]


def message(screen) -> str:
    return screen.query_one(MessageLine).message
