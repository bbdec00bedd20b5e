"""The Approvals panel, driven by keys: an approver's queue, decisions with notes,
bulk approval of low-risk posts, the author's own view with notices, refusals,
conflicts, and the detail of a post (route, findings, diff after an edit).

Posts are made through the real services; the governance file of
``tests/screens/approvals_data.py`` routes low-risk posts to one manager and
high-risk posts (prices) to a manager, then legal.
"""

from __future__ import annotations

import asyncio

import pytest
from textual.widgets import Input

from console.posts import APPROVED, CHANGES_REQUESTED, IN_REVIEW, REJECTED, SelfApprovalRefused
from screens.approvals.screen import EMPTY_QUEUE, ApprovalsScreen
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import TextPrompt
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.approvals.approvals_data import Team, fixed_post_ids, governance_file  # noqa: F401
from tests.screens.helpers import foreign_controls, screen_render, settle
from tests.screens.session_helpers import session_app

LOW = "Our new trail jacket is here. Light, warm, packable."
HIGH = "Trail jacket sale: 20% off this weekend only."


@pytest.fixture
def team(governance_file, workspace, people, fixed_post_ids) -> Team:
    return Team(people)


def run(team: Team, user: str, steps) -> None:
    """Open the console as ``user`` at 80x24, go to the Approvals panel, run ``steps(pilot, screen)``."""

    async def main():
        app = session_app(team.workspace, team.session(user))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("2")
            await settle(pilot)
            assert isinstance(app.screen, ApprovalsScreen)
            await steps(pilot, app.screen)

    asyncio.run(main())


async def answer(pilot, text: str) -> None:
    """Type ``text`` into the open prompt and press Enter."""
    prompt = pilot.app.screen
    assert isinstance(prompt, TextPrompt)
    prompt.query_one(Input).value = text
    await pilot.press("enter")
    await settle(pilot)


def shown(pilot) -> str:
    return screen_render(pilot.app)[0]


def message(screen: ApprovalsScreen) -> str:
    return screen.query_one(MessageLine).message


def test_an_approver_approves_stage_by_stage(team):
    low = team.submit("mia", LOW)
    high = team.submit("mia", HIGH)
    posts = team.workspace.posts

    async def steps(pilot, screen):
        assert screen.queue.ids == [low.id, high.id]
        assert "1/2 manager" in shown(pilot) and "HIGH" in shown(pilot)
        await pilot.press("j", "a")
        await answer(pilot, "")                      # the note is optional
        assert posts.get(high.id).stage == 1 and posts.get(high.id).status == IN_REVIEW
        assert "now at 2/2 any legal" in message(screen)
        assert screen.queue.ids == [low.id]          # the legal stage is not max's
        await pilot.press("a")
        await answer(pilot, "Looks good")
        after = posts.get(low.id)
        assert after.status == APPROVED and after.approvals[-1].note == "Looks good"
        assert "ready to schedule" in message(screen)
        assert screen.queue.ids == [] and EMPTY_QUEUE[:40] in shown(pilot)

    run(team, "max", steps)

    async def legal(pilot, screen):
        assert screen.queue.ids == [high.id]
        await pilot.press("a")
        await answer(pilot, "")
        assert posts.get(high.id).status == APPROVED

    run(team, "lee", legal)


def test_reject_needs_a_note_and_the_author_is_told(team):
    post = team.submit("mia", LOW)

    async def steps(pilot, screen):
        await pilot.press("r")
        await answer(pilot, "   ")                   # blank: refused, the prompt stays
        assert isinstance(pilot.app.screen, TextPrompt)
        assert "A note is required" in shown(pilot)
        assert team.workspace.posts.get(post.id).status == IN_REVIEW
        await answer(pilot, "Wrong product photo")
        assert team.workspace.posts.get(post.id).status == REJECTED
        assert "Rejected" in message(screen)

    run(team, "max", steps)
    (notice,) = team.workspace.notices.unread("mia")
    assert "Wrong product photo" in notice.text


def test_request_changes_sends_the_post_back(team):
    post = team.submit("mia", LOW)

    async def steps(pilot, screen):
        await pilot.press("c")
        await answer(pilot, "")
        assert isinstance(pilot.app.screen, TextPrompt)   # a note is required here too
        await answer(pilot, "Say which jacket")
        assert team.workspace.posts.get(post.id).status == CHANGES_REQUESTED
        assert screen.queue.ids == []

    run(team, "max", steps)


def test_the_author_does_not_see_their_post_and_cannot_approve_it(team):
    post = team.submit("mia", LOW)

    async def steps(pilot, screen):
        assert screen.queue.ids == []
        assert EMPTY_QUEUE[:40] in shown(pilot)
        await pilot.press("v")                       # their own posts
        await settle(pilot)
        assert screen.queue.ids == [post.id] and "in review 1/1" in shown(pilot)
        await pilot.press("a")                       # no decisions in your own view
        await settle(pilot)
        assert pilot.app.screen is screen and "Approve" not in shown(pilot).splitlines()[-1]
        assert team.workspace.posts.get(post.id).status == IN_REVIEW

    run(team, "mia", steps)
    with pytest.raises(SelfApprovalRefused, match="nobody approves their own post"):
        team.workspace.approvals.approve(team.session("mia"), post.id)


def test_bulk_approve_approves_only_the_low_risk_posts(team):
    low = team.submit("mia", LOW)
    high = team.submit("mia", HIGH)

    async def steps(pilot, screen):
        await pilot.press("space", "space")          # select both (space moves down)
        assert screen.queue.selected_ids == [low.id, high.id]
        await pilot.press("A")
        await settle(pilot)
        posts = team.workspace.posts
        assert posts.get(low.id).status == APPROVED
        assert posts.get(high.id).status == IN_REVIEW and posts.get(high.id).stage == 0
        said = message(screen)
        assert "Approved 1 post" in said and f"{high.id} is high risk" in said
        assert screen.queue.ids == [high.id] and screen.queue.selected_ids == [high.id]

    run(team, "max", steps)


def test_a_post_changed_meanwhile_is_a_conflict_not_an_overwrite(team):
    post = team.submit("mia", LOW)

    async def steps(pilot, screen):
        assert screen.queue.ids == [post.id]
        # The author withdraws it (another session) while max looks at it.
        team.workspace.posts.withdraw(team.session("mia"), post.id)
        await pilot.press("a")
        await answer(pilot, "")
        assert "was changed by mia" in message(screen)
        assert team.workspace.posts.get(post.id).approvals == ()
        assert screen.queue.ids == []                # loaded again: no longer in review

    run(team, "max", steps)


def test_the_detail_shows_route_findings_and_the_diff_after_an_edit(team):
    post = team.submit("mia", "Eco-friendly jackets, price drop soon.", acknowledge=["brand.banned"])
    team.workspace.approvals.approve(team.session("max"), post.id)
    current = team.workspace.posts.get(post.id)
    team.workspace.posts.edit(team.session("mia"), post.id, expected_version=current.version,
                              text="Eco-friendly jackets, price drop on Friday.")

    async def steps(pilot, screen):
        await pilot.press("enter")                   # the reading layout
        await settle(pilot)
        whole = shown(pilot)
        assert "▶ 1 any manager — now" in whole and "· 2 any legal — waiting" in whole
        assert "revision 1 → 2" in whole
        await pilot.press("J")
        await settle(pilot)
        whole += shown(pilot)
        assert "-Eco-friendly jackets, price drop soon." in whole
        assert "+Eco-friendly jackets, price drop on Friday." in whole
        assert "~ warning brand.banned" in whole and "✓ acknowledged brand.banned by mia" in whole

    # Back at stage 1 after the edit: max, who approved revision 1, must approve again.
    run(team, "max", steps)


def test_mine_view_shows_notices_and_marks_them_read(team):
    post = team.submit("mia", LOW)
    team.workspace.approvals.reject(team.session("max"), post.id, "Off brand [bold]tone[/bold]")

    async def steps(pilot, screen):
        assert "1 notice (v)" in shown(pilot)
        await pilot.press("v")
        await settle(pilot)
        whole = shown(pilot)
        assert "Off brand [bold]tone[/bold]" in whole        # shown as typed, never markup
        assert "rejected" in whole
        assert team.workspace.notices.unread("mia") == []
        await pilot.press("v")
        await settle(pilot)
        assert "Notices" not in shown(pilot)

    run(team, "mia", steps)


def test_the_queue_follows_new_submissions(team):
    async def steps(pilot, screen):
        assert screen.queue.ids == []
        post = team.submit("mia", LOW)               # a write the store reports to listeners
        await settle(pilot)
        assert screen.queue.ids == [post.id]

    run(team, "max", steps)


def test_edit_opens_the_post_in_compose(team):
    post = team.submit("mia", LOW)

    async def steps(pilot, screen):
        await pilot.press("v")
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        from screens.compose.screen import ComposeScreen

        assert isinstance(pilot.app.screen, ComposeScreen)
        assert pilot.app.screen.form.post_id == post.id

    run(team, "mia", steps)


def test_a_post_past_its_time_is_refused_with_the_services_reason(team):
    post = team.submit("mia", LOW, hours=0.2)        # proposed 12 minutes from now

    async def steps(pilot, screen):
        assert screen.queue.ids == [post.id]
        team.clock.advance(minutes=13)               # too late now (the list has not looked again)
        await pilot.press("a")
        await answer(pilot, "")
        assert "passed before it was fully approved" in message(screen)
        assert team.workspace.posts.get(post.id).status == "expired"
        assert screen.queue.ids == []

    run(team, "max", steps)


def test_the_author_reads_why_their_post_came_back(team):
    post = team.submit("mia", LOW)
    team.workspace.approvals.request_changes(team.session("max"), post.id, "Name the [i]jacket[/i]")

    async def steps(pilot, screen):
        await pilot.press("v")
        await settle(pilot)
        assert "max asked for changes at" in shown(pilot)
        assert "Name the [i]jacket[/i]" in shown(pilot)

    run(team, "mia", steps)


def test_the_approver_sees_hidden_characters_where_they_are(team):
    """A post with a right-to-left override and a zero-width space (both acknowledged by
    the author): the approver's pane shows them as notations in the text, in the
    platform's text and in the diff, and writes neither to the terminal."""
    post = team.submit("mia", "Refund \u202e001$ for every jacket", acknowledge=["text.bidi"])
    current = team.workspace.posts.get(post.id)
    team.workspace.posts.edit(team.session("mia"), post.id, expected_version=current.version,
                              text="Refund \u202e001$ for every free\u200bjacket")
    team.workspace.posts.submit(team.session("mia"), post.id, acknowledge=["text.bidi", "text.invisible"])

    async def steps(pilot, screen):
        await pilot.press("enter")                   # the reading layout
        await settle(pilot)
        whole, raw = screen_render(pilot.app)
        for _ in range(3):
            await pilot.press("J")
            await settle(pilot)
            more, more_raw = screen_render(pilot.app)
            whole, raw = whole + more, raw + more_raw
        assert "Refund ⟨U+202E⟩001$ for every free⟨U+200B⟩jacket" in whole
        assert "+Refund ⟨U+202E⟩001$ for every free⟨U+200B⟩jacket" in whole     # the diff
        assert "~ warning text.bidi: a hidden right-to-left override, ⟨U+202E⟩, at line 1," in whole
        assert "✓ acknowledged text.bidi, text.invisible by mia" in whole
        assert "\u202e" not in raw and "\u200b" not in raw and foreign_controls(raw) == []

    run(team, "max", steps)


def test_the_approver_sees_hidden_characters_in_an_images_alt_text(team, tmp_path):
    from datetime import timedelta

    from tests.actors import RoleActor
    from tests.console.library_images import png

    path = tmp_path / "shop.png"
    path.write_bytes(png(shade=3))
    library = team.workspace.library
    asset = library.add_image(RoleActor("erin", "editor"), path, title="Shop", alt_text="Our shop\u202e on Main St")
    library.approve(RoleActor("olivia", "owner"), asset.id)
    mia, posts = team.session("mia"), team.workspace.posts
    draft = posts.draft(mia, ["sandbox:northwind_en"], "Visit us", assets=[asset.id],
                        proposed_at=team.clock() + timedelta(hours=6))
    posts.submit(mia, draft.id)

    async def steps(pilot, screen):
        await pilot.press("enter")
        await settle(pilot)
        whole, raw = screen_render(pilot.app)
        for _ in range(3):
            await pilot.press("J")
            await settle(pilot)
            more, more_raw = screen_render(pilot.app)
            whole, raw = whole + more, raw + more_raw
        assert "alt: Our shop⟨U+202E⟩ on Main St" in whole
        assert "\u202e" not in raw

    run(team, "max", steps)
