"""SVG snapshots of the Compose panel at 80x24 (fixed clock, fixed policy and
accounts, no worker thread, no blinking cursor).

Update after an intended change with ``pytest tests/screens/test_compose_snapshots.py
--snapshot-update`` and look at the report before accepting it.
"""

from __future__ import annotations

from textual.widgets import Input, TextArea

from tests.console.identity_fixtures import memory_keyring  # noqa: F401  (a keyring: no "no keyring" toast)
from tests.screens.compose.compose_data import X_ACCOUNT, choose_targets, compose_app, open_compose, prepare
from tests.screens.helpers import settle


async def _still(pilot) -> None:
    """No blinking cursors: the same picture every run."""
    for widget in pilot.app.screen.query("TextArea, Input"):
        if isinstance(widget, (TextArea, Input)):
            widget.cursor_blink = False
    await settle(pilot)


def test_empty_compose_80x24(workspace, memory_keyring, snap_compare):
    prepare(workspace)

    async def ready(pilot) -> None:
        await open_compose(pilot)
        await _still(pilot)

    assert snap_compare(compose_app(workspace), terminal_size=(80, 24), run_before=ready)


def test_compose_with_findings_80x24(workspace, memory_keyring, snap_compare):
    prepare(workspace)

    async def ready(pilot) -> None:
        screen = await open_compose(pilot)
        await _still(pilot)
        await choose_targets(pilot, "sandbox:northwind_en", "sandbox:northwind_ja", X_ACCOUNT)
        screen.query_one("#compose-tags", Input).value = "promo"
        screen.query_one("#compose-when", Input).value = "2026-11-27 15:00"
        screen.editor.insert("Our cheapest winter jackets are here! Questions? Write to care@northwind.example "
                             "and we guarantee an answer today. " * 3)
        screen.editor.focus()
        await _still(pilot)

    assert snap_compare(compose_app(workspace), terminal_size=(80, 24), run_before=ready)
