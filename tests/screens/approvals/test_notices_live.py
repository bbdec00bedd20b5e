"""Decisions on a person's posts reach them live as a count of unread notices in
the status bar, on every panel, without covering what they type; unread
notices are counted at login; their own posts in the Approvals panel follow
decisions made in other processes.

Another operator's console is a second workspace opened on the same store
(``open_workspace``); ``app.refresh_store()`` stands for the half-second poll.
"""

from __future__ import annotations

import asyncio

from console.posts import CHANGES_REQUESTED
from screens.inbox.screen import InboxScreen
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401
from tests.screens.approvals.approvals_data import fixed_post_ids, governance_file  # noqa: F401
from tests.screens.approvals.author_helpers import LOW, press, run, shown, status_line, team  # noqa: F401
from tests.screens.helpers import settle
from tests.screens.session_helpers import log_in, login_app


def test_a_decision_made_in_another_process_shows_up_live(team, open_workspace):
    first = team.submit("ed", LOW)
    second = team.submit("ed", "Rain shells are back in stock.")
    elsewhere = open_workspace("max")            # another operator's console on the same store
    max_ = RoleActor("max", "manager")

    async def steps(pilot):
        app = pilot.app
        assert isinstance(app.screen, InboxScreen)
        assert "notice" not in status_line(pilot)
        elsewhere.approvals.reject(max_, first.id, "Wrong product photo")
        app.refresh_store()                      # the poll does this every half second
        await settle(pilot)
        assert "1 notice" in status_line(pilot)  # told on whatever panel they are
        await press(pilot, "2")
        assert "Wrong product photo" in shown(pilot)
        await settle(pilot)
        assert "notice" not in status_line(pilot)   # read now that it is shown
        elsewhere.approvals.request_changes(max_, second.id, "Say which shells")
        app.refresh_store()
        await settle(pilot)
        screen = app.screen
        assert team.workspace.posts.get(second.id).status == CHANGES_REQUESTED
        assert screen.queue.ids[0] == second.id          # what needs the author comes first
        assert "changes requested" in shown(pilot) and "Say which shells" in shown(pilot)

    run(team, "ed", steps)


def test_a_decision_arriving_while_composing_covers_nothing(team, open_workspace):
    post = team.submit("ed", LOW)
    elsewhere = open_workspace("max")

    async def steps(pilot):
        app = pilot.app
        await press(pilot, "6")
        compose = app.screen
        compose.editor.focus()
        await press(pilot, *"Half a thought")
        before = shown(pilot).splitlines()
        elsewhere.approvals.reject(RoleActor("max", "manager"), post.id, "Off brand")
        app.refresh_store()
        await settle(pilot)
        after = shown(pilot).splitlines()
        assert "1 notice" in after[0]
        assert after[1:] == before[1:]           # only the status bar changed: no toast over the form
        assert compose.editor.text == "Half a thought"

    run(team, "ed", steps)


def test_unread_notices_are_counted_at_login(team):
    post = team.submit("ed", LOW)
    team.workspace.approvals.reject(team.session("max"), post.id, "Off brand")
    team.people.next_step()

    async def main():
        app = login_app(team.workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            await log_in(pilot, "ed", team.people.code("ed"))
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen)
            assert "1 notice" in status_line(pilot)
            assert not app.screen.query("Toast")  # nothing over the first panel

    asyncio.run(main())
