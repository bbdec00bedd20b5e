"""Platform text is shown exactly as typed: no markup, no terminal control sequences."""

from __future__ import annotations

import asyncio

from screens.inbox.screen import InboxScreen
from screens.messages import ActionRefused
from tests.screens.helpers import foreign_controls, quiet_app, screen_render, settle
from tests.screens.inbox.inbox_data import HOSTILE_HANDLE, seed_items


def test_hostile_item_is_shown_literally_and_emits_no_control_sequences(workspace):
    keys = seed_items(workspace, 6, hostile=True)
    hostile = keys[-1]

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(120, 30), notifications=True) as pilot:
            await settle(pilot)
            screen = app.screen
            assert isinstance(screen, InboxScreen)
            screen.inbox_list.move_cursor(screen.inbox_list.ids.index(hostile))
            await settle(pilot)
            text, raw = screen_render(app)
            assert "[bold]x[/bold]" in text
            assert "[link=https://evil.example]click[/link]" in text
            assert "[red]Mallory[/red]" in text
            assert HOSTILE_HANDLE in text
            # The list row drops the sequences (a row keeps its width); the conversation is
            # read closely, so there they are shown, where they are.
            assert "click[/link] red title" in text
            assert "␛[31mred␛[0m ␛]0;pwned␇title ␛[2Jclear ⟨U+009B⟩31mc1 done" in text
            assert "\x1b" not in text and "\x9b" not in text and "\x07" not in text
            assert foreign_controls(raw) == []
            assert "\x1b]" not in raw and "\x1b[2J" not in raw and "\x1b[5m" not in raw

            await pilot.press("r")  # the reply editor quotes the item and names the author
            await settle(pilot)
            text, raw = screen_render(app)
            assert f"Reply to dm from {HOSTILE_HANDLE}" in text
            assert "[bold]x[/bold] [link=https://evil.example]click[/link]" in text
            assert foreign_controls(raw) == []
            await pilot.press("escape")

            # Messages that quote platform text (ids, names) go out as plain text too.
            screen.post_message(ActionRefused("close", f"[b]{HOSTILE_HANDLE}[/b] \x1b[2J changed it",
                                              conflict=True))
            await settle(pilot)
            text, raw = screen_render(app)
            assert f"[b]{HOSTILE_HANDLE}[/b]" in text
            assert foreign_controls(raw) == []

    asyncio.run(main())
