"""LinkedIn's "little text format", the markup of ``commentary`` and comments.

In little text, ``@[Name](urn:li:organization:1)`` is a mention and
``{hashtag|\\#|tag}`` a hashtag. Every reserved character meant as plain text
must be escaped with a backslash; an unescaped one silently truncates the post
at that point. The adapter sends the team's text as plain text, so it escapes
every reserved character (mentions and hashtag templates are not generated).
"""

from __future__ import annotations

import re

#: The characters little text reserves; each is sent as ``\`` + the character.
LITTLE_TEXT_RESERVED = frozenset("\\|{}@[]()<>#*_~")


def escape_little_text(text: str) -> str:
    """``text`` as little text that LinkedIn shows exactly as written."""
    return "".join("\\" + char if char in LITTLE_TEXT_RESERVED else char for char in text)


_HASHTAG = re.compile(r"\{hashtag\|\\?#\|([^{}|]*)\}")
_MENTION = re.compile(r"@\[((?:\\.|[^\]\\])*)\]\(urn:li:[a-zA-Z]+:[^()\s]+\)")
_ESCAPED = re.compile(r"\\(.)", re.DOTALL)


def plain_text(little: str) -> str:
    """Little text as people read it: ``{hashtag|\\#|tag}`` as ``#tag``, a mention
    as ``@Name``, every escape undone. What :func:`escape_little_text` sent comes
    back as it was written."""
    text = _HASHTAG.sub(lambda m: "\\#" + m.group(1), little)
    text = _MENTION.sub(lambda m: "\\@" + m.group(1), text)
    return _ESCAPED.sub(lambda m: m.group(1), text)
