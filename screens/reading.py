"""The reading layout of a panel with a list and a detail pane.

Enter toggles it (the detail takes most of the room, back at its top), and
J/K page the detail without leaving the list. A panel mixes
:class:`ReadingLayout` in, names its detail pane in ``reading_pane`` and, when
the detail shows more while reading, redraws it in ``reading_toggled``.
"""

from __future__ import annotations

from textual.widget import Widget


class ReadingLayout:
    """Enter, J and K for a panel's detail pane (see the module)."""

    @property
    def reading_pane(self) -> Widget:
        raise NotImplementedError

    def reading_toggled(self) -> None:
        """The layout just changed (``-reading`` on or off): redraw what depends on it."""

    def action_open(self) -> None:
        """Toggle the reading layout: the detail takes most of the room."""
        self.toggle_class("-reading")  # type: ignore[attr-defined]
        self.reading_toggled()
        self.reading_pane.scroll_home(animate=False)

    def action_detail_down(self) -> None:
        self.reading_pane.scroll_page_down(animate=False)

    def action_detail_up(self) -> None:
        self.reading_pane.scroll_page_up(animate=False)
