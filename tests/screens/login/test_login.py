"""Pilot tests of the login screen: success, wrong codes, lockout, the first owner."""

from __future__ import annotations

import asyncio

import pyotp

from screens.inbox.screen import InboxScreen
from screens.login.screen import EnrolmentForm, LoginScreen, QrCodeScreen
from screens.widgets.code_entry import PolicyPrompt
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, form_error, log_in, login_app


def test_login_lands_on_the_inbox_acting_as_the_user(workspace, seeded, people):
    people.session("bob", "responder")          # enrolled, policy acknowledged

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert app.actor is None
            assert not app.check_action("switch_panel", ("inbox",))   # no panel before login
            await log_in(pilot, "bob", people.code("bob"))
            assert isinstance(app.screen, InboxScreen)
            assert app.actor.name == "bob"
            assert app.screen.inbox_list.ids                         # listed as bob
            first_line = screen_render(app)[0].splitlines()[0]
            assert "bob responder" in first_line                     # who is logged in

    asyncio.run(main())


def test_a_wrong_code_shows_the_message_and_stays(workspace, people):
    people.session("bob", "responder")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await log_in(pilot, "bob", people.code("bob", steps=10))   # not this window's code
            assert isinstance(app.screen, LoginScreen)
            assert app.actor is None
            assert "wrong user name or code" in form_error(app).lower()
            assert app.screen.query_one("#login-code").value == ""     # cleared for the next try
            assert workspace.users.get("bob").failed_logins == 1

    asyncio.run(main())


def test_five_wrong_codes_lock_the_user_out(workspace, people):
    people.session("bob", "responder")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for attempt in range(5):
                await log_in(pilot, "bob", people.code("bob", steps=10 + attempt))
            assert "locked out until" in form_error(app)
            # even the right code is refused now, and the screen says why
            await log_in(pilot, "bob", people.code("bob"))
            assert isinstance(app.screen, LoginScreen)
            assert "locked out until" in form_error(app)

    asyncio.run(main())


def test_a_passphrase_is_asked_for_and_never_shown(workspace, seeded, people):
    people.session("carol", "responder", passphrase="correct horse battery")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await fill(pilot, "#login-user", "carol")
            await pilot.press("enter")                  # leaves the name: carol has a passphrase
            await settle(pilot)
            assert app.screen.query_one("#login-form").asks_passphrase
            await fill(pilot, "#login-code", people.code("carol"))
            await fill(pilot, "#login-passphrase", "correct horse battery")
            assert "correct horse" not in screen_render(app)[0]
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert app.actor.name == "carol"

    asyncio.run(main())


def test_the_right_code_logs_in_after_the_same_user_ran_a_command_elsewhere(workspace, seeded, people,
                                                                            open_workspace, caplog):
    """The login form is open; bob runs a `socops` command in another shell (his record
    changes there); then he types his next code here."""
    people.session("bob", "responder")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            cli = open_workspace(operator="bob")
            cli.auth.login("bob", people.code("bob"))
            people.next_step()
            wrong = "000000" if people.code("bob") != "000000" else "111111"
            await log_in(pilot, "bob", wrong)
            assert "wrong user name or code" in form_error(app).lower()
            await log_in(pilot, "bob", people.code("bob"))
            assert isinstance(app.screen, InboxScreen)
            assert app.actor.name == "bob"

    with caplog.at_level("ERROR"):
        asyncio.run(main())
    assert not [r for r in caplog.records if r.levelname == "ERROR"]   # no traceback in the log
    failed = [e for e in workspace.audit.events() if e["action"] == "login.failed"]
    assert [e["target"] for e in failed] == ["user/bob"]


def test_the_first_run_creates_the_owner_and_logs_them_in(workspace, clock, memory_keyring):
    assert workspace.users.needs_bootstrap()

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            text = screen_render(app)[0]
            assert "Create the owner" in text
            await fill(pilot, "#owner-user", "olivia")
            await pilot.press("enter")
            await fill(pilot, "#owner-name", "Olivia Owner")
            await pilot.press("enter", "enter")     # no passphrase: Enter on its empty field creates
            await settle(pilot)
            # 80x24 cannot hold the QR code beside the form: it shows on its own first
            assert isinstance(app.screen, QrCodeScreen)
            qr_lines = screen_render(app)[0].splitlines()
            assert any("█" in line for line in qr_lines)
            await pilot.press("enter")
            await settle(pilot)
            enrolment = app.screen.query_one(EnrolmentForm).enrollment
            text = screen_render(app)[0]
            assert "otpauth://totp/" in text and enrolment.secret[:4] in text
            await fill(pilot, "#code-input", "123")
            await pilot.press("enter")
            assert "6 digits" in form_error(app)
            await fill(pilot, "#code-input", pyotp.TOTP(enrolment.secret).at(clock()))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert app.actor.name == "olivia"
            user = workspace.users.get("olivia")
            assert (user.role, user.display_name) == ("owner", "Olivia Owner")

    asyncio.run(main())


def test_a_tall_terminal_shows_the_qr_code_in_the_enrolment_form(workspace, memory_keyring):
    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(100, 60)) as pilot:
            await settle(pilot)
            await fill(pilot, "#owner-user", "olivia")
            await fill(pilot, "#owner-passphrase", "")
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)            # no separate QR screen needed
            assert app.screen.query_one("#enrolment-qr").display
            assert "█" in screen_render(app)[0]

    asyncio.run(main())


def test_a_new_policy_version_is_acknowledged_after_login(workspace, seeded, people):
    people.session("bob", "responder")
    governance_file = workspace.governance.path
    governance_file.write_text(governance_file.read_text().replace("version = 1", "version = 2")
                               + "\n# policy 2: new reply guidelines\n")
    assert workspace.governance.version == 2

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await log_in(pilot, "bob", people.code("bob"))
            assert isinstance(app.screen, PolicyPrompt)
            assert "version 2" in screen_render(app)[0]
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert workspace.users.get("bob").policy_version_acknowledged == 2
            assert app.screen.inbox_list.ids                     # listed once acknowledged

    asyncio.run(main())


async def _still(pilot) -> None:
    await settle(pilot)
    for field in pilot.app.screen.query("Input"):
        field.cursor_blink = False
    await pilot.pause()


def test_login_80x24(workspace, people, snap_compare):
    people.session("bob", "responder")
    assert snap_compare(login_app(workspace), terminal_size=(80, 24), run_before=_still)


def test_create_owner_80x24(workspace, memory_keyring, snap_compare):
    assert snap_compare(login_app(workspace), terminal_size=(80, 24), run_before=_still)
