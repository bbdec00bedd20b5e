"""Keys typed ahead (a burst, as over a slow SSH link) land where the focus is
after each key before them: after a Tab, an Enter that moves on, a prompt that
opens. Digits typed into a field are text and never switch panels."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from screens.compose.screen import ComposeScreen
from screens.inbox.screen import InboxScreen
from screens.login.screen import LoginScreen
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.compose.compose_data import compose_app, open_compose, prepare
from tests.screens.helpers import quiet_app, settle, type_ahead
from tests.screens.session_helpers import login_app


def run(coroutine) -> None:
    asyncio.run(coroutine)


def value(app, selector: str) -> str:
    return app.screen.query_one(selector, Input).value


@pytest.fixture
def ready(workspace, memory_keyring):
    prepare(workspace)
    return workspace


def test_login_name_tab_code_in_one_burst_fills_both_fields(workspace, people):
    people.session("bob", "responder")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            app.screen.query_one("#login-user", Input).value = ""
            app.screen.query_one("#login-user", Input).focus()
            await settle(pilot)
            type_ahead(pilot, *"nosuchuser", "tab", *"123456")
            await settle(pilot)
            assert value(app, "#login-user") == "nosuchuser"
            assert value(app, "#login-code") == "123456"

    run(main())


def test_login_enter_moves_on_to_the_code_before_the_next_keys(workspace, people):
    people.session("bob", "responder")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.screen.query_one("#login-user", Input).value = ""
            app.screen.query_one("#login-user", Input).focus()
            await settle(pilot)
            type_ahead(pilot, *"bob", "enter", *"654321")
            await settle(pilot)
            assert value(app, "#login-user") == "bob"
            assert value(app, "#login-code") == "654321"

    run(main())


def test_compose_tab_then_a_letter_goes_to_the_next_field(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.editor.focus()
            await settle(pilot)
            type_ahead(pilot, *"Hello", "tab", "Z")
            await settle(pilot)
            assert screen.editor.text == "Hello"
            assert value(pilot.app, "#compose-tags") == "Z"

    run(main())


def test_digits_typed_ahead_after_tabs_from_the_target_list_are_the_time(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            assert pilot.app.focused is screen.query_one("#compose-targets")  # panel keys work here
            modes = []
            pilot.app.mode_change_signal.subscribe(screen, modes.append)
            type_ahead(pilot, "tab", "tab", "tab", *"10:00")
            await settle(pilot)
            assert modes == [] and pilot.app.screen is screen          # no panel switched
            assert value(pilot.app, "#compose-when") == "10:00"
            assert value(pilot.app, "#compose-tags") == ""
            assert screen.editor.text == ""

    run(main())


def test_digits_in_a_field_are_text_and_never_switch_panels(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            pilot.app.screen.query_one("#compose-tags", Input).focus()
            await settle(pilot)
            modes = []
            pilot.app.mode_change_signal.subscribe(screen, modes.append)
            type_ahead(pilot, *"123456789")
            await settle(pilot)
            await pilot.press(*"0123456789")
            await settle(pilot)
            assert modes == [] and pilot.app.screen is screen
            assert value(pilot.app, "#compose-tags") == "1234567890123456789"

    run(main())


def test_a_filter_typed_ahead_goes_into_the_prompt_it_opens(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, InboxScreen)
            type_ahead(pilot, "slash", *"zipper", "enter", "j")
            await settle(pilot)
            assert app.screen is screen
            assert '"zipper"' in screen.filter.describe()
            assert screen.inbox_list.cursor == 1                # j, after the prompt closed

    run(main())


def test_keys_are_not_held_back_when_nothing_moves_the_focus(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            type_ahead(pilot, *"jjjjk")
            await settle(pilot)
            assert screen.inbox_list.cursor == 3
            assert app.keys_waiting == 0

    run(main())


def test_compose_panel_keys_after_leaving_the_field_switch_panels(ready):
    """Escape leaves the text for the target list, where digits are panel keys again."""
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.editor.focus()
            await settle(pilot)
            type_ahead(pilot, *"Hi", "escape", "1")
            await settle(pilot)
            assert screen.editor.text == "Hi"
            assert isinstance(pilot.app.screen, InboxScreen)
            assert isinstance(screen, ComposeScreen)

    run(main())
