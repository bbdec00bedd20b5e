"""The socops Textual app: the shell every panel lives in.

The app receives an open :class:`console.workspace.Workspace` (the CLI opens
it) and owns what all panels share: the logged-in session, the worker thread,
polling the store for other processes' writes, coalescing change bursts, the
headline counts, the person's unread notices, the standing conditions
(``screens.conditions``: flags in the status bar, never toasts), where toasts
go (``screens.toasts``), the help modal and the panel keys. Panels are
registered in ``screens.panels``.

Created without an actor, the app shows the login screen first and starts
the worker and the polling only once someone logged in. Service calls that
the session refuses for a reason the operator can fix (idle lock, step-up,
a new policy version) go through :class:`screens.session_guard.SessionGuard`.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from datetime import tzinfo
from typing import TYPE_CHECKING

from rich.text import Text
from textual import events, work
from textual.app import App
from textual.binding import Binding
from textual.reactive import reactive
from textual.screen import Screen
from textual.signal import Signal

from console.crisis import CrisisStatus
from console.errors import ConsoleError
from console.hidden_text import remove_hidden
from console.inbox import InboxCounts
from console.permissions import CRISIS_DECLARE, SCHEDULE_FREEZE
from console.untrusted import printable
from console.worker import WorkerStatus
from screens.commands import PanelCommands
from screens.conditions import ERROR, Condition, with_condition, without_condition
from screens.help import HelpScreen, help_rows
from screens.key_order import OrderedKeys
from screens.crisis.banner import status_key
from screens.messages import (CountsCounted, CrisisStatusRead, ItemsChanged, NoticesChanged, NoticesCounted,
                             WorkerStatusChanged)
from screens.panel import Panel, PanelScreen, actor_may
from screens.panels import DEFAULT_PANEL, PANELS, panel_named
from screens.session_guard import SessionGuard
from screens.widgets.revealing_text_area import RevealingTextArea
from screens.toasts import covering_toasts, face_away, withhold
from screens.widgets.message_line import MessageLine
from screens.unsaved import AUTOSAVE_SECONDS, WorkKeeper
from screens.widgets.quit_prompt import DISCARD, KEEP, QuitPrompt

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace

log = logging.getLogger("socops.screens")

#: Changes arriving within this many seconds are shown together.
COALESCE_SECONDS = 0.2
#: How often to pull other processes' writes from the store.
POLL_SECONDS = 0.5
#: Seconds after start when the rest of the inbox index is built in the background.
WARM_UP_DELAY_SECONDS = 1.5
#: The longest the background work (the worker, the keyring check) waits for
#: the first panel to say it has shown its content (see ``first_panel_shown``).
FIRST_PANEL_GRACE_SECONDS = 2.0
#: How often to recount and repaint time-dependent things (SLA countdowns).
CLOCK_TICK_SECONDS = 15.0
#: The mode that holds the login screen until someone logged in.
LOGIN_MODE = "login"


class SocopsApp(OrderedKeys, App[None]):
    """Keyboard-driven console for a brand's social media team."""

    CSS_PATH = "app.tcss"
    TITLE = "socops"
    MODES = {panel.name: panel.make_screen for panel in PANELS}
    DEFAULT_MODE = DEFAULT_PANEL
    COMMANDS = App.COMMANDS | {PanelCommands}

    BINDINGS = [
        Binding("f1,question_mark", "help", "Help", key_display="?", id="app.help"),
        # Crisis mode: one keystroke from any panel (no panel, Input or TextArea uses F9); the fresh code follows.
        Binding("f9", "freeze", "Freeze", key_display="F9", id="app.freeze",
                tooltip="Freeze publishing now (high-risk: a fresh code)"),
        *(Binding(panel.key, f"switch_panel('{panel.name}')", panel.title, show=False, id=panel.binding_id)
          for panel in PANELS),
    ]

    worker_status: reactive[WorkerStatus] = reactive(WorkerStatus("starting", "worker not started"))
    counts: reactive[InboxCounts] = reactive(InboxCounts())
    #: What is wrong with the governance file on disk ("" when it is valid); the
    #: last good version stays in force meanwhile.
    policy_problem: reactive[str] = reactive("")
    #: What stays wrong until someone mends it: status-bar flags and the banner, not toasts.
    conditions: reactive[tuple[Condition, ...]] = reactive(())
    #: The logged-in person's unread notices (decisions on their posts), for the status bar.
    unread_notices: reactive[int] = reactive(0)
    #: Crisis mode as every panel's banner and the status bar show it (None until first read).
    crisis_status: reactive[CrisisStatus | None] = reactive(None)

    def __init__(self, workspace: "Workspace", actor: "Actor | None", *, run_worker: bool = True,
                 keymap: Mapping[str, str] | None = None, display_tz: tzinfo | None = None,
                 poll_seconds: float | None = POLL_SECONDS,
                 clock_tick_seconds: float | None = CLOCK_TICK_SECONDS,
                 autosave_seconds: float | None = AUTOSAVE_SECONDS) -> None:
        """``actor`` None shows the login screen first; ``display_tz`` None shows local
        time; ``poll_seconds`` None disables polling, ``autosave_seconds`` None writes
        unsaved work only on quitting (tests)."""
        # Read by App.__init__: with nobody logged in, no panel may compose yet.
        self.DEFAULT_MODE = DEFAULT_PANEL if actor is not None else LOGIN_MODE
        super().__init__()
        if actor is None:
            from screens.login.screen import LoginScreen  # a session given (a test, a bench) never shows it

            self.add_mode(LOGIN_MODE, LoginScreen)
        self.workspace = workspace
        #: The logged-in person; every service call acts as them (None until login).
        self.actor: "Actor | None" = actor
        self._own_session = False
        self._started = False
        self._background_started = False
        self._secrets_checked = False
        #: Shows the lock screen, step-up and policy prompts when the session asks for them.
        self.session_guard = SessionGuard(self)
        #: Keeps what the logged-in person is writing (screens/unsaved.py).
        self.unsaved = WorkKeeper(self, workspace.unsaved, delay=autosave_seconds)
        self.runs_worker = run_worker
        self.display_tz = display_tz
        self.poll_seconds = poll_seconds
        self.clock_tick_seconds = clock_tick_seconds
        self._initial_keymap = dict(keymap or {})
        self._stop_worker = threading.Event()
        self._pending_ids: set[str] = set()
        self._flush_timer = None
        self._last_flush = 0.0
        self._refreshing = threading.Event()
        #: Published (on the UI thread, coalesced) with the ids of changed inbox items.
        self.items_changed_signal: Signal[set[str]] = Signal(self, "items-changed")
        #: Published every ``clock_tick_seconds`` so time-dependent views repaint.
        self.clock_ticked_signal: Signal[float] = Signal(self, "clock-ticked")
        if self.console.color_system in ("standard", "windows"):
            # 16 colours: the ANSI theme keeps breached/due-soon colours distinct and legible.
            self.theme = "ansi-dark"

    # -- start and stop --------------------------------------------------------------
    def on_mount(self) -> None:
        self.screen_change_signal.subscribe(self, self._follow_screen_layout)
        self._follow_screen_layout(self.screen)
        if self._initial_keymap:
            self.set_keymap(self._initial_keymap)
        self.title = f"socops · {self.workspace.config.name}"
        self.worker_status = self.workspace.worker_status()
        warnings = self.workspace.store_warnings()
        if warnings:
            self.set_condition(Condition(
                "store", "Store", printable("; ".join(warnings)) + "; `socops doctor` says what to do",
                flag="store!", long_flag="store warning"))
        self._show_policy_problem(self.workspace.governance.problem)
        if self.actor is not None:
            self._start_panels()
        else:
            # Logging in needs the keyring: finding it while the person types
            # their code, once the login screen is up, keeps it off the Enter.
            self.call_after_refresh(self._check_secrets)

    def start_session(self, session: "Actor") -> None:
        """Someone logged in: act as them, start the background work, show the first panel."""
        self.actor = session
        self._own_session = True
        self._start_panels()
        first = next((panel for panel in PANELS if self.may_open(panel)), panel_named(DEFAULT_PANEL))
        self.switch_mode(first.name)
        self.remove_mode(LOGIN_MODE)
        self.refresh_bindings()
        self.session_guard.ask_policy()

    def _start_panels(self) -> None:
        """The worker, polling and clock: only while someone is logged in."""
        if self._started:
            return
        self._started = True
        self._recover_unsaved_work()
        self.workspace.inbox.on_items_changed(self._items_changed_elsewhere)
        # Decisions on this person's posts, made here or in another process, show
        # as a count in the status bar: on every panel, covering nothing.
        self.workspace.notices.on_changed(self.actor.name, lambda: self.post_message(NoticesChanged()))
        self._count_notices()
        # Only one Python thread runs at a time: a worker pass or keyring's
        # plugins loading beside the first panel would slow it down, so they
        # wait until the panel has shown its content (or the grace time ends).
        self.set_timer(FIRST_PANEL_GRACE_SECONDS, self.first_panel_shown)
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.refresh_store)
        if self.clock_tick_seconds:
            self.set_interval(self.clock_tick_seconds, self._clock_tick)
        self._count_items()
        self.refresh_crisis()
        # The first filter on another field than status, or over every status,
        # would otherwise build the rest of the index; do it once the inbox shows.
        self.set_timer(WARM_UP_DELAY_SECONDS, self._warm_up_index)

    def first_panel_shown(self) -> None:
        """A panel has drawn what it opened to show (``PanelScreen.content_shown``):
        the first time, start the background work that waited for it."""
        if self._background_started or not self._started:
            return
        self._background_started = True
        if self.runs_worker:
            self.run_worker(self._run_background_worker, thread=True, group="background-worker",
                            name="worker jobs", exit_on_error=False)
        self._check_secrets()

    def _check_secrets(self) -> None:
        """Say, once, where secrets live when it is not a keyring."""
        if not self._secrets_checked:
            self._secrets_checked = True
            self._warn_about_secrets()

    @work(thread=True, group="secrets-check", exit_on_error=False)
    def _warn_about_secrets(self) -> None:
        # in a thread: finding the keyring backend loads keyring's plugins (about 0.1 s)
        warning = self.workspace.secrets.warning
        if warning:
            # A standing condition: a status-bar flag and the help, never a toast over a form.
            self.call_from_thread(self.set_condition, Condition("secrets", "Secrets", printable(warning),
                                                                flag="keyring!", long_flag="no keyring"))

    def on_unmount(self) -> None:
        self._stop_worker.set()
        try:
            self.unsaved.keep_now()  # however the console closes (a dropped SSH link too)
        except Exception:  # noqa: BLE001 - closing must not fail on it; autosave kept most
            log.exception("keeping the unsaved work failed")
        logout = getattr(self.actor, "logout", None)
        if self._own_session and callable(logout):
            try:
                logout()  # one audit event; the process is ending
            except Exception:  # noqa: BLE001 - leaving must not fail on it
                log.exception("recording the logout failed")

    # -- unsaved work --------------------------------------------------------------------
    def _recover_unsaved_work(self) -> None:
        """What the same person left unsaved in an earlier session comes back with them."""
        name = self.actor.name  # type: ignore[union-attr]
        try:
            self.unsaved.start(name)
        except Exception as error:  # noqa: BLE001 - the console works on; the files stay where they are
            log.exception("reading the unsaved work of %s failed", name)
            self.notify(printable(f"Could not read {name}'s unsaved work from an earlier session ({error}); "
                                  "it stays on disk, see the log."), title="Unsaved work",
                        severity="error", markup=False, timeout=20)
            return
        recovered = self.unsaved.describe()
        if recovered:
            self.notify(printable(f"Back from your last session, not saved yet: {'; '.join(recovered)}."),
                        title="Unsaved work", markup=False, timeout=15)

    def on_text_area_changed(self, _event) -> None:
        """A reply, note or post being written (they bubble up here): keep it soon."""
        self.unsaved.changed()

    async def action_quit(self) -> None:
        """Ctrl+Q: quit; with unsaved work, ask whether to keep it (kept without asking
        at a lock screen, where whoever is at the keyboard may not be its author)."""
        work = self.unsaved.describe()
        if not work:
            self.exit()
            return
        if self.at_gate or isinstance(self.screen, QuitPrompt):
            self._quit_keeping(work)
            return

        def answered(answer: str | None) -> None:
            if answer == KEEP:
                self._quit_keeping(self.unsaved.describe())
            elif answer == DISCARD:
                self.unsaved.discard()
                self.exit()

        self.push_screen(QuitPrompt(self.actor.name, work), answered)  # type: ignore[union-attr]

    def _quit_keeping(self, work: list[str]) -> None:
        self.unsaved.keep_now()
        name = self.actor.name  # type: ignore[union-attr]
        self.exit(message=Text(f"socops kept {name}'s unsaved work: {'; '.join(work)}. "
                               f"It comes back when {name} logs in again."))

    # -- the session -------------------------------------------------------------------
    @property
    def background_actor(self) -> "Actor | None":
        """Who refreshes that nobody asked for (timers, other processes' changes) act as:
        the session's passive view when it has one, so they do not count as activity
        and the idle lock still comes."""
        passive = getattr(self.actor, "passive", None)
        return passive() if callable(passive) else self.actor

    def may_open(self, panel: Panel) -> bool:
        """Whether the logged-in user's role lets them see ``panel`` (the service still decides)."""
        return self.actor is not None and panel.open_to(self.actor)

    @property
    def at_gate(self) -> bool:
        """The login, lock or policy screen is up: no panel keys, no palette."""
        return self.actor is None or bool(getattr(self.screen, "GATE", False))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "switch_panel":
            if self.at_gate:
                return False
            try:
                return self.may_open(panel_named(str(parameters[0])))
            except KeyError:
                return False
        if action == "command_palette" and self.at_gate:
            return False
        if action in ("freeze", "declare_crisis"):
            permission = SCHEDULE_FREEZE if action == "freeze" else CRISIS_DECLARE
            return not self.at_gate and actor_may(self.actor, permission)
        return True

    def call_service(self, call: Callable[[], object], *, done: Callable[[object], None] | None = None,
                     failed: Callable[[BaseException], None] | None = None, retry: bool = True,
                     key: object = None) -> None:
        """Run ``call`` (a service call as the logged-in user) in a thread worker.

        ``done(result)`` or ``failed(error)`` then runs on the UI thread. When
        the session refuses for a reason the operator can fix (idle lock, a
        fresh code for a high-risk action, a policy to acknowledge), the
        prompt for it shows and ``call`` runs once more after it; if the
        operator cancels, ``failed`` gets the refusal. ``key`` lets repeated
        calls (a refresh) wait for the prompt only once.
        """
        def run() -> None:
            try:
                result = call()
            except Exception as error:  # reported on the UI thread, below
                if not isinstance(error, ConsoleError):
                    log.exception("a service call failed")
                self.call_from_thread(self._service_failed, error, call, done, failed, retry, key)
            else:
                if done is not None:
                    self.call_from_thread(done, result)

        self.run_worker(run, thread=True, group="service-call", exit_on_error=False)

    def _service_failed(self, error: BaseException, call, done, failed, retry: bool, key) -> None:
        report = failed or self._report_refusal
        if retry and self.session_guard.handle(
                error, lambda: self.call_service(call, done=done, failed=failed, retry=False, key=key),
                key=key, cancelled=lambda: report(error)):
            return
        report(error)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Paste) and not event.is_forwarded:
            self._screen_paste(event)
        await super().on_event(event)

    def _screen_paste(self, paste: events.Paste) -> None:
        """A one-line field (an Input) draws what it holds as it is: a pasted ESC or
        U+202E would reach the terminal raw. Only the text editors show hidden
        characters (:class:`RevealingTextArea`); anywhere else they are left out of the
        paste, and the operator is told which."""
        if isinstance(self.focused, RevealingTextArea):
            return
        kept, removed = remove_hidden(paste.text)
        if removed:
            paste.text = kept
            shown = " ".join(removed)
            self.notify(f"Left out the hidden characters of the pasted text ({shown[:60]}): "
                        "this field cannot show them.",
                        title="Pasted", severity="warning", markup=False, timeout=8)

    def run_with_step_up(self, call: Callable[[], object], **options) -> None:
        """Same as :meth:`call_service` (the name says what high-risk actions rely on)."""
        self.call_service(call, **options)

    def set_condition(self, condition: Condition) -> None:
        """Show ``condition`` until :meth:`clear_condition` (replacing one of its key)."""
        self.conditions = with_condition(self.conditions, condition)

    def clear_condition(self, key: str) -> None:
        if any(c.key == key for c in self.conditions):
            self.conditions = without_condition(self.conditions, key)

    def _report_refusal(self, error: BaseException) -> None:
        self.notify(printable(str(error)), title="Not done", severity="error", markup=False, timeout=10)

    def _run_background_worker(self) -> None:
        """The worker's jobs, in their own thread; reports only by posting messages."""
        try:
            self.workspace.run_worker_loop(self._stop_worker, self._worker_reported)
        except Exception as error:  # the console stays usable for triage without its worker
            log.exception("the worker loop stopped")
            self.post_message(WorkerStatusChanged(WorkerStatus(
                "error", f"worker stopped: {error}; see the log, or run `socops worker` separately")))

    def _worker_reported(self, status: WorkerStatus) -> None:
        self.post_message(WorkerStatusChanged(status))

    def on_worker_status_changed(self, message: WorkerStatusChanged) -> None:
        self.worker_status = message.status
        if message.status.state == "error":
            # The bar already says "wk error"; the banner says why and what to do.
            self.set_condition(Condition("worker", "Worker", printable(
                message.status.detail or "the worker reported an error; see the log"), ERROR))
        else:
            self.clear_condition("worker")

    # -- toasts ------------------------------------------------------------------------
    def _follow_screen_layout(self, screen: Screen) -> None:
        """Check the toasts after every layout of ``screen`` (a toast shown, a resize)."""
        screen.screen_layout_refresh_signal.unsubscribe(self)
        screen.screen_layout_refresh_signal.subscribe(self, self._keep_toasts_off_focus)

    def on_notify(self) -> None:
        face_away(self.screen)  # before the toast is drawn

    def on_descendant_focus(self) -> None:
        face_away(self.screen)

    def _keep_toasts_off_focus(self, screen: Screen) -> None:
        """Toasts go where the focused widget is not; one that covers it still goes to the
        message line (a screen without one, a modal, keeps the toast)."""
        face_away(screen)
        message_lines = list(screen.query(MessageLine))
        if not message_lines:
            return
        for toast in covering_toasts(screen):
            message_lines[0].say(*withhold(toast))

    # -- changes from the store --------------------------------------------------------
    def _items_changed_elsewhere(self, ids: set[str]) -> None:
        """Service listener: may run on any thread, so it only posts a message."""
        self.post_message(ItemsChanged(set(ids)))

    def on_items_changed(self, message: ItemsChanged) -> None:
        self._pending_ids |= message.ids
        if self._flush_timer is not None:
            return
        wait = self._last_flush + COALESCE_SECONDS - time.monotonic()
        if wait <= 0:
            self._flush_changes()
        else:
            self._flush_timer = self.set_timer(wait, self._flush_changes)

    def _flush_changes(self) -> None:
        self._flush_timer = None
        ids, self._pending_ids = self._pending_ids, set()
        self._last_flush = time.monotonic()
        if ids:
            self.items_changed_signal.publish(ids)
            self._count_items()

    @property
    def has_pending_changes(self) -> bool:
        """Changes are waiting for the coalescing window to end (tests wait on this)."""
        return self._flush_timer is not None or bool(self._pending_ids)

    def refresh_store(self) -> None:
        """Pull other processes' writes now (in a worker; skipped if one is running)."""
        if self._refreshing.is_set():
            return
        self._refreshing.set()
        self._pull_store()

    @work(thread=True, group="store-refresh", exit_on_error=False)
    def _pull_store(self) -> None:
        try:
            self.workspace.inbox.refresh()
            governance = self.workspace.governance
            governance.reload()  # a stat, unless the file changed
            if governance.problem != self.policy_problem:
                self.call_from_thread(self._show_policy_problem, governance.problem)
            # Cached in the service until a crisis, the desk or a hold changes: a few comparisons.
            self.post_message(CrisisStatusRead(self.workspace.crisis.status()))
        except Exception as error:  # reported, and retried on the next poll
            log.exception("refreshing the store failed")
            self.call_from_thread(self.set_condition, Condition(
                "store-read", "Store", printable(f"could not read the store: {error}; trying again every "
                                                 "poll, see the log"), ERROR, flag="store!",
                long_flag="store unreadable"))
        else:
            if any(c.key == "store-read" for c in self.conditions):
                self.call_from_thread(self.clear_condition, "store-read")
        finally:
            self._refreshing.clear()

    def _show_policy_problem(self, problem: str) -> None:
        """Show that the governance file broke, for as long as it is broken; say once that it was mended."""
        previous, self.policy_problem = self.policy_problem, problem
        if problem:
            self.set_condition(Condition("policy", "Governance file", printable(problem), ERROR,
                                         flag="policy!", long_flag="policy file broken"))
        else:
            self.clear_condition("policy")
            if previous:
                self.notify(f"The governance file is valid again: version {self.workspace.governance.version} "
                            "is in force.", title="Governance file", markup=False, timeout=10)

    def _clock_tick(self) -> None:
        if not self.runs_worker:
            self.worker_status = self.workspace.worker_status()
        self._count_items()
        self.refresh_crisis()
        self.clock_ticked_signal.publish(time.monotonic())

    @work(thread=True, group="index-warm-up", exit_on_error=False)
    def _warm_up_index(self) -> None:
        self.workspace.inbox.warm_up()

    @work(thread=True, exclusive=True, group="inbox-counts", exit_on_error=False)
    def _count_items(self) -> None:
        self.post_message(CountsCounted(self.workspace.inbox.counts()))

    def on_counts_counted(self, message: CountsCounted) -> None:
        self.counts = message.counts

    def refresh_crisis(self) -> None:
        """Read the crisis status now (in a worker): the banner and the bar follow it."""
        if self.actor is not None:
            self._read_crisis_status()

    @work(thread=True, exclusive=True, group="crisis-status", exit_on_error=False)
    def _read_crisis_status(self) -> None:
        self.post_message(CrisisStatusRead(self.workspace.crisis.status()))

    def on_crisis_status_read(self, message: CrisisStatusRead) -> None:
        # Only a change (or a new minute) repaints: the poll asks twice a second.
        if self.crisis_status is None or status_key(message.status) != status_key(self.crisis_status):
            self.crisis_status = message.status

    def on_notices_changed(self, _message: NoticesChanged) -> None:
        self._count_notices()

    @work(thread=True, exclusive=True, group="notice-count", exit_on_error=False)
    def _count_notices(self) -> None:
        actor = self.actor
        if actor is not None:
            self.post_message(NoticesCounted(self.workspace.notices.unread_count(actor.name)))

    def on_notices_counted(self, message: NoticesCounted) -> None:
        self.unread_notices = message.unread

    # -- keys --------------------------------------------------------------------------
    def action_help(self) -> None:
        """Show the keys of the current screen (F1 / ?)."""
        screen = self.screen
        if isinstance(screen, HelpScreen):
            screen.dismiss(None)
            return
        title = screen.HELP_TITLE if isinstance(screen, PanelScreen) else "Keys"
        self.push_screen(HelpScreen(title, help_rows(screen), self.conditions))

    def action_freeze(self) -> None:
        """F9: freeze publishing now (a fresh code), and show what it held."""
        if self.check_action("freeze", ()):
            from screens.crisis.flows import freeze_now  # loaded at the first freeze, not at start

            freeze_now(self)

    def action_declare_crisis(self) -> None:
        """The palette's "Declare a crisis": the form, then a fresh code."""
        if self.check_action("declare_crisis", ()):
            from screens.crisis.flows import declare

            declare(self)

    def action_switch_panel(self, name: str) -> None:
        if self.check_action("switch_panel", (name,)):
            self.switch_mode(name)


def make_app(workspace: "Workspace", actor: "Actor | None", **options) -> SocopsApp:
    """Build the app for ``workspace`` acting as ``actor`` (None: log in first);
    the CLI and the tests both use this."""
    return SocopsApp(workspace, actor, **options)
