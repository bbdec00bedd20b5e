"""The app shell: status bar, help, command palette, remappable keys, panels."""

from __future__ import annotations

import asyncio

from console.inbox import STATUS_CLOSED
from screens.app import SocopsApp
from screens.help import HelpScreen
from screens.inbox.screen import InboxScreen
from screens.panels import PANELS
from tests.screens.helpers import quiet_app, screen_render, settle


def test_status_bar_shows_workspace_worker_and_counts(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            counts = workspace.inbox.counts()
            assert app.counts == counts
            first_line = screen_render(app)[0].splitlines()[0]
            assert workspace.config.name in first_line
            assert f"{counts.open} open" in first_line
            assert f"{counts.breached} breached" in first_line
            assert f"{counts.due_soon} due soon" in first_line
            assert f"{counts.unassigned} unassigned" in first_line
            assert "worker" in first_line

            await pilot.press("d")
            await settle(pilot)
            assert app.counts.open == counts.open - 1  # recounted after a change

    asyncio.run(main())


def test_f1_and_question_mark_show_the_keys_of_the_current_screen(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            for key in ("f1", "question_mark"):
                await pilot.press(key)
                await pilot.pause()
                help_screen = app.screen
                assert isinstance(help_screen, HelpScreen)
                rows = {row.binding_id: row for row in help_screen.rows}
                assert rows["inbox.done"].keys == "d"
                assert rows["inbox.assign"].description == "Assign"
                assert "j" in rows["inbox.cursor_down"].keys
                assert "app.help" in rows
                await pilot.press("escape")
                await pilot.pause()
                assert isinstance(app.screen, InboxScreen)

    asyncio.run(main())


def test_bindings_can_be_remapped_by_id(workspace, seeded):
    async def main():
        app = quiet_app(workspace, keymap={"inbox.done": "c", "inbox.cursor_down": "ctrl+n"})
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            first, second = screen.inbox_list.ids[:2]
            await pilot.press("ctrl+n")
            assert screen.inbox_list.cursor_id == second
            await pilot.press("c")
            await settle(pilot)
            assert workspace.inbox.get(second).status == STATUS_CLOSED
            assert workspace.inbox.get(first).status != STATUS_CLOSED

    asyncio.run(main())


def test_command_palette_offers_inbox_filters(workspace, seeded, clock):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            screen = app.screen
            await pilot.press("ctrl+p")
            await pilot.pause()
            await pilot.press(*"breached")
            await pilot.pause(0.3)
            await pilot.press("enter")
            await settle(pilot)
            assert app.screen is screen
            assert screen.filter.breached is True
            assert all(workspace.inbox.get(i).is_breached(clock.now) for i in screen.inbox_list.ids)

    asyncio.run(main())


def test_every_panel_is_registered_once_with_a_key():
    names = [panel.name for panel in PANELS]
    keys = [panel.key for panel in PANELS]
    assert len(set(names)) == len(names) and len(set(keys)) == len(keys)
    assert set(SocopsApp.MODES) == set(names)
    ids = {binding.id for binding in SocopsApp.BINDINGS}
    assert {panel.binding_id for panel in PANELS} <= ids


def test_every_inbox_binding_has_a_stable_id():
    from screens.inbox.inbox_list import InboxList

    for owner in (InboxScreen, InboxList, SocopsApp):
        for binding in owner.BINDINGS:
            assert binding.id, (owner.__name__, binding)


def test_the_app_runs_the_worker_in_a_thread_and_stops_it_on_exit(workspace):
    async def main():
        app = quiet_app(workspace, run_worker=True)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                if app.worker_status.state in ("running", "syncing"):
                    break
                await pilot.pause(0.05)
            assert app.worker_status.state in ("running", "syncing"), app.worker_status
        for _ in range(100):
            if workspace.worker_status().state == "stopped":
                break
            await asyncio.sleep(0.05)
        assert workspace.worker_status().state == "stopped"

    asyncio.run(main())


def test_a_worker_in_another_process_shows_as_external(workspace, open_workspace):
    other = open_workspace("bob")
    assert other.worker_lock.acquire()

    async def main():
        app = quiet_app(workspace, run_worker=True)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(100):
                if app.worker_status.state == "external":
                    break
                await pilot.pause(0.05)
            assert app.worker_status.state == "external"
            assert "external" in screen_render(app)[0].splitlines()[0]

    asyncio.run(main())


def test_a_broken_governance_file_is_shown_and_the_last_good_version_stays_in_force(workspace, seeded):
    path = workspace.governance.path
    good = path.read_text(encoding="utf-8")
    version = workspace.governance.version

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            assert app.policy_problem == ""
            path.write_text(good.replace("[auth]", "[auth\n", 1), encoding="utf-8")
            app.refresh_store()     # the poll does this every half second
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert f"version {version} stays in force" in app.policy_problem
            assert "policy file broken" in screen_render(app)[0].splitlines()[0]
            assert any("Governance file" == n.title for n in app._notifications)
            assert workspace.governance.version == version   # still in force: nothing went down

            path.write_text(good, encoding="utf-8")
            app.refresh_store()
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.policy_problem == ""
            assert "policy file broken" not in screen_render(app)[0].splitlines()[0]

    asyncio.run(main())


def _without_a_keyring(workspace) -> None:
    """No keyring backend on this machine: a sandbox workspace keeps its seeds in a file."""
    from keyring.backends import fail

    from console.identity import SecretStore

    workspace.secrets = SecretStore(workspace.paths.state_dir, store_dir=workspace.paths.store_dir,
                                    sandbox_only=True, backend=fail.Keyring())


def _secrets_notices(app) -> int:
    return sum(1 for n in app._notifications if n.title == "Secrets" and "no keyring backend" in n.message)


def test_with_no_keyring_the_login_screen_says_where_the_seeds_are_kept_once(workspace, seeded):
    from console.identity import code_at
    from screens.login.screen import LoginScreen
    from tests.screens.session_helpers import log_in, login_app

    _without_a_keyring(workspace)
    seed = workspace.users.bootstrap_owner("olivia").secret

    async def main():
        app = login_app(workspace)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, LoginScreen)
            assert _secrets_notices(app) == 1
            await log_in(pilot, "olivia", code_at(seed, workspace.clock()))
            assert isinstance(app.screen, InboxScreen) and app.screen.inbox_list.ids
            assert _secrets_notices(app) == 1

    asyncio.run(main())


def test_with_no_keyring_the_first_panel_says_so_once_it_shows(workspace, seeded):
    _without_a_keyring(workspace)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(160, 48)) as pilot:
            await settle(pilot)
            assert isinstance(app.screen, InboxScreen) and app.screen.inbox_list.ids
            assert _secrets_notices(app) == 1

    asyncio.run(main())


def test_the_worker_waits_for_the_first_panel_or_at_most_the_grace_time(workspace, seeded, monkeypatch):
    import time

    import screens.app
    from screens.panel import PanelScreen

    told = []
    monkeypatch.setattr(PanelScreen, "content_shown", lambda screen: told.append(screen))  # a panel that never says
    monkeypatch.setattr(screens.app, "FIRST_PANEL_GRACE_SECONDS", 0.5)

    async def main():
        app = quiet_app(workspace, run_worker=True)
        started = time.monotonic()
        async with app.run_test(size=(80, 24)) as pilot:
            while not [w for w in app.workers if w.group == "background-worker"]:
                assert time.monotonic() - started < 10, "the worker never started"
                await pilot.pause(0.02)
            assert time.monotonic() - started >= 0.5       # not before the grace time
            assert told and app.screen.inbox_list.ids        # the panel had said nothing

    asyncio.run(main())


def test_the_worker_starts_once_the_inbox_shows_its_rows(workspace, seeded, monkeypatch):
    import screens.app

    monkeypatch.setattr(screens.app, "FIRST_PANEL_GRACE_SECONDS", 60)   # not the fallback

    async def main():
        app = quiet_app(workspace, run_worker=True)
        async with app.run_test(size=(80, 24)) as pilot:
            for _ in range(200):
                if [w for w in app.workers if w.group == "background-worker"]:
                    break
                await pilot.pause(0.02)
            assert app.screen.inbox_list.ids
            assert [w for w in app.workers if w.group == "background-worker"]

    asyncio.run(main())
