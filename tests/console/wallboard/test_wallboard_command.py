"""``socops wallboard``: its options reach the app, and a rotation too short to read is refused."""

from __future__ import annotations

from console.cli import main as cli


def test_the_options_reach_the_board(monkeypatch):
    started = []
    monkeypatch.setattr(cli, "run_wallboard", lambda rotate, theme: started.append((rotate, theme)))
    assert cli.main(["wallboard", "--rotate", "8", "--theme", "high-contrast"]) == 0
    assert cli.main(["wallboard"]) == 0
    assert cli.main(["wallboard", "--rotate", "0"]) == 0
    assert started == [(8.0, "high-contrast"), (None, None), (0.0, None)]


def test_a_rotation_too_short_to_read_is_refused(monkeypatch, capsys):
    monkeypatch.setattr(cli, "run_wallboard", lambda rotate, theme: None)
    assert cli.main(["wallboard", "--rotate", "1"]) == 2
    assert "--rotate 1 is too short to read across a room; give at least 3 seconds" in capsys.readouterr().err
