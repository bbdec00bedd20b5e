"""Mapping between the adapters' neutral records and inbox store records."""

from __future__ import annotations

from console.inbox.records import STATUS_OPEN, InboxItem
from console.records import format_time
from console.inbox.sla import SlaTargets
from integrations.base import Author, InboundItem, ItemKind


def record_from_inbound(item: InboundItem, *, received_at: str, sla: SlaTargets) -> dict:
    """A new inbox store record for an item an adapter fetched."""
    kind = item.kind.value if isinstance(item.kind, ItemKind) else str(item.kind)
    record = {
        "platform": item.platform,
        "account_id": item.account_id,
        "remote_id": item.remote_id,
        "kind": kind,
        "thread_id": item.thread_id,
        "author_id": item.author.remote_id,
        "author_handle": item.author.handle,
        "author_name": item.author.display_name,
        "text": item.text,
        "created_at": format_time(item.created_at),
        "received_at": received_at,
        "sla_due": format_time(sla.due_time(kind, item.created_at)),
        "status": STATUS_OPEN,
    }
    # Empty optional fields are left out: at 100k items every field costs
    # start-up time and memory, and readers treat a missing field as empty.
    for name, value in (("parent_remote_id", item.parent_remote_id), ("url", item.url),
                        ("language", item.language)):
        if value:
            record[name] = value
    return record


def inbound_from_item(item: InboxItem) -> InboundItem:
    """The neutral record an adapter needs to reply to a stored item."""
    return InboundItem(
        platform=item.platform,
        account_id=item.account_id,
        remote_id=item.remote_id,
        kind=ItemKind(item.kind),
        thread_id=item.thread_id,
        author=Author(item.author_id, item.author_handle, item.author_name),
        text=item.text,
        created_at=item.created_at,
        parent_remote_id=item.parent_remote_id or None,
        url=item.url or None,
        language=item.language,
    )
