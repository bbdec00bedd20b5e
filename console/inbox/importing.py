"""Import inbox history from JSON Lines, for migrating from another tool.

Each line is one item. Required: ``platform``, ``account_id``, ``remote_id``,
``kind`` (comment, dm or mention), ``author_handle`` (or ``author`` as an
object with ``handle``), ``text`` and ``created_at`` (ISO 8601 with a time
zone). Optional: ``thread_id`` (defaults to the remote id), ``author_id``,
``author_name``, ``parent_remote_id``, ``url``, ``language``, ``status``
(open, snoozed or closed), ``assignee``, ``tags`` (a list of words).

A bad line is reported with its number and reason and skipped; good lines are
kept. A line is bad, too, when its account is not one of the workspace's
(an item nobody could see in its account, answer or close), or when its
assignee may not own items of that account. An item already in the store
(same platform and remote id) is skipped and counted, so importing the same
file twice changes nothing.

Items are written in batches of ``IMPORT_BATCH``, each batch one transaction
with its audit event. Asked to stop (``should_stop``, e.g. after Ctrl+C), an
import finishes the batch it holds, stops reading, and audits where it
stopped; importing the file again adds the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone

from console.permissions import INBOX_IMPORT, Actor
from console.audit import AuditNote, AuditTrail
from console.errors import InvalidAction
from console.inbox.records import INBOX, KINDS, STATUSES, STATUS_CLOSED, item_key
from console.records import format_time
from console.inbox.sla import SlaTargets
from data import Store

#: Items per transaction: a stop loses no more than this much time, a crash no half batch.
IMPORT_BATCH = 1_000
_TEXT_FIELDS = ("platform", "account_id", "remote_id", "text")

#: (name, account id) -> the user name to record; InvalidAction saying why not.
AssigneeCheck = Callable[[str, str | None], str]


@dataclass
class ImportReport:
    imported: int = 0
    duplicates: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)  # (line number, reason)
    lines: int = 0              # lines read
    interrupted: bool = False   # stopped when asked, after a whole batch; later lines were not read

    def summary(self) -> str:
        counts = (f"imported {self.imported}, skipped {self.duplicates} already present, "
                  f"{len(self.errors)} bad line{'s' if len(self.errors) != 1 else ''}")
        if self.interrupted:
            return f"interrupted after line {self.lines} (nothing half-written): {counts}"
        return counts


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


def _check_account(platform: str, account_id: str, accounts: Mapping[str, str]) -> None:
    if account_id not in accounts:
        known = ", ".join(sorted(accounts)[:6]) + (", ..." if len(accounts) > 6 else "")
        raise BadLine(f"account {account_id[:60]!r} is not an account of this workspace (it has: "
                      f"{known or 'none'}); connect it first (`socops account connect`) or fix 'account_id'")
    if accounts[account_id] != platform:
        raise BadLine(f"account {account_id!r} is on {accounts[account_id]}, not {platform[:30]!r}; "
                      "fix 'platform' or 'account_id'")


def record_from_line(raw: object, *, sla: SlaTargets, received_at: str, accounts: Mapping[str, str],
                     assignee_for: AssigneeCheck | None = None) -> tuple[str, dict]:
    """Validate one decoded line; returns (store key, record) or raises BadLine.

    ``accounts`` maps the workspace's account ids to their platforms;
    ``assignee_for`` checks an assignee (None: a line with one is refused)."""
    if not isinstance(raw, dict):
        raise BadLine("each line must be a JSON object")
    platform, account_id, remote_id, text = (_text(raw, name) for name in _TEXT_FIELDS)
    _check_account(platform, account_id, accounts)
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
        "assignee": _assignee(_text(raw, "assignee", required=False), account_id, assignee_for),
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


def _assignee(name: str, account_id: str, assignee_for: AssigneeCheck | None) -> str:
    if not name:
        return ""
    if assignee_for is None:
        raise BadLine("'assignee' cannot be checked here; leave it out")
    try:
        return assignee_for(name, account_id)
    except InvalidAction as error:
        raise BadLine(f"'assignee': {error}; or leave 'assignee' out") from None


def parse_lines(lines: Iterable[bytes | str], report: ImportReport, *, sla: SlaTargets,
                received_at: str, accounts: Mapping[str, str],
                assignee_for: AssigneeCheck | None = None) -> Iterator[tuple[str, dict]]:
    """Good (key, record) pairs; bad lines go into ``report.errors``."""
    for number, line in enumerate(lines, start=1):
        report.lines = number
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
            parsed = record_from_line(raw, sla=sla, received_at=received_at, accounts=accounts,
                                      assignee_for=assignee_for)
        except BadLine as error:
            report.errors.append((number, str(error)))
        else:
            yield parsed


def import_items(store: Store, audit: AuditTrail, lines: Iterable[bytes | str], *, sla: SlaTargets,
                 actor: Actor, now: datetime, accounts: Mapping[str, str],
                 assignee_for: AssigneeCheck | None = None, source: str = "",
                 should_stop: Callable[[], bool] = lambda: False,
                 batch_size: int = IMPORT_BATCH) -> ImportReport:
    """Import every good line into the inbox; see the module docstring.

    ``accounts`` maps the workspace's account ids to their platforms. Each
    batch of items is written with one audit event naming the source; the run
    ends with one more, saying how it ended."""
    actor.require(INBOX_IMPORT)
    report = ImportReport()
    received_at = format_time(now)
    pending: dict[str, dict] = {}
    target = f"import/{source or 'stdin'}"

    def flush() -> None:
        fresh = {k: r for k, r in pending.items() if not store.has(INBOX, k)}
        report.duplicates += len(pending) - len(fresh)
        if fresh:
            def write(tx) -> AuditNote:
                for key, record in fresh.items():
                    tx.insert(INBOX, key, record, if_absent=True)
                return AuditNote("inbox.import", target, f"{len(fresh)} items imported (up to line {report.lines})")

            audit.apply(actor.name, write)
        report.imported += len(fresh)
        pending.clear()

    for key, record in parse_lines(lines, report, sla=sla, received_at=received_at, accounts=accounts,
                                   assignee_for=assignee_for):
        if key in pending:
            report.duplicates += 1
        else:
            pending[key] = record
        if len(pending) >= batch_size:
            flush()
        if should_stop():
            report.interrupted = True
            break
    flush()
    audit.apply(actor.name, lambda tx: AuditNote("inbox.import", target, report.summary()))
    return report
