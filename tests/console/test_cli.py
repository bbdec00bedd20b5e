"""The socops command for scripts: output, JSON, exit codes and one-line errors."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from console.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_seed_list_show_and_act(capsys):
    code, out, _ = run(capsys, "sandbox", "seed", "--items", "300")
    assert code == 0 and "added 300 sandbox items" in out
    code, out, _ = run(capsys, "inbox", "list", "--status", "all", "--limit", "0", "--json")
    rows = [json.loads(row) for row in out.splitlines()]
    assert code == 0 and len(rows) == 300
    assert {"id", "status", "sla_due", "text", "author_handle"} <= set(rows[0])
    open_ids = [r["id"] for r in rows if r["status"] == "open"]
    assert open_ids, "recent seeded items should be open"
    target = open_ids[0]
    assert run(capsys, "inbox", "assign", "bob", target)[0] == 0
    assert run(capsys, "inbox", "tag", "shipping,vip", target)[0] == 0
    code, out, _ = run(capsys, "inbox", "show", target, "--json")
    shown = json.loads(out)
    assert shown["assignee"] == "bob" and set(shown["tags"]) >= {"shipping", "vip"}
    assert any(t["id"] == target for t in shown["thread"])
    assert run(capsys, "inbox", "close", target)[0] == 0
    code, _, err = run(capsys, "inbox", "close", target)
    assert code == 1 and "already closed" in err
    code, out, _ = run(capsys, "inbox", "list", "--assignee", "bob", "--status", "closed")
    assert out.startswith(target)


def test_reply_and_note_from_the_shell(capsys):
    run(capsys, "sandbox", "seed", "--items", "30")
    item_id = run(capsys, "inbox", "list", "--limit", "1", "--json")[1]
    item_id = json.loads(item_id)["id"]
    assert run(capsys, "inbox", "reply", item_id, "Thanks!")[0] == 0
    assert run(capsys, "inbox", "note", item_id, "called them")[0] == 0
    out = run(capsys, "inbox", "show", item_id)[1]
    assert "reply by alice [queued] Thanks!" in out and "note by alice" in out


def test_import_reports_line_numbers(capsys, tmp_path):
    source = tmp_path / "history.jsonl"
    good = {"platform": "x", "account_id": "x:brand", "remote_id": "42", "kind": "mention",
            "author_handle": "@zed", "text": "hi", "created_at": "2026-11-01T10:00:00+00:00"}
    source.write_text(json.dumps(good) + "\nnot json\n")
    code, out, err = run(capsys, "inbox", "import", str(source))
    assert code == 1 and "imported 1" in out and f"{source}:2: not valid JSON" in err


@pytest.mark.parametrize("argv, code, message", [
    (["inbox", "list", "--status", "weird"], 2, "usage error"),
    (["inbox", "frobnicate"], 2, "usage error"),
    (["sandbox", "seed", "--items", "0"], 2, "usage error"),
    (["inbox", "show", "sandbox:nope"], 1, "no inbox item"),
    (["inbox", "import", "/nonexistent/file.jsonl"], 1, "cannot read"),
    (["inbox", "snooze", "whenever", "sandbox:1"], 2, "cannot read"),
])
def test_errors_are_one_line_with_the_right_exit_code(argv, code, message, tmp_path):
    env = dict(os.environ)
    result = subprocess.run([sys.executable, "-m", "console.cli.main", *argv], capture_output=True,
                            text=True, env=env, timeout=60)
    assert result.returncode == code, result.stderr
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr


def test_worker_once_and_doctor(capsys):
    code, out, _ = run(capsys, "worker", "--once")
    assert code == 0 and "fetched" in out
    code, out, _ = run(capsys, "doctor")
    assert "store       ok" in out and "worker" in out and "keyring" in out and "terminal" in out
