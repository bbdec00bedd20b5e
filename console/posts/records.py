"""Posts as records: the frozen dataclasses services hand out, their mapping to
and from store records, the projection the approval queue reads, and the
errors of the post path.

A post keeps its current content at the top level (text, variants, tags,
assets, targets) and every revision of it in ``revisions``, so approvers can
see what changed since they last looked. Approvals of the current approval
round live in ``approvals``; a reset (changes requested, an edit after
approval, a new submission) moves them to ``past_approvals``, where they keep
telling which revision an approver last saw.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from console.policy import Finding, Route, Stage
from console.errors import ConsoleError, InvalidAction
from console.permissions import PermissionDenied
from console.records import format_time, parse_time
from data import CollectionSpec

POSTS = "posts"
#: Import keys (one per row of an imported file) -> the post made from that row,
#: so importing the same file again makes nothing twice.
POST_IMPORTS = "post_imports"

DRAFT = "draft"
IN_REVIEW = "in_review"
CHANGES_REQUESTED = "changes_requested"
REJECTED = "rejected"
APPROVED = "approved"
EXPIRED = "expired"
POST_STATUSES = (DRAFT, IN_REVIEW, CHANGES_REQUESTED, REJECTED, APPROVED, EXPIRED)

#: What people read for each status ("approved" is what the scheduler picks up).
STATUS_LABELS = {
    DRAFT: "draft",
    IN_REVIEW: "in review",
    CHANGES_REQUESTED: "changes requested",
    REJECTED: "rejected",
    APPROVED: "ready to schedule",
    EXPIRED: "expired",
}

#: Statuses in which the content may still change.
EDITABLE = (DRAFT, IN_REVIEW, CHANGES_REQUESTED, APPROVED)


# -- errors -----------------------------------------------------------------------------
class PostNotFound(ConsoleError):
    """No post has that id."""


class AlreadyImported(InvalidAction):
    """A row of an imported file that an earlier import already made into a post."""

    def __init__(self, message: str, post_id: str) -> None:
        super().__init__(message)
        self.post_id = post_id


class PolicyBlocked(ConsoleError):
    """The post breaks a rule whose severity is error; ``findings`` lists them."""

    def __init__(self, message: str, findings: tuple[Finding, ...]) -> None:
        super().__init__(message)
        self.findings = findings


class AcknowledgementRequired(ConsoleError):
    """Warnings must be acknowledged by rule id before submitting; ``warnings`` lists them."""

    def __init__(self, message: str, warnings: tuple[Finding, ...]) -> None:
        super().__init__(message)
        self.warnings = warnings


class UnstaffedStage(InvalidAction):
    """A stage of the post's route has nobody who could approve it."""


class PostExpired(InvalidAction):
    """The post's proposed time passed before it was fully approved."""


class SelfApprovalRefused(PermissionDenied):
    """Nobody approves a post they wrote or edited."""


class NotYourStage(PermissionDenied):
    """The current stage waits for another role (or for the accounts' owner)."""


# -- records ----------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Revision:
    number: int
    text: str
    variants: Mapping[str, str]
    tags: tuple[str, ...]
    assets: tuple[str, ...]
    targets: tuple[str, ...]
    by: str
    at: datetime | None


@dataclass(frozen=True, slots=True)
class Approval:
    stage: int
    by: str
    at: datetime | None
    revision: int
    note: str = ""


@dataclass(frozen=True, slots=True)
class Acknowledgement:
    rules: tuple[str, ...]
    by: str
    at: datetime | None
    revision: int


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    at: datetime | None
    by: str
    action: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class Post:
    id: str
    author: str
    targets: tuple[str, ...]
    text: str
    variants: Mapping[str, str]
    tags: tuple[str, ...]
    assets: tuple[str, ...]
    proposed_at: datetime | None
    status: str
    revision: int
    revisions: tuple[Revision, ...]
    authors: tuple[str, ...]
    risk: str
    risk_reasons: tuple[str, ...]
    route: Route | None
    stage: int
    approvals: tuple[Approval, ...]
    past_approvals: tuple[Approval, ...]
    acknowledgements: tuple[Acknowledgement, ...]
    history: tuple[HistoryEntry, ...]
    findings: tuple[Finding, ...]
    approved_at: datetime | None
    created_at: datetime | None
    version: int
    changed_by: str
    changed_at: datetime | None
    import_key: str = ""          # the row of an imported file it was made from ("" when typed)

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def current_stage(self) -> Stage | None:
        """The stage waiting for approval (None unless in review)."""
        if self.status != IN_REVIEW or self.route is None or self.stage >= len(self.route.stages):
            return None
        return self.route.stages[self.stage]

    def stage_approvals(self, stage: int | None = None) -> tuple[Approval, ...]:
        """This round's approvals of ``stage`` (default: the current stage)."""
        stage = self.stage if stage is None else stage
        return tuple(a for a in self.approvals if a.stage == stage)

    def revision_by_number(self, number: int) -> Revision | None:
        return next((r for r in self.revisions if r.number == number), None)


def changed_since(post: Post) -> str:
    """The refusal of a stale write: who changed the post, when, and what it is now."""
    who = post.changed_by or "someone"
    when = post.changed_at.strftime("%H:%M UTC") if post.changed_at else "an unknown time"
    return (f"{post.id} was changed by {who} at {when} (now {post.status_label}) while you had it open; "
            "nothing was overwritten — look again and retry")


# -- to and from the store ---------------------------------------------------------------
def revision_to_dict(number: int, content: Mapping, by: str, at: datetime) -> dict:
    return {"number": number, "text": content["text"], "variants": dict(content["variants"]),
            "tags": list(content["tags"]), "assets": list(content["assets"]),
            "targets": list(content["targets"]), "by": by, "at": format_time(at)}


def approval_to_dict(approval: Approval) -> dict:
    return {"stage": approval.stage, "by": approval.by, "at": format_time(approval.at),
            "revision": approval.revision, "note": approval.note}


def revision_record(revision: Revision) -> dict:
    return {"number": revision.number, "text": revision.text, "variants": dict(revision.variants),
            "tags": list(revision.tags), "assets": list(revision.assets), "targets": list(revision.targets),
            "by": revision.by, "at": format_time(revision.at)}


def acknowledgement_to_dict(ack: Acknowledgement) -> dict:
    return {"rules": list(ack.rules), "by": ack.by, "at": format_time(ack.at), "revision": ack.revision}


def history_entry(at: datetime, by: str, action: str, note: str = "") -> dict:
    return {"at": format_time(at), "by": by, "action": action, "note": note}


def history_to_dict(entry: HistoryEntry) -> dict:
    return {"at": format_time(entry.at), "by": entry.by, "action": entry.action, "note": entry.note}


def with_history(post: Post, at: datetime, by: str, action: str, note: str = "") -> list[dict]:
    """The post's history with one more entry, as the store keeps it."""
    return [history_to_dict(h) for h in post.history] + [history_entry(at, by, action, note)]


def route_to_dict(route: Route) -> dict:
    return {"name": route.name, "stages": [{"role": s.role, "mode": s.mode} for s in route.stages]}


def _route(raw: Mapping | None) -> Route | None:
    if not raw:
        return None
    return Route(raw.get("name", ""), tuple(Stage(s["role"], s.get("mode", "any")) for s in raw.get("stages", ())))


def _approval(raw: Mapping) -> Approval:
    return Approval(int(raw["stage"]), raw["by"], parse_time(raw.get("at")), int(raw.get("revision", 0)),
                    raw.get("note", ""))


def _finding(raw: Mapping) -> Finding:
    return Finding(raw["rule_id"], raw["severity"], raw.get("message", ""), raw.get("hint", ""),
                   int(raw.get("start", -1)), int(raw.get("end", -1)), raw.get("platform", ""))


def post_from_record(record: Mapping) -> Post:
    return Post(
        id=record["_key"],
        author=record.get("author", ""),
        targets=tuple(record.get("targets", ())),
        text=record.get("text", ""),
        variants=dict(record.get("variants") or {}),
        tags=tuple(record.get("tags", ())),
        assets=tuple(record.get("assets", ())),
        proposed_at=parse_time(record.get("proposed_at")),
        status=record.get("status", DRAFT),
        revision=int(record.get("revision", 1)),
        revisions=tuple(Revision(int(r["number"]), r.get("text", ""), dict(r.get("variants") or {}),
                                 tuple(r.get("tags", ())), tuple(r.get("assets", ())),
                                 tuple(r.get("targets", ())), r.get("by", ""), parse_time(r.get("at")))
                        for r in record.get("revisions", ())),
        authors=tuple(record.get("authors", ())),
        risk=record.get("risk", "low"),
        risk_reasons=tuple(record.get("risk_reasons", ())),
        route=_route(record.get("route")),
        stage=int(record.get("stage", 0)),
        approvals=tuple(_approval(a) for a in record.get("approvals", ())),
        past_approvals=tuple(_approval(a) for a in record.get("past_approvals", ())),
        acknowledgements=tuple(Acknowledgement(tuple(a.get("rules", ())), a.get("by", ""),
                                               parse_time(a.get("at")), int(a.get("revision", 0)))
                               for a in record.get("acknowledgements", ())),
        history=tuple(HistoryEntry(parse_time(h.get("at")), h.get("by", ""), h.get("action", ""),
                                   h.get("note", "")) for h in record.get("history", ())),
        findings=tuple(_finding(f) for f in record.get("findings", ())),
        approved_at=parse_time(record.get("approved_at")),
        created_at=parse_time(record.get("created_at")),
        version=int(record["_v"]),
        changed_by=record.get("_by", ""),
        changed_at=parse_time(record.get("_at")),
        import_key=record.get("import_key") or "",
    )


# -- the projection the queue and the lists read (data.CollectionSpec) ----------------
def _stage_role(record: dict) -> str | None:
    """The role the current stage waits for, for a post in review (else None)."""
    if record.get("status") != IN_REVIEW:
        return None
    stages = (record.get("route") or {}).get("stages") or ()
    index = record.get("stage", 0)
    return stages[index]["role"] if 0 <= index < len(stages) else None


def _stage_approvers(record: dict) -> list[str]:
    """Who already approved the current stage in this round."""
    index = record.get("stage", 0)
    return [a["by"] for a in record.get("approvals", ()) if a.get("stage") == index]


def _preview(record: dict) -> str:
    """The start of the main text, on one line: what the calendar shows of a post."""
    return " ".join(str(record.get("text") or "")[:160].split())[:80]


def _tag_list(record: dict) -> list[str]:
    return [str(tag) for tag in record.get("tags") or ()]


PROJECTED_FIELDS = ("status", "proposed_at", "targets", "authors", "risk", "approved_at")
PROJECTED_DERIVED = {"stage_role": _stage_role, "stage_approvers": _stage_approvers, "preview": _preview,
                     "tag_list": _tag_list}
(P_STATUS, P_PROPOSED_AT, P_TARGETS, P_AUTHORS, P_RISK, P_APPROVED_AT, P_STAGE_ROLE,
 P_STAGE_APPROVERS, P_PREVIEW, P_TAGS) = range(10)

POST_COLLECTIONS = (
    CollectionSpec(POSTS, schema_version=1, fields=PROJECTED_FIELDS, derived=PROJECTED_DERIVED),
    CollectionSpec(POST_IMPORTS, schema_version=1),
)
