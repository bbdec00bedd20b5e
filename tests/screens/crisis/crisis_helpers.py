"""Helpers for the Crisis panel tests: an app acting as a person of the crisis
room, keys pressed and waited for, the code prompt answered, what shows."""

from __future__ import annotations

from textual.widgets import Input

from screens.crisis.banner import CrisisBanner
from screens.widgets.code_entry import StepUpPrompt
from screens.widgets.message_line import MessageLine
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, session_app


def crisis_app(room, name: str, **options):
    """An app acting as ``name`` of the crisis room (a fresh login)."""
    return session_app(room.workspace, room.as_(name), **options)


async def press(pilot, *keys: str) -> None:
    for key in keys:
        await pilot.press(key)
        await settle(pilot)


async def type_in(pilot, text: str, *, then: str = "enter") -> None:
    """Type into the focused field of the prompt shown, then press ``then``."""
    field = pilot.app.screen.query_one(Input)
    field.focus()
    field.value = ""
    await pilot.pause()
    if text:
        await pilot.press(*text)
    if then:
        await press(pilot, then)


async def give_code(pilot, room, name: str) -> None:
    """Answer the fresh-code prompt that must be showing with ``name``'s code now."""
    assert isinstance(pilot.app.screen, StepUpPrompt), type(pilot.app.screen).__name__
    await fill(pilot, "#code-input", room.people.code(name))
    await press(pilot, "enter")


def shown(app) -> str:
    return screen_render(app)[0]


def message(app) -> str:
    lines = list(app.screen.query(MessageLine))
    return lines[0].message if lines else ""


def banner(app) -> str:
    banners = list(app.screen.query(CrisisBanner))
    return banners[0].text if banners and banners[0].display and not banners[0].has_class("-quiet") else ""


async def go_to_row(pilot, kind: str, key: str | None = None) -> None:
    """Put the Crisis panel's cursor on the first row of ``kind`` (and ``key``)."""
    screen = pilot.app.screen
    for index, row in enumerate(screen.rows):
        if row.kind == kind and (key is None or row.key == key):
            screen.work_list.highlighted = index
            await settle(pilot)
            return
    raise AssertionError(f"no {kind} row {key or ''} in {[r.id for r in screen.rows]}")
