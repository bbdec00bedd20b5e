"""Parsing ``listNotifications`` pages into inbound items, defensively.

A page whose envelope is wrong (not an object, ``notifications`` not a list,
``cursor`` not a string) raises :class:`PermanentError`. A single notification
with bad fields (no URI, no author DID, no text, a naive or malformed
``createdAt``/``indexedAt``, ...) is skipped and counted in
:attr:`ParsedPage.skipped`: one bad record never loses the rest of the page.
Notifications of other reasons (likes, follows, ...) are ignored, not counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from integrations.base import Author, InboundItem, ItemKind, PermanentError

from .xrpc import PLATFORM

#: Notification reasons we bring into the inbox, and what they become.
REASONS = {"mention": ItemKind.MENTION, "reply": ItemKind.COMMENT, "quote": ItemKind.MENTION}


@dataclass(frozen=True)
class StrongRef:
    uri: str
    cid: str | None


@dataclass(frozen=True)
class Notification:
    """One usable notification: the item, its sort key, and the refs a reply needs."""

    item: InboundItem
    indexed_at: datetime
    post: StrongRef
    root: StrongRef
    parent: StrongRef | None


@dataclass
class ParsedPage:
    notifications: list[Notification] = field(default_factory=list)
    cursor: str | None = None
    skipped: list[str] = field(default_factory=list)  # why each bad record was skipped
    ignored: int = 0  # other reasons (likes, follows, ...)
    oldest_indexed_at: datetime | None = None  # over every dated notification of the page


class _Skip(Exception):
    pass


def parse_datetime(value: Any) -> datetime:
    """An aware UTC datetime from an atproto datetime string; ValueError otherwise."""
    if not isinstance(value, str) or not 10 <= len(value) <= 64:
        raise ValueError("not a datetime string")
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
        if parsed.tzinfo is None:
            raise ValueError("datetime without a timezone")
        return parsed.astimezone(timezone.utc)
    except OverflowError:
        raise ValueError("datetime out of range") from None


def bsky_post_url(handle: str, uri: str) -> str | None:
    parts = uri.split("/")
    if len(parts) == 5 and uri.startswith("at://") and parts[3] == "app.bsky.feed.post":
        return f"https://bsky.app/profile/{handle or parts[2]}/post/{parts[4]}"
    return None


def _text(obj: dict[str, Any], key: str, *, required: bool = True) -> str:
    value = obj.get(key)
    if isinstance(value, str) and (value or not required):
        return value
    if not required and value is None:
        return ""
    raise _Skip(f"{key} missing or not a string")


def _ref(value: Any, what: str) -> StrongRef:
    if not isinstance(value, dict) or not isinstance(value.get("uri"), str) \
            or not value["uri"].startswith("at://"):
        raise _Skip(f"{what} is not a strong ref")
    cid = value.get("cid")
    return StrongRef(value["uri"], cid if isinstance(cid, str) and cid else None)


def parse_notification(raw: Any, *, account_id: str) -> Notification | None:
    """A notification as a :class:`Notification`, None for other reasons; _Skip if bad."""
    if not isinstance(raw, dict):
        raise _Skip("notification is not an object")
    reason = raw.get("reason")
    if not isinstance(reason, str) or reason not in REASONS:
        return None
    uri = _text(raw, "uri")
    if not uri.startswith("at://"):
        raise _Skip("uri is not an at:// URI")
    cid = raw.get("cid") if isinstance(raw.get("cid"), str) and raw.get("cid") else None
    try:
        indexed_at = parse_datetime(raw.get("indexedAt"))
    except ValueError:
        raise _Skip("indexedAt missing or malformed") from None
    author = raw.get("author")
    if not isinstance(author, dict):
        raise _Skip("author is not an object")
    record = raw.get("record")
    if not isinstance(record, dict):
        raise _Skip("record is not an object")
    text = record.get("text")
    if not isinstance(text, str):
        raise _Skip("record.text missing or not a string")
    try:
        created_at = parse_datetime(record.get("createdAt"))
    except ValueError:
        raise _Skip("record.createdAt missing or malformed") from None
    post = StrongRef(uri, cid)
    root, parent = post, None
    reply = record.get("reply")
    if reply is not None:
        if not isinstance(reply, dict):
            raise _Skip("record.reply is not an object")
        root = _ref(reply.get("root"), "record.reply.root")
        parent = _ref(reply.get("parent"), "record.reply.parent")
    handle = _text(author, "handle")
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    item = InboundItem(
        platform=PLATFORM,
        account_id=account_id,
        remote_id=uri,
        kind=REASONS[reason],
        thread_id=root.uri,
        author=Author(
            remote_id=_text(author, "did"),
            handle=handle,
            display_name=_text(author, "displayName", required=False),
        ),
        text=text,
        created_at=created_at,
        parent_remote_id=parent.uri if parent else None,
        url=bsky_post_url(handle, uri),
        language=language[:16],
    )
    return Notification(item=item, indexed_at=indexed_at, post=post, root=root, parent=parent)


def parse_notifications_page(body: Any, *, account_id: str) -> ParsedPage:
    """A ``listNotifications`` response as a :class:`ParsedPage`; PermanentError if the envelope is bad."""
    if not isinstance(body, dict):
        raise PermanentError("listNotifications response is not an object", platform=PLATFORM)
    raw_list = body.get("notifications")
    if not isinstance(raw_list, list):
        raise PermanentError("listNotifications response lacks a notifications list",
                             platform=PLATFORM)
    cursor = body.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise PermanentError("listNotifications cursor is not a string", platform=PLATFORM)
    page = ParsedPage(cursor=cursor or None)
    for raw in raw_list:
        if isinstance(raw, dict):
            try:
                when = parse_datetime(raw.get("indexedAt"))
            except ValueError:
                when = None
            if when is not None and (page.oldest_indexed_at is None
                                     or when < page.oldest_indexed_at):
                page.oldest_indexed_at = when
        try:
            parsed = parse_notification(raw, account_id=account_id)
        except _Skip as skip:
            page.skipped.append(str(skip))
            continue
        if parsed is None:
            page.ignored += 1
        else:
            page.notifications.append(parsed)
    return page
