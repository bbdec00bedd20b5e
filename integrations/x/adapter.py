"""The X (Twitter API v2) adapter: mentions, replies and DMs in; replies, posts out.

Inbound merges two streams, oldest first:

* Mentions, ``GET /2/users/{id}/mentions`` (newest first, ``since_id`` for
  "newer than", ``pagination_token`` for older pages). To hand out the
  *oldest* items first, each call walks the whole window after ``since_id``
  (pages of 100; X keeps only the latest 800 mentions, so at most 8 pages),
  sorts it, delivers the oldest ``limit`` and moves ``since_id`` to the last
  delivered id. Nothing newer than that id was delivered, so passing the
  cursor again never skips; the rest of the window is read again next call.
  If a walk stops at ``mention_pages_max`` pages before the window's end, the
  cursor keeps ``until_id`` = the oldest id seen and the next call drains
  ``(since_id, until_id)`` first. A reply to one of our posts
  (``in_reply_to_user_id`` is ours) is a COMMENT, anything else a MENTION.
* DMs, ``GET /2/dm_events`` (``MessageCreate`` only; our own messages are
  skipped). DM reads allow 15 requests per 15 minutes, so DMs are read at most
  once per ``dm_poll_interval`` seconds (by the injected clock); the cursor
  holds the newest DM event id delivered and the time of the last read. A read
  walks pages until it meets the known position; the first read takes only the
  newest page (the 30 days of history before connecting are not imported).
  A first read that finds no DM at all sets the position to "0", so every DM
  that arrives later is new. A read walks at most 15 pages (1,500 events, the
  whole 15-minute read budget); more DMs than that between two reads is a
  PermanentError rather than a silent gap.

Mentions written by this account itself are passed over, not delivered.
The cursor is opaque (``"v1:" + JSON``); a malformed one is PermanentError.

Media go up through ``POST /2/media/upload`` as multipart, alt text through
``POST /2/media/metadata``.

Auth is an OAuth 2.0 user-context bearer token that lives 2 h. It is
refreshed when it expires within 60 s, or after a 401, when a refresh token is
known (X rotates refresh tokens: ``on_token_refresh`` receives the new pair to
persist). Without a refresh token, or when X refuses it, AuthError says to
reconnect the account. Tokens never appear in messages or ``repr``.

X takes no idempotency key. Creates are sent once (no automatic retry); the
idempotency keys whose create failed ambiguously (a timeout or 5xx after the
request went out; not a connection that never opened, nor a failed upload or
token refresh before it) are remembered in memory (the last 1,000). A later
call with such a key first looks for the post and returns it instead of
posting again: a post with :meth:`XAdapter.find_published`, a reply among our
10 latest posts, a DM among the conversation's 10 latest events. The memory
is this process's only: across restarts the publisher's own record of the
target (kept in the store) is what remembers an ambiguous attempt, and it
calls :meth:`XAdapter.find_published` itself before sending again.

:meth:`XAdapter.find_published` reads ``GET /2/users/{id}/tweets`` from
``start_time`` (replies and reposts excluded) and compares texts as X stores
them: X shortens every link to a t.co link and appends one for attached media,
so exact comparison would fail; URLs are removed and whitespace normalised on
both sides first (:func:`integrations.x.parse.same_text`).
"""

from __future__ import annotations

import asyncio
import base64
from collections import OrderedDict
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx

from integrations.base import (
    AccountRef,
    AdapterError,
    AuthError,
    Capabilities,
    FoundPost,
    InboundItem,
    InboundPage,
    ItemKind,
    OutboundPost,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    RateLimitedError,
    SearchPage,
    TransientError,
)
from integrations.http import HttpTransport, Response, _utc_now, before_the_create, encode_multipart
from integrations.text_length import X_MAX_WEIGHTED, x_weighted_length

from .errors import NotFound, classify
from .parse import (
    PLATFORM,
    Cursor,
    decode_cursor,
    dm_event_id,
    get_str,
    id_key,
    malformed,
    own_post_result,
    parse_dm_event,
    parse_envelope,
    parse_found_post,
    parse_mention,
    parse_object,
    parse_time,
    post_url,
    same_text,
)

PAGE_MAX = 100
MENTION_FIELDS = "created_at,author_id,conversation_id,in_reply_to_user_id,referenced_tweets,lang,note_tweet"
DM_FIELDS = "id,text,event_type,created_at,sender_id,dm_conversation_id"
REFRESH_MARGIN = timedelta(seconds=60)
ALT_TEXT_MAX = 1000
MEDIA_MAX = 4
SEARCH_QUERY_MAX = 512
AMBIGUOUS_MAX = 1000
#: How far before a remembered ambiguous failure a retry looks for the post.
AMBIGUOUS_LOOKBACK = timedelta(minutes=5)
#: Pages of our own posts (100 each) ``find_published`` reads at most.
OWN_POST_PAGES = 5
DM_PAGES_MAX = 15  # X allows 15 DM reads per 15 minutes


class XAdapter(PlatformAdapter):
    """One X account with an OAuth 2.0 user-context token. See the module docstring."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=True,
        reply=True,
        publish=True,
        delete=True,
        media=True,
        find_published=True,
        keyword_search=True,
        native_scheduling=False,
    )

    def __init__(
        self,
        account: AccountRef,
        *,
        access_token: str,
        refresh_token: str = "",
        expires_at: datetime | None = None,
        client_id: str = "",
        client_secret: str = "",
        user_id: str | None = None,
        on_token_refresh: Callable[[dict], None] | None = None,
        base_url: str = "https://api.x.com",
        client: httpx.AsyncClient | None = None,
        clock: Any = None,
        dm_poll_interval: float = 90.0,
        mention_pages_max: int = 10,
        **transport_options: Any,
    ) -> None:
        super().__init__(account)
        self.base_url = base_url.rstrip("/")
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=30.0)
        self._clock = clock or _utc_now
        self._access_token = access_token
        self._refresh_token = refresh_token
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)  # a naive time is taken as UTC
        self._expires_at = expires_at
        self._client_id = client_id
        self._client_secret = client_secret
        self._on_token_refresh = on_token_refresh
        self._own_id = user_id
        self._username = account.handle.lstrip("@")
        self.dm_poll_interval = dm_poll_interval
        self.mention_pages_max = max(1, mention_pages_max)
        self._refresh_lock = asyncio.Lock()
        self._ambiguous: OrderedDict[str, datetime] = OrderedDict()
        self.http = HttpTransport(PLATFORM, self._client, token=access_token,
                                  clock=self._clock, classify=classify, **transport_options)
        # The token endpoint gets no bearer header.
        self._token_http = HttpTransport(PLATFORM, self._client, clock=self._clock,
                                         classify=classify, **transport_options)

    def __repr__(self) -> str:  # never show a token
        return f"XAdapter({self.account.account_id!r}, base_url={self.base_url!r})"

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- auth -------------------------------------------------------------

    def _scrub(self, text: str) -> str:
        for secret in (self._access_token, self._refresh_token, self._client_secret):
            if secret and secret in text:
                text = text.replace(secret, "[redacted]")
        return text

    async def _refresh(self, stale_token: str) -> None:
        async with self._refresh_lock:
            if self._access_token != stale_token:
                return  # another call refreshed meanwhile
            if not self._refresh_token:
                raise AuthError("x: the access token expired and there is no refresh token; "
                                "reconnect the account", platform=PLATFORM)
            form = {"grant_type": "refresh_token", "refresh_token": self._refresh_token}
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            if self._client_id:
                form["client_id"] = self._client_id
            if self._client_secret:
                pair = f"{self._client_id}:{self._client_secret}".encode()
                headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
            try:
                r = await self._token_http.request(
                    "POST", self.base_url + "/2/oauth2/token", data=form, headers=headers)
            except (TransientError, RateLimitedError):
                raise
            except AdapterError as exc:
                raise AuthError(f"x: token refresh refused ({self._scrub(str(exc))}); "
                                "reconnect the account", platform=PLATFORM) from None
            body = r.data if isinstance(r.data, dict) else {}
            access = body.get("access_token")
            if not isinstance(access, str) or not access:
                raise AuthError("x: token refresh returned no access token; reconnect the account",
                                platform=PLATFORM)
            refresh = body.get("refresh_token")
            if isinstance(refresh, str) and refresh:
                self._refresh_token = refresh
            expires_in = body.get("expires_in")
            if isinstance(expires_in, (int, float)) and not isinstance(expires_in, bool) \
                    and 0 < expires_in < 10**8:
                self._expires_at = self._clock() + timedelta(seconds=expires_in)
            else:
                self._expires_at = None
            self._access_token = access
            self.http.set_token(access)
            if self._on_token_refresh is not None:
                self._on_token_refresh({
                    "access_token": access,
                    "refresh_token": self._refresh_token,
                    "expires_at": self._expires_at.isoformat() if self._expires_at else None,
                })

    async def _call(self, method: str, path: str, **kw: Any) -> Response:
        """One API request with the token kept fresh; a 401 refreshes and retries once.

        A refresh that fails transiently fails before the request is sent (or
        after X refused it with 401): nothing was created either way."""
        if (self._expires_at is not None and self._refresh_token
                and self._expires_at - self._clock() <= REFRESH_MARGIN):
            with before_the_create():
                await self._refresh(self._access_token)
        token = self._access_token
        try:
            return await self.http.request(method, self.base_url + path, **kw)
        except AuthError as exc:
            if not self._refresh_token or "HTTP 401" not in str(exc):
                raise AuthError(f"{exc}; reconnect the account", platform=PLATFORM) from None
        with before_the_create():
            await self._refresh(token)
        try:
            return await self.http.request(method, self.base_url + path, **kw)
        except AuthError as exc:
            raise AuthError(f"{exc}; reconnect the account", platform=PLATFORM) from None

    async def own_user_id(self) -> str:
        """Our X user id (``GET /2/users/me`` once, unless given)."""
        if self._own_id is None:
            r = await self._call("GET", "/2/users/me")
            me = parse_object(r.data, "users/me")
            self._own_id = get_str(me, "id", "users/me")
            self._username = get_str(me, "username", "users/me", required=False) or self._username
        return self._own_id

    # -- inbound ----------------------------------------------------------

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        pos = decode_cursor(cursor)
        own = await self.own_user_id()
        limit = max(1, limit)
        mentions, since, until, more = await self._mentions(own, pos.since, pos.until, limit)
        dms: list[InboundItem] = []
        dm, polled, dm_more = pos.dm, pos.dm_polled, False
        now = self._clock()
        due = polled is None or polled > now or \
            (now - polled).total_seconds() >= self.dm_poll_interval
        if due and limit - len(mentions) > 0:
            dms, dm, dm_more = await self._dms(own, pos.dm, limit - len(mentions))
            polled = now
        items = sorted(mentions + dms, key=lambda i: (i.created_at, id_key(i.remote_id)))
        return InboundPage(items=items, cursor=Cursor(since, until, dm, polled).encode(),
                           has_more=more or dm_more)

    async def _mentions(
        self, own: str, since: str | None, until: str | None, limit: int
    ) -> tuple[list[InboundItem], str | None, str | None, bool]:
        """-> (items, new since, new until, more left)."""
        found: dict[str, InboundItem] = {}
        token: str | None = None
        complete = False
        for _ in range(self.mention_pages_max):
            params = {"max_results": str(PAGE_MAX), "tweet.fields": MENTION_FIELDS,
                      "expansions": "author_id", "user.fields": "username,name"}
            if since:
                params["since_id"] = since
            if until:
                params["until_id"] = until
            if token:
                params["pagination_token"] = token
            r = await self._call("GET", f"/2/users/{quote(own, safe='')}/mentions", params=params)
            page = parse_envelope(r.data, "mentions")
            for tweet in page.data:
                item = parse_mention(tweet, page.users, self.account, own)
                found[item.remote_id] = item
            if not page.next_token or not page.data:
                complete = True
                break
            token = page.next_token
        ordered = sorted(
            (i for i in found.values()
             if (since is None or id_key(i.remote_id) > id_key(since))
             and (until is None or id_key(i.remote_id) < id_key(until))),
            key=lambda i: id_key(i.remote_id))
        if not complete and ordered:
            # Older mentions remain unseen: drain the window before the oldest seen first.
            return [], since, ordered[0].remote_id, True
        items: list[InboundItem] = []
        last = since
        for item in ordered:
            if len(items) >= limit:
                return items, last, until, True
            last = item.remote_id
            if item.author.remote_id != own:
                items.append(item)
        # A drained narrowed window leaves the mentions from ``until`` on to read.
        return items, last, None, until is not None

    async def _dms(
        self, own: str, position: str | None, limit: int
    ) -> tuple[list[InboundItem], str | None, bool]:
        """-> (DM items, new position, more left)."""
        events: dict[str, dict[str, Any]] = {}
        users: dict = {}
        token: str | None = None
        for _ in range(DM_PAGES_MAX):
            params = {"dm_event.fields": DM_FIELDS, "event_types": "MessageCreate",
                      "expansions": "sender_id", "user.fields": "username,name",
                      "max_results": str(PAGE_MAX)}
            if token:
                params["pagination_token"] = token
            r = await self._call("GET", "/2/dm_events", params=params)
            page = parse_envelope(r.data, "dm_events")
            users.update(page.users)
            reached = position is None
            for event in page.data:
                eid = dm_event_id(event)
                if position is not None and id_key(eid) <= id_key(position):
                    reached = True
                else:
                    events[eid] = event
            if reached or not page.next_token or not page.data:
                break
            if page.next_token == token:
                raise malformed("dm_events.meta.next_token repeats")
            token = page.next_token
        else:
            raise PermanentError(
                f"x: more than {DM_PAGES_MAX * PAGE_MAX} DM events since the last read; the "
                "older ones cannot be reached within X's DM read limit", platform=PLATFORM)
        items: list[InboundItem] = []
        # "0" marks a stream read while empty: from then on every event is new.
        last = position or "0"
        for eid in sorted(events, key=id_key):
            item = parse_dm_event(events[eid], users, self.account, own)
            if item is not None and len(items) >= limit:
                return items, last, True
            last = eid
            if item is not None:
                items.append(item)
        return items, last, False

    # -- replies and posts ------------------------------------------------

    def _check_length(self, text: str) -> None:
        weighted = x_weighted_length(text)
        if weighted > X_MAX_WEIGHTED:
            raise PermanentError(
                f"post is {weighted} weighted characters; X allows {X_MAX_WEIGHTED}",
                platform=PLATFORM)
        if not text.strip():
            raise PermanentError("post text is empty", platform=PLATFORM)

    def _remember_ambiguous(self, key: str) -> None:
        self._ambiguous[key] = self._clock()
        self._ambiguous.move_to_end(key)
        while len(self._ambiguous) > AMBIGUOUS_MAX:
            self._ambiguous.popitem(last=False)

    async def _create(self, key: str, path: str, body: dict[str, Any]) -> dict[str, Any]:
        """Send a create once; remember ``key`` when we cannot tell whether it landed."""
        try:
            r = await self._call("POST", path, json_body=body, retry_transient=False)
        except TransientError as error:
            if error.maybe_sent:
                self._remember_ambiguous(key)
            raise
        self._ambiguous.pop(key, None)
        return parse_object(r.data, path.rsplit("/", 1)[-1])

    async def _find_own_post(self, text: str, reply_to: str | None) -> PublishResult | None:
        own = await self.own_user_id()
        r = await self._call("GET", f"/2/users/{quote(own, safe='')}/tweets", params={
            "max_results": "10", "tweet.fields": "created_at,referenced_tweets,note_tweet"})
        for tweet in parse_envelope(r.data, "tweets").data:
            found = own_post_result(tweet, text, reply_to, self._username, self._clock)
            if found is not None:
                return found
        return None

    async def _find_own_dm(self, conversation: str, text: str) -> PublishResult | None:
        own = await self.own_user_id()
        r = await self._call(
            "GET", f"/2/dm_conversations/{quote(conversation, safe='')}/dm_events",
            params={"max_results": "10", "dm_event.fields": DM_FIELDS,
                    "event_types": "MessageCreate"})
        for event in parse_envelope(r.data, "dm_events").data:
            if get_str(event, "sender_id", "dm_event", required=False) != own:
                continue
            if same_text(text, get_str(event, "text", "dm_event", required=False)):
                created = get_str(event, "created_at", "dm_event", required=False)
                return PublishResult(
                    remote_id=dm_event_id(event), url=None,
                    published_at=parse_time(created, "dm_event.created_at") if created
                    else self._clock(),
                    extra={"dm_conversation_id": conversation, "recovered": "true"})
        return None

    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        """A threaded reply post to a mention or comment, or a DM back to a DM.

        X's self-serve rule: an API reply is allowed only when the post's author
        mentioned or quoted us ("summoned"); the 403 otherwise is a
        PermanentError that says so.
        """
        self._check_length(text)
        if item.kind is ItemKind.DM:
            prefix = f"{PLATFORM}:dm:"
            conversation = item.thread_id[len(prefix):] if item.thread_id.startswith(prefix) else ""
            if not conversation:
                raise PermanentError(f"not an x DM thread: {item.thread_id!r}", platform=PLATFORM)
            if idempotency_key in self._ambiguous:
                found = await self._find_own_dm(conversation, text)
                if found is not None:
                    self._ambiguous.pop(idempotency_key, None)
                    return found
            data = await self._create(
                idempotency_key,
                f"/2/dm_conversations/{quote(conversation, safe='')}/messages", {"text": text})
            return PublishResult(
                remote_id=get_str(data, "dm_event_id", "messages"), url=None,
                published_at=self._clock(), extra={"dm_conversation_id": conversation})
        if idempotency_key in self._ambiguous:
            found = await self._find_own_post(text, item.remote_id)
            if found is not None:
                self._ambiguous.pop(idempotency_key, None)
                return found
        data = await self._create(idempotency_key, "/2/tweets", {
            "text": text, "reply": {"in_reply_to_tweet_id": item.remote_id}})
        tid = get_str(data, "id", "tweets")
        return PublishResult(remote_id=tid, url=post_url(self._username, tid),
                             published_at=self._clock())

    @staticmethod
    def _post_text(post: OutboundPost) -> str:
        """The text X gets: ``post.link`` appended when the text does not contain it."""
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n{post.link}" if text else post.link
        return text

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Upload the images (with alt text), then create the post.

        ``post.link`` is appended to the text when the text does not contain
        it (X features links only in the text). The language is X's to detect.
        """
        text = self._post_text(post)
        self._check_length(text)
        if len(post.media) > MEDIA_MAX:
            raise PermanentError(f"X takes at most {MEDIA_MAX} images per post, "
                                 f"got {len(post.media)}", platform=PLATFORM)
        for m in post.media:
            if not m.data:
                raise PermanentError("X needs the image bytes to upload (no data given)",
                                     platform=PLATFORM)
            if len(m.alt_text) > ALT_TEXT_MAX:
                raise PermanentError(f"alt text is {len(m.alt_text)} characters; "
                                     f"X allows {ALT_TEXT_MAX}", platform=PLATFORM)
        failed_at = self._ambiguous.get(idempotency_key)
        if failed_at is not None:
            found = await self.find_published(post, since=failed_at - AMBIGUOUS_LOOKBACK)
            if found is not None:
                self._ambiguous.pop(idempotency_key, None)
                return found
        with before_the_create():
            media_ids = [await self._upload(m.data, m.mime_type, m.filename, m.alt_text)
                         for m in post.media if m.data]
        body: dict[str, Any] = {"text": text}
        if media_ids:
            body["media"] = {"media_ids": media_ids}
        data = await self._create(idempotency_key, "/2/tweets", body)
        tid = get_str(data, "id", "tweets")
        return PublishResult(remote_id=tid, url=post_url(self._username, tid),
                             published_at=self._clock())

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """Our oldest top-level post since ``since`` whose text is ``post``'s.

        Texts are compared as X stores them: t.co-shortened links (and the link
        X appends for media) make an exact comparison fail, so URLs are removed
        and whitespace normalised on both sides before comparing.
        """
        text = self._post_text(post)
        own = await self.own_user_id()
        params = {"max_results": str(PAGE_MAX), "exclude": "replies,retweets",
                  "start_time": since.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
                  "tweet.fields": "created_at,referenced_tweets,note_tweet"}
        found: PublishResult | None = None
        for _ in range(OWN_POST_PAGES):
            r = await self._call("GET", f"/2/users/{quote(own, safe='')}/tweets", params=params)
            page = parse_envelope(r.data, "tweets")
            for tweet in page.data:     # newest first: the last match is the oldest
                match = own_post_result(tweet, text, None, self._username, self._clock)
                if match is not None:
                    found = match
            if not page.next_token or not page.data:
                break
            params = {**params, "pagination_token": page.next_token}
        return found

    async def _upload(self, data: bytes, mime_type: str, filename: str, alt_text: str) -> str:
        category = "tweet_gif" if mime_type == "image/gif" else "tweet_image"
        body, content_type = encode_multipart({"media_category": category},
                                              {"media": (filename or "image", data, mime_type)})
        r = await self._call("POST", "/2/media/upload", content=body, headers={"Content-Type": content_type})
        media_id = get_str(parse_object(r.data, "media/upload"), "id", "media/upload")
        if alt_text:
            await self._call("POST", "/2/media/metadata", json_body={
                "id": media_id, "metadata": {"alt_text": {"text": alt_text}}})
        return media_id

    async def delete(self, remote_id: str) -> None:
        """Delete one of our posts; one already gone (404) counts as deleted."""
        try:
            r = await self._call("DELETE", f"/2/tweets/{quote(remote_id, safe='')}")
        except NotFound:
            return None
        body = r.data
        if isinstance(body, dict) and body.get("data") is None and isinstance(body.get("errors"), list):
            if any(isinstance(e, dict) and str(e.get("type", "")).endswith("resource-not-found")
                   for e in body["errors"]):
                return None
        data = parse_object(body, "delete")
        if data.get("deleted") is not True:
            raise PermanentError(f"x did not delete post {remote_id}", platform=PLATFORM)
        return None

    async def search(self, query: str, *, cursor: str | None = None, limit: int = 25) -> SearchPage:
        """Recent public posts (last 7 days) matching ``query``, newest first."""
        if not query.strip():
            raise PermanentError("search query is empty", platform=PLATFORM)
        if len(query) > SEARCH_QUERY_MAX:
            raise PermanentError(f"search query is {len(query)} characters; "
                                 f"X allows {SEARCH_QUERY_MAX}", platform=PLATFORM)
        params = {"query": query, "max_results": str(min(PAGE_MAX, max(10, limit))),
                  "tweet.fields": "created_at,author_id,lang,note_tweet",
                  "expansions": "author_id", "user.fields": "username,name"}
        if cursor:
            params["next_token"] = cursor
        r = await self._call("GET", "/2/tweets/search/recent", params=params)
        page = parse_envelope(r.data, "search")
        posts: list[FoundPost] = [parse_found_post(t, page.users) for t in page.data]
        posts.sort(key=lambda p: id_key(p.remote_id), reverse=True)
        return SearchPage(posts=posts, cursor=page.next_token)
