"""The detail of a post on the calendar: each account's own time and state,
links to what went out, why something failed or waits, and the text.

:func:`load_entry_detail` reads the post, its schedule and the holds in
force (run it in a thread worker); :func:`entry_detail_renderable` only
formats. The text is shown with its hidden characters revealed (what goes
out is what is read); names, reasons, URLs and notes go through
``console.untrusted``, and everything is a ``rich.text.Text``, never markup.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.console import Group, RenderableType
from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.publishing import (CALENDAR_STATES, FAILED, MISSED, NEEDS_CHECK, PUBLISHED, PUBLISHING, RETRYING,
                                SCHEDULED, STATE_LETTERS, Hold, Schedule, account_zone)
from console.posts import APPROVED, IN_REVIEW, Post
from console.untrusted import one_line
from screens.approvals.post_format import relative_time, status_label
from screens.calendar.states import STATE_CLASSES, state_css, state_style
from screens.formatting import clock_text, revealed_text

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace

#: A target's state (as the schedule records it) as the calendar names it.
TARGET_STATE_NAMES = {SCHEDULED: "scheduled", RETRYING: "scheduled", PUBLISHING: "publishing",
                      PUBLISHED: "published", FAILED: "failed", NEEDS_CHECK: "needs check", MISSED: "missed"}


@dataclass(frozen=True)
class TargetAccount:
    handle: str
    zone: tzinfo
    region: str


@dataclass(frozen=True)
class EntryDetail:
    """What the pane shows about one post, gathered off the UI thread."""

    post: Post
    schedule: Schedule | None
    accounts: Mapping[str, TargetAccount]
    holds: tuple[Hold, ...] = field(default_factory=tuple)

    def hold_on(self, account_id: str) -> Hold | None:
        account = self.accounts.get(account_id)
        region = account.region if account else ""
        return next((hold for hold in self.holds if hold.applies_to(account_id, region)), None)

    def target_state(self, account_id: str) -> str:
        """The calendar's name of ``account_id``'s state ("held" when a hold stops it)."""
        if self.schedule is None or account_id not in self.schedule.targets:
            return {APPROVED: "approved", IN_REVIEW: "in approval"}.get(self.post.status, "draft")
        target = self.schedule.targets[account_id]
        if target.state in (SCHEDULED, RETRYING) and self.hold_on(account_id) is not None:
            return "held"
        return TARGET_STATE_NAMES.get(target.state, target.state)

    def needs_check(self) -> list[str]:
        return [a for a, t in (self.schedule.targets.items() if self.schedule else ()) if t.state == NEEDS_CHECK]

    def retryable(self) -> list[str]:
        return [a for a, t in (self.schedule.targets.items() if self.schedule else ())
                if t.state in (FAILED, MISSED, NEEDS_CHECK)]

    def handle(self, account_id: str) -> str:
        account = self.accounts.get(account_id)
        return one_line(account.handle if account else account_id)


def load_entry_detail(workspace: "Workspace", actor: "Actor", post_id: str) -> EntryDetail:
    """The post (if ``actor`` may read it), its schedule and the holds in force. Runs in a thread."""
    post = workspace.posts.show(actor, post_id)
    schedule = workspace.scheduling.get(post_id)
    ids = set(post.targets) | set(schedule.targets if schedule else ())
    accounts = {}
    for account_id in ids:
        ref = workspace.account_ref(account_id)
        accounts[account_id] = TargetAccount(ref.handle if ref else account_id, account_zone(ref),
                                             workspace.account_region(account_id))
    return EntryDetail(post, schedule, accounts, tuple(workspace.holds.active()))


def _local(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return "no time"
    local = moment.astimezone(zone)
    return f"{local:%a} {local.day} {local:%b %H:%M} {local.tzname() or ''}".rstrip()


def entry_detail_renderable(detail: EntryDetail, *, now: datetime, tz: tzinfo,
                            style: Callable[[str], Style]) -> RenderableType:
    """The pane: header, each account's line, what to do next, the text, the history."""
    post = detail.post
    schedule = detail.schedule
    header = Text()
    header.append(post.id, style("heading"))
    # Once approved, where it stands is the schedule's (each account's line below).
    status = "approved" if post.status == APPROVED else status_label(post.status)
    header.append(f" · {status} · by {one_line(post.author, 40)} · revision {post.revision}")
    if post.tags:
        header.append(" · tags " + ", ".join(one_line(t, 30) for t in post.tags))
    if schedule is not None:
        header.append(f"\nScheduled by {one_line(schedule.scheduled_by, 40)} "
                      f"{clock_text(schedule.scheduled_at, now, tz)}", style("muted"))
        if schedule.revision != post.revision:
            header.append(f" · revision {schedule.revision} was scheduled; it was edited since",
                          style("warning"))
        if schedule.overrides:
            header.append(f" · overrides {', '.join(one_line(o, 40) for o in schedule.overrides)}: "
                          f"{one_line(schedule.override_note, 200)}", style("warning"))
    elif post.status == APPROVED:
        header.append("\nApproved, not scheduled: n takes the next free slot, t a time", style("muted"))
    parts: list[RenderableType] = [header, _targets(detail, now, style), *_links(detail, style)]
    advice = _advice(detail)
    if advice:
        parts.append(Text(advice, style("warning")))
    parts += [Text(""), revealed_text(post.text) if post.text else Text("(no text)")]
    if post.history:
        parts.append(Text(""))
        parts.append(Text("History", style("heading")))
        for entry in post.history[-8:]:
            line = Text(f"  {clock_text(entry.at, now, tz)} ", style("muted"))
            line.append(f"{one_line(entry.by, 30)} {one_line(entry.action, 30)}")
            if entry.note:
                line.append(f" — {one_line(entry.note, 300)}", style("muted"))
            parts.append(line)
    return Group(*parts)


def _targets(detail: EntryDetail, now: datetime, style: Callable[[str], Style]) -> Table:
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=1)
    table.add_column(no_wrap=True)
    table.add_column(no_wrap=True)
    table.add_column(ratio=1)
    schedule = detail.schedule
    targets = list(schedule.targets) if schedule else list(detail.post.targets)
    for account_id in targets:
        state = detail.target_state(account_id)
        account = detail.accounts.get(account_id)
        zone = account.zone if account else now.tzinfo
        target = schedule.targets.get(account_id) if schedule else None
        at = target.at if target else detail.post.proposed_at
        table.add_row(Text(STATE_LETTERS.get(state, "?"), style(state)), Text(detail.handle(account_id)),
                      Text(_local(at, zone)), _outcome(detail, account_id, state, now, style))
    return table


def _outcome(detail: EntryDetail, account_id: str, state: str, now: datetime,
             style: Callable[[str], Style]) -> Text:
    target = detail.schedule.targets.get(account_id) if detail.schedule else None
    text = Text(state, style(state))
    if target is None:
        at = detail.post.proposed_at
        text.append(f" · proposed {relative_time(at, now)}" if at else " · no time proposed", style("muted"))
        return text
    if target.state in (SCHEDULED, RETRYING):
        hold = detail.hold_on(account_id)
        if hold is not None:
            text.append(f" · hold {hold.id}: {one_line(hold.describe(), 200)}")
        elif target.state == RETRYING:
            text.append(f" · retrying {relative_time(target.next_attempt_at, now)} (attempt {target.attempts}): "
                        f"{one_line(target.error, 200)}", style("muted"))
        else:
            text.append(f" · {relative_time(target.at, now)}", style("muted"))
    elif target.state == PUBLISHED:
        if target.published_at is not None:
            text.append(f" {relative_time(target.published_at, now)}", style("muted"))
        if not target.url and target.remote_id:
            text.append(f" · id {one_line(target.remote_id, 80)}", style("muted"))
    elif target.error:
        attempts = f" (attempt {target.attempts})" if target.attempts > 1 else ""
        # The publisher words a needs-check reason "needs a check: why"; the state says that already.
        reason = target.error.removeprefix("needs a check: ") if target.state == NEEDS_CHECK else target.error
        text.append(f"{attempts}: {one_line(reason, 300)}")
    return text


def _links(detail: EntryDetail, style: Callable[[str], Style]) -> list[Text]:
    """Where each published account's post is, whole (a URL is never cut: it is copied)."""
    links = []
    for account_id, target in (detail.schedule.targets.items() if detail.schedule else ()):
        if target.state == PUBLISHED and target.url:
            line = Text(f"{detail.handle(account_id)} ", style("muted"), overflow="fold")
            line.append(one_line(target.url, 500), style("link"))
            links.append(line)
    return links


def _advice(detail: EntryDetail) -> str:
    """What the person can do about the post's state, in the panel's keys."""
    if detail.needs_check():
        return ("Needs a check: look on the platform whether it went out. If it is not there, R retries it "
                "(you confirm you checked); if it is, nothing more to do.")
    if detail.retryable():
        return "R sends the failed or missed accounts again now; t or n gives them a new time."
    return ""


class EntryDetailView(VerticalScroll):
    """Scrollable detail of the post under the cursor."""

    DEFAULT_CSS = """
    EntryDetailView {
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    EntryDetailView > Static { width: 1fr; }
    EntryDetailView > .entry-detail--heading { text-style: bold; }
    EntryDetailView > .entry-detail--muted { color: $text-muted; }
    EntryDetailView > .entry-detail--warning { color: $text-warning; }
    EntryDetailView > .entry-detail--link { color: $text-accent; text-style: underline; }
    """ + state_css("EntryDetailView")

    STYLE_NAMES = ("heading", "muted", "warning", "link")
    COMPONENT_CLASSES = {f"entry-detail--{name}" for name in STYLE_NAMES} | STATE_CLASSES

    can_focus = False

    def compose(self):
        yield Static(Text("Loading…"), id="entry-detail-body")

    def style_for(self, name: str) -> Style:
        if name in self.STYLE_NAMES:
            return self.get_component_rich_style(f"entry-detail--{name}", partial=True)
        return state_style(self, name) if name in CALENDAR_STATES else self.style_for("muted")

    def show(self, renderable: RenderableType, *, scroll_home: bool) -> None:
        self.query_one("#entry-detail-body", Static).update(renderable)
        if scroll_home:
            self.scroll_home(animate=False)
