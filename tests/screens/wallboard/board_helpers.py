"""Helpers for the wallboard's screen tests: a quiet board, waiting for it, a busy room."""

from __future__ import annotations

from datetime import timedelta, timezone

from console.worker import HealthRecorder, JobHealth
from console.workspace import COLLECTIONS
from data import StoreError
from screens.wallboard.app import WallboardApp, make_wallboard
from tests.console.crisis.crisis_fixtures import EN, ES, JA
from tests.console.helpers import add_items, inbound


def quiet_board(workspace, session, **options) -> WallboardApp:
    """A board reading as ``session`` (None: log in first) that neither polls nor rotates
    unless asked, with times in UTC."""
    options.setdefault("poll_seconds", None)
    options.setdefault("rotate_seconds", 0)
    options.setdefault("display_tz", timezone.utc)
    return make_wallboard(workspace, session, **options)


async def refreshed(pilot) -> None:
    """Take a snapshot now and wait until it is drawn."""
    app = pilot.app
    app.refresh_board()
    await settle(pilot)


async def settle(pilot) -> None:
    app = pilot.app
    for _ in range(50):
        await app.workers.wait_for_complete()
        await pilot.pause()
        if not any(worker.is_running for worker in app.workers):
            await pilot.pause()
            return
    raise AssertionError("the board did not settle")


def busy_room(room) -> None:
    """A morning's traffic on three accounts, a post on its way, the worker's jobs: the same every run."""
    now = room.clock()
    items = [inbound(n, now - timedelta(minutes=7 * n + 3), account=(EN, ES, JA)[n % 3]) for n in range(40)]
    add_items(room.workspace.store, items, received=now)
    room.scheduled(1, EN, minutes=95)
    now = room.clock()
    recorder = HealthRecorder(room.workspace.store, ["sync", "publishing", "replies"], actor="worker")
    recorder.record([JobHealth("sync", timedelta(seconds=5), last_run=now, last_success=now, report="fetched 3"),
                     JobHealth("publishing", timedelta(seconds=5), last_run=now, last_success=now),
                     JobHealth("replies", timedelta(seconds=5), last_run=now, last_error="platform timed out",
                               last_error_at=now, failing_since=now, failures=1)], now)


def store_state(workspace) -> dict[str, list]:
    """Every record of every collection (versions included): what a read-only board must leave alone."""
    store = workspace.store
    store.refresh()
    state = {}
    for spec in COLLECTIONS:
        try:
            state[spec.name] = sorted((record["_key"], record["_v"]) for record in store.records(spec.name))
        except StoreError:      # an append-only log (the audit trail): its last entry says whether it grew
            state[spec.name] = [store.last(spec.name)]
    return state
