"""Mastodon JSON and HTML -> neutral records (the parsing half of the adapter).

Everything here is pure: no HTTP. Malformed input raises
:class:`PermanentError` ("malformed response from mastodon: <what>"), never
``KeyError``/``TypeError``. :mod:`integrations.mastodon` re-exports the public
names (``html_to_text``, ``parse_notifications``, ``parse_conversations``,
``encode_cursor``, ``decode_cursor``).

``html_to_text`` has a fast path for the sanitized HTML Mastodon serves (a
handful of known tags with well-formed attributes): it splits on tags with one
regular expression and unescapes the text between them. Anything else (a
comment, a stray ``<``, an unknown or raw-text tag such as ``<script>``) goes
through :class:`html.parser.HTMLParser`, which the fast path reproduces
exactly for the input it accepts (the tests compare both on random input).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from html import unescape
from html.parser import HTMLParser
from typing import Any

import httpx

from integrations import fields
from integrations.base import (
    AccountRef,
    Author,
    FoundPost,
    InboundItem,
    ItemKind,
    PermanentError,
    PublishResult,
)

PLATFORM = "mastodon"
_CURSOR_PREFIX = "v1:"


def _malformed(what: str) -> PermanentError:
    return fields.malformed(PLATFORM, what)


# -- HTML to plain text ---------------------------------------------------------

class _PlainText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._paragraphs = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag == "br":
            self.parts.append("\n")
        elif tag == "p":
            if self._paragraphs:
                self.parts.append("\n\n")
            self._paragraphs += 1

    def handle_startendtag(self, tag: str, attrs: Any) -> None:
        self.handle_starttag(tag, attrs)

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _html_to_text_slow(content: str) -> str:
    parser = _PlainText()
    try:
        parser.feed(content)
        parser.close()
    except Exception:  # HTMLParser is lenient; be safe on pathological input
        return ""
    return "".join(parser.parts).strip()


# Tags Mastodon's sanitizer lets through (and a few harmless neighbours). A tag
# outside this set, notably a raw-text element (script, style, textarea, title),
# sends the input to HTMLParser.
_FAST_TAGS = frozenset(
    "p br span a b strong i em u s del ins code pre blockquote ul ol li "
    "h1 h2 h3 h4 h5 h6 sub sup small big ruby rt rp bdi bdo abbr q cite mark".split()
)
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9]*)"
    r"(?:\s+[a-zA-Z_:][-a-zA-Z0-9_:.]*"
    r"(?:\s*=\s*(?:\"[^\"<>]*\"|'[^'<>]*'|[^\s\"'=<>`/]+))?)*"
    r"\s*/?>"
)
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9]*)\s*>")


def _html_to_text_fast(content: str) -> str | None:
    """The plain text, or ``None`` when the input needs the full parser."""
    parts: list[str] = []
    paragraphs = 0
    pos = 0
    find = content.find
    while True:
        j = find("<", pos)
        if j < 0:
            if pos < len(content):
                parts.append(unescape(content[pos:]))
            break
        if j > pos:
            parts.append(unescape(content[pos:j]))
        if content.startswith("</", j):
            m = _END_TAG.match(content, j)
            if m is None or m.group(1).lower() not in _FAST_TAGS:
                return None
        else:
            m = _START_TAG.match(content, j)
            if m is None:
                return None
            tag = m.group(1).lower()
            if tag not in _FAST_TAGS:
                return None
            if tag == "br":
                parts.append("\n")
            elif tag == "p":
                if paragraphs:
                    parts.append("\n\n")
                paragraphs += 1
        pos = m.end()
    return "".join(parts).strip()


def html_to_text(content: str) -> str:
    """Mastodon's sanitized status HTML as plain text; no markup survives."""
    if "<" not in content and "&" not in content:
        return content.strip()
    fast = _html_to_text_fast(content)
    return fast if fast is not None else _html_to_text_slow(content)


# -- JSON helpers ---------------------------------------------------------------

def _get_str(obj: Any, key: str, what: str, *, required: bool = True) -> str:
    return fields.get_str(obj, key, PLATFORM, what, required=required)


def _get_obj(obj: Any, key: str, what: str) -> dict[str, Any]:
    return fields.get_obj(obj, key, PLATFORM, what)


def _parse_time(value: str, what: str) -> datetime:
    return fields.parse_time(value, PLATFORM, what)


_id_key = fields.numeric_id_key


def parse_author(account: Any, what: str = "account") -> Author:
    return Author(
        remote_id=_get_str(account, "id", what),
        handle="@" + _get_str(account, "acct", what),
        display_name=_get_str(account, "display_name", what, required=False),
    )


def parse_status(
    status: Any, ref: AccountRef, *, kind: ItemKind, thread_id: str, what: str = "status"
) -> InboundItem:
    sid = _get_str(status, "id", what)
    content = _get_str(status, "content", what, required=False)
    return InboundItem(
        platform=PLATFORM,
        account_id=ref.account_id,
        remote_id=sid,
        kind=kind,
        thread_id=thread_id,
        author=parse_author(_get_obj(status, "account", what), f"{what}.account"),
        text=html_to_text(content),
        created_at=_parse_time(_get_str(status, "created_at", what), f"{what}.created_at"),
        parent_remote_id=_get_str(status, "in_reply_to_id", what, required=False) or None,
        url=_get_str(status, "url", what, required=False) or None,
        language=_get_str(status, "language", what, required=False),
    )


def parse_notifications(data: Any, ref: AccountRef, own_id: str) -> tuple[list[InboundItem], str | None]:
    """Mention notifications -> (items, newest notification id in the page)."""
    if not isinstance(data, list):
        raise _malformed("notifications is not a list")
    items: list[InboundItem] = []
    newest: str | None = None
    for n in data:
        nid = _get_str(n, "id", "notification")
        if newest is None or _id_key(nid) > _id_key(newest):
            newest = nid
        if n.get("type") != "mention" or n.get("status") is None:
            continue
        status = _get_obj(n, "status", "notification")
        if status.get("visibility") == "direct":
            continue  # the conversations stream brings DMs
        sid = _get_str(status, "id", "notification.status")
        parent = _get_str(status, "in_reply_to_id", "notification.status", required=False)
        to_account = _get_str(status, "in_reply_to_account_id", "notification.status", required=False)
        kind = ItemKind.COMMENT if parent and own_id and to_account == own_id else ItemKind.MENTION
        items.append(parse_status(
            status, ref, kind=kind, thread_id=f"{PLATFORM}:status:{parent or sid}",
            what="notification.status",
        ))
    return items, newest


def parse_conversations(data: Any, ref: AccountRef, own_id: str) -> tuple[list[InboundItem], str | None]:
    """Conversations -> (DM items not written by us, newest last_status id)."""
    if not isinstance(data, list):
        raise _malformed("conversations is not a list")
    items: list[InboundItem] = []
    newest: str | None = None
    for c in data:
        cid = _get_str(c, "id", "conversation")
        if not isinstance(c, dict) or c.get("last_status") is None:
            continue
        status = _get_obj(c, "last_status", "conversation")
        item = parse_status(
            status, ref, kind=ItemKind.DM, thread_id=f"{PLATFORM}:conv:{cid}",
            what="conversation.last_status",
        )
        if newest is None or _id_key(item.remote_id) > _id_key(newest):
            newest = item.remote_id
        if own_id and item.author.remote_id == own_id:
            continue
        items.append(item)
    return items, newest


def encode_cursor(notifications: str | None, conversations: str | None) -> str:
    return _CURSOR_PREFIX + json.dumps({"n": notifications, "c": conversations}, sort_keys=True)


def decode_cursor(cursor: str | None) -> tuple[str | None, str | None]:
    if cursor is None:
        return None, None
    if not cursor.startswith(_CURSOR_PREFIX):
        raise PermanentError("invalid mastodon cursor", platform=PLATFORM)
    try:
        data = json.loads(cursor[len(_CURSOR_PREFIX):])
    except ValueError:
        raise PermanentError("invalid mastodon cursor", platform=PLATFORM) from None
    if not isinstance(data, dict):
        raise PermanentError("invalid mastodon cursor", platform=PLATFORM)
    n, c = data.get("n"), data.get("c")
    if not all(v is None or isinstance(v, str) for v in (n, c)):
        raise PermanentError("invalid mastodon cursor", platform=PLATFORM)
    return n, c


def _query_param(url: str | None, name: str) -> str | None:
    if not url:
        return None
    try:
        return httpx.URL(url).params.get(name)
    except (httpx.InvalidURL, ValueError, TypeError):
        return None


# -- publishing and search -----------------------------------------------------------

DEFAULT_MAX_CHARACTERS = 500
DEFAULT_MAX_MEDIA = 4
DEFAULT_URL_LENGTH = 23
DEFAULT_DESCRIPTION_LIMIT = 1500


@dataclass(frozen=True)
class InstanceLimits:
    """What ``GET /api/v2/instance`` says about statuses and media."""

    max_characters: int = DEFAULT_MAX_CHARACTERS
    max_media_attachments: int = DEFAULT_MAX_MEDIA
    characters_reserved_per_url: int = DEFAULT_URL_LENGTH
    description_limit: int = DEFAULT_DESCRIPTION_LIMIT


def _positive_int(obj: Any, key: str, default: int) -> int:
    value = obj.get(key) if isinstance(obj, dict) else None
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        return default
    return value


def parse_instance_limits(data: Any) -> InstanceLimits:
    """Instance configuration -> limits; an absent or odd value keeps its default.

    The limits only pre-check what the server validates anyway, so a missing
    ``configuration`` (older or non-Mastodon servers) is not an error.
    """
    config = data.get("configuration") if isinstance(data, dict) else None
    statuses = config.get("statuses") if isinstance(config, dict) else None
    media = config.get("media_attachments") if isinstance(config, dict) else None
    return InstanceLimits(
        max_characters=_positive_int(statuses, "max_characters", DEFAULT_MAX_CHARACTERS),
        max_media_attachments=_positive_int(statuses, "max_media_attachments", DEFAULT_MAX_MEDIA),
        characters_reserved_per_url=_positive_int(
            statuses, "characters_reserved_per_url", DEFAULT_URL_LENGTH),
        description_limit=_positive_int(media, "description_limit", DEFAULT_DESCRIPTION_LIMIT),
    )


def parse_media_id(data: Any, what: str = "media") -> str:
    """A MediaAttachment's id."""
    return _get_str(data, "id", what)


def parse_publish_result(data: Any, *, visibility: str) -> PublishResult:
    """A created Status -> PublishResult (``url`` falls back to ``uri``)."""
    sid = _get_str(data, "id", "status")
    url = (_get_str(data, "url", "status", required=False)
           or _get_str(data, "uri", "status", required=False) or None)
    return PublishResult(
        remote_id=sid,
        url=url,
        published_at=_parse_time(_get_str(data, "created_at", "status"), "status.created_at"),
        extra={"visibility": visibility},
    )


def parse_found_post(status: Any, what: str = "status") -> FoundPost:
    sid = _get_str(status, "id", what)
    url = (_get_str(status, "url", what, required=False)
           or _get_str(status, "uri", what, required=False) or None)
    return FoundPost(
        platform=PLATFORM,
        remote_id=sid,
        author=parse_author(_get_obj(status, "account", what), f"{what}.account"),
        text=html_to_text(_get_str(status, "content", what, required=False)),
        created_at=_parse_time(_get_str(status, "created_at", what), f"{what}.created_at"),
        url=url,
        language=_get_str(status, "language", what, required=False),
    )


def parse_found_posts(statuses: Any, what: str) -> list[FoundPost]:
    """A list of Statuses -> FoundPosts, newest first (by id, as Mastodon orders)."""
    if not isinstance(statuses, list):
        raise _malformed(f"{what} is not a list")
    posts = [parse_found_post(s, f"{what}[]") for s in statuses]
    posts.sort(key=lambda p: _id_key(p.remote_id), reverse=True)
    return posts


def parse_search(data: Any) -> list[FoundPost]:
    """A ``/api/v2/search`` result -> its statuses as FoundPosts, newest first."""
    if not isinstance(data, dict):
        raise _malformed("search result is not an object")
    if "statuses" not in data:
        raise _malformed("search.statuses is missing")
    return parse_found_posts(data["statuses"], "search.statuses")
