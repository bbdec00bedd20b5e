"""Deterministic inbox items for the screen tests and snapshots.

Hand-made rather than drawn from the sandbox generator, so the snapshots
change only when the screens do. Times are relative to the test clock.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from console.inbox import INBOX, item_key, record_from_inbound
from console.records import format_time
from integrations.base import Author, InboundItem, ItemKind
from tests.actors import RoleActor

ACCOUNTS = ("sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja")

HOSTILE_TEXT = (
    "[bold]x[/bold] [link=https://evil.example]click[/link] "
    "\x1b[31mred\x1b[0m \x1b]0;pwned\x07title \x1b[2Jclear \x9b31mc1 done"
)
HOSTILE_AUTHOR = "[red]Mallory[/red]\x1b[5m"
HOSTILE_HANDLE = "@mal[b]ory"

_TEXTS = (
    "Where is my order? It was due last Tuesday and tracking has not moved.",
    "Love the new rain jacket, fits perfectly!",
    "Do you ship to Canada? Asking for a friend.",
    "My zipper broke after two weeks. Can I get a replacement?",
    "¿Tienen esta chaqueta en talla M?",
    "サイズ交換はできますか？",
    "Refund still not processed after 10 days, this is unacceptable.",
    "Is the winter sale still on?",
    "Great customer service yesterday, thank you Sam!",
    "The boots I ordered came in the wrong colour.",
    "Can I change the delivery address on order 4411?",
    "Your store in Portland was closed during opening hours.",
)
_AUTHORS = (
    ("@maria", "Maria Lopez"), ("@kenji", "Kenji Sato"), ("@sam_t", "Sam Taylor"),
    ("@oli", "Olivia Brown"), ("@dev_r", "Dev Raman"), ("@zoe", "Zoë Martin"),
)
_KINDS = (ItemKind.COMMENT, ItemKind.DM, ItemKind.MENTION)


def _item(n: int, created_at: datetime, *, text: str, author: tuple[str, str], kind: ItemKind,
          account: str, thread: str | None = None) -> InboundItem:
    handle, name = author
    return InboundItem(
        platform="sandbox", account_id=account, remote_id=f"t-{n:03d}", kind=kind,
        thread_id=thread or f"thread-{n:03d}", author=Author(f"a-{handle}", handle, name),
        text=text, created_at=created_at,
    )


def seed_items(workspace, count: int = 36, *, hostile: bool = False) -> list[str]:
    """Add ``count`` items (plus a hostile one if asked); returns their ids, oldest first."""
    now = workspace.clock()
    items = []
    for n in range(count):
        minutes_ago = 3 + n * 7  # 3m .. about 4h: fresh, due soon and breached ones
        thread = "thread-shared" if n in (4, 9, 14) else None
        items.append(_item(
            n, now - timedelta(minutes=minutes_ago), text=_TEXTS[n % len(_TEXTS)],
            author=_AUTHORS[n % len(_AUTHORS)], kind=_KINDS[n % len(_KINDS)],
            account=ACCOUNTS[n % len(ACCOUNTS)], thread=thread,
        ))
    if hostile:
        items.append(_item(999, now - timedelta(minutes=5), text=HOSTILE_TEXT,
                           author=(HOSTILE_HANDLE, HOSTILE_AUTHOR), kind=ItemKind.DM, account=ACCOUNTS[0]))
    # Two items come already assigned, as history from before (the people need not
    # be users of this workspace; tests/screens/inbox/conftest.py adds them there).
    assigned = {2: "bob", 5: "alice"} if count >= 10 else {}
    keys = []
    with workspace.store.transaction(actor="test") as tx:
        for n, item in enumerate(items):
            key = item_key(item.platform, item.remote_id)
            record = record_from_inbound(item, received_at=format_time(now), sla=workspace.config.sla)
            if n in assigned:
                record["assignee"] = assigned[n]
            tx.insert(INBOX, key, record)
            keys.append(key)
    if count >= 10:
        inbox = workspace.inbox
        inbox.tag(keys[3], add=["vip", "shipping"], actor=RoleActor("bob", "manager"))
        inbox.add_note(keys[4], "Customer called too; refund approved by Dana.", actor=RoleActor("bob", "manager"))
        inbox.reply(keys[9], "Sorry about that! We have sent a replacement.", actor=RoleActor("carmen", "manager"))
    return keys
