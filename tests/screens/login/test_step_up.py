"""The session's own refusals, fixed on the spot: idle lock, step-up, and running again."""

from __future__ import annotations

import asyncio

from textual.widgets import TextArea

from console.permissions import StepUpRequired
from screens.audit.screen import AuditScreen
from screens.inbox.screen import InboxScreen
from screens.widgets.code_entry import LockScreen, StepUpPrompt
from screens.audit.export_prompt import ExportRequest
from screens.widgets.prompts import TextEditor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, form_error, session_app


async def _write_reply(pilot, text: str) -> None:
    await pilot.press("r")
    await settle(pilot)
    assert isinstance(pilot.app.screen, TextEditor)
    pilot.app.screen.query_one(TextArea).insert(text)
    await pilot.pause()


async def _unlock(pilot, code: str) -> None:
    await fill(pilot, "#code-input", code)
    await pilot.press("enter")
    await settle(pilot)


def test_a_reply_sent_after_the_idle_lock_goes_out_once_unlocked(workspace, seeded, people, clock):
    session = people.session("bob", "responder")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            target = app.screen.inbox_list.cursor_id
            await _write_reply(pilot, "Thanks for waiting, a new one is on its way")
            clock.advance(minutes=31)
            await pilot.press("ctrl+s")
            await settle(pilot)
            assert isinstance(app.screen, LockScreen)
            text = screen_render(app)[0]
            assert "Session locked" in text and "Thanks for waiting" not in text   # nothing shows through
            assert not app.check_action("switch_panel", ("inbox",))              # no way around it
            await _unlock(pilot, people.code("bob", steps=20))                  # a wrong code
            assert isinstance(app.screen, LockScreen)
            assert "wrong" in form_error(app)
            await _unlock(pilot, people.code("bob"))
            assert isinstance(app.screen, InboxScreen)
            replies = workspace.inbox.get(target).replies
            assert [r.text for r in replies][-1] == "Thanks for waiting, a new one is on its way"
            assert [r.by for r in replies][-1] == "bob"

    asyncio.run(main())


def test_the_idle_lock_over_an_open_editor_keeps_the_draft(workspace, seeded, people, clock):
    session = people.session("bob", "responder")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await _write_reply(pilot, "Half a thought")
            clock.advance(minutes=31)
            app.clock_ticked_signal.publish(0.0)     # a background refresh meets the lock
            await settle(pilot)
            assert isinstance(app.screen, LockScreen)
            await _unlock(pilot, people.code("bob"))
            assert isinstance(app.screen, TextEditor)
            assert app.screen.text == "Half a thought"

    asyncio.run(main())


def test_export_asks_for_a_fresh_code_then_runs_once(workspace, people, clock, tmp_path):
    session = people.owner()
    clock.advance(minutes=6)              # the login code is no longer fresh for a high-risk action
    exports = tmp_path / "exports"
    exports.mkdir()
    target = exports / "trail.jsonl"

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("9")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            await pilot.press("e")
            await settle(pilot)
            await fill(pilot, "#export-path", str(target))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, StepUpPrompt)
            assert "audit.export" in screen_render(app)[0]
            assert not target.exists() and not list(exports.iterdir())     # nothing half-written
            await fill(pilot, "#code-input", people.code("olivia"))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            assert target.exists()
            lines = target.read_text().splitlines()
            actions = [event["action"] for event in workspace.audit.events()]
            assert actions[-2:] == ["session.step_up", "audit.export"]
            assert len(lines) == len(actions) - 1         # everything before the export's own event
            assert "Exported" in screen_render(app)[0]

    asyncio.run(main())


def test_a_cancelled_step_up_does_nothing(workspace, people, clock, tmp_path):
    session = people.owner()
    clock.advance(minutes=6)
    target = tmp_path / "trail.csv"

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await pilot.press("9")
            await settle(pilot)
            app.screen.export(ExportRequest(target, "csv", None))
            await settle(pilot)
            assert isinstance(app.screen, StepUpPrompt)
            await pilot.press("escape")
            await settle(pilot)
            assert isinstance(app.screen, AuditScreen)
            assert not target.exists()
            assert "Not exported" in screen_render(app)[0]

    asyncio.run(main())


def test_step_up_runs_the_action_again_only_once(workspace, seeded, people):
    session = people.owner()
    calls, failures = [], []

    def always_refused():
        calls.append(1)
        raise StepUpRequired("this test action needs a fresh code", permission="audit.export")

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            app.run_with_step_up(always_refused, failed=failures.append)
            await settle(pilot)
            assert isinstance(app.screen, StepUpPrompt)
            await fill(pilot, "#code-input", people.code("olivia"))
            await pilot.press("enter")
            await settle(pilot)
            assert len(calls) == 2                      # the first try, and one retry
            assert isinstance(app.screen, InboxScreen)  # no second prompt
            assert [type(e) for e in failures] == [StepUpRequired]

    asyncio.run(main())
