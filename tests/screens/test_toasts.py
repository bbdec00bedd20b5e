"""At 80x24 nothing covers the field being filled: standing conditions are flags and
a banner, and a toast goes where the focused widget is not (or to the message line)."""

from __future__ import annotations

import asyncio

from textual.widgets import Input

from screens.conditions import ConditionBanner
from screens.widgets.message_line import MessageLine
from tests.console.identity_fixtures import memory_keyring, no_keyring, people  # noqa: F401
from tests.screens.compose.compose_data import compose_app, open_compose, prepare
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, log_in, login_app

LONG_ERROR = ("the post was not submitted: the approval route for @northwind_es needs a manager in LATAM, "
              "and none is on duty; ask an owner to add one, then submit again")


def drawn_toasts(app) -> list:
    return [toast for toast in app.screen.query("Toast") if not toast.has_class("-withheld")]


def assert_focus_clear(app) -> None:
    """No drawn toast and no banner lies over the focused widget."""
    focused = app.screen.focused
    assert focused is not None and focused.region
    for toast in drawn_toasts(app):
        assert not toast.region.overlaps(focused.region), (toast.region, focused, focused.region)
    for banner in app.screen.query(ConditionBanner):
        if banner.display:
            assert not banner.region.overlaps(focused.region), (banner.region, focused.region)


def test_the_secrets_warning_never_covers_the_create_owner_form(workspace, no_keyring):
    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            assert app.workspace.secrets.warning                 # no keyring: the warning stands
            for field in ("#owner-user", "#owner-name", "#owner-passphrase", "#owner-repeat"):
                await fill(pilot, field, "")
                await settle(pilot)
                assert_focus_clear(app)
            assert not drawn_toasts(app)
            text = screen_render(app)[0]
            assert "Secrets: no keyring backend" in text         # said, in the banner under the form
            banner = app.screen.query_one(ConditionBanner).region
            for field in app.screen.query(Input):
                assert not banner.overlaps(field.region)

    asyncio.run(main())


def test_a_broken_governance_file_never_covers_the_login_form(workspace, people, memory_keyring):
    people.session("bob", "responder")
    path = workspace.governance.path
    path.write_text(path.read_text(encoding="utf-8").replace("[auth]", "[auth\n", 1), encoding="utf-8")
    workspace.governance.reload()

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            for field in ("#login-user", "#login-code"):
                await fill(pilot, field, "")
                await settle(pilot)
                assert_focus_clear(app)
            assert not drawn_toasts(app)
            assert "Governance file:" in screen_render(app)[0]

    asyncio.run(main())


def test_logging_in_puts_no_toast_over_compose(workspace, people, no_keyring):
    people.session("bob", "manager")

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            await log_in(pilot, "bob", people.code("bob"))
            await open_compose(pilot)
            assert not list(app.screen.query("Toast"))
            assert "keyring!" in screen_render(app)[0].splitlines()[0]   # the warning, as a flag

    asyncio.run(main())


def test_a_one_off_toast_keeps_off_the_focused_compose_field(workspace, memory_keyring):
    prepare(workspace)

    async def main():
        app = compose_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_compose(pilot)
            for selector in ("#compose-when", "#compose-tags", "#compose-targets"):
                screen.query_one(selector).focus()
                app.notify(LONG_ERROR, title="Not done", severity="error", markup=False)
                await settle(pilot)
                assert drawn_toasts(app), selector                # shown, where it covers nothing
                assert_focus_clear(app)

            # Tab on into the next field while the toasts are up: they move out of its way.
            screen.query_one("#compose-tags").focus()
            await settle(pilot)
            assert_focus_clear(app)

    asyncio.run(main())


def test_a_toast_that_would_cover_the_editor_anywhere_goes_to_the_message_line(workspace, memory_keyring):
    prepare(workspace)

    async def main():
        app = compose_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_compose(pilot)
            screen.editor.focus()
            # Taller than the rows above or below the editor.
            app.notify(" ".join([LONG_ERROR] * 4), title="Not done", severity="error", markup=False)
            await settle(pilot)
            assert_focus_clear(app)
            message = screen.query_one(MessageLine)
            assert message.message.startswith("Not done: the post was not submitted")
            assert message.severity == "error"

    asyncio.run(main())
