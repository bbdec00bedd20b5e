"""The Compose panel, driven by keys: targets, text, live findings and counters,
versions per platform, images, saving, submitting and opening posts."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone

import pytest
from textual.widgets import Input

from console.posts import APPROVED, DRAFT, IN_REVIEW, POSTS
from screens.compose.images import AttachedImages, ImagePicker
from screens.compose.prompts import AcknowledgePrompt
from screens.widgets.prompts import ConfirmPrompt
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.compose.compose_data import (MASTODON_ACCOUNT, X_ACCOUNT, add_image, choose_targets, compose_app,
                                        fill_field, open_compose, prepare, write)
from tests.screens.helpers import screen_render, settle

ALICE = RoleActor("alice", "manager")
TOMORROW = datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)


@pytest.fixture
def ready(workspace, memory_keyring):
    prepare(workspace)
    return workspace


@pytest.fixture
def staffed(ready, people):
    """bob, an active manager, can approve what alice submits."""
    people.add("bob", "manager")
    return ready


def run(coroutine) -> None:
    asyncio.run(coroutine)


def on_screen(pilot) -> str:
    return screen_render(pilot.app)[0]


def post_ids(workspace) -> list[str]:
    return [record["_key"] for record in workspace.store.records(POSTS)]


def test_typing_an_email_shows_a_privacy_finding_and_the_counter(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            await write(pilot, "Write to bob@example.com today")
            assert "privacy.email" in [f.rule_id for f in screen.result.findings]
            assert [(c.platform, c.used, c.limit) for c in screen.result.counters] == [("x", 30, 280)]
            text = on_screen(pilot)
            assert "privacy.email" in text and "“bob@example.com”" in text
            assert "x 30/280" in text and "1 error blocks submission" in text
            await write(pilot, "!")
            assert [c.used for c in screen.result.counters] == [31]
            assert "x 31/280" in on_screen(pilot)
    run(main())


def test_over_length_for_x_is_an_error_and_the_counter_shows_it(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            screen.editor.insert("a" * 290)
            await write(pilot, "b")
            (counter,) = screen.result.counters
            assert (counter.used, counter.limit, counter.over) == (291, 280, True)
            assert [f.rule_id for f in screen.result.errors] == ["length.x"]
            assert "x 291/280" in on_screen(pilot) and "length.x" in on_screen(pilot)
    run(main())


def test_space_toggles_targets_and_only_accounts_in_scope_are_listed(ready):
    na_only = RoleActor("nora", "editor", allowed=__import__("console.permissions", fromlist=["Scope"]).Scope(
        regions=frozenset({"NA"})))

    async def main():
        async with compose_app(ready, na_only).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            listed = [a.account_id for a in screen.query_one("#compose-targets").accounts]
            assert listed == ["sandbox:northwind_en", MASTODON_ACCOUNT, X_ACCOUNT]
            await choose_targets(pilot, X_ACCOUNT, "sandbox:northwind_en")
            assert screen.form.targets == [X_ACCOUNT, "sandbox:northwind_en"]
            assert [c.platform for c in screen.result.counters] == ["x", "sandbox"]
            await pilot.press("home", "space")   # unchecks the sandbox account again
            await settle(pilot)
            assert screen.form.targets == [X_ACCOUNT]
            assert "[x] @northwind_x" in on_screen(pilot) and "[ ] @northwind " in on_screen(pilot)
    run(main())


def test_the_x_counter_follows_the_x_version(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT, MASTODON_ACCOUNT)
            screen.editor.insert("Our winter range is here. " * 12)   # 312 characters
            await write(pilot, "!")
            assert {c.platform: c.over for c in screen.result.counters} == {"x": True, "mastodon": False}
            await pilot.press("ctrl+r")   # the x version (the first target's platform)
            assert screen.slot == "x" and screen.editor.text == ""
            await write(pilot, "Winter is here!")
            assert screen.form.variants == {"x": "Winter is here!"}
            assert screen.form.text.endswith("!") and len(screen.form.text) == 313
            counters = {c.platform: c.used for c in screen.result.counters}
            assert counters == {"x": 15, "mastodon": 313}
            assert not screen.result.errors
            await pilot.press("ctrl+r", "ctrl+r")   # mastodon, then back to the main text
            assert screen.slot == "" and len(screen.editor.text) == 313
    run(main())


def test_attach_an_approved_image_and_detach_it(ready, tmp_path):
    usable = add_image(ready, tmp_path, "Red jacket on a hill", "A hiker in a red jacket at sunrise")
    add_image(ready, tmp_path, "Pending shot", "Not approved yet", approve=False, shade=2)

    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            await pilot.press("ctrl+g")
            await settle(pilot)
            picker = pilot.app.screen
            assert isinstance(picker, ImagePicker)
            assert [i.asset_id for i in picker.images] == [usable.id]   # the pending one is not offered
            await pilot.press("enter")
            await settle(pilot)
            assert screen.form.asset_ids == (usable.id,)
            assert "alt: A hiker in a red jacket" in on_screen(pilot)
            assert screen._checked_draft.attachments[0].alt_text == "A hiker in a red jacket at sunrise"
            assert "a11y.alt_text" not in [f.rule_id for f in screen.result.findings]
            screen.query_one(AttachedImages).focus()
            await pilot.press("x")
            await settle(pilot)
            assert screen.form.asset_ids == ()
    run(main())


def test_save_draft_creates_a_post_with_everything_in_the_form(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT, MASTODON_ACCOUNT)
            await write(pilot, "Our winter range is here #ad")
            await pilot.press("ctrl+r")
            await write(pilot, "Winter is here #ad")
            await fill_field(pilot, "#compose-tags", "Promo, launch")
            await fill_field(pilot, "#compose-when", "2026-11-27 15:00")
            assert "Local time: 10:00 New York" in on_screen(pilot)
            await pilot.press("ctrl+s")
            await settle(pilot)
            (post_id,) = post_ids(ready)
            post = ready.posts.get(post_id)
            assert post.author == "alice" and post.status == DRAFT
            assert post.targets == (X_ACCOUNT, MASTODON_ACCOUNT)
            assert post.text == "Our winter range is here #ad" and post.variants == {"x": "Winter is here #ad"}
            assert post.tags == ("promo", "launch") and post.proposed_at == TOMORROW
            assert screen.form.post_id == post_id and not screen.form.dirty
            assert f"{post_id} · draft · saved" in on_screen(pilot)
            await write(pilot, "!")   # the editor still shows the x version
            await pilot.press("ctrl+s")
            await settle(pilot)
            post = ready.posts.get(post_id)
            assert post.revision == 2 and post.variants == {"x": "Winter is here #ad!"}
            assert post_ids(ready) == [post_id]
    run(main())


async def _write_submittable(pilot, text: str) -> None:
    await choose_targets(pilot, X_ACCOUNT)
    await write(pilot, text)
    await fill_field(pilot, "#compose-when", "2026-11-27 15:00")


def test_submit_with_a_warning_asks_for_acknowledgement_and_records_it(staffed):
    async def main():
        async with compose_app(staffed).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await _write_submittable(pilot, "We guarantee a warm winter")
            assert [f.rule_id for f in screen.result.warnings] == ["brand.banned"]
            await pilot.press("ctrl+o")
            await settle(pilot)
            prompt = pilot.app.screen
            assert isinstance(prompt, AcknowledgePrompt)
            assert [w.rule_id for w in prompt.warnings] == ["brand.banned"]
            assert "“guarantee”" in on_screen(pilot)
            await pilot.press("y")
            await settle(pilot)
            (post_id,) = post_ids(staffed)
            post = staffed.posts.get(post_id)
            assert post.status == IN_REVIEW
            assert [(a.rules, a.by) for a in post.acknowledgements] == [(("brand.banned",), "alice")]
            assert screen.form.status == IN_REVIEW
            assert f"Submitted {post_id} for approval: any manager · 1 warning acknowledged." in on_screen(pilot)
            assert "In review: saving a change sends it back" in on_screen(pilot)
            actions = [e["action"] for e in staffed.audit.events()]
            assert "post.acknowledge" in actions and "post.submit" in actions
    run(main())


def test_declining_the_acknowledgement_submits_nothing(staffed):
    async def main():
        async with compose_app(staffed).run_test(size=(80, 24)) as pilot:
            await open_compose(pilot)
            await _write_submittable(pilot, "We guarantee a warm winter")
            await pilot.press("ctrl+o")
            await settle(pilot)
            await pilot.press("n")
            await settle(pilot)
            (post_id,) = post_ids(staffed)
            assert staffed.posts.get(post_id).status == DRAFT
            assert "not acknowledged" in on_screen(pilot)
    run(main())


def test_submit_with_an_error_is_refused_and_nothing_is_submitted(staffed):
    async def main():
        async with compose_app(staffed).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await _write_submittable(pilot, "The cheapest jackets in town")
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert not isinstance(pilot.app.screen, AcknowledgePrompt)
            (post_id,) = post_ids(staffed)
            post = staffed.posts.get(post_id)
            assert post.status == DRAFT and post.route is None
            assert screen.form.status == DRAFT
            assert "Submission blocked: fix the 1 error in the findings" in on_screen(pilot)
    run(main())


def test_f8_selects_the_offending_words(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await choose_targets(pilot, X_ACCOUNT)
            await write(pilot, "Hello\nwrite to bob@example.com")
            await pilot.press("f8")
            assert screen.editor.selected_text == "bob@example.com"
    run(main())


def test_open_an_existing_post_and_edit_it(ready):
    post = ready.posts.draft(ALICE, [X_ACCOUNT], "First words", tags=["launch"], proposed_at=TOMORROW)

    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.open_post(post.id)
            await settle(pilot)
            assert screen.editor.text == "First words" and screen.form.targets == [X_ACCOUNT]
            assert screen.query_one("#compose-tags", Input).value == "launch"
            assert screen.query_one("#compose-when", Input).value == "2026-11-27 15:00"
            assert not screen.form.dirty
            screen.editor.move_cursor(screen.editor.document.end)
            await write(pilot, ", edited")
            await pilot.press("ctrl+s")
            await settle(pilot)
            edited = ready.posts.get(post.id)
            assert edited.text == "First words, edited" and edited.revision == 2
    run(main())


def test_editing_an_approved_post_warns_and_sends_it_back_to_the_first_stage(staffed):
    post = staffed.posts.draft(ALICE, [X_ACCOUNT], "Ready words", proposed_at=TOMORROW)
    post = staffed.posts.submit(ALICE, post.id)
    post = staffed.approvals.approve(RoleActor("bob", "manager"), post.id)
    assert post.status == APPROVED

    async def main():
        async with compose_app(staffed).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.open_post(post.id)
            await settle(pilot)
            assert "saving a change sends it back to the first approval stage" in on_screen(pilot)
            await write(pilot, "Changed: ")
            await pilot.press("ctrl+s")
            await settle(pilot)
            edited = staffed.posts.get(post.id)
            assert edited.status == IN_REVIEW and edited.stage == 0 and edited.approvals == ()
            assert f"Saved {post.id}: back to approval stage 1" in on_screen(pilot)
    run(main())


def test_unsaved_changes_survive_switching_panels_and_are_asked_about(ready):
    async def main():
        async with compose_app(ready).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            await write(pilot, "Half a thought")
            await pilot.press("escape", "1")   # leave the editor, go to the inbox
            await settle(pilot)
            assert pilot.app.screen is not screen
            await pilot.press("6")
            await settle(pilot)
            assert pilot.app.screen is screen and screen.editor.text == "Half a thought"
            await pilot.press("ctrl+n")
            await settle(pilot)
            assert isinstance(pilot.app.screen, ConfirmPrompt)
            await pilot.press("n")
            await settle(pilot)
            assert screen.editor.text == "Half a thought"
            await pilot.press("ctrl+n", "y")
            await settle(pilot)
            assert screen.editor.text == "" and screen.form.blank
    run(main())


def test_without_post_submit_the_submit_key_is_off_and_without_post_draft_the_panel_is(ready):
    contributor = RoleActor("carl", "contributor")   # drafts only

    async def main():
        async with compose_app(ready, contributor).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            assert "Submit" not in on_screen(pilot)
            await _write_submittable(pilot, "A calm post")
            await pilot.press("ctrl+o")
            await settle(pilot)
            assert post_ids(ready) == [] and screen.form.post_id is None

    run(main())
    responder = compose_app(ready, RoleActor("rita", "responder"))
    from screens.panels import panel_named
    assert not responder.may_open(panel_named("compose"))


def test_a_rejected_post_is_not_opened_for_editing(staffed):
    post = staffed.posts.draft(ALICE, [X_ACCOUNT], "Rejected words", proposed_at=TOMORROW)
    staffed.posts.submit(ALICE, post.id)
    staffed.approvals.reject(RoleActor("bob", "manager"), post.id, "off brand")

    async def main():
        async with compose_app(staffed).run_test(size=(80, 24)) as pilot:
            screen = await open_compose(pilot)
            screen.open_post(post.id)
            await settle(pilot)
            assert screen.form.post_id is None and screen.editor.text == ""
            assert f"{post.id} is rejected and can no longer change" in on_screen(pilot)
    run(main())
