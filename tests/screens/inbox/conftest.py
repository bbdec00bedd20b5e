"""The Inbox panel's tests act as alice and assign items to alice, bob and
carmen: they are console users here, since only users may own items."""

from __future__ import annotations

import pytest

from tests.console.helpers import add_team
from tests.console.identity_fixtures import memory_keyring  # noqa: F401


@pytest.fixture(autouse=True)
def team(workspace, memory_keyring):
    add_team(workspace, "alice", "bob", "carmen", role="manager")
