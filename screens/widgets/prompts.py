"""Small modal prompts: one-line input, multi-line editor, and the inbox filter.

Each is a typed ``ModalScreen`` that dismisses with its result (or ``None``
on Escape), so the caller decides what to do with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.css.query import NoMatches
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label, RadioButton, RadioSet, Static


from console.inbox import STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED, InboxFilter, format_query, parse_query
from screens.parsing import PromptError
from screens.widgets.revealing_text_area import RevealingTextArea

PROMPT_CSS = """
    align: center middle;
    background: $background 60%;
    & > Vertical {
        width: 76;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $primary;
        border-title-color: $text-primary;
        border-title-style: bold;
        background: $surface;
        padding: 0 1;
    }
    .prompt--intro { color: $text-muted; height: auto; max-height: 4; }
    .prompt--hint { color: $text-muted; height: auto; }
    .prompt--error { color: $text-error; height: auto; }
    .prompt--error.-empty { display: none; }
"""


class ErrorLine:
    """For prompts with a ``.prompt--error`` line: typing clears it."""

    @on(Input.Changed)
    def clear_error(self) -> None:
        self.show_error("")

    def show_error(self, message: str) -> None:
        error = self.query_one(".prompt--error", Static)
        error.update(Text(message))
        error.set_class(not message, "-empty")


class TextPrompt(ErrorLine, ModalScreen[str | None]):
    """Ask for one line; ``check`` may raise ``PromptError`` to keep the prompt open."""

    DEFAULT_CSS = "TextPrompt {" + PROMPT_CSS + "}"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, title: str, *, intro: Text | None = None, value: str = "",
                 placeholder: str = "", hint: str = "",
                 check: Callable[[str], object] | None = None) -> None:
        super().__init__()
        self.prompt_title = title
        self.intro = intro
        self.value = value
        self.placeholder = placeholder
        self.hint = hint
        self.check = check

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.prompt_title)  # may name an author: never markup
            if self.intro is not None:
                yield Static(self.intro, classes="prompt--intro")
            yield Input(value=self.value, placeholder=self.placeholder, select_on_focus=True)
            yield Static(Text(""), classes="prompt--error -empty")
            if self.hint:
                yield Static(Text(self.hint), classes="prompt--hint")

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.check is not None:
            try:
                self.check(event.value)
            except PromptError as error:
                self.show_error(str(error))
                return
        self.dismiss(event.value)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ConfirmPrompt(ModalScreen[bool]):
    """Ask yes or no about something that cannot be undone: y confirms, n or Escape cancels."""

    DEFAULT_CSS = "ConfirmPrompt {" + PROMPT_CSS + "}"

    BINDINGS = [
        Binding("y", "answer(True)", "Yes", id="confirm.yes"),
        Binding("n,escape", "answer(False)", "No", id="confirm.no"),
    ]

    def __init__(self, title: str, question: str) -> None:
        super().__init__()
        self.prompt_title = title
        self.question = question

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.prompt_title)
            yield Static(Text(self.question), classes="prompt--intro")
            yield Static(Text("y: yes   n or Escape: no"), classes="prompt--hint")

    def action_answer(self, yes: bool) -> None:
        self.dismiss(yes)


@dataclass(frozen=True)
class EditorResult:
    """What the editor closed with: the text, and whether the operator sent it."""

    text: str
    submitted: bool


class TextEditor(ModalScreen[EditorResult]):
    """A multi-line editor for replies and notes; Ctrl+S sends, Escape keeps a draft.

    The editor shows hidden characters as notations (``⟨U+202E⟩``, see
    :class:`RevealingTextArea`); ``text`` and the result carry the real text."""

    DEFAULT_CSS = "TextEditor {" + PROMPT_CSS + """
        & > Vertical { width: 90; }
        TextArea { height: 8; }
    }"""

    BINDINGS = [
        Binding("ctrl+s,ctrl+enter", "send", "Send", id="editor.send", priority=True),
        Binding("escape", "cancel", "Cancel (keeps draft)", id="editor.cancel"),
    ]

    def __init__(self, title: str, *, intro: Text | None = None, text: str = "",
                 hint: str = "Ctrl+S sends · Escape closes and keeps the draft",
                 max_chars: int | None = None) -> None:
        super().__init__()
        self.editor_title = title
        self.intro = intro
        self.initial_text = text
        self._last_text = text
        self.hint = hint
        self.max_chars = max_chars

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.editor_title)  # may name an author: never markup
            if self.intro is not None:
                yield Static(self.intro, classes="prompt--intro")
            yield RevealingTextArea(self.initial_text, soft_wrap=True, show_line_numbers=False,
                                    tab_behavior="focus")
            yield Static(Text(""), classes="prompt--error -empty")
            yield Static(Text(self._hint_text()), classes="prompt--hint", id="editor-hint")

    def on_mount(self) -> None:
        area = self.query_one(RevealingTextArea)
        area.focus()
        area.move_cursor(area.document.end)

    def _hint_text(self) -> str:
        count = len(self.text) if self.is_mounted else len(self.initial_text)
        limit = f"/{self.max_chars}" if self.max_chars else ""
        return f"{count}{limit} characters · {self.hint}"

    @on(RevealingTextArea.Changed)
    def update_hint(self, event: RevealingTextArea.Changed) -> None:
        self._last_text = event.text_area.written_text
        self.query_one("#editor-hint", Static).update(Text(self._hint_text()))
        error = self.query_one(".prompt--error", Static)
        error.update(Text(""))
        error.add_class("-empty")

    @property
    def text(self) -> str:
        """The text as written (hidden characters included); while the editor is
        being taken down, the text it held last."""
        try:
            return self.query_one(RevealingTextArea).written_text
        except NoMatches:
            return self._last_text

    def action_send(self) -> None:
        if not self.text.strip():
            error = self.query_one(".prompt--error", Static)
            error.update(Text("Nothing to send yet: write something, or press Escape."))
            error.remove_class("-empty")
            return
        self.dismiss(EditorResult(self.text, True))

    def action_cancel(self) -> None:
        self.dismiss(EditorResult(self.text, False))


_STATUS_CHOICES = ((STATUS_OPEN, "Open"), (STATUS_SNOOZED, "Snoozed"), (STATUS_CLOSED, "Closed"), ("", "All"))


def _mark(button: Checkbox | RadioButton) -> None:
    """Show a toggle's state by its glyph too, not only by colour (16 colours, NO_COLOR)."""
    on_glyph = "●" if isinstance(button, RadioButton) else "X"
    button.BUTTON_INNER = on_glyph if button.value else " "
    button.refresh()


class FilterPrompt(ModalScreen[InboxFilter | None]):
    """Text search plus quick toggles; Enter applies, Tab moves between fields."""

    DEFAULT_CSS = "FilterPrompt {" + PROMPT_CSS + """
        RadioSet, RadioSet:focus { layout: horizontal; height: auto; width: 100%; border: none; padding: 0; }
        RadioSet > RadioButton { width: auto; margin-right: 2; }
        Horizontal { height: auto; }
        Checkbox, Checkbox:focus { border: none; padding: 0; margin-right: 2; width: auto; }
    }"""

    BINDINGS = [
        Binding("enter", "apply", "Apply", id="filter.apply", priority=True),
        Binding("escape", "cancel", "Cancel", id="filter.cancel"),
        Binding("ctrl+r", "reset", "Reset", id="filter.reset"),
    ]

    def __init__(self, current: InboxFilter, operator: str,
                 accounts: list[tuple[str, str]] | None = None) -> None:
        """``accounts`` are (account id, handle) pairs, for ``account:@handle`` terms."""
        super().__init__()
        self.current = current
        self.operator = operator
        self.accounts = accounts or []

    def compose(self) -> ComposeResult:
        flt = self.current
        with Vertical() as box:
            box.border_title = Text("Filter")
            yield Input(value=format_query(flt, dict(self.accounts)),
                        placeholder="words, or account:@handle kind:dm tag:vip assignee:bob",
                        id="filter-text")
            with RadioSet(id="filter-status"):
                for value, label in _STATUS_CHOICES:
                    yield RadioButton(label, value=flt.status == value, name=value or "all")
            with Horizontal():
                yield Checkbox("Breached only", flt.breached is True, id="filter-breached")
                yield Checkbox("Unassigned", flt.assignee == "-", id="filter-unassigned")
                yield Checkbox("Mine", bool(flt.assignee) and flt.assignee == self.operator, id="filter-mine")
            yield Label(Text(""), id="filter-error", classes="prompt--error -empty")
            yield Label(Text("Enter applies · Tab moves · Space toggles · Ctrl+R resets · Esc cancels"),
                        classes="prompt--hint")

    def on_mount(self) -> None:
        for button in self.query("Checkbox, RadioButton"):
            _mark(button)

    @on(Checkbox.Changed)
    @on(RadioSet.Changed)
    def remark(self) -> None:
        for button in self.query("Checkbox, RadioButton"):
            _mark(button)

    @on(Checkbox.Changed, "#filter-unassigned")
    def unassigned_changed(self, event: Checkbox.Changed) -> None:
        if event.value:
            self.query_one("#filter-mine", Checkbox).value = False

    @on(Checkbox.Changed, "#filter-mine")
    def mine_changed(self, event: Checkbox.Changed) -> None:
        if event.value:
            self.query_one("#filter-unassigned", Checkbox).value = False

    def action_apply(self) -> None:
        radio = self.query_one("#filter-status", RadioSet)
        index = radio.pressed_index
        status = _STATUS_CHOICES[index][0] if index >= 0 else self.current.status
        assignee = self.current.assignee
        if self.query_one("#filter-unassigned", Checkbox).value:
            assignee = "-"
        elif self.query_one("#filter-mine", Checkbox).value:
            assignee = self.operator
        elif assignee in ("-", self.operator):
            assignee = ""
        breached = True if self.query_one("#filter-breached", Checkbox).value else None
        query = self.query_one("#filter-text", Input).value.strip()
        toggled = InboxFilter(status=status, assignee=assignee, breached=breached)
        try:
            flt = parse_query(query, toggled, self.accounts)
        except ValueError as error:
            label = self.query_one("#filter-error", Label)
            label.update(Text(str(error)))
            label.remove_class("-empty")
            return
        self.dismiss(flt)

    def action_reset(self) -> None:
        self.dismiss(InboxFilter())

    def action_cancel(self) -> None:
        self.dismiss(None)
