"""What the publishing rules say about a new time, shown before anything moves.

When the scheduling service refuses a time (a blackout, posts too close on
one account) the findings are listed in full; a blackout may be overridden
by a role the governance file names, with a note (``o``). When it only
warns (the same text within a few days) the person acknowledges the
warnings (``y``) and the post is scheduled with their acknowledgement
recorded, as Compose does on submit.
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.policy import Finding
from screens.compose.findings import findings_table
from screens.widgets.prompts import PROMPT_CSS

ACKNOWLEDGE, OVERRIDE = "acknowledge", "override"
_STYLES = {"warning": "bold yellow", "error": "bold red", "muted": "dim", "quote": "italic"}


class ScheduleFindingsPrompt(ModalScreen[str | None]):
    """The findings of a refused or warned time: ``y`` acknowledges warnings, ``o``
    overrides a blackout (when offered), ``n`` or Escape goes back."""

    DEFAULT_CSS = "ScheduleFindingsPrompt {" + PROMPT_CSS + """
        & > Vertical { width: 96; }
        VerticalScroll { height: auto; max-height: 14; }
    }"""

    BINDINGS = [
        Binding("y", "answer('acknowledge')", "Acknowledge and schedule", id="schedule-findings.acknowledge"),
        Binding("o", "answer('override')", "Override the blackout", id="schedule-findings.override"),
        Binding("n,escape", "answer(None)", "Back", id="schedule-findings.back"),
    ]

    def __init__(self, title: str, findings: tuple[Finding, ...], *, warnings: bool,
                 override: str = "") -> None:
        """``warnings``: they can be acknowledged; ``override``: how to say that ``o``
        overrides the blackout ("" when it is not offered)."""
        super().__init__()
        self.prompt_title = title
        self.findings = findings
        self.warnings = warnings
        self.override = override

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "answer" and parameters and parameters[0] == ACKNOWLEDGE:
            return self.warnings
        if action == "answer" and parameters and parameters[0] == OVERRIDE:
            return bool(self.override)
        return True

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.prompt_title)
            intro = ("The publishing rules let these through once you acknowledge them; your acknowledgement "
                     "is recorded with the schedule and in the audit trail." if self.warnings else
                     "The publishing rules refuse this time. Pick another (t), or the next free slot (n).")
            yield Static(Text(intro), classes="prompt--intro")
            with VerticalScroll():
                yield Static(findings_table(self.findings, lambda _platform: "",
                                            lambda name: _STYLES.get(name, "")))
            if self.warnings:
                hint = "y: acknowledge and schedule   n or Escape: back"
            elif self.override:
                hint = f"o: {self.override}   Escape: back"
            else:
                hint = "Escape: back"
            yield Static(Text(hint), classes="prompt--hint")

    def action_answer(self, answer: str | None) -> None:
        self.dismiss(answer)
