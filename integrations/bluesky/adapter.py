"""The Bluesky adapter: notifications into the inbox, threaded replies, over XRPC.

Inbound (``fetch_inbound``)
    ``app.bsky.notification.listNotifications`` with reasons mention, reply and
    quote (a quote counts as a mention; a reply is a comment). The platform pages
    newest first, so one call reads pages from the newest down to the stored
    position and returns what it found oldest first. The cursor is ours, not the
    platform's: ``bsky1:<indexedAt of the newest item returned>``. Bluesky's
    notification ``indexedAt`` is really a sort time, the *earlier* of the post's
    own ``createdAt`` and when it was indexed (checked against the reference
    servers), so a post whose author's clock is behind lands below newer ones.
    The next call therefore reads back to ``overlap`` (default 10 min) before
    the stored instant and returns every item from there that this adapter
    instance has not returned yet: nothing is skipped across restarts unless a
    post is backdated by more than ``overlap``; after a restart the overlap's
    items come again (the worker de-duplicates). A first call (``cursor=None``) returns the newest ``limit``
    items; older history is not back-filled. One call reads at most
    ``max_pages`` pages; if the stored position is further back than that (more
    than ``max_pages * 100`` items arrived since), the oldest unseen items are
    lost and :attr:`BlueskyAdapter.last_fetch_truncated` is set.

    A notification with bad fields is skipped, never fatal for its page; the
    reasons are in :attr:`BlueskyAdapter.last_skipped` after each call.

Replies (``send_reply``)
    ``com.atproto.repo.createRecord`` of an ``app.bsky.feed.post`` with
    ``reply.root``/``reply.parent`` strong refs: the parent is the item, the root
    is the item's own reply root (or the item when it is a top-level post). The
    CIDs come from the notifications this adapter has read; when it has not
    (e.g. after a restart) ``app.bsky.feed.getPosts`` fetches them. @handles are
    resolved to DIDs (``com.atproto.identity.resolveHandle``) and become mention
    facets, URLs become link facets, all with UTF-8 byte offsets; a handle that
    does not resolve stays plain text.

    Idempotency: the record key is a TID derived from ``(account, idempotency
    key)``. Before creating, the adapter looks the record up
    (``com.atproto.repo.getRecord``); if a previous attempt already created it,
    that post is returned instead of posting twice.

Posts (``publish``, ``find_published``, ``delete``, ``search``)
    New posts get the same facets and the same idempotent record key (from a
    key space of their own), images go up with ``uploadBlob`` and carry their
    alt text (:mod:`integrations.bluesky.publishing`). A retried publish finds
    its record with ``getRecord`` and returns it; when the first attempt lands
    between that look and the second create, the PDS answers the create with an
    error (HTTP 500 on the reference PDS) and the record is read and returned
    instead. ``find_published`` looks for one of our posts by its text in our
    own feed; ``delete`` removes one of our own posts; ``search`` is
    ``searchPosts`` through our PDS.

Not here: DMs (``chat.bsky.*`` needs a privileged app password and the chat
service; ``direct_messages`` is False).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from collections import OrderedDict
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from integrations.base import (
    AccountRef,
    AdapterError,
    Capabilities,
    InboundItem,
    OutboundPost,
    SearchPage,
    InboundPage,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    TransientError,
    UnsupportedError,
)

from .facets import build_facets, find_mentions
from .parse import Notification, StrongRef, bsky_post_url, parse_datetime, parse_notifications_page
from .publishing import check_post, clamp_search_limit, own_post_in_feed, parse_search_page, upload_images
from .xrpc import PLATFORM, XrpcClient

CURSOR_PREFIX = "bsky1:"
POST = "app.bsky.feed.post"
PAGE_SIZE = 100
#: Pages of our own feed (``getAuthorFeed``, 50 posts each) ``find_published`` reads at most.
FEED_PAGES = 4
#: Bluesky's limit in UTF-8 bytes (the 300-grapheme limit is checked by the server).
MAX_TEXT_BYTES = 3000

_TID_ALPHABET = "234567abcdefghijklmnopqrstuvwxyz"
# TIDs from keys carry a timestamp between 2023-01-01 and about 2057: plausible, valid.
_TID_BASE_US = 1_672_531_200_000_000
_TID_SPAN_US = 2**50


def rkey_for(account_id: str, idempotency_key: str) -> str:
    """A deterministic, syntactically valid TID record key for an idempotency key."""
    digest = hashlib.sha256(f"bluesky-reply\n{account_id}\n{idempotency_key}".encode()).digest()
    n = int.from_bytes(digest[:8], "big")
    micros = _TID_BASE_US + (n >> 10) % _TID_SPAN_US
    value = (micros << 10) | (n & 0x3FF)  # top bit stays 0: micros < 2**53
    chars = []
    for _ in range(13):
        chars.append(_TID_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


def _format_cursor(when: datetime) -> str:
    return CURSOR_PREFIX + when.astimezone(timezone.utc).isoformat()


def _parse_cursor(cursor: str) -> datetime:
    if isinstance(cursor, str) and cursor.startswith(CURSOR_PREFIX):
        try:
            return parse_datetime(cursor[len(CURSOR_PREFIX):])
        except ValueError:
            pass
    raise PermanentError(
        f"malformed Bluesky cursor {cursor!r}: expected '{CURSOR_PREFIX}<ISO time>' "
        "as returned by an earlier fetch_inbound", platform=PLATFORM)


class BlueskyAdapter(PlatformAdapter):
    """One Bluesky account logged in with an app password. See the module docstring."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=False,  # no chat service here; needs a privileged app password
        reply=True,
        publish=True,
        delete=True,
        media=True,
        # The record key comes from the idempotency key: a second create is the same record.
        idempotent_publish=True,
        find_published=True,
        keyword_search=True,
        native_scheduling=False,  # Bluesky has none
    )

    def __init__(
        self,
        account: AccountRef,
        *,
        base_url: str,
        identifier: str,
        app_password: str,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] | None = None,
        max_pages: int = 50,
        overlap: timedelta = timedelta(minutes=10),
        follow_pds: bool = True,
    ) -> None:
        if account.platform != PLATFORM:
            raise ValueError(f"BlueskyAdapter needs a {PLATFORM!r} account, got {account.platform!r}")
        super().__init__(account)
        self.xrpc = XrpcClient(base_url=base_url, identifier=identifier,
                               app_password=app_password, client=client, clock=clock,
                               follow_pds=follow_pds)
        self.max_pages = max_pages
        self.overlap = overlap
        self._returned: OrderedDict[str, None] = OrderedDict()  # recently returned URIs
        # What one read found beyond ``limit``, oldest first, and the cursor that
        # continues into it: the next call serves it without reading again
        # (re-reading every page for every ``limit`` items made a backlog quadratic).
        self._backlog: list[Notification] = []
        self._backlog_cursor: str | None = None
        self.last_skipped: list[str] = []
        self.last_fetch_truncated = False
        self._refs: dict[str, tuple[StrongRef, StrongRef]] = {}  # post uri -> (post, root)
        self._dids: dict[str, str] = {}  # handle -> DID

    def __repr__(self) -> str:  # never shows secrets
        return f"BlueskyAdapter({self.account.account_id!r})"

    async def aclose(self) -> None:
        await self.xrpc.aclose()

    def _now(self) -> datetime:
        return self.xrpc._now()

    # -- inbound -----------------------------------------------------------

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise PermanentError(f"limit must be a positive integer, got {limit!r}",
                                 platform=PLATFORM)
        mark = None if cursor is None else _parse_cursor(cursor)
        if self._backlog and cursor is not None and cursor == self._backlog_cursor:
            backlog, self._backlog = self._backlog, []
            return self._serve(backlog, mark, cursor, limit, None)
        self._backlog, self._backlog_cursor = [], None
        floor = None if mark is None else mark - self.overlap
        found: dict[str, Notification] = {}
        skipped: list[str] = []
        truncated = False
        platform_cursor: str | None = None
        newest_returned: datetime | None = None  # among items returned by earlier calls
        for _ in range(self.max_pages):
            params: dict[str, Any] = {"limit": PAGE_SIZE, "reasons": ["mention", "reply", "quote"]}
            if platform_cursor:
                params["cursor"] = platform_cursor
            body = await self.xrpc.call("GET", "app.bsky.notification.listNotifications",
                                        params=params)
            page = parse_notifications_page(body, account_id=self.account.account_id)
            skipped += page.skipped
            for n in page.notifications:
                if n.item.remote_id in self._returned:
                    if newest_returned is None or n.indexed_at > newest_returned:
                        newest_returned = n.indexed_at
                    continue
                if floor is None or n.indexed_at >= floor:
                    found.setdefault(n.item.remote_id, n)
            if not page.cursor or page.cursor == platform_cursor:
                break
            if mark is None and len(found) >= limit:
                break
            if floor is not None and page.oldest_indexed_at is not None \
                    and page.oldest_indexed_at < floor:
                break
            platform_cursor = page.cursor
        else:
            truncated = mark is not None
        self.last_skipped = skipped
        self.last_fetch_truncated = truncated

        ordered = sorted(found.values(), key=lambda n: (n.indexed_at, n.item.remote_id))
        if mark is None and len(ordered) > limit:
            ordered = ordered[-limit:]  # a first fetch starts at the newest items
        return self._serve(ordered, mark, cursor, limit, newest_returned)

    def _serve(self, ordered: list[Notification], mark: datetime | None, cursor: str | None,
               limit: int, newest_returned: datetime | None) -> InboundPage:
        """Return up to ``limit`` of ``ordered`` (oldest first) and keep the rest for the next call."""
        rest: list[Notification] = []
        if len(ordered) > limit:
            cut = limit
            # never split one instant across calls: the cursor is an instant
            while cut < len(ordered) and ordered[cut].indexed_at == ordered[cut - 1].indexed_at:
                cut += 1
            ordered, rest = ordered[:cut], ordered[cut:]
        has_more = bool(rest)
        for n in ordered:
            self._refs[n.post.uri] = (n.post, n.root)
            self._returned[n.item.remote_id] = None
        while len(self._returned) > 20_000:
            self._returned.popitem(last=False)
        newest = max((n.indexed_at for n in ordered), default=None)
        if not has_more and newest_returned is not None \
                and (newest is None or newest_returned > newest):
            newest = newest_returned  # all found items are returned: safe to pass them
        if newest is not None and (mark is None or newest > mark):
            next_cursor: str | None = _format_cursor(newest)
        else:
            next_cursor = cursor  # never move the position backwards
        if rest:
            self._backlog, self._backlog_cursor = rest, next_cursor
        return InboundPage(items=[n.item for n in ordered], cursor=next_cursor,
                           has_more=has_more)

    # -- replies -----------------------------------------------------------

    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        if item.kind is ItemKind.DM:
            raise UnsupportedError("Bluesky DMs are not supported by this adapter",
                                   platform=PLATFORM)
        if not isinstance(idempotency_key, str) or not idempotency_key:
            raise PermanentError("idempotency_key must be a non-empty string", platform=PLATFORM)
        if item.platform != PLATFORM or item.account_id != self.account.account_id:
            raise PermanentError(
                f"item {item.remote_id} belongs to {item.account_id}, "
                f"not {self.account.account_id}", platform=PLATFORM)
        if not isinstance(text, str) or not text.strip():
            raise PermanentError("reply text is empty", platform=PLATFORM)
        size = len(text.encode("utf-8"))
        if size > MAX_TEXT_BYTES:
            raise PermanentError(
                f"reply is {size:,} UTF-8 bytes; Bluesky allows {MAX_TEXT_BYTES:,}",
                platform=PLATFORM)
        session = await self.xrpc.ensure_session()
        rkey = rkey_for(self.account.account_id, idempotency_key)

        existing = await self._get_own_post(session.did, rkey)
        if existing is not None:
            return self._existing_result(existing, item, rkey)

        parent, root = await self._reply_refs(item)
        facets = await self._facets(text)
        created_at = self._now()
        record: dict[str, Any] = {
            "$type": POST,
            "text": text,
            "createdAt": created_at.isoformat().replace("+00:00", "Z"),
            "reply": {"root": {"uri": root.uri, "cid": root.cid},
                      "parent": {"uri": parent.uri, "cid": parent.cid}},
        }
        if facets:
            record["facets"] = facets
        if self.account.language:
            record["langs"] = [self.account.language]
        created = await self._create_post(session.did, rkey, record)
        if created.get("value") is not None:  # an earlier attempt had landed
            return self._existing_result(created, item, rkey)
        return self._result(created["uri"], created["cid"], item, root.uri, created_at)

    async def _create_post(self, did: str, rkey: str, record: dict[str, Any]) -> dict[str, Any]:
        """createRecord; ``{"uri", "cid"}``, or the existing record (with its
        ``value``) when an earlier attempt with this key had landed."""
        try:
            body = await self.xrpc.call("POST", "com.atproto.repo.createRecord", json_body={
                "repo": did, "collection": POST, "rkey": rkey, "record": record})
        except (PermanentError, TransientError):
            # an earlier attempt that did land (its answer was lost): the record
            # exists, and the reference PDS answers a second create with HTTP 500
            try:
                existing = await self._get_own_post(did, rkey)
            except AdapterError:
                existing = None
            if existing is not None:
                return existing
            raise
        uri, cid = body.get("uri"), body.get("cid")
        if not isinstance(uri, str) or not uri.startswith("at://"):
            raise PermanentError("createRecord response lacks a uri", platform=PLATFORM)
        return {"uri": uri, "cid": cid if isinstance(cid, str) else ""}

    # -- posts -------------------------------------------------------------

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """A new top-level post with mention and link facets and images with alt text.

        Idempotent like replies: the record key comes from the idempotency key.
        """
        if not isinstance(idempotency_key, str) or not idempotency_key:
            raise PermanentError("idempotency_key must be a non-empty string", platform=PLATFORM)
        check_post(post)
        session = await self.xrpc.ensure_session()
        rkey = rkey_for(self.account.account_id, "post\n" + idempotency_key)
        existing = await self._get_own_post(session.did, rkey)
        record: dict[str, Any] = {}
        if existing is None:
            record = {"$type": POST, "text": post.text,
                                      "createdAt": self._now().isoformat().replace("+00:00", "Z")}
            facets = await self._facets(post.text)
            if facets:
                record["facets"] = facets
            language = post.language or self.account.language
            if language:
                record["langs"] = [language]
            embed = await upload_images(self.xrpc, post.media)
            if embed is not None:
                record["embed"] = embed
            existing = await self._create_post(session.did, rkey, record)
        value = existing.get("value")
        if isinstance(value, dict) and value.get("reply") is not None:
            raise PermanentError("idempotency_key was already used for a reply "
                                 f"(record {rkey}); use a new key for a new post", platform=PLATFORM)
        try:
            published_at = parse_datetime((value or record).get("createdAt"))
        except ValueError:
            published_at = self._now()
        handle = self.xrpc.session.handle if self.xrpc.session else self.account.handle.lstrip("@")
        return PublishResult(remote_id=existing["uri"], url=bsky_post_url(handle, existing["uri"]),
                             published_at=published_at,
                             extra={"cid": existing.get("cid") or "", "rkey": rkey, "kind": "post"})

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """Our top-level post since ``since`` whose text is ``post.text`` (whitespace
        normalised), from ``app.bsky.feed.getAuthorFeed``, newest first.

        The feed is the App View's: a post shows there about half a second after
        it is created. Publishing does not need this (the record key makes a
        retry safe); it is for checking a post by hand and for tests."""
        session = await self.xrpc.ensure_session()
        cursor: str | None = None
        for _ in range(FEED_PAGES):
            params: dict[str, Any] = {"actor": session.did, "filter": "posts_no_replies", "limit": 50}
            if cursor:
                params["cursor"] = cursor
            body = await self.xrpc.call("GET", "app.bsky.feed.getAuthorFeed", params=params)
            found, cursor, older = own_post_in_feed(body, session.did, post.text, since)
            if found is not None:
                return found
            if cursor is None or not older:
                return None
        return None

    async def delete(self, remote_id: str) -> None:
        """Delete one of this account's posts (``at://<our did>/app.bsky.feed.post/<rkey>``)."""
        session = await self.xrpc.ensure_session()
        parts = remote_id.split("/") if isinstance(remote_id, str) else []
        if len(parts) != 5 or not remote_id.startswith("at://") or parts[3] != POST or not parts[4]:
            raise PermanentError(f"{remote_id!r} is not a Bluesky post URI", platform=PLATFORM)
        if parts[2] != session.did:
            raise PermanentError(f"{remote_id} belongs to another account; only our own posts can be deleted",
                                 platform=PLATFORM)
        # deleteRecord of a record that is already gone succeeds: deleting twice is fine
        await self.xrpc.call("POST", "com.atproto.repo.deleteRecord",
                             json_body={"repo": session.did, "collection": POST, "rkey": parts[4]})

    async def search(self, query: str, *, cursor: str | None = None, limit: int = 25) -> SearchPage:
        """``app.bsky.feed.searchPosts`` (newest first) through our PDS, authenticated.

        Bluesky asks that this be used for human-directed search; bulk
        monitoring belongs on the firehose or Jetstream.
        """
        if not isinstance(query, str) or not query.strip():
            raise PermanentError("search query is empty", platform=PLATFORM)
        params: dict[str, Any] = {"q": query, "sort": "latest", "limit": clamp_search_limit(limit)}
        if cursor:
            params["cursor"] = cursor
        body = await self.xrpc.call("GET", "app.bsky.feed.searchPosts", params=params)
        return parse_search_page(body)

    def _result(self, uri: str, cid: str, item: InboundItem, root_uri: str,
                published_at: datetime) -> PublishResult:
        handle = (self.xrpc.session.handle if self.xrpc.session
                  else self.account.handle.lstrip("@"))
        rkey = uri.rsplit("/", 1)[-1]
        return PublishResult(
            remote_id=uri,
            url=f"https://bsky.app/profile/{handle}/post/{rkey}",
            published_at=published_at,
            extra={"cid": cid, "rkey": rkey, "in_reply_to": item.remote_id,
                   "thread_id": root_uri, "kind": "reply"},
        )

    def _existing_result(self, existing: dict[str, Any], item: InboundItem,
                         rkey: str) -> PublishResult:
        value = existing.get("value")
        reply = value.get("reply") if isinstance(value, dict) else None
        parent = reply.get("parent") if isinstance(reply, dict) else None
        root = reply.get("root") if isinstance(reply, dict) else None
        parent_uri = parent.get("uri") if isinstance(parent, dict) else None
        if parent_uri != item.remote_id:
            raise PermanentError(
                "idempotency_key was already used for a different post "
                f"(record {rkey}); use a new key for a new reply", platform=PLATFORM)
        root_uri = root.get("uri") if isinstance(root, dict) else None
        created = value.get("createdAt") if isinstance(value, dict) else None
        try:
            published_at = parse_datetime(created)
        except ValueError:
            published_at = self._now()
        cid = existing.get("cid")
        return self._result(existing["uri"], cid if isinstance(cid, str) else "", item,
                            root_uri if isinstance(root_uri, str) else item.thread_id,
                            published_at)

    async def _get_own_post(self, did: str, rkey: str) -> dict[str, Any] | None:
        """Our post with this record key, or None when there is none."""
        try:
            body = await self.xrpc.call("GET", "com.atproto.repo.getRecord",
                                        params={"repo": did, "collection": POST, "rkey": rkey})
        except PermanentError as exc:
            if getattr(exc, "xrpc_error", "") == "RecordNotFound" \
                    or getattr(exc, "status", 0) == 404:
                return None
            raise
        if not isinstance(body.get("uri"), str):
            raise PermanentError("getRecord response lacks a uri", platform=PLATFORM)
        return body

    async def _reply_refs(self, item: InboundItem) -> tuple[StrongRef, StrongRef]:
        """(parent, root) strong refs with CIDs for a reply to ``item``."""
        known = self._refs.get(item.remote_id)
        if known is not None and known[0].cid and known[1].cid:
            return known
        body = await self.xrpc.call("GET", "app.bsky.feed.getPosts",
                                    params={"uris": [item.remote_id]})
        posts = body.get("posts")
        post = next((p for p in posts if isinstance(p, dict) and p.get("uri") == item.remote_id),
                    None) if isinstance(posts, list) else None
        if post is None:
            raise PermanentError(
                f"cannot reply to {item.remote_id}: the post was deleted or is not visible",
                platform=PLATFORM)
        cid = post.get("cid")
        if not isinstance(cid, str) or not cid:
            raise PermanentError("getPosts returned a post without a cid", platform=PLATFORM)
        parent = StrongRef(item.remote_id, cid)
        record = post.get("record")
        reply = record.get("reply") if isinstance(record, dict) else None
        root = parent
        if isinstance(reply, dict):
            raw_root = reply.get("root")
            if not (isinstance(raw_root, dict) and isinstance(raw_root.get("uri"), str)
                    and isinstance(raw_root.get("cid"), str) and raw_root["cid"]):
                raise PermanentError("getPosts returned a reply without a root ref",
                                     platform=PLATFORM)
            root = StrongRef(raw_root["uri"], raw_root["cid"])
        self._refs[item.remote_id] = (parent, root)
        return parent, root

    async def _facets(self, text: str) -> list[dict]:
        for handle in {span.value for span in find_mentions(text)}:
            if handle in self._dids:
                continue
            try:
                body = await self.xrpc.call("GET", "com.atproto.identity.resolveHandle",
                                            params={"handle": handle})
            except PermanentError:
                continue  # unknown handle: it stays plain text
            did = body.get("did")
            if isinstance(did, str) and did.startswith("did:"):
                self._dids[handle] = did
        return build_facets(text, self._dids)
