"""Pick a saved reply from the content library: type to filter, Enter inserts.

The library decides what is offered (approved, not expired, not retired);
the picker loads that list in a thread worker so opening it never waits on
the store, and shows each reply as its title plus its first line. Saved
replies are written by colleagues: untrusted text, shown as plain ``Text``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from console.errors import ConsoleError
from console.untrusted import one_line
from screens.widgets.prompts import PROMPT_CSS

EMPTY_LIBRARY = ("No saved replies are approved yet. Add one with `socops library add saved-reply "
                 "--title T --text TEXT` and ask someone else to approve it.")


class SavedReply(Protocol):
    """What the picker needs of a library asset."""

    id: str
    title: str
    text: str


def first_line(text: str) -> str:
    """The first non-blank line of ``text`` (what a row previews)."""
    return next((line for line in text.splitlines() if line.strip()), "")


def matches(reply: SavedReply, words: Sequence[str]) -> bool:
    """Whether every word (case-insensitive) is in the reply's title or text."""
    haystack = f"{reply.title}\n{reply.text}".casefold()
    return all(word in haystack for word in words)


class SavedReplyPicker(ModalScreen[str | None]):
    """Choose one of the usable saved replies; dismisses with its text (None on Escape)."""

    DEFAULT_CSS = "SavedReplyPicker {" + PROMPT_CSS + """
        & > Vertical { width: 90; }
        OptionList { height: auto; max-height: 14; border: none; padding: 0; }
        #picker-status { color: $text-muted; height: auto; }
    }"""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
        Binding("down", "move(1)", "Next", show=False, id="picker.down"),
        Binding("up", "move(-1)", "Previous", show=False, id="picker.up"),
        Binding("pagedown", "move(8)", "Page down", show=False, id="picker.page_down"),
        Binding("pageup", "move(-8)", "Page up", show=False, id="picker.page_up"),
    ]

    class Loaded(Message):
        """The library answered: the saved replies, or why there are none."""

        def __init__(self, replies: list[SavedReply], problem: str = "") -> None:
            super().__init__()
            self.replies = replies
            self.problem = problem

    def __init__(self, load: Callable[[], Sequence[SavedReply]]) -> None:
        """``load`` runs in a thread: the usable saved replies, as the logged-in user."""
        super().__init__()
        self.load = load
        self.replies: list[SavedReply] = []
        self.shown: list[SavedReply] = []
        self.loaded = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Saved replies")
            yield Input(placeholder="type to filter by title or words", id="picker-filter")
            yield OptionList(id="picker-list")
            yield Static(Text("Loading…"), id="picker-status")
            yield Static(Text("Enter inserts at the cursor · ↑↓ choose · Escape cancels"),
                         classes="prompt--hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        self._load()

    @work(thread=True, group="saved-replies", exit_on_error=False)
    def _load(self) -> None:
        try:
            replies = list(self.load())
        except ConsoleError as error:   # e.g. no permission to read the library
            self.post_message(self.Loaded([], str(error)))
            return
        self.post_message(self.Loaded(replies))

    def on_saved_reply_picker_loaded(self, message: Loaded) -> None:
        self.loaded = True
        self.replies = message.replies
        self._show(message.problem)

    @on(Input.Changed)
    def refilter(self) -> None:
        if self.loaded:
            self._show()

    def _show(self, problem: str = "") -> None:
        words = self.query_one(Input).value.casefold().split()
        self.shown = [reply for reply in self.replies if matches(reply, words)]
        options = self.query_one(OptionList)
        options.clear_options()
        options.add_options([self._option(reply) for reply in self.shown])
        if self.shown:
            options.highlighted = 0
        if problem:
            status = problem
        elif not self.replies:
            status = EMPTY_LIBRARY
        elif not self.shown:
            status = "Nothing matches; change the filter."
        else:
            status = f"{len(self.shown)} of {len(self.replies)} saved replies"
        self.query_one("#picker-status", Static).update(Text(status))

    @staticmethod
    def _option(reply: SavedReply) -> Option:
        prompt = Text.assemble((one_line(reply.title, 80), "bold"), "\n  ",
                               (one_line(first_line(reply.text), 80), "dim"))
        return Option(prompt, id=reply.id)

    def action_move(self, step: int) -> None:
        options = self.query_one(OptionList)
        if not self.shown:
            return
        current = options.highlighted if options.highlighted is not None else 0
        options.highlighted = max(0, min(len(self.shown) - 1, current + step))

    @on(Input.Submitted)
    def choose_highlighted(self, event: Input.Submitted) -> None:
        event.stop()
        index = self.query_one(OptionList).highlighted
        if self.shown and index is not None:
            self.dismiss(self.shown[index].text)

    @on(OptionList.OptionSelected)
    def choose_clicked(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        self.dismiss(self.shown[event.option_index].text)

    def action_cancel(self) -> None:
        self.dismiss(None)
