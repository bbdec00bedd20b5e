"""Text length as each platform counts it: one function per platform.

* :func:`mastodon_length`: grapheme clusters of ``spoiler_text + status``;
  every ``http(s)://`` URL counts as 23; a remote mention ``@user@domain``
  counts as ``@user`` (Mastodon's ``StatusLengthValidator``). The instance's
  limit is read from ``/api/v2/instance``; :data:`MASTODON_MAX_CHARS` is the
  default.
* :func:`bluesky_length`: ``(graphemes, utf8_bytes)``; a post is valid when
  both are within :data:`BLUESKY_MAX_GRAPHEMES` / :data:`BLUESKY_MAX_BYTES`.
* :func:`x_weighted_length`: twitter-text v3 weighting after NFC: code points
  in U+0000–U+10FF, U+2000–U+200D, U+2010–U+201F and U+2032–U+2037 weigh 1,
  everything else (CJK, most other scripts) 2; every emoji cluster (ZWJ
  sequences, flags, keycaps, skin tones included) weighs 2 as a whole; every
  URL 23. Limit :data:`X_MAX_WEIGHTED`.

Grapheme clusters are computed here without third-party packages
(:func:`graphemes`). It is an approximation of Unicode UAX #29 extended
grapheme clusters that handles what social text contains: CR LF, combining
marks (categories Mn, Me, Mc), ZWJ and ZWNJ, variation selectors, emoji skin
tone modifiers, tag sequences (subdivision flags), emoji ZWJ sequences,
regional-indicator pairs (flags), Hangul jamo, and Indic conjuncts (a virama
followed by a letter of the same script, approximating GB9c). It does not
implement the Prepend class, and Extended_Pictographic is
approximated by the emoji blocks (U+1F000–U+1FAFF, U+2600–U+27BF, ...), so a
few rare sequences may count one or two more than the platform counts.

URL detection is an approximation of twitter-text's extractor: URLs with an
``http://`` or ``https://`` scheme and a dotted host. Mastodon counts only
those; X also counts bare domains (``example.com``), which are counted here
as plain text, so the X count can be higher than X's (never lower for URLs
longer than 23).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

MASTODON_MAX_CHARS = 500
MASTODON_URL_LENGTH = 23
BLUESKY_MAX_GRAPHEMES = 300
BLUESKY_MAX_BYTES = 3000
X_MAX_WEIGHTED = 280
X_URL_LENGTH = 23
LINKEDIN_MAX_CHARS = 3000
FACEBOOK_MAX_CHARS = 63206
INSTAGRAM_MAX_CHARS = 2200
INSTAGRAM_MAX_HASHTAGS = 5

# Images per post, by platform. Sources (see reference/platform-apis.md):
# Mastodon's instance configuration ``max_media_attachments`` (default 4; like
# MASTODON_MAX_CHARS, an instance may differ); Bluesky's ``app.bsky.embed.images``
# ("at most 4 images"); X's ``media.media_ids`` (1-4); LinkedIn multi-image posts
# (2-20 images, third-party docs). Facebook Page and Instagram carousel posts take
# at most 10 items per Meta's Graph API docs (not in the reference file: verify).
MASTODON_MAX_IMAGES = 4
BLUESKY_MAX_IMAGES = 4
X_MAX_IMAGES = 4
LINKEDIN_MAX_IMAGES = 20
FACEBOOK_MAX_IMAGES = 10
INSTAGRAM_MAX_IMAGES = 10
MAX_IMAGES = {
    "mastodon": MASTODON_MAX_IMAGES,
    "bluesky": BLUESKY_MAX_IMAGES,
    "x": X_MAX_IMAGES,
    "linkedin": LINKEDIN_MAX_IMAGES,
    "facebook": FACEBOOK_MAX_IMAGES,
    "instagram": INSTAGRAM_MAX_IMAGES,
}

_URL = re.compile(
    r"https?://(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}\.?(?::\d{1,5})?(?:[/?#][^\s<>\"]*)?",
    re.IGNORECASE,
)
_URL_TRAILING = ".,;:!?'\")]}"
_REMOTE_MENTION = re.compile(
    r"(?<![=/\w])@([a-z0-9_]+(?:[a-z0-9_.-]+[a-z0-9_]+)?)@[\w.-]+\w", re.IGNORECASE
)


# -- grapheme clusters ---------------------------------------------------------

def _is_control(cp: int) -> bool:
    if cp in (0x0D, 0x0A):
        return True
    return unicodedata.category(chr(cp)) in ("Cc", "Zl", "Zp")


def _is_extend(cp: int) -> bool:
    """Extend, ZWJ or SpacingMark: never a break before it."""
    if cp in (0x200C, 0x200D):
        return True
    if 0xFE00 <= cp <= 0xFE0F or 0xE0100 <= cp <= 0xE01EF:  # variation selectors
        return True
    if 0x1F3FB <= cp <= 0x1F3FF or 0xE0020 <= cp <= 0xE007F:  # skin tones, tags
        return True
    return unicodedata.category(chr(cp)) in ("Mn", "Me", "Mc")


def _is_spacing_mark(cp: int) -> bool:
    return unicodedata.category(chr(cp)) == "Mc"


def _is_pictographic(cp: int) -> bool:
    return (
        0x1F000 <= cp <= 0x1FAFF
        or 0x1FC00 <= cp <= 0x1FFFD
        or 0x2600 <= cp <= 0x27BF
        or 0x2300 <= cp <= 0x23FF
        or 0x2B00 <= cp <= 0x2BFF
        or 0x2190 <= cp <= 0x21FF
        or 0x25A0 <= cp <= 0x25FF
        or 0x2900 <= cp <= 0x297F
        or cp in (0xA9, 0xAE, 0x203C, 0x2049, 0x2122, 0x2139, 0x24C2, 0x3030, 0x303D,
                  0x3297, 0x3299)
    ) and not (0x1F1E6 <= cp <= 0x1F1FF) and not (0x1F3FB <= cp <= 0x1F3FF)


def _is_ri(cp: int) -> bool:
    return 0x1F1E6 <= cp <= 0x1F1FF


# Viramas of the scripts where UAX #29 (GB9c) keeps conjuncts together.
_INDIC_LINKERS = frozenset([0x094D, 0x09CD, 0x0ACD, 0x0B4D, 0x0C4D, 0x0D4D])


def _is_indic_consonant(cp: int, same_block_as: int) -> bool:
    """A letter of one of the linkers' script blocks (approximates InCB=Consonant)."""
    block = same_block_as & ~0x7F
    return (
        0x0900 <= cp < 0x0D80
        and block <= cp < block + 0x80
        and unicodedata.category(chr(cp)) == "Lo"
    )


def _hangul(cp: int) -> str:
    if 0x1100 <= cp <= 0x115F or 0xA960 <= cp <= 0xA97C:
        return "L"
    if 0x1160 <= cp <= 0x11A7 or 0xD7B0 <= cp <= 0xD7C6:
        return "V"
    if 0x11A8 <= cp <= 0x11FF or 0xD7CB <= cp <= 0xD7FB:
        return "T"
    if 0xAC00 <= cp <= 0xD7A3:
        return "LV" if (cp - 0xAC00) % 28 == 0 else "LVT"
    return ""


def _hangul_joins(a: str, b: str) -> bool:
    if not a or not b:
        return False
    if a == "L":
        return b in ("L", "V", "LV", "LVT")
    if a in ("LV", "V"):
        return b in ("V", "T")
    if a in ("LVT", "T"):
        return b == "T"
    return False


def graphemes(text: str) -> list[str]:
    """Split ``text`` into (approximate) extended grapheme clusters."""
    clusters: list[str] = []
    current: list[str] = []
    prev = -1
    ri_run = 0     # regional indicators in a row, ending at prev
    pict = 0       # 1: ExtPict Extend*; 2: ExtPict Extend* ZWJ
    indic = 0      # the linker after "Consonant [Extend|Linker]*", else 0
    consonant = False  # a consonant, then only Extend/linkers, ends at prev
    for ch in text:
        cp = ord(ch)
        if prev < 0:
            join = False
        elif prev == 0x0D and cp == 0x0A:
            join = True
        elif _is_control(prev) or _is_control(cp):
            join = False
        elif _hangul_joins(_hangul(prev), _hangul(cp)):
            join = True
        elif _is_extend(cp):
            join = True
        elif indic and _is_indic_consonant(cp, indic):
            join = True
        elif pict == 2 and _is_pictographic(cp):
            join = True
        elif _is_ri(prev) and _is_ri(cp) and ri_run % 2 == 1:
            join = True
        else:
            join = False
        if join:
            current.append(ch)
        else:
            if current:
                clusters.append("".join(current))
            current = [ch]
        ri_run = ri_run + 1 if _is_ri(cp) else 0
        if cp == 0x200D:
            pict = 2 if pict == 1 else 0
        elif _is_extend(cp):
            pict = 1 if pict == 1 and not _is_spacing_mark(cp) else 0
        elif _is_pictographic(cp):
            pict = 1
        else:
            pict = 0
        if cp in _INDIC_LINKERS and consonant:
            indic = cp
        elif _is_indic_consonant(cp, cp):
            consonant, indic = True, 0
        elif _is_extend(cp) and consonant and not _is_spacing_mark(cp):
            pass
        else:
            consonant, indic = False, 0
        prev = cp
    if current:
        clusters.append("".join(current))
    return clusters


# Characters that never join the character before them and after which the
# cluster state above is back to its start (not a control, Extend, ZWJ,
# pictograph, regional indicator, Hangul jamo/syllable, Indic consonant or
# virama): ASCII, Latin, Greek, Cyrillic, Hebrew and Arabic letters, Thai
# consonants, general punctuation, kana and CJK ideographs. Each is a cluster
# of its own, so only the runs of other characters need :func:`graphemes`
# (tests/console/test_policy_check_counting.py derives the class from the
# predicates above and checks both paths agree).
_SIMPLE = (
    "\u0020-\u007E\u00A0-\u00A8\u00AA-\u00AD\u00AF-\u02FF\u0370-\u0482\u048A-\u052F"
    "\u0590\u05BE\u05C0\u05C3\u05C6\u05C8-\u060F\u061B-\u064A\u0660-\u066F\u0671-\u06D5"
    "\u06DD-\u06DE\u06E5-\u06E6\u06E9\u06EE-\u06FF\u0E00-\u0E30\u0E32-\u0E33\u0E3B-\u0E46"
    "\u0E4F-\u0E7F\u2000-\u200B\u200E-\u2027\u202A-\u203B\u203D-\u2048\u204A-\u206F"
    "\u20A0-\u20CF\u3000-\u3029\u3031-\u303C\u303E-\u3098\u309B-\u30FF\u3400-\u4DBF"
    "\u4E00-\u9FFF\uFF00-\uFFEF"
)
_COMPLEX_RUN = re.compile(f"[^{_SIMPLE}]+")


def _complex_runs(text: str):
    """``(start, end)`` of each run that needs :func:`graphemes`, widened to take in
    the simple character before it (an Extend may join that one)."""
    for m in _COMPLEX_RUN.finditer(text):
        start, end = m.span()
        yield (start - 1 if start else start), end


@lru_cache(maxsize=4096)
def _run_cluster_count(run: str) -> int:
    """Clusters in one complex run: memoised, as a draft retyped keystroke by
    keystroke brings the same emoji sequences and line breaks back each time."""
    return len(graphemes(run))


def grapheme_count(text: str) -> int:
    """``len(graphemes(text))``, without splitting the simple stretches.

    Live counters recount a whole draft on every keystroke; the per-character
    loop of :func:`graphemes` is only run on the runs of non-simple characters."""
    total = len(text)
    for start, end in _complex_runs(text):
        total += _run_cluster_count(text[start:end]) - (end - start)
    return total


# -- URLs ------------------------------------------------------------------------

def find_urls(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each ``http(s)://`` URL, trailing punctuation excluded."""
    spans: list[tuple[int, int]] = []
    for m in _URL.finditer(text):
        start, end = m.span()
        url = m.group()
        while url and url[-1] in _URL_TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
            end -= 1
        if len(url) > len("https://"):
            spans.append((start, end))
    return spans


def _replace_urls(text: str, placeholder: str) -> str:
    out: list[str] = []
    pos = 0
    for start, end in find_urls(text):
        out.append(text[pos:start])
        out.append(placeholder)
        pos = end
    out.append(text[pos:])
    return "".join(out)


# -- per platform ----------------------------------------------------------------

def mastodon_length(text: str, spoiler_text: str = "") -> int:
    """Characters as Mastodon counts them (compare with ``max_characters``)."""
    def countable(s: str) -> str:
        s = _replace_urls(s, "x" * MASTODON_URL_LENGTH)
        return _REMOTE_MENTION.sub(lambda m: "@" + m.group(1), s)

    return grapheme_count(countable(spoiler_text)) + grapheme_count(countable(text))


def bluesky_length(text: str) -> tuple[int, int]:
    """``(graphemes, utf8_bytes)`` of a post's text."""
    return grapheme_count(text), len(text.encode("utf-8", "surrogatepass"))


def bluesky_fits(text: str) -> bool:
    graphemes_n, size = bluesky_length(text)
    return graphemes_n <= BLUESKY_MAX_GRAPHEMES and size <= BLUESKY_MAX_BYTES


def _x_weight(cp: int) -> int:
    if (
        cp <= 0x10FF
        or 0x2000 <= cp <= 0x200D
        or 0x2010 <= cp <= 0x201F
        or 0x2032 <= cp <= 0x2037
    ):
        return 1
    return 2


def _is_emoji_cluster(cluster: str) -> bool:
    cps = [ord(c) for c in cluster]
    if any(_is_ri(cp) for cp in cps):
        return True
    if 0x20E3 in cps:  # keycap
        return True
    if any(_is_pictographic(cp) and cp >= 0x2000 for cp in cps):
        return len(cps) > 1 or cps[0] >= 0x1F000 or 0xFE0F in cps or cps[0] in _X_EMOJI_BMP
    return False


# Common single-code-point emoji in the BMP that default to emoji presentation.
_X_EMOJI_BMP = frozenset(
    [0x231A, 0x231B, 0x23E9, 0x23EA, 0x23EB, 0x23EC, 0x23F0, 0x23F3, 0x25FD, 0x25FE,
     0x2614, 0x2615, 0x2648, 0x2649, 0x264A, 0x264B, 0x264C, 0x264D, 0x264E, 0x264F,
     0x2650, 0x2651, 0x2652, 0x2653, 0x267F, 0x2693, 0x26A1, 0x26AA, 0x26AB, 0x26BD,
     0x26BE, 0x26C4, 0x26C5, 0x26CE, 0x26D4, 0x26EA, 0x26F2, 0x26F3, 0x26F5, 0x26FA,
     0x26FD, 0x2705, 0x270A, 0x270B, 0x2728, 0x274C, 0x274E, 0x2753, 0x2754, 0x2755,
     0x2757, 0x2795, 0x2796, 0x2797, 0x27B0, 0x27BF, 0x2B1B, 0x2B1C, 0x2B50, 0x2B55]
)


def _x_cluster_weight(cluster: str) -> int:
    if _is_emoji_cluster(cluster):
        return 2
    return sum(_x_weight(ord(c)) for c in cluster)


# Code points that weigh 2 on their own (the complement of _x_weight's 1-ranges).
_X_HEAVY = re.compile("[^\u0000-\u10FF\u2000-\u200D\u2010-\u201F\u2032-\u2037]")


@lru_cache(maxsize=4096)
def _x_run_correction(run: str) -> int:
    """What a complex run weighs as clusters minus what its characters weigh."""
    clusters = sum(_x_cluster_weight(c) for c in graphemes(run))
    return clusters - len(run) - len(_X_HEAVY.findall(run))


def _x_segment_weight(segment: str) -> int:
    """Weight of URL-free text: every character by :func:`_x_weight`, then each
    complex run corrected to its clusters' weights (see :func:`grapheme_count`)."""
    total = len(segment) + len(_X_HEAVY.findall(segment))
    for start, end in _complex_runs(segment):
        total += _x_run_correction(segment[start:end])
    return total


def x_weighted_length(text: str) -> int:
    """Weighted length as X counts it (compare with :data:`X_MAX_WEIGHTED`)."""
    text = unicodedata.normalize("NFC", text)
    total = 0
    pos = 0
    for start, end in find_urls(text) + [(len(text), len(text))]:
        total += _x_segment_weight(text[pos:start])
        if end > start:
            total += X_URL_LENGTH
        pos = end
    return total


def linkedin_length(text: str) -> int:
    """Characters of a LinkedIn ``commentary`` as the member typed it.

    LinkedIn documents no counting rule; its validators count characters
    (code points) of the plain text, before the little-text escaping the
    adapter adds. Compare with :data:`LINKEDIN_MAX_CHARS`.
    """
    return len(unicodedata.normalize("NFC", text))


def facebook_length(text: str) -> int:
    """Characters of a Facebook Page post (compare with :data:`FACEBOOK_MAX_CHARS`)."""
    return len(unicodedata.normalize("NFC", text))


_HASHTAG = re.compile(r"(?<![\w&])#(\w+)")


def instagram_length(text: str) -> int:
    """Characters of an Instagram caption (compare with :data:`INSTAGRAM_MAX_CHARS`)."""
    return len(unicodedata.normalize("NFC", text))


def instagram_hashtags(text: str) -> int:
    """Hashtags in a caption; Instagram now takes at most :data:`INSTAGRAM_MAX_HASHTAGS`."""
    return len(_HASHTAG.findall(text))
