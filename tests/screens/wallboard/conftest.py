"""Fixtures of the wallboard's screen tests: the crisis room (``tests/console/crisis/crisis_fixtures.py``),
with fixed ids so snapshots do not change from run to run."""

from __future__ import annotations

import itertools
from types import SimpleNamespace

import pytest

from tests.console.crisis.crisis_fixtures import room  # noqa: F401
from tests.console.identity_fixtures import memory_keyring  # noqa: F401


@pytest.fixture
def fixed_ids(monkeypatch):
    """Hold ids h-000001..., crisis ids c-000001...: what the timeline shows stays the same."""
    import console.crisis.service as crisis_module
    import console.publishing.holds as holds_module

    holds, crises = itertools.count(1), itertools.count(1)
    monkeypatch.setattr(holds_module, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=f"{next(holds):06x}")))
    monkeypatch.setattr(crisis_module, "secrets", SimpleNamespace(token_hex=lambda _n: f"{next(crises):06x}"))
