"""Reading a draft's text the way the policy checks need it: links, mentions,
hashtags, words, and phrases matched case-insensitively.

A :class:`TextScan` is made once per distinct text per check and shared by
every rule, so the text is casefolded and its links found only once per
keystroke. Everything here works on Python string offsets of the original
text, the offsets a :class:`~console.policy.model.Finding` carries.

Words: Python's ``\\w`` leaves out combining marks (``cafe\\u0301``, Devanagari
vowel signs, Hebrew points), so a word character here is ``\\w``, a mark, or
ZWNJ/ZWJ (inside Persian and Indic words). Scripts written without spaces
(Han, kana, Thai, Lao, Khmer, Myanmar) and Hangul (whose particles attach to the
noun) are matched as substrings, everything else as whole words.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property

from integrations.text_length import find_urls

# Combining marks (Mn, Mc, Me) below U+20000 and the variation selectors
# supplement, merged across gaps that hold only \w or unassigned code points.
# tests/console/test_policy_check_text.py derives it from unicodedata again.
MARKS = (
    "\u0300-\u036F\u0483-\u0489\u0591-\u05BD\u05BF\u05C1-\u05C2\u05C4-\u05C5\u05C7\u0610-\u061A"
    "\u064B-\u065F\u0670\u06D6-\u06DC\u06DF-\u06E8\u06EA-\u06ED\u0711-\u07F3\u07FD\u0816-\u082D"
    "\u0859-\u085B\u0898-\u08E1\u08E3-\u0963\u0981-\u09E3\u09FE-\u0A75\u0A81-\u0AE3\u0AFA-\u0B63"
    "\u0B82-\u0BD7\u0C00-\u0C63\u0C81-\u0C83\u0CBC-\u0D4D\u0D57-\u0D63\u0D81-\u0DF3\u0E31-\u0E3A"
    "\u0E47-\u0E4E\u0EB1-\u0ECD\u0F18-\u0F19\u0F35\u0F37\u0F39\u0F3E-\u0F84\u0F86-\u0FBC\u0FC6"
    "\u102B-\u103E\u1056-\u109D\u135D-\u135F\u1712-\u1734\u1752-\u17D3\u17DD\u180B-\u180D"
    "\u180F-\u193B\u1A17-\u1A1B\u1A55-\u1A7F\u1AB0-\u1B44\u1B6B-\u1B73\u1B80-\u1BF3\u1C24-\u1C37"
    "\u1CD0-\u1CD2\u1CD4-\u1DFF\u20D0-\u20F0\u2CEF-\u2CF1\u2D7F-\u2DFF\u302A-\u302F\u3099-\u309A"
    "\uA66F-\uA672\uA674-\uA67D\uA69E-\uA6F1\uA802-\uA827\uA82C\uA880-\uA8C5\uA8E0-\uA8F1"
    "\uA8FF-\uA92D\uA947-\uA953\uA980-\uA9C0\uA9E5-\uAA4D\uAA7B-\uAAC1\uAAEB-\uAAEF\uAAF5-\uAAF6"
    "\uABE3-\uABEA\uABEC-\uABED\uFB1E\uFE00-\uFE0F\uFE20-\uFE2F\U000101FD-\U0001037A"
    "\U00010A01-\U00010A3F\U00010AE5-\U00010AE6\U00010D24-\U00010EAC\U00010F46-\U00010F50"
    "\U00010F82-\U00010F85\U00011000-\U00011046\U00011070-\U000110BA\U000110C2"
    "\U00011100-\U00011134\U00011145-\U00011173\U00011180-\U000111C0\U000111C9-\U000111CC"
    "\U000111CE-\U000111CF\U0001122C-\U00011237\U0001123E\U000112DF-\U00011446"
    "\U0001145E-\U000114C3\U000115AF-\U000115C0\U000115DC-\U00011640\U000116AB-\U000116B7"
    "\U0001171D-\U0001172B\U0001182C-\U0001183A\U00011930-\U00011943\U000119D1-\U000119E0"
    "\U000119E4-\U00011A3E\U00011A47-\U00011A99\U00011C2F-\U00011C3F\U00011C92-\U00011EF6"
    "\U00016AF0-\U00016AF4\U00016B30-\U00016B36\U00016F4F-\U00016F92\U00016FE4-\U00016FF1"
    "\U0001BC9D-\U0001BC9E\U0001CF00-\U0001CF46\U0001D165-\U0001D169\U0001D16D-\U0001D172"
    "\U0001D17B-\U0001D182\U0001D185-\U0001D18B\U0001D1AA-\U0001D1AD\U0001D242-\U0001D244"
    "\U0001DA00-\U0001DA36\U0001DA3B-\U0001DA6C\U0001DA75\U0001DA84\U0001DA9B-\U0001E136"
    "\U0001E2AE-\U0001E2EF\U0001E8D0-\U0001E94A\U000E0100-\U000E01EF"
)
WORD = f"[\\w{MARKS}\u200c\u200d]"

# Scripts written without spaces between words (and Hangul): phrases containing
# them match anywhere, as a word boundary means nothing there.
_UNSPACED = re.compile(
    "[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u1100-\u11ff\u3040-\u30ff\u3130-\u318f"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f]"
)

# Links without a scheme: "www." hosts, and ASCII domains with a path or a common
# TLD ("northwind.shop", "example.com/terms"). Scheme links come from find_urls.
# The top-level domain must be lower case, so "great.It's" (a missing space) is no link.
_BARE_LINK = re.compile(
    r"(?<![\w@./-])(?:[wW]{3}\.(?:[a-zA-Z0-9-]+\.)+[a-z]{2,}"
    r"|(?:[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?\.)+(?:[a-z]{2,24}(?=/)"
    r"|(?:com|org|net|edu|gov|io|co|ai|app|dev|shop|store|eu|uk|de|fr|es|it|nl|jp|social"
    r"|ly|me|tv|info|biz)\b))(?:/[^\s<>\"]*)?"
)
_LINK_TRAILING = ".,;:!?'\")]}"
# Every bare link has a host character, a dot and a lower-case letter in a row:
# the link is looked for only where those are, from the start of the host.
_DOT_TLD = re.compile(r"[a-zA-Z0-9-]\.[a-z]")
_HOST_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-")

# @user, @user@instance.social, @handle.bsky.social; never the middle of an email.
# (Patterns here start with the character they look for and only then look behind
# it: ``re`` can then skip straight to the candidates instead of trying every position.)
MENTION = re.compile(r"@(?<![\w@./+-]@)\w(?:[\w.-]*\w)?(?:@\w(?:[\w.-]*\w)?)?")
HASHTAG = re.compile(f"[#\uff03](?<![\\w{MARKS}&][#\uff03])({WORD}+)")
_HAS_NON_DIGIT = re.compile(r"[^\d]")
# Tokens for the all-caps rule: letters, marks and digits (apostrophes split words).
WORD_TOKEN = re.compile(f"{WORD}+")


@dataclass(frozen=True)
class Hashtag:
    start: int       # of the '#'
    end: int
    tag: str         # without '#', as written
    folded: str      # casefolded, for comparisons


def fold_tag(tag: str) -> str:
    """A hashtag as configured ("#Ad", "ad") in the form hashtags compare in."""
    return tag.strip().lstrip("#\uff03").casefold()


def _merge(spans: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged


def find_links(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of every link, with or without a scheme, merged and sorted."""
    spans = find_urls(text) if "://" in text else []
    pos = 0
    while (dot := _DOT_TLD.search(text, pos)) is not None:
        start = dot.start()
        while start and text[start - 1] in _HOST_CHARS:
            start -= 1
        m = _BARE_LINK.match(text, start)
        if m is None:
            pos = dot.end()
            continue
        start, end = m.span()
        pos = end
        while end > start and text[end - 1] in _LINK_TRAILING:
            end -= 1
        spans.append((start, end))
    return _merge(spans)


class SpanSet:
    """Sorted, non-overlapping spans with a fast "does this overlap one?"."""

    def __init__(self, spans: Iterable[tuple[int, int]]) -> None:
        self.spans = _merge(spans)
        self._starts = [start for start, _ in self.spans]

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_right(self._starts, end - 1) - 1
        return i >= 0 and self.spans[i][1] > start

    def __bool__(self) -> bool:
        return bool(self.spans)


@dataclass
class TextScan:
    """One text, read once: casefolded, with its links, mentions and hashtags."""

    text: str
    folded: str = field(init=False)
    _offsets: list[int] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.folded = self.text.casefold()
        if len(self.folded) != len(self.text):
            # Casefolding only ever lengthens (ß -> ss): map folded offsets back.
            offsets: list[int] = []
            for i, ch in enumerate(self.text):
                offsets.extend([i] * len(ch.casefold()))
            self._offsets = offsets

    def original(self, start: int, end: int) -> tuple[int, int]:
        """The span of the original text that folded ``[start, end)`` came from."""
        if self._offsets is None:
            return start, end
        return self._offsets[start], self._offsets[end - 1] + 1

    @cached_property
    def links(self) -> SpanSet:
        return SpanSet(find_links(self.text))

    @cached_property
    def mentions(self) -> list[tuple[int, int]]:
        if "@" not in self.text:
            return []
        return [m.span() for m in MENTION.finditer(self.text) if not self.links.overlaps(*m.span())]

    @cached_property
    def shielded(self) -> SpanSet:
        """Links and mentions: no banned word, risk word or caps run is read in them."""
        return SpanSet([*self.links.spans, *self.mentions])

    @cached_property
    def hashtags(self) -> list[Hashtag]:
        if "#" not in self.text and "\uff03" not in self.text:
            return []
        tags = []
        for m in HASHTAG.finditer(self.text):
            tag = m.group(1)
            if _HAS_NON_DIGIT.search(tag) and not self.links.overlaps(*m.span()):
                tags.append(Hashtag(m.start(), m.end(), tag, tag.casefold()))
        return tags

    @cached_property
    def hashtag_set(self) -> frozenset[str]:
        return frozenset(tag.folded for tag in self.hashtags)


# -- phrases -----------------------------------------------------------------------------------
def is_word_char(ch: str) -> bool:
    """A letter, digit, underscore, combining mark, ZWNJ or ZWJ (see the module doc)."""
    return ch.isalnum() or ch == "_" or ch in "\u200c\u200d" or unicodedata.category(ch)[0] == "M"


def _trie_pattern(phrases: Iterable[str]) -> str:
    """One regex for many literal phrases, sharing their prefixes.

    ``re`` tries alternatives one by one at every position; a trie makes that
    one character test per position, and a pattern that starts with literals
    lets ``re`` skip ahead to the characters a phrase can start with. A space
    in a phrase matches any run of whitespace."""
    trie: dict = {}
    for phrase in phrases:
        node = trie
        for ch in phrase:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict) -> str:
        branches = [
            (r"\s+" if ch == " " else re.escape(ch)) + emit(child)
            for ch, child in sorted(node.items()) if ch
        ]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return "(?:" + body + ")?" if "" in node else body

    return emit(trie)


def normalize_phrase(phrase: str) -> str:
    """A configured phrase in the form it is matched in: casefolded, single spaces."""
    return " ".join(phrase.casefold().split())


@dataclass(frozen=True)
class PhraseMatch:
    start: int
    end: int
    phrase: str          # the normalised phrase (a key given to the index)


class PhraseIndex:
    """Every configured word and phrase of a policy (banned phrases of the brand
    and of each region, risk words, disclosure phrases) in one pattern, so a
    text is scanned once however many lists there are.

    :meth:`find` reports every occurrence of every phrase, overlapping ones
    included ("free" and "free money" both match "free money"), never inside
    links or mentions. Phrases in spaced scripts match whole words only; the
    word boundaries are checked exactly in Python, on the few candidates the
    pattern finds."""

    def __init__(self, phrases: Iterable[str]) -> None:
        keys = {normalize_phrase(phrase) for phrase in phrases} - {""}
        self.phrases = frozenset(keys)
        self._unspaced = frozenset(key for key in keys if _UNSPACED.search(key))
        self._by_first: dict[str, list[tuple[str, re.Pattern | None]]] = {}
        for key in sorted(keys, key=len, reverse=True):
            exact = re.compile(_trie_pattern([key])) if " " in key else None
            self._by_first.setdefault(key[0], []).append((key, exact))
        self._pattern = re.compile(_trie_pattern(keys)) if keys else None

    def __bool__(self) -> bool:
        return bool(self.phrases)

    def find(self, scan: TextScan) -> list[PhraseMatch]:
        if self._pattern is None:
            return []
        folded, found = scan.folded, []
        search, pos = self._pattern.search, 0
        while (m := search(folded, pos)) is not None:
            start = m.start()
            pos = start + 1
            for key, exact in self._by_first[folded[start]]:
                if exact is None:
                    if not folded.startswith(key, start):
                        continue
                    end = start + len(key)
                else:
                    hit = exact.match(folded, start)
                    if hit is None:
                        continue
                    end = hit.end()
                if key not in self._unspaced and (
                        (start and is_word_char(folded[start - 1]))
                        or (end < len(folded) and is_word_char(folded[end]))):
                    continue
                o_start, o_end = scan.original(start, end)
                if not scan.shielded.overlaps(o_start, o_end):
                    found.append(PhraseMatch(o_start, o_end, key))
        return found
