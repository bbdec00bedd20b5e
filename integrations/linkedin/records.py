"""LinkedIn JSON -> neutral records, and the opaque inbound cursor.

Every parser raises :class:`PermanentError` ("malformed response from
linkedin: ...") naming the field that was missing or of the wrong type; none
raises ``KeyError``/``TypeError``. Times are LinkedIn's epoch milliseconds,
returned as aware UTC datetimes. Text is kept exactly as LinkedIn sent it
(little text format included).
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from integrations.base import AccountRef, Author, InboundItem, ItemKind, PermanentError

PLATFORM = "linkedin"
POST_URL = "https://www.linkedin.com/feed/update/{urn}/"

#: Notification actions that carry a comment (resolved through the Comments API).
COMMENT_ACTIONS = frozenset({"COMMENT", "ADMIN_COMMENT", "COMMENT_MENTION"})
#: A post that mentions the organization (resolved through the Posts API).
SHARE_MENTION = "SHARE_MENTION"
#: What fetch_inbound asks for.
INBOUND_ACTIONS = ("COMMENT", "SHARE_MENTION", "COMMENT_MENTION", "ADMIN_COMMENT")

_COMMENT_URN = re.compile(r"^urn:li:comment:\((urn:li:[A-Za-z]+:[^,()]+),([^,()]+)\)$")
_CURSOR_PREFIX = "v1:"


def malformed(what: str) -> PermanentError:
    return PermanentError(f"malformed response from {PLATFORM}: {what}", platform=PLATFORM)


# -- small JSON helpers -----------------------------------------------------------

def get_obj(obj: Any, key: str, what: str, *, required: bool = True) -> dict[str, Any] | None:
    if not isinstance(obj, dict):
        raise malformed(f"{what} is not an object")
    value = obj.get(key)
    if value is None and not required:
        return None
    if not isinstance(value, dict):
        raise malformed(f"{what}.{key} is missing or not an object")
    return value


def get_str(obj: Any, key: str, what: str, *, required: bool = True) -> str:
    if not isinstance(obj, dict):
        raise malformed(f"{what} is not an object")
    value = obj.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise malformed(f"{what}.{key} is missing or not a string")
    return value


def get_millis(obj: Any, key: str, what: str) -> int:
    if not isinstance(obj, dict):
        raise malformed(f"{what} is not an object")
    value = obj.get(key)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise malformed(f"{what}.{key} is missing or not a time in milliseconds")
    if isinstance(value, float) and (not math.isfinite(value) or value != int(value)):
        raise malformed(f"{what}.{key} is not a whole number of milliseconds")
    if not 0 <= value < 253402300800000:  # before year 10000
        raise malformed(f"{what}.{key} is out of range")
    return int(value)


def millis_to_datetime(ms: int) -> datetime:
    return datetime.fromtimestamp(ms / 1000, timezone.utc)


def datetime_to_millis(when: datetime) -> int:
    return int(when.timestamp() * 1000)


def split_comment_urn(urn: str) -> tuple[str, str] | None:
    """``urn:li:comment:(urn:li:activity:1,2)`` -> ``("urn:li:activity:1", "2")``."""
    match = _COMMENT_URN.match(urn)
    return (match.group(1), match.group(2)) if match else None


# -- notifications ------------------------------------------------------------------

@dataclass(frozen=True)
class Notification:
    """One organizationalEntityNotifications element, as much as we use of it."""

    action: str
    at_ms: int                 # lastModifiedAt
    source_post: str           # "" when absent
    generated_activity: str    # "" when absent

    @property
    def key(self) -> str:
        """Identifies the notification within one millisecond (for the cursor)."""
        return f"{self.action} {self.generated_activity} {self.source_post}"


def parse_notification_page(data: Any) -> list[Notification]:
    """``{"elements": [...], "paging": {...}}`` -> notifications, in page order."""
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise malformed("notifications.elements is missing or not a list")
    found = []
    for element in data["elements"]:
        what = "notification"
        found.append(Notification(
            action=get_str(element, "action", what),
            at_ms=get_millis(element, "lastModifiedAt", what),
            source_post=get_str(element, "sourcePost", what, required=False),
            generated_activity=get_str(element, "generatedActivity", what, required=False),
        ))
    return found


# -- comments and posts -----------------------------------------------------------------

def parse_comment(
    data: Any, ref: AccountRef, *, post_urn: str, comment_urn: str, kind: ItemKind
) -> InboundItem:
    """A comment (GET /rest/socialActions/{post}/comments/{id}) as an inbound item.

    ``comment_urn`` is the URN the notification named; the comment's own
    ``commentUrn`` wins when present. Author names are not in the response:
    the handle is the actor URN.
    """
    what = "comment"
    urn = get_str(data, "commentUrn", what, required=False) or comment_urn
    created = get_obj(data, "created", what)
    actor = get_str(data, "actor", what, required=False) or get_str(created, "actor", "comment.created")
    message = get_obj(data, "message", what, required=False)
    text = get_str(message, "text", "comment.message", required=False) if message is not None else ""
    parent = get_str(data, "parentComment", what, required=False) or None
    return InboundItem(
        platform=PLATFORM,
        account_id=ref.account_id,
        remote_id=urn,
        kind=kind,
        thread_id=f"{PLATFORM}:{post_urn}",
        author=Author(remote_id=actor, handle=actor, display_name=""),
        text=text,
        created_at=millis_to_datetime(get_millis(created, "time", "comment.created")),
        parent_remote_id=parent,
        url=POST_URL.format(urn=post_urn),
    )


def parse_post(data: Any, ref: AccountRef, *, post_urn: str) -> InboundItem:
    """A post that mentions the organization (GET /rest/posts/{urn}) as a mention."""
    what = "post"
    urn = get_str(data, "id", what, required=False) or post_urn
    author = get_str(data, "author", what)
    commentary = get_str(data, "commentary", what, required=False)
    key = "publishedAt" if isinstance(data.get("publishedAt"), (int, float)) else "createdAt"
    return InboundItem(
        platform=PLATFORM,
        account_id=ref.account_id,
        remote_id=urn,
        kind=ItemKind.MENTION,
        thread_id=f"{PLATFORM}:{urn}",
        author=Author(remote_id=author, handle=author, display_name=""),
        text=commentary,
        created_at=millis_to_datetime(get_millis(data, key, what)),
        parent_remote_id=None,
        url=POST_URL.format(urn=urn),
    )


@dataclass(frozen=True)
class OwnPost:
    """One of the organization's posts, as the posts-by-author finder lists it."""

    urn: str
    commentary: str            # little text, as LinkedIn keeps it
    at: datetime               # publishedAt, or createdAt for a post not yet published


def parse_own_posts(data: Any) -> list[OwnPost]:
    """``GET /rest/posts?q=author`` -> the page's posts, in page order."""
    if not isinstance(data, dict) or not isinstance(data.get("elements"), list):
        raise malformed("posts.elements is missing or not a list")
    posts = []
    for element in data["elements"]:
        what = "post"
        key = "publishedAt" if isinstance(element, dict) and isinstance(element.get("publishedAt"), (int, float)) \
            else "createdAt"
        posts.append(OwnPost(urn=get_str(element, "id", what),
                             commentary=get_str(element, "commentary", what, required=False),
                             at=millis_to_datetime(get_millis(element, key, what))))
    return posts


def parse_upload(data: Any) -> tuple[str, str]:
    """initializeUpload's ``{"value": {"uploadUrl", "image"}}`` -> (upload URL, image URN)."""
    value = get_obj(data, "value", "initializeUpload")
    return (get_str(value, "uploadUrl", "initializeUpload.value"),
            get_str(value, "image", "initializeUpload.value"))


# -- the cursor -------------------------------------------------------------------------

def encode_cursor(high_water_ms: int, seen: set[tuple[int, str]]) -> str:
    """``"v1:" + JSON``: the time-range high-water mark and what was seen at or after it."""
    return _CURSOR_PREFIX + json.dumps(
        {"t": high_water_ms, "seen": sorted([ms, key] for ms, key in seen)},
        sort_keys=True, ensure_ascii=True,
    )


def decode_cursor(cursor: str | None) -> tuple[int | None, set[tuple[int, str]]]:
    if cursor is None:
        return None, set()
    invalid = PermanentError("invalid linkedin cursor", platform=PLATFORM)
    if not isinstance(cursor, str) or not cursor.startswith(_CURSOR_PREFIX):
        raise invalid
    try:
        data = json.loads(cursor[len(_CURSOR_PREFIX):])
    except (ValueError, RecursionError):
        raise invalid from None
    if not isinstance(data, dict):
        raise invalid
    high_water, pairs = data.get("t"), data.get("seen")
    if isinstance(high_water, bool) or not isinstance(high_water, int) or high_water < 0:
        raise invalid
    if not isinstance(pairs, list):
        raise invalid
    seen: set[tuple[int, str]] = set()
    for pair in pairs:
        if (not isinstance(pair, list) or len(pair) != 2 or isinstance(pair[0], bool)
                or not isinstance(pair[0], int) or not isinstance(pair[1], str)):
            raise invalid
        seen.add((pair[0], pair[1]))
    return high_water, seen
