"""SVG snapshots of the Crisis panel: no active crisis (a past one to read) at
80x24, an active crisis frozen with its runbook (one step done, one overdue)
at 80x24 and at 120x40. Fixed clock and ids, no worker thread. Update after an
intended change with ``pytest tests/screens/crisis/test_crisis_snapshots.py
--snapshot-update`` and look at the report before accepting it."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from tests.screens.crisis.crisis_helpers import crisis_app
from tests.screens.helpers import settle


@pytest.fixture
def fixed_ids(monkeypatch):
    """Crisis ids c-000001..., hold ids h-000001..., post ids p-000001...: the same every run."""
    import console.crisis.service as crisis_module
    import console.posts.service as posts_module
    import console.publishing.holds as holds_module

    for module in (crisis_module, posts_module):
        counter = itertools.count(1)
        monkeypatch.setattr(module, "secrets", SimpleNamespace(token_hex=lambda _n, c=counter: f"{next(c):06x}"))
    holds = itertools.count(1)
    monkeypatch.setattr(holds_module, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=f"{next(holds):06x}")))


@pytest.fixture
def past_crisis(room, fixed_ids):
    """A level 2 crisis on @northwind_es, declared, worked a little, resolved by two people."""
    mia = room.as_("mia")
    declared = room.crisis.declare(mia, 2, "Checkout outage in Mexico", "payments fail for 20 minutes",
                                   accounts=["sandbox:northwind_es"], playbook="outage")
    room.clock.advance(minutes=12)
    room.crisis.note(mia, "Engineering says 30 more minutes")
    room.crisis.request_resolve(room.as_("mia"), "payments back")
    room.crisis.confirm(room.as_("max"))
    return declared.crisis


@pytest.fixture
def active_crisis(room, fixed_ids):
    """A level 3 crisis, frozen, with a held post, one step done, one overdue, a note."""
    room.scheduled(1, minutes=90)
    mia = room.as_("mia")
    declared = room.crisis.declare(mia, 3, "Recall of the Ridgeline jacket", "lot 42 fails the seam test",
                                   playbook="recall")
    room.clock.advance(minutes=4)
    room.crisis.step(room.as_("mia"), declared.crisis.steps[0].id, "done", "FROZEN on every session")
    room.crisis.note(room.as_("mia"), "Ana leads; legal is in the room")
    room.clock.advance(minutes=8)        # the second step (due after 10 minutes) is overdue
    return declared.crisis


async def _open(pilot) -> None:
    await settle(pilot)
    await pilot.press("5")
    await settle(pilot)


def test_crisis_panel_without_a_crisis_80x24(room, past_crisis, snap_compare):
    assert snap_compare(crisis_app(room, "mia"), terminal_size=(80, 24), run_before=_open)


def test_crisis_panel_frozen_with_its_runbook_80x24(room, active_crisis, snap_compare):
    assert snap_compare(crisis_app(room, "mia"), terminal_size=(80, 24), run_before=_open)


def test_crisis_panel_frozen_with_its_runbook_120x40(room, active_crisis, snap_compare):
    assert snap_compare(crisis_app(room, "mia"), terminal_size=(120, 40), run_before=_open)
