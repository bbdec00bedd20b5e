"""A crisis's timeline: what happened, when, and who did it.

Two sources. :func:`record_entries` reads the crisis record alone (declared,
frozen, runbook steps, notes, holding statements, resolved): cheap enough for
a status bar or a wallboard polling every second. :func:`audit_entries`
reads the audit trail from the crisis's declaration on: every event about
the crisis and its holds, and the posts and replies on the affected accounts
while it lasted; the team's notes come from the record (their full text).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from console.crisis.records import STEP_DONE, STEP_OPEN, Crisis, ReplyFact
from console.publishing import Hold
from console.records import parse_time
from console.untrusted import one_line

DECLARED = "declared"
FROZEN = "frozen"
UNFROZEN = "unfrozen"
RUNBOOK = "runbook"
NOTE = "note"
STATEMENT = "statement"
POST = "post"
REPLY = "reply"
REQUEST = "request"
RESOLVED = "resolved"
MISSED = "missed"

#: Who acts on their own: not people, so not participants.
SYSTEM_ACTORS = frozenset({"worker", "crisis", "sandbox", "system"})


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    who: str
    kind: str                   # one of the names above
    text: str                   # plain text (untrusted parts made one line); render it as text, never markup


def record_entries(crisis: Crisis, holds: Mapping[str, Hold]) -> list[TimelineEntry]:
    """The crisis's own story from its record (``holds``: its holds by id), oldest first."""
    found = [TimelineEntry(crisis.declared_at, crisis.declared_by, DECLARED,
                           f"declared {crisis.label}: {one_line(crisis.title, 120)} ({crisis.scope})")]
    for hold_id in crisis.holds:
        hold = holds.get(hold_id)
        if hold is None or hold.at is None:
            continue
        found.append(TimelineEntry(hold.at, hold.by, FROZEN, f"froze publishing on {hold.scope} ({hold.id})"))
        if hold.released_at is not None:
            found.append(TimelineEntry(hold.released_at, hold.released_by, UNFROZEN,
                                       f"unfroze {hold.scope} ({hold.id})"
                                       + (f": {one_line(hold.release_note, 120)}" if hold.release_note else "")))
    for step in crisis.steps:
        if step.state != STEP_OPEN and step.at is not None:
            word = "done" if step.state == STEP_DONE else "not applicable"
            found.append(TimelineEntry(step.at, step.by, RUNBOOK, f"{step.id} {word}: {one_line(step.title, 80)}"
                                       + (f" ({one_line(step.note, 120)})" if step.note else "")))
    for note in crisis.notes:
        found.append(_note_entry(note))
    for statement in crisis.statements:
        found.append(TimelineEntry(statement.at, statement.by, STATEMENT,
                                   f"holding statement {statement.asset_id} as {statement.post_id} to "
                                   f"{', '.join(statement.accounts)}: waits for the crisis route's approval"))
        if statement.released_at is not None:
            found.append(TimelineEntry(statement.released_at, "crisis", STATEMENT,
                                       f"{statement.post_id} approved: passes the freeze, publishing now"))
    if crisis.resolved_at is not None:
        found.append(TimelineEntry(crisis.resolved_at, crisis.resolve_confirmed_by, RESOLVED,
                                   f"resolved (asked by {crisis.resolved_by}, confirmed by "
                                   f"{crisis.resolve_confirmed_by})"
                                   + (f": {one_line(crisis.resolve_note, 120)}" if crisis.resolve_note else "")))
    return sorted(found, key=lambda entry: entry.at)


def _note_entry(note) -> TimelineEntry:
    prefix = "announced: " if note.announced else ""
    return TimelineEntry(note.at, note.by, NOTE, prefix + one_line(note.text, 1000))


# -- from the audit trail ------------------------------------------------------------------
class AuditReading:
    """What :func:`audit_entries` asks of the rest of the console, as callables."""

    def __init__(self, *, post_targets: Callable[[str], tuple[str, ...] | None],
                 item_account: Callable[[str], str | None], replies_of: Callable[[str], list[ReplyFact]],
                 region_of: Callable[[str], str], handle_of: Callable[[str], str]) -> None:
        self.post_targets = post_targets        # a post's accounts (None: no such post)
        self.item_account = item_account        # an inbox item's account (None: no such item)
        self.replies_of = replies_of            # an inbox item's replies
        self.region_of = region_of
        self.handle_of = handle_of


def audit_entries(crisis: Crisis, events: Iterable[dict], reading: AuditReading,
                  now: datetime) -> list[TimelineEntry]:
    """The timeline from the audit trail (``events``: those after ``crisis.audit_from``)."""
    end = crisis.resolved_at or now
    own = f"crisis/{crisis.id}"
    holds = {f"hold/{hold_id}" for hold_id in crisis.holds}
    statements = {s.post_id for s in crisis.statements}
    post_accounts: dict[str, tuple[str, ...] | None] = {}
    item_accounts: dict[str, str | None] = {}
    found: list[TimelineEntry] = []
    unfreezes: set[tuple[str, str]] = set()
    releases: list[tuple[tuple[str, str], TimelineEntry]] = []
    for event in events:
        at = parse_time(event.get("at"))
        if at is None:
            continue
        action, target, who = event.get("action", ""), event.get("target", ""), event.get("actor", "")
        summary = one_line(str(event.get("summary", "")), 300)
        if target == own:
            if action == "crisis.note":
                continue                    # from the record: the note's whole text
            kind = _CRISIS_KINDS.get(action, REQUEST)
            if action in ("crisis.unfreeze", "crisis.resolve"):
                unfreezes.add((event.get("at", ""), who))
            found.append(TimelineEntry(at, who, kind, summary))
            continue
        if not crisis.declared_at <= at <= end:
            continue
        if target in holds:
            if action == "publishing.release":
                releases.append(((event.get("at", ""), who), TimelineEntry(at, who, UNFROZEN, summary)))
            else:
                found.append(TimelineEntry(at, who, FROZEN, summary))
        elif target.startswith("post/") and action != "post.publishing":
            post_id = target[5:]
            if post_id not in post_accounts:
                post_accounts[post_id] = reading.post_targets(post_id)
            accounts = post_accounts[post_id] or ()
            if post_id not in statements and not any(
                    crisis.affects(account, reading.region_of(account)) for account in accounts):
                continue
            found.append(_post_entry(at, who, action, post_id, summary, post_id in statements))
        elif target.startswith("inbox/") and action in ("inbox.reply", "reply.sent", "reply.failed"):
            item_id = target[6:]
            if item_id not in item_accounts:
                item_accounts[item_id] = reading.item_account(item_id)
            account = item_accounts[item_id]
            if account is None or not crisis.affects(account, reading.region_of(account)):
                continue
            found.append(_reply_entry(at, who, action, item_id, account, summary, reading))
    # A release done by the crisis's unfreeze or resolve is said by that entry, with both names.
    found += [entry for key, entry in releases if key not in unfreezes]
    found += [_note_entry(note) for note in crisis.notes]
    return sorted(found, key=lambda entry: entry.at)


_CRISIS_KINDS = {
    "crisis.declare": DECLARED,
    "crisis.freeze": FROZEN,
    "crisis.step": RUNBOOK,
    "crisis.statement": STATEMENT,
    "crisis.statement_released": STATEMENT,
    "crisis.statement_failed": STATEMENT,
    "crisis.unfreeze": UNFROZEN,
    "crisis.resolve": RESOLVED,
    "crisis.missed": MISSED,
}


def _post_entry(at: datetime, who: str, action: str, post_id: str, summary: str, statement: bool) -> TimelineEntry:
    verb = action.partition(".")[2].replace("_", " ")
    if statement and action == "post.published":
        return TimelineEntry(at, who, STATEMENT, f"holding statement {post_id} published: {summary}")
    return TimelineEntry(at, who, STATEMENT if statement else POST, f"{post_id} {verb}: {summary}")


def _reply_entry(at: datetime, who: str, action: str, item_id: str, account: str, summary: str,
                 reading: AuditReading) -> TimelineEntry:
    handle = reading.handle_of(account)
    if action == "inbox.reply":
        return TimelineEntry(at, who, REPLY, f"reply queued on {handle} ({item_id})")
    # The worker sends; the person is the reply's author ("reply 1a2b3c4d sent").
    prefix = summary.split()[1] if len(summary.split()) > 1 else ""
    author = next((r.by for r in reading.replies_of(item_id) if prefix and r.reply_id.startswith(prefix)), "")
    state = "sent" if action == "reply.sent" else "failed"
    return TimelineEntry(at, author or who, REPLY, f"reply {state} on {handle} ({item_id})"
                         + (f" by {author}" if author else ""))


def participants(entries: Iterable[TimelineEntry]) -> list[str]:
    """The people named in a timeline (not the worker or other system actors)."""
    return sorted({entry.who for entry in entries if entry.who and entry.who not in SYSTEM_ACTORS})
