"""Helpers for the login, lock, step-up and audit screen tests: an app that asks
for a login, typing into its fields, and codes from the test's clock."""

from __future__ import annotations

from datetime import timezone

from textual.widgets import Input

from screens.app import SocopsApp, make_app
from tests.screens.helpers import settle

QUIET = {"run_worker": False, "display_tz": timezone.utc, "poll_seconds": None, "clock_tick_seconds": None,
         "autosave_seconds": None}


def login_app(workspace, **options) -> SocopsApp:
    """An app created with no actor (the login screen first), quiet as in ``quiet_app``."""
    return make_app(workspace, None, **{**QUIET, **options})


def session_app(workspace, session, **options) -> SocopsApp:
    """An app already acting as ``session`` (a real console.identity.sessions.Session)."""
    return make_app(workspace, session, **{**QUIET, **options})


async def fill(pilot, selector: str, text: str) -> None:
    """Put ``text`` into the field ``selector`` by typing it, as an operator would."""
    field = pilot.app.screen.query_one(selector, Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    if text:
        await pilot.press(*text)


async def log_in(pilot, username: str, code: str, passphrase: str | None = None) -> None:
    await fill(pilot, "#login-user", username)
    await fill(pilot, "#login-code", code)
    if passphrase is not None:
        await fill(pilot, "#login-passphrase", passphrase)
    await pilot.press("enter")
    await settle(pilot)


def form_error(app) -> str:
    """The plain-text error under the form on screen ('' when none shows)."""
    from textual.widgets import Static

    for widget in app.screen.query(".form--error, .code-form--error, .prompt--error").results(Static):
        if widget.display and not widget.has_class("-empty"):
            return str(widget.content)
    return ""
