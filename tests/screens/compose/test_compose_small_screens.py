"""Compose on a small terminal: the fields and the time hint keep their rows, and the
checks take only the rows their findings need."""

from __future__ import annotations

import asyncio

import pytest

from tests.console.identity_fixtures import memory_keyring  # noqa: F401
from tests.screens.compose.compose_data import choose_targets, compose_app, open_compose, prepare, write
from tests.screens.helpers import screen_render

NA = "sandbox:northwind_en"


def on_screen(app, selector: str) -> bool:
    """Whether the whole of ``selector`` is drawn (not clipped by a short container)."""
    widget = app.screen.query_one(selector)
    return bool(widget.region) and widget.region == widget.region.intersection(
        widget.parent.region) and widget.region.bottom <= app.size.height


@pytest.mark.parametrize("size", [(60, 20), (80, 24)])
@pytest.mark.parametrize("text", ["", "CHEAPEST deal guarantee, buy now at the best price"])
def test_the_time_hint_and_fields_keep_their_rows(workspace, memory_keyring, size, text):
    prepare(workspace)

    async def main():
        app = compose_app(workspace)
        async with app.run_test(size=size) as pilot:
            await open_compose(pilot)
            if text:
                await choose_targets(pilot, NA)
                await write(pilot, text)
            for selector in ("#compose-text", "#compose-fields", "#compose-zones", "#compose-summary"):
                assert on_screen(app, selector), selector
            lines = screen_render(app)[0].splitlines()
            assert any(line.strip().startswith("No time yet") for line in lines)
            # The checks hold no empty rows while the form is short of them.
            checks = app.screen.query_one("#compose-checks").region
            assert all(lines[y].strip() for y in range(checks.y, checks.bottom)), lines

    asyncio.run(main())
