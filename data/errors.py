"""Errors raised by the store.

All of them derive from :class:`StoreError`, so callers that only want to show a
message can catch that one.
"""
from __future__ import annotations

from datetime import datetime, timezone


def human_time(at: str | None) -> str:
    """Render an ISO timestamp as ``2026-11-26 10:42:05 UTC`` (best effort)."""
    if not at:
        return "an unknown time"
    try:
        moment = datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


class StoreError(Exception):
    """Base class of every error the store raises on purpose."""


class StoreCorruptError(StoreError):
    """Data on disk cannot be used and no safe recovery exists."""


class NotFoundError(StoreError):
    """The record to change does not exist (never existed, or was deleted)."""

    def __init__(self, collection: str, key: str, *, deleted_by: str | None = None,
                 deleted_at: str | None = None) -> None:
        self.collection = collection
        self.key = key
        self.deleted_by = deleted_by
        self.deleted_at = deleted_at
        if deleted_by is not None:
            text = (f"{collection} {key} was deleted by {deleted_by} "
                    f"at {human_time(deleted_at)}")
        else:
            text = f"{collection} {key} does not exist"
        super().__init__(text)


class ConflictError(StoreError):
    """A compare-and-set failed: someone else changed the record first.

    ``expected_version`` is what the caller had (``None`` for an insert that
    expected no record); ``actual_version`` is the stored ``_v``.
    """

    def __init__(self, collection: str, key: str, *, expected_version: int | None,
                 actual_version: int | None, changed_by: str | None,
                 changed_at: str | None) -> None:
        self.collection = collection
        self.key = key
        self.expected_version = expected_version
        self.actual_version = actual_version
        self.changed_by = changed_by
        self.changed_at = changed_at
        super().__init__(self._text())

    def _text(self) -> str:
        who = self.changed_by or "someone"
        when = human_time(self.changed_at)
        if self.expected_version is None:
            return (f"{self.collection} {self.key} already exists "
                    f"(last changed by {who} at {when}, version {self.actual_version})")
        return (f"{self.collection} {self.key} was changed by {who} at {when} "
                f"(version {self.actual_version}; you had version {self.expected_version})")

    def __str__(self) -> str:  # keep str() stable even if args are touched
        return self._text()


class LogConflictError(ConflictError):
    """An insert into an append-only log collection whose key is not greater
    than the log's last key (which is all the store remembers: the key may
    exist, or a later one does). ``last_key`` is that key; ``changed_by`` /
    ``changed_at`` are the last record's actor and time."""

    def __init__(self, collection: str, key: str, *, last_key: str, last: dict) -> None:
        self.last_key = last_key
        super().__init__(collection, key, expected_version=None,
                         actual_version=last.get("_v"), changed_by=last.get("_by"),
                         changed_at=last.get("_at"))

    def _text(self) -> str:
        return (f"{self.collection} {self.key} is not after the last key {self.last_key} "
                f"(appended by {self.changed_by or 'someone'} at "
                f"{human_time(self.changed_at)}): it exists already, or a later one does")
