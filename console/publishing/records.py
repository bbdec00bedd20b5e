"""Schedules and publishing holds as records, and their store mapping.

A **schedule** (collection ``schedules``, keyed by the post's id) says when
each of an approved post's accounts gets it, and how far each got: every
target has its own time (a post can go out at 09:00 local on three accounts
in three time zones), its own state, the idempotency key it is sent with
(kept in the store, so a retry after a crash reuses it), the attempt count,
and what the platform answered (remote id and URL, or its reason).

Target states::

    scheduled --claim--> publishing --> published
        |                    |--> retrying (transient: backoff) --> publishing
        |                    |--> failed (permanent, refused, or not sent: why)
        |                    '--> needs_check (the outcome cannot be told)
        '--> missed (its time passed by more than the allowed delay)

    published --delete (a person, through the platform)--> deleted

A **hold** (collection ``publishing_holds``) stops publishing for all
accounts, or some accounts or regions, until it is released: who set it,
when and why, and what it caught as it came into force (the targets it
held, and the ones already being sent). Crisis mode's freeze sets one of
kind "crisis"; a post with a crisis pass (a holding statement) passes the
holds of that crisis, and only those.

The **publishing gate** (collection ``publishing_gate``, one record) makes a
hold and a claim exclusive: every hold and release updates it, and the
publisher's claim updates it with the version it saw when it checked the
holds (compare-and-set). A hold committed between that check and the claim
makes the claim fail; a claim committed first is seen by the hold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from console.records import format_time, parse_time
from data import CollectionSpec

SCHEDULES = "schedules"
HOLDS = "publishing_holds"
GATE = "publishing_gate"
GATE_KEY = "gate"

#: The kind of hold a crisis freeze sets: due posts it stops are missed, never sent late.
CRISIS_HOLD = "crisis"

SCHEDULED = "scheduled"
PUBLISHING = "publishing"
PUBLISHED = "published"
RETRYING = "retrying"
FAILED = "failed"
NEEDS_CHECK = "needs_check"
MISSED = "missed"
DELETED = "deleted"
TARGET_STATES = (SCHEDULED, PUBLISHING, PUBLISHED, RETRYING, FAILED, NEEDS_CHECK, MISSED, DELETED)
#: States the publishing job still acts on.
PENDING = (SCHEDULED, RETRYING)
#: States that end a target's way (retry starts a failed or needs-check one again by hand).
FINAL = (PUBLISHED, FAILED, NEEDS_CHECK, MISSED, DELETED)


@dataclass(frozen=True, slots=True)
class TargetSchedule:
    """One account of a scheduled post: when, and how far it got."""

    account_id: str
    at: datetime
    state: str = SCHEDULED
    key: str = ""                       # idempotency key, stable across retries of this target
    attempts: int = 0
    next_attempt_at: datetime | None = None
    claimed_by: str = ""
    claimed_at: datetime | None = None
    remote_id: str = ""
    url: str = ""
    published_at: datetime | None = None
    error: str = ""                     # the platform's reason, or why it was not sent
    hold: str = ""                      # the crisis hold that made it miss its time
    deleted_by: str = ""                # who deleted it from the platform (state "deleted"), and when
    deleted_at: datetime | None = None

    @property
    def pending(self) -> bool:
        return self.state in PENDING

    def due_at(self) -> datetime:
        """When the publishing job should look at it next."""
        return self.next_attempt_at if self.state == RETRYING and self.next_attempt_at else self.at


@dataclass(frozen=True, slots=True)
class Schedule:
    post_id: str
    targets: Mapping[str, TargetSchedule]
    revision: int                       # the approved revision it publishes
    scheduled_by: str
    scheduled_at: datetime | None
    overrides: tuple[str, ...] = ()     # blackout ids overridden, with the note below
    override_note: str = ""
    acknowledged: tuple[str, ...] = ()  # warning rule ids acknowledged when scheduling
    #: The crisis whose freeze this post passes (a holding statement); "" for every other post.
    crisis_pass: str = ""
    version: int = 0

    @property
    def first_at(self) -> datetime:
        return min(target.at for target in self.targets.values())


@dataclass(frozen=True, slots=True)
class InFlight:
    """A target already claimed for sending when a hold came into force."""

    post_id: str
    account_id: str
    claimed_at: datetime | None
    claimed_by: str = ""


@dataclass(frozen=True, slots=True)
class Hold:
    """A publishing hold: nothing in its scope goes out until it is released."""

    id: str
    reason: str
    by: str
    at: datetime | None
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    kind: str = "manual"                # "manual", or "crisis" (set by a crisis freeze)
    crisis: str = ""                    # the crisis it belongs to ("" for a freeze without one)
    released_by: str = ""
    released_at: datetime | None = None
    release_note: str = ""
    #: What it caught as it came into force: targets due later, targets already due
    #: (publish-now requests, late ones), and targets already being sent.
    scheduled: int = 0
    due: int = 0
    in_flight: tuple[InFlight, ...] = ()
    version: int = 0

    @property
    def active(self) -> bool:
        return self.released_at is None

    def applies_to(self, account_id: str, region: str) -> bool:
        if not self.accounts and not self.regions:
            return True
        return account_id in self.accounts or (bool(region) and region in self.regions)

    def passed_by(self, crisis_pass: str) -> bool:
        """Whether a post with ``crisis_pass`` passes this hold: a crisis hold, and the pass of its crisis."""
        return bool(crisis_pass) and self.kind == CRISIS_HOLD and self.crisis == crisis_pass

    def stops(self, account_id: str, region: str, crisis_pass: str = "") -> bool:
        return self.applies_to(account_id, region) and not self.passed_by(crisis_pass)

    def in_force_between(self, start: datetime, end: datetime) -> bool:
        """Whether it was in force at some moment from ``start`` to ``end``."""
        return self.at is not None and self.at <= end and (self.released_at is None or self.released_at > start)

    @property
    def scope(self) -> str:
        return ", ".join(self.accounts + tuple(f"region {r}" for r in self.regions)) or "every account"

    def describe(self) -> str:
        return f"{self.scope}: {self.reason} (by {self.by})"


def target_key(post_id: str, account_id: str, generation: int = 0) -> str:
    """The idempotency key of one target: the same for every retry of that target."""
    digest = hashlib.sha256(f"{post_id}|{account_id}|{generation}".encode()).hexdigest()
    return f"socops-{digest[:24]}"


# -- to and from the store -----------------------------------------------------------------
def target_to_dict(target: TargetSchedule) -> dict:
    return {"at": format_time(target.at), "state": target.state, "key": target.key,
            "attempts": target.attempts, "next_attempt_at": format_time(target.next_attempt_at),
            "claimed_by": target.claimed_by, "claimed_at": format_time(target.claimed_at),
            "remote_id": target.remote_id, "url": target.url,
            "published_at": format_time(target.published_at), "error": target.error,
            "deleted_by": target.deleted_by, "deleted_at": format_time(target.deleted_at),
            "hold": target.hold}


def target_from_dict(account_id: str, raw: Mapping) -> TargetSchedule:
    return TargetSchedule(
        account_id=account_id, at=parse_time(raw.get("at")), state=str(raw.get("state") or SCHEDULED),
        key=str(raw.get("key") or ""), attempts=int(raw.get("attempts") or 0),
        next_attempt_at=parse_time(raw.get("next_attempt_at")), claimed_by=str(raw.get("claimed_by") or ""),
        claimed_at=parse_time(raw.get("claimed_at")), remote_id=str(raw.get("remote_id") or ""),
        url=str(raw.get("url") or ""), published_at=parse_time(raw.get("published_at")),
        error=str(raw.get("error") or ""), deleted_by=str(raw.get("deleted_by") or ""),
        deleted_at=parse_time(raw.get("deleted_at")), hold=str(raw.get("hold") or ""))


def schedule_from_record(record: Mapping) -> Schedule:
    targets = record.get("targets") or {}
    return Schedule(
        post_id=record["_key"],
        targets={account_id: target_from_dict(account_id, raw) for account_id, raw in sorted(targets.items())},
        revision=int(record.get("revision") or 0), scheduled_by=str(record.get("scheduled_by") or ""),
        scheduled_at=parse_time(record.get("scheduled_at")), overrides=tuple(record.get("overrides") or ()),
        override_note=str(record.get("override_note") or ""),
        acknowledged=tuple(record.get("acknowledged") or ()), crisis_pass=str(record.get("crisis_pass") or ""),
        version=int(record.get("_v") or 0))


def in_flight_to_dict(target: InFlight) -> dict:
    return {"post_id": target.post_id, "account_id": target.account_id,
            "claimed_at": format_time(target.claimed_at), "claimed_by": target.claimed_by}


def hold_from_record(record: Mapping) -> Hold:
    in_flight = tuple(InFlight(str(raw.get("post_id") or ""), str(raw.get("account_id") or ""),
                               parse_time(raw.get("claimed_at")), str(raw.get("claimed_by") or ""))
                      for raw in record.get("in_flight") or ())
    return Hold(id=record["_key"], reason=str(record.get("reason") or ""), by=str(record.get("by") or ""),
                at=parse_time(record.get("at")), accounts=tuple(record.get("accounts") or ()),
                regions=tuple(record.get("regions") or ()), kind=str(record.get("kind") or "manual"),
                crisis=str(record.get("crisis") or ""), released_by=str(record.get("released_by") or ""),
                released_at=parse_time(record.get("released_at")),
                release_note=str(record.get("release_note") or ""), scheduled=int(record.get("scheduled") or 0),
                due=int(record.get("due") or 0), in_flight=in_flight, version=int(record.get("_v") or 0))


def _target_rows(record: dict) -> tuple:
    """The projection the calendar and the publishing job read: one
    ``(account, at, state, next attempt)`` tuple per target, no decoding of the rest."""
    targets = record.get("targets") or {}
    return tuple((account_id, raw.get("at"), raw.get("state"), raw.get("next_attempt_at"))
                 for account_id, raw in sorted(targets.items()))


#: Projected names of a schedule: its targets' rows.
P_TARGETS = 0

SCHEDULE_COLLECTIONS = (
    CollectionSpec(SCHEDULES, schema_version=1, derived={"target_rows": _target_rows}),
    CollectionSpec(HOLDS, schema_version=1),
    CollectionSpec(GATE, schema_version=1),
)


@dataclass(frozen=True)
class ScheduleRequest:
    """What a person asks for when scheduling: a time for every target, or the next free slot."""

    at: datetime | None = None          # an aware moment for every target
    local: datetime | None = None       # a wall-clock time read in each target's own zone
    next_slot: bool = False
    overrides: tuple[str, ...] = ()     # blackout ids to override (needs a role the file names)
    note: str = ""                      # why, required with an override
    acknowledge: tuple[str, ...] = ()   # warning rule ids
