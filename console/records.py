"""What the records of every domain share: times as the store keeps them
(aware UTC, ISO text), and the outcome of a bulk action.

Store records are plain dicts (``data/`` knows nothing of the domain); each
domain's services hand out frozen dataclasses made from them (the inbox's
are ``console/inbox/records.py``, the posts' ``console/posts/records.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone


def utc_now() -> datetime:
    """The real clock; services take a clock so tests can pass a fake one."""
    return datetime.now(timezone.utc)


def parse_time(value: str | None) -> datetime | None:
    """An ISO time from the store as an aware UTC datetime (None stays None)."""
    if not value:
        return None
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment


def format_time(moment: datetime | None) -> str | None:
    """An aware datetime as the ISO UTC text the store keeps."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError("times in the store must be timezone-aware")
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


@dataclass
class BulkResult:
    """What a bulk action did to each item."""

    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (id, reason)

    def summary(self, verb: str) -> str:
        text = f"{verb} {len(self.done)} item{'s' if len(self.done) != 1 else ''}"
        if self.failed:
            text += f"; {len(self.failed)} not changed: " + "; ".join(r for _, r in self.failed[:3])
        return text
