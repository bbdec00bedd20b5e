"""ActionRunner: the collision detection the Inbox keys rely on, without a terminal."""

from __future__ import annotations

import threading

from console.inbox import STATUS_CLOSED, STATUS_OPEN
from screens.inbox.actions import ActionRunner
from tests.actors import RoleActor


def test_an_operators_own_unrepainted_change_is_not_a_conflict(workspace, seeded):
    runner = ActionRunner(workspace.inbox, RoleActor("alice", "manager"))
    target = seeded[0]
    shown = workspace.inbox.get(target).version
    # "a" then "d" pressed before the list repainted: both carry the version first shown.
    assign = runner.run(runner.ticket(), "assign", [(target, shown)], {"assignee": "alice"})
    close = runner.run(runner.ticket(), "close", [(target, shown)], {})
    assert not assign.refused and not close.refused, close.summary
    item = workspace.inbox.get(target)
    assert (item.assignee, item.status) == ("alice", STATUS_CLOSED)


def test_someone_elses_change_is_a_conflict_and_is_kept(workspace, seeded, open_workspace):
    runner = ActionRunner(workspace.inbox, RoleActor("alice", "manager"))
    target = seeded[1]
    shown = workspace.inbox.get(target).version
    runner.run(runner.ticket(), "tag", [(target, shown)], {"add": ["vip"], "remove": []})
    bob = open_workspace("bob")
    bob.inbox.assign(target, "bob", actor=RoleActor("bob", "manager"))
    outcome = runner.run(runner.ticket(), "close", [(target, shown)], {})
    assert outcome.refused and outcome.conflict
    assert "bob" in outcome.summary
    bob.inbox.refresh()
    assert bob.inbox.get(target).status == STATUS_OPEN


def test_bulk_reports_each_item(workspace, seeded, open_workspace):
    runner = ActionRunner(workspace.inbox, RoleActor("alice", "manager"))
    targets = [(key, workspace.inbox.get(key).version) for key in seeded[:3]]
    open_workspace("bob").inbox.close(seeded[2], actor=RoleActor("bob", "manager"))
    outcome = runner.run(runner.ticket(), "close", targets, {})
    assert outcome.done == seeded[:2]
    assert [item_id for item_id, _ in outcome.failed] == [seeded[2]]
    assert outcome.summary.startswith("Closed 2 items; 1 not changed")


def test_actions_run_in_the_order_the_keys_were_pressed(workspace, seeded):
    runner = ActionRunner(workspace.inbox, RoleActor("alice", "manager"))
    target = seeded[3]
    shown = workspace.inbox.get(target).version
    first, second = runner.ticket(), runner.ticket()
    results = {}
    # The second key's worker happens to start first; it must wait for the first.
    late = threading.Thread(target=lambda: results.update(
        second=runner.run(second, "assign", [(target, shown)], {"assignee": "carmen"})))
    late.start()
    results["first"] = runner.run(first, "assign", [(target, shown)], {"assignee": "bob"})
    late.join(5)
    assert not results["first"].refused and not results["second"].refused
    assert workspace.inbox.get(target).assignee == "carmen"
