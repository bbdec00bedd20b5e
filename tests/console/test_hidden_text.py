"""Which characters a reader cannot see, and how review screens show them."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings, strategies as st

from console.hidden_text import (
    BIDI,
    CONTROL,
    INVISIBLE,
    REVEALED,
    HiddenRun,
    character_name,
    hidden_runs,
    remove_hidden,
    reveal,
    revealed_offset,
    unreveal,
)
from console.untrusted import printable

# Real writing that uses joiners, marks and tag characters as they are meant.
ORDINARY = [
    "Family day 👨\u200d👩\u200d👧 at the lake",                 # ZWJ family
    "Heart on fire ❤️\u200d🔥",                                   # ZWJ after an emoji + VS16
    "Pride 🏳️\u200d🌈 and 👩🏽\u200d💻 coders, 🏃\u200d♀️ runners, 🐻\u200d❄️",
    "Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f wins",  # flag tag sequence
    "می\u200cخواهم این کاپشن را بخرم",                            # Persian ZWNJ
    "क्\u200dष and क्\u200cष",                                    # Devanagari ZWJ / ZWNJ after the virama
    "അവന്\u200d പോയി",                                             # Malayalam chillu (ZWJ ends the word)
    "ශ්\u200dරී ලංකා",                                              # Sinhala
    "مرحبا بالعالم، كيف حالك؟",                                    # Arabic
    "שלום עולם!\u200f 100 ₪",                                       # Hebrew with a right-to-left mark
    "مرحبا\u061c 123",                                             # Arabic letter mark
    "Two lines\nand a\ttab, and a CRLF\r\nline end",
    "Plain text with ␛ and ⟨ brackets ⟩",
    "",
]

HOSTILE = [
    ("a\x1b[2Jb", [HiddenRun(CONTROL, 1, 5)], "a␛[2Jb"),
    ("t\x1b]0;pwned\x07x", [HiddenRun(CONTROL, 1, 11)], "t␛]0;pwned␇x"),
    ("bell\x07\x07", [HiddenRun(CONTROL, 4, 6)], "bell␇␇"),
    ("c1\x9b31m", [HiddenRun(CONTROL, 2, 6)], "c1⟨U+009B⟩31m"),
    ("del\x7f", [HiddenRun(CONTROL, 3, 4)], "del␡"),
    ("lone\rcr", [HiddenRun(CONTROL, 4, 5)], "lone␍cr"),
    ("abc\u202edcba", [HiddenRun(BIDI, 3, 4)], "abc⟨U+202E⟩dcba"),
    ("x\u2067y\u2069", [HiddenRun(BIDI, 1, 2), HiddenRun(BIDI, 3, 4)], "x⟨U+2067⟩y⟨U+2069⟩"),
    ("price\u200f 100", [HiddenRun(BIDI, 5, 6)], "price⟨U+200F⟩ 100"),  # an RLM with no RTL text
    ("free\u200bmoney", [HiddenRun(INVISIBLE, 4, 5)], "free⟨U+200B⟩money"),
    ("\ufeffHello", [HiddenRun(INVISIBLE, 0, 1)], "⟨U+FEFF⟩Hello"),
    ("cheap\u00adest", [HiddenRun(INVISIBLE, 5, 6)], "cheap⟨U+00AD⟩est"),
    ("pass\u200dword", [HiddenRun(INVISIBLE, 4, 5)], "pass⟨U+200D⟩word"),      # ZWJ between Latin letters
    ("👨\u200dhello", [HiddenRun(INVISIBLE, 1, 2)], "👨⟨U+200D⟩hello"),          # ZWJ not between emoji
    ("hi\U000e0069\U000e0067", [HiddenRun(INVISIBLE, 2, 4)], "hi⟨U+E0069⟩⟨U+E0067⟩"),  # smuggled tags
]


@pytest.mark.parametrize("text", ORDINARY)
def test_ordinary_writing_has_nothing_hidden_and_is_shown_as_is(text):
    assert hidden_runs(text) == []
    assert reveal(text) == text.replace("␛", "⟨U+241B⟩")
    assert unreveal(reveal(text)) == text


@pytest.mark.parametrize("text, runs, shown", HOSTILE)
def test_hidden_characters_are_found_in_runs_and_shown(text, runs, shown):
    assert hidden_runs(text) == runs
    assert reveal(text) == shown
    assert unreveal(shown) == text


def test_names_say_what_the_character_is():
    assert [character_name(ch) for ch in "\x07\x1b\x7f\u202e\u200b\ufeff\u00ad"] == [
        "BEL", "ESC", "DEL", "right-to-left override", "zero width space", "byte order mark", "soft hyphen"]
    assert character_name("\x9b") == "C1 control U+009B"


def test_a_slice_is_revealed_in_the_context_of_the_whole_text():
    family = "👨\u200d👩\u200d👧"
    text = f"us {family} and pass\u200dword"
    assert reveal(text, 3, 3 + len(family)) == family
    assert reveal(text, text.index("pass"), len(text)) == "pass⟨U+200D⟩word"
    assert revealed_offset("a\u202eb\x07c", 4) == len("a⟨U+202E⟩b␇")


def test_literal_pictures_and_notations_cannot_pass_for_hidden_characters():
    """A post that literally says "␇" or "⟨U+202E⟩" is shown so that it differs from one
    holding BEL or U+202E: the notation of a hidden character is unambiguous."""
    assert reveal("␇") == "⟨U+2407⟩" != reveal("\x07")
    assert reveal("⟨U+202E⟩") == "⟨U+27E8⟩U+202E⟩" != reveal("\u202e")
    assert reveal("⟨U+0041⟩ ⟨U+202e⟩ ⟨U+0202E⟩") == "⟨U+0041⟩ ⟨U+202e⟩ ⟨U+0202E⟩"  # never read back
    assert unreveal("⟨U+0041⟩") == "⟨U+0041⟩"


_HIDDEN_PIECES = st.sampled_from([
    "\x1b", "[2J", "\x07", "\x00", "\r", "\n", "\t", "\r\n", "\x9b", "\x7f", "\u202e", "\u2066", "\u200e",
    "\u200f", "\u061c", "\u200b", "\u200c", "\u200d", "\ufeff", "\u00ad", "\U000e0067", "\U000e007f",
    "🏴", "👨", "❤️", "\ufe0f", "🏽", "می", "क्", "שלום", "abc", " ", "␛", "␇", "␡", "⟨", "⟩", "U+", "202E",
    "⟨U+202E⟩", "⟨U+2407⟩", "⟨U+27E8⟩",
])
_TEXTS = st.one_of(st.text(max_size=80), st.lists(_HIDDEN_PIECES, max_size=30).map("".join))
_TERMINAL_ACTS_ON = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


@given(_TEXTS)
@settings(max_examples=400, deadline=None)
def test_reveal_is_reversible_and_leaves_nothing_hidden(text):
    shown = reveal(text)
    assert unreveal(shown) == text
    assert hidden_runs(shown) == []
    assert _TERMINAL_ACTS_ON.findall(shown.replace("\r\n", "\n")) == []
    runs = hidden_runs(text)
    assert all(0 <= run.start < run.end <= len(text) for run in runs)
    assert all(a.end <= b.start for a, b in zip(runs, runs[1:]))
    assert len(REVEALED.findall(shown)) >= len(runs)      # every run shows as notations


def test_remove_hidden_says_what_it_removed():
    assert remove_hidden("promo\u202e\x1b[5m 👨\u200d👩") == ("promo 👨\u200d👩", ["⟨U+202E⟩", "␛[5m"])
    assert remove_hidden("plain") == ("plain", [])


@given(_TEXTS)
@settings(max_examples=200, deadline=None)
def test_remove_hidden_leaves_nothing_hidden(text):
    kept, removed = remove_hidden(text)
    assert hidden_runs(kept) == [] and len(removed) == len(hidden_runs(text))


@given(_TEXTS)
@settings(max_examples=200, deadline=None)
def test_list_rows_still_remove_what_review_screens_show(text):
    """List rows (printable) keep removing the controls and bidi overrides review screens show."""
    kept = printable(text)
    assert _TERMINAL_ACTS_ON.findall(kept) == []
