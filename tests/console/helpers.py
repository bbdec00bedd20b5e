"""Hand-made inbox items for service tests."""

from __future__ import annotations

from datetime import datetime, timedelta

from console.inbox import INBOX, SlaTargets, item_key, record_from_inbound
from console.records import format_time
from console.permissions import USER_MANAGE, Scope, SystemActor
from integrations.base import Author, InboundItem, ItemKind


def inbound(n: int, created_at: datetime, *, kind: ItemKind = ItemKind.COMMENT, text: str = "",
            thread: str | None = None, account: str = "sandbox:northwind_en",
            author: str = "@maria") -> InboundItem:
    return InboundItem(
        platform="sandbox", account_id=account, remote_id=f"t-{n}", kind=kind,
        thread_id=thread or f"thread-{n}", author=Author(f"a-{author}", author, author.strip("@").title()),
        text=text or f"message number {n}", created_at=created_at,
    )


def add_items(store, items: list[InboundItem], *, received: datetime, sla: SlaTargets | None = None) -> list[str]:
    sla = sla or SlaTargets()
    keys = []
    with store.transaction(actor="test") as tx:
        for item in items:
            key = item_key(item.platform, item.remote_id)
            tx.insert(INBOX, key, record_from_inbound(item, received_at=format_time(received), sla=sla))
            keys.append(key)
    return keys


def minutes_ago(now: datetime, minutes: float) -> datetime:
    return now - timedelta(minutes=minutes)


def add_team(workspace, *names: str, role: str = "responder", scope: Scope = Scope()) -> None:
    """Console users that inbox items can be assigned to (an assignee must be an
    enabled user who may work the inbox); added as the installer would."""
    installer = SystemActor("installer", frozenset({USER_MANAGE}))
    for name in names:
        if workspace.users.find(name) is None:
            workspace.users.add(installer, name, role, scope=scope)
