"""The unified inbox: comments, DMs and mentions from every account, triaged
and answered by the team.

- ``records.py``: :class:`InboxItem` and its replies and notes, the statuses,
  :class:`InboxFilter` and :class:`InboxCounts`, and their store mapping.
- ``service.py``: :class:`InboxService`: list, assign, tag, snooze, close,
  note and reply, each a single compare-and-set call, audited.
- ``index.py``: the in-memory index behind filters and search at 100k items.
- ``query.py``: the one-line query typed in the filter box.
- ``reply_policy.py``: the content policy as the inbox checks replies.
- ``sla.py``: :class:`SlaTargets`: when an item is due for a first response.
- ``inbound.py``: the adapters' inbound records to inbox records and back.
- ``jobs.py``: the worker's jobs: :class:`SyncInbound` pulls inbound items,
  :class:`SendReplies` sends queued replies, :class:`WakeSnoozed` reopens
  snoozed items.
- ``importing.py``: import history from JSON Lines (another tool's export).
- ``seeding.py``: fill the inbox with sandbox history, for demos and benchmarks.
"""

from console.inbox.importing import IMPORT_BATCH, ImportReport, import_items
from console.inbox.inbound import inbound_from_item, record_from_inbound
from console.inbox.index import PROJECTED_DERIVED, PROJECTED_FIELDS, InboxIndex
from console.inbox.jobs import ReplyReport, SendReplies, SyncInbound, SyncReport, WakeSnoozed
from console.inbox.query import format_query, parse_query
from console.inbox.records import (
    INBOX,
    KINDS,
    REPLY_FAILED,
    REPLY_QUEUED,
    REPLY_RETRYING,
    REPLY_SENT,
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_SNOOZED,
    STATUSES,
    InboxCounts,
    InboxFilter,
    InboxItem,
    Note,
    Reply,
    item_key,
)
from console.inbox.reply_policy import (
    ReplyBlocked,
    ReplyNeedsAcknowledgement,
    finding_line,
    is_public,
    policy_reply_check,
    reply_target,
    rule_ids,
)
from console.inbox.seeding import SEED_BATCH, SeedReport, seed_inbox
from console.inbox.service import InboxService
from console.inbox.sla import SlaTargets

__all__ = [
    "IMPORT_BATCH",
    "INBOX",
    "KINDS",
    "PROJECTED_DERIVED",
    "PROJECTED_FIELDS",
    "REPLY_FAILED",
    "REPLY_QUEUED",
    "REPLY_RETRYING",
    "REPLY_SENT",
    "SEED_BATCH",
    "STATUSES",
    "STATUS_CLOSED",
    "STATUS_OPEN",
    "STATUS_SNOOZED",
    "ImportReport",
    "InboxCounts",
    "InboxFilter",
    "InboxIndex",
    "InboxItem",
    "InboxService",
    "Note",
    "Reply",
    "ReplyBlocked",
    "ReplyNeedsAcknowledgement",
    "ReplyReport",
    "SeedReport",
    "SendReplies",
    "SlaTargets",
    "SyncInbound",
    "SyncReport",
    "WakeSnoozed",
    "finding_line",
    "format_query",
    "import_items",
    "inbound_from_item",
    "is_public",
    "item_key",
    "parse_query",
    "policy_reply_check",
    "record_from_inbound",
    "reply_target",
    "rule_ids",
    "seed_inbox",
]
