"""The publishing rules of ``governance.toml`` (``[publishing]``), as validated records.

- Queue slots per account: the days and local times posts go out when a
  person asks for "the next free slot".
- Blackout windows: one-off (a holiday, an embargo until an announcement) or
  daily (quiet hours), for some accounts or regions or all, each with its
  reason. Overriding one needs a role the file names, and a note.
- Spacing: a minimum time between two posts on one account.
- Duplicates: the same text on one account within N days is a warning.
- Whether a time change needs a new approval, and how late a post may still
  go out when the worker was not running at its time.

Times in the file are wall-clock times of each account's own time zone
(America/New_York for an NA account), so "09:00" stays 09:00 across a
daylight-saving change; a one-off window may give an offset instead
(``2026-12-24T18:00+01:00``) to mean one moment for every account.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone, tzinfo

from console.policy import ERROR, WARNING

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")

#: The rule ids of publishing findings.
RULE_BLACKOUT = "publishing.blackout"
RULE_SPACING = "publishing.spacing"
RULE_DUPLICATE = "publishing.duplicate"
RULE_HOLD = "publishing.hold"


@dataclass(frozen=True)
class QueueSlots:
    """When an account's posts go out by default: local times on some weekdays."""

    days: tuple[int, ...] = tuple(range(7))     # 0 is Monday
    times: tuple[time, ...] = ()


@dataclass(frozen=True)
class Blackout:
    """A window in which posts must not go out (unless overridden with a note).

    One-off: ``start``..``end`` (end not included), as wall-clock times of each
    account's zone, or as moments when they carry an offset. Daily: from
    ``daily_from`` until ``daily_until`` local time (across midnight when
    ``daily_until`` is earlier) on ``days``."""

    id: str
    reason: str
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    start: datetime | None = None
    end: datetime | None = None
    daily_from: time | None = None
    daily_until: time | None = None
    days: tuple[int, ...] = tuple(range(7))
    severity: str = ERROR

    def applies_to(self, account_id: str, region: str) -> bool:
        if not self.accounts and not self.regions:
            return True
        return account_id in self.accounts or (bool(region) and region in self.regions)

    def covers(self, moment: datetime, zone: tzinfo) -> bool:
        """Whether ``moment`` (aware) falls in the window, read in the account's ``zone``."""
        local = moment.astimezone(zone)
        if self.start is not None and self.end is not None:
            return _as_moment(self.start, zone) <= moment < _as_moment(self.end, zone)
        if self.daily_from is None or self.daily_until is None:
            return False
        clock = local.time().replace(tzinfo=None)
        if self.daily_from <= self.daily_until:
            return local.weekday() in self.days and self.daily_from <= clock < self.daily_until
        # across midnight: the evening belongs to its day, the early morning to the day before
        if clock >= self.daily_from:
            return local.weekday() in self.days
        if clock < self.daily_until:
            return (local.weekday() - 1) % 7 in self.days
        return False

    def describe(self) -> str:
        if self.start is not None and self.end is not None:
            return f"{_wall(self.start)} until {_wall(self.end)}"
        days = "" if len(self.days) == 7 else " on " + ", ".join(WEEKDAYS[d] for d in self.days)
        return f"daily {self.daily_from:%H:%M}-{self.daily_until:%H:%M}{days}"


@dataclass(frozen=True)
class PublishingPolicy:
    """Every publishing rule of one version of the governance file."""

    slots: Mapping[str, QueueSlots] = field(default_factory=dict)   # account id, or "*" for every account
    blackouts: tuple[Blackout, ...] = ()
    min_spacing_minutes: int = 0            # 0: off
    spacing_severity: str = ERROR
    duplicate_days: int = 0                 # 0: off
    duplicate_severity: str = WARNING
    reapprove_on_reschedule: bool = False
    override_roles: tuple[str, ...] = ("owner", "admin")
    #: A post still goes out this late when the worker was not running at its
    #: time; later than that it is "missed" and reported, never sent by itself.
    missed_after_minutes: int = 15

    def slots_for(self, account_id: str) -> QueueSlots | None:
        slots = self.slots.get(account_id) or self.slots.get("*")
        return slots if slots is not None and slots.times else None

    @property
    def missed_after(self) -> timedelta:
        return timedelta(minutes=self.missed_after_minutes)


def local_moment(day: date, clock: time, zone: tzinfo) -> datetime:
    """The aware moment of wall-clock ``clock`` on ``day`` in ``zone``.

    A time skipped by a spring-forward change (02:30 on the night clocks jump
    from 02:00 to 03:00) is taken as the moment the clocks show it would have
    been (03:30); a time that happens twice in the autumn is its first."""
    # fold=0 reads a skipped time with the offset from before the change, so the
    # round trip through UTC lands on the wall-clock time after it (02:30 EST is
    # 03:30 EDT); for a repeated time fold=0 is its first occurrence.
    naive = datetime.combine(day, clock)
    return naive.replace(tzinfo=zone, fold=0).astimezone(timezone.utc).astimezone(zone)


def _as_moment(value: datetime, zone: tzinfo) -> datetime:
    if value.tzinfo is not None:
        return value
    return local_moment(value.date(), value.time(), zone)


def _wall(value: datetime) -> str:
    if value.tzinfo is not None:
        return value.isoformat(timespec="minutes")
    return value.strftime("%Y-%m-%d %H:%M") if value.time() != time(0) else value.strftime("%Y-%m-%d")
