"""The app-wide palette commands: go to a panel, show the keys."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from screens.palette import Command, CommandListProvider
from screens.panels import PANELS


class PanelCommands(CommandListProvider):
    """One "Go to <panel>" command per panel the user may open, plus help."""

    def _commands(self) -> Iterable[Command]:
        app = self.app
        for panel in PANELS:
            if not app.may_open(panel):  # type: ignore[attr-defined]
                continue
            yield (f"Go to {panel.title}", partial(app.action_switch_panel, panel.name),  # type: ignore[attr-defined]
                   panel.description)
        yield "Show keys for this screen", app.action_help, "F1 or ?"  # type: ignore[attr-defined]
