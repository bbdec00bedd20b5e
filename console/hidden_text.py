"""Characters a reader cannot see: which they are, and how to show them.

A text can hold characters that do not look like anything on a screen yet
change what is sent: terminal controls, bidirectional overrides that make a
line read differently from how it is stored ("Trojan Source"), and invisible
characters that split a word so that a reader (and a banned-phrase check)
misses it. This module is the one definition of those characters, used by
the content policy (``console/policy``: ``text.control``, ``text.bidi``,
``text.invisible``), by :mod:`console.untrusted` (which removes them from list
rows), and by every place a person reviews text, which shows them with
:func:`reveal`.

Three kinds:

- ``control``: C0 controls but tab and newline (the CR of a CRLF line end is
  part of the line end), DEL, and the C1 controls.
- ``bidi``: the embeddings, overrides and isolates (U+202A–U+202E,
  U+2066–U+2069), always; the marks (LRM, RLM, ALM) only on a line without
  right-to-left letters, as mixed Hebrew or Arabic text needs them.
- ``invisible``: zero-width space, word joiner, invisible operators, byte order
  mark, soft hyphen, line and paragraph separators, Hangul fillers, deprecated
  format characters and tag characters. Two of them are part of ordinary
  writing and count only outside it: the zero-width joiner between emoji
  (👨‍👩‍👧, ❤️‍🔥) and the joiner and non-joiner inside Arabic-script and Indic
  words (Persian می‌خواهم); tag characters only outside an emoji flag (🏴 + tags).

:func:`reveal` shows each such character: a control picture for C0 controls
and DEL (``␛``, ``␇``), ``⟨U+202E⟩`` for the others. It is reversible
(:func:`unreveal`), so an editor can hold the revealed text and give back the
real one: a literal control picture, or a literal ``⟨`` that starts such a
notation, is itself shown as a notation.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

CONTROL = "control"
BIDI = "bidi"
INVISIBLE = "invisible"
KINDS = (CONTROL, BIDI, INVISIBLE)

# Character classes (for regular expressions). Tab and newline are text.
CONTROL_CHARACTERS = "\x00-\x08\x0b-\x1f\x7f-\x9f"
BIDI_CONTROLS = "\u202a-\u202e\u2066-\u2069"
_BIDI_MARKS = "\u200e\u200f\u061c"
_JOINERS = "\u200c\u200d"
_TAGS = "\U000e0001\U000e0020-\U000e007f"
_INVISIBLE = ("\u00ad\u115f\u1160\u180e\u200b\u2028\u2029\u2060-\u2064\u206a-\u206f\u3164\ufeff\uffa0"
              + _JOINERS + _TAGS)

#: Every character that can be hidden, whatever its neighbours (a character class).
HIDDEN_CHARACTERS = f"{CONTROL_CHARACTERS}{BIDI_CONTROLS}{_BIDI_MARKS}{_INVISIBLE}"
_CANDIDATE = re.compile(f"[{HIDDEN_CHARACTERS}]")
_CONTROL = re.compile(f"[{CONTROL_CHARACTERS}]")
_BIDI_CONTROL = re.compile(f"[{BIDI_CONTROLS}]")

_ZWJ = "\u200d"
_BLACK_FLAG = "\U0001f3f4"
_CANCEL_TAG = "\U000e007f"
# Between an emoji and a ZWJ: its presentation selector and skin tone.
_EMOJI_TAIL = frozenset("\ufe0f\U0001f3fb\U0001f3fc\U0001f3fd\U0001f3fe\U0001f3ff")
# Scripts whose words use the zero-width joiner and non-joiner: Arabic and
# Syriac, Thaana, N'Ko, the Indic scripts, Tibetan, Myanmar, Khmer, Mongolian,
# Arabic presentation forms, and the Brahmic scripts of the supplementary plane.
_JOINING_SCRIPT = re.compile(
    "[\u0600-\u06ff\u0700-\u074f\u0750-\u07bf\u07c0-\u07ff\u0870-\u08ff\u0900-\u0dff\u0f00-\u0fff"
    "\u1000-\u109f\u1780-\u17ff\u1800-\u18af\ua8e0-\ua8ff\ufb50-\ufdff\ufe70-\ufefc\U00011000-\U00011fff]"
)

_C0_NAMES = ("NUL", "SOH", "STX", "ETX", "EOT", "ENQ", "ACK", "BEL", "BS", "HT", "LF", "VT", "FF", "CR",
             "SO", "SI", "DLE", "DC1", "DC2", "DC3", "DC4", "NAK", "SYN", "ETB", "CAN", "EM", "SUB", "ESC",
             "FS", "GS", "RS", "US")
_NAMES = {"\ufeff": "byte order mark", "\u200e": "left-to-right mark", "\u200f": "right-to-left mark"}

# A terminal control sequence is one finding with its parameters: CSI (ESC [ ...),
# OSC ended by BEL or ST on the same line, a two-character escape, 8-bit CSI.
_SEQUENCE = re.compile(
    r"\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b\x9c\n]{0,200}(?:\x07|\x1b\\|\x9c)|[ -/]*[0-~])"
    r"|\x9b[0-?]*[ -/]*[@-~]"
)

# What reveal writes, and so what unreveal reads back.
_PICTURES = "\u2400-\u241f\u2421"
_NOTATION = re.compile(r"⟨U\+([0-9A-F]{4,6})⟩")
_TO_LOOK_AT = re.compile(f"[{CONTROL_CHARACTERS}{BIDI_CONTROLS}{_BIDI_MARKS}{_INVISIBLE}{_PICTURES}⟨]")
_PICTURE = re.compile(f"[{_PICTURES}]")
#: Matches what :func:`reveal` wrote for a character (for showing it in another style).
REVEALED = re.compile(f"[{_PICTURES}]|{_NOTATION.pattern}")


@dataclass(frozen=True)
class HiddenRun:
    """Hidden characters of one kind next to each other (a control sequence with its
    parameters): ``text[start:end]``."""

    kind: str
    start: int
    end: int


# -- which characters ---------------------------------------------------------------------
def hidden_kind(text: str, index: int) -> str | None:
    """The kind of hidden character at ``text[index]``, or None when a reader needs
    nothing shown there (ordinary text, or a joiner or mark where writing needs it)."""
    ch = text[index]
    if _CONTROL.match(ch):
        if ch == "\r" and text.startswith("\n", index + 1):
            return None                              # a CRLF line end
        return CONTROL
    if _BIDI_CONTROL.match(ch):
        return BIDI
    if ch in _BIDI_MARKS:
        return None if _right_to_left_line(text, index) else BIDI
    if ch in _JOINERS:
        return None if _joins_writing(text, index) else INVISIBLE
    if "\U000e0000" <= ch <= "\U000e007f":
        return None if _in_emoji_flag(text, index) else INVISIBLE
    if _CANDIDATE.match(ch):
        return INVISIBLE
    return None


def hidden_runs(text: str) -> list[HiddenRun]:
    """Every hidden character of ``text``, in runs: adjacent characters of one kind
    together, a terminal control sequence with its parameters."""
    runs: list[HiddenRun] = []
    pos = 0
    while (m := _CANDIDATE.search(text, pos)) is not None:
        start = m.start()
        kind = hidden_kind(text, start)
        if kind is None:
            pos = start + 1
            continue
        end = _unit_end(text, start, kind)
        while end < len(text) and hidden_kind(text, end) == kind:
            end = _unit_end(text, end, kind)
        runs.append(HiddenRun(kind, start, end))
        pos = end
    return runs


def _unit_end(text: str, index: int, kind: str) -> int:
    """The end of the hidden character at ``index``, or of the control sequence it starts."""
    if kind == CONTROL and (sequence := _SEQUENCE.match(text, index)) is not None:
        return sequence.end()
    return index + 1


def _right_to_left_line(text: str, index: int) -> bool:
    start = text.rfind("\n", 0, index) + 1
    end = text.find("\n", index)
    line = text[start:end if end >= 0 else len(text)]
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in line if ch not in _BIDI_MARKS)


def _is_emoji(ch: str) -> bool:
    # A symbol, but not a control picture: reveal() writes those, and shows them as notations.
    return unicodedata.category(ch) == "So" and not "\u2400" <= ch <= "\u243f"


def _joins_writing(text: str, index: int) -> bool:
    """A ZWJ between emoji, or a ZWJ/ZWNJ after a letter or mark of a script that
    uses them, before another (or after a virama: Malayalam chillu, Sinhala)."""
    before = index - 1
    after = text[index + 1] if index + 1 < len(text) else ""
    if text[index] == _ZWJ:
        while before >= 0 and text[before] in _EMOJI_TAIL:
            before -= 1
        if before >= 0 and _is_emoji(text[before]) and after and _is_emoji(after):
            return True
    previous = text[index - 1] if index else ""
    if not _joining_letter(previous):
        return False
    return _joining_letter(after) or unicodedata.category(previous).startswith("M")


def _joining_letter(ch: str) -> bool:
    """A letter or mark of a script whose words use ZWJ and ZWNJ."""
    return bool(ch) and _JOINING_SCRIPT.match(ch) is not None and unicodedata.category(ch)[0] in "LM"


def _in_emoji_flag(text: str, index: int) -> bool:
    """A tag character of a flag: 🏴, tag characters, the cancel tag (🏴󠁧󠁢󠁳󠁣󠁴󠁿)."""
    start = index
    while start > 0 and "\U000e0020" <= text[start - 1] <= "\U000e007e":
        start -= 1
    if start == 0 or text[start - 1] != _BLACK_FLAG or text[index] == "\U000e0001":
        return False
    end = index
    while end < len(text) and "\U000e0020" <= text[end] <= "\U000e007e":
        end += 1
    return end < len(text) and text[end] == _CANCEL_TAG


# -- naming and showing them -----------------------------------------------------------------
def character_name(ch: str) -> str:
    """``BEL``, ``ESC``, ``right-to-left override``, ``zero width space``..."""
    code = ord(ch)
    if code < 0x20:
        return _C0_NAMES[code]
    if code == 0x7F:
        return "DEL"
    if 0x80 <= code <= 0x9F:
        return f"C1 control U+{code:04X}"
    return _NAMES.get(ch) or unicodedata.name(ch, f"U+{code:04X}").lower()


def notation(ch: str) -> str:
    """How :func:`reveal` shows one character: ``␇`` (C0 and DEL) or ``⟨U+202E⟩``."""
    code = ord(ch)
    if code < 0x20:
        return chr(0x2400 + code)
    if code == 0x7F:
        return "\u2421"
    return f"⟨U+{code:04X}⟩"


def reveal(text: str, start: int = 0, end: int | None = None) -> str:
    """``text[start:end]`` with every hidden character shown (``␛``, ``⟨U+202E⟩``).

    Whether a joiner or mark is hidden depends on its neighbours, which are read
    in the whole ``text``. Nothing a terminal acts on is left but tab and newline."""
    end = len(text) if end is None else end
    shown: list[str] = []
    pos = start
    for m in _TO_LOOK_AT.finditer(text, start, end):
        index = m.start()
        ch = text[index]
        if hidden_kind(text, index) is not None:
            replacement = notation(ch)
        elif _PICTURE.match(ch) or (ch == "⟨" and _reads_back(_NOTATION.match(text, index)) is not None):
            replacement = f"⟨U+{ord(ch):04X}⟩"      # so that it cannot be read back as something else
        else:
            continue
        shown += (text[pos:index], replacement)
        pos = index + 1
    if not shown:
        return text[start:end]
    shown.append(text[pos:end])
    return "".join(shown)


def remove_hidden(text: str) -> tuple[str, list[str]]:
    """``text`` without its hidden characters (a control sequence with its parameters),
    and each run removed as :func:`reveal` shows it: for places that cannot show them."""
    kept: list[str] = []
    removed: list[str] = []
    pos = 0
    for run in hidden_runs(text):
        kept.append(text[pos:run.start])
        removed.append(reveal(text, run.start, run.end))
        pos = run.end
    kept.append(text[pos:])
    return "".join(kept), removed


def revealed_offset(text: str, offset: int) -> int:
    """Where ``text[offset]`` is in ``reveal(text)``."""
    return len(reveal(text, 0, offset))


def _reads_back(m: re.Match | None) -> str | None:
    """The character a ``⟨U+XXXX⟩`` written by :func:`reveal` stands for (else None)."""
    if m is None:
        return None
    code = int(m.group(1), 16)
    if code > 0x10FFFF or m.group(1) != f"{code:04X}":
        return None
    ch = chr(code)
    if ch == "⟨" or _PICTURE.match(ch) or (_CANDIDATE.match(ch) and ch not in "\t\n"):
        return ch
    return None


def unreveal(shown: str) -> str:
    """The text that :func:`reveal` showed as ``shown``: ``unreveal(reveal(t)) == t``."""
    def back(m: re.Match) -> str:
        if m.group(1) is None:
            picture = ord(m.group())
            return "\x7f" if picture == 0x2421 else chr(picture - 0x2400)
        ch = _reads_back(m)
        return m.group() if ch is None else ch

    return REVEALED.sub(back, shown)


__all__ = ["BIDI", "BIDI_CONTROLS", "CONTROL", "CONTROL_CHARACTERS", "HIDDEN_CHARACTERS", "INVISIBLE", "KINDS",
           "REVEALED",
           "HiddenRun", "character_name", "hidden_kind", "hidden_runs", "notation", "remove_hidden",
           "reveal", "revealed_offset", "unreveal"]
