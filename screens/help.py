"""F1 / ``?``: a modal listing the keys of the screen it was opened from."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from screens.conditions import Condition


@dataclass(frozen=True)
class HelpRow:
    keys: str
    description: str
    binding_id: str


def help_rows(screen: Screen) -> list[HelpRow]:
    """The active bindings of ``screen``, one row per action: the screen's own first,
    then the focused widget's, then the app's."""
    app = screen.app
    rows: dict[tuple[int, str], tuple[int, list[str], str, str]] = {}
    for active in screen.active_bindings.values():
        binding = active.binding
        if binding.system:
            continue
        node = active.node
        rank = 0 if node is screen else 2 if node is app else 1
        group = (id(node), binding.action)
        display = app.get_key_display(binding)
        _, keys, _, _ = rows.setdefault(group, (rank, [], binding.description or binding.action,
                                                binding.id or ""))
        if display not in keys:
            keys.append(display)
    # Ours (with ids) before Textual's generic ones (focus, copy) within each level.
    ordered = sorted(rows.values(), key=lambda row: (row[0], not row[3]))
    return [HelpRow(" ".join(keys), description, binding_id)
            for _, keys, description, binding_id in ordered]


class HelpScreen(ModalScreen[None]):
    """The keys in force where help was asked for."""

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
        background: $background 60%;
        & > Vertical {
            width: 72;
            max-width: 100%;
            height: auto;
            max-height: 100%;
            border: round $primary;
            border-title-color: $text-primary;
            border-title-style: bold;
            background: $surface;
        }
        VerticalScroll { height: auto; max-height: 100%; padding: 0 1; }
        .help--hint { color: $text-muted; padding: 0 1; }
        .help--conditions { margin-bottom: 1; }
        & > .help--error { color: $text-error; text-style: bold; }
        & > .help--warning { color: $text-warning; text-style: bold; }
    }
    """

    BINDINGS = [
        Binding("escape,f1,question_mark,q", "close", "Close", id="help.close"),
    ]

    COMPONENT_CLASSES = {"help--error", "help--warning"}

    def __init__(self, title: str, rows: list[HelpRow], conditions: tuple[Condition, ...] = ()) -> None:
        """``conditions``: what stands wrong now, listed in full above the keys."""
        super().__init__()
        self.help_title = title
        self.rows = rows
        self.conditions = conditions

    def compose(self) -> ComposeResult:
        table = Table.grid(padding=(0, 2))
        table.add_column(style="bold", no_wrap=True)
        table.add_column()
        table.add_column(style="dim", no_wrap=True)
        for row in self.rows:
            table.add_row(Text(row.keys), Text(row.description), Text(row.binding_id))
        with Vertical() as box:
            box.border_title = Text(self.help_title)
            with VerticalScroll():
                if self.conditions:
                    yield Static(self._conditions_text(), classes="help--conditions")
                yield Static(table)
            yield Static(Text("Escape closes · Ctrl+P opens the command palette · ids remap keys"),
                         classes="help--hint")

    def _conditions_text(self) -> Text:
        """The standing conditions, each with its whole text (the bar and banner shorten them)."""
        text = Text()
        for index, condition in enumerate(self.conditions):
            if index:
                text.append("\n")
            text.append(f"{condition.title}: ", self.get_component_rich_style(f"help--{condition.severity}"))
            text.append(condition.text)
        return text

    def action_close(self) -> None:
        self.dismiss(None)
