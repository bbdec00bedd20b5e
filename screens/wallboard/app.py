"""The wallboard app: ``socops wallboard`` on the crisis room's TV.

It logs in once with the console's login screen (a viewer may run it; the
login and the logout are audited as in the console), then reads
``Workspace.wallboard`` as a :class:`BoardViewer`: read-only, and not subject
to the idle lock, so an unattended TV keeps showing. Every ``poll_seconds``
(0.5 s) a thread worker pulls other processes' writes from the store and takes
a snapshot, so a change shows within a second.

Scenes rotate every ``rotate_seconds`` (``[wallboard]`` in socops.toml). A
declared crisis takes over: its scene shows and the rotation stops until the
crisis is resolved. The keys change nothing in the store: quit, next and
previous scene, pause the rotation, switch theme.
"""

from __future__ import annotations

import logging
import threading
from datetime import tzinfo
from typing import TYPE_CHECKING

from textual import work
from textual.app import App
from textual.binding import Binding
from textual.message import Message
from textual.reactive import reactive
from textual.theme import Theme

from console.errors import ConsoleError
from console.untrusted import printable
from console.wallboard import BoardSnapshot, BoardViewer
from screens.wallboard.screen import CRISIS, KEYS_HELP, ROTATION, WallboardScreen

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace

log = logging.getLogger("socops.wallboard")

POLL_SECONDS = 0.5
BOARD_MODE, LOGIN_MODE = "board", "login"
#: ``[wallboard] theme`` -> Textual theme.
HIGH_CONTRAST = Theme(
    name="socops-high-contrast", primary="#FFFF00", secondary="#00FFFF", accent="#FFFFFF", foreground="#FFFFFF",
    background="#000000", surface="#000000", panel="#000000", boost="#1A1A1A", success="#00FF00",
    warning="#FFFF00", error="#FF5555", dark=True,
    variables={"text-muted": "#FFFFFF", "border": "#FFFFFF", "footer-background": "#000000"})
THEMES = {"default": "textual-dark", "high-contrast": HIGH_CONTRAST.name}


class BoardRefreshed(Message):
    """A new snapshot was taken (in the poll's thread)."""

    def __init__(self, snapshot: BoardSnapshot) -> None:
        super().__init__()
        self.snapshot = snapshot


class BoardRefused(Message):
    """The snapshot could not be taken; ``problem`` says why and what to do."""

    def __init__(self, problem: str) -> None:
        super().__init__()
        self.problem = problem


class WallboardApp(App[None]):
    """The crisis room's big screen (read-only)."""

    CSS_PATH = "wallboard.tcss"
    TITLE = "socops wallboard"
    ENABLE_COMMAND_PALETTE = False      # nothing to run from a TV; only the keys below
    MODES = {BOARD_MODE: WallboardScreen}
    BINDINGS = [
        Binding("q,ctrl+q", "quit", "Quit", id="wallboard.quit"),
        Binding("right,n", "next_scene", "Next scene", id="wallboard.next_scene"),
        Binding("left,p", "previous_scene", "Previous scene", id="wallboard.previous_scene"),
        Binding("space", "pause", "Pause rotation", id="wallboard.pause"),
        Binding("t", "toggle_theme", "Theme", id="wallboard.theme"),
    ]

    #: The login screen's condition banner reads these; the board has none of its own.
    conditions: reactive[tuple] = reactive(())

    def __init__(self, workspace: "Workspace", actor: "Actor | None", *, rotate_seconds: float | None = None,
                 theme: str | None = None, poll_seconds: float | None = POLL_SECONDS,
                 display_tz: tzinfo | None = None) -> None:
        """``actor`` None logs in first; ``rotate_seconds`` and ``theme`` default to the
        workspace's ``[wallboard]`` settings (``rotate_seconds`` 0 never rotates);
        ``poll_seconds`` None never polls (tests refresh by hand); ``display_tz`` None: local time."""
        settings = workspace.config.wallboard
        self.DEFAULT_MODE = BOARD_MODE if actor is not None else LOGIN_MODE
        super().__init__()
        if actor is None:
            from screens.login.screen import LoginScreen

            self.add_mode(LOGIN_MODE, LoginScreen)
        self.workspace = workspace
        self.actor: "Actor | None" = actor
        self.viewer = BoardViewer(actor) if actor is not None else None
        self._own_session = False
        self.rotate_seconds = settings.rotate_seconds if rotate_seconds is None else rotate_seconds
        self.poll_seconds = poll_seconds
        self.display_tz = display_tz
        self.register_theme(HIGH_CONTRAST)
        self.theme_setting = theme or settings.theme
        # 16 colours: the ANSI theme keeps the states distinct
        self.default_theme = "ansi-dark" if self.console.color_system in ("standard", "windows") else THEMES["default"]
        self.theme = self.default_theme if self.theme_setting == "default" else THEMES[self.theme_setting]
        self.snapshot: BoardSnapshot | None = None
        self.paused = False
        self._crisis_id = ""
        self._refreshing = threading.Event()
        self._started = False

    # -- start and stop --------------------------------------------------------------
    def on_mount(self) -> None:
        self.title = f"socops wallboard · {self.workspace.config.name}"
        if self.actor is not None:
            self._start_board()

    def start_session(self, session: "Actor") -> None:
        """Logged in on the login screen: read as them from now on."""
        self.actor = session
        self.viewer = BoardViewer(session)
        self._own_session = True
        self.switch_mode(BOARD_MODE)
        self.remove_mode(LOGIN_MODE)
        self._start_board()

    def _start_board(self) -> None:
        if self._started:
            return
        self._started = True
        if self.poll_seconds:
            self.set_interval(self.poll_seconds, self.refresh_board)
        if self.rotate_seconds:
            self.set_interval(self.rotate_seconds, self.rotate)
        self.refresh_board()

    def on_unmount(self) -> None:
        logout = getattr(self.actor, "logout", None)
        if self._own_session and callable(logout):
            try:
                logout()        # one audit event; the board is closing
            except Exception:  # noqa: BLE001 - leaving must not fail on it
                log.exception("recording the logout failed")

    @property
    def board(self) -> WallboardScreen | None:
        screen = self.screen
        return screen if isinstance(screen, WallboardScreen) else None

    # -- refreshing --------------------------------------------------------------------
    def refresh_board(self) -> None:
        """Read the store and take a snapshot, in a thread (skipped while one is running)."""
        if self.viewer is None or self._refreshing.is_set():
            return
        self._refreshing.set()
        self._take_snapshot()

    @work(thread=True, group="board-refresh", exit_on_error=False)
    def _take_snapshot(self) -> None:
        try:
            self.workspace.inbox.refresh()      # other processes' writes; the caches follow them
            snapshot = self.workspace.wallboard.snapshot(self.viewer)  # type: ignore[arg-type]
        except ConsoleError as error:
            self.post_message(BoardRefused(printable(str(error))))
        except Exception as error:  # noqa: BLE001 - shown, logged, and tried again at the next poll
            log.exception("refreshing the wallboard failed")
            self.post_message(BoardRefused(printable(f"could not read the store ({error}); trying again every "
                                                     "poll, see the log")))
        else:
            self.post_message(BoardRefreshed(snapshot))
        finally:
            self._refreshing.clear()

    def on_board_refreshed(self, message: BoardRefreshed) -> None:
        snapshot = self.snapshot = message.snapshot
        crisis = snapshot.crisis.crisis
        crisis_id = crisis.id if crisis is not None else ""
        board = self.board
        if board is None:
            return
        if crisis_id != self._crisis_id:
            # A crisis declared takes the board over; once resolved, back to the overview.
            self._crisis_id = crisis_id
            board.show_scene(CRISIS if crisis_id else ROTATION[0])
        self._draw()

    def on_board_refused(self, message: BoardRefused) -> None:
        if self.board is not None:
            self.board.show_problem(message.problem)

    def _draw(self) -> None:
        board = self.board
        if board is not None and self.snapshot is not None:
            board.show(self.snapshot, self.display_tz, self.footer_text())

    # -- scenes ------------------------------------------------------------------------
    @property
    def scenes(self) -> tuple[str, ...]:
        """The scenes in rotation order: the crisis scene first while a crisis is declared."""
        return ((CRISIS,) + ROTATION) if self._crisis_id else ROTATION

    @property
    def rotating(self) -> bool:
        return bool(self.rotate_seconds) and not self.paused and not self._crisis_id

    def footer_text(self) -> str:
        board = self.board
        current = board.scene if board is not None else ROTATION[0]
        scenes = self.scenes
        number = scenes.index(current) + 1 if current in scenes else 1
        if self._crisis_id:
            rotation = "■ crisis: no rotation"
        elif self.paused:
            rotation = "‖ paused"
        elif self.rotate_seconds:
            rotation = f"↻ {self.rotate_seconds:g} s"
        else:
            rotation = "rotation off"
        name = board.query_one(f"#{current}").TITLE if board is not None else ""  # type: ignore[attr-defined]
        return f" {number}/{len(scenes)} {name} · {rotation} · {KEYS_HELP}"

    def rotate(self) -> None:
        if self.rotating:
            self._step(1)

    def _step(self, by: int) -> None:
        board = self.board
        if board is None:
            return
        scenes = self.scenes
        current = board.scene
        index = scenes.index(current) if current in scenes else 0
        board.show_scene(scenes[(index + by) % len(scenes)])
        self._draw()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_scene", "previous_scene", "pause") and self.board is None:
            return False        # the login screen: its fields take the keys
        return True

    def action_next_scene(self) -> None:
        self._step(1)

    def action_previous_scene(self) -> None:
        self._step(-1)

    def action_pause(self) -> None:
        self.paused = not self.paused
        self._draw()

    def action_toggle_theme(self) -> None:
        self.theme = HIGH_CONTRAST.name if self.theme != HIGH_CONTRAST.name else self.default_theme


def make_wallboard(workspace: "Workspace", actor: "Actor | None", **options) -> WallboardApp:
    """The wallboard for ``workspace`` reading as ``actor`` (None: log in first); the CLI,
    the bench and the tests use this."""
    return WallboardApp(workspace, actor, **options)
