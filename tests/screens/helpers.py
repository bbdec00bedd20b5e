"""Helpers for the screen tests: a quiet app, waiting for it, reading the screen."""

from __future__ import annotations

import io
import re
import unicodedata
from datetime import timezone

from rich.console import Console
from textual import events
from textual.keys import key_to_character

from screens.app import SocopsApp, make_app
from tests.actors import RoleActor


def quiet_app(workspace, actor=None, **options) -> SocopsApp:
    """An app for tests: no worker thread, no polling timers, unsaved work written
    only on quitting, times in UTC;
    acting as ``actor`` (default: alice, a manager)."""
    options.setdefault("run_worker", False)
    options.setdefault("display_tz", timezone.utc)
    options.setdefault("poll_seconds", None)
    options.setdefault("clock_tick_seconds", None)
    options.setdefault("autosave_seconds", None)
    return make_app(workspace, actor or RoleActor(workspace.operator, "manager"), **options)


async def settle(pilot) -> None:
    """Wait until workers are done and coalesced changes have been shown."""
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        busy = [w for w in app.workers if w.is_running and w.group != "background-worker"]
        timers = (app.has_pending_changes or getattr(app.screen, "detail_pending", False)
                  or getattr(app.screen, "check_pending", False) or app.keys_waiting)
        if not busy and not timers:
            await pilot.pause()
            return
        if timers:
            await pilot.pause(0.05)
    raise AssertionError("the app did not settle")


def type_ahead(pilot, *keys: str) -> None:
    """Put ``keys`` into the app's queue all at once, as a terminal delivers what was
    typed ahead over a slow link (``pilot.press`` waits after each key). Each is a
    key name ("tab", "enter") or a character; wait with :func:`settle`."""
    app = pilot.app
    for key in keys:
        if len(key) == 1:
            character = key
            name = key if key.isalnum() else unicodedata.name(key).lower().replace("-", "_").replace(" ", "_")
        else:
            name, character = key, key_to_character(key)
        event = events.Key(name, character)
        event.set_sender(app)
        app.post_message(event)


def screen_render(app) -> tuple[str, str]:
    """The current screen as (plain text, raw terminal output)."""
    width, height = app.size
    console = Console(width=width, height=height, file=io.StringIO(), force_terminal=True,
                      color_system="truecolor", record=True, legacy_windows=False)
    # Same route as App.export_screenshot, but keeping text and raw output.
    console.print(app.screen._compositor.render_update(full=True, screen_stack=app._background_screens))
    raw = console.file.getvalue()
    return console.export_text(styles=False), raw


# What Textual itself writes: colours/styles (SGR) and cursor positioning (CUP).
_OWN_SEQUENCES = re.compile(r"\x1b\[[0-9;:]*m|\x1b\[\d+;\d+H")


def foreign_controls(raw: str) -> list[str]:
    """Control characters in ``raw`` other than Textual's own SGR and CUP sequences."""
    cleaned = _OWN_SEQUENCES.sub("", raw)
    return re.findall(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", cleaned)
