"""Posts from a CSV file (``socops post import``): one post per row, drafted
and submitted into approval as the person importing.

Columns, named by a header row in any order (case ignored)::

    accounts  account ids, separated by commas or spaces       (required)
    text      the post's text                                  (required)
    time      when it should go out, as ``--at`` reads it:     (required)
              a time without an offset is the accounts' own
              zone (which they must then share)
    tags      the post's tags, separated by commas or spaces
    image     a library image's id or title
    id        the row's own import key

:meth:`PostImport.plan` checks every row as drafting and submitting would
(accounts, the person's scope, text, time, image, the content policy) and
says what the publishing rules would find at its time (blackouts, spacing,
duplicates; the file's earlier rows count as posts on their accounts). It
writes nothing. A bad row is reported with its line and why.

Each row has an **import key**: its ``id`` cell, or else a hash of its
accounts, text and time as written; the post made from it keeps the key
(``PostService.draft(import_key=...)``), so importing the same file again
makes nothing twice and says which post each row already is.

:meth:`PostImport.apply` drafts and submits the good rows one at a time:
each draft, and each submission, is one transaction with its audit event,
and a stop asked between rows (Ctrl+C) ends the import after the row in hand.
"""

from __future__ import annotations

import csv
import hashlib
from bisect import bisect_left, bisect_right, insort
import io
import json
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone, tzinfo

from console.errors import ConsoleError
from console.permissions import (POST_DRAFT, POST_SUBMIT, Actor, PermissionDenied, PolicyAckRequired,
                                 SessionLocked, StepUpRequired)
from console.policy import ERROR, Finding
from console.posts import AlreadyImported, PostService
from console.publishing.rules import OtherPost, local_text
from console.publishing.service import SchedulingService
from console.timeparse import parse_post_time
from console.untrusted import one_line

COLUMNS = ("accounts", "text", "time", "tags", "image", "id")
REQUIRED = ("accounts", "text", "time")
MAX_ROWS = 100_000
_LIST_SEPARATORS = re.compile(r"[,\s]+")
#: Refusals about the person, not the row: they stop the import.
_ABOUT_THE_PERSON = (SessionLocked, PolicyAckRequired, StepUpRequired)


class BadFile(ConsoleError):
    """The file cannot be read as an import at all (encoding, header)."""


@dataclass(frozen=True)
class PlannedRow:
    """A good row: the post it makes, and what the checks found."""

    line: int
    key: str
    accounts: tuple[str, ...]
    text: str
    at: datetime
    local_times: tuple[str, ...]        # "account  Wed 2026-12-02 09:00 EST" per account
    tags: tuple[str, ...]
    assets: tuple[str, ...]
    findings: tuple[Finding, ...]       # the content policy's (its errors make a row bad)
    rules: tuple[Finding, ...]          # the publishing rules' at its time
    imported_as: str = ""               # the post an earlier import made of it


@dataclass
class ImportPlan:
    source: str
    rows: list[PlannedRow] = field(default_factory=list)
    bad: list[tuple[int, str]] = field(default_factory=list)      # (line, reason)

    @property
    def new(self) -> list[PlannedRow]:
        return [row for row in self.rows if not row.imported_as]

    @property
    def already(self) -> list[PlannedRow]:
        return [row for row in self.rows if row.imported_as]

    def summary(self) -> str:
        count = len(self.rows) + len(self.bad)
        return (f"{count} row{'s' if count != 1 else ''}: {len(self.new)} to import, "
                f"{len(self.already)} already imported, {len(self.bad)} bad")


@dataclass(frozen=True)
class RowOutcome:
    line: int
    post_id: str
    submitted: bool
    detail: str = ""                    # why it was not submitted, or "already imported"


@dataclass
class ImportReport:
    outcomes: list[RowOutcome] = field(default_factory=list)
    last_line: int = 0                  # the line of the last row handled
    interrupted: bool = False           # stopped when asked; the rows after ``last_line`` were not handled

    @property
    def submitted(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if o.submitted]

    @property
    def not_submitted(self) -> list[RowOutcome]:
        return [o for o in self.outcomes if not o.submitted]

    def summary(self) -> str:
        text = f"imported {len(self.submitted)} post{'s' if len(self.submitted) != 1 else ''} into approval"
        if self.not_submitted:
            text += f"; {len(self.not_submitted)} not submitted"
        return text


def import_key(row_id: str, accounts: Sequence[str], text: str, when: str) -> str:
    """The key of one row: its ``id`` cell, else its accounts, text and time as written."""
    identity = ["id", row_id] if row_id else ["row", sorted(accounts), text, " ".join(when.split())]
    digest = hashlib.sha256(json.dumps(identity, ensure_ascii=False).encode("utf-8")).hexdigest()
    return f"imp-{digest[:32]}"


def read_rows(text: str) -> Iterator[tuple[int, dict[str, str]]]:
    """``(line, cells by column)`` of each row after the header; BadFile for a
    header that is missing, names an unknown column or lacks a required one.
    A row with more cells than the header has a ``None`` column (reported bad)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    while True:
        line = reader.line_num + 1          # where the next record starts (blank lines skipped below)
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            raise BadFile(f"line {line}: cannot read it as CSV ({error}); nothing after it was read") from None
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header = [cell.strip().casefold() for cell in cells]
            unknown = [name for name in header if name not in COLUMNS]
            if unknown:
                raise BadFile(f"line {line}: unknown column {one_line(unknown[0], 40)!r}; the columns are "
                              f"{', '.join(COLUMNS)}")
            missing = [name for name in REQUIRED if name not in header]
            if missing:
                raise BadFile(f"line {line}: the header has no {missing[0]!r} column; it needs "
                              f"{', '.join(REQUIRED)} (and may have {', '.join(c for c in COLUMNS if c not in REQUIRED)})")
            continue
        row = {name: (cells[index] if index < len(cells) else "") for index, name in enumerate(header)}
        if len(cells) > len(header):
            row[None] = f"{len(cells)} cells, but the header names {len(header)} columns"  # type: ignore[index]
        yield line, row
    if header is None:
        raise BadFile("the file is empty; its first line names the columns: accounts,text,time,tags,image,id")


class PostImport:
    def __init__(self, posts: PostService, scheduling: SchedulingService, *,
                 find_image: Callable[[Actor, str], str], clock: Callable[[], datetime]) -> None:
        self.posts = posts
        self.scheduling = scheduling
        self.find_image = find_image        # (actor, id or title) -> asset id; ConsoleError saying why not
        self.clock = clock

    def plan(self, actor: Actor, text: str, source: str, *, acknowledge: Iterable[str] = (),
             local_zone: tzinfo = timezone.utc) -> ImportPlan:
        """Every row checked (see the module docstring); writes nothing.
        ``local_zone`` is the calendar "tomorrow" and "mon" are counted on."""
        actor.require(POST_DRAFT)
        actor.require(POST_SUBMIT)
        acknowledged = {rule.strip() for rule in acknowledge if rule.strip()}
        plan = ImportPlan(source)
        now = self.clock()
        seen: dict[str, int] = {}
        images: dict[str, str] = {}
        others: Neighbours | None = None
        for line, cells in read_rows(text):
            if len(plan.rows) + len(plan.bad) >= MAX_ROWS:
                plan.bad.append((line, f"more than {MAX_ROWS} rows; split the file and import the rest from here"))
                break
            if others is None:      # the posts already out or scheduled, read once
                policy = self.scheduling.policy()
                others = Neighbours(self.scheduling.others(self.posts.known_accounts(), excluding=""),
                                    max(timedelta(minutes=policy.min_spacing_minutes),
                                        timedelta(days=policy.duplicate_days)))
            try:
                row = self._row(actor, line, cells, now, local_zone, acknowledged, seen, images, others)
            except _ABOUT_THE_PERSON:
                raise
            except (ConsoleError, PermissionDenied, ValueError) as error:
                plan.bad.append((line, str(error)))
                continue
            plan.rows.append(row)
            if not row.imported_as:
                others.add(OtherPost(f"line {line}", account_id, row.at, row.text) for account_id in row.accounts)
        return plan

    def _row(self, actor: Actor, line: int, cells: dict, now: datetime, local_zone: tzinfo, acknowledged: set[str],
             seen: dict[str, int], images: dict[str, str], others: Neighbours) -> PlannedRow:
        if None in cells:
            raise ValueError(cells[None])
        accounts = tuple(dict.fromkeys(a for a in _LIST_SEPARATORS.split(cells.get("accounts", "")) if a))
        if not accounts:
            raise ValueError("no accounts: name the account ids, separated by commas or spaces")
        body = cells.get("text", "").strip("\n")
        if not body.strip():
            raise ValueError("no text: write what the post should say")
        written_time = cells.get("time", "").strip()
        if not written_time:
            raise ValueError("no time: give when it should go out, e.g. 2026-12-05 15:00 (the accounts' own time)")
        key = import_key(cells.get("id", "").strip(), accounts, body, written_time)
        if key in seen:
            same = "the same id as" if cells.get("id", "").strip() else "the same accounts, text and time as"
            raise ValueError(f"{same} line {seen[key]}; each row must be a post of its own")
        seen[key] = line
        tags = tuple(t for t in _LIST_SEPARATORS.split(cells.get("tags", "")) if t)
        imported_as = self.posts.imported(key)
        if imported_as:         # first: its time may have passed since, or its accounts changed
            post = self.posts.get(imported_as)
            at = post.proposed_at or now
            local_times = tuple(f"{a}  {local_text(at, self.scheduling.zone(a))}" for a in post.targets)
            return PlannedRow(line, key, post.targets, post.text, at, local_times, post.tags, post.assets, (), (),
                              imported_as)
        try:
            wanted = parse_post_time(written_time, now.astimezone(local_zone))
        except ValueError as error:
            raise ValueError(f"time: {error}") from None
        at = self.scheduling.proposed_moment(accounts, wanted)
        local_times = tuple(f"{a}  {local_text(at, self.scheduling.zone(a))}" for a in accounts)
        if at <= now:
            raise ValueError(f"time {written_time!r} has passed ({local_text(at, self.scheduling.zone(accounts[0]))});"
                             " give a later time")
        assets: tuple[str, ...] = ()
        image = " ".join(cells.get("image", "").split())
        if image:
            if image not in images:
                images[image] = self.find_image(actor, image)
            assets = (images[image],)
        check = self.posts.dry_check(actor, accounts, body, tags=tags, assets=assets)
        if check.errors:
            raise ValueError("the content policy refuses it: " + "; ".join(_finding(f) for f in check.errors))
        missing = check.unacknowledged(acknowledged)
        if missing:
            rules = list(dict.fromkeys(f.rule_id for f in missing))
            raise ValueError(f"warnings to acknowledge ({'; '.join(_finding(f) for f in missing)}); if they are "
                             f"fine, import with {' '.join(f'--ack {rule}' for rule in rules)}")
        rules = self.scheduling.rule_findings({a: at for a in accounts}, body, others.near(accounts, at))
        return PlannedRow(line, key, accounts, body, at, local_times, tags, assets, check.findings, rules)

    def apply(self, actor: Actor, plan: ImportPlan, *, acknowledge: Iterable[str] = (),
              should_stop: Callable[[], bool] = lambda: False) -> ImportReport:
        """Draft and submit each new row of ``plan``, one at a time, until asked to stop."""
        report = ImportReport()
        for row in plan.new:
            if should_stop():
                report.interrupted = True
                break
            report.outcomes.append(self._import(actor, plan.source, row, tuple(acknowledge)))
            report.last_line = row.line
        return report

    def _import(self, actor: Actor, source: str, row: PlannedRow, acknowledge: tuple[str, ...]) -> RowOutcome:
        try:
            post = self.posts.draft(actor, row.accounts, row.text, tags=row.tags, assets=row.assets,
                                    proposed_at=row.at, import_key=row.key, source=f"{source}:{row.line}")
        except AlreadyImported as done:       # another import of the same row got there first
            return RowOutcome(row.line, done.post_id, False, "already imported")
        except _ABOUT_THE_PERSON:
            raise
        except (ConsoleError, PermissionDenied) as error:
            return RowOutcome(row.line, "", False, f"not drafted: {error}")
        try:
            self.posts.submit(actor, post.id, acknowledge=acknowledge)
        except _ABOUT_THE_PERSON:
            raise
        except (ConsoleError, PermissionDenied) as error:
            return RowOutcome(row.line, post.id, False, f"drafted, but not submitted: {error}")
        return RowOutcome(row.line, post.id, True)


class Neighbours:
    """The posts on each account in time order, so that a row is checked against
    those near it (within the rules' widest window), not against every post:
    a file of thousands of rows stays quick to plan."""

    def __init__(self, posts: Iterable[OtherPost], window: timedelta) -> None:
        self.window = window
        self._by_account: dict[str, list[tuple[datetime, int, OtherPost]]] = {}
        self._count = 0
        self.add(posts)

    def add(self, posts: Iterable[OtherPost]) -> None:
        for post in posts:
            self._count += 1        # a tie-breaker: posts themselves do not compare
            insort(self._by_account.setdefault(post.account_id, []), (post.at, self._count, post))

    def near(self, accounts: Iterable[str], at: datetime) -> list[OtherPost]:
        found = []
        for account_id in accounts:
            timeline = self._by_account.get(account_id, [])
            start = bisect_left(timeline, (at - self.window, -1))
            end = bisect_right(timeline, (at + self.window, self._count + 1))
            found += [post for _, _, post in timeline[start:end]]
        return found


def _finding(finding: Finding) -> str:
    text = f"{finding.rule_id}: {one_line(finding.message, 160)}"
    return text + (f" — {one_line(finding.hint, 120)}" if finding.hint and finding.severity == ERROR else "")
