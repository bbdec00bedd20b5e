"""The socops command for scripts: output, JSON, exit codes and one-line errors.

In-process commands run on the test's clock (``cli_clock``) as a logged-in
console user (``act_as`` sets SOCOPS_USER and a fresh SOCOPS_TOTP); the
exit-code tests run real subprocesses against a workspace whose owner was
created by the CLI itself.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pyotp
import pytest

from console.cli.main import main
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def operator(people, cli_clock, monkeypatch):
    """Olivia (the owner) and Rosa (a responder), and a way to act as either."""
    people.owner("olivia")
    people.add("rosa", "responder")
    people.login("rosa")  # first login: acknowledges the policy

    def as_user(name: str = "olivia") -> None:
        act_as(monkeypatch, people, name)

    return as_user


def test_seed_list_show_and_act(capsys, operator):
    operator("olivia")
    code, out, _ = run(capsys, "sandbox", "seed", "--items", "300")
    assert code == 0 and "added 300 sandbox items" in out
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--status", "all", "--limit", "0", "--json")
    rows = [json.loads(row) for row in out.splitlines()]
    assert code == 0 and len(rows) == 300
    assert {"id", "status", "sla_due", "text", "author_handle"} <= set(rows[0])
    open_ids = [r["id"] for r in rows if r["status"] == "open"]
    assert open_ids, "recent seeded items should be open"
    # some are assigned, and only to people of this workspace who may work them
    assert {r["assignee"] for r in rows} - {""} and {r["assignee"] for r in rows} <= {"", "olivia", "rosa"}
    target = open_ids[0]
    operator("rosa")
    assert run(capsys, "inbox", "assign", "rosa", target)[0] == 0
    operator("rosa")
    assert run(capsys, "inbox", "tag", "shipping,vip", target)[0] == 0
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "show", target, "--json")
    shown = json.loads(out)
    assert shown["assignee"] == "rosa" and set(shown["tags"]) >= {"shipping", "vip"}
    assert any(t["id"] == target for t in shown["thread"])
    operator("rosa")
    assert run(capsys, "inbox", "close", target)[0] == 0
    operator("rosa")
    code, _, err = run(capsys, "inbox", "close", target)
    assert code == 1 and "already closed" in err
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--assignee", "rosa", "--status", "closed")
    assert out.startswith(target)
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--search", "status:all tag:vip assignee:rosa")
    assert code == 0 and out.startswith(target)
    operator("rosa")
    code, _, err = run(capsys, "inbox", "list", "--search", "kind:tweet")
    assert code == 2 and "not a kind" in err


def test_assign_to_someone_who_is_not_a_user_is_refused_once(capsys, operator):
    """`inbox assign ghost ID` gave the item to nobody."""
    operator("olivia")
    run(capsys, "sandbox", "seed", "--items", "12")
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--assignee", "-", "--json", "--limit", "2")
    targets = [json.loads(row)["id"] for row in out.splitlines()]
    operator("rosa")
    code, out, err = run(capsys, "inbox", "assign", "ghost", *targets)
    assert code == 1 and out == ""
    assert err.strip() == ("socops: cannot assign to 'ghost': no console user has that name; type the user "
                           "name of someone on the team (`socops user list`); nothing was assigned")
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--assignee", "-", "--json", "--limit", "0")
    assert set(targets) <= {json.loads(row)["id"] for row in out.splitlines()}


def test_import_reports_a_line_for_an_unknown_account_by_its_number(capsys, operator, tmp_path):
    """`inbox import` took a line for sandbox:nope, which then showed as an open item."""
    def item(account: str, remote_id: str) -> str:
        return json.dumps({"platform": "sandbox", "account_id": account, "remote_id": remote_id, "kind": "dm",
                           "author_handle": "@ana", "text": "hola", "created_at": "2026-11-01T10:00:00Z"})

    path = tmp_path / "history.jsonl"
    path.write_text(item("sandbox:northwind_es", "old-1") + "\n" + item("sandbox:nope", "old-2") + "\n")
    operator("olivia")
    code, out, err = run(capsys, "inbox", "import", str(path))
    assert code == 1 and out.strip() == "imported 1, skipped 0 already present, 1 bad line"
    assert err.startswith(f"{path}:2: account 'sandbox:nope' is not an account of this workspace")
    operator("rosa")
    code, out, _ = run(capsys, "inbox", "list", "--status", "all", "--json", "--limit", "0")
    assert [json.loads(row)["id"] for row in out.splitlines()] == ["sandbox:old-1"]


def test_reply_and_note_from_the_shell(capsys, operator):
    operator("olivia")
    run(capsys, "sandbox", "seed", "--items", "30")
    operator("rosa")
    item_id = json.loads(run(capsys, "inbox", "list", "--limit", "1", "--json")[1])["id"]
    operator("rosa")
    assert run(capsys, "inbox", "reply", item_id, "Thanks!")[0] == 0
    operator("rosa")
    assert run(capsys, "inbox", "note", item_id, "called them")[0] == 0
    operator("rosa")
    out = run(capsys, "inbox", "show", item_id)[1]
    assert "reply by rosa [queued] Thanks!" in out and "note by rosa" in out


def test_import_reports_line_numbers(capsys, tmp_path, operator):
    source = tmp_path / "history.jsonl"
    good = {"platform": "sandbox", "account_id": "sandbox:northwind_en", "remote_id": "42", "kind": "mention",
            "author_handle": "@zed", "text": "hi", "created_at": "2026-11-01T10:00:00+00:00"}
    source.write_text(json.dumps(good) + "\nnot json\n")
    operator("olivia")
    code, out, err = run(capsys, "inbox", "import", str(source))
    assert code == 1 and "imported 1" in out and f"{source}:2: not valid JSON" in err


def test_a_responder_may_not_import(capsys, tmp_path, operator):
    source = tmp_path / "history.jsonl"
    source.write_text("")
    operator("rosa")
    code, _, err = run(capsys, "inbox", "import", str(source))
    assert code == 1 and "needs inbox.import" in err


def test_audit_verify_and_export(capsys, tmp_path, operator):
    operator("olivia")
    run(capsys, "sandbox", "seed", "--items", "10")
    operator("rosa")
    item_id = json.loads(run(capsys, "inbox", "list", "--limit", "1", "--json")[1])["id"]
    operator("rosa")
    run(capsys, "inbox", "close", item_id)
    operator("olivia")
    code, out, _ = run(capsys, "audit", "verify")
    assert code == 0 and "audit trail intact" in out
    operator("olivia")
    target = tmp_path / "audit.csv"
    code, _, err = run(capsys, "audit", "export", "--format", "csv", "-o", str(target))
    lines = target.read_text().splitlines()
    assert code == 0 and lines[0].startswith("seq,at,actor,action")
    assert any(",rosa,inbox.close," in line for line in lines)
    operator("rosa")
    code, _, err = run(capsys, "audit", "verify")
    assert code == 1 and "needs audit.read" in err


def _subprocess(argv, env):
    return subprocess.run([sys.executable, "-m", "console.cli.main", *argv], capture_output=True,
                          text=True, env=env, timeout=60)


@pytest.fixture
def owner_env(tmp_path):
    """A real workspace whose owner the CLI created; returns env with a current code."""
    env = dict(os.environ, SOCOPS_HOME=str(tmp_path / "cli-home"), SOCOPS_USER="olivia")
    env.pop("SOCOPS_TOTP", None)
    created = _subprocess(["user", "add", "olivia", "--role", "owner"], env)
    assert created.returncode == 0, created.stderr
    secret = re.search(r"secret=([A-Z2-7]+)", created.stdout).group(1)
    env["SOCOPS_TOTP"] = pyotp.TOTP(secret).now()
    return env


@pytest.mark.parametrize("argv, code, message", [
    (["inbox", "list", "--status", "weird"], 2, "usage error"),
    (["inbox", "frobnicate"], 2, "usage error"),
    (["inbox", "list", "--bogus"], 2, "see `socops inbox list --help`"),
    (["--bogus"], 2, "see `socops --help`"),
    (["sandbox", "seed", "--items", "0"], 2, "usage error"),
    (["inbox", "show", "sandbox:nope"], 1, "no inbox item"),
    (["inbox", "import", "/nonexistent/file.jsonl"], 1, "cannot read"),
    (["inbox", "snooze", "whenever", "sandbox:1"], 2, "cannot read"),
    (["audit", "export", "--since", "yesterday"], 2, "not a date"),
])
def test_errors_are_one_line_with_the_right_exit_code(argv, code, message, owner_env):
    result = _subprocess(argv, owner_env)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_a_wrong_code_is_refused_in_one_line(owner_env):
    owner_env["SOCOPS_TOTP"] = "000000" if owner_env["SOCOPS_TOTP"] != "000000" else "111111"
    result = _subprocess(["inbox", "list"], owner_env)
    assert result.returncode == 1 and "wrong user name or code" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_worker_once_and_doctor(capsys):
    code, out, _ = run(capsys, "worker", "--once")
    assert code == 0 and "fetched" in out
    code, out, _ = run(capsys, "doctor")
    assert "store       ok" in out and "worker" in out and "secrets" in out and "terminal" in out


def test_account_commands(capsys, operator, monkeypatch):
    operator("olivia")
    code, out, _ = run(capsys, "account", "list")
    rows = [line.split("\t") for line in out.splitlines()]
    assert code == 0 and [(row[0], row[5]) for row in rows] == [
        ("sandbox:northwind_en", "sandbox"), ("sandbox:northwind_es", "sandbox"), ("sandbox:northwind_ja", "sandbox")]
    operator("olivia")
    code, out, _ = run(capsys, "account", "list", "--json")
    assert [json.loads(line)["timezone"] for line in out.splitlines()] == [
        "America/New_York", "America/Mexico_City", "Asia/Tokyo"]
    operator("olivia")
    monkeypatch.setenv("SOCOPS_ACCOUNT_SECRET", "app-pass")
    code, _, err = run(capsys, "account", "connect", "bluesky", "--server", "pds.example", "--account", "brand")
    assert code == 1 and "not a server address" in err and "app-pass" not in err
    operator("olivia")
    code, _, err = run(capsys, "account", "connect", "instagram", "--account", "17841400000000000")
    assert code == 1 and "needs page_id" in err
    operator("olivia")
    code, _, err = run(capsys, "account", "connect", "bluesky", "--account", "brand", "--browser")
    assert code == 1 and "no browser sign-in" in err
    operator("rosa")
    code, _, err = run(capsys, "account", "remove", "bluesky:brand")
    assert code == 1 and "needs account.manage" in err


def test_print_json_escapes_every_hidden_character_and_stays_exact(capsys):
    from console.cli.common import print_json

    value = {"text": "a\u202eb\u200bc \ufeff👨\u200d👩 \U000e0067\x1b[2J\x9b\x7f end"}
    print_json(value)
    out = capsys.readouterr().out
    assert json.loads(out) == value
    assert re.findall(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\ufeff\U000e0000-\U000e007f]", out) == ["\n"]
    assert "\\u202e" in out and "\\udb40\\udc67" in out and "👨\\u200d👩" in out


@pytest.mark.parametrize("argv", [[], ["--no-worker"], ["-v", "--no-worker"]])
def test_starting_the_console_imports_no_command_module(argv):
    # Run apart: this test process has imported every command already.
    probe = ("import sys\n"
             "from console.cli import main\n"
             "main.run_console = lambda args: print(args.no_worker, sorted(\n"
             "    name for name in sys.modules if name.startswith('console.cli.'))) or 0\n"
             f"sys.exit(main.main({argv!r}))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split("\n")[0] == f"{'--no-worker' in argv} ['console.cli.common', 'console.cli.main']"


def test_help_and_a_wrong_option_still_get_the_full_parser(capsys):
    with pytest.raises(SystemExit) as exited:
        main(["--help"])
    assert exited.value.code == 0 and "inbox" in capsys.readouterr().out   # the commands are listed
    with pytest.raises(SystemExit) as exited:
        main(["--bogus"])
    assert exited.value.code == 2 and "unrecognized arguments: --bogus" in capsys.readouterr().err
