"""Emoji sequences in authors and messages never shift the inbox columns, in any terminal."""

from __future__ import annotations

import asyncio
import unicodedata
from datetime import timedelta

from rich.cells import cell_len

from console.inbox import INBOX, item_key, record_from_inbound
from console.records import format_time
from integrations.base import ItemKind
from tests.actors import RoleActor
from tests.screens.helpers import quiet_app, screen_render, settle
from tests.screens.inbox.inbox_data import ACCOUNTS, _item

ASSIGNEE = "carmen"   # a console user of the Inbox tests (conftest.py): only users own items
# The examples (❤️‍🔥, 👍🏽, 🏃‍♂️) and their relatives: flags, keycaps, families, marks.
TEXTS = (
    "plain text, nothing special",
    "on fire \u2764\ufe0f\u200d\U0001f525 today",
    "thumbs \U0001f44d\U0001f3fd up \U0001f44d\U0001f3ff",
    "off for a run \U0001f3c3\u200d\u2642\ufe0f see you",
    "family day \U0001f468\u200d\U0001f469\u200d\U0001f467 and \U0001f1ef\U0001f1f5",
    "press 1\ufe0f\u20e3 then caf\u0065\u0301 \u2764\ufe0f",
    "\U0001f44d\U0001f3fd" * 60,                              # cut inside the Message column
)
AUTHORS = ("@plain", "@fire\u2764\ufe0f\u200d\U0001f525", "@thumbs\U0001f44d\U0001f3fd",
           "@run\U0001f3c3\u200d\u2642\ufe0f", "@fam\U0001f468\u200d\U0001f469\u200d\U0001f467",
           "@one1\ufe0f\u20e3", "@\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd"
           "\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd\U0001f44d\U0001f3fd")


def per_code_point_cells(text: str) -> int:
    """How tmux 3.3, VTE and xterm count: each code point on its own (no clusters)."""
    total = 0
    for char in text:
        if unicodedata.category(char) in ("Mn", "Me", "Cf") or 0xFE00 <= ord(char) <= 0xFE0F:
            continue
        total += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
    return total


def seed_emoji_items(workspace) -> None:
    now = workspace.clock()
    keys = []
    with workspace.store.transaction(actor="test") as tx:
        for n, (text, author) in enumerate(zip(TEXTS, AUTHORS)):
            item = _item(500 + n, now - timedelta(minutes=3 + n), text=text, author=(author, author),
                         kind=ItemKind.COMMENT, account=ACCOUNTS[0])
            keys.append(item_key(item.platform, item.remote_id))
            tx.insert(INBOX, keys[-1], record_from_inbound(item, received_at=format_time(now),
                                                           sla=workspace.config.sla))
    for key in keys:
        workspace.inbox.assign(key, ASSIGNEE, actor=RoleActor("bob", "manager"))


def test_the_assignee_column_starts_at_the_same_cell_on_every_row_at_200_columns(workspace):
    seed_emoji_items(workspace)

    async def main():
        app = quiet_app(workspace)
        async with app.run_test(size=(200, 50)) as pilot:
            await settle(pilot)
            # The list is left of the thread view's border at this width.
            rows = [line.split("│")[0] for line in screen_render(app)[0].splitlines()]
            rows = [row for row in rows if f" {ASSIGNEE} " in row]
            assert len(rows) == len(TEXTS)
            for measure in (cell_len, per_code_point_cells):   # clusters (kitty, iTerm2...) and not
                starts = {measure(row[: row.index(f" {ASSIGNEE} ")]) for row in rows}
                assert len(starts) == 1, (measure.__name__, starts)

    asyncio.run(main())
