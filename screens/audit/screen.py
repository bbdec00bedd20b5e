"""The Audit panel: who did what, when, newest first; verify and export the chain.

Listed only for users whose role has ``audit.read``; the audit service checks
it again on every call. Listing, verifying and exporting run in thread
workers through :meth:`SocopsApp.call_service`, so an idle lock, a policy to
acknowledge or the fresh code that an export needs is asked for on the spot
and the call runs again.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Static

from console.records import parse_time
from console.untrusted import one_line, printable
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.palette import CommandListProvider
from screens.formatting import count_text
from screens.panel import PanelScreen
from screens.parsing import PromptError
from screens.audit.audit_list import AuditList
from screens.audit.export_prompt import ExportPrompt, ExportRequest
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import TextPrompt
from screens.widgets.status_bar import StatusBar

#: The newest events listed at most (the filter reaches further back).
LIST_LIMIT = 5_000


@dataclass(frozen=True)
class AuditFilter:
    """Words anywhere in an event, an exact actor, and an action prefix."""

    text: str = ""
    actor: str = ""
    action: str = ""

    def describe(self) -> str:
        parts = [f"actor {self.actor}"] * bool(self.actor) + [f"action {self.action}*"] * bool(self.action)
        if self.text:
            parts.append(repr(self.text))
        return "all events" if not parts else "events: " + ", ".join(parts)

    def query(self) -> str:
        terms = [f"actor:{self.actor}"] * bool(self.actor) + [f"action:{self.action}"] * bool(self.action)
        return " ".join(terms + [self.text] * bool(self.text))


def parse_audit_filter(text: str) -> AuditFilter:
    """``actor:alice action:login words`` into an :class:`AuditFilter`."""
    words, actor, action = [], "", ""
    for term in text.split():
        key, colon, value = term.partition(":")
        if colon and key.lower() in ("actor", "action"):
            if not value:
                raise PromptError(f"{key}: needs a value, e.g. actor:alice or action:login")
            if key.lower() == "actor":
                actor = value.lower()
            else:
                action = value.lower()
        else:
            words.append(term)
    return AuditFilter(" ".join(words), actor, action)


def default_export_path(today: date) -> str:
    return str(Path.cwd() / f"socops-audit-{today.isoformat()}.jsonl")


class AuditCommands(CommandListProvider):
    """Offers Audit commands while the Audit panel is the active screen."""

    def _commands(self) -> Iterator[tuple]:
        screen = self.screen
        if isinstance(screen, AuditScreen):
            yield "Audit: filter…", screen.action_filter, "Words, actor:NAME, action:PREFIX (/)"
            yield "Audit: verify the chain", screen.action_verify, "Check every event's hash (v)"
            yield "Audit: export…", screen.action_export, "JSON Lines or CSV; needs a fresh code (e)"
            yield "Audit: refresh", screen.action_refresh, "List the newest events again (g)"


class AuditScreen(PanelScreen):
    """The audit trail, newest first, with filter, verify and export."""

    HELP_TITLE = "Audit keys"
    COMMANDS = {AuditCommands}

    DEFAULT_CSS = """
    AuditScreen > #audit-list { height: 1fr; }
    AuditScreen > #audit-detail {
        height: 3;
        border-top: solid $primary;
        padding: 0 1;
        color: $foreground;
    }
    """

    BINDINGS = [
        Binding("slash", "filter", "Filter", id="audit.filter"),
        Binding("v", "verify", "Verify", id="audit.verify"),
        Binding("e", "export", "Export", id="audit.export"),
        Binding("g", "refresh", "Refresh", show=False, id="audit.refresh"),
        Binding("escape", "clear", "Clear filter", show=False, id="audit.clear"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = AuditFilter()
        self._generation = 0
        self._loading = False
        self.last_verify = None

    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        yield AuditList(self.workspace.clock, tz=self.app.display_tz, id="audit-list")  # type: ignore[attr-defined]
        yield Static(Text(""), id="audit-detail")
        yield MessageLine(id="audit-message")
        yield Footer(compact=True)

    @property
    def audit_list(self) -> AuditList:
        return self.query_one(AuditList)

    def on_mount(self) -> None:
        app = self.app
        app.items_changed_signal.subscribe(self, self._items_changed)  # type: ignore[attr-defined]
        app.mode_change_signal.subscribe(self, self._mode_changed)
        self.load()

    def _mode_changed(self, _mode: str) -> None:
        # Back on this panel from another one: events were added meanwhile.
        if self.app.screen is self:
            self.load()

    # -- listing -----------------------------------------------------------------------
    def load(self, *, background: bool = False) -> None:
        """List the newest events matching the filter (in a worker)."""
        self._generation += 1
        generation, flt = self._generation, self.filter
        actor = self.app.background_actor if background else self.actor  # type: ignore[attr-defined]
        audit = self.workspace.audit
        self._loading = True
        self.app.call_service(  # type: ignore[attr-defined]
            lambda: audit.list(actor, limit=LIST_LIMIT, actor_name=flt.actor, action=flt.action, text=flt.text),
            done=lambda events: self._listed(generation, events),
            failed=self._list_refused, key="audit.list")

    def _items_changed(self, _ids: set[str]) -> None:
        # Each change adds an event; list again only while this panel shows.
        if self.app.screen is self and not self._loading:
            self.load(background=True)

    def _listed(self, generation: int, events: list[dict]) -> None:
        if generation != self._generation:
            return
        self._loading = False
        audit_list = self.audit_list
        audit_list.empty_text = ("The audit trail is empty." if self.filter == AuditFilter()
                                 else f"No {self.filter.describe()}. Press Escape to clear the filter.")
        audit_list.set_events(events)
        self._update_context()
        self.content_shown()

    def _list_refused(self, error: BaseException) -> None:
        self._loading = False
        self.audit_list.empty_text = "Not listed: see the message below."
        self.audit_list.refresh()
        self.say(str(error), severity="error")

    @on(AuditList.CursorMoved)
    def _cursor_moved(self, event: AuditList.CursorMoved) -> None:
        self._show_detail(event.event)
        self._update_context()

    def _show_detail(self, event: dict | None) -> None:
        detail = self.query_one("#audit-detail", Static)
        if event is None:
            detail.update(Text(""))
            return
        moment = parse_time(event.get("at")) if event.get("at") else None
        when = moment.strftime("%Y-%m-%d %H:%M:%S UTC") if moment else "?"
        text = Text(no_wrap=False)
        text.append(f"#{event.get('seq')} {when} ", "bold")
        text.append(f"{one_line(str(event.get('actor', '')), 40)} · {one_line(str(event.get('action', '')), 40)}"
                    f" · {one_line(str(event.get('target', '')), 80)}\n")
        text.append(one_line(str(event.get("summary", "")), 500))
        detail.update(text)

    # -- the message line --------------------------------------------------------------
    def say(self, message: str, *, severity: str = "information") -> None:
        self.query_one(MessageLine).say(message, severity)

    def _update_context(self) -> None:
        audit_list = self.audit_list
        total = len(audit_list.events)
        position = audit_list.cursor + 1 if total else 0
        context = Text(no_wrap=True)
        context.append(f"{self.filter.describe()} · {count_text(position)}/{count_text(total)}")
        if total >= LIST_LIMIT:
            context.append(" newest")
        self.query_one(MessageLine).set_context(context)

    # -- keys --------------------------------------------------------------------------
    def action_filter(self) -> None:
        def apply(value: str | None) -> None:
            if value is not None:
                self.set_filter(parse_audit_filter(value))

        self.app.push_screen(
            TextPrompt("Filter the audit trail", value=self.filter.query(),
                       placeholder="words, actor:alice, action:login",
                       hint="Words match anywhere; actor: is exact; action: matches the start "
                            "(action:inbox). Empty shows everything.",
                       check=parse_audit_filter),
            apply)

    def set_filter(self, flt: AuditFilter) -> None:
        if flt != self.filter:
            self.filter = flt
            self.say(f"Showing {flt.describe()}")
        self.load()

    def action_clear(self) -> None:
        if self.filter != AuditFilter():
            self.set_filter(AuditFilter())

    def action_refresh(self) -> None:
        self.load()
        self.say("Refreshed")

    def action_verify(self) -> None:
        audit, actor = self.workspace.audit, self.actor
        self.say("Verifying the whole chain…")
        self.app.call_service(lambda: audit.verify(actor), done=self._verified,  # type: ignore[attr-defined]
                              failed=lambda error: self.say(str(error), severity="error"))

    def _verified(self, result) -> None:
        self.last_verify = result
        text = result.describe()
        self.say(text, severity="information" if result.ok else "error")
        self.notify(printable(text), title="Audit verify", severity="information" if result.ok else "error",
                    markup=False, timeout=8 if result.ok else 30)

    def action_export(self) -> None:
        def chosen(request: ExportRequest | None) -> None:
            if request is not None:
                self.export(request)

        self.app.push_screen(ExportPrompt(default_export_path(self.workspace.clock().date())), chosen)

    def export(self, request: ExportRequest) -> None:
        """Write the export (a high-risk action: the app asks for a fresh code first)."""
        audit, actor = self.workspace.audit, self.actor
        self.say(f"Exporting to {request.path}…")

        def write() -> int:
            # Written beside the target and renamed at the end: a refused or failed
            # export leaves no half-written file behind.
            partial = request.path.with_name(f".{request.path.name}.{os.getpid()}.partial")
            try:
                with partial.open("x", encoding="utf-8", newline="") as out:
                    count = audit.export(actor, out, fmt=request.fmt, since=request.since)
                os.replace(partial, request.path)
            finally:
                partial.unlink(missing_ok=True)
            return count

        def written(count: int) -> None:
            self.say(f"Exported {count_text(count)} events to {request.path}")
            self.load()

        def refused(error: BaseException) -> None:
            message = f"cannot write {request.path}: {error.strerror}" if isinstance(error, OSError) else str(error)
            self.say(f"Not exported: {message}", severity="error")

        self.app.run_with_step_up(write, done=written, failed=refused)  # type: ignore[attr-defined]
