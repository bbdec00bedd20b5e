"""A text editor that shows the characters a reader cannot see, and never writes them raw.

Textual's ``TextArea`` draws a line's characters as they are: a pasted
right-to-left override (U+202E) or ESC goes to the terminal raw, where it
reverses the rest of the line or starts an escape sequence, while the editor's
layout counts it as zero cells wide. So the writer saw a different text from
the one they were about to send.

:class:`RevealingTextArea` holds its text the way every review screen shows it,
``console.hidden_text.reveal`` (``␛``, ``␇``, ``⟨U+202E⟩``): each edit that enters
it (typing, paste, an inserted saved reply) is revealed first, so the layout, the
cursor and the terminal all see ordinary characters, and the writer sees what
the approver will see. :attr:`written_text` gives the real text back
(``unreveal``) and :meth:`load_written` puts one in; ``text`` stays the text as
shown. Deleting a hidden character means deleting its notation (F8 in
Compose selects it). A notation typed by hand (``⟨U+200B⟩``) is that character,
as it would be shown the same way.
"""

from __future__ import annotations

from rich.text import Text
from textual.widgets import TextArea
from textual.widgets.text_area import Edit, EditResult

from console.hidden_text import REVEALED, reveal, revealed_offset, unreveal


class RevealingTextArea(TextArea):
    """A ``TextArea`` whose hidden characters show as notations, marked in reverse video."""

    DEFAULT_CSS = """
    RevealingTextArea > .revealing-text-area--hidden { text-style: reverse; }
    """

    COMPONENT_CLASSES = TextArea.COMPONENT_CLASSES | {"revealing-text-area--hidden"}

    def __init__(self, text: str = "", **options) -> None:
        """``text`` is the real text (with its hidden characters)."""
        super().__init__(reveal(text), **options)

    @property
    def written_text(self) -> str:
        """The text as written, hidden characters and all: what is saved or sent."""
        return unreveal(self.text)

    def load_written(self, text: str) -> None:
        """Show the real ``text`` (replacing the editor's content and its undo history)."""
        self.load_text(reveal(text))

    def shown_offset(self, written: str, offset: int) -> int:
        """Where ``written[offset]`` is in the editor's text (``written`` as in :attr:`written_text`)."""
        return revealed_offset(written, offset)

    def edit(self, edit: Edit) -> EditResult:
        """Every edit enters revealed: a pasted U+202E arrives as ``⟨U+202E⟩``."""
        shown = reveal(edit.text)
        if shown != edit.text:
            edit = Edit(shown, edit.from_location, edit.to_location, edit.maintain_selection_offset)
        return super().edit(edit)

    def get_line(self, line_index: int) -> Text:
        line = super().get_line(line_index)
        line.highlight_regex(REVEALED, self.get_component_rich_style("revealing-text-area--hidden", partial=True))
        return line


__all__ = ["RevealingTextArea"]
