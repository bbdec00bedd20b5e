"""Quitting with unsaved work: keep it for the next login, discard it, or stay."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from screens.widgets.prompts import PROMPT_CSS

KEEP, DISCARD = "keep", "discard"


class QuitPrompt(ModalScreen["str | None"]):
    """Enter (or k) keeps the work and quits, d discards it and quits, Escape stays.
    Ctrl+Q again quits keeping it (the app's binding)."""

    DEFAULT_CSS = "QuitPrompt {" + PROMPT_CSS + " .prompt--intro { color: $foreground; max-height: 8; } }"

    BINDINGS = [
        Binding("enter,k", "answer('keep')", "Keep and quit", id="quit.keep"),
        Binding("d", "answer('discard')", "Discard and quit", id="quit.discard"),
        Binding("escape", "stay", "Stay", id="quit.stay"),
    ]

    def __init__(self, who: str, work: list[str]) -> None:
        super().__init__()
        self.who = who
        self.work = work

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Quit with unsaved work?")
            yield Static(Text(f"Not saved yet: {'; '.join(self.work)}. Kept, it comes back when "
                              f"{self.who} logs in again."), classes="prompt--intro")
            yield Static(Text("Enter keeps it and quits · d discards it and quits · Escape stays"),
                         classes="prompt--hint")

    def action_answer(self, answer: str) -> None:
        self.dismiss(answer)

    def action_stay(self) -> None:
        self.dismiss(None)
