"""``socops crisis``: a whole crisis from a shell, two people, real codes."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from console.cli.main import main
from console.governance import GOVERNANCE_FILE
from console.publishing import ScheduleRequest
from tests.console.crisis.crisis_fixtures import EN, TEXTS, crisis_governance
from tests.console.identity_fixtures import act_as, cli_clock, people  # noqa: F401


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(workspace, people, cli_clock):
    workspace.paths.config_dir.joinpath(GOVERNANCE_FILE).write_text(crisis_governance(), encoding="utf-8")
    workspace.add_sample_content()
    people.owner()
    for name, role in (("mia", "manager"), ("max", "manager"), ("rita", "responder"), ("ed", "editor")):
        people.session(name, role)
    return people


def as_(monkeypatch, team, name, capsys, *argv):
    act_as(monkeypatch, team, name)
    return run(capsys, "crisis", *argv)


def test_a_crisis_from_declaration_to_report(team, monkeypatch, capsys, tmp_path, workspace):
    code, out, err = as_(monkeypatch, team, "mia", capsys, "declare", "--severity", "3", "--title", "Zipper recall",
                         "--reason", "pulls snap", "--playbook", "recall")
    assert code == 0, err
    crisis_id = out.split()[1].rstrip(":")
    assert out.startswith(f"declared {crisis_id}: 3 crisis, Zipper recall (every account), playbook recall; "
                          "7 runbook steps")
    assert "Publishing frozen at " in out and "held 0 scheduled posts" in out

    code, out, _ = as_(monkeypatch, team, "rita", capsys, "status")
    assert code == 0 and out.startswith(f"CRISIS 3 00:00 FROZEN  {crisis_id}: Zipper recall")
    assert "runbook: 0/7 steps" in out and "[ ] level3-1" in out

    code, out, err = as_(monkeypatch, team, "mia", capsys, "statements")
    assert code == 0 and out.splitlines()[0].startswith("hld-sample-recall\tprepared")
    code, out, err = as_(monkeypatch, team, "mia", capsys, "statement", "hld-sample-recall", "--to", EN)
    assert code == 0, err
    post_id = out.split()[1]
    assert "on route crisis statement; it waits for any manager (not you)" in out
    act_as(monkeypatch, team, "max")
    code, out, err = run(capsys, "post", "approve", post_id)
    assert code == 0, err
    workspace.store.refresh()                      # the commands wrote through their own workspaces
    assert workspace.scheduling.get(post_id).crisis_pass == crisis_id

    code, out, err = as_(monkeypatch, team, "mia", capsys, "step", "level3-3", "done", "--note", "statement out")
    assert code == 0 and out.strip() == "level3-3 done: Publish a holding statement"
    code, out, err = as_(monkeypatch, team, "rita", capsys, "note", "Returns questions are up", "--announce")
    assert code == 0 and out.strip() == "noted and announced to every console user"

    code, out, err = as_(monkeypatch, team, "mia", capsys, "unfreeze", "--note", "statement is out")
    assert code == 0 and "a second person (owner or admin or manager, not you) confirms" in out
    code, out, err = as_(monkeypatch, team, "mia", capsys, "confirm")
    assert code == 1 and "you asked for this unfreeze: a second person must confirm it" in err
    code, out, err = as_(monkeypatch, team, "max", capsys, "confirm")
    assert code == 0 and out.startswith("Unfrozen: asked by mia, confirmed by max; released h-")

    code, out, err = as_(monkeypatch, team, "mia", capsys, "resolve", "--note", "notice is out")
    assert code == 0, err
    code, out, err = as_(monkeypatch, team, "olivia", capsys, "confirm")
    assert code == 0 and out.startswith("Resolved: asked by mia, confirmed by olivia")

    code, out, _ = as_(monkeypatch, team, "rita", capsys, "list")
    assert out.split("\t")[:2] == [crisis_id, "3 crisis"] and "\tresolved " in out
    code, out, _ = as_(monkeypatch, team, "mia", capsys, "timeline", crisis_id, "--json")
    kinds = [json.loads(line)["kind"] for line in out.splitlines()]
    assert kinds[0] == "declared" and kinds[-1] == "resolved" and "note" in kinds and "statement" in kinds
    report_file = tmp_path / "report.md"
    code, out, err = as_(monkeypatch, team, "mia", capsys, "report", crisis_id, "--format", "md", "-o",
                         str(report_file))
    assert code == 0 and out.strip() == f"wrote the Markdown report of {crisis_id} to {report_file}"
    assert report_file.read_text().startswith(f"# Crisis {crisis_id}: Zipper recall")
    code, out, _ = as_(monkeypatch, team, "mia", capsys, "report", crisis_id, "--format", "json")
    report = json.loads(out)
    assert report["crisis"]["resolve_confirmed_by"] == "olivia" and report["statements"][0]["post_id"] == post_id


def test_missed_posts_are_listed_then_rescheduled_or_dropped(team, monkeypatch, capsys, workspace, cli_clock):
    mia = team.session("mia", "manager")
    ed = team.session("ed", "editor")
    posts = []
    for n in (1, 2):
        post = workspace.posts.draft(ed, [EN], TEXTS[EN].format(n=n), proposed_at=cli_clock() + timedelta(days=1))
        workspace.posts.submit(ed, post.id)
        workspace.approvals.approve(team.session("max", "manager"), post.id)
        workspace.scheduling.schedule(mia, post.id, ScheduleRequest(at=cli_clock() + timedelta(minutes=5)))
        posts.append(post.id)
    code, out, err = as_(monkeypatch, team, "mia", capsys, "freeze", "--reason", "checking a complaint")
    assert code == 0 and "held 2 scheduled posts" in out and "unfreezing needs two people" in out
    cli_clock.advance(minutes=10)
    as_(monkeypatch, team, "mia", capsys, "unfreeze")
    code, out, err = as_(monkeypatch, team, "max", capsys, "confirm")
    assert "2 posts missed their time during the freeze; none publishes by itself" in out
    code, out, _ = as_(monkeypatch, team, "mia", capsys, "missed")
    assert [line.split("\t")[0] for line in out.splitlines()[:2]] == posts
    code, out, err = as_(monkeypatch, team, "mia", capsys, "reschedule", posts[0], "--at", "2h")
    assert code == 0 and out.startswith(f"rescheduled {posts[0]}: @northwind ")
    code, out, err = as_(monkeypatch, team, "mia", capsys, "drop", posts[1])
    assert code == 0 and out.startswith(f"dropped {posts[1]} from the calendar")
    code, out, _ = as_(monkeypatch, team, "mia", capsys, "missed")
    assert out.startswith("no post waits")


def test_refusals_are_one_line_and_a_usage_error_says_where_to_look(team, monkeypatch, capsys):
    code, _, err = as_(monkeypatch, team, "rita", capsys, "freeze")
    assert code == 1 and err.strip() == ("socops: error: rita (responder) may not freeze and unfreeze scheduled "
                                         "publishing: needs schedule.freeze")
    code, _, err = as_(monkeypatch, team, "mia", capsys, "declare", "--severity", "9", "--title", "T",
                       "--reason", "R")
    assert code == 1 and "no crisis level 9; levels: 1 watch, 2 incident, 3 crisis, 4 severe" in err
    with pytest.raises(SystemExit) as stopped:
        as_(monkeypatch, team, "mia", capsys, "step", "level3-1", "maybe")
    assert stopped.value.code == 2 and "usage error: argument state: invalid choice: 'maybe'" in capsys.readouterr().err
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "crisis", "freeze")
    assert code == 1 and "no TOTP code" in err and "set SOCOPS_TOTP" in err
