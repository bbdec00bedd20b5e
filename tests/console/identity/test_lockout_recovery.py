"""Ending a lockout (``user enable``, ``user unlock``), and login answers that do
not tell which user names exist (unknown, disabled, wrong code)."""

from __future__ import annotations

import statistics
import time
import pytest

from console.cli.main import main
from console.identity import AccountLocked, LoginFailed, WrongCredentials
from console.permissions import PermissionDenied, StepUpRequired
from console.records import format_time
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401


def wrong_code(people, username: str) -> str:
    return "000000" if people.code(username) != "000000" else "111111"


def lock_out(workspace, people, username: str) -> AccountLocked:
    failures = workspace.governance.auth.lockout_failures
    for _ in range(failures - 1):
        with pytest.raises(WrongCredentials):
            workspace.auth.login(username, wrong_code(people, username))
    with pytest.raises(AccountLocked) as locked:
        workspace.auth.login(username, wrong_code(people, username))
    return locked.value


def audit(workspace, prefix: str) -> list[tuple[str, str, str, str]]:
    return [(e["actor"], e["action"], e["target"], e["summary"]) for e in workspace.audit.events()
            if e["action"].startswith(prefix)]


# -- the lockout says how it ends -------------------------------------------------------------
def test_the_lockout_message_names_the_command_that_ends_it(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    locked = lock_out(workspace, people, "bob")
    assert "locked out until" in str(locked) and "`socops user unlock bob`" in str(locked)
    assert "ask an owner or admin to run" in str(locked)
    with pytest.raises(AccountLocked, match=r"ask an owner or admin to run `socops user unlock bob`"):
        workspace.auth.login("bob", people.code("bob"))


def test_only_an_owner_unlocks_an_owner_and_the_message_says_so(workspace, people):
    people.owner()
    people.add("otto", "owner")
    locked = lock_out(workspace, people, "otto")
    assert "ask another owner to run `socops user unlock otto`" in str(locked)
    admin = people.session("ada", "admin")
    with pytest.raises(PermissionDenied, match="only an owner may"):
        workspace.users.unlock(admin, "otto")
    user, cleared = workspace.users.unlock(people.owner(), "otto")
    assert not user.locked_at(workspace.clock()) and cleared.startswith("lockout until")


# -- user enable ------------------------------------------------------------------------------
def test_enable_clears_the_lockout_of_a_user_who_was_never_disabled(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    lock_out(workspace, people, "bob")
    assert workspace.users.get("bob").locked_at(clock())

    user = workspace.users.enable(people.owner(), "bob")
    assert not user.locked_at(clock()) and user.failed_logins == 0
    assert workspace.auth.login("bob", people.code("bob")).name == "bob"
    enables = audit(workspace, "user.enable")
    assert len(enables) == 1 and enables[0][:3] == ("olivia", "user.enable", "user/bob")
    assert "lockout until" in enables[0][3] and "cleared" in enables[0][3]


def test_enable_of_an_enabled_user_who_is_not_locked_changes_and_audits_nothing(workspace, people):
    people.owner()
    people.add("bob", "responder")
    before = workspace.users.get("bob").version
    assert workspace.users.enable(people.owner(), "bob").version == before
    assert audit(workspace, "user.enable") == []


# -- user unlock ------------------------------------------------------------------------------
def test_unlock_ends_a_lockout_at_once_and_is_audited(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    locked = lock_out(workspace, people, "bob")
    user, cleared = workspace.users.unlock(people.owner(), "bob")
    assert cleared == f"lockout until {format_time(locked.until)}"
    assert not user.locked_at(clock()) and user.failed_logins == 0
    assert workspace.auth.login("bob", people.code("bob")).name == "bob"
    unlocks = audit(workspace, "user.unlock")
    assert [u[:3] for u in unlocks] == [("olivia", "user.unlock", "user/bob")]
    assert unlocks[0][3] == f"{cleared} cleared"


def test_unlock_also_forgets_wrong_codes_short_of_a_lockout(workspace, people):
    people.owner()
    people.add("bob", "responder")
    for _ in range(3):
        with pytest.raises(WrongCredentials):
            workspace.auth.login("bob", wrong_code(people, "bob"))
    user, cleared = workspace.users.unlock(people.owner(), "bob")
    assert cleared == "3 wrong codes in a row" and user.failed_logins == 0


def test_unlock_of_a_user_who_is_not_locked_changes_nothing(workspace, people):
    people.owner()
    people.add("bob", "responder")
    user, cleared = workspace.users.unlock(people.owner(), "bob")
    assert cleared == "" and audit(workspace, "user.unlock") == []


def test_unlock_needs_user_manage_and_a_fresh_code(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    lock_out(workspace, people, "bob")
    manager = people.session("max", "manager")
    with pytest.raises(PermissionDenied, match="needs user.manage"):
        workspace.users.unlock(manager, "bob")
    admin = people.session("ada", "admin")
    clock.advance(minutes=workspace.governance.auth.step_up_minutes + 1)
    with pytest.raises(StepUpRequired):
        workspace.users.unlock(admin, "bob")
    assert workspace.users.get("bob").locked_at(clock())


def test_socops_user_unlock_from_a_shell(people, cli_clock, monkeypatch, capsys):
    workspace = people.workspace
    people.owner()
    people.add("bob", "responder")
    locked = lock_out(workspace, people, "bob")

    act_as(monkeypatch, people, "olivia")
    assert main(["user", "unlock", "bob"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("bob is unlocked (lockout until") and out.strip().endswith("may log in now")
    workspace.store.refresh()
    assert not workspace.users.get("bob").locked_at(cli_clock())

    act_as(monkeypatch, people, "olivia")
    assert main(["user", "unlock", "bob"]) == 0
    assert capsys.readouterr().out.strip() == "bob was not locked out; nothing changed"
    assert "`socops user unlock bob`" in str(locked)


def test_socops_user_enable_says_it_cleared_a_lockout(people, cli_clock, monkeypatch, capsys):
    workspace = people.workspace
    people.owner()
    people.add("bob", "responder")
    lock_out(workspace, people, "bob")
    act_as(monkeypatch, people, "olivia")
    assert main(["user", "enable", "bob"]) == 0
    assert capsys.readouterr().out.strip() == "bob is enabled; their lockout is cleared"


# -- answers that do not tell names apart -----------------------------------------------------
def test_a_disabled_user_with_a_wrong_code_gets_the_answer_of_an_unknown_name(workspace, people):
    people.owner()
    people.add("bob", "responder")
    workspace.users.disable(people.owner(), "bob")
    with pytest.raises(WrongCredentials) as disabled:
        workspace.auth.login("bob", wrong_code(people, "bob"))
    with pytest.raises(WrongCredentials) as unknown:
        workspace.auth.login("ghost", wrong_code(people, "bob"))
    assert str(disabled.value) == str(unknown.value) == "wrong user name or code"
    # the right code tells the person themself why they cannot come in
    with pytest.raises(LoginFailed, match="^bob is disabled; ask an admin$"):
        workspace.auth.login("bob", people.code("bob"))
    assert [s for _, _, t, s in audit(workspace, "login.failed") if t == "user/bob"] == ["user is disabled"] * 2


def test_an_unknown_name_takes_about_as_long_as_a_wrong_code(workspace, people):
    """Interleaved attempts, medians compared: the refusal of an unknown name
    does the same work (a seed looked up, a code checked, an audited write)."""
    people.owner()
    people.add("bob", "responder")
    wrong = wrong_code(people, "bob")

    def timed(username: str) -> float:
        started = time.perf_counter()
        with pytest.raises(WrongCredentials):
            workspace.auth.login(username, wrong)
        return time.perf_counter() - started

    unknown, known = [], []
    for attempt in range(40):
        unknown.append(timed("ghost"))
        known.append(timed("bob"))
        if attempt % 3 == 2:        # stay short of the lockout
            workspace.users.unlock(people.owner(), "bob")
    ratio = statistics.median(unknown) / statistics.median(known)
    assert 0.5 < ratio < 2.0, f"unknown {statistics.median(unknown) * 1e3:.2f} ms, " \
                              f"wrong code {statistics.median(known) * 1e3:.2f} ms"
