"""``socops library``: add, list, approve, retire and show as logged-in users;
output that is safe for a terminal; usage errors exit 2."""

from __future__ import annotations

import json

import pytest

from console.cli.main import main
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401
from tests.console.library_images import jpeg

FIXTURES = (cli_clock, memory_keyring, people)     # pytest finds them by name in this module

HOSTILE_TITLE = "\x1b]0;pwned\x07[bold]Sale[/bold] \x1b[2J\x9b31mnow"


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def team(people, cli_clock):
    """mia (manager) and eddie (editor), enrolled and past the policy acknowledgement."""
    people.session("mia", "manager")
    people.session("eddie", "editor")
    people.session("vic", "viewer")
    return people


def as_user(monkeypatch, team, username, capsys, *argv):
    act_as(monkeypatch, team, username)
    return run(capsys, "library", *argv)


def added_id(out: str) -> str:
    assert out.startswith("added ") and out.rstrip().endswith("pending approval by someone other than you")
    return out.split()[1]


def test_add_approve_list_show_retire(team, monkeypatch, capsys, tmp_path):
    photo = tmp_path / "shop.png"
    photo.write_bytes(jpeg(800, 600))
    code, out, err = as_user(monkeypatch, team, "eddie", capsys, "add", "image", "--title", "Shop front",
                             "--file", str(photo), "--alt", "Our shop on Main Street", "--tag", "brand")
    assert code == 0, err
    image_id = added_id(out)
    assert image_id.startswith("img-")
    code, out, err = as_user(monkeypatch, team, "eddie", capsys, "add", "saved-reply", "--title", "Thanks",
                             "--text", "Thanks for writing, we will look into it.", "--expires", "2027-01-01")
    assert code == 0, err
    reply_id = added_id(out)

    code, _, err = as_user(monkeypatch, team, "eddie", capsys, "approve", reply_id)
    assert code == 1 and "needs post.approve" in err and len(err.strip().splitlines()) == 1
    code, out, err = as_user(monkeypatch, team, "mia", capsys, "approve", reply_id)
    assert code == 0, err
    assert out.strip() == f"approved {reply_id} (saved reply 'Thanks'): usable until 2027-01-01"

    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "list")
    rows = [line.split("\t") for line in out.splitlines()]
    assert rows == [
        [reply_id, "saved-reply", "approved", "eddie", "2027-01-01", "-", "Thanks"],
        [image_id, "image", "pending", "eddie", "-", "brand", "Shop front"],
    ]
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "list", "--usable", "--json")
    listed = [json.loads(line) for line in out.splitlines()]
    assert [(a["id"], a["kind"], a["status"], a["usable"]) for a in listed] == \
        [(reply_id, "saved_reply", "approved", True)]
    assert listed[0]["approved_by"] == "mia" and listed[0]["expires_at"] == "2027-01-01T00:00:00+00:00"

    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "show", image_id, "--json")
    shown = json.loads(out)
    assert (shown["mime_type"], shown["width"], shown["height"]) == ("image/jpeg", 800, 600)
    assert shown["alt_text"] == "Our shop on Main Street" and shown["file_path"].endswith(".jpg")
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "show", image_id)
    assert code == 0 and "state       pending (not usable)" in out and "alt text    Our shop" in out

    code, out, err = as_user(monkeypatch, team, "mia", capsys, "retire", reply_id, "--reason", "new tone")
    assert code == 0 and out.strip() == f"retired {reply_id} (saved reply 'Thanks')"
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "list", "--state", "retired")
    assert [line.split("\t")[0] for line in out.splitlines()] == [reply_id]
    team.workspace.store.refresh()
    events = [(e["actor"], e["action"]) for e in team.workspace.audit.events() if e["action"].startswith("library")]
    assert events == [("eddie", "library.add"), ("eddie", "library.add"), ("mia", "library.approve"),
                      ("mia", "library.retire")]


def test_self_approval_and_a_viewer_are_refused(team, monkeypatch, capsys):
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "add", "snippet", "--title", "t", "--text", "x")
    snippet = added_id(out)
    code, _, err = as_user(monkeypatch, team, "mia", capsys, "approve", snippet)
    assert code == 1 and "someone else must approve it" in err
    code, _, err = as_user(monkeypatch, team, "vic", capsys, "list")
    assert code == 1 and "needs post.draft or inbox.reply" in err


def test_hostile_text_is_printed_without_control_sequences(team, monkeypatch, capsys, tmp_path):
    body = tmp_path / "statement.txt"
    body.write_text("We are aware.\x1b[31m [link=http://evil]click[/link]\nMore soon.", encoding="utf-8")
    code, out, err = as_user(monkeypatch, team, "eddie", capsys, "add", "holding-statement",
                             "--title", HOSTILE_TITLE, "--text-file", str(body), "--tag", "[bold]x")
    assert code == 0, err
    assert "\x1b" not in out and "[bold]Sale[/bold]" in out
    asset_id = added_id(out)
    team.workspace.store.refresh()
    stored = team.workspace.library.get(asset_id)
    assert stored.title == HOSTILE_TITLE and "\x1b[31m" in stored.text          # kept exactly

    for argv in (("list",), ("show", asset_id), ("list", "--json"), ("show", asset_id, "--json")):
        code, out, _ = as_user(monkeypatch, team, "mia", capsys, *argv)
        assert code == 0
        assert not any(c in out for c in "\x1b\x07\x9b"), argv
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "show", asset_id)
    assert "[bold]Sale[/bold]" in out and "[link=http://evil]click[/link]\nMore soon." in out
    assert "We are aware.␛[31m [link" in out                # the text under review shows its controls
    code, out, _ = as_user(monkeypatch, team, "mia", capsys, "show", asset_id, "--json")
    assert json.loads(out)["title"] == HOSTILE_TITLE                          # exact, once parsed


@pytest.mark.parametrize("argv, message", [
    (("add", "image", "--title", "t", "--text", "x"), "--file PATH --alt TEXT"),
    (("add", "image", "--title", "t", "--file", "a.png"), "needs --alt"),
    (("add", "snippet", "--title", "t", "--text", "x", "--alt", "a"), "not --file/--alt"),
    (("add", "snippet", "--title", "t", "--text", "x", "--expires", "soon"), "YYYY-MM-DD"),
    (("approve", "snp-1", "--expires", "31/12/2026"), "YYYY-MM-DD"),
])
def test_usage_errors_exit_2_before_anyone_logs_in(team, monkeypatch, capsys, argv, message):
    monkeypatch.delenv("SOCOPS_TOTP", raising=False)
    code, _, err = run(capsys, "library", *argv)
    assert code == 2 and message in err and len(err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [
    ("add", "poster", "--title", "t", "--text", "x"),
    ("add", "snippet", "--text", "x"),
    ("add", "snippet", "--title", "t", "--text", "x", "--text-file", "f"),
    ("list", "--state", "live"),
])
def test_argument_errors_exit_2(capsys, argv):
    with pytest.raises(SystemExit) as usage:
        main(["library", *argv])
    assert usage.value.code == 2 and "usage error" in capsys.readouterr().err


def test_a_file_that_is_not_an_image_fails_with_one_line(team, monkeypatch, capsys, tmp_path):
    fake = tmp_path / "fake.png"
    fake.write_text("not an image", encoding="utf-8")
    code, _, err = as_user(monkeypatch, team, "eddie", capsys, "add", "image", "--title", "t",
                           "--file", str(fake), "--alt", "a")
    assert code == 1 and "is not a PNG, JPEG, GIF or WEBP image" in err and len(err.strip().splitlines()) == 1
    code, _, err = as_user(monkeypatch, team, "mia", capsys, "show", "img-nothere")
    assert code == 1 and "no library asset 'img-nothere'" in err
