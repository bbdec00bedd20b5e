"""SVG snapshots of the wallboard: the overview and the crisis scene, at 240x67 (a TV)
and at 80x24 (an SSH session). Fixed clock and ids, no polling, no rotation. Update
after an intended change with
``pytest tests/screens/wallboard/test_wallboard_snapshots.py --snapshot-update``
and look at the report before accepting it."""

from __future__ import annotations

import pytest

from console.crisis import STEP_DONE
from tests.screens.wallboard.board_helpers import busy_room, quiet_board, refreshed


@pytest.fixture
def overview_board(room, fixed_ids):
    busy_room(room)
    room.workspace.holds.hold(room.as_("mia"), "brand review of the LatAm posts", accounts=["sandbox:northwind_es"])
    return quiet_board(room.workspace, room.as_("vic"))


@pytest.fixture
def crisis_board(room, fixed_ids):
    busy_room(room)
    mia = room.as_("mia")
    declared = room.crisis.declare(mia, 3, "Zipper recall", "pulls snap on the Ridgeline jacket", playbook="recall")
    room.clock.advance(minutes=4)
    room.crisis.step(room.as_("mia"), declared.crisis.steps[0].id, STEP_DONE, "legal and support told")
    room.crisis.note(room.as_("mia"), "holding statement in review")
    room.clock.advance(minutes=8)
    return quiet_board(room.workspace, room.as_("vic"))


def test_wallboard_overview_240x67(overview_board, snap_compare):
    assert snap_compare(overview_board, terminal_size=(240, 67), run_before=refreshed)


def test_wallboard_overview_80x24(overview_board, snap_compare):
    assert snap_compare(overview_board, terminal_size=(80, 24), run_before=refreshed)


def test_wallboard_crisis_240x67(crisis_board, snap_compare):
    assert snap_compare(crisis_board, terminal_size=(240, 67), run_before=refreshed)


def test_wallboard_crisis_80x24(crisis_board, snap_compare):
    assert snap_compare(crisis_board, terminal_size=(80, 24), run_before=refreshed)
