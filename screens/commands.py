"""The app-wide palette commands: go to a panel, your own posts, declare a crisis,
freeze publishing, show the keys."""

from __future__ import annotations

from collections.abc import Iterable
from functools import partial

from console.permissions import POST_DRAFT
from screens.palette import Command, CommandListProvider
from screens.panel import actor_may
from screens.panels import PANELS, panel_named


class PanelCommands(CommandListProvider):
    """One "Go to <panel>" command per panel the user may open, your own posts, plus help."""

    def _commands(self) -> Iterable[Command]:
        app = self.app
        for panel in PANELS:
            if not app.may_open(panel):  # type: ignore[attr-defined]
                continue
            yield (f"Go to {panel.title}", partial(app.action_switch_panel, panel.name),  # type: ignore[attr-defined]
                   panel.description)
        actor = getattr(app, "actor", None)
        approvals = panel_named("approvals")
        if actor is not None and actor_may(actor, POST_DRAFT) and app.may_open(approvals):  # type: ignore[attr-defined]
            # From Compose too: the way back to a saved draft.
            yield ("My posts: reopen a draft, read decisions and notes", self._show_own_posts,
                   "Your posts in the Approvals panel; Enter reopens a draft in Compose")
        # Crisis mode from any panel; the app checks the permission (and the services again).
        if app.check_action("declare_crisis", ()):
            yield ("Declare a crisis…", app.action_declare_crisis,  # type: ignore[attr-defined]
                   "Severity, title, reason, scope; high-risk: a fresh code")
        if app.check_action("freeze", ()):
            yield ("Freeze publishing now", app.action_freeze,  # type: ignore[attr-defined]
                   "F9 from any panel; high-risk: a fresh code; unfreezing needs two people")
        yield "Show keys for this screen", app.action_help, "F1 or ?"  # type: ignore[attr-defined]

    async def _show_own_posts(self) -> None:
        app = self.app
        await app.switch_mode("approvals")
        show_mine = getattr(app.screen, "show_mine", None)
        if callable(show_mine):
            show_mine()
