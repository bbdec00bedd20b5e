"""The wallboard's scenes, one widget each, drawn from a :class:`BoardSnapshot`.

Every state is said in words and a symbol as well as a colour (``✓ ok``,
``■ FROZEN``, ``! 4 breached``), so the board reads the same in the
high-contrast theme, in 16 colours and to someone who does not see the colour.
Text from people and platforms (titles, reasons, previews, timeline) is shown
as plain text, never as markup.

Each scene builds its widgets once and only updates them, so a board left
running for days does not grow.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Digits, Sparkline, Static

from console.crisis import STEP_DONE, STEP_OPEN, clock_text
from console.untrusted import one_line
from console.wallboard import (FROZEN, HELD_STATE, HOURS, JOB_FAILING, JOB_NOT_RUN, JOB_OK, JOB_OVERDUE,
                               BoardSnapshot, countdown_text)

#: Symbols that go with the words (never colour alone).
PUBLISHING_WORDS = {
    "normal": "● publishing normal",
    FROZEN: "■ publishing FROZEN",
    HELD_STATE: "▲ publishing HELD",
}
JOB_SYMBOLS = {JOB_OK: "✓", JOB_FAILING: "✗", JOB_OVERDUE: "!", JOB_NOT_RUN: "·"}
WORKER_SYMBOLS = {"running": "✓", "syncing": "✓", "external": "✓", "starting": "·", "stopped": "!", "error": "✗"}


def local_time(moment: datetime | None, zone: tzinfo | None) -> str:
    return moment.astimezone(zone).strftime("%H:%M") if moment is not None else "--:--"


def set_state(widget: Widget, state: str, states: tuple[str, ...] = ("ok", "warn", "bad")) -> None:
    """One of ``-ok``, ``-warn``, ``-bad`` on ``widget`` (its colour; the words are in its text)."""
    for name in states:
        widget.set_class(name == state, f"-{name}")


def worker_line(snapshot: BoardSnapshot) -> str:
    worker = snapshot.worker
    symbol = WORKER_SYMBOLS.get(worker.state, "·")
    trouble = snapshot.jobs_in_trouble
    text = f"{symbol} worker {worker.state}"
    if trouble:
        text += " · " + ", ".join(f"{JOB_SYMBOLS[job.state]} {job.name} {job.state}" for job in trouble)
    return text


def worker_state(snapshot: BoardSnapshot) -> str:
    if snapshot.worker.state == "error" or any(job.state == JOB_FAILING for job in snapshot.jobs):
        return "bad"
    if snapshot.worker.state == "stopped" or snapshot.jobs_in_trouble:
        return "warn"
    return "ok"


def publishing_state(snapshot: BoardSnapshot) -> str:
    return {FROZEN: "bad", HELD_STATE: "warn"}.get(snapshot.publishing, "ok")


class Tile(Vertical):
    """A big number (or, with ``word``, a word) with what it is above it and a line of detail under it."""

    def __init__(self, title: str, *, id: str, word: bool = False) -> None:
        super().__init__(id=id, classes="tile")
        self.title = title
        self.word = word

    def compose(self) -> ComposeResult:
        yield Static(Text(self.title), classes="tile--title")
        if self.word:
            yield Static(Text(""), classes="tile--word")
        else:
            yield Digits("", classes="tile--digits")
        yield Static(Text(""), classes="tile--caption")

    def show(self, value: str, caption: str, state: str = "ok") -> None:
        if self.word:
            self.query_one(".tile--word", Static).update(Text(value))
        else:
            digits = self.query_one(Digits)
            if digits.value != value:
                digits.update(value)
        self.query_one(".tile--caption", Static).update(Text(caption))
        set_state(self, state)


class Scene(Vertical):
    """A scene of the board: ``show`` draws a snapshot on it."""

    TITLE = ""

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        raise NotImplementedError


class OverviewScene(Scene):
    """Open items, SLA breaches and the next post's countdown in big digits, with
    publishing, the worker and the crisis (if any) under them."""

    TITLE = "Overview"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="tiles"):
            yield Tile("OPEN ITEMS", id="tile-open")
            yield Tile("SLA BREACHES", id="tile-breached")
            yield Tile("NEXT POST IN", id="tile-next")
        yield Static(Text(""), id="overview-publishing", classes="line")
        yield Static(Text(""), id="overview-worker", classes="line")
        yield Static(Text(""), id="overview-crisis", classes="line")
        yield Static(Text(""), id="overview-volume", classes="volume--label")
        yield Sparkline([0] * HOURS, summary_function=max, id="overview-sparkline")

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        counts = snapshot.counts
        self.query_one("#tile-open", Tile).show(
            str(counts.open), f"{counts.unassigned} unassigned · {counts.snoozed} snoozed")
        if counts.breached:
            breach_caption, breach_state = f"! {counts.breached} breached · {counts.due_soon} due soon", "bad"
        else:
            breach_caption = f"✓ none breached · {counts.due_soon} due soon"
            breach_state = "warn" if counts.due_soon else "ok"
        self.query_one("#tile-breached", Tile).show(str(counts.breached), breach_caption, breach_state)
        post = snapshot.next_post
        if post is None:
            self.query_one("#tile-next", Tile).show(countdown_text(None), "nothing scheduled in the next 7 days")
        else:
            held = post.state == "held"
            caption = (f"{'■ HELD' if held else '→'} {local_time(post.at, zone)} on {', '.join(post.handles)}")
            self.query_one("#tile-next", Tile).show(countdown_text(snapshot.countdown()), one_line(caption, 60),
                                                    "bad" if held else "ok")
        publishing = self.query_one("#overview-publishing", Static)
        text = PUBLISHING_WORDS[snapshot.publishing]
        if snapshot.holds:
            text += f" · {len(snapshot.holds)} hold{'s' if len(snapshot.holds) != 1 else ''}: " + "; ".join(
                f"{snapshot.hold_scope(hold)} by {hold.by}" for hold in snapshot.holds)
        publishing.update(Text(one_line(text, 300)))
        set_state(publishing, publishing_state(snapshot))
        worker = self.query_one("#overview-worker", Static)
        worker.update(Text(one_line(worker_line(snapshot), 300)))
        set_state(worker, worker_state(snapshot))
        crisis = self.query_one("#overview-crisis", Static)
        status = snapshot.crisis
        crisis.update(Text(f"▲ {status.banner()} · {one_line(status.crisis.title, 80)}" if status.active
                           else "● no crisis declared"))
        set_state(crisis, "bad" if status.active else "ok")
        per_hour = [sum(hours) for hours in zip(*(line.per_hour for line in snapshot.volume))] or [0] * HOURS
        self.query_one("#overview-volume", Static).update(Text(
            f"Inbound per hour, all accounts, last {HOURS} h: {sum(per_hour)} in all · {per_hour[-1]} this hour"))
        sparkline = self.query_one("#overview-sparkline", Sparkline)
        if list(sparkline.data or ()) != per_hour:
            sparkline.data = per_hour


class VolumeRow(Vertical):
    """One account's inbound items per hour as a sparkline, with its numbers in words."""

    def __init__(self, account_id: str) -> None:
        super().__init__(classes="volume-row")
        self.account_id = account_id

    def compose(self) -> ComposeResult:
        yield Static(Text(""), classes="volume--label")
        yield Sparkline([0] * HOURS, summary_function=max)

    def show(self, handle: str, per_hour: tuple[int, ...]) -> None:
        total, peak = sum(per_hour), max(per_hour, default=0)
        self.query_one(".volume--label", Static).update(Text(
            f"{one_line(handle, 40)}  {total} in 24 h · {per_hour[-1] if per_hour else 0} this hour · "
            f"peak {peak}/h"))
        sparkline = self.query_one(Sparkline)
        if list(sparkline.data or ()) != list(per_hour):
            sparkline.data = list(per_hour)


class InboundScene(Scene):
    """Inbound volume per hour over the last 24 hours, one sparkline per account."""

    TITLE = "Inbound per hour"

    def compose(self) -> ComposeResult:
        yield Static(Text(f"Inbound items per hour, last {HOURS} hours (oldest left, this hour right)"),
                     classes="scene--title")
        yield Vertical(id="volume-rows")

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        rows = self.query_one("#volume-rows", Vertical)
        shown = [row.account_id for row in rows.query(VolumeRow)]
        wanted = [line.account_id for line in snapshot.volume]
        if shown != wanted:      # accounts connected or removed: rare, so rebuilt then
            rows.remove_children()
            rows.mount_all([VolumeRow(account_id) for account_id in wanted])
            self.call_after_refresh(self.show, snapshot, zone)
            return
        for row, line in zip(rows.query(VolumeRow), snapshot.volume):
            row.show(line.handle, line.per_hour)


class PublishingScene(Scene):
    """Publishing (normal, frozen, held) and each hold; the next posts; the worker's jobs."""

    TITLE = "Publishing and worker"

    def compose(self) -> ComposeResult:
        with Horizontal(classes="columns"):
            with Vertical(classes="column", id="publishing-column"):
                yield Static(Text(""), id="publishing-state", classes="big-word")
                yield Static(Text(""), id="publishing-holds", classes="list")
            with Vertical(classes="column"):
                yield Static(Text("Next posts"), classes="column--title")
                yield Static(Text(""), id="publishing-next", classes="list")
            with Vertical(classes="column"):
                yield Static(Text(""), id="publishing-worker", classes="column--title")
                yield Static(Text(""), id="publishing-jobs", classes="list")

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        state = self.query_one("#publishing-state", Static)
        state.update(Text(PUBLISHING_WORDS[snapshot.publishing]))
        set_state(state, publishing_state(snapshot))
        holds = Text()
        for hold in snapshot.holds:
            kind = "crisis freeze" if hold.kind == "crisis" else "hold"
            holds.append(f"{'■' if hold.kind == 'crisis' else '▲'} {kind} on {one_line(snapshot.hold_scope(hold), 60)}\n"
                         f"  by {hold.by} since {local_time(hold.at, zone)}: {one_line(hold.reason, 100)}\n")
        if not snapshot.holds:
            holds.append("✓ no holds: scheduled posts go out on time")
        self.query_one("#publishing-holds", Static).update(holds)
        upcoming = Text()
        for post in snapshot.next_posts:
            mark = "■ held" if post.state == "held" else ("↑ sending" if post.state == "publishing" else "→")
            upcoming.append(f"{local_time(post.at, zone)} {mark} {', '.join(post.handles)}\n"
                            f"  {one_line(post.preview, 60)}\n")
        if not snapshot.next_posts:
            upcoming.append("· nothing scheduled in the next 7 days")
        self.query_one("#publishing-next", Static).update(upcoming)
        worker = self.query_one("#publishing-worker", Static)
        worker.update(Text(one_line(f"{WORKER_SYMBOLS.get(snapshot.worker.state, '·')} worker "
                                    f"{snapshot.worker.state}", 60)))
        set_state(worker, worker_state(snapshot))
        jobs = Text()
        for job in snapshot.jobs:
            jobs.append(f"{JOB_SYMBOLS[job.state]} {job.name} {job.state}"
                        + (f": {one_line(job.detail, 80)}" if job.detail and job.state != JOB_OK else "") + "\n")
        if not snapshot.jobs:
            jobs.append("· no job has run yet")
        self.query_one("#publishing-jobs", Static).update(jobs)


class CrisisScene(Scene):
    """The declared crisis: level and title, elapsed time, freeze, runbook progress, timeline."""

    TITLE = "Crisis"

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="crisis-title")
        with Horizontal(classes="tiles"):
            yield Tile("ELAPSED (H:M)", id="tile-elapsed")
            yield Tile("PUBLISHING", id="tile-freeze", word=True)
            yield Tile("RUNBOOK STEPS DONE", id="tile-runbook")
        yield Static(Text(""), id="crisis-request", classes="line")
        with Horizontal(classes="columns"):
            with Vertical(classes="column", id="runbook-column"):
                yield Static(Text("Runbook (due time, owner)"), classes="column--title")
                yield Static(Text(""), id="crisis-runbook", classes="list")
            with Vertical(classes="column"):
                yield Static(Text("Timeline (latest last)"), classes="column--title")
                yield Static(Text(""), id="crisis-timeline", classes="list")

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        status = snapshot.crisis
        crisis = status.crisis
        title = self.query_one("#crisis-title", Static)
        if crisis is None:
            title.update(Text("✓ No crisis declared"))
            set_state(title, "ok")
            return
        title.update(Text(one_line(f"▲ CRISIS {crisis.label} · {crisis.title} · {crisis.scope} · declared by "
                                   f"{crisis.declared_by} at {local_time(crisis.declared_at, zone)}", 300)))
        set_state(title, "bad")
        self.query_one("#tile-elapsed", Tile).show(clock_text(status.elapsed),
                                                   f"since {local_time(crisis.declared_at, zone)}", "bad")
        if status.frozen:
            scopes = ", ".join(snapshot.hold_scope(hold) for hold in status.freezes)
            self.query_one("#tile-freeze", Tile).show("■ FROZEN", one_line(f"on {scopes}", 60), "bad")
        else:
            self.query_one("#tile-freeze", Tile).show("● NOT FROZEN", "scheduled posts go out", "ok")
        runbook = status.runbook
        bar_width = 10
        filled = round(bar_width * runbook.done / runbook.total) if runbook.total else 0
        caption = f"{'█' * filled}{'░' * (bar_width - filled)} of {runbook.total}"
        if runbook.overdue:
            caption += f" · ! {runbook.overdue} overdue"
        steps = Text()
        for step in crisis.steps:
            if step.state == STEP_OPEN:
                mark = "! OVERDUE" if step.overdue(snapshot.now) else "· open"
            else:
                mark = "✓ done" if step.state == STEP_DONE else "– n/a"
            steps.append(f"{mark:<9} {local_time(step.due_at, zone)} {one_line(step.owner, 16):<10} "
                         f"{one_line(step.title, 90)}\n")
        self.query_one("#crisis-runbook", Static).update(steps)
        self.query_one("#tile-runbook", Tile).show(str(runbook.done), caption, "bad" if runbook.overdue else "ok")
        request = self.query_one("#crisis-request", Static)
        if status.request is not None:
            request.update(Text(one_line(f"… {status.request.kind} asked by {status.request.by}: waiting for a "
                                         "second person to confirm", 200)))
        else:
            request.update(Text(""))
        timeline = Text()
        for entry in status.latest:
            timeline.append(f"{local_time(entry.at, zone)}  {one_line(entry.who, 20)}  {one_line(entry.text, 160)}\n")
        self.query_one("#crisis-timeline", Static).update(timeline)
