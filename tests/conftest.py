"""Fixtures every level of tests shares: a workspace on a temporary SOCOPS_HOME
with a clock the test controls, and a few hand-made inbox items."""

from __future__ import annotations

import os
from datetime import datetime, timedelta, timezone

import keyring
import pytest
from hypothesis import settings
from keyring.backends import fail

from console.paths import workspace_paths
from console.workspace import Workspace
from tests.actors import RoleActor

# CI must not fail at random: the same examples every run, and no per-example
# time limit on a loaded 2-core machine. Locally, hypothesis explores freely.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

START = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)


class FakeClock:
    """A clock that moves only when the test says so."""

    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path, monkeypatch):
    """No test ever touches the real XDG folders or the real keyring.

    The keyring is keyring's "fail" backend, here and in the processes a test
    starts, whatever the machine has configured: a sandbox workspace then keeps
    its seeds in its own file, and a test that wants a keyring asks for
    ``memory_keyring``. (A CI box whose keyring raises on every write must not
    fail a test that is about something else.)"""
    monkeypatch.setenv("SOCOPS_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("SOCOPS_USER", "alice")
    # A demo's injected sandbox faults never leak into tests: those that want faults set them.
    monkeypatch.delenv("SOCOPS_SANDBOX_FAULTS", raising=False)
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


@pytest.fixture
def alice() -> RoleActor:
    return RoleActor("alice", "manager")


@pytest.fixture
def bob() -> RoleActor:
    return RoleActor("bob", "responder")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def open_workspace(tmp_path, clock):
    """Open (another) workspace on the test's SOCOPS_HOME, as another process would."""
    opened: list[Workspace] = []

    def opener(operator: str = "alice") -> Workspace:
        workspace = Workspace.open(workspace_paths(), clock=clock, operator=operator)
        opened.append(workspace)
        return workspace

    yield opener
    for workspace in opened:
        workspace.close()


@pytest.fixture
def workspace(open_workspace) -> Workspace:
    return open_workspace()
