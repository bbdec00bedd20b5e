"""Domain records of the inbox, and their mapping to and from store records.

Store records are plain dicts (``data/`` knows nothing of the domain); the
services hand out these frozen dataclasses instead, so a screen can never
change an item except through a service call.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from console.records import format_time, parse_time

INBOX = "inbox"

STATUS_OPEN = "open"
STATUS_SNOOZED = "snoozed"
STATUS_CLOSED = "closed"
STATUSES = (STATUS_OPEN, STATUS_SNOOZED, STATUS_CLOSED)

KINDS = ("comment", "dm", "mention")

REPLY_QUEUED = "queued"
REPLY_SENT = "sent"
REPLY_FAILED = "failed"
REPLY_RETRYING = "retrying"


def item_key(platform: str, remote_id: str) -> str:
    """The store key of an inbound item: one record per platform item, ever."""
    return f"{platform}:{remote_id}"


@dataclass(frozen=True, slots=True)
class Note:
    """A note visible only to the team, never sent to the platform."""

    text: str
    by: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Reply:
    """A reply an operator wrote; the worker sends it and records the outcome."""

    reply_id: str
    text: str
    by: str
    queued_at: datetime
    status: str = REPLY_QUEUED
    attempts: int = 0
    error: str = ""
    next_attempt_at: datetime | None = None
    remote_id: str = ""
    url: str = ""
    sent_at: datetime | None = None
    #: Rule ids of policy warnings the author acknowledged before queueing it.
    acknowledged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class InboxItem:
    """One comment, DM or mention, with its triage state."""

    id: str
    version: int
    platform: str
    account_id: str
    remote_id: str
    kind: str
    thread_id: str
    author_id: str
    author_handle: str
    author_name: str
    text: str
    created_at: datetime
    received_at: datetime
    sla_due: datetime | None
    status: str = STATUS_OPEN
    snoozed_until: datetime | None = None
    assignee: str = ""
    tags: tuple[str, ...] = ()
    notes: tuple[Note, ...] = ()
    replies: tuple[Reply, ...] = ()
    parent_remote_id: str = ""
    url: str = ""
    language: str = ""
    first_response_at: datetime | None = None
    closed_at: datetime | None = None
    changed_by: str = ""
    changed_at: datetime | None = None

    def sla_remaining(self, now: datetime) -> float | None:
        """Seconds until the SLA is due (negative once breached); None if not running."""
        if self.sla_due is None or self.status == STATUS_CLOSED or self.first_response_at:
            return None
        return (self.sla_due - now).total_seconds()

    def is_breached(self, now: datetime) -> bool:
        remaining = self.sla_remaining(now)
        return remaining is not None and remaining < 0

    @property
    def pending_replies(self) -> tuple[Reply, ...]:
        return tuple(r for r in self.replies if r.status in (REPLY_QUEUED, REPLY_RETRYING))


def note_to_dict(note: Note) -> dict:
    return {"text": note.text, "by": note.by, "at": format_time(note.at)}


def reply_to_dict(reply: Reply) -> dict:
    return {
        "reply_id": reply.reply_id,
        "text": reply.text,
        "by": reply.by,
        "queued_at": format_time(reply.queued_at),
        "status": reply.status,
        "attempts": reply.attempts,
        "error": reply.error,
        "next_attempt_at": format_time(reply.next_attempt_at),
        "remote_id": reply.remote_id,
        "url": reply.url,
        "sent_at": format_time(reply.sent_at),
        "acknowledged": list(reply.acknowledged),
    }


def _reply_from_dict(raw: dict) -> Reply:
    return Reply(
        reply_id=raw["reply_id"],
        text=raw["text"],
        by=raw["by"],
        queued_at=parse_time(raw["queued_at"]),
        status=raw.get("status", REPLY_QUEUED),
        attempts=raw.get("attempts", 0),
        error=raw.get("error", ""),
        next_attempt_at=parse_time(raw.get("next_attempt_at")),
        remote_id=raw.get("remote_id", ""),
        url=raw.get("url", ""),
        sent_at=parse_time(raw.get("sent_at")),
        acknowledged=tuple(raw.get("acknowledged", ())),
    )


def item_from_record(record: dict) -> InboxItem:
    """Build the domain item from a store record (which carries ``_key``/``_v``)."""
    return InboxItem(
        id=record["_key"],
        version=record["_v"],
        platform=record["platform"],
        account_id=record["account_id"],
        remote_id=record["remote_id"],
        kind=record["kind"],
        thread_id=record["thread_id"],
        author_id=record["author_id"],
        author_handle=record["author_handle"],
        author_name=record.get("author_name", ""),
        text=record["text"],
        created_at=parse_time(record["created_at"]),
        received_at=parse_time(record["received_at"]),
        sla_due=parse_time(record.get("sla_due")),
        status=record.get("status", STATUS_OPEN),
        snoozed_until=parse_time(record.get("snoozed_until")),
        assignee=record.get("assignee", ""),
        tags=tuple(record.get("tags", ())),
        notes=tuple(
            Note(n["text"], n["by"], parse_time(n["at"])) for n in record.get("notes", ())
        ),
        replies=tuple(_reply_from_dict(r) for r in record.get("replies", ())),
        parent_remote_id=record.get("parent_remote_id") or "",
        url=record.get("url") or "",
        language=record.get("language", ""),
        first_response_at=parse_time(record.get("first_response_at")),
        closed_at=parse_time(record.get("closed_at")),
        changed_by=record.get("_by", ""),
        changed_at=parse_time(record.get("_at")),
    )


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox list shows. Empty fields do not filter."""

    status: str = STATUS_OPEN       # "open", "snoozed", "closed" or "" for all
    account: str = ""
    platform: str = ""
    kind: str = ""
    assignee: str = ""              # a user name, or "-" for unassigned
    tag: str = ""
    breached: bool | None = None    # True: only breached; False: only not breached
    text: str = ""                  # case-insensitive search of text, author, tags

    def describe(self) -> str:
        """A short human description, for the status line."""
        parts = []
        for name in ("status", "account", "platform", "kind", "assignee", "tag"):
            value = getattr(self, name)
            if value:
                parts.append(f"{name}={value}")
        if self.breached is not None:
            parts.append("breached" if self.breached else "not-breached")
        if self.text:
            parts.append(f'"{self.text}"')
        return " ".join(parts) or "all items"


@dataclass(frozen=True)
class InboxCounts:
    """Headline numbers for the status bar."""

    open: int = 0
    breached: int = 0
    due_soon: int = 0
    unassigned: int = 0
    snoozed: int = 0
    closed: int = 0
    total: int = 0
