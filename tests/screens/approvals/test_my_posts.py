"""The author's own posts in the Approvals panel, for everyone who drafts: an
editor (who may not approve) reaches them with key 2, ? and the palette,
reads the decisions and their notes, is offered no decision keys (and told
why when pressing one), reopens a draft or a post sent back in Compose, and
copies a rejected one into a new draft.

Posts are made through the real services on the governance file of
``tests/screens/approvals/approvals_data.py`` (low risk: one manager).
"""

from __future__ import annotations

from textual.command import CommandPalette

from console.posts import CHANGES_REQUESTED, DRAFT, IN_REVIEW, REJECTED
from screens.approvals.queue import MINE
from screens.approvals.screen import ApprovalsScreen
from screens.compose.screen import ComposeScreen
from screens.help import HelpScreen
from screens.widgets.prompts import ConfirmPrompt
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.approvals.approvals_data import EN, fixed_post_ids, governance_file  # noqa: F401
from tests.screens.approvals.author_helpers import LOW, footer, message, press, run, shown, team  # noqa: F401


def test_an_editor_presses_2_and_reads_the_rejection_and_its_note(team):
    post = team.submit("ed", LOW)
    team.workspace.approvals.reject(team.session("max"), post.id, "Wrong product photo")

    async def steps(pilot):
        await press(pilot, "2")
        screen = pilot.app.screen
        assert isinstance(screen, ApprovalsScreen) and screen.view == MINE
        assert screen.queue.ids == [post.id]
        whole = shown(pilot)
        assert "rejected" in whole
        assert "max rejected it at" in whole and "Wrong product photo" in whole   # who, and the note
        assert "Notices" in whole                                             # the notice itself, too
        assert team.workspace.notices.unread("ed") == []                      # shown: read

    run(team, "ed", steps)


def test_an_editor_finds_the_panel_in_help_and_the_palette(team):
    async def steps(pilot):
        await press(pilot, "question_mark")
        assert isinstance(pilot.app.screen, HelpScreen)
        assert "app.panel.approvals" in {row.binding_id for row in pilot.app.screen.rows}
        await press(pilot, "escape", "ctrl+p")
        assert isinstance(pilot.app.screen, CommandPalette)
        await pilot.press(*"approv")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, ApprovalsScreen)

    run(team, "ed", steps)


def test_an_editor_is_offered_no_decision_and_is_told_why_when_pressing_one(team):
    mine = team.submit("ed", LOW)
    team.submit("mia", "Rain shells are back in stock.")          # waits for a manager, not for ed

    async def steps(pilot):
        await press(pilot, "2")
        screen = pilot.app.screen
        assert screen.queue.ids == [mine.id]                      # only their own posts, no queue
        assert not any(word in footer(pilot) for word in ("Approve", "Reject", "Changes", "Queue"))
        for key in ("a", "r", "c", "A"):
            await press(pilot, key)
            assert pilot.app.screen is screen                     # no note prompt opened
            assert "post.approve" in message(screen) and "editor" in message(screen)
        await press(pilot, "v")                                   # the README's "your own posts"
        assert screen.view == MINE and screen.queue.ids == [mine.id]
        await press(pilot, "escape")                              # no queue to go back to
        assert screen.view == MINE
        assert team.workspace.posts.get(mine.id).status == IN_REVIEW

    run(team, "ed", steps)


def test_enter_on_a_draft_reopens_it_in_compose_with_its_text(team):
    draft = team.workspace.posts.draft(team.session("ed"), [EN], "Autumn colours are in.")

    async def steps(pilot):
        await press(pilot, "2")
        assert pilot.app.screen.queue.cursor_id == draft.id
        await press(pilot, "enter")
        compose = pilot.app.screen
        assert isinstance(compose, ComposeScreen)
        assert compose.form.post_id == draft.id and compose.editor.text == "Autumn colours are in."
        assert compose.form.status == DRAFT and not compose.form.dirty

    run(team, "ed", steps)


def test_a_post_sent_back_is_reopened_edited_and_resubmitted(team):
    post = team.submit("ed", LOW)
    team.workspace.approvals.request_changes(team.session("max"), post.id, "Name the jacket")

    async def steps(pilot):
        await press(pilot, "2")
        assert "max asked for changes at" in shown(pilot) and "Name the jacket" in shown(pilot)
        await press(pilot, "e")
        compose = pilot.app.screen
        assert isinstance(compose, ComposeScreen) and compose.form.status == CHANGES_REQUESTED
        assert "max asked for changes: Name the jacket" in shown(pilot)   # still in sight while editing
        compose.editor.move_cursor(compose.editor.document.end)
        await press(pilot, *" The Ridge")
        await press(pilot, "ctrl+o")
        after = team.workspace.posts.get(post.id)
        assert after.status == IN_REVIEW and after.stage == 0 and after.text.endswith("The Ridge")
        assert "asked for changes" not in shown(pilot)                    # answered: submitted again
        await press(pilot, "escape", "2")          # out of the editor, where 2 is a character
        assert "in review 1/1" in shown(pilot)

    run(team, "ed", steps)


def test_a_rejected_post_offers_a_copy_into_a_new_draft(team):
    post = team.submit("ed", LOW)
    team.workspace.approvals.reject(team.session("max"), post.id, "Off brand")

    async def steps(pilot):
        await press(pilot, "2", "enter")
        assert isinstance(pilot.app.screen, ConfirmPrompt)
        assert f"Copy {post.id}" in shown(pilot)
        await press(pilot, "y")
        compose = pilot.app.screen
        assert isinstance(compose, ComposeScreen)
        copy = team.workspace.posts.get(compose.form.post_id)
        assert copy.id != post.id and copy.status == DRAFT and copy.text == LOW and copy.author == "ed"
        assert team.workspace.posts.get(post.id).status == REJECTED   # the original stays as it was

    run(team, "ed", steps)


def test_from_compose_the_palette_leads_an_approver_to_their_own_drafts(team):
    draft = team.workspace.posts.draft(team.session("mia"), [EN], "Autumn colours are in.")

    async def steps(pilot):
        await press(pilot, "6")
        assert isinstance(pilot.app.screen, ComposeScreen)
        await press(pilot, "ctrl+p")
        await pilot.press(*"my posts")
        await pilot.pause(0.3)
        await press(pilot, "enter")
        screen = pilot.app.screen
        assert isinstance(screen, ApprovalsScreen) and screen.view == MINE   # an approver starts on the queue
        assert screen.queue.ids == [draft.id]
        await press(pilot, "enter")
        assert isinstance(pilot.app.screen, ComposeScreen) and pilot.app.screen.form.post_id == draft.id

    run(team, "mia", steps)
