"""Hidden characters in Compose: a pasted right-to-left override or BEL is shown in the
editor (never written to the terminal raw), reported by the live checks, selected by
F8, and saved exactly; a one-line field leaves them out and says so."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from textual import events
from textual.widgets import Input

from console.posts import DRAFT, IN_REVIEW, POSTS
from screens.compose.prompts import AcknowledgePrompt
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.compose.compose_data import X_ACCOUNT, choose_targets, compose_app, fill_field, open_compose, prepare
from tests.screens.helpers import foreign_controls, screen_render, settle

ALICE = RoleActor("alice", "manager")
TOMORROW = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)
RAW = ("\u202e", "\x07", "\x1b")
PASTED = "Prices from \u202e99.01$ this week\x07"


@pytest.fixture
def ready(workspace, memory_keyring, people):
    prepare(workspace)
    people.add("bob", "manager")
    return workspace


def run(coroutine) -> None:
    asyncio.run(coroutine)


async def paste(pilot, text: str) -> None:
    """As the terminal delivers a paste: to the app, which hands it to the focused widget."""
    pilot.app.post_message(events.Paste(text))
    await settle(pilot)


def editor_segments(editor) -> list[str]:
    """The text of every segment the editor renders, line by line."""
    return [segment.text for y in range(editor.size.height) for segment in editor.render_line(y)]


def test_a_pasted_override_and_bel_are_shown_never_written_raw_and_reported(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            screen.editor.focus()
            await paste(pilot, PASTED)
            editor = screen.editor
            assert editor.written_text == PASTED == screen.form.text      # the text as it will be saved
            assert editor.text == "Prices from ⟨U+202E⟩99.01$ this week␇"   # the text as it is shown

            segments = "".join(editor_segments(editor))
            assert "⟨U+202E⟩99.01$" in segments and "␇" in segments
            assert not any(ch in segments for ch in RAW)
            text, raw = screen_render(pilot.app)
            assert not any(ch in raw for ch in RAW[:2]) and foreign_controls(raw) == []

            assert [(f.rule_id, f.severity) for f in screen.result.findings] == [
                ("text.control", "error"), ("text.bidi", "warning")]
            assert "“␇”" in text and "right-to-left override, ⟨U+202E⟩," in text
            assert "1 error blocks submission" in text
            await pilot.press("f8")
            assert editor.selected_text == "␇"
            await pilot.press("f8")
            assert editor.selected_text == "⟨U+202E⟩"
    run(main())


def test_deleting_the_bel_then_submitting_acknowledges_the_override_and_keeps_it(ready):
    """What the writer saw is what goes to approval: the override, exactly, acknowledged."""
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            screen.editor.focus()
            await paste(pilot, PASTED)
            await fill_field(pilot, "#compose-when", "2026-11-27 15:00")
            screen.editor.focus()
            await pilot.press("f8", "backspace")                           # the selected ␇ goes
            await settle(pilot)
            assert screen.form.text == "Prices from \u202e99.01$ this week"
            assert [f.rule_id for f in screen.result.findings] == ["text.bidi"]
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert isinstance(pilot.app.screen, AcknowledgePrompt)
            assert "⟨U+202E⟩" in screen_render(pilot.app)[0]
            await pilot.press("y")
            await settle(pilot)
            (record,) = ready.store.records(POSTS)
            post = ready.posts.get(record["_key"])
            assert post.status == IN_REVIEW and post.text == "Prices from \u202e99.01$ this week"
            assert post.acknowledgements[0].rules == ("text.bidi",)
    run(main())


def test_a_post_drafted_with_hidden_characters_opens_as_stored_and_shown(ready):
    """A draft typed through the CLI with controls opens with them shown, not silently cleaned."""
    post = ready.posts.draft(ALICE, [X_ACCOUNT], "Hello \x1b[2Jthere \u202ereversed", proposed_at=TOMORROW)

    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.open_post(post.id)
            await settle(pilot)
            assert screen.editor.text == "Hello ␛[2Jthere ⟨U+202E⟩reversed"
            assert screen.form.text == post.text and not screen.form.dirty
            assert "text.control" in [f.rule_id for f in screen.result.errors]
            assert not any(ch in "".join(editor_segments(screen.editor)) for ch in RAW)
            screen.editor.move_cursor(screen.editor.document.end)
            await pilot.press("!", "ctrl+s")
            await settle(pilot)
            assert ready.posts.get(post.id).text == post.text + "!"       # nothing else changed
            assert ready.posts.get(post.id).status == DRAFT
    run(main())


def test_literal_pictures_typed_in_the_editor_stay_literal(ready):
    """Typing "␇" (the picture itself) saves the picture, not a BEL."""
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            screen.editor.focus()
            screen.editor.insert("␇")         # as typing it does (both go through TextArea.edit)
            await settle(pilot)
            assert screen.form.text == "␇" and screen.editor.text == "⟨U+2407⟩"
            assert screen.result.findings == ()
    run(main())


def test_a_one_line_field_leaves_pasted_hidden_characters_out_and_says_so(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24), notifications=True) as pilot:
            screen = await open_compose(pilot)
            tags = screen.query_one("#compose-tags", Input)
            tags.focus()
            await pilot.pause()
            await paste(pilot, "promo\u202e\x1b[5m")
            assert tags.value == "promo"
            text, raw = screen_render(pilot.app)
            assert "Left out the hidden characters" in text and "this field cannot show them" in text
            assert "⟨U+202E⟩" in text and "␛[5m" in text
            assert "\u202e" not in raw and foreign_controls(raw) == []
    run(main())
