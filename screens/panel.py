"""What every panel (a full-screen view reachable by one key) has in common."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from textual.screen import Screen

if TYPE_CHECKING:
    from console.workspace import Workspace


@dataclass(frozen=True)
class Panel:
    """A panel's entry in the registry: mode name, title, key and screen class."""

    name: str
    title: str
    key: str
    screen: type["PanelScreen"]
    description: str = ""

    @property
    def binding_id(self) -> str:
        return f"app.panel.{self.name}"


class PanelScreen(Screen[None]):
    """Base of panel screens: gives access to the workspace the app was opened with."""

    #: Shown in the help modal's title.
    HELP_TITLE = "Keys"

    @property
    def workspace(self) -> "Workspace":
        return self.app.workspace  # type: ignore[attr-defined]
