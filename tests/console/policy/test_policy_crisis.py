"""The crisis plan of governance.toml (``[crisis]``) and the named-only route it
uses: the shipped example, and each mistake reported on its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.crisis import FREEZE_AFFECTED, FREEZE_ALL, FREEZE_NONE
from console.governance import EXAMPLE_GOVERNANCE, check_governance_text

FILE = Path("governance.toml")
ROUTES = ('[[approval.routes]]\nname = "crisis statement"\nnamed_only = true\nstages = [{ role = "manager" }]\n\n'
          '[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }]\n\n')


def problems_of(text: str) -> list[tuple[int | None, str]]:
    policy, problems = check_governance_text(text, FILE)
    return [(problem.line, problem.message) for problem in problems]


def test_the_shipped_plan_has_four_levels_and_four_playbooks():
    policy, problems = check_governance_text(EXAMPLE_GOVERNANCE, FILE)
    assert problems == []
    plan = policy.crisis
    assert [(level.number, level.name, level.freeze) for level in plan.levels.values()] == [
        (1, "watch", FREEZE_NONE), (2, "incident", FREEZE_AFFECTED), (3, "crisis", FREEZE_ALL),
        (4, "severe", FREEZE_ALL)]
    assert plan.levels[4].declare_roles == ("owner", "admin") and plan.levels[3].responders
    assert all(level.runbook for level in plan.levels.values())
    assert list(plan.playbooks) == ["recall", "outage", "offensive-post", "account-takeover"]
    for playbook in plan.playbooks.values():
        assert playbook.holding_statement_tags == (playbook.id,)
        assert playbook.runbook and all(step.owner and step.due_minutes for step in playbook.runbook)
    assert plan.approval_route == "crisis statement" and plan.confirm_roles == ("owner", "admin", "manager")
    route = policy.content.approval.named("crisis statement")
    assert route.named_only and route.describe() == "any manager"
    # the runbook of a crisis: the level's steps, then the playbook's, with ids that say where they come from
    steps = plan.runbook(plan.levels[3], plan.playbooks["recall"])
    assert [step.id for step in steps] == ["level3-1", "level3-2", "level3-3", "level3-4", "recall-1", "recall-2",
                                           "recall-3"]


def test_a_named_only_route_matches_no_post_whatever_its_risk():
    policy, _ = check_governance_text(EXAMPLE_GOVERNANCE, FILE)
    approval = policy.content.approval
    for risk in ("low", "medium", "high"):
        for regions, accounts in ((["NA"], ["sandbox:northwind_en"]), ([], [])):
            assert approval.route_for(risk, regions, accounts).name != "crisis statement"
    # named last, it leaves the route before it as the catch-all
    text = ('[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }]\n\n'
            '[[approval.routes]]\nname = "crisis statement"\nnamed_only = true\nstages = [{ role = "manager" }]\n')
    policy, problems = check_governance_text(text, FILE)
    assert problems == [] and policy.content.approval.route_for("high", [], []).name == "default"


@pytest.mark.parametrize("text, line, fragment", [
    ('[[approval.routes]]\nname = "x"\nnamed_only = true\nrisk = ["high"]\nstages = [{ role = "manager" }]\n\n'
     '[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }]\n', 1,
     "route 'x' is named_only, so its conditions (risk) are never used"),
    ('[[approval.routes]]\nname = "x"\nnamed_only = "yes"\nrisk = ["high"]\nstages = [{ role = "manager" }]\n\n'
     '[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }]\n', 3, "named_only must be true or false"),
    ('[[approval.routes]]\nname = "x"\nnamed_only = true\nstages = [{ role = "manager" }]\n', 1,
     "every [[approval.routes]] is named_only"),
    (ROUTES + '[crisis]\napproval_route = "crisis"\n', 11,
     "approval_route = 'crisis' names no route of [approval]; routes: crisis statement, default"),
    (ROUTES + '[crisis]\nconfirm_roles = ["owner", "boss"]\n', 11, "confirm_roles names 'boss', which is not a role"),
    (ROUTES + '[crisis.levels.0]\nname = "zero"\n', 10, "a severity is a number from 1 to 9"),
    (ROUTES + '[crisis.levels.2]\nname = "incident"\nfreeze = "some"\n', 12, "freeze = 'some' is not valid"),
    (ROUTES + '[crisis.levels.2]\nfreeze = "all"\n', 10, "needs name"),
    (ROUTES + '[crisis.levels.2]\nname = "incident"\nresponders = ["responder", "kim"]\n', 12,
     "responders names 'kim', which is not a role"),
    (ROUTES + '[crisis.levels.2]\nname = "incident"\nrunbook = [{ title = "Tell legal", owner = "lawyer", '
     'due_minutes = 5 }]\n', 12, "owner = 'lawyer' is not a role"),
    (ROUTES + '[crisis.levels.2]\nname = "incident"\nrunbook = [{ title = "Tell legal", owner = "manager" }]\n', 12,
     "needs due_minutes = N"),
    (ROUTES + '[crisis.levels.2]\nname = "incident"\nholding_statement_tags = ["two words"]\n', 12,
     "'two words' is not a tag"),
    (ROUTES + '[[crisis.playbooks]]\nid = "Recall!"\ntitle = "Recall"\n', 11, "id = 'Recall!' is not valid"),
    (ROUTES + '[[crisis.playbooks]]\nid = "recall"\ntitle = "Recall"\n[[crisis.playbooks]]\nid = "recall"\n'
     'title = "Again"\n', 14, "id = 'recall' is used twice"),
    (ROUTES + '[crisis]\nlevels = 3\n', 11, "[crisis.levels] must hold one table per severity"),
    (ROUTES + '[crisis]\nfreeze = "all"\n', 11, "unknown setting 'freeze' in [crisis]"),
])
def test_each_mistake_of_the_crisis_plan_is_reported_on_its_line(text, line, fragment):
    problems = problems_of(text)
    assert len(problems) == 1, problems
    found_line, message = problems[0]
    assert fragment in message, message
    assert found_line == line, message


def test_a_user_may_be_a_responder_and_a_step_owner():
    text = ROUTES + ('[crisis.levels.3]\nname = "crisis"\nresponders = ["manager", "user:kim"]\n'
                     'runbook = [{ title = "Call kim", owner = "user:kim", due_minutes = 0 }]\n')
    policy, problems = check_governance_text(text, FILE)
    assert problems == []
    level = policy.crisis.levels[3]
    assert level.responders == ("manager", "user:kim") and level.runbook[0].owner == "user:kim"
