"""``socops serve`` in a real browser: headless Chromium (Debian's package) loads the
page, the login screen appears, the owner types their name and a code, and the
inbox shows; the page loaded again is a new session, at the login screen. Skips, saying why, when Chromium is not installed (``.ci/run``
installs it where it can).

The served console is a process of its own on the test's SOCOPS_HOME. The keyring
is keyring's "fail" backend there too (tests/conftest.py sets it for every process
a test starts), so this sandbox workspace keeps the owner's TOTP seed in its own
secrets file, where the served console finds it.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import httpx
import pytest

from console.identity import code_at, totp_entry
from console.paths import workspace_paths
from console.workspace import Workspace
from tests.console.cli.devtools import CATCH_TERMINALS, find_chromium, headless_chromium

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = find_chromium()

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian: `apt-get install "
                                                "chromium`; .ci/run installs it when it runs as root with apt)"),
]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def enrol_owner(name: str = "olivia") -> str:
    """Create the workspace's owner, as `socops user add NAME --role owner` does: their TOTP seed."""
    with Workspace.open(workspace_paths()) as workspace:
        workspace.users.bootstrap_owner(name, "Olivia Owner")
        return workspace.secrets.get(totp_entry(name))


@contextlib.contextmanager
def serving(port: int, log: Path):
    """`socops serve --port PORT` until the block ends, then stopped as Ctrl+C would."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    with log.open("w") as output:
        server = subprocess.Popen([sys.executable, "-m", "console.cli.main", "serve", "--port", str(port)],
                                  cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=output,
                                  stderr=subprocess.STDOUT, start_new_session=True)
        try:
            yield server
        finally:
            if server.poll() is None:
                server.send_signal(signal.SIGINT)
                try:
                    server.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
            # Whatever it started (a console per browser session) is in its process group.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)


def wait_until_serving(server: subprocess.Popen, url: str, log: Path, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert server.poll() is None, f"socops serve stopped (exit {server.returncode}):\n{log.read_text()}"
        with contextlib.suppress(httpx.TransportError):
            if httpx.get(url, timeout=5).status_code == 200:
                return
        time.sleep(0.2)
    raise AssertionError(f"socops serve did not answer on {url} in {timeout:.0f} s:\n{log.read_text()}")


def process_group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_browser_loads_the_console_logs_in_with_a_code_and_sees_the_inbox(tmp_path):
    seed = enrol_owner("olivia")
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log = tmp_path / "serve.log"
    with serving(port, log) as server:
        wait_until_serving(server, url + "/", log)
        screens = asyncio.run(log_in_through_the_browser(url, seed, tmp_path))
        server.send_signal(signal.SIGINT)
        assert server.wait(timeout=30) == 0, log.read_text()
        # Stopping the server ended the browser's console too.
        deadline = time.monotonic() + 20
        while process_group_alive(server.pid) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert not process_group_alive(server.pid), "a served console outlived `socops serve`"

    login, inbox, requested = screens
    assert "Log in" in login and "User name" in login and "Code" in login
    assert "Log in" not in inbox
    assert "olivia owner" in inbox                      # the status bar: who is logged in
    header = next((row for row in inbox.splitlines() if "Account" in row and "Author" in row), "")
    assert "Message" in header, inbox                   # the inbox's list
    # The page and everything it loads come from the server: no font CDN, nothing downloaded.
    assert requested and all(address.startswith(url) for address in requested), requested


async def log_in_through_the_browser(url: str, seed: str, tmp_path: Path) -> tuple[str, str, list[str]]:
    """The login screen's text, the screen after logging in, and every address the page requested."""
    async with headless_chromium(CHROMIUM) as page:
        try:
            await page.call("Page.enable")
            await page.call("Network.enable")
            await page.call("Page.addScriptToEvaluateOnNewDocument", source=CATCH_TERMINALS)
            await page.call("Page.navigate", url=url + "/")
            login = await page.wait_for_screen(lambda text: "Log in" in text and "Code" in text, timeout=90)
            assert "Log in" in login, f"the login screen did not appear; the page's terminal shows:\n{login}"
            await page.evaluate("window.__socopsTerminals[0].focus()")
            await page.type_text("olivia")
            await page.press("Tab")
            await page.type_text(code_at(seed, datetime.now(timezone.utc)))
            await page.press("Enter")
            inbox = await page.wait_for_screen(lambda text: "olivia owner" in text, timeout=90)
            requested = [event["params"]["request"]["url"] for event in page.events
                         if event["method"] == "Network.requestWillBeSent"]
            # A new browser session (the page loaded again) is a new console: it shares no login.
            await page.call("Page.navigate", url=url + "/")
            again = await page.wait_for_screen(lambda text: "Log in" in text and "Code" in text, timeout=90)
            assert "Log in" in again and "olivia owner" not in again, again
            return login, inbox, requested
        finally:
            # What the browser showed, to look at when this fails; a page that broke may not give one.
            with contextlib.suppress(Exception):
                await page.screenshot(tmp_path / "browser.png")
