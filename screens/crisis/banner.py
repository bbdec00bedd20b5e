"""Crisis mode on every panel: the one-line banner under the status bar.

While a crisis is active (or publishing is frozen without one) each panel
shows one line: the level and its name, the title, the time since it was
declared, FROZEN or not, and the runbook's progress. Words carry it, so
colour never does alone. The line reads the app's ``crisis_status`` (a
:class:`console.crisis.CrisisStatus` the app asks for at every store poll,
see ``SocopsApp.refresh_crisis``), so it never asks the services itself.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from console.crisis import CrisisStatus, clock_text
from console.untrusted import one_line


def status_key(status: CrisisStatus | None) -> tuple:
    """What the banner and the Crisis panel show of ``status``, without the moment it
    was read: a new key means something changed (or a minute passed)."""
    if status is None:
        return ()
    crisis = status.crisis
    return (crisis.id if crisis else "", crisis.version if crisis else 0,
            tuple((hold.id, hold.kind) for hold in status.holds),
            (status.request.kind, status.request.by, status.request.version) if status.request else None,
            status.runbook, clock_text(status.elapsed) if crisis else "")


def banner_text(status: CrisisStatus | None) -> str:
    """``CRISIS 3 crisis · 00:42 · FROZEN · runbook 1/4 steps, 1 overdue · Recall of the Ridgeline jacket``;
    "" with neither a crisis nor a freeze."""
    if status is None or (not status.active and not status.frozen):
        return ""
    crisis = status.crisis
    if crisis is None:
        scopes = ", ".join(hold.scope for hold in status.freezes)
        return f"FROZEN · publishing is frozen on {scopes} without a crisis · unfreezing needs two people (key 5)"
    # The title last: at 80 columns it is what gives way, never the freeze or the runbook.
    parts = [f"CRISIS {crisis.label}", clock_text(status.elapsed), "FROZEN" if status.frozen else "not frozen",
             f"runbook {status.runbook.describe()}"]
    if status.request is not None:
        parts.append(f"{status.request.kind} waits for a 2nd person")
    return " · ".join(parts + [one_line(crisis.title, 80)])


class CrisisBanner(Widget):
    """One line while a crisis is active or publishing is frozen; hidden otherwise."""

    DEFAULT_CSS = """
    CrisisBanner {
        height: 1;
        padding: 0 1;
        background: $error-muted;
        color: $text-error;
        text-style: bold;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    CrisisBanner.-quiet { display: none; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id, classes="-quiet")

    def on_mount(self) -> None:
        self.watch(self.app, "crisis_status", self._changed)

    def _changed(self, _status: object) -> None:
        text = banner_text(getattr(self.app, "crisis_status", None))
        self.set_class(not text, "-quiet")
        self.refresh(layout=True)

    @property
    def text(self) -> str:
        return banner_text(getattr(self.app, "crisis_status", None))

    def render(self) -> Text:
        return Text(self.text, no_wrap=True, overflow="ellipsis", end="")
