"""Pure text helpers for the screens: ages, SLA countdowns, clock times, and
text under review with its hidden characters shown.

Kept free of Textual so they can be tested on their own and reused by every
panel that shows times.
"""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text

from console.hidden_text import REVEALED, reveal
from console.untrusted import one_line

#: How a hidden character's notation stands out in a text under review (no colour needed).
HIDDEN_STYLE = Style(reverse=True)


def revealed_text(text: str, style: Style | str = "", hidden_style: Style = HIDDEN_STYLE, *,
                  line_limit: int | None = None) -> Text:
    """``text`` as a person deciding on it must read it: every hidden character shown
    where it is (``␛``, ``⟨U+202E⟩``, in ``hidden_style``), never written raw, never markup.
    With ``line_limit``, folded onto one line of at most that many characters."""
    shown_text = reveal(text)
    if line_limit is not None:
        # After reveal(): the controls str.split() counts as whitespace are notations by now.
        shown_text = one_line(shown_text, line_limit)
    shown = Text(shown_text, style=style)
    shown.highlight_regex(REVEALED, hidden_style)
    return shown


def duration_text(seconds: float) -> str:
    """A compact duration: ``45m``, ``3h05m``, ``2d4h``; negative gets a leading ``-``."""
    if seconds < 0:
        minutes = math.ceil(-seconds / 60)
        return "-" + _minutes_text(minutes)
    return _minutes_text(int(seconds // 60))


def _minutes_text(minutes: int) -> str:
    # At most six cells even with a sign: precision shrinks as the number grows.
    if minutes < 60:
        return f"{minutes}m"
    hours, minutes = divmod(minutes, 60)
    if hours < 10:
        return f"{hours}h{minutes:02d}m"
    if hours < 24:
        return f"{hours}h"
    days, hours = divmod(hours, 24)
    return f"{days}d{hours}h" if days < 10 else f"{days}d"


def age_text(since: datetime, now: datetime) -> str:
    """How long ago ``since`` was, in one unit: ``now``, ``4m``, ``3h``, ``2d``, ``5w``."""
    seconds = (now - since).total_seconds()
    if seconds < 60:
        return "now"
    minutes = int(seconds // 60)
    if minutes < 60:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 48:
        return f"{hours}h"
    days = hours // 24
    if days < 100:
        return f"{days}d"
    return f"{days // 7}w"


def sla_text(remaining: float | None) -> str:
    """The SLA countdown column: blank when no SLA is running."""
    if remaining is None:
        return ""
    return duration_text(remaining)


def clock_text(moment: datetime | None, now: datetime, tz: tzinfo | None) -> str:
    """``14:05`` today, ``Mar 3 14:05`` another day (in ``tz``; None means local time)."""
    if moment is None:
        return "-"
    local = moment.astimezone(tz)
    today = now.astimezone(tz)
    if local.date() == today.date():
        return local.strftime("%H:%M")
    if local.year == today.year:
        return f"{local.strftime('%b')} {local.day} {local.strftime('%H:%M')}"
    return local.strftime("%Y-%m-%d %H:%M")


def count_text(value: int) -> str:
    """A count with thousands separators (``12,345``)."""
    return f"{value:,}"
