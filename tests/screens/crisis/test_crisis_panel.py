"""The Crisis panel (key 5) and crisis mode on every panel, driven by keys:
declare from the palette, freeze with one key from the inbox, work the runbook,
write notes, publish a holding statement, unfreeze and resolve with two
people, read a past crisis's report, the banner everywhere, and the inbox's
refusal of a reply by someone who is not a responder."""

from __future__ import annotations

import asyncio
import re
import time
from datetime import timedelta

from textual.command import CommandPalette
from textual.widgets import Select

from console.crisis import STEP_DONE, STEP_NA
from console.paths import workspace_paths
from console.workspace import Workspace
from screens.crisis.prompts import AnswerScreen, DeclarePrompt, ReportScreen
from screens.crisis.screen import CrisisScreen
from screens.inbox.screen import InboxScreen
from screens.widgets.code_entry import StepUpPrompt
from screens.widgets.prompts import ConfirmPrompt, TextEditor, TextPrompt
from tests.console.crisis.crisis_fixtures import EN, TEAM
from tests.console.identity_fixtures import People
from tests.screens.crisis.crisis_helpers import (banner, crisis_app, give_code, go_to_row, message, press, shown,
                                                type_in)
from tests.screens.helpers import settle
from tests.screens.session_helpers import fill

#: Past this, the code given at login no longer passes a high-risk action.
STALE = {"minutes": 6}


def declare_3(room, name: str = "mia"):
    return room.crisis.declare(room.as_(name), 3, "Recall of the Ridgeline jacket", "lot 42 fails the seam test")


def test_declare_from_the_palette_asks_for_a_fresh_code_and_shows_the_freeze(room, clock):
    room.scheduled(1)
    app = crisis_app(room, "mia")
    clock.advance(**STALE)

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "ctrl+p")
            assert isinstance(app.screen, CommandPalette)
            await pilot.press(*"declare a crisis")
            await pilot.pause(0.3)
            await press(pilot, "enter")
            assert isinstance(app.screen, DeclarePrompt)
            await press(pilot, "enter", "down", "down", "down", "enter")      # the level list: 3 crisis
            assert app.screen.query_one("#declare-level", Select).value == 3
            await press(pilot, "ctrl+s")                                       # nothing typed yet: it says what
            assert isinstance(app.screen, DeclarePrompt)
            assert "title" in shown(app)
            await fill(pilot, "#declare-title", "Recall of the Ridgeline jacket")
            await fill(pilot, "#declare-reason", "lot 42 fails the seam test")
            await fill(pilot, "#declare-scope", "@northwind_es nowhere")
            await press(pilot, "enter")
            assert "'nowhere' is neither an account nor a region" in shown(app)
            await fill(pilot, "#declare-scope", "@northwind_es")
            await press(pilot, "enter")
            assert room.crisis.active() is None                                # not before the fresh code
            await give_code(pilot, room, "mia")
            assert isinstance(app.screen, AnswerScreen)
            answer = shown(app)
            assert "Declared c-" in answer and "held 1 scheduled post" in answer
            crisis = room.crisis.active()
            assert (crisis.severity, crisis.title, crisis.accounts) == (3, "Recall of the Ridgeline jacket",
                                                                        ("sandbox:northwind_es",))
            assert ("mia", "crisis.declare", f"crisis/{crisis.id}") in room.audit("crisis.declare")
            await press(pilot, "escape")
            assert "CRISIS 3 00:00 FROZEN" in shown(app)                       # the status bar
            assert banner(app) == "CRISIS 3 crisis · 00:00 · FROZEN · runbook 0/4 steps · Recall of the Ridgeline jacket"

    asyncio.run(main())


def test_f9_freezes_from_the_inbox_after_a_fresh_code_and_names_what_it_held(room, clock):
    room.crisis.declare(room.as_("mia"), 1, "Rumour about the jacket", "a thread is growing")   # level 1: no freeze
    room.scheduled(1)
    room.scheduled(2)
    app = crisis_app(room, "mia")
    clock.advance(**STALE)

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert "not frozen" in banner(app)
            await press(pilot, "f9")
            assert isinstance(app.screen, StepUpPrompt)
            assert "schedule.freeze" in shown(app)
            assert not room.crisis.freezes()
            await give_code(pilot, room, "mia")
            assert isinstance(app.screen, AnswerScreen)
            answer = shown(app)
            assert "Publishing frozen at" in answer and "held 2 scheduled posts" in answer
            assert "Unfreezing needs two people" in answer
            assert len(room.crisis.freezes()) == 1
            await press(pilot, "escape")
            assert isinstance(app.screen, InboxScreen)
            assert "FROZEN" in banner(app) and "not frozen" not in banner(app)
            assert re.search(r"CRISIS 1 00:\d\d FROZEN", shown(app))

    asyncio.run(main())


def test_f9_is_not_offered_to_someone_who_may_not_freeze(room):
    app = crisis_app(room, "rita")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "f9")
            assert isinstance(app.screen, InboxScreen)
            assert not room.crisis.freezes()
            assert "F9" not in shown(app)

    asyncio.run(main())


def test_runbook_steps_are_marked_done_with_a_note_and_not_applicable_with_a_reason(room, clock):
    declared = declare_3(room)
    first, second = declared.crisis.steps[0], declared.crisis.steps[1]
    app = crisis_app(room, "mia")
    clock.advance(minutes=10)                     # the first step (due after 5 minutes) is overdue now

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5")
            assert isinstance(app.screen, CrisisScreen)
            assert "! OVERDUE" in shown(app)                      # a symbol and a word, not colour alone
            await go_to_row(pilot, "step", first.id)
            await press(pilot, "d")
            assert isinstance(app.screen, TextPrompt)
            await type_in(pilot, "status bar says FROZEN on every session")
            step = room.crisis.active().step(first.id)
            assert (step.state, step.by, step.note) == (STEP_DONE, "mia", "status bar says FROZEN on every session")
            assert step.late
            assert "(late)" in message(app)
            await go_to_row(pilot, "step", second.id)
            await press(pilot, "x")
            await type_in(pilot, "")                              # n/a needs a reason: the prompt stays
            assert isinstance(app.screen, TextPrompt) and "Say why" in shown(app)
            await type_in(pilot, "legal already knows")
            assert room.crisis.active().step(second.id).state == STEP_NA
            assert "✔ done" in shown(app) and "– n/a" in shown(app)
            assert "2/4 steps" in banner(app)
            await go_to_row(pilot, "step", first.id)
            await press(pilot, "d", "enter")                      # already done: the service says by whom
            assert "already marked done by mia" in message(app)

    asyncio.run(main())


def test_a_note_and_a_note_told_to_everyone(room):
    declare_3(room)
    app = crisis_app(room, "mia")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5", "n")
            await type_in(pilot, "Ana leads; legal is in the room")
            await press(pilot, "N")
            await type_in(pilot, "No replies on @northwind_es until 11:00")
            notes = room.crisis.active().notes
            assert [(n.by, n.text, n.announced) for n in notes] == [
                ("mia", "Ana leads; legal is in the room", False),
                ("mia", "No replies on @northwind_es until 11:00", True)]
            assert any("No replies on @northwind_es until 11:00" in text for text in room.unread("rita"))
            assert not any("Ana leads" in text for text in room.unread("rita"))
            assert "Ana leads; legal is in the room" in shown(app)   # the log under the list

    asyncio.run(main())


def test_a_holding_statement_is_submitted_on_the_crisis_route_after_a_fresh_code(room, clock):
    declare_3(room)
    app = crisis_app(room, "mia")
    clock.advance(**STALE)

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5")
            screen = app.screen
            recall = next(c.asset.id for c in screen.page.statements if "recall" in c.asset.tags)
            await go_to_row(pilot, "statement", recall)
            await press(pilot, "p")
            assert isinstance(app.screen, TextPrompt)
            await type_in(pilot, "@northwind")
            await give_code(pilot, room, "mia")
            assert isinstance(app.screen, CrisisScreen)
            statements = room.crisis.active().statements
            assert [(s.asset_id, s.accounts, s.by) for s in statements] == [(recall, (EN,), "mia")]
            post = room.workspace.posts.get(statements[0].post_id)
            assert post.route.name == "crisis statement"
            assert f"Submitted {post.id} on the crisis route" in message(app)
            assert any(row.kind == "info" and f"sent {post.id}" in row.text.plain and "waits for approval"
                       in row.text.plain for row in app.screen.rows)

    asyncio.run(main())


def test_unfreeze_is_asked_by_one_person_and_confirmed_by_a_second_in_another_session(room, clock):
    declare_3(room)
    held = room.scheduled(1, minutes=5)
    later = room.scheduled(2, minutes=6)
    clock.advance(minutes=10)                     # its time passes while frozen: it misses it
    room.publish_round()
    # A second console on the same store, as another process would open it.
    other = Workspace.open(workspace_paths(), clock=clock, operator="max")
    max_session = People(other, clock).login("max")
    mia_app = crisis_app(room, "mia")

    async def main():
        async with mia_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5", "u")
            await type_in(pilot, "the recall notice is out")
            request = room.crisis.request()
            assert (request.kind, request.by) == ("unfreeze", "mia")
            assert "WAITING for a second person" in shown(mia_app)
            await press(pilot, "c", "y")                       # the asker cannot confirm
            assert "a second person must confirm it" in message(mia_app)
            assert room.crisis.freezes()

        from tests.screens.session_helpers import session_app

        max_app = session_app(other, max_session)
        async with max_app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5", "g")                          # g reads the store now (else the poll does)
            assert "unfreeze of" in shown(max_app) and "asked by mia" in shown(max_app)
            await press(pilot, "c")
            assert isinstance(max_app.screen, ConfirmPrompt)
            await press(pilot, "y")
            assert isinstance(max_app.screen, AnswerScreen)
            answer = shown(max_app)
            assert "Unfrozen: asked by mia, confirmed by max" in answer
            assert held.id in answer and later.id in answer and "reschedule or drop" in answer
            await press(pilot, "escape")
            assert not other.crisis.freezes()
            missed = {row.key.split("|")[0] for row in max_app.screen.rows if row.kind == "missed"}
            assert missed == {held.id, later.id}
            await go_to_row(pilot, "missed", f"{held.id}|{EN}")
            await press(pilot, "X", "y")
            assert f"Dropped {held.id}" in message(max_app)
            await go_to_row(pilot, "missed", f"{later.id}|{EN}")
            await press(pilot, "t")
            await type_in(pilot, "2h")
            assert f"Rescheduled {later.id}" in message(max_app)
            assert other.scheduling.get(later.id).targets[EN].at == clock() + timedelta(hours=2)
            assert not other.crisis.missed_posts()
        room.workspace.store.refresh()
        unfreezes = [(actor, action) for actor, action, _ in room.audit("crisis.unfreeze")]
        assert unfreezes == [("mia", "crisis.unfreeze_requested"), ("max", "crisis.unfreeze")]

    try:
        asyncio.run(main())
    finally:
        other.close()


def test_resolve_with_two_people_then_read_the_past_crisis_report(room, clock):
    declared = declare_3(room)
    app = crisis_app(room, "mia")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5", "R")
            await type_in(pilot, "recall notice out, sentiment back to normal")
            assert room.crisis.request().kind == "resolve"
            room.crisis.confirm(room.as_("max"))                  # the second person, from their own console
            app.refresh_crisis()
            await settle(pilot)
            assert room.crisis.active() is None
            assert banner(app) == ""
            assert "CRISIS" not in shown(app).splitlines()[0]
            text = shown(app)
            assert "Past crises" in text and "Recall of the Ridgeline jacket" in text and "3 crisis" in text
            assert "D Declare" in text
            await go_to_row(pilot, "past", declared.crisis.id)
            await press(pilot, "enter")
            assert isinstance(app.screen, ReportScreen)
            report = app.screen.markdown
            assert report.startswith(f"# Crisis {declared.crisis.id}: Recall of the Ridgeline jacket")
            assert "asked by mia, confirmed by max" in report
            assert "# Crisis" in shown(app)                       # Markdown shown as it is: plain text
            await press(pilot, "escape")
            assert isinstance(app.screen, CrisisScreen)

    asyncio.run(main())


def test_the_banner_and_status_bar_show_in_inbox_calendar_and_approvals_after_another_process_declares(
        room, clock):
    app = crisis_app(room, "mia")
    other = Workspace.open(workspace_paths(), clock=clock, operator="max")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert banner(app) == ""
            other.crisis.declare(People(other, clock).login("max"), 3, "Recall of the Ridgeline jacket",
                                 "lot 42 fails the seam test")
            app.refresh_store()                                   # what the poll does twice a second
            await settle(pilot)
            for key in ("1", "3", "2"):
                await press(pilot, key)
                lines = shown(app).splitlines()
                assert "CRISIS 3 00:00 FROZEN" in lines[0], key
                assert lines[1].strip().startswith("CRISIS 3 crisis · 00:00 · FROZEN · runbook 0/4 steps · Recall"), key
            await press(pilot, "1")
            lines = shown(app).splitlines()
            assert "Age" in lines[2] and "Message" in lines[2]   # the inbox's header still right under it

    try:
        asyncio.run(main())
    finally:
        other.close()


def test_the_poll_shows_another_process_s_declaration_within_a_second(room, clock):
    app = crisis_app(room, "mia", poll_seconds=0.5)
    other = Workspace.open(workspace_paths(), clock=clock, operator="max")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            other.crisis.declare(People(other, clock).login("max"), 2, "Outage of the store", "checkout fails")
            started = time.monotonic()
            while not banner(app) and time.monotonic() - started < 3:
                await pilot.pause(0.05)
            assert banner(app).startswith("CRISIS 2 incident · 00:00 · FROZEN")
            assert banner(app).endswith("Outage of the store")
            assert time.monotonic() - started < 1.2

    try:
        asyncio.run(main())
    finally:
        other.close()


def test_a_reply_by_someone_who_is_not_a_responder_is_refused_with_the_reason(room):
    item = room.item(1, EN)
    declare_3(room)                                   # level 3: only owners, admins and managers reply
    assert TEAM["rita"] == "responder"
    app = crisis_app(room, "rita")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "r")
            assert isinstance(app.screen, TextEditor)
            assert "Not allowed to reply: sandbox:northwind_en is affected by crisis" in shown(app)
            assert "only its responders reply there" in app.screen.intro.plain   # before anything is typed
            app.screen.query_one("TextArea").insert("We are on it")
            await press(pilot, "ctrl+s")
            assert isinstance(app.screen, InboxScreen)
            assert "only its responders reply there" in message(app)
            assert room.workspace.inbox.get(item).replies == ()

    asyncio.run(main())


def test_j_and_k_stop_at_the_ends_of_the_list_and_skip_headings(room):
    declare_3(room)
    app = crisis_app(room, "mia")

    async def main():
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await press(pilot, "5")
            screen = app.screen
            selectable = [index for index, row in enumerate(screen.rows) if row.selectable]
            await press(pilot, *"j" * (len(screen.rows) + 3))
            assert screen.work_list.highlighted == selectable[-1]          # not back on the first step
            await press(pilot, *"k" * (len(screen.rows) + 3))
            assert screen.work_list.highlighted == selectable[0]
            await press(pilot, "up")
            assert screen.work_list.highlighted == selectable[0]

    asyncio.run(main())
