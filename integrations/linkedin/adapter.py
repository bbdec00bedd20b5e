"""The LinkedIn adapter: one organization (company page) through the /rest API.

Inbound (:meth:`LinkedInAdapter.fetch_inbound`) polls
``GET /rest/organizationalEntityNotifications`` for COMMENT, ADMIN_COMMENT,
COMMENT_MENTION and SHARE_MENTION in a time range, paged with start/count.
Notifications carry no text, so each one is resolved:

* comment notifications -> ``GET /rest/socialActions/{post}/comments/{id}``
  (one call per comment); COMMENT and ADMIN_COMMENT become
  :attr:`ItemKind.COMMENT`, COMMENT_MENTION an :attr:`ItemKind.MENTION`. The
  thread is ``linkedin:<post urn>``, ``parent_remote_id`` the parent comment.
  The organization's own comments are skipped.
* SHARE_MENTION -> ``GET /rest/posts/{urn}``: the post is a mention.
* A comment or post that is gone (404) is skipped: it cannot be answered.

Author names are not given by LinkedIn: handle and remote id are the actor
URN, the display name is empty. Text is kept as LinkedIn sent it (little text).

The cursor is opaque, ``"v1:" + JSON``: the high-water mark of the time range
(ms) and the notifications already handled at or after it, so passing it again
never skips (a notification of the same millisecond is filtered, not lost).
LinkedIn keeps pull notifications for 60 days; the first fetch looks back
:attr:`LinkedInAdapter.first_lookback` (7 days) and older items are never
fetched. A notification LinkedIn records late with a time before the
high-water mark would be missed (LinkedIn documents no such delay).
LinkedIn documents neither the order of notifications inside a range nor
whether the range's ends are inclusive: the query starts one millisecond
before the mark, works with either end, and a range holding more than
:attr:`LinkedInAdapter.max_notification_pages` pages is halved (never cut)
until it fits, so the oldest notifications always come first.

Limits of the platform, kept explicit:

* Tokens live 60 days and most apps get no refresh token: a token past
  ``expires_at`` is refused before any call, with an :class:`AuthError`
  asking to reconnect the account.
* There are no rate-limit headers. Calls are counted per endpoint per UTC day
  in memory (:attr:`LinkedInAdapter.calls_today`, one count per logical call,
  retries not counted). A 429 with the resource throttle message raises
  :class:`RateLimitedError` until the next 00:00 UTC and that endpoint is not
  called again before then; any other 429 gets the transport's short backoff.
* Creates (posts, comments) have no idempotency key: they are not retried on
  a 5xx or a timeout (``retry_transient=False``), so an ambiguous failure comes
  back as :class:`TransientError` and the caller checks before posting again,
  with :meth:`LinkedInAdapter.find_published`: the organization's posts
  (``GET /rest/posts?q=author``, newest first) since a time whose commentary,
  read back from little text, is the post's text. Image uploads come before
  the create: a failure there says nothing was sent. Posting the same text
  twice is refused by LinkedIn (422 duplicate), which comes back as
  :class:`PermanentError` saying it was already posted.
* No DMs (no messaging API for organizations) and no keyword search.
* The ``LinkedIn-Version`` header is the constructor's ``api_version``;
  versions are sunset about a year after release, and a sunset version is
  reported as :class:`PermanentError` naming the version to update.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote

import httpx

from integrations.base import (
    AccountRef,
    AdapterError,
    AuthError,
    Capabilities,
    InboundItem,
    InboundPage,
    ItemKind,
    OutboundPost,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    RateLimitedError,
    UnsupportedError,
)
from integrations.fields import comparable_text
from integrations.http import HttpTransport, Response, _utc_now, before_the_create
from integrations.linkedin.errors import NotFoundError, classify
from integrations.linkedin.little_text import escape_little_text, plain_text
from integrations.linkedin.records import (
    COMMENT_ACTIONS,
    INBOUND_ACTIONS,
    PLATFORM,
    POST_URL,
    SHARE_MENTION,
    Notification,
    datetime_to_millis,
    decode_cursor,
    encode_cursor,
    malformed,
    parse_comment,
    parse_notification_page,
    parse_own_posts,
    parse_post,
    parse_upload,
    split_comment_urn,
)
from integrations.text_length import LINKEDIN_MAX_CHARS, linkedin_length

#: Marketing API version sent in ``LinkedIn-Version`` unless the caller passes
#: another. 202607 was the current version in mid-2026; each version lives about
#: a year, so update it (or pass ``api_version``) before its sunset.
DEFAULT_VERSION = "202607"
RESTLI_PROTOCOL_VERSION = "2.0.0"
NOTIFICATION_RETENTION = timedelta(days=60)
MAX_IMAGES = 20
_UPLOAD_HOSTS = ("linkedin.com", "licdn.com")
_MAX_PAGES_UNSPLITTABLE = 1000  # a safety bound for a range that cannot be halved


class LinkedInAdapter(PlatformAdapter):
    """One LinkedIn organization page, with a member's 3-legged OAuth token."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=False,
        reply=True,
        publish=True,
        delete=True,
        media=True,
        find_published=True,
        keyword_search=False,
        native_scheduling=False,
    )
    #: Notifications asked per page (``count``).
    notification_page_size = 50
    #: Pages read per time range before the range is halved (so the oldest are never lost).
    max_notification_pages = 20
    #: How far the first fetch (cursor ``None``) looks back.
    first_lookback = timedelta(days=7)
    #: Posts asked per page by ``find_published``, and the pages it reads at most.
    own_posts_page_size = 20
    own_posts_pages = 5

    def __init__(
        self,
        account: AccountRef,
        *,
        organization_urn: str,
        access_token: str,
        expires_at: datetime | None = None,
        api_version: str = DEFAULT_VERSION,
        base_url: str = "https://api.linkedin.com",
        client: httpx.AsyncClient | None = None,
        clock: Any = None,
        **transport_options: Any,
    ) -> None:
        super().__init__(account)
        if not organization_urn.startswith("urn:li:organization:"):
            raise PermanentError(
                "organization_urn must look like urn:li:organization:<id>", platform=PLATFORM)
        self.organization_urn = organization_urn
        if expires_at is not None and expires_at.tzinfo is None:
            expires_at = expires_at.replace(tzinfo=timezone.utc)
        self.expires_at = expires_at
        self.api_version = api_version
        self.base_url = base_url.rstrip("/")
        self._clock = clock or _utc_now
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=30.0)
        self.http = HttpTransport(
            PLATFORM, self._client, token=access_token, clock=self._clock,
            classify=self._classify, **transport_options,
        )
        self._calls_day: date | None = None
        self._calls: dict[str, int] = {}
        #: Endpoint -> when it may be called again (after a 429).
        self.blocked_until: dict[str, datetime] = {}

    def __repr__(self) -> str:  # never show the token
        return (f"LinkedInAdapter({self.account.account_id!r}, "
                f"organization_urn={self.organization_urn!r}, api_version={self.api_version!r})")

    # -- calls ---------------------------------------------------------------------

    @property
    def calls_today(self) -> dict[str, int]:
        """Calls per endpoint since 00:00 UTC today (LinkedIn's limits are daily)."""
        if self._calls_day != self._clock().astimezone(timezone.utc).date():
            return {}
        return dict(self._calls)

    def _count(self, endpoint: str, now: datetime) -> None:
        today = now.astimezone(timezone.utc).date()
        if self._calls_day != today:
            self._calls_day, self._calls = today, {}
        self._calls[endpoint] = self._calls.get(endpoint, 0) + 1

    def _check_token(self, now: datetime) -> None:
        if self.expires_at is not None and now >= self.expires_at:
            raise AuthError(
                f"the LinkedIn token expired on {self.expires_at.isoformat()}; reconnect the account",
                platform=PLATFORM,
            )

    def _rest(self, path: str) -> str:
        return f"{self.base_url}/rest/{path}"

    async def _call(
        self, endpoint: str, method: str, url: str, *, rest: bool = True,
        headers: dict[str, str] | None = None, **options: Any,
    ) -> Response:
        """One request: token and throttle checks, counting, the required headers."""
        now = self._clock()
        self._check_token(now)
        blocked = self.blocked_until.get(endpoint)
        if blocked is not None and now < blocked:
            raise RateLimitedError(
                f"linkedin {endpoint}: rate limited; not calling again before {blocked.isoformat()}",
                until=blocked, platform=PLATFORM,
            )
        self._count(endpoint, now)
        all_headers = {}
        if rest:
            all_headers = {"LinkedIn-Version": self.api_version,
                           "X-Restli-Protocol-Version": RESTLI_PROTOCOL_VERSION}
        all_headers.update(headers or {})
        try:
            return await self.http.request(method, url, headers=all_headers, **options)
        except RateLimitedError as exc:
            self.blocked_until[endpoint] = exc.until
            raise

    def _classify(self, response: httpx.Response, what: str, now: datetime) -> AdapterError | None:
        return classify(response, what, now, message=self.http.error_message(response),
                        api_version=self.api_version)

    # -- inbound -------------------------------------------------------------------

    def _notifications_url(self, start_ms: int, end_ms: int, start: int) -> str:
        # Rest.li query syntax: List(...) and (start:..,end:..) stay as they are.
        return self._rest(
            "organizationalEntityNotifications?q=criteria"
            f"&organizationalEntity={quote(self.organization_urn, safe='')}"
            f"&actions=List({','.join(INBOUND_ACTIONS)})"
            f"&timeRange=(start:{start_ms},end:{end_ms})"
            f"&count={self.notification_page_size}&start={start}"
        )

    async def _notification_pages(
        self, start_ms: int, end_ms: int, max_pages: int
    ) -> tuple[list[Notification], bool]:
        """Every notification in the range, and whether ``max_pages`` cut it short.

        A full last page is followed by one more request, so exactly
        ``max_pages`` full pages do not count as cut short.
        """
        found: list[Notification] = []
        for page in range(max_pages + 1):
            r = await self._call(
                "organizationalEntityNotifications", "GET",
                self._notifications_url(start_ms, end_ms, page * self.notification_page_size),
            )
            elements = parse_notification_page(r.data)
            found.extend(elements)
            if len(elements) < self.notification_page_size:
                return found, False
        return found, True

    async def _notifications_between(
        self, start_ms: int, end_ms: int
    ) -> tuple[list[Notification], int, bool]:
        """Notifications in [start, end); the range is halved until it fits the page cap.

        Returns (notifications, the end actually covered, whether it was cut short).
        LinkedIn documents no order inside a range, so a range cut short could
        miss older ones; it is halved instead. A range of two milliseconds (the
        high-water mark and the one before it) is not halved but read to its end.
        Every notification before the covered end is in the result, whether
        LinkedIn's range end is exclusive or inclusive.
        """
        while True:
            smallest = end_ms - start_ms <= 2
            max_pages = _MAX_PAGES_UNSPLITTABLE if smallest else self.max_notification_pages
            found, capped = await self._notification_pages(start_ms, end_ms, max_pages)
            if not capped or smallest:
                return found, end_ms, capped
            end_ms = max(start_ms + 2, start_ms + (end_ms - start_ms) // 2)

    async def _item_for(self, note: Notification) -> InboundItem | None:
        """The inbound item a notification is about, or ``None`` (ours, gone, other action)."""
        if note.action in COMMENT_ACTIONS:
            parts = split_comment_urn(note.generated_activity)
            if parts is None:
                raise malformed(f"{note.action} notification.generatedActivity is not a comment URN")
            activity, comment_id = parts
            post_urn = note.source_post or activity
            try:
                r = await self._call(
                    "socialActions/comments", "GET",
                    self._rest(f"socialActions/{quote(post_urn, safe='')}/comments/"
                               f"{quote(comment_id, safe='')}"),
                )
            except NotFoundError:
                return None  # deleted since
            kind = ItemKind.MENTION if note.action == "COMMENT_MENTION" else ItemKind.COMMENT
            item = parse_comment(r.data, self.account, post_urn=post_urn,
                                 comment_urn=note.generated_activity, kind=kind)
        elif note.action == SHARE_MENTION:
            if not note.source_post:
                raise malformed("SHARE_MENTION notification.sourcePost is missing")
            try:
                r = await self._call(
                    "posts", "GET", self._rest(f"posts/{quote(note.source_post, safe='')}"))
            except NotFoundError:
                return None
            item = parse_post(r.data, self.account, post_urn=note.source_post)
        else:
            return None
        if item.author.remote_id == self.organization_urn:
            return None
        return item

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        high_water, seen = decode_cursor(cursor)
        now = self._clock()
        self._check_token(now)
        now_ms = datetime_to_millis(now)
        if high_water is None:
            high_water = now_ms - int(self.first_lookback.total_seconds() * 1000)
        # LinkedIn keeps notifications 60 days: older ones are gone anyway.
        high_water = max(0, high_water, now_ms - int(NOTIFICATION_RETENTION.total_seconds() * 1000))
        limit = max(1, limit)

        # One millisecond back, in case LinkedIn's range start is exclusive.
        start_ms = max(0, high_water - 1)
        end_ms = max(now_ms, start_ms + 2)
        notes, covered_end, capped = await self._notifications_between(start_ms, end_ms)
        fresh = sorted(
            {(n.at_ms, n.key): n for n in notes
             if n.at_ms >= high_water and (n.at_ms, n.key) not in seen}.values(),
            key=lambda n: (n.at_ms, n.key),
        )

        items: list[InboundItem] = []
        handled: list[Notification] = []
        for note in fresh:
            if len(items) >= limit:
                break
            item = await self._item_for(note)
            handled.append(note)
            if item is not None:
                items.append(item)
        drained = len(handled) == len(fresh)

        if drained and covered_end < end_ms:
            new_mark = covered_end  # everything before the halved range's end is handled
        elif handled:
            new_mark = handled[-1].at_ms
        else:
            new_mark = high_water
        new_mark = max(new_mark, high_water)
        new_seen = {pair for pair in seen if pair[0] >= new_mark}
        new_seen.update((n.at_ms, n.key) for n in handled if n.at_ms >= new_mark)

        items.sort(key=lambda i: (i.created_at, i.remote_id))
        return InboundPage(
            items=items,
            cursor=encode_cursor(new_mark, new_seen),
            has_more=not drained or covered_end < end_ms or capped,
        )

    # -- outbound ------------------------------------------------------------------

    def _check_length(self, text: str, what: str) -> None:
        count = linkedin_length(text)
        if count > LINKEDIN_MAX_CHARS:
            raise PermanentError(
                f"the {what} is {count} characters; LinkedIn allows {LINKEDIN_MAX_CHARS}",
                platform=PLATFORM,
            )

    @staticmethod
    def _created_urn(r: Response, what: str) -> str:
        urn = r.headers.get("x-restli-id", "").strip()
        if not urn:
            raise malformed(f"{what} returned no x-restli-id header")
        return urn

    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        """Comment under the post (or the comment) ``item`` is about.

        Threads are two levels deep, so replying to a reply answers its
        top-level comment. LinkedIn takes no idempotency key: the create is not
        retried on a 5xx or timeout (``idempotency_key`` is unused).
        """
        if item.kind is ItemKind.DM:
            raise UnsupportedError(
                "LinkedIn has no messaging API for organization pages; DMs cannot be answered",
                platform=PLATFORM)
        prefix = f"{PLATFORM}:"
        if not item.thread_id.startswith(prefix) or len(item.thread_id) == len(prefix):
            raise PermanentError(f"not a LinkedIn thread: {item.thread_id!r}", platform=PLATFORM)
        self._check_length(text, "reply")
        self._check_token(self._clock())
        post_urn = item.thread_id[len(prefix):]
        body: dict[str, Any] = {
            "actor": self.organization_urn,
            "object": post_urn,
            "message": {"text": escape_little_text(text)},
        }
        if item.remote_id.startswith("urn:li:comment:"):
            body["parentComment"] = item.parent_remote_id or item.remote_id
        r = await self._call(
            "socialActions/comments", "POST",
            self._rest(f"socialActions/{quote(post_urn, safe='')}/comments"),
            json_body=body, expect_json=False, retry_transient=False,
        )
        comment = self._created_urn(r, "the comment")
        extra = {"post": post_urn}
        if "parentComment" in body:
            extra["parent_comment"] = body["parentComment"]
        return PublishResult(remote_id=comment, url=POST_URL.format(urn=post_urn),
                             published_at=self._clock(), extra=extra)

    def _check_upload_url(self, url: str) -> None:
        """The token goes along with the upload: only to LinkedIn's own hosts."""
        try:
            parsed = httpx.URL(url)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise malformed("initializeUpload.value.uploadUrl is not a URL") from None
        host = parsed.host.lower()
        own = httpx.URL(self.base_url).host.lower()
        if parsed.scheme != "https" or not (
            host == own or any(host == h or host.endswith("." + h) for h in _UPLOAD_HOSTS)
        ):
            raise malformed("initializeUpload.value.uploadUrl is not an https LinkedIn address")

    async def _upload_image(self, data: bytes, mime_type: str) -> str:
        r = await self._call(
            "images", "POST", self._rest("images?action=initializeUpload"),
            json_body={"initializeUploadRequest": {"owner": self.organization_urn}},
        )
        upload_url, image_urn = parse_upload(r.data)
        self._check_upload_url(upload_url)
        await self._call("image-upload", "PUT", upload_url, rest=False, content=data,
                         headers={"Content-Type": mime_type}, expect_json=False)
        return image_urn

    @staticmethod
    def _post_text(post: OutboundPost) -> str:
        """The text LinkedIn gets: ``post.link`` appended when the text does not contain it."""
        text = post.text
        if post.link and post.link not in text:
            text = f"{text}\n\n{post.link}" if text else post.link
        return text

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Publish a post as the organization, with up to 20 images.

        ``post.link`` is appended to the text when the text does not contain
        it (LinkedIn makes no link preview from the API). ``idempotency_key``
        is unused: LinkedIn has none; the create is not retried on a 5xx or a
        timeout, and LinkedIn itself refuses the same text twice (422).
        """
        text = self._post_text(post)
        self._check_length(text, "post")
        if len(post.media) > MAX_IMAGES:
            raise PermanentError(
                f"a LinkedIn post takes at most {MAX_IMAGES} images, not {len(post.media)}",
                platform=PLATFORM)
        for media in post.media:
            if not media.data:
                raise PermanentError(
                    "LinkedIn needs the image bytes (MediaAttachment.data); it does not fetch URLs",
                    platform=PLATFORM)
        self._check_token(self._clock())
        with before_the_create():
            images = [(await self._upload_image(m.data or b"", m.mime_type), m.alt_text)
                      for m in post.media]
        body: dict[str, Any] = {
            "author": self.organization_urn,
            "commentary": escape_little_text(text),
            "visibility": "PUBLIC",
            "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                             "thirdPartyDistributionChannels": []},
            "lifecycleState": "PUBLISHED",
            "isReshareDisabledByAuthor": False,
        }
        if len(images) == 1:
            body["content"] = {"media": {"id": images[0][0], "altText": images[0][1]}}
        elif images:
            body["content"] = {"multiImage": {"images": [
                {"id": urn, "altText": alt} for urn, alt in images]}}
        r = await self._call("posts", "POST", self._rest("posts"), json_body=body,
                             expect_json=False, retry_transient=False)
        urn = self._created_urn(r, "the post")
        extra = {"images": ",".join(urn for urn, _ in images)} if images else {}
        return PublishResult(remote_id=urn, url=POST_URL.format(urn=urn),
                             published_at=self._clock(), extra=extra)

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """The organization's oldest post since ``since`` whose text is ``post``'s.

        LinkedIn returns the commentary in little text: it is read back as plain
        text (escapes undone, hashtag templates as ``#tag``) and compared with
        whitespace normalised. Posts come newest first (``sortBy=CREATED``)."""
        want = comparable_text(self._post_text(post))
        if not want:
            return None
        size = self.own_posts_page_size
        found = None
        for page in range(self.own_posts_pages):
            r = await self._call(
                "posts", "GET",
                self._rest(f"posts?author={quote(self.organization_urn, safe='')}&q=author"
                           f"&count={size}&start={page * size}&sortBy=CREATED"),
                headers={"X-RestLi-Method": "FINDER"})
            posts = parse_own_posts(r.data)
            for own in posts:       # newest first: the last match is the oldest
                if own.at >= since and comparable_text(plain_text(own.commentary)) == want:
                    found = own
            if len(posts) < size or any(own.at < since for own in posts):
                break
        if found is None:
            return None
        return PublishResult(remote_id=found.urn, url=POST_URL.format(urn=found.urn), published_at=found.at,
                             extra={"recovered": "true"})

    async def delete(self, remote_id: str) -> None:
        """Delete one of the organization's posts; a post already gone is fine."""
        if not remote_id:
            raise PermanentError("no LinkedIn post URN to delete", platform=PLATFORM)
        try:
            await self._call("posts", "DELETE", self._rest(f"posts/{quote(remote_id, safe='')}"),
                             headers={"X-RestLi-Method": "DELETE"}, expect_json=False)
        except NotFoundError:
            return

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
