"""Pilot tests of the Inbox: keys in, state in the shared store out."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from console.inbox import REPLY_QUEUED, STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED
from screens.inbox.screen import InboxScreen
from tests.screens.helpers import quiet_app, settle
from tests.actors import RoleActor


def run(coroutine):
    return asyncio.run(coroutine)


def inbox_of(app) -> InboxScreen:
    assert isinstance(app.screen, InboxScreen)
    return app.screen


def message_of(app) -> str:
    return app.screen.query_one("#inbox-message").message


async def type_text(pilot, text: str) -> None:
    await pilot.press(*[{" ": "space", ",": "comma", "-": "minus", "!": "exclamation_mark",
                         ":": "colon", ".": "full_stop"}.get(c, c) for c in text])


def test_j_and_k_move_the_cursor_without_refiltering(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            ids = list(screen.inbox_list.ids)
            assert len(ids) == len(seeded)
            generation = screen._generation
            await pilot.press("j", "j", "down")
            assert screen.inbox_list.cursor_id == ids[3]
            await pilot.press("k", "up")
            assert screen.inbox_list.cursor_id == ids[1]
            await pilot.press("end")
            assert screen.inbox_list.cursor_id == ids[-1]
            await settle(pilot)
            assert screen._generation == generation  # moving never re-filters

    run(main())


def test_d_closes_and_u_reopens(workspace, seeded, clock):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            first, second = screen.inbox_list.ids[:2]
            await pilot.press("d")
            await settle(pilot)
            assert workspace.inbox.get(first).status == STATUS_CLOSED
            assert workspace.inbox.get(first).changed_by == "alice"
            assert first not in screen.inbox_list.ids
            assert screen.inbox_list.cursor_id == second  # the next item takes its place
            assert message_of(app).startswith("Closed")

            screen.show_status(STATUS_CLOSED)
            await settle(pilot)
            assert screen.inbox_list.ids == [first]
            await pilot.press("u")
            await settle(pilot)
            assert workspace.inbox.get(first).status == STATUS_OPEN
            assert screen.inbox_list.ids == []

    run(main())


def test_a_assigns_to_me_by_default_and_to_anyone_typed(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            target = screen.inbox_list.cursor_id
            await pilot.press("a", "enter")
            await settle(pilot)
            assert workspace.inbox.get(target).assignee == "alice"

            await pilot.press("a")  # the default is selected: typing replaces it
            await type_text(pilot, "carmen")
            await pilot.press("enter")
            await settle(pilot)
            assert workspace.inbox.get(target).assignee == "carmen"
            assert "carmen" in message_of(app)

    run(main())


def test_a_to_someone_not_on_the_team_keeps_the_prompt_open_with_why(workspace, seeded):
    """'nobody' was accepted and the item left the unassigned views with no owner."""
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            target = screen.inbox_list.cursor_id
            version = workspace.inbox.get(target).version
            await pilot.press("a")
            await type_text(pilot, "nobody")
            await pilot.press("enter")
            await settle(pilot)
            prompt = app.screen
            assert prompt is not screen  # still asking
            error = str(prompt.query_one(".prompt--error").render())
            assert "Cannot assign to 'nobody': no console user has that name" in error
            assert workspace.inbox.get(target).version == version

            await pilot.press(*["backspace"] * 6)
            await type_text(pilot, "carmen")
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen
            assert workspace.inbox.get(target).assignee == "carmen"

    run(main())


def test_t_tags_and_minus_removes(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = inbox_of(app).inbox_list.cursor_id
            await pilot.press("t")
            await type_text(pilot, "vip, refund")
            await pilot.press("enter")
            await settle(pilot)
            assert workspace.inbox.get(target).tags == ("vip", "refund")
            await pilot.press("t")
            await type_text(pilot, "-vip")
            await pilot.press("enter")
            await settle(pilot)
            assert workspace.inbox.get(target).tags == ("refund",)

    run(main())


def test_s_snoozes_and_a_bad_time_keeps_the_prompt_open(workspace, seeded, clock):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            target = screen.inbox_list.cursor_id
            await pilot.press("s")
            await type_text(pilot, "soonish")
            await pilot.press("enter")
            await settle(pilot)
            prompt = app.screen
            assert prompt is not screen  # still asking
            error = prompt.query_one(".prompt--error")
            assert "cannot read 'soonish'" in str(error.render())
            await pilot.press(*["backspace"] * 7)
            await type_text(pilot, "2h")
            await pilot.press("enter")
            await settle(pilot)
            item = workspace.inbox.get(target)
            assert item.status == STATUS_SNOOZED
            assert item.snoozed_until == clock.now + timedelta(hours=2)
            assert target not in screen.inbox_list.ids

    run(main())


def test_r_typing_and_ctrl_s_queues_a_reply(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = inbox_of(app).inbox_list.cursor_id
            await pilot.press("r")
            await type_text(pilot, "Sorry, on it.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            replies = workspace.inbox.get(target).replies
            assert [(r.text, r.status, r.by) for r in replies] == [("Sorry, on it.", REPLY_QUEUED, "alice")]
            assert "queued" in message_of(app)

    run(main())


def test_escape_keeps_the_reply_draft_for_the_same_item(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = inbox_of(app).inbox_list.cursor_id
            await pilot.press("r")
            await type_text(pilot, "Half a")
            await pilot.press("escape")
            await settle(pilot)
            assert workspace.inbox.get(target).replies == ()
            await pilot.press("r")
            await type_text(pilot, " thought")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert workspace.inbox.get(target).replies[0].text == "Half a thought"

    run(main())


def test_n_adds_an_internal_note(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = inbox_of(app).inbox_list.cursor_id
            await pilot.press("n")
            await type_text(pilot, "Called them.")
            await pilot.press("ctrl+s")
            await settle(pilot)
            notes = workspace.inbox.get(target).notes
            assert [(n.text, n.by) for n in notes] == [("Called them.", "alice")]
            assert workspace.inbox.get(target).replies == ()  # a note is never sent

    run(main())


def test_x_selects_and_d_closes_the_selection(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            first, second, third = screen.inbox_list.ids[:3]
            await pilot.press("x", "x")  # x selects and moves down
            assert screen.inbox_list.selected_ids == [first, second]
            assert screen.inbox_list.cursor_id == third
            await pilot.press("d")
            await settle(pilot)
            assert workspace.inbox.get(first).status == STATUS_CLOSED
            assert workspace.inbox.get(second).status == STATUS_CLOSED
            assert workspace.inbox.get(third).status == STATUS_OPEN
            assert screen.inbox_list.selected_ids == []
            assert message_of(app) == "Closed 2 items"

    run(main())


def test_escape_clears_the_selection_then_the_filter(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            screen.show_unassigned()
            await settle(pilot)
            await pilot.press("x")
            await pilot.press("escape")
            assert screen.inbox_list.selected_ids == []
            assert screen.filter.assignee == "-"
            await pilot.press("escape")
            await settle(pilot)
            assert screen.filter.assignee == ""
            assert len(screen.inbox_list.ids) == len(seeded)

    run(main())


def test_slash_filter_narrows_the_list(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            await pilot.press("slash")
            await type_text(pilot, "zipper")
            await pilot.press("enter")
            await settle(pilot)
            ids = screen.inbox_list.ids
            assert 0 < len(ids) < len(seeded)
            assert all("zipper" in workspace.inbox.get(i).text for i in ids)
            assert '"zipper"' in screen.filter.describe()

    run(main())


def test_filter_toggles_show_breached_and_mine(workspace, seeded, clock):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            await pilot.press("slash", "tab", "tab", "space", "enter")  # text, status, [Breached only]
            await settle(pilot)
            assert screen.filter.breached is True
            ids = screen.inbox_list.ids
            assert ids and all(workspace.inbox.get(i).is_breached(clock.now) for i in ids)
            screen.show_mine()
            await settle(pilot)
            assert [workspace.inbox.get(i).assignee for i in screen.inbox_list.ids] == ["alice"]

    run(main())


def test_a_conflict_from_another_process_is_shown_and_nothing_is_overwritten(workspace, seeded,
                                                                             open_workspace):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24), notifications=True) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            target = screen.inbox_list.cursor_id
            bob = open_workspace("bob")  # another operator's process on the same SOCOPS_HOME
            bob.inbox.assign(target, "bob", actor=RoleActor("bob", "manager"))

            await pilot.press("d")
            await settle(pilot)
            bob.inbox.refresh()
            item = bob.inbox.get(target)
            assert item.status == STATUS_OPEN and item.assignee == "bob"  # bob's change stands
            message = message_of(app)
            assert "by bob" in message and "nothing was overwritten" in message
            assert screen.query_one("#inbox-message").severity == "error"
            assert any("by bob" in str(n.message) for n in app._notifications)
            # The list now shows bob's version, so trying again works.
            assert workspace.inbox.get(target).assignee == "bob"
            await pilot.press("d")
            await settle(pilot)
            bob.inbox.refresh()
            assert bob.inbox.get(target).status == STATUS_CLOSED

    run(main())


def test_a_change_by_another_process_appears_after_refresh(workspace, seeded, open_workspace):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            cursor = screen.inbox_list.cursor_id
            closed = screen.inbox_list.ids[3]
            bob = open_workspace("bob")
            bob.inbox.close(closed, actor=RoleActor("bob", "manager"))
            bob.inbox.assign(cursor, "bob", actor=RoleActor("bob", "manager"))
            await pilot.press("g")
            await settle(pilot)
            assert closed not in screen.inbox_list.ids
            assert screen.inbox_list.cursor_id == cursor  # the cursor stays on its item
            assert workspace.inbox.get(cursor).assignee == "bob"

    run(main())


def test_polling_shows_another_process_change_within_a_second(workspace, seeded, open_workspace):
    async def main():
        app = quiet_app(workspace, poll_seconds=0.5)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            closed = screen.inbox_list.ids[0]
            open_workspace("bob").inbox.close(closed, actor=RoleActor("bob", "manager"))
            for _ in range(20):
                await pilot.pause(0.05)
                if closed not in screen.inbox_list.ids:
                    break
            await settle(pilot)
            assert closed not in screen.inbox_list.ids

    run(main())


def test_enter_toggles_the_reading_layout(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            list_height = screen.inbox_list.size.height
            await pilot.press("enter")
            await pilot.pause()
            assert screen.has_class("-reading")
            assert screen.inbox_list.size.height < list_height
            assert screen.thread_view.size.height > list_height
            await pilot.press("escape")
            await pilot.pause()
            assert not screen.has_class("-reading")

    run(main())


def test_keys_typed_into_a_prompt_are_text_not_commands(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = inbox_of(app)
            target = screen.inbox_list.cursor_id
            await pilot.press("n")
            await pilot.press("question_mark", "1", "j", "d", "slash", "x")
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert app.screen is screen
            item = workspace.inbox.get(target)
            assert [n.text for n in item.notes] == ["?1jd/x"]
            assert item.status == STATUS_OPEN

    run(main())


def test_a_viewer_sees_no_triage_keys_and_d_changes_nothing(workspace, seeded):
    async def main():
        app = quiet_app(workspace, RoleActor("victor", "viewer"))
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            footer_keys = {binding.action for (_, binding, enabled, _) in app.active_bindings.values()
                           if enabled}
            assert "done" not in footer_keys and "reply" not in footer_keys and "filter" in footer_keys
            target = inbox_of(app).inbox_list.cursor_id
            version = workspace.inbox.get(target).version
            await pilot.press("d")
            await settle(pilot)
            assert workspace.inbox.get(target).version == version

    run(main())
