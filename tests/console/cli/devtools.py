"""A headless Chromium driven over the Chrome DevTools Protocol, for the browser test.

Why this and not selenium: the protocol is one websocket of JSON messages, and
aiohttp (which textual-serve already brings) speaks websockets, so the test needs
Debian's ``chromium`` and nothing else: no chromedriver whose version must match
the browser, no driver manager that might try to download one.

The terminal in the page is xterm.js drawing on a canvas (WebGL), so its text is
not in the page's HTML. textual-serve's script keeps its xterm ``Terminal`` in a
``terminal`` property; a script that runs before the page's own catches that
assignment, so the test reads the screen the way xterm holds it (its buffer).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp

#: Runs in the page before its scripts: keeps every xterm Terminal textual-serve makes.
CATCH_TERMINALS = """
window.__socopsTerminals = [];
Object.defineProperty(Object.prototype, "terminal", {
  configurable: true,
  set(value) {
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true, enumerable: true});
    window.__socopsTerminals.push(value);
  },
});
"""

#: The visible rows of the page's terminal, as text ("" before it exists).
READ_SCREEN = """(() => {
  const terminal = window.__socopsTerminals && window.__socopsTerminals[0];
  if (!terminal) return "";
  const buffer = terminal.buffer.active, rows = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(buffer.viewportY + y);
    rows.push(line ? line.translateToString(true) : "");
  }
  return rows.join("\\n");
})()"""


def find_chromium() -> str | None:
    """Debian's Chromium (``apt-get install chromium``), if this machine has it."""
    for name in ("chromium", "chromium-browser"):
        found = shutil.which(name)
        if found:
            return found
    return None


class DevToolsError(Exception):
    pass


class Page:
    """One browser tab: send a command, get its result; events are kept in ``events``."""

    def __init__(self, socket: aiohttp.ClientWebSocketResponse) -> None:
        self.socket = socket
        self.events: list[dict] = []
        self._last_id = 0

    async def call(self, method: str, **params) -> dict:
        self._last_id += 1
        sent = self._last_id
        await self.socket.send_json({"id": sent, "method": method, "params": params})
        while True:
            message = await self.socket.receive_json()
            if message.get("id") == sent:
                if "error" in message:
                    raise DevToolsError(f"{method}: {message['error']}")
                return message["result"]
            if "method" in message:
                self.events.append(message)

    async def evaluate(self, expression: str):
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        if "exceptionDetails" in result:
            raise DevToolsError(f"{expression[:60]}: {result['exceptionDetails']}")
        return result["result"].get("value")

    async def screen_text(self) -> str:
        return await self.evaluate(READ_SCREEN) or ""

    async def wait_for_screen(self, wanted, *, timeout: float) -> str:
        """Read the terminal until ``wanted(text)`` holds; the last text read either way."""
        deadline = asyncio.get_running_loop().time() + timeout
        text = await self.screen_text()
        while not wanted(text) and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.25)
            text = await self.screen_text()
        return text

    async def type_text(self, text: str) -> None:
        """Type as a keyboard would into what has focus (xterm's hidden text field)."""
        await self.call("Input.insertText", text=text)

    async def press(self, key: str) -> None:
        codes = {"Enter": (13, "\r"), "Tab": (9, "\t")}
        virtual, text = codes[key]
        await self.call("Input.dispatchKeyEvent", type="keyDown", key=key, code=key,
                        windowsVirtualKeyCode=virtual, text=text)
        await self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=key, windowsVirtualKeyCode=virtual)

    async def screenshot(self, path: Path) -> None:
        shot = await self.call("Page.captureScreenshot", format="png")
        path.write_bytes(base64.b64decode(shot["data"]))


@contextlib.asynccontextmanager
async def headless_chromium(executable: str, *, width: int = 1100, height: int = 700) -> AsyncIterator[Page]:
    """A headless Chromium with a throw-away profile, and its first tab; stopped at the end."""
    with tempfile.TemporaryDirectory(prefix="socops-chromium-") as profile:
        # Its messages go to a file: a pipe nobody reads once it started would fill and stall it.
        log_path = Path(profile) / "chromium.log"
        log = log_path.open("w")
        browser = subprocess.Popen(
            [executable, "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--no-first-run",
             "--no-default-browser-check", "--disable-background-networking", "--disable-extensions",
             "--remote-debugging-port=0", f"--user-data-dir={profile}", f"--window-size={width},{height}",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=log, start_new_session=True)
        try:
            port = await _devtools_port(browser, log_path)
            async with aiohttp.ClientSession() as http:
                async with http.get(f"http://127.0.0.1:{port}/json/list") as answer:
                    targets = await answer.json()
                tab = next(target for target in targets if target["type"] == "page")
                async with http.ws_connect(tab["webSocketDebuggerUrl"], max_msg_size=0) as socket:
                    yield Page(socket)
        finally:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(browser.pid, 15)
            try:
                browser.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(browser.pid, 9)
                browser.wait()
            log.close()


async def _devtools_port(browser: subprocess.Popen, log_path: Path, timeout: float = 60) -> int:
    """The port Chromium chose, from the line it prints on start ("DevTools listening on ws://...")."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        text = log_path.read_text(errors="replace")
        found = re.search(r"DevTools listening on ws://[^:/]+:(\d+)/", text)
        if found:
            return int(found.group(1))
        if browser.poll() is not None or asyncio.get_running_loop().time() > deadline:
            state = "stopped" if browser.poll() is not None else f"did not start in {timeout:.0f} s"
            raise DevToolsError(f"Chromium {state} before it listened for DevTools; it said:\n"
                                + "\n".join(text.splitlines()[-20:]))
        await asyncio.sleep(0.1)
