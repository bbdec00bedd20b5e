"""SVG snapshots of the Inbox (fixed clock, fixed data, no worker thread).

Update after an intended change with ``pytest tests/screens --snapshot-update``
and look at the report before accepting it.
"""

from __future__ import annotations

from tests.console.identity_fixtures import memory_keyring, no_keyring  # noqa: F401  (keyring or not, by test)
from tests.screens.helpers import quiet_app, settle


async def _ready(pilot) -> None:
    await settle(pilot)


def test_inbox_80x24(workspace, seeded, memory_keyring, snap_compare):
    assert snap_compare(quiet_app(workspace), terminal_size=(80, 24), run_before=_ready)


def test_inbox_160x48(workspace, seeded, memory_keyring, snap_compare):
    assert snap_compare(quiet_app(workspace), terminal_size=(160, 48), run_before=_ready)


def test_inbox_thread_reading_80x24(workspace, seeded, memory_keyring, snap_compare):
    shared_thread_item = seeded[9]  # has a queued reply; the thread also holds a note

    async def open_thread(pilot) -> None:
        await settle(pilot)
        inbox_list = pilot.app.screen.inbox_list
        inbox_list.move_cursor(inbox_list.ids.index(shared_thread_item))
        await pilot.press("x", "k", "enter")
        await settle(pilot)

    assert snap_compare(quiet_app(workspace), terminal_size=(80, 24), run_before=open_thread)


def test_help_80x24(workspace, seeded, memory_keyring, snap_compare):
    async def open_help(pilot) -> None:
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)

    assert snap_compare(quiet_app(workspace), terminal_size=(80, 24), run_before=open_help)


def test_inbox_with_standing_conditions_80x24(workspace, seeded, no_keyring, snap_compare):
    """A broken governance file and secrets outside a keyring: flags and a banner, no toast."""
    # As Governance words it, without the test's temporary path (the snapshot must not vary).
    workspace.governance.problem = ("governance.toml line 14: expected ']' at the end of a table name; "
                                    "version 1 stays in force")
    assert snap_compare(quiet_app(workspace), terminal_size=(80, 24), run_before=_ready)
