"""Text as the reader sees it: grapheme clusters, and emoji every terminal draws
at the same width.

A grapheme cluster is what a reader counts as one character: ``é`` written as
``e`` plus a combining accent, a flag made of two regional indicators, or an
emoji sequence such as ``👍🏽`` (thumbs up, skin tone) or ``🏃‍♂️`` (runner,
zero width joiner, male sign, variation selector). Cutting text between the
code points of a cluster leaves debris (a lone joiner, a skin-tone swatch), so
text is cut only between clusters.

Terminals disagree about how wide emoji sequences are. Terminals that know
clusters (kitty, WezTerm, iTerm2, Windows Terminal, tmux 3.5 and later) give
``👍🏽`` two cells; tmux 3.3, VTE (GNOME Terminal) and xterm give each code
point its own width, four cells; ``❤️`` (a heart made wide by a variation
selector) is two cells in the first group and one in the second. No width is
right everywhere, so where columns must line up (list rows, the status bar)
:func:`steady_width` shows each such sequence in a form all of them draw the
same: the emoji without its skin tone, the first emoji of a joined sequence,
no variation selector. The full text is shown unchanged everywhere else.

Kept free of any terminal library so the domain can cut text too. The
segmentation follows Unicode's extended grapheme clusters (UAX #29) for the
cases that occur in social media text: combining marks, joiners, variation
selectors, emoji modifiers, tag sequences and regional-indicator pairs.
Hangul jamo sequences and Indic conjuncts are left to the terminal.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator

ZERO_WIDTH_JOINER = "\u200d"
_ZERO_WIDTH_NON_JOINER = "\u200c"


def _is_variation_selector(code: int) -> bool:
    return 0xFE00 <= code <= 0xFE0F or 0xE0100 <= code <= 0xE01EF


def _is_emoji_modifier(code: int) -> bool:
    """A skin tone (Fitzpatrick type 1-2 to 6)."""
    return 0x1F3FB <= code <= 0x1F3FF


def _is_tag(code: int) -> bool:
    """Tag characters: they spell a region after a black flag (🏴 + gbsct + cancel tag)."""
    return 0xE0020 <= code <= 0xE007F


def _is_regional_indicator(code: int) -> bool:
    return 0x1F1E6 <= code <= 0x1F1FF


def _extends(char: str) -> bool:
    """Whether ``char`` belongs to the cluster before it whatever follows."""
    code = ord(char)
    return (char in (ZERO_WIDTH_JOINER, _ZERO_WIDTH_NON_JOINER)
            or _is_variation_selector(code) or _is_emoji_modifier(code) or _is_tag(code)
            or unicodedata.category(char) in ("Mn", "Me", "Mc"))


def graphemes(text: str) -> Iterator[str]:
    """The grapheme clusters of ``text``, in order; joined back they give ``text``."""
    cluster = ""
    indicators = 0  # regional indicators in the current cluster: two make a flag
    for char in text:
        code = ord(char)
        if cluster and (_extends(char) or cluster[-1] == ZERO_WIDTH_JOINER
                        or (_is_regional_indicator(code) and indicators == 1)):
            cluster += char
            indicators += _is_regional_indicator(code)
            continue
        if cluster:
            yield cluster
        cluster = char
        indicators = 1 if _is_regional_indicator(code) else 0
    if cluster:
        yield cluster


def cut_graphemes(text: str, limit: int) -> str:
    """At most ``limit`` clusters of ``text``, ending with ``…`` when some were cut."""
    clusters = []
    for cluster in graphemes(text):
        clusters.append(cluster)
        if len(clusters) > limit:
            return "".join(clusters[: max(limit - 1, 0)]) + "…"
    return text


def steady_cluster(cluster: str) -> str:
    """``cluster`` in the form every common terminal gives the same width.

    A joined sequence keeps its first emoji; skin tones, variation selectors and
    tags go. Clusters of one code point, combining marks and flags stay as they are.
    """
    if len(cluster) == 1:
        return cluster
    head = cluster.split(ZERO_WIDTH_JOINER, 1)[0] or cluster
    kept = "".join(char for char in head
                   if not (_is_variation_selector(ord(char)) or _is_emoji_modifier(ord(char))
                           or _is_tag(ord(char))))
    # A cluster that was nothing but modifiers (a lone skin-tone swatch) stays itself.
    return kept or head


def steady_width(text: str) -> str:
    """``text`` with every emoji sequence in its :func:`steady_cluster` form."""
    if text.isascii():
        return text
    return "".join(steady_cluster(cluster) for cluster in graphemes(text))
