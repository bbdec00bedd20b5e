"""Ask where to export the audit trail, in which format, and from which date."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, RadioButton, RadioSet, Static

from screens.parsing import PromptError
from screens.widgets.prompts import PROMPT_CSS, ErrorLine

FORMATS = (("jsonl", "JSON Lines"), ("csv", "CSV"))


@dataclass(frozen=True)
class ExportRequest:
    path: Path
    fmt: str
    since: datetime | None


def parse_since(text: str) -> datetime | None:
    """``2026-11-01`` (UTC midnight) or empty for everything; PromptError otherwise."""
    text = text.strip()
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise PromptError(f"{text[:20]!r} is not a date like 2026-11-01; leave it empty for every event") from None


def export_path(text: str) -> Path:
    """The file to write: ``~`` expanded; PromptError when it is empty or exists already."""
    text = text.strip()
    if not text:
        raise PromptError("Give a file name to write the export to.")
    path = Path(text).expanduser()
    if path.exists():
        raise PromptError(f"{path} exists already; choose another name (an export never overwrites).")
    if not path.parent.is_dir():
        raise PromptError(f"the folder {path.parent} does not exist; create it or choose another.")
    return path


class ExportPrompt(ErrorLine, ModalScreen[ExportRequest | None]):
    """File, format and optional start date; Enter exports, Escape cancels."""

    DEFAULT_CSS = "ExportPrompt {" + PROMPT_CSS + """
        Horizontal { height: auto; }
        Horizontal > Label { width: 12; color: $text-muted; padding-top: 1; }
        Horizontal > Input { width: 1fr; }
        RadioSet, RadioSet:focus { layout: horizontal; height: auto; width: 1fr; border: none; padding: 1 0 0 0; }
        RadioSet > RadioButton { width: auto; margin-right: 2; }
    }"""

    BINDINGS = [
        Binding("enter", "export", "Export", id="export.apply", priority=True),
        Binding("escape", "cancel", "Cancel", id="export.cancel"),
    ]

    def __init__(self, default_path: str) -> None:
        super().__init__()
        self.default_path = default_path

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Export the audit trail")
            with Horizontal():
                yield Label("File")
                yield Input(self.default_path, id="export-path")
            with Horizontal():
                yield Label("Format")
                with RadioSet(id="export-format"):
                    for index, (fmt, label) in enumerate(FORMATS):
                        yield RadioButton(label, value=index == 0, name=fmt)
            with Horizontal():
                yield Label("Since")
                yield Input(placeholder="YYYY-MM-DD, empty for every event", id="export-since")
            yield Static(Text(""), classes="prompt--error -empty")
            yield Static(Text("Enter exports (a high-risk action: it asks for a fresh code) · "
                              "Tab moves · Escape cancels"), classes="prompt--hint")

    def on_mount(self) -> None:
        self._mark()

    @property
    def fmt(self) -> str:
        index = self.query_one(RadioSet).pressed_index
        return FORMATS[index if index >= 0 else 0][0]

    @on(RadioSet.Changed)
    def format_changed(self) -> None:
        self._mark()
        field = self.query_one("#export-path", Input)
        stem, dot, ext = field.value.rpartition(".")
        if dot and ext in dict(FORMATS):
            field.value = f"{stem}.{self.fmt}"

    def _mark(self) -> None:
        # the choice shows by its glyph too, not only by colour (16 colours, NO_COLOR)
        for button in self.query(RadioButton):
            button.BUTTON_INNER = "●" if button.value else " "
            button.refresh()

    def action_export(self) -> None:
        try:
            path = export_path(self.query_one("#export-path", Input).value)
            since = parse_since(self.query_one("#export-since", Input).value)
        except PromptError as error:
            self.show_error(str(error))
            return
        self.dismiss(ExportRequest(path, self.fmt, since))

    def action_cancel(self) -> None:
        self.dismiss(None)
