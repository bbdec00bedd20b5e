"""governance.toml: the example, validation errors, last good version, custom roles."""

from __future__ import annotations

import pytest

from console.errors import ConfigError
from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE, Governance, parse_governance
from console.paths import workspace_paths
from console.permissions import INBOX_REPLY, POST_PUBLISH, PermissionDenied
from console.workspace import Workspace
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401


def test_first_run_writes_a_commented_example_with_the_defaults(workspace):
    path = workspace.paths.config_dir / GOVERNANCE_FILE
    assert path.read_text(encoding="utf-8") == EXAMPLE_GOVERNANCE
    policy = workspace.governance.policy
    assert policy.version == 1
    assert (policy.auth.lockout_failures, policy.auth.lockout_minutes, policy.auth.idle_minutes,
            policy.auth.step_up_minutes) == (5, 15, 30, 5)
    assert policy.courses["security-basics"].valid_days == 365
    assert policy.requirements == {}
    assert "owner" in workspace.governance.roles


@pytest.mark.parametrize("text, line, problem", [
    ("version = [", 1, "Invalid value"),
    ("colour = 'blue'\n", 1, "unknown setting 'colour'"),
    ("version = 0\n", 1, "version = 0 is not valid"),
    ("version = '2'\n", 1, "version = '2' is not valid"),
    ("[auth]\nlockout_failures = 0\n", 2, "[auth] lockout_failures = 0 is not valid"),
    ("[auth]\nidle_minutes = true\n", 2, "[auth] idle_minutes = True is not valid"),
    ("[auth]\nlockout_tries = 3\n", 2, "unknown setting 'lockout_tries' in [auth]"),
    ("[roles.lead]\npermissions = ['inbox.read', 'inbox.fly']\n", 2, "unknown permission 'inbox.fly'"),
    ("[roles.viewer]\npermissions = ['inbox.read']\n", 1, "name of a built-in role"),
    ("[roles.lead]\nperms = ['inbox.read']\n", 1, "[roles.lead] must have exactly one setting"),
    ("[training.requirements]\n'post.fly' = ['x']\n", 2, "unknown permission 'post.fly'"),
    ("[training.requirements]\n'post.publish' = 3\n", 2, "must be a list of course names"),
    ("[training.courses.basics]\nvalid_days = -1\n", 2, "valid_days = -1 is not valid"),
    ("[training.courses.basics]\nvalid_for = 10\n", 1, "may hold only valid_days"),
])
def test_validation_errors_name_the_file_the_line_and_the_problem(tmp_path, text, line, problem):
    path = tmp_path / GOVERNANCE_FILE
    with pytest.raises(ConfigError) as error:
        parse_governance(text, path)
    assert str(error.value).startswith(f"{path}:{line}: ")
    assert problem in str(error.value)


def test_a_broken_file_at_start_stops_the_workspace_from_opening(tmp_path):
    paths = workspace_paths()
    paths.ensure()
    (paths.config_dir / GOVERNANCE_FILE).write_text("version = 'two'\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="governance.toml:1: version = 'two' is not valid"):
        Workspace.open(paths)


def test_a_broken_edit_keeps_the_last_good_version_in_force(tmp_path, caplog):
    path = tmp_path / GOVERNANCE_FILE
    path.write_text("version = 3\n[auth]\nidle_minutes = 10\n", encoding="utf-8")
    governance = Governance(path)
    assert governance.version == 3 and governance.auth.idle_minutes == 10
    path.write_text("version = 4\n[auth]\nidle_minutes = 'soon'\n", encoding="utf-8")
    assert governance.version == 3 and governance.auth.idle_minutes == 10
    assert "idle_minutes = 'soon' is not valid" in governance.problem
    assert "version 3 stays in force" in governance.problem
    assert "idle_minutes = 'soon'" in caplog.text
    path.write_text("version = 4\n[auth]\nidle_minutes = 20\n", encoding="utf-8")
    assert governance.version == 4 and governance.auth.idle_minutes == 20 and governance.problem == ""


def test_a_missing_file_means_the_defaults(tmp_path):
    governance = Governance(tmp_path / GOVERNANCE_FILE, write_example=False)
    assert governance.version == 1 and governance.auth.lockout_failures == 5


def test_custom_roles_from_governance_work_in_sessions(workspace, people):
    path = workspace.paths.config_dir / GOVERNANCE_FILE
    path.write_text("version = 1\n[roles.community_lead]\npermissions = ['inbox.read', 'inbox.reply']\n",
                    encoding="utf-8")
    lead = people.session("cleo", "community_lead")
    lead.require(INBOX_REPLY)
    with pytest.raises(PermissionDenied, match=r"cleo \(community_lead\) may not publish a post now: "
                                               r"needs post.publish"):
        lead.require(POST_PUBLISH)
    # the role disappears from the file: the user keeps no permission, and is told why
    path.write_text("version = 1\n", encoding="utf-8")
    with pytest.raises(PermissionDenied, match="role 'community_lead' is not defined"):
        lead.require(INBOX_REPLY)
