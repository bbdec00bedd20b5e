"""SVG snapshots of the Calendar panel: the agenda, week and month at 80x24, the
week at 200x50 with a second zone, and a post's detail. Fixed clock, fixed post
ids, no worker thread. Update after an intended change with
``pytest tests/screens/calendar/test_calendar_snapshots.py --snapshot-update``
and look at the report before accepting it."""

from __future__ import annotations

import pytest

from tests.screens.calendar.helpers import go_to
from tests.screens.helpers import settle
from tests.screens.session_helpers import session_app


@pytest.fixture
def calendar_app(team, week):
    return session_app(team.workspace, team.session("mia"))


async def _open(pilot, *keys: str) -> None:
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


def test_calendar_agenda_80x24(calendar_app, snap_compare):
    assert snap_compare(calendar_app, terminal_size=(80, 24), run_before=_open)


def test_calendar_week_80x24(calendar_app, snap_compare):
    async def week(pilot):
        await _open(pilot, "w")

    assert snap_compare(calendar_app, terminal_size=(80, 24), run_before=week)


def test_calendar_month_80x24(calendar_app, snap_compare):
    async def month(pilot):
        await _open(pilot, "m")

    assert snap_compare(calendar_app, terminal_size=(80, 24), run_before=month)


def test_calendar_week_with_a_second_zone_200x50(calendar_app, snap_compare):
    async def wide(pilot):
        await _open(pilot, "w", "Z")

    assert snap_compare(calendar_app, terminal_size=(200, 50), run_before=wide)


def test_calendar_detail_of_a_post_that_needs_a_check_80x24(calendar_app, week, snap_compare):
    async def detail(pilot):
        await _open(pilot)
        await go_to(pilot, pilot.app.screen, week["check"])
        await pilot.press("enter")
        await settle(pilot)

    assert snap_compare(calendar_app, terminal_size=(80, 24), run_before=detail)
