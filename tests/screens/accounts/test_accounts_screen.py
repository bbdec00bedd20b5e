"""The Accounts panel: every account and its state; connect, test and remove through the dialog."""

from __future__ import annotations

import asyncio

import pytest

from integrations.base import AuthError, InboundPage, PlatformAdapter
from screens.accounts.screen import AccountsScreen
from screens.parsing import PromptError
from screens.accounts.connect_dialog import ConnectDialog, build_request
from screens.widgets.prompts import ConfirmPrompt
from console.accounts import PLATFORMS
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, form_error, session_app


class FakeAdapter(PlatformAdapter):
    def __init__(self, account, credential, refuse):
        super().__init__(account)
        self.platform = account.platform
        self.refuse = refuse

    async def fetch_inbound(self, cursor, limit=100):
        if self.refuse:
            raise AuthError("Invalid identifier or password", platform=self.platform)
        return InboundPage([], cursor)

    async def send_reply(self, item, text, *, idempotency_key):
        raise NotImplementedError


@pytest.fixture
def platform(workspace, memory_keyring):
    state = {"refuse": False, "credentials": []}

    def factory(account, credential, clock, save):
        state["credentials"].append(credential)
        return FakeAdapter(account.ref, credential, state["refuse"])

    workspace.platform_accounts.adapter_factory = factory
    return state


async def _open_accounts(pilot) -> AccountsScreen:
    await pilot.press("8")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AccountsScreen)
    return pilot.app.screen


def test_connect_through_the_dialog_then_remove(workspace, people, platform):
    session = people.owner()

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = await _open_accounts(pilot)
            assert [a.state for a in screen.account_list.accounts] == ["sandbox"] * 3
            assert "built-in sandbox" in screen_render(app)[0]
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, ConnectDialog)
            await fill(pilot, "#connect-identifier", "brand.example")
            await pilot.press("enter")
            await settle(pilot)
            assert "Paste the app password" in form_error(app)
            await fill(pilot, "#connect-region", "eu")
            await fill(pilot, "#connect-timezone", "Europe/Madrid")
            await fill(pilot, "#connect-credential", "abcd-efgh-ijkl-mnop")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AccountsScreen)
            (account,) = workspace.platform_accounts.connected()
            assert account.ref.account_id == "bluesky:brand.example" and account.ref.region == "EU"
            assert account.ref.timezone == "Europe/Madrid" and account.base_url == "https://bsky.social"
            assert platform["credentials"] == ["abcd-efgh-ijkl-mnop"]
            assert workspace.secrets.get("account:bluesky:brand.example") == "abcd-efgh-ijkl-mnop"
            assert "abcd-efgh" not in screen_render(app)[0]
            assert "Connected bluesky:brand.example" in screen_render(app)[0]
            assert [a.ref.account_id for a in screen.account_list.accounts][-1] == "bluesky:brand.example"

            await pilot.press("end")
            await pilot.press("x")
            await settle(pilot)
            assert isinstance(app.screen, ConfirmPrompt)
            await pilot.press("y")
            await settle(pilot)
            assert workspace.platform_accounts.connected() == []
            assert workspace.secrets.get("account:bluesky:brand.example") is None
            actions = [e["action"] for e in workspace.audit.events()]
            assert actions[-2:] == ["account.connect", "account.remove"]

    asyncio.run(main())


def test_a_refused_credential_is_said_and_nothing_is_kept(workspace, people, platform):
    session = people.owner()
    platform["refuse"] = True

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await _open_accounts(pilot)
            await pilot.press("c")
            await settle(pilot)
            await fill(pilot, "#connect-identifier", "brand.example")
            await fill(pilot, "#connect-credential", "wrong-password")
            await pilot.press("enter")
            await settle(pilot)
            assert "Not connected" in screen_render(app)[0]
            assert workspace.platform_accounts.connected() == []
            assert workspace.secrets.get("account:bluesky:brand.example") is None

    asyncio.run(main())


def test_an_account_that_needs_reconnecting_is_marked(workspace, people, platform):
    session = people.owner()
    asyncio.run(workspace.platform_accounts.connect(session, "bluesky", identifier="brand.example",
                                                    credential="app-password"))
    workspace.store.update("sync", "bluesky:brand.example",
                           {"state": "needs-reconnect", "detail": "Bluesky rejected a fresh session"},
                           expected_version=None, actor="worker")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = await _open_accounts(pilot)
            await pilot.press("end")
            await settle(pilot)
            text = screen_render(app)[0]
            assert "needs reconnect" in text and "Bluesky rejected a fresh session" in text
            assert screen.account_list.cursor_account.state == "needs-reconnect"

    asyncio.run(main())


def test_a_viewer_sees_the_accounts_but_no_connect_key(workspace, people, platform):
    session = people.session("vic", "viewer")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await _open_accounts(pilot)
            await pilot.press("c")
            await settle(pilot)
            assert isinstance(app.screen, AccountsScreen)  # no dialog
            assert "Connect" not in screen_render(app)[0].splitlines()[-1]

    asyncio.run(main())


@pytest.mark.parametrize("platform_name, values, browser, message", [
    ("mastodon", {"identifier": "brand", "credential": "t"}, False, "server address"),
    ("mastodon", {"identifier": "brand", "server": "mastodon.social", "credential": "t"}, False, "https://"),
    ("instagram", {"identifier": "1784", "credential": "t"}, False, "page id"),
    ("x", {"identifier": "northwind"}, True, "client id"),
    ("linkedin", {"identifier": "2414183", "client_id": "abc"}, True, "client secret"),
    ("bluesky", {"identifier": "b.test", "credential": "t", "timezone": "Mars/Olympus"}, False, "not a time zone"),
])
def test_the_dialog_names_what_is_missing(platform_name, values, browser, message):
    with pytest.raises(PromptError, match=message):
        build_request(PLATFORMS[platform_name], values, browser)


def test_the_dialog_builds_a_request_with_platform_defaults():
    request = build_request(PLATFORMS["instagram"], {"identifier": "@17841400000000000", "page_id": "5463",
                                                      "credential": " tok ", "region": "latam"}, False)
    assert request.identifier == "17841400000000000" and request.options == {"page_id": "5463"}
    assert request.credential == "tok" and request.region == "LATAM" and request.timezone == "UTC"
    browser = build_request(PLATFORMS["mastodon"], {"identifier": "brand", "server": "https://m.example"}, True)
    assert browser.browser_sign_in and browser.credential == ""


def _connected_needing_reconnect(workspace, session):
    asyncio.run(workspace.platform_accounts.connect(session, "mastodon", base_url="https://mastodon.example",
                                                    identifier="northwind", credential="token", region="EU",
                                                    timezone="Europe/Madrid"))
    workspace.store.update("sync", "mastodon:northwind",
                           {"state": "needs-reconnect", "detail": "mastodon GET /api/v1/notifications: HTTP 401"},
                           expected_version=None, actor="worker")


def test_accounts_panel_80x24(workspace, people, platform, snap_compare):
    session = people.owner()
    _connected_needing_reconnect(workspace, session)

    async def ready(pilot):
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("end")
        await settle(pilot)

    assert snap_compare(session_app(workspace, session), terminal_size=(80, 24), run_before=ready)


def test_connect_dialog_80x24(workspace, people, platform, snap_compare):
    session = people.owner()

    async def ready(pilot):
        await settle(pilot)
        await pilot.press("8")
        await settle(pilot)
        await pilot.press("c")
        await settle(pilot)

    assert snap_compare(session_app(workspace, session), terminal_size=(80, 24), run_before=ready)
