"""Per-platform length: the counter the compose screen shows, and the
``length.<platform>`` finding when a text is over.

Counting is the integration's (``integrations/text_length.py``), so the
console counts exactly as the adapter that publishes the post. The span of the
finding runs from the first character that does not fit to the end of the
text; for weighted or URL-shortened counts it is found by bisecting on the
same counting function, which is exact when the count grows with the text and
close enough otherwise (a URL cut in half counts differently from a whole one).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from console.policy.model import ERROR, WARNING, Counter, Finding
from integrations.text_length import (
    BLUESKY_MAX_BYTES,
    BLUESKY_MAX_GRAPHEMES,
    FACEBOOK_MAX_CHARS,
    INSTAGRAM_MAX_CHARS,
    INSTAGRAM_MAX_HASHTAGS,
    LINKEDIN_MAX_CHARS,
    MASTODON_MAX_CHARS,
    X_MAX_WEIGHTED,
    facebook_length,
    grapheme_count,
    instagram_hashtags,
    instagram_length,
    linkedin_length,
    mastodon_length,
    x_weighted_length,
)

PLATFORM_TITLES = {
    "mastodon": "Mastodon", "bluesky": "Bluesky", "x": "X", "linkedin": "LinkedIn",
    "facebook": "Facebook", "instagram": "Instagram", "sandbox": "Sandbox",
}


def platform_title(platform: str) -> str:
    return PLATFORM_TITLES.get(platform, platform)


def _sandbox_limit() -> int:
    # Imported here: the sandbox package loads its traffic corpus (~80 ms), which a
    # console checking only real platforms never needs.
    from integrations.sandbox import REPLY_MAX_CHARS

    return REPLY_MAX_CHARS


@dataclass(frozen=True)
class Meter:
    """How one platform counts a text, against which limit."""

    count: Callable[[str], int]
    limit: Callable[[], int]
    unit: str
    code_points: bool = False      # counts NFC code points: the over point needs no search


METERS: dict[str, Meter] = {
    "mastodon": Meter(mastodon_length, lambda: MASTODON_MAX_CHARS, "characters"),
    "bluesky": Meter(grapheme_count, lambda: BLUESKY_MAX_GRAPHEMES, "graphemes"),
    "x": Meter(x_weighted_length, lambda: X_MAX_WEIGHTED, "weighted"),
    "linkedin": Meter(linkedin_length, lambda: LINKEDIN_MAX_CHARS, "characters", True),
    "facebook": Meter(facebook_length, lambda: FACEBOOK_MAX_CHARS, "characters", True),
    "instagram": Meter(instagram_length, lambda: INSTAGRAM_MAX_CHARS, "characters", True),
    "sandbox": Meter(grapheme_count, _sandbox_limit, "characters"),
}


_CHUNK = 96                       # characters counted at a time while looking for the over point
_SPACE = re.compile("[ \t]")


def _bisect(text: str, count: Callable[[str], int], limit: int) -> int:
    """The length of the longest prefix of ``text`` that ``count`` keeps within
    ``limit`` (bisection: exact when the count grows with the text)."""
    lo, hi = 0, len(text)          # count(text[:lo]) <= limit < count(text[:hi]), as far as known
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count(text[:mid]) > limit:
            hi = mid
        else:
            lo = mid
    return lo


def first_over(text: str, count: Callable[[str], int], limit: int) -> int:
    """Offset of the first character of ``text`` that takes ``count`` past ``limit``.

    The text is counted in chunks that end before a space: no grapheme cluster,
    URL or mention spans a space, so the chunks' counts add up to the prefix's.
    The chunk where the limit is crossed is then bisected, so the cost is about
    one count of the part that fits, not a dozen counts of the whole text."""
    used, start = 0, 0
    while start < len(text):
        cut = _SPACE.search(text, start + _CHUNK)
        end = cut.start() if cut else len(text)
        chunk = text[start:end]
        chunk_count = count(chunk)
        if used + chunk_count > limit:
            return min(start + _bisect(chunk, count, limit - used), len(text) - 1)
        used += chunk_count
        start = end
    return max(len(text) - 1, 0)   # only if the chunks did not add up (an approximation)


def _bytes_over(text: str) -> int:
    """Offset of the first character whose UTF-8 bytes end past Bluesky's byte limit."""
    fits = text.encode("utf-8", "surrogatepass")[:BLUESKY_MAX_BYTES]
    return len(fits.decode("utf-8", "ignore"))


def measure(platform: str, text: str, label: str) -> tuple[Counter | None, Finding | None]:
    """The counter for ``platform`` and, when ``text`` is over, its length finding
    (``label``: the text's label, "" for the main text). Unknown platform: neither."""
    meter = METERS.get(platform)
    if meter is None:
        return None, None
    limit = meter.limit()
    used = meter.count(text)
    counter = Counter(platform, used, limit, meter.unit)
    title = platform_title(platform)
    over_at: int | None = None
    message = f"{title} counts {used:,} {meter.unit}; at most {limit:,} fit ({used - limit:,} over)"
    if used > limit:
        if meter.code_points and unicodedata.is_normalized("NFC", text):
            over_at = limit
        else:
            over_at = first_over(text, meter.count, limit)
    if platform == "bluesky":
        size = len(text.encode("utf-8", "surrogatepass"))
        if size > BLUESKY_MAX_BYTES:
            byte_at = _bytes_over(text)
            over_at = byte_at if over_at is None else min(over_at, byte_at)
            if used <= limit:
                message = (f"{title} takes at most {BLUESKY_MAX_BYTES:,} bytes of UTF-8; "
                           f"this text has {size:,}")
    if over_at is None:
        return counter, None
    over_at = min(over_at, max(len(text) - 1, 0))
    finding = Finding(
        f"length.{platform}", ERROR, message,
        f"shorten the text, or write a shorter variant for {title}",
        over_at, len(text), label)
    return counter, finding


def instagram_hashtag_cap(text: str, label: str) -> Finding | None:
    """A warning when an Instagram caption has more hashtags than Instagram is
    reported to accept (5 since 2025-26, down from 30; see the platform reference)."""
    count = instagram_hashtags(text)
    if count <= INSTAGRAM_MAX_HASHTAGS:
        return None
    return Finding("length.instagram.hashtags", WARNING,
                   f"Instagram is reported to accept at most {INSTAGRAM_MAX_HASHTAGS} hashtags; "
                   f"this caption has {count}",
                   f"keep {INSTAGRAM_MAX_HASHTAGS} hashtags or fewer in the Instagram text (a variant can)",
                   platform=label)
