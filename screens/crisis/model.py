"""What the Crisis panel shows, read in one go (in a worker) and drawn from there.

:func:`load_page` asks the crisis service for the status, the past crises,
the active crisis's timeline, the usable holding statements and the posts a
freeze made miss their time. A read the person may not make (the timeline
needs ``crisis.respond`` or ``report.read``) leaves its part empty with the
reason, so the rest still shows. :func:`work_rows` turns the page into the
rows of the panel's list: headings, and the rows keys act on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, tzinfo

from rich.text import Text

from console.crisis import (STEP_DONE, STEP_NA, Crisis, CrisisStatus, StatementChoice, TimelineEntry,
                            clock_text, duration_text)
from console.errors import ConsoleError
from console.permissions import PermissionDenied
from console.publishing import CaughtTarget
from console.untrusted import one_line

#: Row kinds (a row's id is ``kind:key``).
STEP, STATEMENT, MISSED, PAST, HEADING, INFO = "step", "statement", "missed", "past", "heading", "info"


@dataclass(frozen=True)
class CrisisPage:
    status: CrisisStatus
    past: tuple[Crisis, ...] = ()
    timeline: tuple[TimelineEntry, ...] = ()
    timeline_problem: str = ""
    statements: tuple[StatementChoice, ...] = ()
    statements_problem: str = ""
    missed: tuple[CaughtTarget, ...] = ()
    handles: dict[str, str] = field(default_factory=dict)

    @property
    def crisis(self) -> Crisis | None:
        return self.status.crisis

    def handle(self, account_id: str) -> str:
        return self.handles.get(account_id, account_id)


@dataclass(frozen=True)
class Row:
    kind: str
    key: str
    text: Text

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.key}"

    @property
    def selectable(self) -> bool:
        return self.kind not in (HEADING, INFO)


def load_page(workspace, actor) -> CrisisPage:
    """Everything the panel shows now (service calls; run it in a worker)."""
    crisis_service = workspace.crisis
    status = crisis_service.status()
    past = tuple(c for c in crisis_service.all() if not c.active)
    timeline: tuple[TimelineEntry, ...] = ()
    timeline_problem = statements_problem = ""
    statements: tuple[StatementChoice, ...] = ()
    if status.crisis is not None:
        try:
            timeline = tuple(crisis_service.timeline(actor))
        except PermissionDenied as error:
            timeline_problem = str(error)
        try:
            statements = tuple(crisis_service.holding_statements(actor))
        except ConsoleError as error:
            statements_problem = str(error)
    missed = tuple(crisis_service.missed_posts())
    handles = {account.account_id: account.handle for account in workspace.accounts}
    return CrisisPage(status, past, timeline, timeline_problem, statements, statements_problem, missed, handles)


def hhmm(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return "--:--"
    return moment.astimezone(zone).strftime("%H:%M")


def day_time(moment: datetime | None, zone: tzinfo | None) -> str:
    if moment is None:
        return "-"
    return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def short_time(moment: datetime | None, zone: tzinfo | None) -> str:
    """``11-26 09:04``: a past crisis's times, narrow enough for 80 columns."""
    if moment is None:
        return "-".ljust(11)
    return moment.astimezone(zone).strftime("%m-%d %H:%M")


def step_mark(state: str, overdue: bool) -> tuple[str, str]:
    """The symbol and the word of a step's state: never colour alone."""
    if state == STEP_DONE:
        return "✔", "done"
    if state == STEP_NA:
        return "–", "n/a"
    if overdue:
        return "!", "OVERDUE"
    return "○", "open"


def work_rows(page: CrisisPage, zone: tzinfo | None, style: Callable[[str], str]) -> list[Row]:
    """The list's rows: with an active crisis, its runbook, the posts that missed their
    time, the holding statements; without, the missed posts and the past crises.
    ``style(name)`` gives the style of a kind of text (overdue, done, muted)."""
    rows: list[Row] = []
    crisis = page.crisis
    now = page.status.now

    def add(kind: str, key: str, text: Text) -> None:
        text.no_wrap, text.overflow = True, "ellipsis"     # a row a line: the list stays readable at 80x24
        rows.append(Row(kind, key, text))

    def heading(text: str) -> None:
        add(HEADING, str(len(rows)), Text(text, style=style("heading")))

    def info(text: str) -> None:
        add(INFO, str(len(rows)), Text("  " + text, style=style("muted")))

    if crisis is not None:
        progress = page.status.runbook
        heading(f"Runbook · {progress.describe()}  (d done · x not applicable)")
        for step in crisis.steps:
            overdue = step.overdue(now)
            symbol, word = step_mark(step.state, overdue)
            text = Text(f"{symbol} {word:<7} ", style=style("overdue" if overdue else
                                                           "done" if step.state != "open" else ""))
            text.append(f"due {hhmm(step.due_at, zone)}  {one_line(step.owner, 12):<9} ")
            text.append(one_line(step.title, 200))
            if step.by:
                late = " late" if step.late else ""
                text.append(f"  ({word}{late} by {one_line(step.by, 20)} {hhmm(step.at, zone)}"
                            + (f": {one_line(step.note, 80)}" if step.note else "") + ")", style=style("muted"))
            add(STEP, step.id, text)
    if page.missed:
        heading(f"Missed their time during the freeze · {len(page.missed)}  (t reschedule · X drop)")
        for target in page.missed:
            text = Text(f"◆ {target.post_id}  {one_line(page.handle(target.account_id), 24)}  was due "
                        f"{day_time(target.at, zone)}  {target.state}")
            add(MISSED, f"{target.post_id}|{target.account_id}", text)
    if crisis is not None:
        heading("Holding statements  (p publish through the crisis route)")
        if page.statements_problem:
            info(page.statements_problem)
        elif not page.statements:
            info("none usable in the library: add one (`socops library add holding-statement`) and have it approved")
        for choice in page.statements:
            mark = "★ prepared" if choice.prepared else "  other   "
            text = Text(f"{mark}  {one_line(choice.asset.title, 70)}")
            text.append(f"  [{', '.join(choice.asset.tags)}]", style=style("muted"))
            add(STATEMENT, choice.asset.id, text)
        for sent in crisis.statements:
            state = ("published, passed the freeze" if sent.released_at else
                     f"PROBLEM: {one_line(sent.problem, 80)}" if sent.problem else "waits for approval")
            info(f"sent {sent.post_id} ({sent.asset_id}) to {', '.join(page.handle(a) for a in sent.accounts)} "
                 f"by {one_line(sent.by, 20)} {hhmm(sent.at, zone)}: {state}")
    else:
        heading("Past crises  (Enter or r reads the report · D declares)")
        if not page.past:
            info("none yet")
        else:
            add(INFO, "columns", Text(f"{'level':<11} {'declared':<11}   {'resolved':<11}  {'lasted':<6} title",
                                      style=style("muted")))
        for past in page.past:
            duration = clock_text(past.elapsed(now))       # hours:minutes, the report has the seconds
            text = Text(f"{past.label:<11} ", style=style("heading"))
            text.append(f"{short_time(past.declared_at, zone)} → {short_time(past.resolved_at, zone)}  "
                        f"{duration:<6} ", style=style("muted"))
            text.append(one_line(past.title, 80))
            add(PAST, past.id, text)
    return rows


def header_lines(page: CrisisPage, zone: tzinfo | None) -> list[str]:
    """The lines above the list: the crisis, the freeze, the waiting request."""
    status = page.status
    crisis = status.crisis
    lines = []
    if crisis is None:
        lines.append("No crisis is active. D declares one (or the palette's \"Declare a crisis\"); F9 freezes "
                     "publishing at once.")
    else:
        # The level, elapsed time and freeze are on the banner above: here what it is about.
        lines.append(f"{crisis.id} · {one_line(crisis.title, 80)} · by {one_line(crisis.declared_by, 20)} "
                     f"{hhmm(crisis.declared_at, zone)} · scope {one_line(crisis.scope, 60)}"
                     + (f" · playbook {crisis.playbook}" if crisis.playbook else "")
                     + f" · reason: {one_line(crisis.reason, 120)}")
        if crisis.responders:
            lines.append(f"Only these reply on the affected accounts: {', '.join(crisis.responders)}")
    freezes = status.freezes
    if freezes:
        for hold in freezes:
            lines.append(f"FROZEN {hold.scope} {hhmm(hold.at, zone)} by {one_line(hold.by, 20)}: held "
                         f"{hold.scheduled} scheduled, {hold.due} publish-now"
                         + (f", {crisis.held_replies} replies" if crisis is not None else "") + f" ({hold.id})"
                         + (f"; {len(hold.in_flight)} already being sent: "
                            + ", ".join(f"{t.post_id} on {page.handle(t.account_id)}" for t in hold.in_flight)
                            if hold.in_flight else ""))
    elif crisis is not None:
        lines.append("Publishing is NOT frozen (F9 freezes it)")
    request = status.request
    if request is not None:
        lines.append(f"WAITING for a second person: {one_line(request.describe(), 160)} · c confirms (someone "
                     "else) · C cancels")
    return lines


def log_text(page: CrisisPage, zone: tzinfo | None, muted: str = "dim") -> Text:
    """The team notes and the timeline, newest first (plain text)."""
    crisis = page.crisis
    text = Text()
    if crisis is None:
        return text
    text.append(f"Team notes · {len(crisis.notes)}  (n adds · N adds and tells everyone)\n", style="bold")
    for note in reversed(crisis.notes):
        text.append(f"{hhmm(note.at, zone)} {one_line(note.by, 16)}: ", style=muted)
        text.append(("[announced] " if note.announced else "") + one_line(note.text, 1000) + "\n")
    if not crisis.notes:
        text.append("none yet\n", style=muted)
    text.append(f"Timeline · {len(page.timeline)}\n", style="bold")
    if page.timeline_problem:
        text.append(one_line(page.timeline_problem, 300) + "\n", style=muted)
    for entry in reversed(page.timeline):
        text.append(f"{hhmm(entry.at, zone)} {one_line(entry.who or '-', 16)} [{entry.kind}] ", style=muted)
        text.append(one_line(entry.text, 400) + "\n")
    text.rstrip()
    return text
