"""The approval queue with 50k posts: only the visible rows are decoded and drawn,
and the wording of its cells (relative times, route stages) is what approvers read."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta, timezone

from textual.app import App, ComposeResult

from console.policy import Stage
from console.posts import post_from_record
from screens.approvals.queue import MINE, QUEUE, ApprovalQueue, queue_columns, targets_label
from screens.approvals.post_format import relative_time, stage_text

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
ROWS = 50_000
ROUTE = {"name": "high risk", "stages": [{"role": "manager", "mode": "any"}, {"role": "legal", "mode": "all"}]}


def fake_post(post_id: str):
    n = int(post_id.split("-")[1])
    return post_from_record({
        "_key": post_id, "_v": 3, "author": "mia", "authors": ["mia"], "targets": ["sandbox:northwind_en"],
        "text": f"Post number {n}\nsecond line", "status": "in_review", "risk": ("low", "high")[n % 2],
        "route": ROUTE, "stage": n % 2, "proposed_at": (NOW + timedelta(minutes=n)).isoformat(),
    })


class CountingQueue(ApprovalQueue):
    decoded = 0


def counting_get(post_id: str):
    CountingQueue.decoded += 1
    return fake_post(post_id)


class QueueApp(App[None]):
    def compose(self) -> ComposeResult:
        yield CountingQueue(counting_get, lambda: NOW)


def test_only_visible_posts_are_decoded_with_50k_in_the_queue():
    async def main():
        app = QueueApp()
        async with app.run_test(size=(80, 24)) as pilot:
            queue = app.query_one(CountingQueue)
            await pilot.pause()
            CountingQueue.decoded = 0
            queue.set_ids([f"p-{n}" for n in range(ROWS)], QUEUE)
            await pilot.pause()
            assert 0 < CountingQueue.decoded <= 3 * queue.size.height
            CountingQueue.decoded = 0
            for _ in range(20):
                await pilot.press("j")
            assert CountingQueue.decoded <= 20 * 4          # two rows repainted per move, not the list
            await pilot.press("end")
            await pilot.pause()
            assert queue.cursor_id == f"p-{ROWS - 1}"

    asyncio.run(main())


def test_selection_keeps_the_version_seen_and_survives_a_reload():
    async def main():
        app = QueueApp()
        async with app.run_test(size=(80, 24)) as pilot:
            queue = app.query_one(CountingQueue)
            queue.set_ids(["p-1", "p-2", "p-3"], QUEUE)
            await pilot.pause()
            queue.toggle_selected("p-2")
            assert queue.selection_versions == {"p-2": 3}
            queue.set_ids(["p-2", "p-3"], QUEUE)          # p-1 left the queue: p-2 stays selected
            assert queue.selected_ids == ["p-2"]
            queue.set_ids(["p-2"], MINE)                    # another view: a fresh selection
            assert queue.selected_ids == []

    asyncio.run(main())


def test_relative_times_and_stages_read_the_same_everywhere():
    assert relative_time(NOW + timedelta(hours=3, minutes=59), NOW) == "in 3 h"
    assert relative_time(NOW + timedelta(minutes=45), NOW) == "in 45 min"
    assert relative_time(NOW + timedelta(days=2, hours=1), NOW) == "in 2 d"
    assert relative_time(NOW - timedelta(minutes=20), NOW) == "20 min ago"
    assert relative_time(NOW + timedelta(seconds=30), NOW) == "now"
    stages = (Stage("manager"), Stage("legal", "all"), Stage("account_owner"))
    assert stage_text(1, stages, "in_review") == "2/3 all legal"
    assert stage_text(0, stages, "in_review", short=True) == "1/3 manager"
    assert stage_text(2, stages, "in_review") == "3/3 any account owner"
    assert stage_text(0, stages, "approved") == "ready to schedule"


def test_the_text_column_takes_what_is_left_at_80_and_160_columns():
    for width in (79, 159):
        for view in (QUEUE, MINE):
            columns = queue_columns(width, view)
            assert sum(c.width for c in columns) + len(columns) - 1 == width
            assert columns[-1].key == "text" and columns[-1].width >= 19


def test_several_targets_keep_their_count_in_a_narrow_column():
    handles = {"a": "@northwind", "b": "@northwind_es", "c": "@nw"}.get
    assert targets_label(("a", "b", "c"), handles, 10) == "@north… +2"
    assert targets_label(("c", "a"), handles, 10) == "@nw +1"
    assert targets_label(("b",), handles, 10) == "@northwind_es"   # one target: the row cuts it
    assert targets_label((), handles, 10) == "-"
