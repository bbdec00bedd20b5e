"""The Accounts panel: every account the console syncs, its state, and connecting more.

Listed for users with ``account.view``; connecting, testing and removing need
``account.manage`` and a fresh code, which the account service checks (the
app asks for the code on the spot and runs the action again). The platform
checks a credential before it is kept; a browser sign-in (OAuth 2) runs in an
async worker while :class:`BrowserSignIn` shows the address to open.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from console.accounts import AccountState
from console.permissions import ACCOUNT_MANAGE
from console.untrusted import one_line
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.palette import CommandListProvider
from screens.panel import PanelScreen, actor_may
from screens.accounts.account_list import STATE_LABELS, AccountList
from screens.accounts.browser_sign_in import BrowserSignIn
from screens.accounts.connect_dialog import ConnectDialog, ConnectRequest
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import ConfirmPrompt
from screens.widgets.status_bar import StatusBar


class AccountCommands(CommandListProvider):
    """Offers account commands while the Accounts panel is the active screen."""

    def _commands(self) -> Iterator[tuple]:
        screen = self.screen
        if isinstance(screen, AccountsScreen) and screen.may_manage:
            yield "Accounts: connect…", screen.action_connect, "Bluesky, Mastodon, X, LinkedIn, Facebook, Instagram (c)"
            yield "Accounts: test the credential", screen.action_test, "Ask the platform once (t)"
            yield "Accounts: remove…", screen.action_remove, "Forget the account and its credential (x)"


class AccountsScreen(PanelScreen):
    """Connected accounts with their sync state; connect, test and remove."""

    HELP_TITLE = "Accounts keys"
    COMMANDS = {AccountCommands}

    DEFAULT_CSS = """
    AccountsScreen > #account-list { height: 1fr; }
    AccountsScreen > #account-detail { height: 4; border-top: solid $primary; padding: 0 1; }
    """

    BINDINGS = [
        Binding("c", "connect", "Connect", id="accounts.connect"),
        Binding("t", "test", "Test", id="accounts.test"),
        Binding("x", "remove", "Remove", id="accounts.remove"),
        Binding("g", "refresh", "Refresh", show=False, id="accounts.refresh"),
    ]

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        yield AccountList(id="account-list")
        yield Static(Text(""), id="account-detail")
        yield MessageLine(id="accounts-message")
        yield Footer(compact=True)

    @property
    def account_list(self) -> AccountList:
        return self.query_one(AccountList)

    @property
    def may_manage(self) -> bool:
        return actor_may(self.actor, ACCOUNT_MANAGE)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("connect", "test", "remove"):
            return self.may_manage
        return True

    def on_mount(self) -> None:
        self.app.mode_change_signal.subscribe(self, self._mode_changed)
        self.set_interval(5.0, self._tick)
        self.load()

    def _mode_changed(self, _mode: str) -> None:
        if self.app.screen is self:  # back on this panel: states may have changed meanwhile
            self.load()

    def _tick(self) -> None:
        # The worker's verdicts (needs reconnect, rate limited) arrive through the store.
        if self.app.screen is self:
            self.load(background=True)

    # -- listing -----------------------------------------------------------------------
    def load(self, *, background: bool = False) -> None:
        workspace = self.workspace
        actor = self.app.background_actor if background else self.actor  # type: ignore[attr-defined]
        self.app.call_service(lambda: workspace.account_states(actor), done=self._listed,  # type: ignore[attr-defined]
                              failed=lambda error: self.say(str(error), severity="error"), key="accounts.list")

    def _listed(self, states: list[AccountState]) -> None:
        account_list = self.account_list
        account_list.empty_text = "No accounts. Press c to connect one."
        account_list.set_accounts(states)
        self._show_detail(account_list.cursor_account)
        self.content_shown()

    @on(AccountList.CursorMoved)
    def _cursor_moved(self, event: AccountList.CursorMoved) -> None:
        self._show_detail(event.account)

    def _show_detail(self, account: AccountState | None) -> None:
        detail = self.query_one("#account-detail", Static)
        if account is None:
            detail.update(Text(""))
            return
        ref = account.ref
        text = Text(no_wrap=False)
        text.append(f"{one_line(ref.account_id, 60)}", "bold")
        text.append(f"  {one_line(account.server or 'built into socops', 50)}\n")
        text.append(f"{STATE_LABELS.get(account.state, account.state)}")
        if account.detail:
            text.append(f": {one_line(account.detail, 300)}")
        if not account.connected:
            text.append(" · generated traffic for practice; turn it off in socops.toml")
        detail.update(text)

    def say(self, message: str, *, severity: str = "information") -> None:
        self.query_one(MessageLine).say(message, severity)

    # -- keys --------------------------------------------------------------------------
    def action_refresh(self) -> None:
        self.load()
        self.say("Refreshed")

    def action_connect(self) -> None:
        def chosen(request: ConnectRequest | None) -> None:
            if request is None:
                return
            if request.browser_sign_in:
                self.app.push_screen(BrowserSignIn(request, self.workspace.clock), self._signed_in)
            else:
                self.connect(request, request.credential)

        self.app.push_screen(ConnectDialog(), chosen)

    def _signed_in(self, result: tuple[ConnectRequest, str] | None) -> None:
        if result is None:
            self.say("Sign-in cancelled; nothing was connected.")
            return
        request, credential = result
        self.connect(request, credential)

    def connect(self, request: ConnectRequest, credential: str) -> None:
        """Check the credential with the platform and keep the account (needs a fresh code)."""
        service, actor = self.workspace.platform_accounts, self.actor
        self.say(f"Checking the credential with {request.platform}…")

        def run():
            return asyncio.run(service.connect(
                actor, request.platform, base_url=request.server, identifier=request.identifier,
                credential=credential, region=request.region, timezone=request.timezone, options=request.options))

        def connected(account) -> None:
            self.say(f"Connected {account.ref.account_id}; the worker syncs it from its next pass.")
            self.load()

        self.app.run_with_step_up(run, done=connected,  # type: ignore[attr-defined]
                                  failed=lambda error: self.say(f"Not connected: {error}", severity="error"))

    def _chosen_connected(self) -> AccountState | None:
        account = self.account_list.cursor_account
        if account is None or not account.connected:
            self.say("Choose a connected account; the sandbox's are built in.", severity="warning")
            return None
        return account

    def action_test(self) -> None:
        account = self._chosen_connected()
        if account is None:
            return
        service, actor, account_id = self.workspace.platform_accounts, self.actor, account.ref.account_id
        self.say(f"Asking {account.ref.platform} about {account_id}…")
        self.app.run_with_step_up(lambda: asyncio.run(service.test(actor, account_id)),  # type: ignore[attr-defined]
                                  done=lambda message: self.say(str(message)),
                                  failed=lambda error: self.say(str(error), severity="error"))

    def action_remove(self) -> None:
        account = self._chosen_connected()
        if account is None:
            return
        account_id = account.ref.account_id

        def confirmed(yes: bool | None) -> None:
            if not yes:
                return
            service, actor = self.workspace.platform_accounts, self.actor

            def removed(_result) -> None:
                self.say(f"Removed {account_id}; its items stay in the inbox.")
                self.load()

            self.app.run_with_step_up(lambda: service.remove(actor, account_id), done=removed,  # type: ignore[attr-defined]
                                      failed=lambda error: self.say(str(error), severity="error"))

        self.app.push_screen(ConfirmPrompt(
            f"Remove {account_id}?",
            "The worker stops syncing it and its credential is deleted from the keyring. "
            "Items already in the inbox stay."), confirmed)
