"""Fixtures for people, sessions and secrets: an in-memory keyring, and helpers
that enrol a user and log them in with a code the test computes.

Use from a test module or a conftest::

    from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401

``memory_keyring`` installs :class:`MemoryKeyring` as keyring's backend for the
test (restoring the previous one after), ``no_keyring`` a backend that fails; ``people`` (needs the ``workspace``
and ``clock`` fixtures) gives a :class:`People` helper:
``people.session("bob", "viewer")`` adds bob (bootstrapping an owner first),
logs him in and acknowledges the governance policy.
"""

from __future__ import annotations

from datetime import timedelta

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import fail
from keyring.errors import PasswordDeleteError

from console.permissions import Scope
from console.identity import INTERVAL, Session, code_at, totp_entry


class MemoryKeyring(KeyringBackend):
    """A keyring that keeps passwords in a dict: nothing leaves the process."""

    priority = 0.5

    def __init__(self) -> None:
        super().__init__()
        self.entries: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.entries.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.entries[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        if self.entries.pop((service, username), None) is None:
            raise PasswordDeleteError("no such password")


@pytest.fixture
def no_keyring():
    """No usable keyring backend, as on a headless box: the sandbox keeps secrets in a file."""
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    try:
        yield
    finally:
        keyring.set_keyring(previous)


@pytest.fixture
def memory_keyring():
    previous = keyring.get_keyring()
    backend = MemoryKeyring()
    keyring.set_keyring(backend)
    try:
        yield backend
    finally:
        keyring.set_keyring(previous)


class People:
    """Enrol users and log them in on one workspace, with codes from the test's clock."""

    def __init__(self, workspace, clock) -> None:
        self.workspace = workspace
        self.clock = clock
        self.owner_session: Session | None = None

    def secret(self, username: str) -> str:
        return self.workspace.secrets.get(totp_entry(username))

    def code(self, username: str, *, steps: int = 0) -> str:
        """The code ``username``'s authenticator shows now (or ``steps`` later)."""
        return code_at(self.secret(username), self.clock() + timedelta(seconds=INTERVAL * steps))

    def next_step(self) -> None:
        """Move the clock to the next TOTP step (a new code)."""
        self.clock.advance(seconds=INTERVAL)

    def owner(self, username: str = "olivia") -> Session:
        """A fresh session of the owner (bootstrapped on first use): a fresh code, so
        high-risk calls pass the step-up check. Moves the clock one TOTP step."""
        if self.workspace.users.needs_bootstrap():
            self.workspace.users.bootstrap_owner(username, "Olivia Owner")
            self.owner_name = username
        self.owner_session = self.login(getattr(self, "owner_name", username))
        return self.owner_session

    def add(self, username: str, role: str, scope: Scope = Scope(), passphrase: str | None = None):
        return self.workspace.users.add(self.owner(), username, role, scope=scope, passphrase=passphrase)

    def login(self, username: str, passphrase: str | None = None, *, acknowledge: bool = True) -> Session:
        session = self.workspace.auth.login(username, self.code(username), passphrase)
        self.next_step()          # the code just used cannot be used again
        if acknowledge and session.user.policy_version_acknowledged < self.workspace.governance.version:
            session.acknowledge_policy()
        return session

    def session(self, username: str, role: str, scope: Scope = Scope(), passphrase: str | None = None) -> Session:
        if self.workspace.users.find(username) is None:
            self.add(username, role, scope, passphrase)
        return self.login(username, passphrase)


@pytest.fixture
def people(workspace, clock, memory_keyring) -> People:
    return People(workspace, clock)


@pytest.fixture
def cli_clock(monkeypatch, clock):
    """Make ``socops`` commands run in-process (``console.cli.main.main``) open their
    workspace with the test's clock, so that codes computed by the test match."""
    from console.cli import common
    from console.paths import workspace_paths
    from console.workspace import Workspace

    monkeypatch.setattr(common, "open_workspace", lambda: Workspace.open(workspace_paths(), clock=clock))
    return clock


def act_as(monkeypatch, people: People, username: str) -> None:
    """Set SOCOPS_USER and SOCOPS_TOTP for the next command, then move to the next step
    (each code is accepted once only)."""
    monkeypatch.setenv("SOCOPS_USER", username)
    monkeypatch.setenv("SOCOPS_TOTP", people.code(username))
    people.next_step()
