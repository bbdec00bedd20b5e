"""LinkedIn organization pages (Posts, Comments and notifications APIs).

See :mod:`integrations.linkedin.adapter` for what the adapter does and the
platform's limits, :mod:`integrations.linkedin.little_text` for the escaping
of LinkedIn's "little text format".
"""

from integrations.linkedin.adapter import DEFAULT_VERSION, LinkedInAdapter
from integrations.linkedin.errors import NotFoundError, classify, next_utc_midnight
from integrations.linkedin.little_text import LITTLE_TEXT_RESERVED, escape_little_text
from integrations.linkedin.records import (
    decode_cursor,
    encode_cursor,
    parse_comment,
    parse_notification_page,
    parse_post,
)

__all__ = [
    "DEFAULT_VERSION",
    "LITTLE_TEXT_RESERVED",
    "LinkedInAdapter",
    "NotFoundError",
    "classify",
    "decode_cursor",
    "encode_cursor",
    "escape_little_text",
    "next_utc_midnight",
    "parse_comment",
    "parse_notification_page",
    "parse_post",
]
