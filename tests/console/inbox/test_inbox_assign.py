"""Who an inbox item may be given to: an enabled console user whose role (and
training) grants inbox triage and whose scope covers the item's account. Anyone
else is refused with their name and the reason, and nothing is written."""

from __future__ import annotations

import pytest

from console.errors import InvalidAction
from console.permissions import Scope
from tests.actors import RoleActor
from tests.console.helpers import add_items, add_team, inbound, minutes_ago
from tests.console.identity_fixtures import memory_keyring  # noqa: F401

ALICE = RoleActor("alice", "manager")
SPAIN_ONLY = Scope(frozenset({"sandbox:northwind_es"}))


@pytest.fixture
def items(workspace, clock):
    now = clock()
    return add_items(workspace.store, [
        inbound(1, minutes_ago(now, 20), text="Where is my parcel?"),
        inbound(2, minutes_ago(now, 10), text="¿Envían a Chile?", account="sandbox:northwind_es"),
    ], received=now)


@pytest.fixture
def team(workspace, memory_keyring):
    add_team(workspace, "alice", role="manager")
    add_team(workspace, "rosa")                                   # responder, every account
    add_team(workspace, "esme", scope=SPAIN_ONLY)                 # responder, the Spanish account only
    add_team(workspace, "lara", scope=Scope(regions=frozenset({"LATAM"})))
    add_team(workspace, "ana", role="analyst")                   # reads, never triages
    add_team(workspace, "dora")


def refused(workspace, item_id: str, name: str) -> str:
    before = workspace.inbox.get(item_id)
    head = workspace.audit.head()
    with pytest.raises(InvalidAction) as refusal:
        workspace.inbox.assign(item_id, name, actor=ALICE)
    assert workspace.inbox.get(item_id).version == before.version      # nothing written
    assert workspace.audit.head() == head                               # nothing recorded
    return str(refusal.value)


def test_nobody_and_ghost_are_refused_by_name(workspace, items, team):
    assert refused(workspace, items[0], "nobody").startswith(
        "cannot assign to 'nobody': no console user has that name")
    assert "'ghost'" in refused(workspace, items[0], "ghost")
    assert workspace.inbox.get(items[0]).assignee == ""


def test_a_disabled_user_is_refused(workspace, items, team):
    from console.permissions import USER_MANAGE, SystemActor

    workspace.users.disable(SystemActor("installer", frozenset({USER_MANAGE})), "dora")
    assert refused(workspace, items[0], "dora") == (
        "cannot assign to dora: they are disabled; choose someone else, or ask an admin to run "
        "`socops user enable dora`")


def test_someone_whose_role_cannot_triage_is_refused(workspace, items, team):
    assert refused(workspace, items[0], "ana") == (
        "cannot assign to ana: they may not work inbox items (not part of the analyst role; "
        "needs inbox.triage)")


def test_someone_outside_the_accounts_scope_is_refused_for_that_account_only(workspace, items, team):
    assert refused(workspace, items[0], "esme") == (
        "cannot assign to esme: sandbox:northwind_en is outside their scope (sandbox:northwind_es); "
        "choose someone who works that account")
    assert workspace.inbox.assign(items[1], "esme", actor=ALICE).assignee == "esme"
    assert workspace.inbox.assign(items[1], "lara", actor=ALICE).assignee == "lara"   # by region
    assert "outside their scope" in refused(workspace, items[0], "lara")


def test_a_name_is_recorded_as_the_user_is_called(workspace, items, team):
    assert workspace.inbox.assign(items[0], "  Rosa ", actor=ALICE).assignee == "rosa"


def test_unassigning_needs_nobody(workspace, items, team):
    workspace.inbox.assign(items[0], "rosa", actor=ALICE)
    assert workspace.inbox.assign(items[0], None, actor=ALICE).assignee == ""
    assert workspace.inbox.assign(items[0], "  ", actor=ALICE).assignee == ""


def test_bulk_assign_refuses_item_by_item(workspace, items, team):
    result = workspace.inbox.bulk(items, "assign", actor=ALICE, assignee="esme")
    assert result.done == [items[1]]
    assert [(item_id, reason.split(":")[0]) for item_id, reason in result.failed] == [
        (items[0], "cannot assign to esme")]


def test_the_refusal_can_be_asked_before_acting(workspace, items, team):
    inbox = workspace.inbox
    assert inbox.assignee_refusal("rosa", items, actor=ALICE) == ""
    assert inbox.assignee_refusal("esme", [items[1]], actor=ALICE) == ""
    assert "sandbox:northwind_en is outside their scope" in inbox.assignee_refusal("esme", items, actor=ALICE)
    assert "no console user" in inbox.assignee_refusal("ghost", actor=ALICE)
    assert inbox.assignee_refusal("", items, actor=ALICE) == ""


def test_the_actor_is_checked_before_the_person_is_looked_at(workspace, items, team):
    from console.permissions import PermissionDenied

    viewer = RoleActor("victor", "viewer")
    with pytest.raises(PermissionDenied, match="needs inbox.triage"):
        workspace.inbox.assign(items[0], "ghost", actor=viewer)
    with pytest.raises(PermissionDenied, match="needs inbox.triage"):
        workspace.inbox.assignee_refusal("ghost", items, actor=viewer)
