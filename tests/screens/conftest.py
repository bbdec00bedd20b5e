"""Fixtures for the screen tests.

The shared ``clock``, ``workspace`` and ``open_workspace`` fixtures come from
``tests/conftest.py`` (a temporary SOCOPS_HOME and a fixed clock); helpers are
in ``tests/screens/helpers.py``.
"""

from __future__ import annotations

import pytest

from tests.screens.inbox.inbox_data import seed_items


@pytest.fixture
def seeded(workspace):
    """The workspace with the deterministic items; returns their ids, oldest first."""
    return seed_items(workspace)
