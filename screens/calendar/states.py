"""How each calendar state looks: a letter (so it reads without colour, on 16
colours or NO_COLOR) and a colour from the theme, shared by the agenda, the
week and the month views.

The letters are the read model's (``console.publishing.STATE_LETTERS``)::

    D draft     R in approval     A approved      S scheduled    P publishing
    O published  L partly published  F failed   C needs check   H held   M missed
    X deleted
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from console.publishing import CALENDAR_STATES, STATE_LETTERS

#: Theme colours per state: what needs someone stands out, what is done recedes.
STATE_COLOURS = {
    "draft": "color: $text-muted;",
    "in approval": "color: $text-accent;",
    "approved": "color: $text-primary;",
    "scheduled": "color: $foreground; text-style: bold;",
    "publishing": "color: $text-warning; text-style: bold;",
    "published": "color: $text-success;",
    "partly published": "color: $text-warning; text-style: bold;",
    "failed": "color: $text-error; text-style: bold;",
    "needs check": "color: $text-error; text-style: bold reverse;",
    "held": "color: $text-warning;",
    "missed": "color: $text-error;",
    "deleted": "color: $text-muted; text-style: strike;",
}
#: The order of the month view's letter counts: what needs someone first.
ATTENTION_ORDER = ("failed", "needs check", "missed", "partly published", "held", "publishing", "scheduled",
                   "approved", "in approval", "draft", "published", "deleted")


def slug(state: str) -> str:
    return state.replace(" ", "-")


def state_css(widget: str) -> str:
    """The component classes of every state for ``widget`` (its DEFAULT_CSS)."""
    return "\n".join(f"{widget} > .calendar-state--{slug(state)} {{ {STATE_COLOURS[state]} }}"
                     for state in CALENDAR_STATES)


STATE_CLASSES = {f"calendar-state--{slug(state)}" for state in CALENDAR_STATES}


def state_style(widget: Widget, state: str) -> Style:
    return widget.get_component_rich_style(f"calendar-state--{slug(state)}", partial=True)


def legend() -> Text:
    """Every letter with its state, for the help line: ``D draft · R in approval · ...``."""
    return Text(" · ".join(f"{STATE_LETTERS[state]} {state}" for state in CALENDAR_STATES))


def letter_counts(counts: dict[str, int]) -> list[tuple[str, str]]:
    """``[("failed", "F1"), ("scheduled", "S9"), ("published", "O2")]``: how many entries
    of each state, what needs someone first."""
    return [(state, f"{STATE_LETTERS[state]}{counts[state]}") for state in ATTENTION_ORDER if counts.get(state)]
