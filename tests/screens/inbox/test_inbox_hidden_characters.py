"""Hidden characters in the inbox: a customer's spoofed override is visible in the
conversation; a reply with controls is refused in the editor; an acknowledged override
is queued exactly and shown in the thread as it will be sent."""

from __future__ import annotations

import asyncio

from textual import events

from screens.inbox.reply_editor import AcknowledgePrompt
from tests.console.helpers import add_items, inbound, minutes_ago
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
from tests.screens.helpers import foreign_controls, quiet_app, screen_render, settle
from tests.screens.inbox.test_inbox_reply_editor import checked, open_reply

SPOOFED = "Refund \u202e001$ please, my order never came"
RAW = ("\u202e", "\x07", "\x1b")


def add_spoofed_item(workspace) -> str:
    now = workspace.clock()
    [key] = add_items(workspace.store, [inbound(1, minutes_ago(now, 1), text=SPOOFED, author="@eve")],
                      received=now, sla=workspace.config.sla)
    return key


async def paste(pilot, text: str) -> None:
    pilot.app.post_message(events.Paste(text))
    await pilot.pause()               # the paste lands, and the editor's check is scheduled
    await checked(pilot)


def test_the_conversation_shows_a_spoofed_override_where_the_list_row_drops_it(workspace):
    key = add_spoofed_item(workspace)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            app.screen.inbox_list.move_cursor(app.screen.inbox_list.ids.index(key))
            await settle(pilot)
            text, raw = screen_render(app)
            assert "Refund ⟨U+202E⟩001$ please, my order never came" in text        # the thread view
            assert "Refund 001$ please, my order never came" in text                # the list row
            assert "\u202e" not in raw and foreign_controls(raw) == []
    asyncio.run(main())


def test_a_reply_with_a_bel_is_refused_and_an_acknowledged_override_is_shown_as_sent(workspace, memory_keyring):
    key = add_spoofed_item(workspace)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(100, 30)) as pilot:
            editor = await open_reply(pilot, workspace, key)
            await paste(pilot, "On it\x07 \u202eyadot")
            text, raw = screen_render(app)
            assert editor.text == "On it\x07 \u202eyadot"                          # the real text
            assert "On it␇ ⟨U+202E⟩yadot" in text and not any(ch in raw for ch in RAW[:2])
            assert "✖ text.control \"␇\"" in text and "▲ text.bidi \"⟨U+202E⟩\"" in text
            await pilot.press("ctrl+s")
            await checked(pilot)
            assert app.screen is editor and "Not sent" in screen_render(app)[0]
            assert workspace.inbox.get(key).replies == ()

            await pilot.press("home", "right", "right", "right", "right", "right", "delete")   # the ␇
            await checked(pilot)
            assert editor.text == "On it \u202eyadot"
            await pilot.press("ctrl+s")
            await checked(pilot)
            assert isinstance(app.screen, AcknowledgePrompt) and "⟨U+202E⟩" in screen_render(app)[0]
            await pilot.press("y")
            await settle(pilot)
            (reply,) = workspace.inbox.get(key).replies
            assert reply.text == "On it \u202eyadot" and reply.acknowledged == ("text.bidi",)
            text, raw = screen_render(app)
            assert "↳ our reply queued" in text and "On it ⟨U+202E⟩yadot" in text
            assert "\u202e" not in raw and foreign_controls(raw) == []
    asyncio.run(main())
