"""``socops post``: a draft goes through the real content checks and approval, from a shell."""

from __future__ import annotations

import json

import pytest

from console.cli.main import main
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401

EN = "sandbox:northwind_en"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(people, cli_clock):
    people.session("ed", "editor")          # added, logged in once, the policy acknowledged
    people.session("mia", "manager")
    return people


def draft(team, monkeypatch, capsys, text: str, *extra: str) -> str:
    act_as(monkeypatch, team, "ed")
    code, out, err = run(capsys, "post", "draft", "--to", EN, "--text", text, "--at", "2026-11-27T09:00+00:00",
                         *extra)
    assert code == 0, err
    return out.split()[1]


def test_draft_submit_approve_by_another_user_then_list_shows_it_approved(team, monkeypatch, capsys):
    post_id = draft(team, monkeypatch, capsys, "Autumn walks start Saturday at the harbour 🍂",
                    "--variant", "sandbox=Autumn walks: Saturday, harbour", "--tag", "walks")

    act_as(monkeypatch, team, "ed")
    code, out, err = run(capsys, "post", "submit", post_id)
    assert code == 0, err
    assert f"submitted {post_id}: route" in out and "stage 1 waits for any manager" in out

    act_as(monkeypatch, team, "ed")
    code, _, err = run(capsys, "post", "approve", post_id)
    assert code == 1 and err.strip() == "socops: error: ed (editor) may not approve or reject posts: needs post.approve"

    act_as(monkeypatch, team, "mia")
    code, out, _ = run(capsys, "post", "list", "--queue")
    assert code == 0 and out.split("\t")[0] == post_id

    act_as(monkeypatch, team, "mia")
    code, out, err = run(capsys, "post", "approve", post_id, "--note", "lovely")
    assert code == 0, err
    assert out.strip() == f"approved {post_id}: now ready to schedule"

    act_as(monkeypatch, team, "ed")
    code, out, _ = run(capsys, "post", "list", "--json")
    rows = [json.loads(line) for line in out.splitlines()]
    assert code == 0 and [(r["id"], r["status"], r["status_label"]) for r in rows] == [
        (post_id, "approved", "ready to schedule")]
    assert rows[0]["variants"] == {"sandbox": "Autumn walks: Saturday, harbour"}
    assert rows[0]["approvals"][0]["by"] == "mia" and rows[0]["approvals"][0]["note"] == "lovely"

    act_as(monkeypatch, team, "mia")
    code, out, _ = run(capsys, "post", "show", post_id)
    assert code == 0
    assert "ready to schedule" in out and "1 done     any manager  approved by mia" in out
    assert "sandbox:northwind_en: 2026-11-27 04:00 EST" in out            # the account's own time zone
    assert "sandbox  " in out and "characters" in out                     # the per-platform counter
    assert "  Autumn walks start Saturday at the harbour 🍂" in out
    assert "approve: stage 1: approved: ready to schedule — lovely" in out


def test_a_refused_submission_prints_each_finding(team, monkeypatch, capsys):
    post_id = draft(team, monkeypatch, capsys, "Email me at ann@example.com")
    act_as(monkeypatch, team, "ed")
    code, out, err = run(capsys, "post", "submit", post_id)
    assert code == 1 and out == ""
    lines = err.strip().splitlines()
    assert lines[0].startswith(f"socops: error: {post_id} breaks")
    assert any(line.startswith("  privacy.") and ' error "ann@example.com": ' in line and " — " in line
               for line in lines[1:]), lines


def test_reject_needs_a_note_and_show_json_has_the_route(team, monkeypatch, capsys):
    post_id = draft(team, monkeypatch, capsys, "Autumn walks start Saturday")
    act_as(monkeypatch, team, "ed")
    assert run(capsys, "post", "submit", post_id)[0] == 0
    with pytest.raises(SystemExit):
        main(["post", "reject", post_id])                                   # --note is required
    act_as(monkeypatch, team, "mia")
    code, out, err = run(capsys, "post", "reject", post_id, "--note", " ")
    assert code == 1 and "needs a note" in err
    act_as(monkeypatch, team, "mia")
    code, out, err = run(capsys, "post", "changes", post_id, "--note", "say where we meet")
    assert code == 0, err
    act_as(monkeypatch, team, "ed")
    code, out, _ = run(capsys, "post", "show", post_id, "--json")
    data = json.loads(out)
    assert data["status"] == "changes_requested" and data["history"][-1]["note"] == "say where we meet"
    assert data["stages"][0]["role"] == "manager" and isinstance(data["counters"], list)


RAW = ("\x1b", "\x07", "\u202e")


def test_hidden_characters_typed_on_the_command_line_are_named_shown_and_block(team, monkeypatch, capsys):
    """`post draft --text` with an escape sequence, BEL and a right-to-left override:
    the findings quote them visibly, submitting is refused, and nothing raw is printed."""
    post_id = draft(team, monkeypatch, capsys, "Autumn \x1b[2Jwalks\x07 start \u202eyadrutaS")
    act_as(monkeypatch, team, "ed")
    code, out, err = run(capsys, "post", "submit", post_id)
    assert code == 1 and not any(ch in err for ch in RAW)
    assert any(line.startswith('  text.control error "␛[2J": a terminal control sequence (␛[2J) at line 1, '
                               "column 8") for line in err.splitlines()), err
    assert '  text.control error "␇": a control character (␇ BEL) at line 1, column 17' in err

    act_as(monkeypatch, team, "mia")
    code, out, _ = run(capsys, "post", "show", post_id)
    assert code == 0 and not any(ch in out for ch in RAW)
    assert "  Autumn ␛[2Jwalks␇ start ⟨U+202E⟩yadrutaS" in out
    assert 'text.bidi warning "⟨U+202E⟩"' in out


def test_draft_output_quotes_hidden_characters_visibly(team, monkeypatch, capsys):
    act_as(monkeypatch, team, "ed")
    code, out, err = run(capsys, "post", "draft", "--to", EN, "--text", "Free\u200bshipping \x07",
                         "--at", "2026-11-27T09:00+00:00")
    assert code == 0, err
    assert not any(ch in out for ch in RAW + ("\u200b",))
    assert 'text.control error "␇"' in out and 'text.invisible warning "⟨U+200B⟩"' in out


def test_an_acknowledged_override_reaches_the_approver_visibly(team, monkeypatch, capsys):
    """What the approver sees is what will be sent: the override is in the stored text and
    on the approver's page, as ⟨U+202E⟩, with the acknowledgement."""
    post_id = draft(team, monkeypatch, capsys, "Prices from \u202e99.01$ this week")
    act_as(monkeypatch, team, "ed")
    code, _, err = run(capsys, "post", "submit", post_id)
    assert code == 1 and "--ack text.bidi" in err
    act_as(monkeypatch, team, "ed")
    code, _, err = run(capsys, "post", "submit", post_id, "--ack", "text.bidi")
    assert code == 0, err
    act_as(monkeypatch, team, "mia")
    code, out, _ = run(capsys, "post", "show", post_id)
    assert "  Prices from ⟨U+202E⟩99.01$ this week" in out and "\u202e" not in out
    assert "acknowledged text.bidi by ed" in out
    act_as(monkeypatch, team, "mia")
    code, out, _ = run(capsys, "post", "show", post_id, "--json")
    assert json.loads(out)["text"] == "Prices from \u202e99.01$ this week"    # exact, escaped for the terminal
    assert "\u202e" not in out
