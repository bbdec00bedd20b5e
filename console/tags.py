"""Tags, as inbox items, posts and library assets all carry them: one lower-case
word each, written with or without its ``#``."""

from __future__ import annotations

from console.errors import InvalidAction

MAX_TAG_CHARS = 40


def clean_tag(tag: str) -> str:
    """``tag`` as stored (``"#Promo "`` -> ``"promo"``); InvalidAction when it is not one word."""
    word = (tag or "").strip().lstrip("#").casefold()
    if not word or len(word) > MAX_TAG_CHARS or not word.isprintable() or any(c.isspace() for c in word):
        raise InvalidAction(f"{(tag or '')[:60]!r} is not a tag: use one word of 1 to {MAX_TAG_CHARS} characters")
    return word
