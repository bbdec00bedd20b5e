"""``socops serve``: what it refuses and says before it serves anything, and what it
serves. The server itself is replaced by a recorder here; the real one is driven
by a browser in test_serve_browser.py."""

from __future__ import annotations

import os
import shlex
import socket
import sys

import pytest

from console.cli import serve_command
from console.cli.main import build_parser, main
from console.paths import workspace_paths
from console.workspace import Workspace


def run(capsys, *argv):
    try:
        code = main(list(argv))
    except SystemExit as stopped:     # argparse's usage errors
        code = stopped.code
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def served(monkeypatch) -> list[dict]:
    """What would have been served (the real server is not started)."""
    calls: list[dict] = []

    def record(command, host, port, public_url, *, title):
        calls.append({"command": command, "host": host, "port": port, "public_url": public_url, "title": title})

    monkeypatch.setattr(serve_command, "_serve", record)
    return calls


@pytest.fixture
def owner() -> None:
    with Workspace.open(workspace_paths()) as workspace:
        workspace.users.bootstrap_owner("olivia", "Olivia Owner")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_it_listens_on_loopback_port_8000_unless_told_otherwise():
    args = build_parser().parse_args(["serve"])
    assert (args.host, args.port, args.wallboard, args.public_url) == ("127.0.0.1", 8000, False, None)


def test_each_browser_session_runs_its_own_console_on_loopback_without_a_warning(capsys, served, owner):
    port = free_port()
    code, out, err = run(capsys, "serve", "--port", str(port))
    assert code == 0 and err == ""
    assert served == [{"command": served[0]["command"], "host": "127.0.0.1", "port": port,
                       "public_url": f"http://127.0.0.1:{port}", "title": "socops console"}]
    # The command every browser session runs: this Python's console, which starts on the login screen.
    assert shlex.split(served[0]["command"]) == [sys.executable, "-m", "console.cli.main"]
    assert f"serving the console on http://127.0.0.1:{port}" in out


def test_the_wallboard_is_served_as_its_own_command(capsys, served, owner):
    code, out, _ = run(capsys, "serve", "--wallboard", "--port", str(free_port()))
    assert code == 0 and "serving the wallboard" in out
    assert shlex.split(served[0]["command"]) == [sys.executable, "-m", "console.cli.main", "wallboard"]
    assert served[0]["title"] == "socops wallboard"


OPERATOR_ONLY = ("SOCOPS_USER", "SOCOPS_TOTP", "SOCOPS_PASSPHRASE", "SOCOPS_ACCOUNT_SECRET")


def test_a_browser_session_does_not_inherit_the_code_or_secrets_of_whoever_started_the_server(
        capsys, owner, monkeypatch):
    for variable in OPERATOR_ONLY:
        monkeypatch.setenv(variable, "set-by-the-operator")
    inherited = []
    # The sessions' processes get the server's environment when it serves.
    monkeypatch.setattr(serve_command, "_serve", lambda *args, **kwargs: inherited.extend(
        variable for variable in OPERATOR_ONLY if variable in os.environ))
    assert run(capsys, "serve", "--port", str(free_port()))[0] == 0
    assert inherited == []


def test_a_host_that_is_not_loopback_is_served_with_a_warning_about_tls(capsys, served, owner):
    code, _, err = run(capsys, "serve", "--host", "0.0.0.0", "--port", str(free_port()))
    assert code == 0 and served[0]["host"] == "0.0.0.0"
    assert "warning: --host 0.0.0.0 is not loopback" in err
    assert "TLS reverse proxy" in err and "--public-url" in err


def test_behind_a_proxy_the_page_points_browsers_at_the_public_address(capsys, served, owner):
    code, out, err = run(capsys, "serve", "--port", str(free_port()),
                         "--public-url", "https://console.example.com/")
    assert code == 0 and err == ""
    assert served[0]["public_url"] == "https://console.example.com"
    assert "serving the console on https://console.example.com" in out


def test_a_workspace_with_no_user_is_not_served(capsys, served):
    """Else the first browser to open the page would create the owner."""
    code, _, err = run(capsys, "serve", "--port", str(free_port()))
    assert code == 1 and served == []
    assert "no console user yet" in err and "socops user add NAME --role owner" in err


def test_a_port_in_use_is_said_plainly(capsys, served, owner):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = run(capsys, "serve", "--port", str(port))
    assert code == 1 and served == []
    assert err == (f"socops: port {port} is in use on 127.0.0.1: stop what listens on 127.0.0.1:{port}, "
                   "or choose another port with --port\n")


@pytest.mark.parametrize("argv, code, message", [
    (["--host", "no-such-host.invalid"], 2, "usage error: --host 'no-such-host.invalid' is not an address"),
    (["--host", ""], 2, "usage error: --host is empty"),
    # an address of the documentation range, which no machine here has
    (["--host", "192.0.2.1"], 1, "cannot listen on 192.0.2.1: it is not an address of this machine"),
    (["--port", "0"], 2, "0 is not a port: give a number from 1 to 65535"),
    (["--port", "eighty"], 2, "'eighty' is not a port number"),
    (["--public-url", "console.example.com"], 2, "--public-url 'console.example.com' is not a web address"),
])
def test_a_bad_host_port_or_address_is_refused_in_one_line(capsys, served, owner, argv, code, message):
    result, _, err = run(capsys, "serve", *argv)
    assert result == code and served == []
    assert message in err and err.count("\n") == 1
