"""``socops publishing hold | release | holds``: stopping publishing, with a
fresh code, audited; held posts stay scheduled and show as held."""

from __future__ import annotations

from tests.console.publishing.cli_fixtures import JA, approved, as_user, audit, publish_due, run
from tests.console.publishing.cli_fixtures import cli_clock, memory_keyring, people, team  # noqa: F401

JA_TEXT = "Winter boots are back #ノースウィンド"


def test_hold_and_release_need_a_fresh_code_and_are_listed_in_force_first(workspace, team, monkeypatch, capsys):
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "publishing", "hold", "--reason", "recall")
    assert code == 1 and "needs schedule.freeze" in err
    monkeypatch.setenv("SOCOPS_USER", "olivia")
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "publishing", "hold", "--reason", "recall")
    assert code == 1 and "set SOCOPS_TOTP" in err

    code, out, err = as_user(monkeypatch, team, "olivia", capsys, "publishing", "hold", "--region", "APAC",
                             "--reason", "product recall under way")
    assert code == 0, err
    first = out.split()[3].rstrip(":")
    assert out.splitlines() == [f"held publishing as {first}: region APAC: product recall under way (by olivia)",
                                f"nothing in its scope goes out until `socops publishing release {first}`"]
    code, _, err = as_user(monkeypatch, team, "olivia", capsys, "publishing", "hold", "--account", "x:nope",
                           "--reason", "why")
    assert code == 1 and "no account 'x:nope'" in err
    post_id = approved(workspace, team, JA_TEXT, targets=(JA,))
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "post", "schedule", post_id, "--at", "2026-11-26 19:00")
    assert code == 0, err
    team.clock.advance(hours=1, minutes=5)
    assert publish_due(workspace).held == 1                           # stays scheduled, shown held
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--zone", "account")
    assert f"Thu 2026-11-26 19:00 JST  H held             {post_id}  @northwind_jp" in out

    code, out, err = as_user(monkeypatch, team, "olivia", capsys, "publishing", "hold", "--reason", "everything")
    second = out.split()[3].rstrip(":")
    code, out, err = as_user(monkeypatch, team, "olivia", capsys, "publishing", "release", first, "--note", "done")
    assert code == 0 and out.startswith(f"released {first} (region APAC: product recall under way (by olivia))")
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "publishing", "holds")
    rows = [line.split("\t") for line in out.splitlines()]
    assert [r[0] for r in rows] == [second, first] and rows[0][1] == "in force"
    assert rows[1][1].startswith("released by olivia at 2026-11-26T10:")
    assert [a[1] for a in audit(workspace) if a[2].startswith("hold/")] == [
        "publishing.hold", "publishing.hold", "publishing.release"]
