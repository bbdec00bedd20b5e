"""The whole role x permission x scope matrix, run against Session.require.

One workspace for the module: a user per built-in role with every account in
scope, and one per role scoped to one account and one region. The clock never
moves here, so no session goes idle and every login is a fresh code (step-up).
"""

from __future__ import annotations

import pytest

import keyring

from console.paths import WorkspacePaths
from console.permissions import BUILTIN_ROLES, HIGH_RISK, PERMISSIONS, PermissionDenied, Scope, StepUpRequired
from console.workspace import Workspace
from tests.conftest import FakeClock
from tests.console.identity_fixtures import MemoryKeyring, People

ROLES = sorted(BUILTIN_ROLES)
ALL_PERMISSIONS = sorted(PERMISSIONS)
IN_ACCOUNT = "sandbox:northwind_en"
SCOPED = Scope(frozenset({IN_ACCOUNT}), frozenset({"EU"}))

# (account_id, region, covered by SCOPED)
PLACES = {
    "no-account": (None, "", True),
    "account-in-scope": (IN_ACCOUNT, "", True),
    "region-in-scope": ("sandbox:northwind_fr", "EU", True),
    "out-of-scope": ("sandbox:northwind_us", "US", False),
}


@pytest.fixture(scope="module")
def sessions(tmp_path_factory):
    root = tmp_path_factory.mktemp("matrix")
    previous = keyring.get_keyring()
    keyring.set_keyring(MemoryKeyring())
    clock = FakeClock()
    workspace = Workspace.open(WorkspacePaths(root / "config", root / "data", root / "state"),
                               clock=clock, operator="test")
    people = People(workspace, clock)
    people.owner()
    for role in ROLES:
        people.add(f"{role}-all", role)
        people.add(f"{role}-scoped", role, SCOPED)
    # every login below happens at one instant: different users, so no replay
    frozen = clock.now
    made = {}
    for role in ROLES:
        for kind in ("all", "scoped"):
            clock.now = frozen
            session = workspace.auth.login(f"{role}-{kind}", people.code(f"{role}-{kind}"))
            session.acknowledge_policy()
            made[(role, kind)] = session
    clock.now = frozen
    yield made
    workspace.close()
    keyring.set_keyring(previous)


@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", sorted(PLACES))
def test_unscoped_user_is_allowed_exactly_what_the_role_grants(sessions, role, permission, place):
    account_id, region, _ = PLACES[place]
    session = sessions[(role, "all")]
    if permission in BUILTIN_ROLES[role]:
        session.require(permission, account_id=account_id, region=region)
        assert session.allowed(permission, account_id=account_id, region=region)
    else:
        with pytest.raises(PermissionDenied) as refused:
            session.require(permission, account_id=account_id, region=region)
        assert not isinstance(refused.value, StepUpRequired)
        assert refused.value.permission == permission
        message = str(refused.value)
        assert f"{role}-all ({role}) may not {PERMISSIONS[permission]}: needs {permission}" == message
        assert session.why_not(permission, account_id=account_id, region=region) == message


@pytest.mark.parametrize("permission", ALL_PERMISSIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("place", sorted(PLACES))
def test_scoped_user_is_held_to_their_accounts_and_regions(sessions, role, permission, place):
    account_id, region, covered = PLACES[place]
    session = sessions[(role, "scoped")]
    if permission in BUILTIN_ROLES[role] and covered:
        session.require(permission, account_id=account_id, region=region)
        return
    with pytest.raises(PermissionDenied) as refused:
        session.require(permission, account_id=account_id, region=region)
    message = str(refused.value)
    assert refused.value.permission == permission
    if permission not in BUILTIN_ROLES[role]:
        assert f"needs {permission}" in message          # the role is checked before the scope
    else:
        assert account_id in message and "outside their scope" in message
        assert SCOPED.describe() in message


def test_session_scope_is_the_users_scope(sessions):
    assert sessions[("editor", "scoped")].scope() == SCOPED
    assert sessions[("editor", "all")].scope().everything


def test_high_risk_permissions_pass_within_the_step_up_window_only(sessions):
    session = sessions[("owner", "all")]
    for permission in sorted(HIGH_RISK):
        session.require(permission)
