"""Grapheme clusters, cutting text between them, and emoji of a steady width."""

from __future__ import annotations

import pytest
from hypothesis import given, strategies as st

from console.graphemes import cut_graphemes, graphemes, steady_width
from console.untrusted import one_line

FIRE_HEART = "\u2764\ufe0f\u200d\U0001f525"          # ❤️‍🔥 heart, VS16, ZWJ, fire
THUMBS_MEDIUM = "\U0001f44d\U0001f3fd"                 # 👍🏽 thumbs up, medium skin tone
MAN_RUNNING = "\U0001f3c3\u200d\u2642\ufe0f"           # 🏃‍♂️ runner, ZWJ, male sign, VS16
FAMILY = "\U0001f468\u200d\U0001f469\u200d\U0001f467"  # 👨‍👩‍👧
JAPAN = "\U0001f1ef\U0001f1f5"                         # 🇯🇵 two regional indicators
SCOTLAND = "\U0001f3f4\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f"
KEYCAP_ONE = "1\ufe0f\u20e3"                           # 1️⃣
E_ACUTE = "e\u0301"                                    # é as e + combining acute


@pytest.mark.parametrize("cluster", [FIRE_HEART, THUMBS_MEDIUM, MAN_RUNNING, FAMILY, JAPAN, SCOTLAND,
                                     KEYCAP_ONE, E_ACUTE, "\U0001f469\U0001f3fd\u200d\U0001f4bb"])
def test_a_sequence_is_one_cluster(cluster):
    assert list(graphemes(f"a{cluster}b")) == ["a", cluster, "b"]


def test_flags_pair_up_and_plain_text_is_one_cluster_per_character():
    assert list(graphemes(JAPAN * 2 + "\U0001f1ef")) == [JAPAN, JAPAN, "\U0001f1ef"]
    assert list(graphemes("abc サイズ")) == list("abc サイズ")
    assert list(graphemes("\u0301x")) == ["\u0301", "x"]   # a mark with nothing before it


@given(st.text())
def test_clusters_join_back_into_the_text(text):
    assert "".join(graphemes(text)) == text


def test_cutting_never_splits_a_cluster():
    text = f"go {MAN_RUNNING}{THUMBS_MEDIUM}{FIRE_HEART} now"
    assert cut_graphemes(text, 5) == f"go {MAN_RUNNING}…"
    assert cut_graphemes(text, 100) == text
    assert one_line(f"{FAMILY}{FAMILY}{FAMILY}", 2) == f"{FAMILY}…"
    assert one_line(f"caf{E_ACUTE}s and more", 5) == f"caf{E_ACUTE}…"


@pytest.mark.parametrize("text, steady", [
    (THUMBS_MEDIUM, "\U0001f44d"),          # the skin tone goes: 2 cells everywhere
    (MAN_RUNNING, "\U0001f3c3"),            # a joined sequence keeps its first emoji
    (FAMILY, "\U0001f468"),
    (FIRE_HEART, "\u2764"),                 # no VS16: the plain heart is 1 cell everywhere
    ("\u2764\ufe0f", "\u2764"),
    (KEYCAP_ONE, "1\u20e3"),
    (SCOTLAND, "\U0001f3f4"),
    (JAPAN, JAPAN),                         # flags and marks are drawn alike already
    (E_ACUTE, E_ACUTE),
    ("plain ascii", "plain ascii"),
])
def test_steady_width_forms(text, steady):
    assert steady_width(f"x {text} y") == f"x {steady} y"


def test_a_lone_skin_tone_swatch_stays():
    assert steady_width("\U0001f3fd") == "\U0001f3fd"
