"""Unsaved work kept per person: what they were writing when their console closed.

A post being composed and the reply and note drafts of the inbox live in the
console's memory until they are saved or sent. So that quitting, being locked
out and quitting, a dropped SSH link or a crash does not lose them, the
console writes them here as they change (debounced) and when it closes, and
reads them back when the same person logs in again.

Not in the store, on purpose: a draft post in the store needs targets, every
save there is audited and makes a revision, and saving an edit of a post in
review or approved sends it back to the first approval stage. Keeping what
someone typed must not do any of that; it stays theirs until they save it.

Files: ``<state>/unsaved/<user>/<kind>.<session>.json``, one per console
session, so two consoles of one person never overwrite each other's work.
Each is written whole (temporary file, fsync, rename), private to the service
account. :meth:`UnsavedWork.kept` lists what an earlier session left, newest
first; the session that takes it over keeps it under its own name and then
removes the old file.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from console.records import format_time, parse_time
from data import write_file_atomically

log = logging.getLogger("socops")

#: What a session keeps: the post in Compose, the inbox's reply and note drafts.
COMPOSE = "compose"
INBOX_DRAFTS = "inbox-drafts"
KINDS = (COMPOSE, INBOX_DRAFTS)

_SAFE = re.compile(r"^[a-z0-9._-]{1,64}$")


@dataclass(frozen=True)
class KeptWork:
    """What one session kept of one kind."""

    username: str
    kind: str
    session: str
    kept_at: datetime
    data: dict
    path: Path


class UnsavedWork:
    """Reads and writes the unsaved work of people, one file per kind and session."""

    def __init__(self, folder: Path, clock: Callable[[], datetime]) -> None:
        self.folder = folder
        self.clock = clock

    def _path(self, username: str, kind: str, session: str) -> Path:
        for part in (username, kind, session):
            if not _SAFE.match(part):   # user names are checked at login; never a path out
                raise ValueError(f"not usable in a file name: {part!r}")
        return self.folder / username / f"{kind}.{session}.json"

    def keep(self, username: str, session: str, kind: str, data: dict) -> None:
        """Write ``data`` as ``username``'s unsaved work of ``kind`` for ``session``."""
        path = self._path(username, kind, session)
        self.folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        path.parent.mkdir(exist_ok=True, mode=0o700)
        body = json.dumps({"kind": kind, "username": username, "session": session,
                           "kept_at": format_time(self.clock()), "data": data},
                          ensure_ascii=False, sort_keys=True).encode("utf-8")
        write_file_atomically(path.parent, path, body)

    def forget(self, username: str, session: str, kind: str) -> None:
        """Remove what ``session`` kept of ``kind`` (saved, sent or discarded since)."""
        try:
            self._path(username, kind, session).unlink()
        except FileNotFoundError:
            pass

    def kept(self, username: str, kind: str, *, besides: str = "") -> list[KeptWork]:
        """What sessions other than ``besides`` kept of ``kind`` for ``username``, newest first.
        An unreadable file is left where it is and reported in the log, never lost."""
        try:
            folder = self._path(username, kind, "x").parent
        except ValueError:
            return []
        found = []
        for path in folder.glob(f"{kind}.*.json"):
            session = path.name[len(kind) + 1:-len(".json")]
            if session == besides:
                continue
            try:
                record = json.loads(path.read_text(encoding="utf-8"))
                found.append(KeptWork(username, kind, session, parse_time(record["kept_at"]),
                                      dict(record["data"]), path))
            except (OSError, ValueError, KeyError, TypeError) as error:
                log.warning("unsaved work in %s could not be read (%s); it is left there", path, error)
        return sorted(found, key=lambda work: work.kept_at, reverse=True)

    def remove(self, work: KeptWork) -> None:
        """Remove a file :meth:`kept` listed, once its work is kept elsewhere."""
        try:
            work.path.unlink()
        except FileNotFoundError:
            pass


def merged_drafts(works: list[KeptWork]) -> dict[str, Any]:
    """Inbox drafts of several sessions in one: per draft, the newest session's text."""
    drafts: dict[tuple, dict] = {}
    for work in sorted(works, key=lambda w: w.kept_at):
        for draft in work.data.get("drafts", []):
            drafts[(draft.get("action"), tuple(draft.get("items", ())))] = draft
    return {"drafts": list(drafts.values())}
