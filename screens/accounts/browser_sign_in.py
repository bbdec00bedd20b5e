"""Browser sign-in for a new account: show the address to open, wait for the answer.

The sign-in runs as an async worker (:func:`console.accounts.browser_sign_in.sign_in`): it
listens on the loopback address for the browser's redirect, and the operator
may instead paste the address the browser landed on (SSH: the browser is on
another machine). Dismisses with ``(request, credential)`` or ``None``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from console.errors import ConsoleError
from console.accounts import sign_in
from console.untrusted import printable
from screens.accounts.connect_dialog import ConnectRequest
from screens.widgets.prompts import PROMPT_CSS, ErrorLine


class BrowserSignIn(ErrorLine, ModalScreen[tuple[ConnectRequest, str] | None]):
    """Escape cancels; Enter in the field hands over a pasted address."""

    DEFAULT_CSS = "BrowserSignIn {" + PROMPT_CSS + """
        #sign-in-url { height: auto; color: $text-accent; }
    }"""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="sign-in.cancel")]

    def __init__(self, request: ConnectRequest, clock: Callable[[], datetime]) -> None:
        super().__init__()
        self.request = request
        self.clock = clock
        self.url = ""
        self._pasted: asyncio.Future[str] | None = None

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(f"Sign in to {self.request.platform}")
            yield Static(Text("Preparing the sign-in…"), classes="prompt--intro", id="sign-in-intro")
            yield Static(Text(""), id="sign-in-url")
            yield Input(placeholder="paste the address the browser landed on, then Enter", id="sign-in-paste")
            yield Static(Text("Waiting for the browser. Escape cancels."), classes="prompt--hint",
                         id="sign-in-hint")
            yield Static(Text(""), classes="prompt--error -empty")

    def on_mount(self) -> None:
        self._pasted = asyncio.get_running_loop().create_future()
        self.query_one(Input).focus()
        self.run_sign_in()

    def _show_url(self, url: str) -> None:
        self.url = url
        self.query_one("#sign-in-intro", Static).update(Text(
            "Open this address in a browser and allow socops. If the browser is on another machine, "
            "paste back the address it lands on (it starts with http://127.0.0.1)."))
        self.query_one("#sign-in-url", Static).update(Text(url))

    async def _paste(self) -> str:
        assert self._pasted is not None
        return await self._pasted

    @work(exclusive=True, exit_on_error=False)
    async def run_sign_in(self) -> None:
        request = self.request
        try:
            credential = await sign_in(request.platform, server=request.server, client_id=request.client_id,
                                       client_secret=request.client_secret, on_url=self._show_url,
                                       now=self.clock, paste=self._paste)
        except ConsoleError as error:
            self.show_error(f"Sign-in failed: {printable(str(error))}")
            self.query_one("#sign-in-hint", Static).update(Text("Escape closes; press c to try again."))
            return
        except OSError as error:  # the loopback port is taken
            self.show_error(f"Cannot listen for the browser's answer: {error.strerror or error}")
            return
        self.dismiss((request, credential))

    @on(Input.Submitted, "#sign-in-paste")
    def _submitted(self, event: Input.Submitted) -> None:
        value = event.value.strip()
        if not value:
            return
        if self._pasted is not None and not self._pasted.done():
            self._pasted.set_result(value)
            self.query_one("#sign-in-hint", Static).update(Text("Exchanging the code for a token…"))

    def action_cancel(self) -> None:
        self.workers.cancel_all()
        self.dismiss(None)
