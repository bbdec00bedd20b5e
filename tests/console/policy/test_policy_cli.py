"""``socops policy check``: a summary for a good file, FILE:LINE problems and exit 1
for a bad one, --json, a missing file, no login needed; and warnings, at their
lines, about people and roles the workspace lacks."""

from __future__ import annotations

import json

from console.cli.main import main
from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE
from console.paths import workspace_paths

BAD = """\
version = 1
[brand]
required_hashtags = ["two words"]
[[approval.routes]]
name = "eu"
regions = ["EU"]
stages = [{ role = "manager", mode = "most" }]
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_a_good_file_prints_a_summary_and_exits_0(tmp_path, capsys):
    path = tmp_path / "governance.toml"
    path.write_text(EXAMPLE_GOVERNANCE, encoding="utf-8")
    code, out, err = run(capsys, "policy", "check", str(path))
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith(f"{path}: note: no workspace at ")     # a new home: nobody to hold it against
    assert lines[1] == f"{path}: ok, version 1"
    assert "accounts: sandbox:northwind_en (NA, owner none), sandbox:northwind_es (LATAM, owner none), " \
           "sandbox:northwind_ja (APAC, owner none)" in lines
    assert "brand: 5 banned phrases, 3 forbidden hashtags, 0 required hashtags" in lines
    assert "disclosure: 3 rules" in lines
    assert any(line.startswith("regions: NA (0 banned phrases, 1 requirement)") and "EU (" in line
               for line in lines)
    assert any(line.startswith("risk topics: prices (high), health (high)") for line in lines)
    assert "  high risk EU (risk high; regions EU): any manager → all legal" in lines
    assert "  crisis statement (named only): any manager" in lines and "  default: any manager" in lines
    assert "  level 3 crisis: declared by owner, admin, manager; freezes every account; only owner, admin, " \
           "manager reply; 4 runbook steps" in lines
    assert lines[-1] == ("  playbook account-takeover (Account takeover): 4 runbook steps; holding statements "
                         "tagged account-takeover")


def test_a_bad_file_prints_each_problem_as_file_line_message_and_exits_1(tmp_path, capsys):
    path = tmp_path / "governance.toml"
    path.write_text(BAD, encoding="utf-8")
    code, out, err = run(capsys, "policy", "check", str(path))
    assert code == 1
    lines = out.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith(f"{path}:3: [brand] required_hashtags: 'two words' is not a hashtag")
    assert lines[1].startswith(f"{path}:4: the last route (route 'eu') has conditions (regions)")
    assert lines[2].startswith(f"{path}:7: route 'eu' stage 1: mode = 'most' is not valid")
    assert err.strip() == (f"socops: 3 problems in {path}; a running console keeps its last good version "
                           "until they are fixed")


def test_a_syntax_error_is_reported_on_its_line(tmp_path, capsys):
    path = tmp_path / "governance.toml"
    path.write_text("version = 1\n[auth\nidle_minutes = 3\n", encoding="utf-8")
    code, out, _ = run(capsys, "policy", "check", str(path))
    assert code == 1 and out.startswith(f"{path}:2: ") and "fix the TOML syntax" in out


def test_json_output(tmp_path, capsys):
    bad, good = tmp_path / "bad.toml", tmp_path / "good.toml"
    bad.write_text(BAD, encoding="utf-8")
    good.write_text(EXAMPLE_GOVERNANCE, encoding="utf-8")
    code, out, _ = run(capsys, "policy", "check", str(bad), "--json")
    result = json.loads(out)
    assert code == 1 and result["ok"] is False and result["summary"] is None
    assert [p["line"] for p in result["problems"]] == [3, 4, 7]
    assert "is not a hashtag" in result["problems"][0]["message"]
    code, out, _ = run(capsys, "policy", "check", str(good), "--json")
    result = json.loads(out)
    assert code == 0 and result == {"ok": True, "file": str(good), "problems": [], "warnings": [],
                                    "people_not_checked": result["people_not_checked"],
                                    "summary": result["summary"]}
    assert result["people_not_checked"].startswith("no workspace at ")
    summary = result["summary"]
    assert summary["version"] == 1 and summary["banned_phrases"] == 5 and summary["disclosure_rules"] == 3
    assert set(summary["regions"]) == {"NA", "LATAM", "APAC", "EU"}
    assert summary["routes"][0] == {"name": "high risk EU", "stages": "any manager → all legal",
                                    "risk": ["high"], "regions": ["EU"], "accounts": [], "named_only": False}
    assert summary["risk_topics"]["competitors"] == "high"
    crisis = summary["crisis"]
    assert [level["name"] for level in crisis["levels"]] == ["watch", "incident", "crisis", "severe"]
    assert crisis["levels"][1]["freeze"] == "affected" and crisis["approval_route"] == "crisis statement"
    assert [p["id"] for p in crisis["playbooks"]] == ["recall", "outage", "offensive-post", "account-takeover"]


def test_without_a_file_it_checks_the_workspace_file_without_opening_the_store(capsys):
    paths = workspace_paths()
    paths.config_dir.mkdir(parents=True)
    (paths.config_dir / GOVERNANCE_FILE).write_text(BAD, encoding="utf-8")
    code, out, _ = run(capsys, "policy", "check")
    assert code == 1 and out.startswith(f"{paths.config_dir / GOVERNANCE_FILE}:3: ")
    assert not paths.store_dir.exists() and not paths.data_dir.exists()


def test_a_missing_file_is_a_clear_one_line_error(tmp_path, capsys):
    code, out, err = run(capsys, "policy", "check", str(tmp_path / "nope.toml"))
    assert code == 1 and out == ""
    assert err == f"socops: no governance file at {tmp_path / 'nope.toml'}; check the path\n"
    code, _, err = run(capsys, "policy", "check")
    assert code == 1 and "the console writes a commented example on its first run" in err
