"""The Audit panel: listed for roles with audit.read only; list, filter, verify."""

from __future__ import annotations

import asyncio

from screens.audit.screen import AuditFilter, AuditScreen, parse_audit_filter
from screens.help import help_rows
from screens.inbox.screen import InboxScreen
from screens.parsing import PromptError
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.helpers import screen_render, settle
from tests.screens.session_helpers import fill, session_app


def _history(people):
    """A few deterministic events: the owner, two users, logins, a policy acknowledgement."""
    people.session("bob", "responder")
    people.session("ana", "analyst")
    return people.owner()


async def _open_audit(pilot) -> AuditScreen:
    await pilot.press("9")
    await settle(pilot)
    assert isinstance(pilot.app.screen, AuditScreen)
    return pilot.app.screen


def test_the_audit_panel_lists_events_newest_first_and_verifies_the_chain(workspace, people):
    session = _history(people)

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = await _open_audit(pilot)
            events = screen.audit_list.events
            stored = list(workspace.audit.events())
            assert [e["seq"] for e in events] == [e["seq"] for e in reversed(stored)]
            text = screen_render(app)[0]
            assert "login.ok" in text and "user.add" in text
            await pilot.press("v")
            await settle(pilot)
            assert screen.last_verify.ok
            assert "audit trail intact" in screen_render(app)[0]

    asyncio.run(main())


def test_the_audit_filter_narrows_by_actor_action_and_words(workspace, people):
    session = _history(people)

    async def main():
        app = session_app(workspace, session)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = await _open_audit(pilot)
            await pilot.press("slash")
            await settle(pilot)
            await fill(pilot, "Input", "actor:bob action:login")
            await pilot.press("enter")
            await settle(pilot)
            events = screen.audit_list.events
            assert events and all(e["actor"] == "bob" and e["action"].startswith("login") for e in events)
            await pilot.press("escape")
            await settle(pilot)
            assert screen.filter == AuditFilter()
            assert len(screen.audit_list.events) == len(list(workspace.audit.events()))

    asyncio.run(main())


def test_parse_audit_filter():
    assert parse_audit_filter("Actor:Bob action:inbox vip  shipping") == AuditFilter("vip shipping", "bob", "inbox")
    assert parse_audit_filter("") == AuditFilter()
    try:
        parse_audit_filter("actor:")
    except PromptError as error:
        assert "actor:alice" in str(error)
    else:
        raise AssertionError("an empty actor: was accepted")


def test_a_viewer_does_not_see_the_audit_panel(workspace, seeded, people):
    viewer = people.session("vera", "viewer")

    async def main():
        app = session_app(workspace, viewer)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert not app.check_action("switch_panel", ("audit",))
            assert "app.panel.audit" not in {row.binding_id for row in help_rows(app.screen)}
            await pilot.press("9")
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert "Audit" not in screen_render(app)[0]

    asyncio.run(main())


def test_an_analyst_sees_the_audit_panel(workspace, people):
    analyst = people.session("ana", "analyst")

    async def main():
        app = session_app(workspace, analyst)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert "app.panel.audit" in {row.binding_id for row in help_rows(app.screen)}
            await _open_audit(pilot)

    asyncio.run(main())


def test_audit_panel_80x24(workspace, people, snap_compare):
    session = _history(people)

    async def ready(pilot) -> None:
        await settle(pilot)
        await pilot.press("9")
        await settle(pilot)

    assert snap_compare(session_app(workspace, session), terminal_size=(80, 24), run_before=ready)


