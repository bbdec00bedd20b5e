"""``socops user`` and ``socops training``: bootstrap, acting as a user, output, exit codes."""

from __future__ import annotations

import json

import pytest

from console.cli.main import main
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def owner(people, cli_clock, monkeypatch, capsys):
    """Bootstrap olivia through the CLI, as the README's quick start does."""
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, out, err = run(capsys, "user", "add", "olivia", "--role", "owner", "--name", "Olivia O.")
    assert code == 0, err
    people.workspace.store.refresh()
    return out


def test_the_first_user_add_bootstraps_an_owner_and_prints_the_enrolment(owner, people):
    secret = people.secret("olivia")
    assert "created the first owner, olivia" in owner
    assert f"otpauth://totp/socops:olivia?secret={secret}&issuer=socops" in owner
    assert "▀" in owner or "▄" in owner                       # the QR code, in half blocks
    assert f"secret: {secret}" in owner


def test_the_first_user_must_be_an_owner(people, cli_clock, capsys):
    code, _, err = run(capsys, "user", "add", "bob", "--role", "viewer")
    assert code == 1 and "the first one must be an owner" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_add_list_show_disable_as_a_logged_in_owner(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    code, out, err = run(capsys, "user", "add", "bob", "--role", "editor",
                         "--scope", "sandbox:northwind_en,region:EU", "--name", "Bob B")
    assert code == 0, err
    assert "added bob (editor; scope: sandbox:northwind_en, region EU)" in out and "otpauth://" in out

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "list")
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and [r[0] for r in rows] == ["bob", "olivia"]
    assert rows[0][1:4] == ["editor", "sandbox:northwind_en, region EU", "enabled"]

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "show", "bob")
    assert code == 0
    assert "role        editor" in out and "post.submit" in out
    assert "may not:" in out and "user.manage        not part of the editor role" in out

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "show", "bob", "--json")
    data = json.loads(out)
    assert "post.draft" in data["permissions"] and data["missing"]["post.publish"] == "not part of the editor role"

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "disable", "bob")
    assert code == 0 and out.strip() == "bob is disabled"
    people.workspace.store.refresh()
    assert people.workspace.users.get("bob").disabled

    act_as(monkeypatch, people, "olivia")
    assert run(capsys, "user", "enable", "bob")[0] == 0
    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "set-role", "bob", "manager")
    assert code == 0 and out.strip() == "bob is now manager"
    events = [(e["actor"], e["action"]) for e in people.workspace.audit.events()]
    assert ("olivia", "user.disable") in events and ("olivia", "user.set_role") in events


def test_errors_are_one_line_with_the_right_exit_code(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    code, _, err = run(capsys, "user", "disable", "olivia")
    assert code == 1 and "last enabled owner" in err and len(err.strip().splitlines()) == 1

    monkeypatch.setenv("SOCOPS_TOTP", "000000" if people.code("olivia") != "000000" else "111111")
    code, _, err = run(capsys, "user", "list")
    assert code == 1 and err.strip() == ("socops: wrong user name or code (acting as 'olivia': set SOCOPS_USER to "
                                         "your console user name, or ask an admin which it is)")

    code, _, err = run(capsys, "user", "add", "Not Valid", "--role", "viewer")
    assert code == 2 and "not a valid user name" in err
    code, _, err = run(capsys, "user", "add", "zed", "--role", "viewer", "--scope", "region:")
    assert code == 2 and "region:" in err
    with pytest.raises(SystemExit) as usage:
        main(["user", "add", "zed"])
    assert usage.value.code == 2 and "required: --role" in capsys.readouterr().err

    act_as(monkeypatch, people, "olivia")
    code, _, err = run(capsys, "user", "set-role", "ghost", "viewer")
    assert code == 1 and "no console user is called 'ghost'" in err


def test_a_code_is_needed_and_not_prompted_for_without_a_terminal(owner, people, monkeypatch, capsys):
    monkeypatch.setenv("SOCOPS_USER", "olivia")
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "user", "list")
    assert code == 1 and err.strip() == ("socops: no TOTP code: standard input is not a terminal; "
                                         "set SOCOPS_TOTP")


def test_the_same_code_does_not_work_for_two_commands(owner, people, monkeypatch, capsys):
    monkeypatch.setenv("SOCOPS_USER", "olivia")
    monkeypatch.setenv("SOCOPS_TOTP", people.code("olivia"))
    assert run(capsys, "user", "list")[0] == 0
    code, _, err = run(capsys, "user", "list")
    assert code == 1 and "already used" in err


def test_an_unknown_acting_user_gets_the_answer_of_a_wrong_code(owner, people, monkeypatch, capsys):
    """The shell must not tell which user names exist: an unknown name is asked
    for its code and refused in the words and with the exit code of a wrong
    code, and the attempt is audited like any failed login."""
    act_as(monkeypatch, people, "olivia")
    run(capsys, "user", "add", "rosa", "--role", "responder")
    people.workspace.store.refresh()
    wrong = "000000" if people.code("rosa") != "000000" else "111111"

    monkeypatch.setenv("SOCOPS_USER", "rosa")
    monkeypatch.setenv("SOCOPS_TOTP", wrong)
    known = run(capsys, "inbox", "list")
    monkeypatch.setenv("SOCOPS_USER", "mallory")
    unknown = run(capsys, "inbox", "list")

    assert known[0] == unknown[0] == 1
    assert known[1] == unknown[1] == ""
    assert unknown[2].replace("'mallory'", "'rosa'") == known[2]
    assert known[2].startswith("socops: wrong user name or code (acting as 'rosa': set SOCOPS_USER")
    people.workspace.store.refresh()
    failed = [(e["actor"], e["target"], e["summary"]) for e in people.workspace.audit.events()
              if e["action"] == "login.failed"]
    assert failed[-2:] == [("rosa", "user/rosa", "wrong code; 1 in a row"),
                           ("unknown-user", "user/mallory", "unknown user name")]
    assert people.workspace.users.get("rosa").failed_logins == 1     # still counted for a real user


def test_an_unknown_acting_user_is_asked_for_a_code_like_anyone(owner, people, monkeypatch, capsys):
    monkeypatch.setenv("SOCOPS_USER", "mallory")
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "user", "list")
    assert code == 1 and err.strip() == "socops: no TOTP code: standard input is not a terminal; set SOCOPS_TOTP"


def test_a_viewer_is_refused_with_the_permission_named(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    run(capsys, "user", "add", "vic", "--role", "viewer")
    people.workspace.store.refresh()
    act_as(monkeypatch, people, "vic")
    run(capsys, "user", "ack-policy", "--yes")
    act_as(monkeypatch, people, "vic")
    code, _, err = run(capsys, "user", "list")
    assert code == 1 and "vic (viewer) may not add, change and disable console users: needs user.manage" in err


def test_passphrase_users_give_it_from_the_environment(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    monkeypatch.setenv("SOCOPS_NEW_PASSPHRASE", "a long passphrase")
    assert run(capsys, "user", "add", "pat", "--role", "admin", "--passphrase")[0] == 0
    people.workspace.store.refresh()
    act_as(monkeypatch, people, "pat")
    code, _, err = run(capsys, "user", "ack-policy", "--yes")
    assert code == 1 and "no passphrase: standard input is not a terminal; set SOCOPS_PASSPHRASE" in err
    monkeypatch.setenv("SOCOPS_PASSPHRASE", "a long passphrase")
    act_as(monkeypatch, people, "pat")
    code, out, err = run(capsys, "user", "ack-policy", "--yes")
    assert code == 0 and "pat acknowledged governance version 1" in out


def test_reset_totp_prints_a_new_enrolment(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    run(capsys, "user", "add", "bob", "--role", "viewer")
    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "user", "reset-totp", "bob")
    people.workspace.store.refresh()
    assert code == 0 and f"secret={people.secret('bob')}" in out


def test_training_record_and_list(owner, people, monkeypatch, capsys):
    act_as(monkeypatch, people, "olivia")
    run(capsys, "user", "add", "mia", "--role", "manager")
    act_as(monkeypatch, people, "olivia")
    code, out, err = run(capsys, "training", "record", "mia", "security-basics", "--completed", "2026-01-10")
    assert code == 0, err
    assert out.strip() == "recorded security-basics for mia: completed 2026-01-10, counts until 2027-01-10"
    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "training", "record", "mia", "crisis-drill", "--completed", "2025-01-01",
                       "--expires", "2026-01-01")
    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "training", "list", "mia")
    assert code == 0 and out.splitlines() == [
        "mia\tcrisis-drill\t2025-01-01\t2026-01-01\texpired",
        "mia\tsecurity-basics\t2026-01-10\t2027-01-10\tcurrent",
    ]
    act_as(monkeypatch, people, "olivia")
    code, _, err = run(capsys, "training", "record", "mia", "x", "--completed", "yesterday")
    assert code == 2 and "YYYY-MM-DD" in err
