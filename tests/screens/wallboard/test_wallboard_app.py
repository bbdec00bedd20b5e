"""The wallboard app: read-only keys, rotation, a crisis taking over within a second,
one login that the idle lock does not blank, the themes."""

from __future__ import annotations

import asyncio
import time

from screens.login.screen import LoginScreen
from screens.wallboard.app import HIGH_CONTRAST
from screens.wallboard.screen import CRISIS, WallboardScreen
from screens.widgets.code_entry import LockScreen
from tests.screens.session_helpers import fill
from tests.screens.wallboard.board_helpers import busy_room, quiet_board, refreshed, settle, store_state


def test_no_key_changes_the_store(room):
    async def main() -> None:
        busy_room(room)
        app = quiet_board(room.workspace, room.as_("mia"))      # a manager: may change things, not from here
        before = store_state(room.workspace)
        async with app.run_test(size=(120, 40)) as pilot:
            await refreshed(pilot)
            for key in ("right", "n", "left", "p", "space", "t", "t", "enter", "escape", "f", "r", "d", "a", "c",
                        "1", "5", "ctrl+p", "ctrl+f", "tab", "delete", "question_mark", "f1"):
                await pilot.press(key)
                await settle(pilot)
            assert isinstance(app.screen, WallboardScreen)
            await pilot.press("q")
            await pilot.pause()
        assert app.return_code == 0
        assert store_state(room.workspace) == before

    asyncio.run(main())


def test_scenes_rotate_and_a_pause_stops_them(room):
    async def main() -> None:
        app = quiet_board(room.workspace, room.as_("vic"), rotate_seconds=0.2)
        async with app.run_test(size=(80, 24)) as pilot:
            await refreshed(pilot)
            seen = [app.board.scene]
            deadline = time.monotonic() + 5
            while len(seen) < 4 and time.monotonic() < deadline:
                await pilot.pause(0.05)
                if app.board.scene != seen[-1]:
                    seen.append(app.board.scene)
            assert seen == ["overview", "inbound", "publishing", "overview"]

            await pilot.press("space")
            paused_on = app.board.scene
            await pilot.pause(0.7)
            assert app.board.scene == paused_on and "paused" in app.footer_text()
            await pilot.press("right")
            assert app.board.scene != paused_on      # the keys still move through the scenes

    asyncio.run(main())


def test_a_crisis_declared_in_another_process_takes_over_within_a_second_until_resolved(room, open_workspace):
    async def main() -> None:
        room.as_("mia"), room.as_("ada")                # policy acknowledged
        app = quiet_board(room.workspace, room.as_("vic"), poll_seconds=0.5, rotate_seconds=3)
        other = open_workspace("mia")
        async with app.run_test(size=(80, 24)) as pilot:
            await refreshed(pilot)
            await pilot.press("right")
            assert app.board.scene == "inbound"

            mia = other.auth.login("mia", room.people.code("mia"))
            room.people.next_step()
            other.crisis.declare(mia, 3, "Zipper recall", "pulls snap on the Ridgeline jacket", playbook="recall")
            declared = time.monotonic()
            while app.board.scene != CRISIS and time.monotonic() - declared < 3:
                await pilot.pause(0.02)
            assert app.board.scene == CRISIS and time.monotonic() - declared < 1.0
            assert not app.rotating and app.scenes[0] == CRISIS
            title = str(app.board.query_one("#crisis-title").content)
            assert "CRISIS 3 crisis" in title and "Zipper recall" in title
            assert "■ FROZEN" in str(app.board.query_one("#tile-freeze .tile--word").content)

            # resolved by two people (elsewhere): the board goes back to its rotation
            ada = other.auth.login("ada", room.people.code("ada"))
            room.people.next_step()
            other.crisis.request_resolve(mia, "recall handled")
            other.crisis.confirm(ada)
            started = time.monotonic()
            while app.board.scene == CRISIS and time.monotonic() - started < 3:
                await pilot.pause(0.02)
            assert app.board.scene == "overview" and app.rotating and CRISIS not in app.scenes

    asyncio.run(main())


def test_a_viewer_logs_in_once_and_the_idle_lock_does_not_blank_the_board(room):
    async def main() -> None:
        room.as_("vic")                                  # the policy acknowledged before
        app = quiet_board(room.workspace, None)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            await fill(pilot, "#login-user", "vic")
            await fill(pilot, "#login-code", room.people.code("vic"))
            await pilot.press("enter")
            await settle(pilot)
            assert isinstance(app.screen, WallboardScreen) and app.snapshot.viewer == "vic"

            room.clock.advance(hours=3)                 # idle_minutes is 30
            await refreshed(pilot)
            assert isinstance(app.screen, WallboardScreen) and not isinstance(app.screen, LockScreen)
            assert app.snapshot.now == room.clock()
            assert "✗" not in str(app.board.query_one("#board-header").content)
        logins = [(e["actor"], e["action"]) for e in room.workspace.audit.events() if e["actor"] == "vic"]
        assert logins[-2:] == [("vic", "login.ok"), ("vic", "logout")]

    asyncio.run(main())


def test_a_disabled_viewer_stops_the_board_saying_why(room):
    async def main() -> None:
        app = quiet_board(room.workspace, room.as_("vic"))
        async with app.run_test(size=(80, 24)) as pilot:
            await refreshed(pilot)
            room.workspace.users.disable(room.people.owner(), "vic")
            await refreshed(pilot)
            header = str(app.board.query_one("#board-header").content)
            assert "✗ the wallboard stopped: vic is disabled" in header

    asyncio.run(main())


def test_the_theme_comes_from_the_settings_and_t_switches_it(room):
    async def main() -> None:
        app = quiet_board(room.workspace, room.as_("vic"), theme="high-contrast")
        async with app.run_test(size=(80, 24)) as pilot:
            assert app.theme == HIGH_CONTRAST.name
            await pilot.press("t")
            assert app.theme in ("textual-dark", "ansi-dark")      # the default (ANSI in 16 colours)
            await pilot.press("t")
            assert app.theme == HIGH_CONTRAST.name

    asyncio.run(main())
