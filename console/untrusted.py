"""Make text that came from a platform safe to put on a terminal.

Platform text is untrusted. Two things can go wrong when it is displayed:
terminal control sequences (ESC, CSI, OSC, C1 controls) that move the cursor,
retitle the window or worse; and Rich markup such as ``[bold]`` or
``[link=...]`` being interpreted. :func:`printable` removes the first; the
second is the display layer's duty (always build ``rich.text.Text`` from the
string, never markup), and :func:`printable` does not touch brackets so that
text shows exactly as typed.

Removing is right for list rows, where a line must keep its width. Where a
person reads a text closely to decide on it (an approval, a conversation,
``post show``) the hidden characters are shown instead, with
:func:`console.hidden_text.reveal`: a reviewer must see that a text holds a
right-to-left override, not a cleaned version of it.
"""

from __future__ import annotations

import re

from console.graphemes import cut_graphemes
from console.hidden_text import BIDI_CONTROLS, CONTROL_CHARACTERS

# ESC-introduced sequences: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST),
# DCS/SOS/PM/APC (ESC P/X/^/_ ... ST), and two-byte escapes (ESC + one char).
_ESCAPE_SEQUENCE = re.compile(
    r"""
    \x1b\[[0-?]*[ -/]*[@-~]?           # CSI
    | \x1b\][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?   # OSC
    | \x1b[PX^_][^\x1b\x9c]*(?:\x1b\\|\x9c)?        # DCS, SOS, PM, APC
    | \x1b[ -/]*[0-~]?                 # other escapes (and a lone ESC)
    | \x9b[0-?]*[ -/]*[@-~]?           # 8-bit CSI
    | \x9d[^\x07\x9c]*(?:\x07|\x9c)?   # 8-bit OSC
    | [\x90\x98\x9e\x9f][^\x9c]*\x9c?  # 8-bit DCS, SOS, PM, APC
    """,
    re.VERBOSE,
)
# Remaining C0 controls (but tab and newline), DEL, C1 controls, and the
# bidirectional overrides that can make text read differently than it is
# stored ("Trojan Source"); ordinary right-to-left text needs none of them.
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}{BIDI_CONTROLS}]")


def printable(text: str) -> str:
    """``text`` without terminal control sequences; newlines and tabs are kept."""
    if text.isprintable():
        return text
    text = text.replace("\r\n", "\n")
    text = _ESCAPE_SEQUENCE.sub("", text)
    return _CONTROL.sub("", text.replace("\r", "\n"))


def one_line(text: str, limit: int | None = None) -> str:
    """``printable`` text folded onto one line (for list rows), optionally cut to
    ``limit`` characters as a reader counts them (never inside an emoji sequence)."""
    flat = " ".join(printable(text).split())
    if limit is not None and len(flat) > limit:
        return cut_graphemes(flat, limit)
    return flat
