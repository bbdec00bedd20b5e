"""The Mastodon adapter: mentions, replies and DMs in; threaded replies out.

Inbound comes from two streams, merged oldest first:

* ``GET /api/v1/notifications?types[]=mention`` paged forward with ``min_id``
  (Mastodon returns newest first; we sort). A mention whose status replies
  to one of the account's statuses (``in_reply_to_account_id`` is ours) is an
  :attr:`ItemKind.COMMENT`, any other an :attr:`ItemKind.MENTION`. Mentions
  with ``direct`` visibility are left to the DM stream.
* ``GET /api/v1/conversations`` (DMs, :attr:`ItemKind.DM`): its ids are
  internal, so the position is the ``min_id`` of the ``Link: rel="prev"``
  header (else the newest ``last_status`` id seen). Mastodon shows only the
  *last* status of each conversation, so two DMs arriving in one conversation
  between two polls surface as one item (the newer); a platform limit. The
  first fetch of this stream starts at the newest page.

The cursor is opaque: ``"v1:" + JSON {"n": notification position, "c":
conversation position}``. Passing it again never skips an item; items may
repeat when a stream's page was full (``has_more``).

Thread ids: a DM's thread is its conversation (``mastodon:conv:<id>``); a
mention's or comment's thread is the status it replies to, or itself
(``mastodon:status:<id>``); Mastodon offers no root id without one extra
``/context`` call per item.

Text in records is the status's HTML turned into plain text (tags dropped,
``<br>`` and paragraphs kept as line breaks, entities unescaped).
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote

import httpx

from integrations.base import (
    AccountRef,
    Author,
    Capabilities,
    InboundItem,
    InboundPage,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    PublishResult,
)
from integrations.http import HttpTransport, _utc_now
from integrations.text_length import MASTODON_MAX_CHARS, mastodon_length

PLATFORM = "mastodon"
NOTIFICATIONS_MAX = 80
CONVERSATIONS_MAX = 40
_CURSOR_PREFIX = "v1:"


def _malformed(what: str) -> PermanentError:
    return PermanentError(f"malformed response from {PLATFORM}: {what}", platform=PLATFORM)


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


def html_to_text(content: str) -> str:
    """Mastodon's sanitized status HTML as plain text; no markup survives."""
    parser = _PlainText()
    try:
        parser.feed(content)
        parser.close()
    except Exception:  # HTMLParser is lenient; be safe on pathological input
        return ""
    return "".join(parser.parts).strip()


# -- JSON helpers ---------------------------------------------------------------

def _get_str(obj: Any, key: str, what: str, *, required: bool = True) -> str:
    if not isinstance(obj, dict):
        raise _malformed(f"{what} is not an object")
    value = obj.get(key)
    if value is None and not required:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _malformed(f"{what}.{key} is missing or not a string")
    return str(value)


def _get_obj(obj: Any, key: str, what: str) -> dict[str, Any]:
    if not isinstance(obj, dict) or not isinstance(obj.get(key), dict):
        raise _malformed(f"{what}.{key} is missing or not an object")
    return obj[key]


def _parse_time(value: str, what: str) -> datetime:
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        return when.astimezone(timezone.utc)
    except (ValueError, OverflowError):
        raise _malformed(f"{what} is not an ISO 8601 time") from None


def _id_key(value: str) -> tuple[int, str]:
    """Mastodon ids are opaque strings, in practice numeric: order by length then text."""
    return (len(value), value)


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


class MastodonAdapter(PlatformAdapter):
    """One Mastodon account on one instance, with a bearer token."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=True,
        reply=True,
        publish=False,
        delete=False,
        media=False,
        keyword_search=False,
        native_scheduling=False,
    )

    def __init__(
        self,
        account: AccountRef,
        *,
        base_url: str,
        token: str,
        client: httpx.AsyncClient | None = None,
        clock: Any = None,
        own_account_id: str | None = None,
        max_characters: int = MASTODON_MAX_CHARS,
        **transport_options: Any,
    ) -> None:
        super().__init__(account)
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=30.0)
        self._own_id = own_account_id
        self.max_characters = max_characters
        self.http = HttpTransport(
            PLATFORM, self._client, token=token, clock=clock or _utc_now, **transport_options
        )

    def __repr__(self) -> str:  # never show the token
        return f"MastodonAdapter({self.account.account_id!r}, base_url={self.base_url!r})"

    def _url(self, path: str) -> str:
        return self.base_url + path

    async def own_account_id(self) -> str:
        if self._own_id is None:
            r = await self.http.request("GET", self._url("/api/v1/accounts/verify_credentials"))
            self._own_id = _get_str(r.data, "id", "verify_credentials")
        return self._own_id

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        n_pos, c_pos = decode_cursor(cursor)
        own = await self.own_account_id()
        limit = max(1, limit)

        n_limit = min(NOTIFICATIONS_MAX, limit)
        r = await self.http.request(
            "GET", self._url("/api/v1/notifications"),
            params={"types[]": "mention", "limit": str(n_limit), "min_id": n_pos or "0"},
        )
        mentions, newest_n = parse_notifications(r.data, self.account, own)
        n_more = isinstance(r.data, list) and len(r.data) >= n_limit
        prev_min = _query_param(r.link("prev"), "min_id")
        new_n_pos = newest_n or prev_min or n_pos

        # At most ``limit`` items in all: DMs get what the mentions left.
        dms: list[InboundItem] = []
        new_c_pos, c_more = c_pos, False
        c_limit = min(CONVERSATIONS_MAX, limit - len(mentions))
        if c_limit <= 0:
            c_more = True
        else:
            params = {"limit": str(c_limit)}
            if c_pos:
                params["min_id"] = c_pos
            r = await self.http.request("GET", self._url("/api/v1/conversations"), params=params)
            dms, newest_c = parse_conversations(r.data, self.account, own)
            c_more = bool(c_pos) and isinstance(r.data, list) and len(r.data) >= c_limit
            new_c_pos = _query_param(r.link("prev"), "min_id") or newest_c or c_pos

        items = sorted(mentions + dms, key=lambda i: (i.created_at, _id_key(i.remote_id)))
        return InboundPage(
            items=items, cursor=encode_cursor(new_n_pos, new_c_pos), has_more=n_more or c_more
        )

    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        own = await self.own_account_id()
        r = await self.http.request("GET", self._url(f"/api/v1/statuses/{quote(item.remote_id, safe='')}"))
        original = r.data
        author = _get_str(_get_obj(original, "account", "status"), "acct", "status.account")
        recipients = [author] if _get_str(original["account"], "id", "status.account") != own else []
        if item.kind is ItemKind.DM:
            mentions = original.get("mentions") or []
            if not isinstance(mentions, list):
                raise _malformed("status.mentions is not a list")
            for m in mentions:
                if _get_str(m, "id", "status.mention") != own:
                    recipients.append(_get_str(m, "acct", "status.mention"))
            visibility = "direct"
        else:
            visibility = original.get("visibility")
            if visibility not in ("public", "unlisted", "private"):
                visibility = "public"
        lowered = text.lower()
        missing = []
        for acct in dict.fromkeys(recipients):
            handle = "@" + acct
            if handle.lower() not in lowered and acct not in missing:
                missing.append(handle)
        status_text = (" ".join(missing) + " " + text) if missing else text
        if mastodon_length(status_text) > self.max_characters:
            raise PermanentError(
                f"reply is {mastodon_length(status_text)} characters; "
                f"the instance allows {self.max_characters}",
                platform=PLATFORM,
            )
        r = await self.http.request(
            "POST", self._url("/api/v1/statuses"),
            json_body={"status": status_text, "in_reply_to_id": item.remote_id,
                       "visibility": visibility},
            headers={"Idempotency-Key": idempotency_key},
        )
        sid = _get_str(r.data, "id", "status")
        return PublishResult(
            remote_id=sid,
            url=_get_str(r.data, "url", "status", required=False) or None,
            published_at=_parse_time(_get_str(r.data, "created_at", "status"), "status.created_at"),
            extra={"visibility": visibility},
        )

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
