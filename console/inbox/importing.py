"""Import inbox history from JSON Lines, for migrating from another tool.

Each line is one item. Required: ``platform``, ``account_id``, ``remote_id``,
``kind`` (comment, dm or mention), ``author_handle`` (or ``author`` as an
object with ``handle``), ``text`` and ``created_at`` (ISO 8601 with a time
zone). Optional: ``thread_id`` (defaults to the remote id), ``author_id``,
``author_name``, ``parent_remote_id``, ``url``, ``language``, ``status``
(open, snoozed or closed), ``assignee``, ``tags`` (a list of words).

A bad line is reported with its number and reason and skipped; good lines are
kept. An item already in the store (same platform and remote id) is skipped
and counted, so importing the same file twice changes nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone

from console.permissions import Actor
from console.audit import AuditNote, AuditTrail
from console.permissions import INBOX_IMPORT
from console.inbox.records import INBOX, KINDS, STATUSES, STATUS_CLOSED, item_key
from console.records import format_time
from console.inbox.sla import SlaTargets
from data import Store

_CHUNK = 2_000
_TEXT_FIELDS = ("platform", "account_id", "remote_id", "text")


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)

    def summary(self) -> str:
        return (f"imported {self.imported}, skipped {self.duplicates} already present, "
                f"{len(self.errors)} bad line{'s' if len(self.errors) != 1 else ''}")


class BadLine(ValueError):
    pass


def _text(raw: dict, name: str, *, required: bool = True, limit: int = 10_000) -> str:
    value = raw.get(name)
    if value is None or value == "":
        if required:
            raise BadLine(f"missing {name!r}")
        return ""
    if not isinstance(value, str):
        raise BadLine(f"{name!r} must be a string, not {type(value).__name__}")
    if len(value) > limit:
        raise BadLine(f"{name!r} is longer than {limit} characters")
    return value


def _time(raw: dict, name: str) -> datetime:
    value = _text(raw, name)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadLine(f"{name!r} is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise BadLine(f"{name!r} has no time zone (add Z or +00:00)")
    return moment.astimezone(timezone.utc)


def record_from_line(raw: object, *, sla: SlaTargets, received_at: str) -> tuple[str, dict]:
    """Validate one decoded line; returns (store key, record) or raises BadLine."""
    if not isinstance(raw, dict):
        raise BadLine("each line must be a JSON object")
    platform, account_id, remote_id, text = (_text(raw, name) for name in _TEXT_FIELDS)
    kind = _text(raw, "kind")
    if kind not in KINDS:
        raise BadLine(f"'kind' must be one of {', '.join(KINDS)}, not {kind[:20]!r}")
    author = raw.get("author")
    if isinstance(author, dict):
        author_handle = _text(author, "handle")
        author_id = _text(author, "id", required=False) or author_handle
        author_name = _text(author, "name", required=False)
    else:
        author_handle = _text(raw, "author_handle")
        author_id = _text(raw, "author_id", required=False) or author_handle
        author_name = _text(raw, "author_name", required=False)
    created_at = _time(raw, "created_at")
    status = _text(raw, "status", required=False) or "open"
    if status not in STATUSES:
        raise BadLine(f"'status' must be one of {', '.join(STATUSES)}")
    tags = raw.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) and t.strip() for t in tags):
        raise BadLine("'tags' must be a list of words")
    record = {
        "platform": platform,
        "account_id": account_id,
        "remote_id": remote_id,
        "kind": kind,
        "thread_id": _text(raw, "thread_id", required=False) or remote_id,
        "author_id": author_id,
        "author_handle": author_handle,
        "author_name": author_name,
        "text": text,
        "created_at": format_time(created_at),
        "received_at": received_at,
        "sla_due": format_time(sla.due_time(kind, created_at)),
        "status": status,
        "assignee": _text(raw, "assignee", required=False),
        "tags": [t.strip().lstrip("#").casefold() for t in tags],
        "notes": [],
        "replies": [],
        "parent_remote_id": _text(raw, "parent_remote_id", required=False),
        "url": _text(raw, "url", required=False),
        "language": _text(raw, "language", required=False),
    }
    if status == STATUS_CLOSED:
        record["closed_at"] = received_at
    return item_key(platform, remote_id), record


def parse_lines(lines: Iterable[bytes | str], report: ImportReport, *, sla: SlaTargets,
                received_at: str) -> Iterator[tuple[str, dict]]:
    """Good (key, record) pairs; bad lines go into ``report.errors``."""
    for number, line in enumerate(lines, start=1):
        try:
            text = line.decode("utf-8") if isinstance(line, bytes) else line
        except UnicodeDecodeError as error:
            report.errors.append((number, f"not UTF-8 ({error.reason} at byte {error.start})"))
            continue
        if not text.strip():
            continue
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            report.errors.append((number, f"not valid JSON ({error.msg} at column {error.colno})"))
            continue
        try:
            yield record_from_line(raw, sla=sla, received_at=received_at)
        except BadLine as error:
            report.errors.append((number, str(error)))


def import_items(store: Store, audit: AuditTrail, lines: Iterable[bytes | str], *, sla: SlaTargets,
                 actor: Actor, now: datetime, source: str = "") -> ImportReport:
    """Import every good line into the inbox; see the module docstring.

    Each chunk of items is written with one audit event naming the source."""
    actor.require(INBOX_IMPORT)
    report = ImportReport()
    received_at = format_time(now)
    pending: dict[str, dict] = {}

    def flush() -> None:
        fresh = {k: r for k, r in pending.items() if not store.has(INBOX, k)}
        report.duplicates += len(pending) - len(fresh)
        if fresh:
            def write(tx) -> AuditNote:
                for key, record in fresh.items():
                    tx.insert(INBOX, key, record, if_absent=True)
                return AuditNote("inbox.import", f"import/{source or 'stdin'}",
                                 f"{len(fresh)} items imported")

            audit.apply(actor.name, write)
        report.imported += len(fresh)
        pending.clear()

    for key, record in parse_lines(lines, report, sla=sla, received_at=received_at):
        if key in pending:
            report.duplicates += 1
            continue
        pending[key] = record
        if len(pending) >= _CHUNK:
            flush()
    flush()
    return report
