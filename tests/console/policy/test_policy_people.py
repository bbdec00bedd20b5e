"""The governance file against the workspace's people: account owners who are not
users and roles that approval stages wait for but nobody holds are warned
about, at their lines, by ``socops policy check`` and ``socops doctor``; and
the shipped example works in a new sandbox once a manager is added, as the
README says."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from console.cli.main import main
from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE, Staff, check_governance_text, staffing_warnings
from console.posts import IN_REVIEW, UnstaffedStage
from tests.console.identity_fixtures import cli_clock, memory_keyring, people  # noqa: F401

JA = "sandbox:northwind_ja"

#: The example as shipped before: owners nobody has, and a Japan route that asks the owner.
NAMED_OWNERS = (EXAMPLE_GOVERNANCE
                .replace('[accounts."sandbox:northwind_en"]\n', '[accounts."sandbox:northwind_en"]\nowner = "olivia"\n')
                .replace('[accounts."sandbox:northwind_es"]\n', '[accounts."sandbox:northwind_es"]\nowner = "mateo"\n')
                .replace('[accounts."sandbox:northwind_ja"]\n', '[accounts."sandbox:northwind_ja"]\nowner = "yuki"\n')
                .replace('accounts = ["sandbox:northwind_ja"]\nstages = [{ role = "manager", mode = "any" }]',
                         'accounts = ["sandbox:northwind_ja"]\nstages = [{ role = "account_owner", mode = "any" }, '
                         '{ role = "manager", mode = "any" }]'))


def line_of(text: str, fragment: str) -> int:
    return text[:text.index(fragment)].count("\n") + 1


MATEO_LINE = line_of(NAMED_OWNERS, 'owner = "mateo"')
YUKI_LINE = line_of(NAMED_OWNERS, 'owner = "yuki"')


def warnings_for(text: str, roles: dict[str, str], disabled: frozenset[str] = frozenset()):
    policy, problems = check_governance_text(text, Path("governance.toml"))
    assert problems == []
    return staffing_warnings(policy, text, Staff(roles, disabled))


def test_owners_who_are_not_users_and_roles_nobody_holds_are_warned_about_at_their_lines():
    found = warnings_for(NAMED_OWNERS, {"olivia": "owner"})
    first_stages = line_of(NAMED_OWNERS, 'stages = [{ role = "manager", mode = "any" }, { role = "legal"')
    assert [w.line for w in found] == [MATEO_LINE, YUKI_LINE, first_stages, first_stages]
    mateo, yuki, managers, legal = (w.message for w in found)
    assert mateo == ("the owner of sandbox:northwind_es, 'mateo', is not a console user; add them (`socops user add "
                     "mateo --role manager --scope sandbox:northwind_es`) or name an existing user")
    assert yuki.startswith("the owner of sandbox:northwind_ja, 'yuki', is not a console user")
    assert managers == ("no enabled console user has the manager role, but 8 approval stages wait for one (routes "
                        "'high risk EU', 'high risk', 'medium risk EU', 'medium risk LATAM', 'medium risk Japan', "
                        "'medium risk', 'crisis statement', 'default'): posts on them cannot be submitted until "
                        "someone has it (`socops user add NAME --role manager`)")
    assert legal.startswith("no enabled console user has the legal role, but 4 approval stages wait for one")


def test_a_legal_reviewer_missing_is_reported_where_a_stage_first_waits_for_one():
    found = warnings_for(EXAMPLE_GOVERNANCE, {"sam": "owner", "max": "manager"})
    assert [(w.line, w.message[:65]) for w in found] == [
        (line_of(EXAMPLE_GOVERNANCE, 'stages = [{ role = "manager", mode = "any" }, { role = "legal", mode = "all" }]'),
         "no enabled console user has the legal role, but 4 approval stages")]


def test_a_disabled_owner_and_an_owner_who_cannot_approve_are_warned_about():
    found = warnings_for(NAMED_OWNERS, {"olivia": "editor", "mateo": "manager", "max": "manager",
                                        "lena": "legal"}, frozenset({"yuki"}))
    messages = [w.message for w in found]
    assert messages == [
        "the owner of sandbox:northwind_en, olivia (editor), cannot approve posts, yet route 'medium risk Japan' "
        "asks the account owner; give them a role with post.approve or name another owner",
        "the owner of sandbox:northwind_ja, 'yuki', is disabled; enable them (`socops user enable yuki`) or name "
        "another owner",
    ]


def test_a_fully_staffed_workspace_has_no_warnings():
    assert warnings_for(EXAMPLE_GOVERNANCE, {"sam": "owner", "max": "manager", "lena": "legal"}) == []


# -- the commands ------------------------------------------------------------------------------
def test_policy_check_warns_with_file_and_line_and_still_exits_0(people, cli_clock, tmp_path, capsys):
    people.owner("olivia")
    path = tmp_path / "governance.toml"
    path.write_text(NAMED_OWNERS, encoding="utf-8")
    assert main(["policy", "check", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    warnings = [line for line in out if ": warning: " in line]
    assert warnings[0] == (f"{path}:{MATEO_LINE}: warning: the owner of "
                           "sandbox:northwind_es, 'mateo', is not a console user; add them (`socops user add mateo "
                           "--role manager --scope sandbox:northwind_es`) or name an existing user")
    assert any(line.startswith(f"{path}:{YUKI_LINE}: warning: ") for line in warnings)
    assert any("no enabled console user has the manager role" in line for line in warnings)
    assert any("no enabled console user has the legal role" in line for line in warnings)
    assert f"{path}: ok, version 1" in out


def test_doctor_warns_about_the_file_in_force(people, cli_clock, capsys):
    workspace = people.workspace
    people.owner("olivia")
    path = workspace.paths.config_dir / GOVERNANCE_FILE
    path.write_text(NAMED_OWNERS, encoding="utf-8")
    main(["doctor"])
    out = capsys.readouterr().out
    assert (f"  warning   {path}:{YUKI_LINE}: the owner of sandbox:northwind_ja, "
            "'yuki', is not a console user") in out
    assert "no enabled console user has the manager role" in out


# -- the sandbox out of the box ----------------------------------------------------------------
def test_a_new_sandbox_can_submit_a_medium_risk_post_to_the_japanese_account_once_a_manager_is_added(
        workspace, people, clock):
    """The quick start's owner adds a manager, as the README says, and a
    medium-risk post to the Japanese account can be submitted and approved."""
    assert (workspace.paths.config_dir / GOVERNANCE_FILE).read_text(encoding="utf-8") == EXAMPLE_GOVERNANCE
    owner = people.owner("sam")
    max_ = people.session("max", "manager")
    post = workspace.posts.draft(owner, [JA], "新しい防水ジャケットが届きました #ノースウィンド",
                                 proposed_at=clock() + timedelta(days=1))
    post = workspace.posts.submit(owner, post.id)
    assert (post.status, post.risk, post.route.name) == (IN_REVIEW, "medium", "medium risk Japan")
    assert workspace.approvals.approve(max_, post.id).status == "approved"


def test_with_the_owners_the_example_used_to_name_that_post_could_not_be_submitted(workspace, people, clock):
    (workspace.paths.config_dir / GOVERNANCE_FILE).write_text(NAMED_OWNERS, encoding="utf-8")
    owner = people.owner("sam")
    people.session("max", "manager")
    post = workspace.posts.draft(owner, [JA], "新しい防水ジャケットが届きました #ノースウィンド",
                                 proposed_at=clock() + timedelta(days=1))
    with pytest.raises(UnstaffedStage, match="route 'medium risk Japan'"):
        workspace.posts.submit(owner, post.id)
