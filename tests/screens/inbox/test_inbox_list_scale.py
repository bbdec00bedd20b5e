"""The inbox list at 100k rows: only visible lines render, cursor moves stay cheap."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult

from console.inbox import InboxItem
from screens.inbox.inbox_list import InboxList

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
ROWS = 100_000


def fake_item(item_id: str) -> InboxItem:
    n = int(item_id.split(":")[1])
    created = NOW - timedelta(minutes=n % 500)
    return InboxItem(
        id=item_id, version=1, platform="sandbox", account_id="sandbox:northwind_en", remote_id=str(n),
        kind="comment", thread_id=str(n), author_id="a", author_handle=f"@user{n}", author_name="User",
        text=f"message {n} " * 8, created_at=created, received_at=created,
        sla_due=created + timedelta(minutes=60),
    )


class CountingList(InboxList):
    rendered = 0

    def render_line(self, y: int):
        CountingList.rendered += 1
        return super().render_line(y)


class ListApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingList(fake_item, lambda: NOW)


async def _press_j(rows: int, presses: int) -> tuple[float, float]:
    """(seconds per keypress, lines rendered per keypress) with ``rows`` rows listed."""
    app = ListApp()
    async with app.run_test(size=(80, 24)) as pilot:
        inbox_list = app.query_one(CountingList)
        inbox_list.set_ids([f"sandbox:{n}" for n in range(rows)])
        await pilot.pause()
        CountingList.rendered = 0
        started = time.perf_counter()
        for _ in range(presses):
            await pilot.press("j")
        return (time.perf_counter() - started) / presses, CountingList.rendered / presses


def test_keypress_work_does_not_grow_with_the_number_of_rows():
    # Timing belongs to bench/inbox.py; here the work itself is counted.
    _, small = asyncio.run(_press_j(100, 30))
    _, large = asyncio.run(_press_j(ROWS, 30))
    assert large <= 24  # never more than what is on screen
    assert large <= small + 1


def test_only_visible_lines_render_at_100k_rows():
    async def main():
        app = ListApp()
        async with app.run_test(size=(80, 24)) as pilot:
            inbox_list = app.query_one(CountingList)
            await pilot.pause()
            CountingList.rendered = 0
            started = time.perf_counter()
            inbox_list.set_ids([f"sandbox:{n}" for n in range(ROWS)])
            await pilot.pause()
            assert time.perf_counter() - started < 1.0
            assert CountingList.rendered <= 3 * inbox_list.size.height

            await pilot.press("end")
            await pilot.pause()
            assert inbox_list.cursor_id == f"sandbox:{ROWS - 1}"
            assert inbox_list.scroll_y == ROWS + 1 - inbox_list.size.height

            CountingList.rendered = 0
            await pilot.press("pageup")
            await pilot.pause()
            assert 0 < CountingList.rendered <= inbox_list.size.height * 2
            assert inbox_list.cursor_id == f"sandbox:{ROWS - 1 - (inbox_list.size.height - 1)}"

            started = time.perf_counter()
            for _ in range(1_000):
                inbox_list.action_cursor_up()
            assert (time.perf_counter() - started) / 1_000 < 0.002  # the move itself, without painting

    asyncio.run(main())


def test_cursor_stays_on_its_item_when_the_list_changes():
    async def main():
        app = ListApp()
        async with app.run_test(size=(80, 24)) as pilot:
            inbox_list = app.query_one(CountingList)
            inbox_list.set_ids([f"sandbox:{n}" for n in range(100)])
            inbox_list.move_cursor(40)
            await pilot.pause()
            inbox_list.set_ids([f"sandbox:{n}" for n in range(100) if n % 2])  # 40 left the list
            assert inbox_list.cursor_id == "sandbox:81"  # same position, next item
            inbox_list.set_ids([f"sandbox:{n}" for n in range(200)])
            assert inbox_list.cursor_id == "sandbox:81"

    asyncio.run(main())
