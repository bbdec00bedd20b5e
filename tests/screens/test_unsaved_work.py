"""Nothing typed is lost: quitting (Ctrl+Q), quitting at the idle lock, or a console
that closes otherwise keeps the post in Compose (images too) and the inbox's reply
drafts for their author, and they come back when the same person logs in again."""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import TextArea

from console.unsaved import COMPOSE, INBOX_DRAFTS
from screens.compose.images import ImagePicker
from screens.inbox.screen import InboxScreen
from screens.widgets.code_entry import LockScreen
from screens.widgets.prompts import ConfirmPrompt, TextEditor
from screens.widgets.quit_prompt import QuitPrompt
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.compose.compose_data import (X_ACCOUNT, add_image, choose_targets, compose_app, open_compose,
                                                prepare, write)
from tests.screens.helpers import settle
from tests.screens.session_helpers import log_in, login_app, session_app

ALICE = RoleActor("alice", "manager")


def run(coroutine) -> None:
    asyncio.run(coroutine)


@pytest.fixture
def ready(workspace, memory_keyring):
    prepare(workspace)
    return workspace


async def _post_with_an_image(pilot, image_id: str) -> None:
    await choose_targets(pilot, X_ACCOUNT)
    await write(pilot, "Winter jackets are back")
    await pilot.press("ctrl+g")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ImagePicker)
    await pilot.press("enter")
    await settle(pilot)
    assert pilot.app.screen.form.asset_ids == (image_id,)


def test_ctrl_q_with_an_unsaved_post_asks_keeps_it_and_it_comes_back(ready, tmp_path, capsys):
    image = add_image(ready, tmp_path, "Red jacket on a hill", "A hiker in a red jacket at sunrise")

    async def first_console():
        app = compose_app(ready, ALICE)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_compose(pilot)
            await _post_with_an_image(pilot, image.id)
            await pilot.press("ctrl+q")
            await settle(pilot)
            prompt = app.screen
            assert isinstance(prompt, QuitPrompt)                 # asks, does not quit at once
            assert "the post in Compose (a new post, 1 image)" in " ".join(prompt.work)
            await pilot.press("escape")                           # stay
            await settle(pilot)
            assert not isinstance(app.screen, QuitPrompt) and app.is_running
            await pilot.press("ctrl+q")
            await settle(pilot)
            await pilot.press("enter")                            # keep it and quit
            await pilot.pause()
        assert app.return_code == 0

    async def second_console():
        app = compose_app(ready, ALICE)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            assert screen.editor.text == "Winter jackets are back"
            assert screen.form.targets == [X_ACCOUNT]
            assert [(i.asset_id, i.alt_text) for i in screen.form.images] == [
                (image.id, "A hiker in a red jacket at sunrise")]
            assert screen.form.dirty and screen.form.post_id is None    # still to be saved
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert screen.form.post_id is not None and not screen.form.dirty

    run(first_console())
    assert "socops kept alice's unsaved work: the post in Compose (a new post, 1 image)" in capsys.readouterr().err
    run(second_console())
    assert ready.unsaved.kept("alice", COMPOSE) == []                # saved: nothing kept apart any more


def test_quitting_without_keeping_discards_the_post(ready):
    async def first_console():
        app = compose_app(ready, ALICE)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_compose(pilot)
            await write(pilot, "Never mind")
            await pilot.press("ctrl+q")
            await settle(pilot)
            await pilot.press("d")
            await pilot.pause()

    async def second_console():
        app = compose_app(ready, ALICE)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            assert screen.editor.text == "" and screen.form.blank

    run(first_console())
    assert ready.unsaved.kept("alice", COMPOSE) == []
    run(second_console())


def test_a_post_is_kept_while_it_is_written_before_anything_quits(ready):
    """A crash or a dropped link closes nothing cleanly: the post is on disk within a second."""
    async def main():
        app = compose_app(ready, ALICE, autosave_seconds=0.05)
        async with app.run_test(size=(80, 24)) as pilot:
            await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            await write(pilot, "Typed just before the link dropped")
            for _ in range(40):
                if not app.unsaved.pending:
                    break
                await pilot.pause(0.05)
            await settle(pilot)
            (kept,) = ready.unsaved.kept("alice", COMPOSE)
            assert kept.data["text"] == "Typed just before the link dropped"
            assert kept.data["targets"] == [X_ACCOUNT]

    run(main())


def test_an_unsaved_post_is_kept_for_its_author_only(ready):
    async def first_console():
        async with compose_app(ready, ALICE).run_test(size=(80, 24)) as pilot:
            await open_compose(pilot)
            await write(pilot, "Alice's idea")
        # closed without Ctrl+Q (the terminal went away): kept all the same

    async def someone_else():
        async with compose_app(ready, RoleActor("mia", "manager")).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            assert screen.editor.text == ""

    run(first_console())
    run(someone_else())
    assert [w.data["text"] for w in ready.unsaved.kept("alice", COMPOSE)] == ["Alice's idea"]


def test_opening_a_post_over_a_recovered_one_asks_first(ready):
    """Another panel ("my posts", Approvals' edit) calls open_post before Compose shows."""
    async def first_console():
        async with compose_app(ready, ALICE).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            await write(pilot, "Saved once")
            await pilot.press("ctrl+s")
            await settle(pilot)
            post_id = screen.form.post_id
            await pilot.press("ctrl+n")
            await settle(pilot)
            await write(pilot, "Not saved")
        return post_id

    async def second_console(post_id):
        app = compose_app(ready, ALICE)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.switch_mode("compose")
            app.screen.open_post(post_id)
            await settle(pilot)
            assert isinstance(app.screen, ConfirmPrompt)      # the recovered post is not dropped unasked
            await pilot.press("n")
            await settle(pilot)
            assert app.screen.editor.text == "Not saved"

    post_id = asyncio.run(first_console())
    run(second_console(post_id))


async def _open_reply(pilot, text: str) -> str:
    target = pilot.app.screen.inbox_list.cursor_id
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TextEditor)
    pilot.app.screen.query_one(TextArea).insert(text)
    await pilot.pause()
    return target


def test_a_reply_draft_survives_the_idle_lock_and_quitting_there(workspace, seeded, people, clock, capsys):
    """bob walks away mid-reply; the console locks; whoever is at the keyboard quits
    (no question there: they may not be bob). bob logs in again: his draft is back."""
    session = people.session("bob", "responder")

    async def first_console():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = await _open_reply(pilot, "Sorry for the wait, Maria")
            clock.advance(minutes=31)
            app.clock_ticked_signal.publish(0.0)          # a background refresh meets the lock
            await settle(pilot)
            assert isinstance(app.screen, LockScreen)
            await pilot.press("ctrl+q")
            await pilot.pause()
        return target

    async def second_console(target):
        app = login_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await log_in(pilot, "bob", people.code("bob"))
            screen = app.screen
            assert isinstance(screen, InboxScreen)
            assert screen.inbox_list.cursor_id == target       # the same first item as before
            await pilot.press("r")
            await settle(pilot)
            assert isinstance(app.screen, TextEditor)
            assert app.screen.text == "Sorry for the wait, Maria"

    target = asyncio.run(first_console())
    assert "socops kept bob's unsaved work: 1 draft in the Inbox" in capsys.readouterr().err
    people.next_step()
    run(second_console(target))


def test_a_sent_reply_is_no_longer_kept(workspace, seeded, people):
    session = people.session("bob", "responder")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await _open_reply(pilot, "All sorted, thanks")
            await pilot.press("escape")                   # kept as a draft for now
            await settle(pilot)
            assert app.unsaved.describe() == ["1 draft in the Inbox"]
            await pilot.press("r")
            await settle(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.unsaved.describe() == []

    run(main())
    assert workspace.unsaved.kept("bob", INBOX_DRAFTS) == []


def test_a_reply_is_kept_while_its_editor_is_still_open(workspace, seeded, people):
    session = people.session("bob", "responder")

    async def main():
        app = session_app(workspace, session, autosave_seconds=0.05)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = await _open_reply(pilot, "Half written")
            for _ in range(40):
                kept = workspace.unsaved.kept("bob", INBOX_DRAFTS)
                if kept:
                    break
                await pilot.pause(0.05)
            assert kept[0].data["drafts"] == [{"action": "reply", "items": [target], "text": "Half written"}]
            assert isinstance(app.screen, TextEditor)        # still open: nothing was closed

    run(main())
