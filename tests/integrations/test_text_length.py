"""integrations.text_length: counts as the platforms count."""

from __future__ import annotations

import pytest
from hypothesis import given, settings, strategies as st

from integrations.text_length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    MASTODON_MAX_CHARS,
    X_MAX_WEIGHTED,
    bluesky_fits,
    bluesky_length,
    find_urls,
    grapheme_count,
    graphemes,
    mastodon_length,
    x_weighted_length,
)

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"  # 👨‍👩‍👧‍👦
FLAG_FR = "\U0001F1EB\U0001F1F7"
FLAG_ENGLAND = "\U0001F3F4\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F"
THUMB_TONE = "\U0001F44D\U0001F3FD"
KEYCAP = "1\uFE0F\u20E3"
HEART_VS = "\u2764\uFE0F"
E_COMBINING = "e\u0301"
HANGUL_JAMO = "\u1100\u1161\u11A8"  # 각 decomposed
RAINBOW_FLAG = "\U0001F3F3\uFE0F\u200D\U0001F308"

SAMPLES = [
    "", "hello", FAMILY, FLAG_FR, FLAG_FR + FLAG_FR + "\U0001F1EB", FLAG_ENGLAND, THUMB_TONE,
    KEYCAP, HEART_VS, E_COMBINING, HANGUL_JAMO, RAINBOW_FLAG, "a\r\nb", "日本語のテキスト",
    "مرحبا بالعالم", "שָׁלוֹם", "नमस्ते", "Z\u0351\u036b\u0343\u036a\u0302\u036b", FAMILY * 3 + "x",
]


@pytest.mark.parametrize(
    "text,n",
    [("hello", 5), (FAMILY, 1), (FLAG_FR, 1), (FLAG_FR * 2 + "\U0001F1EB", 3), (FLAG_ENGLAND, 1),
     (THUMB_TONE, 1), (KEYCAP, 1), (HEART_VS, 1), (E_COMBINING, 1), (HANGUL_JAMO, 1),
     (RAINBOW_FLAG, 1), ("a\r\nb", 3), ("日本語", 3), ("مرحبا", 5), ("שָׁלוֹם", 4)],
)
def test_grapheme_count(text, n):
    assert grapheme_count(text) == n


@pytest.mark.parametrize("text", SAMPLES)
def test_graphemes_agree_with_regex_module_when_available(text):
    regex = pytest.importorskip("regex")
    assert graphemes(text) == regex.findall(r"\X", text)


@given(st.text())
@settings(max_examples=300)
def test_graphemes_partition_the_text(text):
    parts = graphemes(text)
    assert "".join(parts) == text
    assert all(parts)


def test_mastodon_urls_count_23():
    url = "https://example.com/a/very/long/path/that/goes/on/and/on?x=1"
    assert mastodon_length(f"see {url}") == 4 + 23
    assert mastodon_length(f"see {url}.") == 4 + 23 + 1
    assert mastodon_length("see example.com") == len("see example.com")  # no scheme: text
    assert mastodon_length("http://a.io") == 23


def test_mastodon_remote_mention_counts_as_local():
    assert mastodon_length("@alice@mastodon.social hi") == len("@alice hi")
    assert mastodon_length("mail me a@b.example") == len("mail me a@b.example")


def test_mastodon_graphemes_and_spoiler():
    assert mastodon_length(FAMILY + FLAG_FR + "日本") == 4
    assert mastodon_length("body", spoiler_text="cw") == 6
    assert MASTODON_MAX_CHARS == 500


def test_bluesky_length():
    assert bluesky_length("hello") == (5, 5)
    assert bluesky_length(FAMILY) == (1, 25)
    assert bluesky_length("日本") == (2, 6)
    assert bluesky_fits("a" * 300) and not bluesky_fits("a" * 301)
    assert bluesky_length(FAMILY * 150)[1] > BLUESKY_MAX_BYTES
    assert not bluesky_fits(FAMILY * 150)
    assert (BLUESKY_MAX_GRAPHEMES, BLUESKY_MAX_BYTES) == (300, 3000)


@pytest.mark.parametrize(
    "text,weighted",
    [("hello", 5), ("日本語", 6), ("こんにちは", 10), ("한국어", 6), ("مرحبا", 5), ("שלום", 4),
     (FAMILY, 2), (FLAG_FR, 2), (THUMB_TONE, 2), (KEYCAP, 2), (HEART_VS, 2), ("\U0001F600", 2),
     ("caf\u0065\u0301", 4),  # NFC makes é one code point
     ("“quoted”—dash…", 15),  # U+2026 is outside the weight-1 ranges
     ("https://example.com/" + "x" * 100, 23),
     ("go to https://t.co/abc now", 6 + 23 + 4)],
)
def test_x_weighted_length(text, weighted):
    assert x_weighted_length(text) == weighted


def test_x_limit():
    assert X_MAX_WEIGHTED == 280
    assert x_weighted_length("a" * 280) == 280
    assert x_weighted_length("日" * 140) == 280


def test_find_urls_trailing_punctuation_and_parens():
    text = "(see https://en.wikipedia.org/wiki/Foo_(bar)), or http://x.org."
    spans = [text[a:b] for a, b in find_urls(text)]
    assert spans == ["https://en.wikipedia.org/wiki/Foo_(bar)", "http://x.org"]


@given(st.text())
@settings(max_examples=200)
def test_counters_total(text):
    assert mastodon_length(text) >= 0
    g, b = bluesky_length(text)
    assert 0 <= g <= len(text) and b >= len(text)
    assert x_weighted_length(text) >= 0
