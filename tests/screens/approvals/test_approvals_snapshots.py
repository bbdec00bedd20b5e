"""SVG snapshots of the Approvals panel at 80x24 (and one wide): fixed clock, fixed
post ids, no worker thread. Update after an intended change with
``pytest tests/screens/test_approvals_snapshots.py --snapshot-update`` and look
at the report before accepting it."""

from __future__ import annotations

import pytest

from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.approvals.approvals_data import ES, EN, Team, fixed_post_ids, governance_file  # noqa: F401
from tests.screens.helpers import settle
from tests.screens.session_helpers import session_app


@pytest.fixture
def queue_app(governance_file, workspace, people, fixed_post_ids):
    """max's console with four posts waiting for him, one of them edited after his approval."""
    team = Team(people)
    people.add("ana", "editor")
    team.submit("mia", "Our new trail jacket is here. Light, warm, packable.", hours=3)
    team.submit("mia", "Trail jacket sale: 20% off this weekend only. Eco-friendly fabric.", hours=26,
                acknowledge=["brand.banned"])
    team.submit("ana", "Nuevas chaquetas para la temporada de lluvias.", targets=(ES,), hours=50)
    edited = team.submit("mia", "Trail report: the ridge path is open again.\nBring layers.",
                         targets=(EN, ES), hours=8)
    team.workspace.approvals.approve(team.session("max"), edited.id)
    edited = team.workspace.posts.get(edited.id)
    team.workspace.posts.edit(team.session("ana"), edited.id, expected_version=edited.version,
                              text="Trail report: the ridge path is open again.\nBring layers and a headlamp.")
    return session_app(workspace, team.session("max"))


async def _open_panel(pilot) -> None:
    await settle(pilot)
    await pilot.press("2")
    await settle(pilot)


def test_approval_queue_80x24(queue_app, snap_compare):
    async def select_one(pilot) -> None:
        await _open_panel(pilot)
        await pilot.press("space")
        await settle(pilot)

    assert snap_compare(queue_app, terminal_size=(80, 24), run_before=select_one)


def test_approval_detail_reading_80x24(queue_app, snap_compare):
    async def read_edited(pilot) -> None:
        await _open_panel(pilot)
        await pilot.press("end", "enter")
        await settle(pilot)

    assert snap_compare(queue_app, terminal_size=(80, 24), run_before=read_edited)


def test_approvals_160x48(queue_app, snap_compare):
    async def wide(pilot) -> None:
        await _open_panel(pilot)
        await pilot.press("end")
        await settle(pilot)

    assert snap_compare(queue_app, terminal_size=(160, 48), run_before=wide)


def test_approvals_mine_with_notices_80x24(governance_file, workspace, people, fixed_post_ids, snap_compare):
    """mia's own posts in every status, and the notices the approvers' decisions left her."""
    team = Team(people)
    approvals, posts, max_ = team.workspace.approvals, team.workspace.posts, team.session("max")
    approved = team.submit("mia", "Our new trail jacket is here.", hours=3)
    approvals.approve(max_, approved.id, note="Nice photo")
    team.clock.advance(minutes=1)   # notices sort by the time they were left
    rejected = team.submit("mia", "Rain shells, lowest price in town: 30% discount.", hours=5)
    approvals.reject(max_, rejected.id, "No price claims without legal [b]review[/b]")
    team.clock.advance(minutes=1)
    changes = team.submit("mia", "Trail report: the ridge path is open again.", hours=8)
    approvals.request_changes(max_, changes.id, "Add the trail name")
    team.submit("mia", "Trail sale: 10% off gaiters.", hours=30)
    posts.draft(team.session("mia"), [EN], "Draft: autumn colours are in.")

    async def mine(pilot) -> None:
        await _open_panel(pilot)
        await pilot.press("v")
        await settle(pilot)

    assert snap_compare(session_app(workspace, team.session("mia")), terminal_size=(80, 24), run_before=mine)


def test_an_editors_own_posts_80x24(governance_file, workspace, people, fixed_post_ids, snap_compare):
    """An editor (no post.approve) on key 2: their own posts at once, no decision keys, and
    the rejected post under the cursor with who rejected it and why."""
    team = Team(people)
    people.add("ed", "editor")
    approvals, max_ = team.workspace.approvals, team.session("max")
    team.workspace.posts.draft(team.session("ed"), [EN], "Autumn colours are in.")
    rejected = team.submit("ed", "Rain shells, lowest price in town: 30% discount.", hours=5)
    team.clock.advance(minutes=1)
    approvals.reject(max_, rejected.id, "No price claims without legal review")
    team.submit("ed", "Trail report: the ridge path is open again.", hours=8)

    async def to_the_rejected_post(pilot) -> None:
        await _open_panel(pilot)
        await pilot.press("end")
        await settle(pilot)

    assert snap_compare(session_app(workspace, team.session("ed")), terminal_size=(80, 24),
                        run_before=to_the_rejected_post)
