"""Command palette entries: the shared provider shape, and the app-wide
commands (go to a panel, show the keys)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, Callable[[], object], str]  # name, callback, help


class CommandListProvider(Provider):
    """A provider over a plain list of commands; subclasses say which ones fit now."""

    def _commands(self) -> Iterable[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)


class PanelCommands(CommandListProvider):
    """One "Go to <panel>" command per panel the user may open, plus help."""

    def _commands(self) -> Iterable[Command]:
        from screens.panels import PANELS

        app = self.app
        for panel in PANELS:
            if not app.may_open(panel):  # type: ignore[attr-defined]
                continue
            yield (f"Go to {panel.title}", partial(app.action_switch_panel, panel.name),  # type: ignore[attr-defined]
                   panel.description)
        yield "Show keys for this screen", app.action_help, "F1 or ?"  # type: ignore[attr-defined]
