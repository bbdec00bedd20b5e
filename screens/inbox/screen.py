"""The Inbox panel: triage comments, DMs and mentions with single keys.

The list holds only ids; filtering runs in a thread worker and only when the
filter or the items change (changes arrive coalesced from the app), never on
a cursor move. Actions run in a thread worker through :class:`ActionRunner`,
which passes the version the operator saw, so someone else's change is
reported as a conflict instead of being overwritten.
"""

from __future__ import annotations

from datetime import datetime

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.timer import Timer
from textual.widgets import Footer

from console.errors import ConsoleError, ItemNotFound
from console.permissions import INBOX_REPLY, INBOX_TRIAGE
from console.inbox import (
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_SNOOZED,
    InboxFilter,
    InboxItem,
    ReplyNeedsAcknowledgement,
)
from console.unsaved import INBOX_DRAFTS
from console.untrusted import one_line, printable
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.formatting import clock_text, count_text
from screens.inbox.actions import ActionOutcome, ActionRunner, item_label
from screens.inbox.commands import inbox_commands
from screens.messages import ActionCompleted, ActionRefused, ItemsListed
from screens.palette import Command, CommandListProvider
from screens.panel import PanelScreen, actor_may
from screens.parsing import parse_assignee, parse_snooze, parse_tag_edit, snooze_help
from screens.inbox.inbox_list import InboxList
from screens.reading import ReadingLayout
from screens.widgets.message_line import MessageLine
from screens.widgets.prompts import EditorResult, FilterPrompt, TextEditor, TextPrompt
from screens.widgets.status_bar import StatusBar
from screens.inbox.thread_view import ThreadView, thread_renderable

#: Seconds the thread pane waits after a cursor move (coalesces key repeat).
DETAIL_DELAY = 0.06
#: Messages shown before and after the cursor's in a thread (glancing, and after Enter).
GLANCE_CONTEXT = 4
READING_CONTEXT = 50
#: From this width the detail pane sits beside the list instead of below it.
SIDE_BY_SIDE_WIDTH = 140


class InboxCommands(CommandListProvider):
    """Offers Inbox commands while the Inbox is the active screen."""

    def _commands(self) -> list[Command]:
        screen = self.screen
        return list(inbox_commands(screen)) if isinstance(screen, InboxScreen) else []


class InboxScreen(ReadingLayout, PanelScreen):
    """List, detail and single-key triage of the shared inbox."""

    CSS_PATH = "inbox.tcss"
    HELP_TITLE = "Inbox keys"
    COMMANDS = {InboxCommands}

    BINDINGS = [
        Binding("a", "assign", "Assign", id="inbox.assign"),
        Binding("r", "reply", "Reply", id="inbox.reply"),
        Binding("d", "done", "Done", id="inbox.done"),
        Binding("s", "snooze", "Snooze", id="inbox.snooze"),
        Binding("t", "tag", "Tag", id="inbox.tag"),
        Binding("slash", "filter", "Filter", id="inbox.filter"),
        Binding("x", "select", "Select", id="inbox.select"),
        Binding("enter", "open", "Open/close thread", show=False, id="inbox.open"),
        Binding("n", "note", "Note", show=False, id="inbox.note"),
        Binding("u", "reopen", "Reopen", show=False, id="inbox.reopen"),
        Binding("g", "refresh", "Refresh", show=False, id="inbox.refresh"),
        Binding("escape", "clear", "Clear selection/filter", show=False, id="inbox.clear"),
        Binding("J", "detail_down", "Scroll thread down", show=False, id="inbox.detail_down"),
        Binding("K", "detail_up", "Scroll thread up", show=False, id="inbox.detail_up"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.filter = InboxFilter()
        self._generation = 0
        self._loaded = False
        self._drafts: dict[tuple[str, tuple[str, ...]], str] = {}
        #: The editor open now and the draft it edits (its text is unsaved work too).
        self._editing: tuple[tuple[str, tuple[str, ...]], TextEditor] | None = None
        self._detail_key: tuple[str, int, int, bool] | None = None
        self._runner: ActionRunner | None = None
        self._detail_timer: Timer | None = None

    #: What each key needs; keys the logged-in user may not use are hidden
    #: (the service refuses them anyway).
    ACTION_PERMISSIONS = {
        "assign": INBOX_TRIAGE, "done": INBOX_TRIAGE, "snooze": INBOX_TRIAGE, "tag": INBOX_TRIAGE,
        "note": INBOX_TRIAGE, "reopen": INBOX_TRIAGE, "select": INBOX_TRIAGE, "reply": INBOX_REPLY,
    }

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        permission = self.ACTION_PERMISSIONS.get(action)
        if permission is None or self.app.actor is None:  # type: ignore[attr-defined]
            return True
        return actor_may(self.actor, permission)

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        workspace = self.workspace
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        with Container(id="inbox-body"):
            yield InboxList(
                self._item_or_none,
                workspace.clock,
                account_label=workspace.account_handle,
                due_soon_seconds=workspace.config.sla.due_soon_minutes * 60,
                empty_text="Loading…",
                id="inbox-list",
            )
            yield ThreadView(id="inbox-thread")
        yield MessageLine(id="inbox-message")
        yield Footer(compact=True)

    @property
    def inbox_list(self) -> InboxList:
        return self.query_one(InboxList)

    @property
    def thread_view(self) -> ThreadView:
        return self.query_one(ThreadView)

    @property
    def reading_pane(self) -> ThreadView:
        return self.thread_view

    def on_mount(self) -> None:
        workspace = self.workspace
        self._runner = ActionRunner(workspace.inbox, self.actor, self._format_time)
        app = self.app
        app.items_changed_signal.subscribe(self, self._items_changed)  # type: ignore[attr-defined]
        app.clock_ticked_signal.subscribe(self, self._clock_ticked)  # type: ignore[attr-defined]
        app.unsaved.register(INBOX_DRAFTS, self._unsaved_drafts, self._recover_drafts)  # type: ignore[attr-defined]
        self.refilter()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= SIDE_BY_SIDE_WIDTH, "-wide")

    # -- reading the inbox -----------------------------------------------------------
    def _item_or_none(self, item_id: str) -> InboxItem | None:
        try:
            return self.workspace.inbox.get(item_id)
        except ItemNotFound:
            return None

    def _format_time(self, moment: datetime) -> str:
        return clock_text(moment, self.workspace.clock(), self.app.display_tz)  # type: ignore[attr-defined]

    def refilter(self, *, background: bool = False) -> None:
        """List the items matching the filter again (in a worker).

        ``background``: nobody asked (time passed, items changed); such a
        refresh does not keep an idle session awake.
        """
        self._generation += 1
        actor = self.app.background_actor if background else self.actor  # type: ignore[attr-defined]
        self._list_items(self.filter, self._generation, actor)

    @work(thread=True, exclusive=True, group="inbox-filter")
    def _list_items(self, flt: InboxFilter, generation: int, actor) -> None:
        try:
            ids = self.workspace.inbox.list_ids(flt, actor=actor)
        except ConsoleError as error:  # e.g. the session locked itself while idle
            self.app.call_from_thread(self._listing_refused, error)
            return
        self.post_message(ItemsListed(ids, generation))

    def _listing_refused(self, error: ConsoleError) -> None:
        guard = self.app.session_guard  # type: ignore[attr-defined]
        if guard.handle(error, self.refilter, key="inbox.refilter"):
            return
        self.say(str(error), severity="error")

    def on_items_listed(self, message: ItemsListed) -> None:
        if message.generation != self._generation:
            return  # a newer filter is on its way
        inbox_list = self.inbox_list
        inbox_list.show_status = not self.filter.status
        inbox_list.empty_text = self._empty_text()
        self._loaded = True
        inbox_list.set_ids(message.ids)
        self._update_message_line()
        self.content_shown()

    def _empty_text(self) -> str:
        if self.filter == InboxFilter():
            return "Inbox zero: nothing open. Press / to filter, or wait for new items."
        return f"Nothing matches {self.filter.describe()}. Press Escape to clear the filter."

    def _items_changed(self, ids: set[str]) -> None:
        """Items changed (coalesced by the app): list again and repaint."""
        self.refilter(background=True)
        self.inbox_list.refresh_rows()
        if self.inbox_list.cursor_id in ids:
            self._show_detail(self.inbox_list.cursor_id, force=True)

    def _clock_ticked(self, _now: object) -> None:
        """Time passed: SLA countdowns and breaches move even when nothing changed."""
        self.refilter(background=True)
        self.inbox_list.refresh_rows()
        self._show_detail(self.inbox_list.cursor_id, force=True)

    @on(InboxList.CursorMoved)
    def _cursor_moved(self, event: InboxList.CursorMoved) -> None:
        # The list repaints at once; the thread follows a moment later, at most once per
        # DETAIL_DELAY while j is held, so key repeat never waits on thread rendering.
        self._update_message_line()
        if self._detail_timer is None:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_cursor_detail)

    def _show_cursor_detail(self) -> None:
        self._detail_timer = None
        self._show_detail(self.inbox_list.cursor_id)

    @property
    def detail_pending(self) -> bool:
        """The thread pane is about to follow the cursor (tests wait on this)."""
        return self._detail_timer is not None

    def _show_detail(self, item_id: str | None, *, force: bool = False) -> None:
        view = self.thread_view
        if item_id is None:
            self._detail_key = None
            view.border_title = Text("Thread")
            view.show(Text("No item here." if self._loaded else "Loading…"), scroll_home=True)
            return
        item = self._item_or_none(item_id)
        if item is None:
            view.show(Text(f"{one_line(item_id)} is no longer in the store."), scroll_home=True)
            return
        minute = int(self.workspace.clock().timestamp() // 60)
        reading = self.has_class("-reading")
        key = (item_id, item.version, minute, reading)
        if key == self._detail_key and not force:
            return
        same_item = self._detail_key is not None and self._detail_key[0] == item_id
        self._detail_key = key
        try:
            thread = self.workspace.inbox.thread(item_id)
        except ItemNotFound:
            thread = [item]
        self.inbox_list.note_shown(item)
        view.border_title = Text(f"Thread · {len(thread)} message{'s' if len(thread) != 1 else ''}")
        view.show(
            thread_renderable(
                item, thread, now=self.workspace.clock(), tz=self.app.display_tz,  # type: ignore[attr-defined]
                account_label=self.workspace.account_handle,
                due_soon_seconds=self.workspace.config.sla.due_soon_minutes * 60,
                styles=view.component_styles(),
                before=READING_CONTEXT if reading else GLANCE_CONTEXT,
                after=READING_CONTEXT if reading else GLANCE_CONTEXT,
            ),
            scroll_home=not same_item,
        )

    # -- the message line ------------------------------------------------------------
    def say(self, message: str, *, severity: str = "information") -> None:
        """Show a one-line result (plain text, never markup)."""
        self.query_one(MessageLine).say(message, severity)

    def _update_message_line(self) -> None:
        inbox_list = self.inbox_list
        context = Text(no_wrap=True)
        selected = len(inbox_list.selected_ids)
        if selected:
            context.append(f"{selected} selected · ", "bold")
        total = len(inbox_list.ids)
        position = inbox_list.cursor + 1 if total else 0
        context.append(f"{self.filter.describe()} · {count_text(position)}/{count_text(total)}")
        self.query_one(MessageLine).set_context(context)

    # -- targets and running actions ---------------------------------------------------
    def _targets(self) -> list[tuple[str, int | None]]:
        """The selection if there is one, else the item under the cursor."""
        inbox_list = self.inbox_list
        ids = inbox_list.selected_ids or ([inbox_list.cursor_id] if inbox_list.cursor_id else [])
        return [(item_id, inbox_list.shown_version(item_id)) for item_id in ids]

    def _target_label(self, targets: list[tuple[str, int | None]]) -> str:
        if len(targets) > 1:
            return f"{len(targets)} selected items"
        item = self._item_or_none(targets[0][0])
        return item_label(item) if item else targets[0][0]

    def _no_target(self) -> bool:
        if self.inbox_list.cursor_id is None and not self.inbox_list.selected_ids:
            self.say("No item here to act on; change the filter with /", severity="warning")
            return True
        return False

    def perform(self, action: str, targets: list[tuple[str, int | None]], *, retried: bool = False,
                **arguments) -> None:
        """Run ``action`` on ``targets`` in a worker; the outcome comes back as a message.

        ``retried``: this is the run after the operator unlocked the session (or
        acknowledged the policy); it is not offered again.
        """
        if not targets:
            return
        assert self._runner is not None
        self.say(f"{action}…")
        retry = None if retried else (lambda: self.perform(action, targets, retried=True, **arguments))
        self._perform(self._runner.ticket(), action, targets, arguments, retry)

    @work(thread=True, group="inbox-action")
    def _perform(self, ticket: int, action: str, targets: list[tuple[str, int | None]],
                 arguments: dict, retry) -> None:
        assert self._runner is not None
        outcome: ActionOutcome = self._runner.run(ticket, action, targets, arguments)
        if outcome.refused:
            self.post_message(ActionRefused(action, outcome.summary, conflict=outcome.conflict,
                                            error=outcome.error, retry=retry))
        else:
            self.post_message(ActionCompleted(action, outcome.summary, outcome.done, outcome.failed))

    def on_action_completed(self, message: ActionCompleted) -> None:
        if message.failed:
            self.say(message.summary, severity="warning")
            self.notify(printable(message.summary), title="Some items were not changed",
                        severity="warning", markup=False, timeout=8)
        else:
            self.say(message.summary)
        if message.action in ("reply", "note"):
            self._drafts.pop((message.action, tuple(sorted(message.done))), None)
            self.app.unsaved.changed()  # type: ignore[attr-defined]
        if message.action in ("close", "reopen", "snooze") and message.done:
            self.inbox_list.clear_selection()
        self.refilter()

    def on_action_refused(self, message: ActionRefused) -> None:
        if isinstance(message.error, ReplyNeedsAcknowledgement):
            from screens.inbox.reply import ask_acknowledgement

            error = message.error
            ask_acknowledgement(
                self.app, error,
                send=lambda: self.perform("reply", [(error.item_id, self.inbox_list.shown_version(error.item_id))],
                                          text=error.text, acknowledge=error.rule_ids),
                keep=lambda: self.say("Reply not sent; the draft is kept, press r to change it",
                                      severity="warning"))
            return
        guard = self.app.session_guard  # type: ignore[attr-defined]
        if message.retry is not None and message.error is not None and guard.handle(
                message.error, message.retry,
                cancelled=lambda: self.say(f"{message.action} not done: {message.reason}", severity="error")):
            self.say(f"{message.action} waits for you: {message.reason}", severity="warning")
            return
        self.say(message.reason, severity="error")
        self.notify(printable(message.reason), title="Not changed" if message.conflict else "Could not do that",
                    severity="error", markup=False, timeout=10)
        # The store was re-read by the service; show the current state.
        self.refilter()
        self.inbox_list.refresh_rows()
        self._show_detail(self.inbox_list.cursor_id, force=True)

    # -- key actions -----------------------------------------------------------------
    def reading_toggled(self) -> None:
        # Reading shows more of the conversation around the item under the cursor.
        self._show_detail(self.inbox_list.cursor_id)

    def action_done(self) -> None:
        if not self._no_target():
            self.perform("close", self._targets())

    def action_reopen(self) -> None:
        if not self._no_target():
            self.perform("reopen", self._targets())

    def action_assign(self) -> None:
        if self._no_target():
            return
        targets = self._targets()
        operator = self.actor.name
        inbox, actor = self.workspace.inbox, self.actor

        def refusal(name: str) -> str:
            # Asked before the prompt closes, so a name that is not on the team (or
            # may not work these accounts) keeps it open with the reason.
            try:
                return inbox.assignee_refusal(name, [item_id for item_id, _ in targets], actor=actor)
            except ConsoleError:
                return ""       # about the operator's session (locked, say): the action then asks for it

        def assign(value: str | None) -> None:
            if value is not None:
                self.perform("assign", targets, assignee=parse_assignee(value, operator))

        self.app.push_screen(
            TextPrompt(
                f"Assign {self._target_label(targets)}",
                value=operator,
                hint="A user name, 'me', or empty / '-' to unassign. Enter assigns.",
                check=lambda value: parse_assignee(value, operator, refusal),
            ),
            assign,
        )

    def assign_to_me(self) -> None:
        if not self._no_target():
            self.perform("assign", self._targets(), assignee=self.actor.name)

    def action_tag(self) -> None:
        if self._no_target():
            return
        targets = self._targets()
        intro = None
        if len(targets) == 1:
            item = self._item_or_none(targets[0][0])
            if item is not None:
                intro = Text("Tags now: " + (", ".join(one_line(t) for t in item.tags) or "none"))

        def tag(value: str | None) -> None:
            if value is not None:
                add, remove = parse_tag_edit(value)
                self.perform("tag", targets, add=add, remove=remove)

        self.app.push_screen(
            TextPrompt(f"Tag {self._target_label(targets)}", intro=intro, placeholder="vip, shipping, -urgent",
                       hint="Comma separated; -tag removes a tag.", check=parse_tag_edit),
            tag,
        )

    def _local_now(self) -> datetime:
        return self.workspace.clock().astimezone(self.app.display_tz)  # type: ignore[attr-defined]

    def action_snooze(self) -> None:
        if self._no_target():
            return
        targets = self._targets()

        def snooze(value: str | None) -> None:
            if value is not None:
                self.perform("snooze", targets, until=parse_snooze(value, self._local_now()))

        self.app.push_screen(
            TextPrompt(f"Snooze {self._target_label(targets)}", placeholder="2h", hint=f"For example {snooze_help(self._local_now())}.",
                       check=lambda value: parse_snooze(value, self._local_now())),
            snooze,
        )

    def _edit_text(self, action: str, title: str, hint: str, max_chars: int, *, reply: bool = False) -> None:
        """Open the editor for a note, or (``reply``) the reply editor with policy checks."""
        if self._no_target():
            return
        targets = self._targets()
        draft_key = (action, tuple(sorted(item_id for item_id, _ in targets)))
        intro = None
        if len(targets) == 1:
            item = self._item_or_none(targets[0][0])
            if item is not None:
                intro = Text.assemble(
                    (one_line(item.author_handle or item.author_name, 40), "bold"), ": ",
                    one_line(item.text, 200),
                )

        def finished(result: EditorResult | None) -> None:
            self._editing = None
            self.app.unsaved.changed()  # type: ignore[attr-defined]
            if result is None:
                return
            if result.submitted:
                self._drafts[draft_key] = result.text  # kept until the action succeeds
                acknowledge = getattr(result, "acknowledge", ())
                extra = {"acknowledge": acknowledge} if acknowledge else {}
                self.perform(action, targets, text=result.text, **extra)
            elif result.text.strip():
                self._drafts[draft_key] = result.text
                self.say("Draft kept; press the same key again to continue it")
            else:
                self._drafts.pop(draft_key, None)

        title = f"{title} {self._target_label(targets)}"
        draft = self._drafts.get(draft_key, "")
        if reply:
            # The reply editor and its saved-reply picker load at the first reply, not at start.
            from screens.inbox.reply import reply_editor

            editor = reply_editor(self.workspace, self.actor, title, intro, draft, [item_id for item_id, _ in targets], max_chars)
        else:
            editor = TextEditor(title, intro=intro, text=draft, hint=hint, max_chars=max_chars)
        self._editing = (draft_key, editor)
        self.app.push_screen(editor, finished)

    # -- unsaved drafts (screens/unsaved.py) -------------------------------------------
    def _unsaved_drafts(self) -> dict | None:
        """The reply and note drafts, with what the open editor holds now."""
        drafts = dict(self._drafts)
        if self._editing is not None:
            key, editor = self._editing
            if editor.is_mounted:
                if editor.text.strip():
                    drafts[key] = editor.text
                else:
                    drafts.pop(key, None)
        if not drafts:
            return None
        return {"drafts": [{"action": action, "items": list(items), "text": text}
                           for (action, items), text in drafts.items()]}

    def _recover_drafts(self, data: dict, _kept_at: datetime) -> None:
        """Drafts this person left in an earlier session: each opens again with its key."""
        recovered = 0
        for draft in data.get("drafts", []):
            try:
                key = (str(draft["action"]), tuple(str(i) for i in draft["items"]))
                text = printable(str(draft["text"]))
            except (KeyError, TypeError):
                continue
            if key[0] in ("reply", "note") and text.strip() and key not in self._drafts:
                self._drafts[key] = text
                recovered += 1
        if recovered:
            self.say(f"{recovered} unsaved draft{'s' if recovered != 1 else ''} recovered: r (reply) or n "
                     "(note) on its item opens it again", severity="warning")

    def action_reply(self) -> None:
        self._edit_text("reply", "Reply to", "", 5_000, reply=True)

    def action_note(self) -> None:
        self._edit_text("note", "Internal note on", "Only the team sees notes · Ctrl+S saves · Escape keeps the draft",
                        2_000)

    def action_select(self) -> None:
        inbox_list = self.inbox_list
        item_id = inbox_list.cursor_id
        if item_id is None:
            return
        inbox_list.toggle_selected(item_id)
        inbox_list.action_cursor_down()
        self._update_message_line()

    def action_filter(self) -> None:
        def apply(flt: InboxFilter | None) -> None:
            if flt is not None:
                self.set_filter(flt)

        accounts = [(a.account_id, a.handle) for a in self.workspace.accounts]
        self.app.push_screen(FilterPrompt(self.filter, self.actor.name, accounts), apply)

    def set_filter(self, flt: InboxFilter) -> None:
        """Show the items matching ``flt``."""
        if flt != self.filter:
            self.filter = flt
            self.inbox_list.clear_selection()
            self.say(f"Showing {flt.describe()}")
        self.refilter()

    def action_refresh(self) -> None:
        self.app.refresh_store()  # type: ignore[attr-defined]
        self.refilter()
        self.say("Refreshed")

    def action_clear(self) -> None:
        inbox_list = self.inbox_list
        if self.has_class("-reading"):
            self.remove_class("-reading")
            self._show_detail(self.inbox_list.cursor_id)
        elif inbox_list.selected_ids:
            inbox_list.clear_selection()
            self.say("Selection cleared")
        elif self.filter != InboxFilter():
            self.set_filter(InboxFilter())
        self._update_message_line()

    # -- quick filters (palette) -------------------------------------------------------
    def show_breached(self) -> None:
        self.set_filter(InboxFilter(status=STATUS_OPEN, breached=True))

    def show_unassigned(self) -> None:
        self.set_filter(InboxFilter(status=STATUS_OPEN, assignee="-"))

    def show_mine(self) -> None:
        self.set_filter(InboxFilter(status=STATUS_OPEN, assignee=self.actor.name))

    def show_status(self, status: str) -> None:
        self.set_filter(InboxFilter(status=status))

    QUICK_STATUSES = (STATUS_OPEN, STATUS_SNOOZED, STATUS_CLOSED, "")
