"""Notices: short messages the console leaves for a person ("your post p-1a2b3c
expired before it was approved"), shown by the TUI until they are read.

A notice is written inside the transaction of the change it reports
(:meth:`NoticeService.tell` takes the caller's transaction), so a person is
never told of a change that did not happen, and never misses one that did.
The store projects each notice's recipient and read flag, so finding one
person's unread notices decodes only theirs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from console.permissions import Actor, PermissionDenied
from console.errors import ConsoleError
from console.records import format_time, parse_time
from data import CollectionSpec, ConflictError, Store

NOTICES = "notices"
NOTICE_COLLECTIONS = (CollectionSpec(NOTICES, schema_version=1, fields=("username", "read")),)
MAX_NOTICE_CHARS = 500


@dataclass(frozen=True, slots=True)
class Notice:
    id: str
    username: str
    text: str
    ref: str           # what it is about, e.g. a post id
    at: datetime | None
    read: bool


def _notice(record: dict) -> Notice:
    return Notice(record["_key"], record["username"], record.get("text", ""), record.get("ref", ""),
                  parse_time(record.get("at")), bool(record.get("read")))


class NoticeService:
    def __init__(self, store: Store, clock: Callable[[], datetime]) -> None:
        self.store = store
        self.clock = clock

    def tell(self, tx: Any, username: str, text: str, ref: str = "") -> None:
        """Leave ``text`` for ``username``, inside the caller's transaction ``tx``."""
        now = self.clock()
        # Keys sort by time, so a person's notices come out in the order they were left.
        key = f"{now.strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:12]}"
        tx.insert(NOTICES, key, {"username": username, "text": text[:MAX_NOTICE_CHARS], "ref": ref,
                                 "at": format_time(now), "read": False})

    def unread(self, username: str) -> list[Notice]:
        """``username``'s unread notices, oldest first."""
        keys = sorted(key for key, (owner, read) in self.store.projection(NOTICES).items()
                      if owner == username and not read)
        found = (self.store.get(NOTICES, key) for key in keys)
        return [_notice(record) for record in found if record is not None]

    def unread_count(self, username: str) -> int:
        """How many notices ``username`` has not read yet (decodes none)."""
        # A copy first: the projection follows writes made on other threads.
        projected = dict(self.store.projection(NOTICES))
        return sum(1 for owner, read in projected.values() if owner == username and not read)

    def on_changed(self, username: str, callback: Callable[[], None]) -> Callable[[], None]:
        """Call ``callback()`` when ``username``'s notices change: one left for them or
        read, here or in another process (seen at the store's next refresh). It runs
        on whichever thread wrote or refreshed. Returns a function that stops the calls."""
        def changed(changes: list) -> None:
            if any(change.collection == NOTICES and (change.projection is None or change.projection[0] == username)
                   for change in changes):
                callback()

        return self.store.on_change(changed)

    def mark_read(self, actor: Actor, ids: Iterable[str]) -> int:
        """Mark ``actor``'s own notices read; returns how many changed. Someone
        else's notice is refused (nothing is changed then)."""
        records = []
        for key in dict.fromkeys(ids):
            record = self.store.get(NOTICES, key)
            if record is None:
                raise ConsoleError(f"no notice {key!r}; it may have been removed")
            if record["username"] != actor.name:
                raise PermissionDenied(f"notice {key} is for {record['username']}, not you; "
                                       "you can mark only your own notices read")
            if not record.get("read"):
                records.append(record)

        # Reading a notice changes no governed state: nothing for the audit trail.
        try:
            with self.store.transaction(actor=actor.name) as tx:
                for record in records:
                    tx.update(NOTICES, record["_key"], {"read": True}, expected_version=record["_v"])
        except ConflictError:
            self.store.refresh()
            raise ConsoleError("a notice changed meanwhile (read in another session?); look again") from None
        return len(records)
