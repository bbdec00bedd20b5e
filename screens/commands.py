"""App-wide command palette entries: go to a panel, show the keys."""

from __future__ import annotations

from functools import partial

from textual.command import DiscoveryHit, Hit, Hits, Provider


class PanelCommands(Provider):
    """One "Go to <panel>" command per registered panel, plus help."""

    def _commands(self):
        from screens.panels import PANELS

        app = self.app
        for panel in PANELS:
            yield (f"Go to {panel.title}", partial(app.action_switch_panel, panel.name),  # type: ignore[attr-defined]
                   panel.description)
        yield "Show keys for this screen", app.action_help, "F1 or ?"  # type: ignore[attr-defined]

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
