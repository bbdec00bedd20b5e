"""Login while another process changes the same user: a ``socops`` command run by
the user, an admin's change, another session. The login screen's process may hold
an old version of the user's record; a login reads it afresh, and every outcome,
right code or wrong, is recorded and audited instead of failing on a conflict."""

from __future__ import annotations

import pytest

from console.errors import StorageProblem
from console.identity import LoginFailed
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401


def actions(workspace, action: str) -> list[tuple[str, str]]:
    workspace.store.refresh()
    return [(e["actor"], e["target"]) for e in workspace.audit.events() if e["action"] == action]


def wrong_code(people, username: str) -> str:
    return "000000" if people.code(username) != "000000" else "111111"


@pytest.fixture
def two_processes(open_workspace, people):
    """bob exists; ``screen`` is the console with its login form open (it has read
    bob's record), ``cli`` another process of the same workspace."""
    screen = people.workspace
    people.add("bob", "responder")
    assert screen.users.find("bob") is not None     # the form read bob as he is now
    cli = open_workspace(operator="bob")
    return screen, cli


def test_the_right_code_logs_in_after_the_user_ran_a_command_elsewhere(two_processes, people):
    screen, cli = two_processes
    opened_with = screen.store.get("users", "bob")["_v"]
    cli.auth.login("bob", people.code("bob"))        # `socops ...` as bob: his record changes
    people.next_step()
    session = screen.auth.login("bob", people.code("bob"))
    assert session.name == "bob"
    assert screen.store.get("users", "bob")["_v"] == opened_with + 2
    assert actions(screen, "login.ok").count(("bob", "user/bob")) == 2


def test_a_wrong_code_in_that_state_is_refused_counted_and_audited(two_processes, people):
    screen, cli = two_processes
    cli.auth.login("bob", people.code("bob"))
    people.next_step()
    with pytest.raises(LoginFailed, match="wrong user name or code"):
        screen.auth.login("bob", wrong_code(people, "bob"))
    assert screen.users.get("bob").failed_logins == 1
    assert ("bob", "user/bob") in actions(screen, "login.failed")
    cli.store.refresh()
    assert cli.users.get("bob").failed_logins == 1     # recorded for every process


def test_a_code_used_elsewhere_is_a_replay_not_a_conflict(two_processes, people):
    screen, cli = two_processes
    code = people.code("bob")
    cli.auth.login("bob", code)
    with pytest.raises(LoginFailed, match="already used"):
        screen.auth.login("bob", code)
    assert ("bob", "user/bob") in actions(screen, "login.failed")


def test_a_user_added_by_another_process_can_log_in_at_once(open_workspace, people):
    screen = people.workspace
    people.owner()
    admin = open_workspace(operator="olivia")
    owner = admin.auth.login("olivia", people.code("olivia"))
    people.next_step()
    admin.users.add(owner, "carol", "responder")
    session = screen.auth.login("carol", people.code("carol"))
    assert session.name == "carol"


def test_a_write_between_the_read_and_the_compare_and_set_is_read_again(two_processes, people, monkeypatch):
    """The record changes after the fresh read but before the write: the check runs
    once more on the newer version, and its outcome is recorded."""
    screen, cli = two_processes
    secrets = screen.auth.secrets
    real_get = secrets.get
    meddled = []

    def get_then_meddle(entry):
        if not meddled:   # another process writes bob's record right now (a wrong code there)
            meddled.append(True)
            with pytest.raises(LoginFailed):
                cli.auth.login("bob", wrong_code(people, "bob"))
        return real_get(entry)

    monkeypatch.setattr(secrets, "get", get_then_meddle)
    session = screen.auth.login("bob", people.code("bob"))
    assert session.name == "bob" and meddled
    user = screen.users.get("bob")
    assert user.failed_logins == 0 and user.last_totp_step > 0   # the success is what counts now
    assert ("bob", "user/bob") in actions(screen, "login.failed")
    assert ("bob", "user/bob") in actions(screen, "login.ok")


def test_a_record_that_never_stops_changing_is_a_clear_error_not_a_conflict(two_processes, people, monkeypatch):
    screen, cli = two_processes
    secrets = screen.auth.secrets
    real_get = secrets.get

    def always_meddle(entry):
        cli.store.refresh()
        record = cli.store.get("users", "bob")
        cli.store.update("users", "bob", {"failed_logins": 0}, expected_version=record["_v"], actor="test")
        return real_get(entry)

    monkeypatch.setattr(secrets, "get", always_meddle)
    with pytest.raises(StorageProblem, match="kept changing in other processes"):
        screen.auth.login("bob", people.code("bob"))


def test_acknowledging_the_policy_after_another_process_changed_the_user(two_processes, people):
    screen, cli = two_processes
    session = people.login("bob", acknowledge=False)
    cli.store.refresh()
    cli.auth.login("bob", people.code("bob"))       # bob's record moves on elsewhere
    people.next_step()
    version = session.acknowledge_policy()
    assert screen.users.get("bob").policy_version_acknowledged == version
