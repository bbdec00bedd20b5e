"""The wallboard's one screen: a header line, the scenes, a footer line.

The header says what matters from any scene: the crisis banner (``CRISIS 3
00:42 FROZEN``), publishing, the worker, the time and who is logged in. The
footer says which scene shows, whether the scenes rotate, and the keys.

Below 120 columns or 40 rows the screen takes the class ``-compact``: the
stylesheet then drops borders, shrinks the sparklines and stacks columns.
"""

from __future__ import annotations

from datetime import tzinfo

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import ContentSwitcher, Static

from console.untrusted import one_line
from console.wallboard import BoardSnapshot
from screens.wallboard.scenes import (CrisisScene, InboundScene, OverviewScene, PublishingScene, Scene,
                                      local_time, publishing_state, set_state, worker_state, PUBLISHING_WORDS,
                                      WORKER_SYMBOLS)

#: Smaller than this (columns, rows), the compact layout.
COMPACT_BELOW = (120, 40)
#: The scenes in rotation order; the crisis scene joins them (first) only while a crisis is declared.
ROTATION = ("overview", "inbound", "publishing")
CRISIS = "crisis"
KEYS_HELP = "←/→ scene  space pause  t theme  q quit"


class WallboardScreen(Screen[None]):
    """The scenes between a header and a footer."""

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="board-header")
        with ContentSwitcher(initial="overview", id="scenes"):
            yield OverviewScene(id="overview")
            yield InboundScene(id="inbound")
            yield PublishingScene(id="publishing")
            yield CrisisScene(id=CRISIS)
        yield Static(Text(""), id="board-footer")

    def on_mount(self) -> None:
        self._fit(self.app.size.width, self.app.size.height)

    def on_resize(self, event: events.Resize) -> None:
        self._fit(event.size.width, event.size.height)

    def _fit(self, width: int, height: int) -> None:
        self.set_class(width < COMPACT_BELOW[0] or height < COMPACT_BELOW[1], "-compact")

    @property
    def scene(self) -> str:
        return self.query_one("#scenes", ContentSwitcher).current or "overview"

    def show_scene(self, name: str) -> None:
        self.query_one("#scenes", ContentSwitcher).current = name

    def show(self, snapshot: BoardSnapshot, zone: tzinfo | None, footer: str) -> None:
        """Draw ``snapshot`` on the header and the scene showing (the others draw when they show)."""
        self._header(snapshot, zone)
        scene = self.query_one(f"#{self.scene}", Scene)
        scene.show(snapshot, zone)
        self.query_one("#board-footer", Static).update(Text(footer))

    def _header(self, snapshot: BoardSnapshot, zone: tzinfo | None) -> None:
        header = self.query_one("#board-header", Static)
        banner = snapshot.crisis.banner()
        workspace = self.app.workspace  # type: ignore[attr-defined]
        parts = [f"▲ {banner}" if banner else "socops wallboard",
                 one_line(workspace.config.name, 24),
                 PUBLISHING_WORDS[snapshot.publishing],
                 f"{WORKER_SYMBOLS.get(snapshot.worker.state, '·')} worker {snapshot.worker.state}",
                 f"{local_time(snapshot.now, zone)}",
                 one_line(snapshot.viewer, 20)]
        header.update(Text(" " + " │ ".join(parts), no_wrap=True, overflow="ellipsis"))
        state = "bad" if snapshot.crisis.active else max(
            publishing_state(snapshot), worker_state(snapshot), key=("ok", "warn", "bad").index)
        set_state(header, state)

    def show_problem(self, problem: str) -> None:
        """The board cannot read (the viewer was disabled, the store unreadable): say so, keep the last figures."""
        header = self.query_one("#board-header", Static)
        header.update(Text(" ✗ " + one_line(problem, 300), no_wrap=True, overflow="ellipsis"))
        set_state(header, "bad")
