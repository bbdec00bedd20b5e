"""The Mastodon adapter: mentions, replies and DMs in; threaded replies, posts out.

Inbound comes from two streams, merged oldest first:

* ``GET /api/v1/notifications?types[]=mention`` paged forward with ``min_id``
  (Mastodon returns newest first; we sort). A mention whose status replies
  to one of the account's statuses (``in_reply_to_account_id`` is ours) is an
  :attr:`ItemKind.COMMENT`, any other an :attr:`ItemKind.MENTION`. Mentions
  with ``direct`` visibility are left to the DM stream. The API gives at most
  80 notifications a request; when the caller's ``limit`` is larger, one call
  follows ``min_id`` forward over several requests while the pages are full,
  keeping a fifth of ``limit`` (at most 40) for DMs, so a backlog of mentions
  does not starve the DM stream.
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

Publishing (:meth:`MastodonAdapter.publish`): the instance's limits are read
once from ``GET /api/v2/instance`` (defaults 500 characters, 4 attachments,
23 per URL, 1500 for alt text when absent or on a 404 from older servers) and
checked before anything is sent. Each image is uploaded with
``POST /api/v2/media`` (multipart ``file`` + ``description`` = alt text); a 202
means the server is still processing it, so ``GET /api/v1/media/:id`` is polled
(206 = not yet) a bounded number of times before a :class:`TransientError`.
The status is created public with ``Idempotency-Key`` = the caller's key, so a
retry (ours after a 5xx or timeout, or the caller's) never posts twice while
the instance remembers the key (one hour, Mastodon's own default); a retry
of the whole publish may leave unattached uploads, which Mastodon removes. A
``post.link`` not already in the text is appended to it (Mastodon has no
separate link field).

Keyword search (:meth:`MastodonAdapter.search`) uses ``GET /api/v2/search``
with ``type=statuses``. Full-text status search needs Elasticsearch on the
instance and finds only statuses it indexes: the account's own, ones it
favourited or was mentioned in, and those of accounts that opted in
(``indexable``). A query that is a single hashtag (``#tag``) reads the tag
timeline ``GET /api/v1/timelines/tag/:tag`` instead, which sees every public
status with that tag the instance knows, indexed or not.
"""

from __future__ import annotations

import asyncio
import re
from typing import Any
from urllib.parse import quote

import httpx

from integrations.base import (
    AccountRef,
    AdapterError,
    Capabilities,
    InboundItem,
    InboundPage,
    ItemKind,
    MediaAttachment,
    OutboundPost,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    SearchPage,
    TransientError,
)
from integrations.http import HttpTransport, _utc_now, before_the_create, encode_multipart
from integrations.mastodon_parse import (
    PLATFORM,
    InstanceLimits,
    _get_obj,
    _get_str,
    _id_key,
    _malformed,
    _parse_time,
    _query_param,
    decode_cursor,
    encode_cursor,
    html_to_text,
    parse_conversations,
    parse_found_posts,
    parse_instance_limits,
    parse_media_id,
    parse_notifications,
    parse_publish_result,
    parse_search,
)
from integrations.text_length import (
    MASTODON_MAX_CHARS,
    MASTODON_URL_LENGTH,
    find_urls,
    mastodon_length,
)

__all__ = [
    "MastodonAdapter", "html_to_text", "parse_notifications", "parse_conversations",
    "encode_cursor", "decode_cursor", "InstanceLimits",
]

NOTIFICATIONS_MAX = 80
CONVERSATIONS_MAX = 40
SEARCH_MAX = 40
#: Checks of a media attachment still processing (202/206) before giving up,
#: sleeping 1, 2, 4, then 5 s between them (about half a minute in all).
MEDIA_POLL_ATTEMPTS = 8
MEDIA_POLL_CAP_S = 5.0
_HASHTAG_QUERY = re.compile(r"#(\w+)")
_SEARCH_CURSOR = re.compile(r"[0-9A-Za-z_-]{1,64}")


class _NotFound(PermanentError):
    """A 404; a :class:`PermanentError` like any other outside this module."""


def _status_length(text: str, limits: InstanceLimits) -> int:
    """Characters as the instance counts them, with its own per-URL weight."""
    length = mastodon_length(text)
    if limits.characters_reserved_per_url != MASTODON_URL_LENGTH:
        extra = limits.characters_reserved_per_url - MASTODON_URL_LENGTH
        length += extra * len(find_urls(text))
    return length


class MastodonAdapter(PlatformAdapter):
    """One Mastodon account on one instance, with a bearer token."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=True,
        reply=True,
        publish=True,
        delete=True,
        media=True,
        # Idempotency-Key on every create: Mastodon keeps a key for one hour, so a
        # retry within the hour returns the status it already made.
        idempotent_publish=True,
        keyword_search=True,
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
        self._limits: InstanceLimits | None = None
        self._sleep = transport_options.get("sleep", asyncio.sleep)
        self._outer_classify = transport_options.pop("classify", None)
        self.http = HttpTransport(
            PLATFORM, self._client, token=token, clock=clock or _utc_now,
            classify=self._classify, **transport_options,
        )

    def __repr__(self) -> str:  # never show the token
        return f"MastodonAdapter({self.account.account_id!r}, base_url={self.base_url!r})"

    def _url(self, path: str) -> str:
        return self.base_url + path

    def _classify(self, response: httpx.Response, what: str, now: Any) -> AdapterError | None:
        """404 becomes :class:`_NotFound` (same message) so callers can tell it apart."""
        if self._outer_classify is not None:
            typed = self._outer_classify(response, what, now)
            if typed is not None:
                return typed
        if response.status_code == 404:
            msg = self.http.error_message(response)
            return _NotFound(f"{what}: HTTP 404" + (f": {msg}" if msg else ""), platform=PLATFORM)
        return None

    async def own_account_id(self) -> str:
        if self._own_id is None:
            r = await self.http.request("GET", self._url("/api/v1/accounts/verify_credentials"))
            self._own_id = _get_str(r.data, "id", "verify_credentials")
        return self._own_id

    # -- inbound -------------------------------------------------------------------

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        n_pos, c_pos = decode_cursor(cursor)
        own = await self.own_account_id()
        limit = max(1, limit)

        # Mentions: the first request asks min(80, limit) as always; more pages
        # follow while they come back full, up to ``limit`` less the DMs' share.
        n_cap = limit - min(CONVERSATIONS_MAX, limit // 5)
        mentions: list[InboundItem] = []
        new_n_pos = n_pos
        seen = 0
        n_limit = min(NOTIFICATIONS_MAX, limit)
        while True:
            r = await self.http.request(
                "GET", self._url("/api/v1/notifications"),
                params={"types[]": "mention", "limit": str(n_limit), "min_id": new_n_pos or "0"},
            )
            page_items, newest_n = parse_notifications(r.data, self.account, own)
            mentions += page_items
            got = len(r.data)  # a list: parse_notifications checked
            n_more = got >= n_limit
            prev_min = _query_param(r.link("prev"), "min_id")
            new_n_pos = newest_n or prev_min or new_n_pos
            seen += got
            n_limit = min(NOTIFICATIONS_MAX, n_cap - seen)
            if not n_more or n_limit <= 0:
                break

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

    # -- replies ----------------------------------------------------------------------

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

    # -- publishing ---------------------------------------------------------------------

    async def instance_limits(self) -> InstanceLimits:
        """The instance's status and media limits, read once (defaults on a 404)."""
        if self._limits is None:
            try:
                r = await self.http.request("GET", self._url("/api/v2/instance"))
            except _NotFound:
                self._limits = InstanceLimits()
            else:
                self._limits = parse_instance_limits(r.data)
        return self._limits

    def _check(self, text: str, media: tuple[MediaAttachment, ...], limits: InstanceLimits) -> None:
        length = _status_length(text, limits)
        if length > limits.max_characters:
            raise PermanentError(
                f"post is {length} characters; the instance allows {limits.max_characters}",
                platform=PLATFORM,
            )
        if len(media) > limits.max_media_attachments:
            raise PermanentError(
                f"post has {len(media)} images; the instance allows {limits.max_media_attachments}",
                platform=PLATFORM,
            )
        for n, m in enumerate(media, 1):
            if m.data is None:
                raise PermanentError(
                    f"image {n} has no data; mastodon takes uploads, not URLs", platform=PLATFORM)
            if len(m.alt_text) > limits.description_limit:
                raise PermanentError(
                    f"alt text of image {n} is {len(m.alt_text)} characters; "
                    f"the instance allows {limits.description_limit}",
                    platform=PLATFORM,
                )

    async def _upload(self, media: MediaAttachment) -> str:
        """Upload one image with its alt text; return its id once processed."""
        url = self._url("/api/v2/media")
        fields = {"description": media.alt_text} if media.alt_text else {}
        body, content_type = encode_multipart(
            fields, {"file": (media.filename or "image", media.data or b"", media.mime_type)})
        r = await self.http.request("POST", url, content=body, headers={"Content-Type": content_type})
        media_id = parse_media_id(r.data)
        if r.status == 200:
            return media_id
        path = self._url(f"/api/v1/media/{quote(media_id, safe='')}")
        for attempt in range(MEDIA_POLL_ATTEMPTS):
            await self._sleep(min(MEDIA_POLL_CAP_S, 2.0 ** attempt))
            r = await self.http.request("GET", path)
            if r.status == 200:
                return media_id
        raise TransientError(
            f"mastodon media {media_id} still processing after {MEDIA_POLL_ATTEMPTS} checks",
            platform=PLATFORM,
        )

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Publish ``post`` publicly now; see the module docstring."""
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}" if text else post.link
        if not text.strip() and not post.media:
            raise PermanentError("post has neither text nor images", platform=PLATFORM)
        with before_the_create():      # reading limits and uploading images post nothing
            limits = await self.instance_limits()
            self._check(text, post.media, limits)
            media_ids = [await self._upload(m) for m in post.media]
        body: dict[str, Any] = {"status": text, "visibility": "public"}
        if media_ids:
            body["media_ids"] = media_ids
        if post.language:
            body["language"] = post.language
        r = await self.http.request(
            "POST", self._url("/api/v1/statuses"), json_body=body,
            headers={"Idempotency-Key": idempotency_key},
        )
        return parse_publish_result(r.data, visibility="public")

    async def delete(self, remote_id: str) -> None:
        """Delete one of the account's statuses; a 404 means it is already gone."""
        if not remote_id:
            raise PermanentError("no status id to delete", platform=PLATFORM)
        try:
            await self.http.request(
                "DELETE", self._url(f"/api/v1/statuses/{quote(remote_id, safe='')}"),
                expect_json=False,
            )
        except _NotFound:
            return

    # -- search -------------------------------------------------------------------------

    async def search(self, query: str, *, cursor: str | None = None, limit: int = 25) -> SearchPage:
        """Public statuses matching ``query``, newest first; ``cursor`` pages to older ones.

        Full-text search finds only what the instance indexes (own statuses,
        favourited, mentioned, and opted-in accounts); a single ``#tag`` reads
        the tag timeline instead. The cursor is the oldest status id of the
        page (``max_id`` of the next request); an empty page has none.
        """
        q = query.strip()
        if not q:
            raise PermanentError("empty search query", platform=PLATFORM)
        if cursor is not None and not _SEARCH_CURSOR.fullmatch(cursor):
            raise PermanentError("invalid mastodon search cursor", platform=PLATFORM)
        params: dict[str, str] = {"limit": str(max(1, min(SEARCH_MAX, limit)))}
        if cursor:
            params["max_id"] = cursor
        tag = _HASHTAG_QUERY.fullmatch(q)
        if tag:
            r = await self.http.request(
                "GET", self._url(f"/api/v1/timelines/tag/{quote(tag.group(1), safe='')}"),
                params=params,
            )
            posts = parse_found_posts(r.data, "tag timeline")
        else:
            params.update({"q": q, "type": "statuses", "resolve": "false"})
            r = await self.http.request("GET", self._url("/api/v2/search"), params=params)
            posts = parse_search(r.data)
        return SearchPage(posts=posts, cursor=posts[-1].remote_id if posts else None)

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
