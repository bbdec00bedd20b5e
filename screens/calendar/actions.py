"""What a person does to a post from the calendar: move it (to a time, or the
next free slot), take it off, publish it now, retry it, edit it in Compose.

Every change is a call to the scheduling service through
``app.call_service`` (a thread; the idle lock and the step-up prompt for
publishing now come with it), so the service decides and audits. When the
publishing rules refuse a time, the findings are shown; warnings can be
acknowledged (``y``), and a blackout overridden by a role the governance
file names, with a note. The outcome goes to the message line in words
("Moved p-1a2b3c: @northwind Mon 30 Nov 10:00 EST").
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.text import Text

from console.errors import ActionConflict
from console.posts import AcknowledgementRequired, PolicyBlocked
from console.publishing import NEEDS_CHECK, RULE_BLACKOUT, CalendarEntry, Schedule, ScheduleRequest, local_text
from console.untrusted import one_line, printable
from screens.calendar.prompts import ACKNOWLEDGE, OVERRIDE, ScheduleFindingsPrompt
from screens.calendar.query import TIME_HELP, parse_new_time
from screens.panels import open_post_in_compose
from screens.parsing import PromptError
from screens.widgets.prompts import ConfirmPrompt, TextPrompt
from screens.widgets.status_bar import actor_label

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace
    from textual.app import App


def required_note(value: str) -> None:
    if not value.strip():
        raise PromptError("An override needs a note saying why: approvers and the audit read it.")


class CalendarActions:
    """Runs one person's changes to the calendar and reports each outcome through ``say``."""

    def __init__(self, app: "App", workspace: "Workspace", actor: Callable[[], "Actor"], *,
                 say: Callable[..., None], reload: Callable[[], None], zone: Callable[[], tzinfo]) -> None:
        self.app = app
        self.workspace = workspace
        self.actor = actor
        self.say = say
        self.reload = reload
        self.zone = zone

    def _handle(self, account_id: str) -> str:
        return one_line(self.workspace.account_handle(account_id))

    def describe(self, schedule: Schedule) -> str:
        """``@northwind Mon 2026-11-30 10:00 EST · @northwind_es ...``: each account's own time."""
        return " · ".join(f"{self._handle(a)} {local_text(t.at, self.workspace.scheduling.zone(a))}"
                          for a, t in schedule.targets.items())

    # -- moving ------------------------------------------------------------------------------
    def reschedule(self, entry: CalendarEntry) -> None:
        """Ask for a new time (see ``screens/calendar/query.py``), then move the post there."""
        workspace = self.workspace
        scheduling = workspace.scheduling
        schedule = scheduling.get(entry.post_id)
        # Each account's time now ("+2h" moves each of them), its zone, and how it reads there.
        current = [(t.at, scheduling.zone(a)) for a, t in schedule.targets.items()] if schedule else \
            [(entry.at, scheduling.zone(a)) for a in entry.accounts]
        accounts = list(schedule.targets) if schedule else list(entry.accounts)
        intro = Text.assemble((entry.post_id, "bold"), " · ", one_line(entry.preview, 60), "\nNow: ",
                              " · ".join(f"{self._handle(a)} {local_text(at, zone)}"
                                         for a, (at, zone) in zip(accounts, current)))

        def parse(value: str) -> ScheduleRequest:
            return parse_new_time(value, now=workspace.clock(), zone=self.zone(), current=current)

        def answered(value: str | None) -> None:
            if value is not None:
                self.schedule(entry.post_id, parse(value), "Moved")

        self.app.push_screen(TextPrompt(f"Move {entry.post_id} to", intro=intro, placeholder="tomorrow 10:00",
                                        hint=f"{TIME_HELP} · Enter moves it · Escape cancels", check=parse),
                             answered)

    def next_slot(self, entry: CalendarEntry) -> None:
        self.schedule(entry.post_id, ScheduleRequest(next_slot=True), "Moved to the next free slot:")

    def schedule(self, post_id: str, request: ScheduleRequest, verb: str) -> None:
        scheduling, actor = self.workspace.scheduling, self.actor()

        def done(schedule: Schedule) -> None:
            self.say(f"{verb} {post_id}: {self.describe(schedule)}")
            self.reload()

        self.say(f"Scheduling {post_id}…")
        self.app.call_service(lambda: scheduling.schedule(actor, post_id, request),  # type: ignore[attr-defined]
                              done=done, failed=lambda error: self._schedule_refused(error, post_id, request, verb))

    def _schedule_refused(self, error: BaseException, post_id: str, request: ScheduleRequest, verb: str) -> None:
        if isinstance(error, AcknowledgementRequired):
            def acknowledged(answer: str | None) -> None:
                if answer == ACKNOWLEDGE:
                    rules = tuple(dict.fromkeys((*request.acknowledge, *(w.rule_id for w in error.warnings))))
                    self.schedule(post_id, replace(request, acknowledge=rules), verb)
                else:
                    self.say(f"{post_id} not moved: the warnings were not acknowledged", severity="warning")

            self.app.push_screen(ScheduleFindingsPrompt(f"{post_id}: acknowledge to schedule it then",
                                                        tuple(error.warnings), warnings=True), acknowledged)
            return
        if isinstance(error, PolicyBlocked):
            self.say(printable(str(error)), severity="error")
            override = self._override_offer(error)

            def answered(answer: str | None) -> None:
                if answer == OVERRIDE:
                    self._ask_override(post_id, request, verb)

            self.app.push_screen(ScheduleFindingsPrompt(one_line(str(error), 90), tuple(error.findings),
                                                        warnings=False, override=override), answered)
            return
        self.refused(error)

    def _override_offer(self, error: PolicyBlocked) -> str:
        """How ``o`` reads when only blackouts refused and the person's role may override them."""
        if not error.findings or any(f.rule_id != RULE_BLACKOUT for f in error.findings):
            return ""
        _, role = actor_label(self.actor())
        if role not in self.workspace.governance.publishing.override_roles:
            return ""
        return "override the blackout (asks for a note; the post then needs approval again)"

    def _ask_override(self, post_id: str, request: ScheduleRequest, verb: str) -> None:
        scheduling, actor = self.workspace.scheduling, self.actor()

        def with_note(note: str | None) -> None:
            if note is None:
                return
            # Which blackouts the times fall in: what the override names.
            self.app.call_service(  # type: ignore[attr-defined]
                lambda: scheduling.blackouts_in(scheduling.plan(actor, post_id, request)),
                done=lambda ids: self.schedule(post_id, replace(request, overrides=tuple(ids), note=note.strip()),
                                               f"{verb} (blackout overridden)"),
                failed=self.refused)

        self.app.push_screen(TextPrompt(f"Override the blackout for {post_id}", placeholder="why",
                                        hint="Say why it must go out then; approvers and the audit read it "
                                             "· Escape cancels", check=required_note), with_note)

    # -- off the calendar, now, again ----------------------------------------------------------
    def unschedule(self, entry: CalendarEntry) -> None:
        scheduling, actor = self.workspace.scheduling, self.actor()

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(f"Taking {entry.post_id} off the calendar…",
                          lambda: scheduling.unschedule(actor, entry.post_id),
                          lambda _post: f"Took {entry.post_id} off the calendar; it stays approved (n or t "
                                        "schedules it again)")

        self.app.push_screen(ConfirmPrompt(f"Unschedule {entry.post_id}?", self._question(
            entry, "It comes off the calendar on every account and stays approved, ready to schedule again.")),
            answered)

    def publish_now(self, entry: CalendarEntry) -> None:
        """Confirm, then publish at once (high-risk: the service asks for a fresh code)."""
        scheduling, actor = self.workspace.scheduling, self.actor()

        def done(schedule: Schedule) -> None:
            self.say(f"{entry.post_id} goes out now: the worker sends it within seconds")
            self.reload()

        def answered(yes: bool | None) -> None:
            if yes:
                self.say(f"Publishing {entry.post_id} now…")
                self.app.run_with_step_up(  # type: ignore[attr-defined]
                    lambda: scheduling.publish_now(actor, entry.post_id), done=done,
                    failed=self._publish_refused)

        self.app.push_screen(ConfirmPrompt(f"Publish {entry.post_id} now?", self._question(
            entry, "It goes out at once where it has not gone out yet, whatever its time. High-risk: you "
                   "will be asked for a fresh code.")), answered)

    def _publish_refused(self, error: BaseException) -> None:
        if isinstance(error, PolicyBlocked):
            self.say(printable(str(error)), severity="error")
            self.app.push_screen(ScheduleFindingsPrompt(one_line(str(error), 90), tuple(error.findings),
                                                        warnings=False))
            return
        self.refused(error)

    def retry(self, entry: CalendarEntry) -> None:
        """Send failed or missed accounts again; a "needs check" one only once the person
        says they looked and it is not on the platform (else it could go out twice)."""
        scheduling, actor = self.workspace.scheduling, self.actor()
        schedule = scheduling.get(entry.post_id)
        unchecked = [a for a, t in (schedule.targets.items() if schedule else ()) if t.state == NEEDS_CHECK]

        def run(checked: bool) -> None:
            self._run(f"Retrying {entry.post_id}…", lambda: scheduling.retry(actor, entry.post_id, checked=checked),
                      lambda schedule: f"{entry.post_id} goes out again now: {self.describe(schedule)}")

        if not unchecked:
            run(False)
            return
        handles = ", ".join(self._handle(a) for a in unchecked)

        def answered(yes: bool | None) -> None:
            if yes:
                run(True)
            else:
                self.say(f"Not retried: check {handles} on the platform first", severity="warning")

        self.app.push_screen(ConfirmPrompt(
            f"Did you check {entry.post_id} is not on {handles}?",
            f"The worker could not tell whether it went out on {handles} (needs check). Look on the platform "
            "first: if it is there, retrying posts it twice.\ny: I checked, it is not there: send it again"),
            answered)

    # -- editing -------------------------------------------------------------------------------
    async def edit(self, entry: CalendarEntry) -> None:
        """Open the post in the Compose panel (which asks first about unsaved changes there)."""
        await open_post_in_compose(self.app, entry.post_id, self.say)

    # -- running and reporting -----------------------------------------------------------------
    def _question(self, entry: CalendarEntry, consequence: str) -> str:
        accounts = ", ".join(self._handle(a) for a in entry.accounts)
        return f"{one_line(entry.preview, 70)}\n{accounts} · {entry.state}\n{consequence}"

    def _run(self, busy: str, call: Callable[[], object], summary: Callable[[object], str]) -> None:
        self.say(busy)

        def done(result: object) -> None:
            self.say(summary(result))
            self.reload()

        self.app.call_service(call, done=done, failed=self.refused)  # type: ignore[attr-defined]

    def refused(self, error: BaseException) -> None:
        """The service said no (or someone changed the post meanwhile): say why, and look again."""
        reason = printable(str(error))
        self.say(reason, severity="error")
        title = "Not changed" if isinstance(error, ActionConflict) else "Not done"
        self.app.notify(reason, title=title, severity="error", markup=False, timeout=10)
        self.reload()
