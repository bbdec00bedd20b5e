"""Response-time targets: when an inbound item is due for a first response."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class SlaTargets:
    """Minutes allowed for a first response, per kind of item."""

    dm_minutes: int = 30
    comment_minutes: int = 60
    mention_minutes: int = 60
    due_soon_minutes: int = 10

    def minutes_for(self, kind: str) -> int:
        return {
            "dm": self.dm_minutes,
            "comment": self.comment_minutes,
            "mention": self.mention_minutes,
        }.get(kind, self.comment_minutes)

    def due_time(self, kind: str, created_at: datetime) -> datetime:
        """When a first response to an item of ``kind`` written at ``created_at`` is due."""
        return created_at + timedelta(minutes=self.minutes_for(kind))
