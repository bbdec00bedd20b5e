"""The Crisis panel (key 5): run a crisis, or read the past ones.

With no active crisis it lists the past crises (level, title, declared,
resolved, how long) and reads a selected one's post-mortem (Enter or ``r``),
lists any post a freeze made miss its time, and ``D`` declares. With an
active crisis it shows the level, title, elapsed time, the freeze and what
it held, the waiting two-person request, the runbook (``d`` done with a
note, ``x`` not applicable, OVERDUE in words and ``!``), the holding
statements (``p`` publishes one through the crisis route), the missed posts
(``t`` reschedules, ``X`` drops), and beside or under it the team notes
(``n``, ``N`` to tell every console user) and the timeline. ``u`` asks to
unfreeze and ``R`` to resolve; a second person confirms (``c``) or either
cancels (``C``). F9 (the app's) freezes. High-risk calls ask for a fresh
code through the app (``run_with_step_up``); the services decide and audit.

The page is read in a worker (``model.load_page``) when the panel opens,
when the app's crisis status changes (a poll of the store twice a second)
and after every action here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timezone

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, VerticalScroll
from textual.widgets import Footer, OptionList, Static
from textual.widgets.option_list import Option

from console.crisis import STEP_DONE, STEP_NA, report_markdown
from console.errors import ConsoleError
from console.permissions import CRISIS_DECLARE, CRISIS_RESPOND, POST_SUBMIT, SCHEDULE_FREEZE
from console.posts import AcknowledgementRequired
from console.untrusted import one_line, printable
from screens.conditions import ConditionBanner
from screens.crisis import flows
from screens.crisis.banner import CrisisBanner
from screens.crisis.model import (MISSED, PAST, STATEMENT, STEP, CrisisPage, Row, header_lines, load_page, log_text,
                                  work_rows)
from screens.crisis.prompts import AnswerScreen, ReportScreen, parse_scope
from screens.palette import Command, CommandListProvider
from screens.panel import PanelScreen, actor_may
from screens.parsing import PromptError
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import ConfirmPrompt, TextPrompt
from screens.widgets.status_bar import StatusBar

#: From this width the notes and timeline sit beside the list instead of under it.
SIDE_BY_SIDE_WIDTH = 120

_STYLES = {"heading": "bold", "muted": "dim", "overdue": "bold reverse", "done": "dim", "": ""}


def required(what: str) -> Callable[[str], None]:
    def check(value: str) -> None:
        if not value.strip():
            raise PromptError(f"{what}: the post-mortem reads it")
    return check


class WorkList(OptionList):
    """The panel's list: the cursor stops at the ends (OptionList wraps around, and a
    crisis lead pressing j once too often would land back on the first step)."""

    def _step(self, direction: int) -> None:
        index = self.highlighted
        position = (index if index is not None else -1) + direction
        while 0 <= position < self.option_count:
            if not self.get_option_at_index(position).disabled:
                self.highlighted = position
                return
            position += direction

    def action_cursor_down(self) -> None:
        self._step(1)

    def action_cursor_up(self) -> None:
        self._step(-1)


class CrisisCommands(CommandListProvider):
    """Palette entries while the Crisis panel is shown."""

    def _commands(self) -> Iterator[Command]:
        screen = self.screen
        if not isinstance(screen, CrisisScreen):
            return
        active = screen.page is not None and screen.page.crisis is not None
        if active:
            yield "Crisis: add a team note", screen.action_note, "n; N also tells every console user"
            yield "Crisis: ask to unfreeze", screen.action_unfreeze, "u; a second person confirms"
            yield "Crisis: ask to resolve", screen.action_resolve, "R; a second person confirms"
            yield "Crisis: interim report", screen.action_report, "r"
        if screen.page is not None and screen.page.status.request is not None:
            yield "Crisis: confirm the waiting request", screen.action_confirm, "c (someone else than who asked)"
            yield "Crisis: cancel the waiting request", screen.action_cancel_request, "C"
        yield "Crisis: refresh", screen.action_refresh, "g"


class CrisisScreen(PanelScreen):
    """The active crisis and its work, or the past crises and their reports."""

    CSS_PATH = "crisis.tcss"
    HELP_TITLE = "Crisis keys"
    COMMANDS = {CrisisCommands}

    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="crisis.down"),
        Binding("k", "cursor_up", "Up", show=False, id="crisis.up"),
        Binding("enter", "open", "Act on the row", show=False, id="crisis.open"),
        Binding("d", "step_done", "Done", id="crisis.step_done"),
        Binding("x", "step_na", "N/a", id="crisis.step_na"),
        Binding("n", "note", "Note", id="crisis.note"),
        Binding("N", "announce", "Note to all", show=False, id="crisis.announce"),
        Binding("p", "publish_statement", "Publish stmt", id="crisis.publish_statement"),
        Binding("t", "reschedule", "Reschedule", id="crisis.reschedule"),
        Binding("X", "drop", "Drop", id="crisis.drop"),
        Binding("u", "unfreeze", "Unfreeze", id="crisis.unfreeze"),
        Binding("R", "resolve", "Resolve", id="crisis.resolve"),
        Binding("c", "confirm", "Confirm", id="crisis.confirm"),
        Binding("C", "cancel_request", "Cancel request", show=False, id="crisis.cancel_request"),
        Binding("r", "report", "Report", id="crisis.report"),
        Binding("D", "declare", "Declare", id="crisis.declare"),
        Binding("g,f5", "refresh", "Refresh", show=False, id="crisis.refresh"),
    ]

    #: What each key needs (hidden without it; the service refuses anyway).
    ACTION_PERMISSIONS = {"step_done": CRISIS_RESPOND, "step_na": CRISIS_RESPOND, "note": CRISIS_RESPOND,
                          "announce": CRISIS_RESPOND, "publish_statement": CRISIS_RESPOND,
                          "reschedule": POST_SUBMIT, "drop": POST_SUBMIT, "unfreeze": SCHEDULE_FREEZE,
                          "resolve": CRISIS_DECLARE, "declare": CRISIS_DECLARE}
    #: Keys that only mean something while a crisis is active.
    ACTIVE_ONLY = {"step_done", "step_na", "note", "announce", "publish_statement", "resolve"}

    def __init__(self) -> None:
        super().__init__()
        self.page: CrisisPage | None = None
        self.rows: list[Row] = []
        self._loads = 0

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        yield Static(Text("Loading…"), id="crisis-header")
        with Container(id="crisis-body"):
            yield WorkList(id="crisis-work")
            with VerticalScroll(id="crisis-log"):
                yield Static(Text(""), id="crisis-log-text")
        yield MessageLine(id="crisis-message")
        yield Footer(compact=True)

    @property
    def work_list(self) -> OptionList:
        return self.query_one("#crisis-work", OptionList)

    @property
    def zone(self):
        return getattr(self.app, "display_tz", None) or timezone.utc

    def on_mount(self) -> None:
        self.query_one("#crisis-log").border_title = "Notes and timeline"
        self.watch(self.app, "crisis_status", self._status_changed, init=False)
        self.work_list.focus()
        self.reload()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= SIDE_BY_SIDE_WIDTH, "-wide")

    def on_screen_resume(self) -> None:
        self.reload()

    def _status_changed(self, _status: object) -> None:
        self.reload()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if self.app.actor is None:  # type: ignore[attr-defined]
            return True
        permission = self.ACTION_PERMISSIONS.get(action)
        if permission is not None and not actor_may(self.actor, permission):
            return False
        page = self.page
        if page is None:
            return True
        # Keys that mean nothing now are left out of the footer (80 columns hold few).
        active = page.crisis is not None
        if action in self.ACTIVE_ONLY and not active:
            return False
        if action == "declare":
            return not active
        if action == "publish_statement":
            return bool(page.statements)
        if action in ("reschedule", "drop"):
            return bool(page.missed)
        if action in ("confirm", "cancel_request"):
            return page.status.request is not None
        if action == "unfreeze":
            return bool(page.status.freezes) and page.status.request is None
        if action == "resolve":
            return page.status.request is None
        return True

    def say(self, message: str, severity: str = "information") -> None:
        self.query_one(MessageLine).say(message, severity)

    # -- loading -------------------------------------------------------------------------
    def reload(self) -> None:
        self._loads += 1
        self._load(self._loads)

    @work(thread=True, exclusive=True, group="crisis-page", exit_on_error=False)
    def _load(self, generation: int) -> None:
        try:
            page = load_page(self.workspace, self.app.background_actor)  # type: ignore[attr-defined]
        except ConsoleError as error:
            self.app.call_from_thread(self.say, printable(str(error)), "error")
            return
        self.app.call_from_thread(self._show, generation, page)

    def _show(self, generation: int, page: CrisisPage) -> None:
        if generation != self._loads or not self.is_mounted:
            return
        self.page = page
        zone = self.zone
        header = Text(no_wrap=True, overflow="ellipsis", end="")
        for index, line in enumerate(header_lines(page, zone)):
            if index:
                header.append("\n")
            header.append(line, style="bold" if index == 0 else "")
        self.query_one("#crisis-header", Static).update(header)
        self.rows = work_rows(page, zone, lambda name: _STYLES.get(name, ""))
        work_list = self.work_list
        highlighted = self.selected_row
        work_list.clear_options()
        work_list.add_options([Option(row.text, id=row.id, disabled=not row.selectable) for row in self.rows])
        keep = next((i for i, row in enumerate(self.rows) if highlighted and row.id == highlighted.id), None)
        if keep is None:
            keep = next((i for i, row in enumerate(self.rows) if row.selectable), None)
        work_list.highlighted = keep
        self.query_one("#crisis-log-text", Static).update(log_text(page, zone))
        self.query_one("#crisis-log").display = page.crisis is not None
        self.refresh_bindings()
        self.content_shown()

    @property
    def selected_row(self) -> Row | None:
        try:
            index = self.work_list.highlighted
        except Exception:  # noqa: BLE001 - not mounted yet
            return None
        if index is None or index >= len(self.rows):
            return None
        return self.rows[index]

    def _selected(self, kind: str, what: str) -> Row | None:
        row = self.selected_row
        if row is None or row.kind != kind:
            self.say(f"Move to {what} first (j/k)", "warning")
            return None
        return row

    # -- moving --------------------------------------------------------------------------
    def action_cursor_down(self) -> None:
        self.work_list.action_cursor_down()

    def action_cursor_up(self) -> None:
        self.work_list.action_cursor_up()

    @on(OptionList.OptionSelected, "#crisis-work")
    def option_selected(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        row = self.selected_row
        if row is None:
            return
        {STEP: self.action_step_done, STATEMENT: self.action_publish_statement, MISSED: self.action_reschedule,
         PAST: self.action_report}.get(row.kind, lambda: None)()

    def action_refresh(self) -> None:
        self.app.refresh_store()  # type: ignore[attr-defined]
        self.reload()
        self.say("Refreshed")

    # -- running -------------------------------------------------------------------------
    def _run(self, busy: str, call: Callable[[], object], done: Callable[[object], str | None]) -> None:
        """Call a service in a worker (step-up and lock prompts come with it); say what it did."""
        self.say(busy)

        def finished(result: object) -> None:
            message = done(result)
            if message:
                self.say(message)
            self.app.refresh_crisis()  # type: ignore[attr-defined]
            self.reload()

        self.app.run_with_step_up(call, done=finished, failed=self.refused)  # type: ignore[attr-defined]

    def refused(self, error: BaseException) -> None:
        """The service said no: say why on the message line (and as a toast), then look again."""
        flows.refused(self.app, error)
        self.reload()

    # -- the runbook -----------------------------------------------------------------------
    def action_step_done(self) -> None:
        self._mark_step(STEP_DONE)

    def action_step_na(self) -> None:
        self._mark_step(STEP_NA)

    def _mark_step(self, state: str) -> None:
        row = self._selected(STEP, "a runbook step")
        if row is None or self.page is None or self.page.crisis is None:
            return
        step = self.page.crisis.step(row.key)
        title = f"{'Done' if state == STEP_DONE else 'Not applicable'}: {one_line(step.title, 50) if step else row.key}"
        hint = ("A note is optional: what was done, by whom · Enter marks it · Escape cancels" if state == STEP_DONE
                else "Say why it does not apply (required) · Enter marks it · Escape cancels")
        crisis_service, actor = self.workspace.crisis, self.actor

        def answered(note: str | None) -> None:
            if note is None:
                return
            self._run(f"Marking {row.key}…", lambda: crisis_service.step(actor, row.key, state, note),
                      lambda marked: f"{marked.id} {marked.state}" + (" (late)" if marked.late else "")
                                     + f": {one_line(marked.title, 80)}")

        self.app.push_screen(TextPrompt(title, placeholder="note", hint=hint,
                                        check=None if state == STEP_DONE else required("Say why it does not apply")),
                             answered)

    # -- notes -----------------------------------------------------------------------------
    def action_note(self) -> None:
        self._ask_note(announce=False)

    def action_announce(self) -> None:
        self._ask_note(announce=True)

    def _ask_note(self, *, announce: bool) -> None:
        crisis_service, actor = self.workspace.crisis, self.actor

        def answered(text: str | None) -> None:
            if text is None or not text.strip():
                return
            self._run("Adding the note…", lambda: crisis_service.note(actor, text, announce=announce),
                      lambda _note: "Noted" + (" and told every console user" if announce else ""))

        title = "Team note, told to every console user" if announce else "Team note"
        self.app.push_screen(TextPrompt(title, placeholder="what the team should know",
                                        hint="Enter adds it to the crisis log · Escape cancels",
                                        check=required("The note is empty")), answered)

    # -- holding statements ------------------------------------------------------------------
    def action_publish_statement(self) -> None:
        row = self._selected(STATEMENT, "a holding statement")
        if row is None or self.page is None or self.page.crisis is None:
            return
        choice = next((c for c in self.page.statements if c.asset.id == row.key), None)
        if choice is None:
            return
        crisis = self.page.crisis
        accounts = crisis.accounts or tuple(self.page.handles)
        default = ", ".join(self.page.handle(a) for a in accounts)
        scope = [(a.account_id, a.handle, a.region) for a in self.workspace.accounts]
        intro = Text.assemble((one_line(choice.asset.title, 70), "bold"), "\n", one_line(choice.asset.text, 220))

        def parse(value: str) -> tuple[str, ...]:
            chosen, regions = parse_scope(value, scope)
            if regions:
                raise PromptError("name accounts, not regions: a statement goes to accounts")
            if not chosen:
                raise PromptError("name at least one account")
            return chosen

        def answered(value: str | None) -> None:
            if value is not None:
                self._publish(choice.asset.id, parse(value), ())

        self.app.push_screen(TextPrompt(f"Publish holding statement {choice.asset.id} to", intro=intro,
                                        value=default, hint="Accounts, by handle · Enter submits it on the crisis "
                                        "route (high-risk: a fresh code); once approved it passes the freeze",
                                        check=parse), answered)

    def _publish(self, asset_id: str, accounts: tuple[str, ...], acknowledge: tuple[str, ...]) -> None:
        crisis_service, actor = self.workspace.crisis, self.actor

        def done(post) -> None:
            stage = post.current_stage
            self.say(f"Submitted {post.id} on the crisis route; it waits for "
                     f"{stage.describe() if stage else 'nobody'} (not you); once approved it passes the freeze")
            self.app.refresh_crisis()  # type: ignore[attr-defined]
            self.reload()

        def failed(error: BaseException) -> None:
            if isinstance(error, AcknowledgementRequired):
                rules = tuple(dict.fromkeys(w.rule_id for w in error.warnings))

                def answered(yes: bool | None) -> None:
                    if yes:
                        self._publish(asset_id, accounts, rules)
                    else:
                        self.say("Not submitted: the warnings were not acknowledged", "warning")

                warnings = "\n".join(f"{w.rule_id}: {one_line(w.message, 100)}" for w in error.warnings)
                self.app.push_screen(ConfirmPrompt("Acknowledge and submit?", printable(warnings)), answered)
                return
            self.refused(error)

        self.say(f"Submitting {asset_id}…")
        self.app.run_with_step_up(  # type: ignore[attr-defined]
            lambda: crisis_service.publish_holding_statement(actor, asset_id, accounts, acknowledge=acknowledge),
            done=done, failed=failed)

    # -- missed posts ------------------------------------------------------------------------
    def _missed(self) -> tuple[str, str] | None:
        row = self._selected(MISSED, "a post that missed its time")
        if row is None:
            return None
        post_id, _, account_id = row.key.partition("|")
        return post_id, account_id

    def action_reschedule(self) -> None:
        chosen = self._missed()
        if chosen is None:
            return
        from screens.calendar.query import TIME_HELP, parse_new_time

        post_id, _account = chosen
        scheduling, actor, zone = self.workspace.scheduling, self.actor, self.zone

        def parse(value: str):
            return parse_new_time(value, now=self.workspace.clock(), zone=zone)

        def answered(value: str | None) -> None:
            if value is None:
                return
            request = parse(value)
            self._run(f"Rescheduling {post_id}…", lambda: scheduling.schedule(actor, post_id, request),
                      lambda schedule: f"Rescheduled {post_id}: " + " · ".join(
                          f"{self.page.handle(a) if self.page else a} {t.at.astimezone(zone):%Y-%m-%d %H:%M}"
                          for a, t in schedule.targets.items()))

        self.app.push_screen(TextPrompt(f"Reschedule {post_id} to", placeholder="tomorrow 10:00",
                                        hint=f"{TIME_HELP} · re-approval where governance.toml asks · Escape cancels",
                                        check=parse), answered)

    def action_drop(self) -> None:
        chosen = self._missed()
        if chosen is None:
            return
        post_id, _account = chosen
        scheduling, actor = self.workspace.scheduling, self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self._run(f"Dropping {post_id}…", lambda: scheduling.unschedule(actor, post_id),
                          lambda _post: f"Dropped {post_id} from the calendar; it stays approved")

        self.app.push_screen(ConfirmPrompt(f"Drop {post_id}?", "It comes off the calendar on every account and "
                                           "is never published by itself; it stays approved."), answered)

    # -- the two-person rule -----------------------------------------------------------------
    def action_unfreeze(self) -> None:
        self._ask("unfreeze")

    def action_resolve(self) -> None:
        self._ask("resolve")

    def _ask(self, kind: str) -> None:
        crisis_service, actor = self.workspace.crisis, self.actor
        ask = crisis_service.request_unfreeze if kind == "unfreeze" else crisis_service.request_resolve
        roles = " or ".join(self.workspace.governance.crisis.confirm_roles)

        def answered(note: str | None) -> None:
            if note is None:
                return
            self._run(f"Asking to {kind}…", lambda: ask(actor, note),
                      lambda request: f"Asked: {request.describe()}; a second person ({roles}, not you) confirms "
                                      "with c in this panel")

        what = "end the freeze" if kind == "unfreeze" else "resolve the crisis (it also ends the freeze)"
        self.app.push_screen(TextPrompt(f"Ask to {kind}", placeholder="a note (optional)",
                                        hint=f"To {what} two people are needed: you ask (a fresh code), someone else "
                                             f"({roles}) confirms · Escape cancels"), answered)

    def action_confirm(self) -> None:
        request = self.page.status.request if self.page else None
        if request is None:
            self.say("Nothing waits for a confirmation", "warning")
            return
        crisis_service, actor = self.workspace.crisis, self.actor
        handle = self.workspace.account_handle

        def done(confirmed) -> str:
            lines = confirmed.lines(handle)
            if confirmed.missed:
                lines.append("Each is listed in this panel: t reschedules, X drops.")
            self.app.push_screen(AnswerScreen("Confirmed", lines))
            return lines[0]

        def answered(yes: bool | None) -> None:
            if yes:
                self._run("Confirming…", lambda: crisis_service.confirm(actor), done)

        self.app.push_screen(ConfirmPrompt(f"Confirm the {request.kind}?", printable(
            f"{request.describe()}\nYou are the second person; high-risk: a fresh code.")), answered)

    def action_cancel_request(self) -> None:
        crisis_service, actor = self.workspace.crisis, self.actor

        def answered(yes: bool | None) -> None:
            if yes:
                self._run("Cancelling…", lambda: crisis_service.cancel_request(actor),
                          lambda request: f"Cancelled: {request.describe()}")

        request = self.page.status.request if self.page else None
        if request is not None:
            self.app.push_screen(ConfirmPrompt(f"Cancel the {request.kind} request?",
                                               printable(request.describe())), answered)

    # -- declaring and reading ---------------------------------------------------------------
    def action_declare(self) -> None:
        flows.declare(self.app)

    def action_report(self) -> None:
        row = self.selected_row
        if row is not None and row.kind == PAST:
            crisis_id = row.key
        elif self.page is not None and self.page.crisis is not None:
            crisis_id = self.page.crisis.id
        else:
            self.say("Move to a past crisis first (j/k)", "warning")
            return
        crisis_service, actor = self.workspace.crisis, self.actor

        def done(markdown: str) -> None:
            self.say(f"Report of {crisis_id}")
            self.app.push_screen(ReportScreen(f"Post-mortem of {crisis_id}", markdown))

        self.say(f"Reading the report of {crisis_id}…")
        self.app.call_service(lambda: report_markdown(crisis_service.report(actor, crisis_id)),  # type: ignore
                              done=done, failed=self.refused)
