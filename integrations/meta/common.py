"""Inbound bookkeeping shared by the Facebook and Instagram adapters.

The cursor is opaque: ``"v1:" + JSON`` of one high-water mark per source
(``{"t": ISO time, "ids": [ids seen at exactly that time]}``). An item is new
when it is later than the mark, or at the mark's time with an id not in
``ids``, so equal timestamps never skip. A source's mark only moves to the
newest item *returned* from it, so items cut by ``limit`` come next time; the
same item may come twice, none is skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime, timedelta
from collections.abc import Callable
from typing import Any

from integrations.base import Author, InboundItem, InboundPage, ItemKind, PermanentError
from integrations.meta.graph import GraphClient, data_list, get_obj, get_str, next_url, parse_time

CURSOR_PREFIX = "v1:"
MESSAGING_WINDOW = timedelta(hours=24)
MESSAGE_LIMIT = 25


@dataclass(frozen=True)
class Mark:
    """The newest time seen from one source and the ids seen at that time."""

    time: datetime | None = None
    ids: frozenset[str] = frozenset()

    def is_new(self, created: datetime, remote_id: str) -> bool:
        if self.time is None:
            return True
        return created > self.time or (created == self.time and remote_id not in self.ids)

    def reaches(self, when: datetime) -> bool:
        """Could something at or after ``when`` still be new?"""
        return self.time is None or when >= self.time

    def advance(self, returned: list[InboundItem]) -> "Mark":
        if not returned:
            return self
        newest = max(i.created_at for i in returned)
        if self.time is not None and newest < self.time:
            return self
        ids = {i.remote_id for i in returned if i.created_at == newest}
        if self.time == newest:
            ids |= self.ids
        return Mark(newest, frozenset(ids))


def encode_cursor(marks: dict[str, Mark]) -> str:
    body = {name: {"t": m.time.isoformat() if m.time else None, "ids": sorted(m.ids)}
            for name, m in marks.items()}
    return CURSOR_PREFIX + json.dumps(body, sort_keys=True, separators=(",", ":"))


def decode_cursor(cursor: str | None, sources: tuple[str, ...], platform: str) -> dict[str, Mark]:
    marks = {name: Mark() for name in sources}
    if cursor is None:
        return marks
    bad = PermanentError(f"invalid {platform} cursor", platform=platform)
    if not isinstance(cursor, str) or not cursor.startswith(CURSOR_PREFIX):
        raise bad
    try:
        body = json.loads(cursor[len(CURSOR_PREFIX):])
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(body, dict):
        raise bad
    for name in sources:
        entry = body.get(name)
        if entry is None:
            continue
        if not isinstance(entry, dict):
            raise bad
        t, ids = entry.get("t"), entry.get("ids", [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise bad
        if t is None:
            continue
        if not isinstance(t, str):
            raise bad
        try:
            when = parse_time(t, platform, "cursor")
        except PermanentError:
            raise bad from None
        marks[name] = Mark(when, frozenset(ids))
    return marks


def finish_page(found: dict[str, list[InboundItem]], marks: dict[str, Mark], limit: int) -> InboundPage:
    """Merge the sources oldest first, keep ``limit``, and move each mark."""
    everything: dict[tuple[str, str], tuple[str, InboundItem]] = {}
    for source, items in found.items():
        for item in items:
            everything.setdefault((source, item.remote_id), (source, item))
    ordered = sorted(everything.values(), key=lambda si: (si[1].created_at, si[1].remote_id))
    kept = ordered[:max(1, limit)]
    new_marks = dict(marks)
    for source in found:
        new_marks[source] = marks[source].advance([i for s, i in kept if s == source])
    return InboundPage(items=[i for _s, i in kept], cursor=encode_cursor(new_marks),
                       has_more=len(ordered) > len(kept))


async def read_down_to_mark(graph: GraphClient, path: str, params: dict, what: str,
                            parse: Callable[[Any], InboundItem], mark: Mark) -> list[InboundItem]:
    """Items of newest-first pages that the mark has not passed, stopping after
    the first page that reaches it (``/tagged`` on Facebook, ``/tags`` on Instagram)."""
    found: list[InboundItem] = []
    async for page in graph.pages(path, params, what):
        reached = False
        for raw in page:
            item = parse(raw)
            if not mark.reaches(item.created_at):
                reached = True
            elif mark.is_new(item.created_at, item.remote_id):
                found.append(item)
        if reached:
            break
    return found


def author_of(sender: Any, platform: str, what: str) -> Author:
    """A Graph ``from`` object; Instagram has ``username``, Facebook ``name``."""
    if not sender:
        return Author(remote_id="", handle="")
    username = get_str(sender, "username", platform, what, required=False)
    name = get_str(sender, "name", platform, what, required=False)
    return Author(remote_id=get_str(sender, "id", platform, what, required=False),
                  handle=f"@{username}" if username else name, display_name=name)


def parse_messages(conv: Any, own_ids: set[str], mark: Mark, *, platform: str,
                   account_id: str) -> tuple[list[InboundItem], bool]:
    """New DMs of one conversation (not ours) and whether older ones may be new too."""
    cid = get_str(conv, "id", platform, "conversation")
    box = get_obj(conv, "messages", platform, "conversation", required=False)
    messages = data_list(box, platform, "conversation.messages") if box else []
    items: list[InboundItem] = []
    older_may_be_new = bool(messages)
    for m in messages:
        mid = get_str(m, "id", platform, "message")
        created = parse_time(get_str(m, "created_time", platform, "message"), platform,
                             "message.created_time")
        if not mark.reaches(created):
            older_may_be_new = False
        author = author_of(get_obj(m, "from", platform, "message", required=False),
                           platform, "message.from")
        if author.remote_id in own_ids or not mark.is_new(created, mid):
            continue
        items.append(InboundItem(
            platform=platform, account_id=account_id, remote_id=mid, kind=ItemKind.DM,
            thread_id=f"{platform}:conv:{cid}", author=author,
            text=get_str(m, "message", platform, "message", required=False), created_at=created))
    return items, older_may_be_new and next_url(box) is not None


async def fetch_conversations(graph: GraphClient, page_id: str, own_ids: set[str], mark: Mark,
                              *, account_id: str, instagram: bool = False) -> list[InboundItem]:
    """New DMs from ``GET /{page-id}/conversations`` (newest conversation first)."""
    platform = graph.platform
    params = {"fields": f"id,updated_time,participants,messages.limit({MESSAGE_LIMIT})"
                        "{id,message,from,created_time}", "limit": "25"}
    if instagram:
        params["platform"] = "instagram"
    found: list[InboundItem] = []
    async for convs in graph.pages(f"{page_id}/conversations", params, "conversations"):
        done = False
        for conv in convs:
            updated = get_str(conv, "updated_time", platform, "conversation", required=False)
            if updated and not mark.reaches(parse_time(updated, platform, "conversation.updated_time")):
                done = True
                break
            items, more = parse_messages(conv, own_ids, mark, platform=platform, account_id=account_id)
            found += items
            box = conv["messages"] if more else None
            for _ in range(20):  # older messages of a busy conversation
                if box is None:
                    break
                box = (await graph.request("GET", graph.own_url(next_url(box)))).data
                items, more = parse_messages({"id": conv["id"], "messages": box}, own_ids, mark,
                                             platform=platform, account_id=account_id)
                found += items
                box = box if more else None
        if done:
            break
    return found


def check_messaging_window(item: InboundItem, now: datetime, platform: str) -> None:
    if now - item.created_at > MESSAGING_WINDOW:
        raise PermanentError(
            f"{platform}: this message is more than 24 hours old; Meta's messaging policy "
            "allows a reply only within 24 hours of the person's last message",
            platform=platform)
