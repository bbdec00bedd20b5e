"""The fast paths in integrations/text_length.py count exactly as the
per-character algorithm, and the length findings' over points."""

from __future__ import annotations

import re
import unicodedata

import pytest
from hypothesis import given, settings, strategies as st

from console.policy.lengths import first_over, measure
from integrations import text_length as tl

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"


def reference_x_weighted_length(text: str) -> int:
    """x_weighted_length as it was before the fast path (cluster by cluster)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for start, end in tl.find_urls(text) + [(len(text), len(text))]:
        for cluster in tl.graphemes(text[pos:start]):
            if tl._is_emoji_cluster(cluster):
                total += 2
            else:
                total += sum(tl._x_weight(ord(c)) for c in cluster)
        if end > start:
            total += tl.X_URL_LENGTH
        pos = end
    return total


def test_every_simple_character_is_a_cluster_of_its_own_that_resets_the_state():
    simple = re.compile(f"[{tl._SIMPLE}]")
    for cp in range(0x10000):
        if simple.match(chr(cp)):
            assert not (tl._is_control(cp) or tl._is_extend(cp) or tl._is_pictographic(cp)
                        or tl._is_ri(cp) or tl._hangul(cp) or cp in tl._INDIC_LINKERS
                        or tl._is_indic_consonant(cp, cp)), hex(cp)


SAMPLES = [
    "", "a", "hello world", FAMILY, f"x{FAMILY}y", "\U0001F1EB\U0001F1F7\U0001F1EB", "e\u0301\u0301",
    "\u0301start", "a\r\nb\r\n", "\r\n\r", "日本語のテキスト🎉です", "مرحبا بالعالم #عروض", "שָׁלוֹם",
    "नमस्ते दुनिया", "क्षत्रिय", "\u1100\u1161\u11A8 각 한국어", "👍🏽👍🏿 ok", "1\uFE0F\u20E3 keycap",
    "🏴\U000E0067\U000E0062\U000E0065\U000E006E\U000E0067\U000E007F", "♥ ❤️ ☕ © ® ™", "ｆｕｌｌｗｉｄｔｈ",
    "Ζ͑ͫ̓ͪ̂ͫ zalgo", "ไทย ภาษา", "see https://example.com/a?b=c 🎉 and more",
]

TRICKY = st.sampled_from(list(
    "a Zé日ー।\u0301\u0300\u200d\u200c\ufe0f\u20e3\r\n\t\u0915\u094d\u0937\u093f\u1100\u1161\u11a8\uac00"
    "\U0001F468\U0001F469\U0001F3FD\U0001F1EB\U0001F1F7\u2764\u00a9\U000E0067\U000E007F#@.:/"
) + ["https://x.example/p", "www.a.co"])


@pytest.mark.parametrize("text", SAMPLES)
def test_fast_counts_equal_the_cluster_algorithm_on_samples(text):
    assert tl.grapheme_count(text) == len(tl.graphemes(text))
    assert tl.x_weighted_length(text) == reference_x_weighted_length(text)


@given(st.lists(TRICKY, max_size=40).map("".join))
@settings(max_examples=400)
def test_fast_counts_equal_the_cluster_algorithm_on_tricky_text(text):
    assert tl.grapheme_count(text) == len(tl.graphemes(text))
    assert tl.x_weighted_length(text) == reference_x_weighted_length(text)


@given(st.text(max_size=60))
@settings(max_examples=300)
def test_fast_counts_equal_the_cluster_algorithm_on_any_text(text):
    assert tl.grapheme_count(text) == len(tl.graphemes(text))
    assert tl.x_weighted_length(text) == reference_x_weighted_length(text)


def test_image_limits_per_platform():
    assert tl.MAX_IMAGES == {"mastodon": 4, "bluesky": 4, "x": 4, "linkedin": 20, "facebook": 10,
                             "instagram": 10}


@given(st.lists(TRICKY, max_size=120).map("".join), st.integers(min_value=0, max_value=60))
@settings(max_examples=200)
def test_first_over_is_exact_for_grapheme_counts(text, limit):
    if tl.grapheme_count(text) <= limit:
        return
    at = first_over(text, tl.grapheme_count, limit)
    assert 0 <= at < len(text)
    assert tl.grapheme_count(text[:at]) <= limit < tl.grapheme_count(text[:at + 1])


def test_long_text_over_point_for_each_platform():
    text = ("Winter is here ❄️ " + FAMILY + " see https://northwind.example/w " + "日本語 ") * 60
    for platform in ("mastodon", "bluesky", "x", "linkedin", "instagram"):
        counter, finding = measure(platform, text, "")
        assert counter.over and finding.rule_id == f"length.{platform}"
        assert 0 < finding.start < finding.end == len(text)
    _, finding = measure("x", text, "x")
    assert tl.x_weighted_length(text[:finding.start]) <= tl.X_MAX_WEIGHTED
    assert finding.platform == "x"
