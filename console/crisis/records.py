"""Crises as records, and their store mapping.

A **crisis** (collection ``crises``, keyed ``c-`` and six hex digits) is
declared at a severity level of the governance file, with a title, a reason,
the accounts and regions it affects (none: every account) and, optionally, a
playbook. It carries what happens while it lasts: its runbook (the level's
and the playbook's steps, each with its owner, its due time and its state),
the team's notes, the holds its freezes set, the holding statements sent
through it, and, once resolved, who asked and who confirmed. One crisis is
active at a time; the store projects each crisis's state, so finding the
active one decodes nothing.

The **crisis desk** (collection ``crisis_desk``) holds two records at most:
``active`` names the active crisis (inserted at the declaration, so two
people declaring at once cannot both succeed), and ``request`` is an unfreeze
or a resolve that one person asked for and a second must confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from console.records import format_time, parse_time
from data import CollectionSpec

CRISES = "crises"
DESK = "crisis_desk"
ACTIVE_KEY = "active"
REQUEST_KEY = "request"

ACTIVE = "active"
RESOLVED = "resolved"

STEP_OPEN = "open"
STEP_DONE = "done"
STEP_NA = "n/a"
STEP_STATES = (STEP_OPEN, STEP_DONE, STEP_NA)

UNFREEZE = "unfreeze"
RESOLVE = "resolve"

CRISIS_COLLECTIONS = (
    CollectionSpec(CRISES, schema_version=1, fields=("state",)),
    CollectionSpec(DESK, schema_version=1),
)


@dataclass(frozen=True, slots=True)
class Step:
    """One runbook step of a crisis."""

    id: str
    title: str
    owner: str                      # a role, or "user:NAME"
    due_at: datetime
    state: str = STEP_OPEN
    by: str = ""
    at: datetime | None = None
    note: str = ""

    def overdue(self, now: datetime) -> bool:
        return self.state == STEP_OPEN and now > self.due_at

    @property
    def late(self) -> bool:
        """Done after its due time."""
        return self.state == STEP_DONE and self.at is not None and self.at > self.due_at


@dataclass(frozen=True, slots=True)
class TeamNote:
    at: datetime
    by: str
    text: str
    announced: bool = False


@dataclass(frozen=True, slots=True)
class Statement:
    """A holding statement sent through the crisis route: its post, and how far it got."""

    post_id: str
    asset_id: str
    accounts: tuple[str, ...]
    by: str
    at: datetime
    released_at: datetime | None = None      # approved and handed to publishing (passes the freeze)
    problem: str = ""                        # why it could not be handed to publishing


@dataclass(frozen=True, slots=True)
class MissedTarget:
    """A post that missed its time because of the crisis's freeze, as listed at the unfreeze."""

    post_id: str
    account_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Crisis:
    id: str
    severity: int
    level: str                      # the level's name when it was declared
    title: str
    reason: str
    declared_by: str
    declared_at: datetime
    state: str = ACTIVE
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    playbook: str = ""
    playbook_title: str = ""
    freeze_scope: str = "none"      # the level's freeze when it was declared
    responders: tuple[str, ...] = ()
    statement_tags: tuple[str, ...] = ()
    steps: tuple[Step, ...] = ()
    notes: tuple[TeamNote, ...] = ()
    holds: tuple[str, ...] = ()     # the holds its freezes set, oldest first
    statements: tuple[Statement, ...] = ()
    missed: tuple[MissedTarget, ...] = ()
    held_replies: int = 0           # queued replies its freezes held (non-responders on frozen accounts)
    audit_from: int = 0             # the audit trail's last event before it was declared
    resolved_by: str = ""
    resolve_confirmed_by: str = ""
    resolved_at: datetime | None = None
    resolve_note: str = ""
    version: int = 0

    @property
    def active(self) -> bool:
        return self.state == ACTIVE

    @property
    def label(self) -> str:
        return f"{self.severity} {self.level}"

    @property
    def scope(self) -> str:
        return ", ".join(self.accounts + tuple(f"region {r}" for r in self.regions)) or "every account"

    def affects(self, account_id: str, region: str) -> bool:
        """Whether the crisis is about this account (no accounts or regions named: every one)."""
        if not self.accounts and not self.regions:
            return True
        return account_id in self.accounts or (bool(region) and region in self.regions)

    def elapsed(self, now: datetime) -> timedelta:
        end = self.resolved_at or now
        return max(end - self.declared_at, timedelta(0))

    def step(self, step_id: str) -> Step | None:
        return next((step for step in self.steps if step.id == step_id), None)


@dataclass(frozen=True, slots=True)
class ReplyFact:
    """What crisis mode needs to know of an inbox reply (the inbox's records stay the inbox's)."""

    item_id: str
    account_id: str
    reply_id: str
    by: str
    status: str                     # queued, retrying, sent, failed
    sent_at: datetime | None = None


@dataclass(frozen=True, slots=True)
class Request:
    """An unfreeze or a resolve waiting for a second person."""

    kind: str                       # "unfreeze" or "resolve"
    by: str
    at: datetime
    note: str = ""
    crisis_id: str = ""
    version: int = 0

    def describe(self) -> str:
        what = f"{self.kind} of {self.crisis_id}" if self.crisis_id else self.kind
        return f"{what} asked by {self.by} at {format_time(self.at)}" + (f": {self.note}" if self.note else "")


# -- to and from the store -----------------------------------------------------------------
def step_to_dict(step: Step) -> dict:
    return {"id": step.id, "title": step.title, "owner": step.owner, "due_at": format_time(step.due_at),
            "state": step.state, "by": step.by, "at": format_time(step.at), "note": step.note}


def note_to_dict(note: TeamNote) -> dict:
    return {"at": format_time(note.at), "by": note.by, "text": note.text, "announced": note.announced}


def statement_to_dict(statement: Statement) -> dict:
    return {"post_id": statement.post_id, "asset_id": statement.asset_id, "accounts": list(statement.accounts),
            "by": statement.by, "at": format_time(statement.at),
            "released_at": format_time(statement.released_at), "problem": statement.problem}


def missed_to_dict(missed: MissedTarget) -> dict:
    return {"post_id": missed.post_id, "account_id": missed.account_id, "at": format_time(missed.at)}


def crisis_from_record(record: Mapping) -> Crisis:
    steps = tuple(Step(str(raw["id"]), str(raw.get("title") or ""), str(raw.get("owner") or ""),
                       parse_time(raw.get("due_at")), str(raw.get("state") or STEP_OPEN),
                       str(raw.get("by") or ""), parse_time(raw.get("at")), str(raw.get("note") or ""))
                  for raw in record.get("steps") or ())
    notes = tuple(TeamNote(parse_time(raw.get("at")), str(raw.get("by") or ""), str(raw.get("text") or ""),
                           bool(raw.get("announced"))) for raw in record.get("notes") or ())
    statements = tuple(Statement(str(raw.get("post_id") or ""), str(raw.get("asset_id") or ""),
                                 tuple(raw.get("accounts") or ()), str(raw.get("by") or ""),
                                 parse_time(raw.get("at")), parse_time(raw.get("released_at")),
                                 str(raw.get("problem") or ""))
                       for raw in record.get("statements") or ())
    missed = tuple(MissedTarget(str(raw.get("post_id") or ""), str(raw.get("account_id") or ""),
                                parse_time(raw.get("at"))) for raw in record.get("missed") or ())
    return Crisis(
        id=record["_key"], severity=int(record.get("severity") or 0), level=str(record.get("level") or ""),
        title=str(record.get("title") or ""), reason=str(record.get("reason") or ""),
        declared_by=str(record.get("declared_by") or ""), declared_at=parse_time(record.get("declared_at")),
        state=str(record.get("state") or ACTIVE), accounts=tuple(record.get("accounts") or ()),
        regions=tuple(record.get("regions") or ()), playbook=str(record.get("playbook") or ""),
        playbook_title=str(record.get("playbook_title") or ""),
        freeze_scope=str(record.get("freeze_scope") or "none"), responders=tuple(record.get("responders") or ()),
        statement_tags=tuple(record.get("statement_tags") or ()), steps=steps, notes=notes,
        holds=tuple(record.get("holds") or ()), statements=statements, missed=missed,
        held_replies=int(record.get("held_replies") or 0), audit_from=int(record.get("audit_from") or 0),
        resolved_by=str(record.get("resolved_by") or ""),
        resolve_confirmed_by=str(record.get("resolve_confirmed_by") or ""),
        resolved_at=parse_time(record.get("resolved_at")), resolve_note=str(record.get("resolve_note") or ""),
        version=int(record.get("_v") or 0))


def request_from_record(record: Mapping) -> Request:
    return Request(kind=str(record.get("kind") or ""), by=str(record.get("by") or ""),
                   at=parse_time(record.get("at")), note=str(record.get("note") or ""),
                   crisis_id=str(record.get("crisis_id") or ""), version=int(record.get("_v") or 0))
