"""X (Twitter API v2) adapter: see :mod:`integrations.x.adapter`."""

from .adapter import XAdapter
from .parse import PLATFORM, Cursor, decode_cursor

__all__ = ["PLATFORM", "Cursor", "XAdapter", "decode_cursor"]
