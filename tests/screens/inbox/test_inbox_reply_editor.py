"""The reply editor: live policy findings, saved replies, acknowledging warnings, bulk."""

from __future__ import annotations

import asyncio

from textual.widgets import TextArea

from console.library import SAVED_REPLY
from console.inbox import INBOX, REPLY_QUEUED
from screens.inbox.screen import InboxScreen
from screens.inbox.reply_editor import AcknowledgePrompt, ReplyEditor
from screens.inbox.saved_reply_picker import SavedReplyPicker
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring  # noqa: F401
from tests.screens.helpers import quiet_app, screen_render, settle

EMAIL = "Write to care@northwind.example please"
SHOUTING = "THIS IS THE BEST jacket we make"


def run(coroutine):
    return asyncio.run(coroutine)


def first_of_kind(workspace, ids, kind: str) -> str:
    return next(item_id for item_id in ids if workspace.inbox.get(item_id).kind == kind)


async def checked(pilot) -> None:
    """Wait for the editor's debounced check (and everything else) to finish."""
    await pilot.pause()             # an edit's Changed message is handled first: it starts the check
    for _ in range(40):
        if not getattr(pilot.app.screen, "check_pending", False):
            break
        await pilot.pause(0.05)
    await settle(pilot)


async def open_reply(pilot, workspace, item_id: str) -> ReplyEditor:
    await settle(pilot)
    inbox_list = pilot.app.screen.inbox_list
    inbox_list.move_cursor(inbox_list.ids.index(item_id))
    await settle(pilot)
    await pilot.press("r")
    await checked(pilot)
    assert isinstance(pilot.app.screen, ReplyEditor)
    return pilot.app.screen


async def type_text(pilot, text: str) -> None:
    await pilot.press(*text)
    await checked(pilot)


def screen_text(app) -> str:
    return screen_render(app)[0]


def replies(workspace, item_id: str) -> list[dict]:
    return workspace.store.get(INBOX, item_id).get("replies", [])


def test_an_email_in_a_public_reply_shows_a_finding_and_is_not_sent(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            comment = first_of_kind(workspace, app.screen.inbox_list.ids, "comment")
            editor = await open_reply(pilot, workspace, comment)
            assert "public reply" in screen_text(app)
            await type_text(pilot, EMAIL)
            text = screen_text(app)
            assert "✖ privacy.email" in text and '"care@northwind.example"' in text
            await pilot.press("ctrl+s")
            await checked(pilot)
            assert app.screen is editor                       # still open
            assert editor.text == EMAIL                        # nothing lost
            assert "Not sent" in screen_text(app)
            assert replies(workspace, comment) == []
            # Fixing the text clears the finding, and then it goes.
            await pilot.press("f7")                            # select all, then type over it
            await type_text(pilot, "Please send us a DM with your email")
            assert "privacy.email" not in screen_text(app)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert [r["text"] for r in replies(workspace, comment)] == ["Please send us a DM with your email"]

    run(main())


def test_the_same_email_in_a_dm_is_queued(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            dm = first_of_kind(workspace, app.screen.inbox_list.ids, "dm")
            await open_reply(pilot, workspace, dm)
            await type_text(pilot, EMAIL)
            assert "privacy.email" not in screen_text(app)
            assert "DM: privacy rules do not apply" in screen_text(app)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert [(r["text"], r["status"]) for r in replies(workspace, dm)] == [(EMAIL, REPLY_QUEUED)]

    run(main())


def test_warnings_are_acknowledged_with_y_and_recorded(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            comment = first_of_kind(workspace, app.screen.inbox_list.ids, "comment")
            editor = await open_reply(pilot, workspace, comment)
            await type_text(pilot, SHOUTING)
            assert "▲ a11y.all_caps" in screen_text(app)
            await pilot.press("ctrl+s")
            await checked(pilot)
            assert isinstance(app.screen, AcknowledgePrompt)
            assert "a11y.all_caps" in screen_text(app)
            await pilot.press("n")                             # not yet: back to the draft
            await settle(pilot)
            assert app.screen is editor and replies(workspace, comment) == []
            await pilot.press("ctrl+s")
            await checked(pilot)
            await pilot.press("y")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            [reply] = replies(workspace, comment)
            assert reply["text"] == SHOUTING and reply["acknowledged"] == ["a11y.all_caps"]

    run(main())


def test_a_warning_only_the_service_found_is_asked_for_then_sent(workspace, seeded, monkeypatch):
    """The policy changed between the editor's check and the send: the service asks."""
    monkeypatch.setattr(workspace.inbox, "check_reply", lambda *args, **kwargs: None)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            comment = first_of_kind(workspace, app.screen.inbox_list.ids, "comment")
            await open_reply(pilot, workspace, comment)
            await type_text(pilot, SHOUTING)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, AcknowledgePrompt)
            assert replies(workspace, comment) == []
            await pilot.press("y")
            await settle(pilot)
            [reply] = replies(workspace, comment)
            assert reply["acknowledged"] == ["a11y.all_caps"]

    run(main())


def _add_saved_replies(workspace) -> None:
    library, writer, approver = workspace.library, RoleActor("rosa", "responder"), RoleActor("mia", "manager")
    usable = library.add_text(writer, SAVED_REPLY, title="Order delay apology",
                              text="Sorry for the wait! Your parcel is on its way.\nThe Northwind team")
    library.approve(approver, usable.id)
    library.add_text(writer, SAVED_REPLY, title="Not approved yet", text="Pending words")
    returns = library.add_text(writer, SAVED_REPLY, title="[bold]Returns[/bold]",
                               text="Returns are \x1b[31mfree\x1b[0m for 30 days.")
    library.approve(approver, returns.id)


def test_ctrl_r_inserts_a_saved_reply_at_the_cursor(workspace, seeded):
    _add_saved_replies(workspace)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            comment = first_of_kind(workspace, app.screen.inbox_list.ids, "comment")
            editor = await open_reply(pilot, workspace, comment)
            await type_text(pilot, "Hi Oli! ")
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert isinstance(app.screen, SavedReplyPicker)
            text = screen_text(app)
            assert "Order delay apology" in text and "[bold]Returns[/bold]" in text   # as typed, not markup
            assert "Not approved yet" not in text              # only usable ones are offered
            await pilot.press(*"delay")
            await settle(pilot)
            assert [reply.title for reply in app.screen.shown] == ["Order delay apology"]
            await pilot.press("enter")
            await checked(pilot)
            assert app.screen is editor
            assert editor.text == "Hi Oli! Sorry for the wait! Your parcel is on its way.\nThe Northwind team"
            await pilot.press("f2", "escape")                  # F2 too; Escape changes nothing
            await settle(pilot)
            assert app.screen is editor and editor.text.startswith("Hi Oli! Sorry")
            await pilot.press("ctrl+r", *"returns", "enter")
            await settle(pilot)
            assert editor.text.endswith("The Northwind teamReturns are free for 30 days.")   # no escape codes

    run(main())


def test_the_picker_says_how_to_get_saved_replies_when_there_are_none(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_reply(pilot, workspace, app.screen.inbox_list.ids[0])
            await pilot.press("ctrl+r")
            await settle(pilot)
            assert "No saved replies are approved yet" in screen_text(app)

    run(main())


def test_bulk_reply_goes_to_the_items_the_policy_allows(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            ids = screen.inbox_list.ids
            comment, dm = first_of_kind(workspace, ids, "comment"), first_of_kind(workspace, ids, "dm")
            screen.inbox_list.toggle_selected(comment)
            screen.inbox_list.toggle_selected(dm)
            await pilot.press("r")
            await checked(pilot)
            await type_text(pilot, EMAIL)
            assert "1 public reply on" in screen_text(app)     # findings say which items they are about
            await pilot.press("ctrl+s")
            await checked(pilot)
            assert isinstance(app.screen, AcknowledgePrompt)
            assert "Not sent to 1 of 2 items" in screen_text(app)
            await pilot.press("y")
            await settle(pilot)
            assert replies(workspace, comment) == []
            assert [r["text"] for r in replies(workspace, dm)] == [EMAIL]

    run(main())


def test_reply_editor_with_a_finding_80x24(workspace, seeded, memory_keyring, snap_compare):
    async def write(pilot) -> None:
        comment = first_of_kind(workspace, pilot.app.screen.inbox_list.ids, "comment")
        await open_reply(pilot, workspace, comment)
        pilot.app.screen.query_one(TextArea).insert("Hi! Mail care@northwind.example or call +1 503 555 0142.")
        await checked(pilot)

    assert snap_compare(quiet_app(workspace), terminal_size=(80, 24), run_before=write)
