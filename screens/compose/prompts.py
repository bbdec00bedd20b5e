"""The question asked when a post is submitted with warnings: acknowledge them?

The governance policy lets a warning through once someone acknowledges it,
and the approval service records who acknowledged which rule at which
revision. So the operator sees every warning, in full, before saying yes.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Static

from console.policy import Finding
from screens.compose.findings import findings_table
from screens.widgets.prompts import PROMPT_CSS

_STYLES = {"warning": "bold yellow", "error": "bold red", "muted": "dim", "quote": "italic"}


class AcknowledgePrompt(ModalScreen[bool]):
    """Lists the warnings; y acknowledges them all (and submits), n or Escape does not."""

    DEFAULT_CSS = "AcknowledgePrompt {" + PROMPT_CSS + """
        & > Vertical { width: 90; }
        VerticalScroll { height: auto; max-height: 14; }
    }"""

    BINDINGS = [
        Binding("y", "answer(True)", "Acknowledge and submit", id="acknowledge.yes"),
        Binding("n,escape", "answer(False)", "Not now", id="acknowledge.no"),
    ]

    def __init__(self, warnings: tuple[Finding, ...], source_for: Callable[[str], str]) -> None:
        super().__init__()
        self.warnings = warnings
        self.source_for = source_for

    def compose(self) -> ComposeResult:
        count = len(self.warnings)
        with Vertical() as box:
            box.border_title = f"Acknowledge {count} warning{'s' if count != 1 else ''} to submit"
            yield Static(Text("The policy lets these through once you acknowledge them; your "
                              "acknowledgement is recorded with the post and in the audit trail."),
                         classes="prompt--intro")
            with VerticalScroll():
                yield Static(findings_table(self.warnings, self.source_for, lambda name: _STYLES.get(name, "")))
            yield Static(Text("y: acknowledge and submit   n or Escape: back to the post"),
                         classes="prompt--hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)
