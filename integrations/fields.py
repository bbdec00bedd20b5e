"""Reading platform JSON defensively: one set of helpers for every adapter.

A platform's response is untrusted data: a field may be missing, of another
type, or absurd. These helpers return the value or raise the
:class:`PermanentError` ``malformed response from PLATFORM: WHAT`` that the
adapter contract asks for, so no adapter leaks a ``KeyError`` or a
``TypeError``. ``what`` names where in the response the field sits
("status.account"), for an error an operator can act on.
"""

from __future__ import annotations

import unicodedata
from datetime import datetime, timezone
from typing import Any

from integrations.base import PermanentError


def malformed(platform: str, what: str) -> PermanentError:
    return PermanentError(f"malformed response from {platform}: {what}", platform=platform)


def get_str(obj: Any, key: str, platform: str, what: str, *, required: bool = True) -> str:
    """``obj[key]`` as a string (ids may come as numbers); "" when optional and absent."""
    if not isinstance(obj, dict):
        raise malformed(platform, f"{what} is not an object")
    value = obj.get(key)
    if value.__class__ is str:  # the common case, checked first (ingest parses thousands)
        return value
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise malformed(platform, f"{what}.{key} is missing or not a string")
    return str(value)


def get_obj(obj: Any, key: str, platform: str, what: str, *, required: bool = True) -> dict:
    """``obj[key]`` as an object; ``{}`` when optional and absent."""
    if not isinstance(obj, dict):
        raise malformed(platform, f"{what} is not an object")
    value = obj.get(key)
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise malformed(platform, f"{what}.{key} is missing or not an object")
    return value


def parse_time(value: Any, platform: str, what: str) -> datetime:
    """An ISO 8601 time (``…Z``, ``…+00:00``, Graph's ``…+0000``) as aware UTC;
    a time without a zone is taken as UTC."""
    if not isinstance(value, str):
        raise malformed(platform, f"{what} is not an ISO 8601 time")
    text = value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except (ValueError, OverflowError):
        try:
            when = datetime.strptime(text, "%Y-%m-%dT%H:%M:%S%z")
        except ValueError:
            raise malformed(platform, f"{what} is not an ISO 8601 time") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    try:
        return when.astimezone(timezone.utc)
    except (OverflowError, ValueError):
        raise malformed(platform, f"{what} is out of range") from None


def numeric_id_key(value: str) -> tuple[int, str]:
    """Order ids that are numbers sent as strings (Mastodon, X): by length, then text."""
    return (len(value), value)


def comparable_text(text: str) -> str:
    """A post's text reduced for telling whether a platform's copy is the one we
    sent: NFC, runs of whitespace as one space, no whitespace at the ends
    (platforms may trim or re-wrap lines; they keep the words)."""
    return " ".join(unicodedata.normalize("NFC", text).split())
