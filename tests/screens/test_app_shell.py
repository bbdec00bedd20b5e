"""The app shell: status bar, help, command palette, remappable keys, panels."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from console.inbox import STATUS_CLOSED
from console.posts import ApprovalService
from console.worker import JOB_HEALTH, JobHealth
from screens.app import SocopsApp
from screens.help import HelpScreen
from screens.inbox.screen import InboxScreen
from screens.panels import PANELS
from tests.console.identity_fixtures import memory_keyring  # noqa: F401  (a keyring: the bar has no "keyring!")
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
                if app.worker_status.state == "running":
                    break
                await pilot.pause(0.05)
            assert app.worker_status.state == "running", app.worker_status
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
        async with app.run_test(size=(160, 48), notifications=True) as pilot:
            await settle(pilot)
            assert app.policy_problem == ""
            path.write_text(good.replace("[auth]", "[auth\n", 1), encoding="utf-8")
            app.refresh_store()     # the poll does this every half second
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert f"version {version} stays in force" in app.policy_problem
            lines = screen_render(app)[0].splitlines()
            assert "policy file broken" in lines[0]
            assert lines[1].startswith(" Governance file: ")     # the banner under the bar
            assert not app.screen.query("Toast")                    # a standing condition, not a toast
            await pilot.press("f1")                                  # the help lists it in full
            await pilot.pause()
            assert isinstance(app.screen, HelpScreen)
            listed = app.screen.query_one(".help--conditions").render().plain
            assert "Governance file: " + app.policy_problem in listed
            await pilot.press("escape")
            await pilot.pause()
            assert workspace.governance.version == version   # still in force: nothing went down

            path.write_text(good, encoding="utf-8")
            app.refresh_store()
            await app.workers.wait_for_complete()
            await settle(pilot)
            assert app.policy_problem == ""
            lines = screen_render(app)[0].splitlines()
            assert "policy file broken" not in lines[0]
            assert "Governance file" not in lines[1]
            await pilot.pause()
            assert [t.render().plain.splitlines()[0] for t in app.screen.query("Toast")] == ["Governance file"]

    asyncio.run(main())


def test_the_footer_last_column_is_the_palette_key_after_a_resize(workspace, seeded):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(75, 24)) as pilot:
            await settle(pilot)
            for width in (60, 70, 80):   # narrower than the keys, then wider again
                await pilot.resize_terminal(width, 24)
                await settle(pilot)
                footer = app.screen.query_one("Footer")
                palette = footer.query_one(".-command-palette")
                assert palette.region.right == footer.region.right == width
                assert screen_render(app)[0].splitlines()[-1].rstrip().endswith("^p palette")

    asyncio.run(main())


def test_a_failing_job_of_another_processs_worker_shows_briefly_in_the_status_bar(workspace, open_workspace,
                                                                                 monkeypatch, memory_keyring):
    other = open_workspace("bob")
    assert other.worker_lock.acquire()
    monkeypatch.setattr(ApprovalService, "expire_due", lambda self: 1 / 0)
    asyncio.run(other.make_worker().run_all())  # the other process's worker: its expiry job fails
    workspace.store.refresh()  # as the app's polling does

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(100, 24)) as pilot:
            await settle(pilot)
            assert app.worker_status.failing == ("expiry",)
            first_line = screen_render(app)[0].splitlines()[0]
            assert "wk !expiry │" in first_line and "open" in first_line

    asyncio.run(main())


def test_a_long_job_name_is_cut_to_the_width_of_the_usual_worker_state(workspace, open_workspace):
    other = open_workspace("bob")
    assert other.worker_lock.acquire()

    async def first_line() -> str:
        app = quiet_app(workspace)
        async with app.run_test(size=(80, 24)) as pilot:
            await settle(pilot)
            return screen_render(app)[0].splitlines()[0]

    usual = asyncio.run(first_line())
    failing = JobHealth("publishing", timedelta(minutes=1), last_run=workspace.clock(), failures=1,
                        failing_since=workspace.clock(), last_error="timeout")
    workspace.store.replace(JOB_HEALTH, "publishing", failing.to_record(), expected_version=None, actor="worker")
    shown = asyncio.run(first_line())
    assert "wk external" in usual and "wk !publis…" in shown
    # The counts keep their place: the label is no wider than "external".
    assert shown.index("0 open") == usual.index("0 open")


def test_the_in_process_worker_reports_a_failing_job(workspace, monkeypatch):
    monkeypatch.setattr(ApprovalService, "expire_due", lambda self: 1 / 0)

    async def main():
        app = quiet_app(workspace, run_worker=True)
        async with app.run_test(size=(100, 24)) as pilot:
            for _ in range(100):
                if app.worker_status.failing:
                    break
                await pilot.pause(0.05)
            status = app.worker_status
            assert status.state == "error" and status.failing == ("expiry",)
            assert status.detail == "expiry failing: ZeroDivisionError: division by zero"
            await pilot.pause()
            assert "wk !expiry" in screen_render(app)[0].splitlines()[0]

    asyncio.run(main())


def _without_a_keyring(workspace) -> None:
    """No keyring backend on this machine: a sandbox workspace keeps its seeds in a file."""
    from keyring.backends import fail

    from console.identity import SecretStore

    workspace.secrets = SecretStore(workspace.paths.state_dir, store_dir=workspace.paths.store_dir,
                                    sandbox_only=True, backend=fail.Keyring())


def _secrets_notices(app) -> int:
    """How often the app says where the seeds are kept: as a standing condition (a
    status-bar flag, and on the login screen under the form), never as a toast."""
    toasts = sum(1 for n in app._notifications if n.title == "Secrets")
    assert toasts == 0, "the keyring warning is a standing condition, not a toast over a form"
    return sum(1 for c in app.conditions if c.key == "secrets" and "no keyring backend" in c.text)


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
