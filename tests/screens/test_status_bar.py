"""The status bar: who you are and your role always show; the rest gives way in order."""

from __future__ import annotations

import asyncio

import pytest
from rich.text import Text

from screens.widgets.status_bar import BarItem, bar_width, fit_bar
from tests.console.identity_fixtures import memory_keyring  # noqa: F401  (no "no keyring" flag)
from tests.screens.helpers import quiet_app, screen_render, settle


def bar_line(app) -> str:
    return screen_render(app)[0].splitlines()[0]


@pytest.mark.parametrize("width, expected, absent", [
    (120, ["alice manager", "worker stopped", "36 open", "!29 breached", "1 due soon", "34 unassigned"], []),
    (80, ["alice manager", "wk stopped", "36 open", "!29 breached"], ["wk st…", "unassigned"]),
    (60, ["alice manager", "wk stopped", "!29"], ["…│"]),
])
def test_the_bar_keeps_the_user_and_role_and_whole_items(workspace, seeded, memory_keyring, width, expected,
                                                         absent):
    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(width, 24)) as pilot:
            await settle(pilot)
            line = bar_line(app)
            assert len(line) == width
            for text in expected:
                assert text in line, (text, line)
            for text in absent:
                assert text not in line, (text, line)

    asyncio.run(main())


def test_a_broken_policy_flag_and_the_user_stay_at_60_columns(workspace, seeded, memory_keyring):
    path = workspace.governance.path

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(60, 24)) as pilot:
            await settle(pilot)
            path.write_text(path.read_text(encoding="utf-8").replace("[auth]", "[auth\n", 1), encoding="utf-8")
            app.refresh_store()     # the poll does this every half second
            await app.workers.wait_for_complete()
            await settle(pilot)
            line = bar_line(app)
            assert "policy!" in line and "alice manager" in line, line

    asyncio.run(main())


def items(worker: str) -> list[BarItem]:
    """A bar like the real one, with a worker item of any width (a health flag, say)."""
    def plain(*forms: str) -> tuple[Text, ...]:
        return tuple(Text(form) for form in forms)

    return [
        BarItem("workspace", plain(" northwind-production ", " north… ")),
        BarItem("flag", plain("no keyring", "keyring!")),
        BarItem("user", plain("carmen.rodriguez community_lead"), keep=True),
        BarItem("worker", plain(f"worker {worker}", f"wk {worker}")),
        BarItem("sync", plain("synced Mar 3 14:05", "sync Mar 3 14:05")),
        BarItem("open", plain("12,345 open"), right=True),
        BarItem("breached", plain("!1,234 breached", "!1,234"), right=True),
        BarItem("due_soon", plain("77 due soon", "77 soon"), right=True),
        BarItem("unassigned", plain("9,999 unassigned", "9,999 unasg"), right=True),
    ]


@pytest.mark.parametrize("worker", ["running", "!sync running", "!sync !publish error"])
def test_items_of_any_width_fit_and_give_way_in_order(worker):
    previous: set[str] | None = None
    for width in range(200, 30, -1):
        shown = fit_bar(items(worker), width)
        keys = {item.key for item, _ in shown}
        assert "user" in keys
        assert bar_width(shown) <= width or keys == {"user"}
        if previous is not None:
            assert keys <= previous, width        # narrower never brings an item back
        previous = keys
    wide = {item.key for item, _ in fit_bar(items(worker), 200)}
    assert wide == {item.key for item in items(worker)}
