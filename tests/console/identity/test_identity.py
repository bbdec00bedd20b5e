"""Console users, login and sessions: codes, replay, lockout, idle lock, step-up,
disabled users, passphrases, the last owner, policy acknowledgement."""

from __future__ import annotations

from datetime import timedelta

import pytest
import segno

from console.audit import verify_chain
from console.permissions import (
    INBOX_READ,
    INBOX_TRIAGE,
    POST_PUBLISH,
    USER_MANAGE,
    PermissionDenied,
    PolicyAckRequired,
    Scope,
    SessionLocked,
    StepUpRequired,
)
from console.identity import (
    USERS,
    AccountLocked,
    LastOwnerError,
    LoginFailed,
    PassphraseRequired,
    UserError,
    code_at,
)
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401


def actions(workspace, action_prefix: str = "") -> list[tuple[str, str, str]]:
    return [(e["actor"], e["action"], e["target"]) for e in workspace.audit.events()
            if e["action"].startswith(action_prefix)]


# -- enrolment -----------------------------------------------------------------------------
def test_bootstrap_creates_the_first_owner_once(workspace, people):
    assert workspace.users.needs_bootstrap()
    enrollment = workspace.users.bootstrap_owner("Olivia", "Olivia O.")
    assert enrollment.username == "olivia"
    user = workspace.users.get("olivia")
    assert (user.role, user.scope.everything, user.disabled, user.totp_enrolled) == ("owner", True, False, True)
    assert actions(workspace) == [("bootstrap", "user.bootstrap", "user/olivia")]
    with pytest.raises(UserError, match="exist already"):
        workspace.users.bootstrap_owner("mallory")


def test_enrollment_gives_an_otpauth_uri_and_a_scannable_qr_code(workspace, people):
    enrollment = workspace.users.bootstrap_owner("olivia")
    assert enrollment.uri.startswith("otpauth://totp/socops:olivia?")
    assert f"secret={enrollment.secret}" in enrollment.uri and "issuer=socops" in enrollment.uri
    assert enrollment.secret not in repr(enrollment)
    assert workspace.secrets.get("totp:olivia") == enrollment.secret

    # the text, read back into modules, is exactly segno's QR code of the URI
    symbol = segno.make(enrollment.uri, error="m", micro=False)
    size = 17 + 4 * symbol.version
    lines = enrollment.qr_text.splitlines()
    border = 2
    assert all(len(line) == size + 2 * border for line in lines)
    assert len(lines) == (size + 2 * border + 1) // 2
    lit = []
    for line in lines:
        top = [ch in "█▀" for ch in line]
        bottom = [ch in "█▄" for ch in line]
        lit += [top, bottom]
    modules = [[not cell for cell in row[border:border + size]] for row in lit[border:border + size]]
    assert modules == [[bool(m) for m in row] for row in symbol.matrix]
    # finder patterns in three corners: a dark 7x7 ring
    for top, left in ((0, 0), (0, size - 7), (size - 7, 0)):
        assert all(modules[top][left + i] and modules[top + 6][left + i] for i in range(7))
    assert all(line[:border] == "█" * border for line in lines[1:-1])   # the lit quiet zone


def test_usernames_are_checked_and_unique(workspace, people):
    owner = people.owner()
    with pytest.raises(UserError, match="not a valid user name"):
        workspace.users.add(owner, "Bob Smith", "viewer")
    with pytest.raises(UserError, match="unknown role 'wizard'"):
        workspace.users.add(owner, "bob", "wizard")
    with pytest.raises(UserError, match="reserved"):
        workspace.users.add(owner, "unknown-user", "viewer")
    workspace.users.add(owner, "BOB", "viewer")
    with pytest.raises(UserError, match="exists already"):
        workspace.users.add(owner, "bob", "editor")
    assert [u.username for u in workspace.users.list(owner)] == ["bob", "olivia"]


def test_managing_users_needs_user_manage(workspace, people):
    editor = people.session("eddie", "editor")
    with pytest.raises(PermissionDenied, match="eddie \\(editor\\) may not .*: needs user.manage"):
        workspace.users.add(editor, "bob", "viewer")
    with pytest.raises(PermissionDenied, match="needs user.manage"):
        workspace.users.list(editor)
    assert workspace.users.show(editor, "eddie").user.username == "eddie"     # oneself: allowed
    with pytest.raises(PermissionDenied):
        workspace.users.show(editor, "olivia")


# -- login -----------------------------------------------------------------------------------
def test_login_with_the_right_code_opens_an_audited_session(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    session = workspace.auth.login("bob", people.code("bob"))
    assert session.name == "bob" and session.user.role == "responder"
    user = workspace.users.get("bob")
    assert user.last_login_at == clock() and user.failed_logins == 0
    assert ("bob", "login.ok", "user/bob") in actions(workspace)


def test_wrong_code_and_unknown_user_get_the_same_answer_and_both_are_audited(workspace, people):
    people.owner()
    people.add("bob", "responder")
    wrong = "000000" if people.code("bob") != "000000" else "111111"
    with pytest.raises(LoginFailed) as first:
        workspace.auth.login("bob", wrong)
    with pytest.raises(LoginFailed) as second:
        workspace.auth.login("ghost", people.code("bob"))
    assert str(first.value) == str(second.value) == "wrong user name or code"
    assert workspace.users.get("bob").failed_logins == 1
    failed = actions(workspace, "login.failed")
    assert ("bob", "login.failed", "user/bob") in failed
    assert ("unknown-user", "login.failed", "user/ghost") in failed
    assert not workspace.store.has(USERS, "ghost")


def test_a_code_is_accepted_once_only(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    code = people.code("bob")
    workspace.auth.login("bob", code)
    with pytest.raises(LoginFailed, match="already used"):
        workspace.auth.login("bob", code)
    # the previous step's code is within the drift window but older than the one used
    with pytest.raises(LoginFailed, match="already used"):
        workspace.auth.login("bob", people.code("bob", steps=-1))
    assert workspace.users.get("bob").failed_logins == 2
    people.next_step()
    workspace.auth.login("bob", people.code("bob"))


def test_clock_drift_of_one_step_is_allowed_but_not_two(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    clock.advance(minutes=5)
    with pytest.raises(LoginFailed):
        workspace.auth.login("bob", people.code("bob", steps=-2))
    workspace.auth.login("bob", people.code("bob", steps=-1))      # a phone 30 s slow
    workspace.auth.login("bob", people.code("bob", steps=1))       # ... or fast


def test_five_failures_lock_the_user_for_fifteen_minutes(workspace, people, clock):
    people.owner()
    people.add("bob", "responder")
    for _ in range(4):
        with pytest.raises(LoginFailed) as refused:
            workspace.auth.login("bob", "999999" if people.code("bob") != "999999" else "888888")
        assert not isinstance(refused.value, AccountLocked)
    with pytest.raises(AccountLocked) as locked:
        workspace.auth.login("bob", "000000" if people.code("bob") != "000000" else "111111")
    until = clock() + timedelta(minutes=15)
    assert locked.value.until == until
    assert workspace.users.get("bob").locked_until == until

    # while locked, even the right code is refused, without being checked or counted
    clock.advance(minutes=14, seconds=59)
    with pytest.raises(AccountLocked, match=f"bob is locked out until {until:%Y-%m-%d %H:%M} UTC"):
        workspace.auth.login("bob", people.code("bob"))
    assert workspace.users.get("bob").last_totp_step == 0
    assert [a for _, a, _ in actions(workspace, "login.")].count("login.locked") == 2

    clock.advance(seconds=1)
    session = workspace.auth.login("bob", people.code("bob"))
    assert session.user.failed_logins == 0 and session.user.locked_until is None


def test_lockout_numbers_come_from_governance(open_workspace, people, clock):
    workspace = people.workspace
    people.owner()
    people.add("bob", "responder")
    path = workspace.paths.config_dir / "governance.toml"
    path.write_text("version = 1\n[auth]\nlockout_failures = 2\nlockout_minutes = 60\n", encoding="utf-8")
    with pytest.raises(LoginFailed):
        workspace.auth.login("bob", "123456" if people.code("bob") != "123456" else "654321")
    with pytest.raises(AccountLocked) as locked:
        workspace.auth.login("bob", "123456" if people.code("bob") != "123456" else "654321")
    assert locked.value.until == clock() + timedelta(minutes=60)


def test_a_disabled_user_is_refused_at_login_and_on_the_next_action_of_an_open_session(workspace, people):
    bob = people.session("bob", "responder")
    bob.require(INBOX_TRIAGE)
    workspace.users.disable(people.owner(), "bob")
    with pytest.raises(PermissionDenied, match="^bob is disabled$"):
        bob.require(INBOX_READ)
    with pytest.raises(LoginFailed, match="bob is disabled"):
        workspace.auth.login("bob", people.code("bob"))
    assert not bob.allowed(INBOX_READ)
    workspace.users.enable(people.owner(), "bob")
    bob.require(INBOX_READ)
    assert ("olivia", "user.disable", "user/bob") in actions(workspace, "user.")


def test_a_disable_from_another_process_reaches_an_open_session_after_a_refresh(open_workspace, people):
    first = people.workspace
    bob = people.session("bob", "responder")
    other = open_workspace(operator="olivia")
    owner = other.auth.login("olivia", people.code("olivia"))
    other.users.disable(owner, "bob")
    first.store.refresh()
    with pytest.raises(PermissionDenied, match="bob is disabled"):
        bob.require(INBOX_READ)


def test_idle_session_locks_after_thirty_minutes_and_a_new_code_unlocks_it(workspace, people, clock):
    bob = people.session("bob", "responder")
    clock.advance(minutes=30)
    bob.require(INBOX_READ)                      # exactly 30 minutes is not "more than"
    clock.advance(minutes=30, seconds=1)
    with pytest.raises(SessionLocked, match="^session locked after 30 minutes idle; enter a new code$"):
        bob.require(INBOX_READ)
    assert bob.locked
    with pytest.raises(LoginFailed):
        bob.unlock("000000" if people.code("bob") != "000000" else "111111")
    assert workspace.users.get("bob").failed_logins == 1
    with pytest.raises(SessionLocked):
        bob.require(INBOX_READ)
    bob.unlock(people.code("bob"))
    bob.require(INBOX_READ)
    assert ("bob", "session.unlock", "user/bob") in actions(workspace, "session.")


def test_step_up_is_required_then_satisfied_then_expires_after_five_minutes(workspace, people, clock):
    mia = people.session("mia", "manager")
    mia.require(POST_PUBLISH)                    # the login code is fresh
    clock.advance(minutes=5, seconds=1)
    mia.require(INBOX_TRIAGE)                    # not high-risk: no code needed
    with pytest.raises(StepUpRequired) as refused:
        mia.require(POST_PUBLISH)
    assert refused.value.permission == POST_PUBLISH
    assert "publish a post now" in str(refused.value) and "fresh code" in str(refused.value)
    code = people.code("mia")
    mia.step_up(code)
    with pytest.raises(LoginFailed, match="already used"):
        mia.step_up(code)                            # once only, in a session too
    mia.require(POST_PUBLISH)
    clock.advance(minutes=5)
    mia.require(POST_PUBLISH)
    clock.advance(seconds=1)
    with pytest.raises(StepUpRequired):
        mia.require(POST_PUBLISH)


def test_wrong_step_up_codes_count_toward_lockout_and_lock_the_session(workspace, people):
    mia = people.session("mia", "manager")
    wrong = "000000" if people.code("mia") != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(LoginFailed):
            mia.step_up(wrong)
    with pytest.raises(AccountLocked):
        mia.step_up(wrong)
    with pytest.raises(SessionLocked):
        mia.require(INBOX_READ)
    with pytest.raises(AccountLocked):
        mia.unlock(people.code("mia"))


# -- passphrases ------------------------------------------------------------------------------
def test_a_user_with_a_passphrase_needs_it_to_log_in(workspace, people):
    people.owner()
    people.add("pat", "editor", passphrase="correct horse battery")
    record = workspace.store.get(USERS, "pat")
    stored = record["passphrase"]
    assert stored["algorithm"] == "scrypt" and (stored["n"], stored["r"], stored["p"]) == (2 ** 14, 8, 1)
    assert "correct horse" not in str(record)
    assert workspace.auth.needs_passphrase("pat") and not workspace.auth.needs_passphrase("olivia")
    with pytest.raises(PassphraseRequired):
        workspace.auth.login("pat", people.code("pat"))
    assert workspace.users.get("pat").failed_logins == 0
    with pytest.raises(LoginFailed, match="^wrong user name, code or passphrase$"):
        workspace.auth.login("pat", people.code("pat"), "wrong horse battery")
    assert workspace.users.get("pat").failed_logins == 1
    session = workspace.auth.login("pat", people.code("pat"), "correct horse battery")
    assert session.name == "pat"


def test_passphrases_can_be_changed_by_their_owner_and_removed_by_an_admin(workspace, people):
    pat = people.session("pat", "editor", passphrase="first passphrase")
    workspace.users.set_passphrase(pat, "pat", "second passphrase")
    people.next_step()
    with pytest.raises(LoginFailed):
        workspace.auth.login("pat", people.code("pat"), "first passphrase")
    people.next_step()
    workspace.auth.login("pat", people.code("pat"), "second passphrase")
    with pytest.raises(UserError, match="at least 8"):
        workspace.users.set_passphrase(pat, "pat", "short")
    workspace.users.set_passphrase(people.owner(), "pat", None)
    assert not workspace.users.get("pat").has_passphrase


# -- owners ----------------------------------------------------------------------------------
def test_the_last_enabled_owner_cannot_be_disabled_or_demoted(workspace, people):
    owner = people.owner()
    with pytest.raises(LastOwnerError, match="olivia is the last enabled owner"):
        workspace.users.disable(owner, "olivia")
    with pytest.raises(LastOwnerError, match="last enabled owner"):
        workspace.users.set_role(owner, "olivia", "admin")
    workspace.users.add(people.owner(), "oscar", "owner")
    workspace.users.set_role(people.owner(), "olivia", "admin")
    assert workspace.users.get("olivia").role == "admin"
    oscar = people.login("oscar")
    with pytest.raises(LastOwnerError):
        workspace.users.disable(oscar, "oscar")


def test_only_owners_touch_owners(workspace, people):
    people.owner()
    ada = people.session("ada", "admin")
    for attempt in (lambda: workspace.users.add(ada, "eve", "owner"),
                    lambda: workspace.users.set_role(ada, "ada", "owner"),
                    lambda: workspace.users.disable(ada, "olivia"),
                    lambda: workspace.users.set_role(ada, "olivia", "viewer"),
                    lambda: workspace.users.reset_totp(ada, "olivia")):
        with pytest.raises(PermissionDenied, match="only an owner may"):
            attempt()
    workspace.users.add(ada, "eve", "editor")                  # admins manage everyone else
    workspace.users.set_role(ada, "eve", "manager")
    workspace.users.set_scope(ada, "eve", Scope.parse("sandbox:northwind_en,region:EU"))
    assert workspace.users.get("eve").scope.describe() == "sandbox:northwind_en, region EU"


def test_reset_totp_replaces_the_seed(workspace, people):
    people.session("bob", "responder")
    old = people.secret("bob")
    enrollment = workspace.users.reset_totp(people.owner(), "bob")
    assert enrollment.secret != old and people.secret("bob") == enrollment.secret
    people.next_step()
    with pytest.raises(LoginFailed):
        workspace.auth.login("bob", code_at(old, people.clock()))
    people.next_step()
    workspace.auth.login("bob", people.code("bob"))


# -- policy acknowledgement -------------------------------------------------------------------
def test_a_new_policy_version_must_be_acknowledged_before_acting(workspace, people):
    bob = people.session("bob", "responder")
    bob.require(INBOX_READ)
    path = workspace.paths.config_dir / "governance.toml"
    path.write_text(path.read_text(encoding="utf-8").replace("version = 1", "version = 2"), encoding="utf-8")
    with pytest.raises(PolicyAckRequired, match="version 2"):
        bob.require(INBOX_READ)
    assert bob.acknowledge_policy() == 2
    bob.require(INBOX_READ)
    assert ("bob", "policy.acknowledge", "user/bob") in actions(workspace, "policy.")


def test_new_users_acknowledge_the_policy_at_their_first_login(workspace, people):
    people.owner()
    people.add("bob", "viewer")
    bob = workspace.auth.login("bob", people.code("bob"))
    with pytest.raises(PolicyAckRequired):
        bob.require(INBOX_READ)
    bob.acknowledge_policy()
    bob.require(INBOX_READ)


def test_show_lists_effective_permissions_and_why_others_are_missing(workspace, people):
    people.session("eddie", "editor")
    access = workspace.users.show(people.owner(), "eddie")
    assert "post.submit" in access.permissions and USER_MANAGE not in access.permissions
    assert access.missing[USER_MANAGE] == "not part of the editor role"
    workspace.users.disable(people.owner(), "eddie")
    access = workspace.users.show(people.owner(), "eddie")
    assert not access.permissions and access.missing["post.draft"] == "eddie is disabled"


def test_every_change_above_leaves_a_verifiable_chain(workspace, people, clock):
    bob = people.session("bob", "responder")
    with pytest.raises(LoginFailed):
        workspace.auth.login("nobody", "123456")
    workspace.users.disable(people.owner(), "bob")
    with pytest.raises(PermissionDenied):
        bob.require(INBOX_READ)
    result = verify_chain(workspace.audit.events(), workspace.audit.head())
    assert result.ok, result.describe()
    assert result.checked == len(list(workspace.audit.events())) >= 8


def test_an_abandoned_first_enrolment_can_start_again(workspace, people):
    users = workspace.users
    users.bootstrap_owner("olivia", confirm_by_login=True)
    assert users.needs_bootstrap()  # created, but never logged in: the QR may never have been scanned
    users.bootstrap_owner("oscar", confirm_by_login=True)
    assert [u.username for u in users.all_users()] == ["oscar"]
    people.login("oscar")
    assert not users.needs_bootstrap()
    with pytest.raises(UserError, match="exist already"):
        users.bootstrap_owner("mallory")
    events = [(e["actor"], e["action"]) for e in workspace.audit.events()]
    assert events[:2] == [("bootstrap", "user.bootstrap"), ("bootstrap", "user.bootstrap")]
    assert workspace.secrets.get("totp:olivia") is None
