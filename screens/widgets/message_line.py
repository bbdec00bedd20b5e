"""One line under a list: the last result or conflict on the left, context on the right."""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from console.untrusted import one_line


class MessageLine(Widget):
    """The last action's result (plain text), and e.g. filter and position on the right."""

    DEFAULT_CSS = """
    MessageLine {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    MessageLine > .message-line--error { color: $text-error; text-style: bold; }
    MessageLine > .message-line--warning { color: $text-warning; }
    MessageLine > .message-line--context { color: $text-muted; }
    """

    COMPONENT_CLASSES = {"message-line--error", "message-line--warning", "message-line--context"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.message = ""
        self.severity = "information"
        self.context = Text("")

    def say(self, message: str, severity: str = "information") -> None:
        self.message = one_line(message)
        self.severity = severity
        self.refresh()

    def set_context(self, context: Text) -> None:
        self.context = context
        self.refresh()

    def render(self) -> Text:
        width = self.size.width
        style = ""
        if self.severity in ("error", "warning"):
            style = self.get_component_rich_style(f"message-line--{self.severity}", partial=True)
        right = self.context.copy()
        right.stylize(self.get_component_rich_style("message-line--context", partial=True))
        room = max(width - right.cell_len - 3, 0)
        left = Text(" " + self.message, style=style, no_wrap=True, end="")
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len - 1, 1)
        return Text.assemble(left, " " * gap, right, " ", no_wrap=True, end="")
