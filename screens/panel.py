"""What every panel (a full-screen view reachable by one key) has in common."""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

from console.permissions import PermissionDenied

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.workspace import Workspace


@dataclass(frozen=True)
class Panel:
    """A panel's entry in the registry: mode name, title, key, and where its
    screen class is (imported when the panel is first opened)."""

    name: str
    title: str
    key: str
    module: str        # "screens.inbox.screen"
    class_name: str    # "InboxScreen"
    description: str = ""
    #: Any one of these lets a person open the panel; none: everyone may (the
    #: services still check each action). Approvals, say, is for approvers and
    #: for the authors who follow their own posts there.
    permissions: tuple[str, ...] = ()

    @property
    def binding_id(self) -> str:
        return f"app.panel.{self.name}"

    def open_to(self, actor: "Actor") -> bool:
        """Whether ``actor`` holds one of the panel's permissions (or it needs none)."""
        return not self.permissions or any(actor_may(actor, permission) for permission in self.permissions)

    def make_screen(self) -> "PanelScreen":
        """A new screen of this panel, its module imported now if it was not yet."""
        return getattr(importlib.import_module(self.module), self.class_name)()


def actor_may(actor: "Actor", permission: str) -> bool:
    """Whether ``actor``'s role, training and scope allow ``permission``, for hiding
    what would be refused. Sessions answer without counting it as activity."""
    allowed = getattr(actor, "allowed", None)
    if callable(allowed):
        return bool(allowed(permission))
    try:
        actor.require(permission)
    except PermissionDenied:
        return False
    return True


class PanelScreen(Screen[None]):
    """Base of panel screens: gives access to the workspace the app was opened with."""

    #: Shown in the help modal's title.
    HELP_TITLE = "Keys"

    @property
    def workspace(self) -> "Workspace":
        return self.app.workspace  # type: ignore[attr-defined]

    @property
    def actor(self) -> "Actor":
        """Who is logged in: every service call of a panel acts as them."""
        return self.app.actor  # type: ignore[attr-defined]

    def content_shown(self) -> None:
        """Call when the panel has what it opened to show (its first rows): once
        that is on screen, the app starts the background work that waited for
        the first panel (see ``SocopsApp.first_panel_shown``)."""
        self.call_after_refresh(self.app.first_panel_shown)  # type: ignore[attr-defined]
