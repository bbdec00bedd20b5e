"""Toasts never cover the focused widget.

Textual stacks toasts at the bottom right, and at 80x24 that is where the
field being typed in often is. So the app keeps each screen's toasts on the
side, top or bottom, with more room beside the focused widget
(:func:`face_away`: when the focus moves, when a toast is raised, after a
resize); toasts stack from that edge, so if they do not fit there they fit
nowhere. A toast that covers the focused widget all the same (a tall editor,
a long message) is hidden, and the caller says its text on the panel's
message line (:func:`covering_toasts`).

Standing conditions never come here: they are flags in the status bar
(:mod:`screens.conditions`). Toasts are for one-off events.
"""

from __future__ import annotations

from textual.screen import Screen
from textual.widget import Widget

#: On a screen: its toasts stack at the top right, under the status bar.
TOASTS_AT_TOP = "-toasts-top"
#: On a toast: hidden, because it covered the focused widget; said elsewhere.
WITHHELD = "-withheld"
#: Rows Textual keeps free under toasts at the bottom (the footer's).
BOTTOM_MARGIN = 1
#: The toast severities, as Textual names them in a toast's classes.
SEVERITIES = ("error", "warning", "information")


def face_away(screen: Screen) -> None:
    """Stack ``screen``'s toasts on the side of its focused widget that has more rows free."""
    focused = screen.focused
    if focused is None or not focused.region:
        return
    above = focused.region.y
    below = screen.size.height - BOTTOM_MARGIN - focused.region.bottom
    screen.set_class(above > below, TOASTS_AT_TOP)


def covering_toasts(screen: Screen) -> list[Widget]:
    """The toasts shown over ``screen``'s focused widget (none, once it has faced away)."""
    focused = screen.focused
    if focused is None or not focused.region:
        return []
    return [toast for toast in screen.query("Toast")
            if not toast.has_class(WITHHELD) and toast.region.overlaps(focused.region)]


def withhold(toast: Widget) -> tuple[str, str]:
    """Hide ``toast`` (it expires as usual); returns (one line of its text, its severity)."""
    toast.add_class(WITHHELD)
    lines = [line.strip() for line in toast.render().plain.splitlines() if line.strip()]
    severity = next((name for name in SEVERITIES if toast.has_class(f"-{name}")), "information")
    return ": ".join(lines), severity
