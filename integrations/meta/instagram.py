"""The Instagram adapter (Instagram professional account, through its Facebook Page).

Inbound, merged oldest first (at most ``limit``), with the cursor of
:mod:`integrations.meta.common`:

* comments: ``GET /{ig-user-id}/media`` (the newest page), then
  ``GET /{media-id}/comments`` with their ``replies`` for each media that has
  comments. Instagram media carry no ``updated_time``, so every media of that
  page with comments is read each time; comments by the account are skipped.
  Thread ``instagram:media:<media-id>``.
* DMs: ``GET /{page-id}/conversations?platform=instagram``; the sender's IGSID
  is ``author.remote_id``. Thread ``instagram:conv:<id>``.
* mentions: ``GET /{ig-user-id}/tags`` (media the account is tagged in).

Publishing fetches images from a public URL (``MediaAttachment.source_url``)
and needs at least one image; creates are sent once (no idempotency key on
Meta). The containers come first and publish nothing (a failure there says
nothing was sent); ``media_publish`` is the create. After an ambiguous
failure the caller looks with :meth:`InstagramAdapter.find_published`: the
account's media since a time (``GET /{ig-user-id}/media``, newest first)
whose caption is the post's text. Deleting is not offered by the API. Search
is hashtag search only.
"""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Any

import httpx

from integrations.base import (
    AccountRef,
    Author,
    Capabilities,
    FoundPost,
    InboundItem,
    InboundPage,
    ItemKind,
    OutboundPost,
    PermanentError,
    PublishResult,
    SearchPage,
    TransientError,
    UnsupportedError,
)
from integrations.meta.common import (
    Mark,
    author_of,
    check_messaging_window,
    decode_cursor,
    fetch_conversations,
    finish_page,
    read_down_to_mark,
)
from integrations.meta.graph import (
    API_VERSION,
    GRAPH_URL,
    GraphAdapter,
    data_list,
    get_obj,
    get_str,
    parse_time,
)
from integrations.fields import comparable_text
from integrations.http import before_the_create
from integrations.text_length import (
    INSTAGRAM_MAX_CHARS,
    INSTAGRAM_MAX_HASHTAGS,
    instagram_hashtags,
    instagram_length,
)

PLATFORM = "instagram"
SOURCES = ("comments", "dms", "mentions")
COMMENT_FIELDS = "id,text,timestamp,username,from,replies{id,text,timestamp,username,from}"
#: Pages of the account's media (25 each) ``find_published`` reads at most.
FIND_PAGES = 8
_HASHTAG_QUERY = re.compile(r"#?(\w+)")
_SEARCH_PREFIX = "v1:"


def parse_ig_comment(c: Any, media_id: str, parent_id: str, url: str | None,
                     ref: AccountRef) -> InboundItem:
    cid = get_str(c, "id", PLATFORM, "comment")
    author = author_of(get_obj(c, "from", PLATFORM, "comment", required=False), PLATFORM,
                       "comment.from")
    username = get_str(c, "username", PLATFORM, "comment", required=False)
    if username and not author.handle:
        author = Author(remote_id=author.remote_id, handle=f"@{username}")
    return InboundItem(
        platform=PLATFORM, account_id=ref.account_id, remote_id=cid, kind=ItemKind.COMMENT,
        thread_id=f"{PLATFORM}:media:{media_id}", author=author,
        text=get_str(c, "text", PLATFORM, "comment", required=False),
        created_at=parse_time(get_str(c, "timestamp", PLATFORM, "comment"), PLATFORM,
                              "comment.timestamp"),
        parent_remote_id=parent_id, url=url)


def parse_comments(page: list, media_id: str, url: str | None, ref: AccountRef) -> list[InboundItem]:
    """Top-level comments and their replies (a reply's parent is its comment)."""
    items: list[InboundItem] = []
    for c in page:
        top = parse_ig_comment(c, media_id, media_id, url, ref)
        items.append(top)
        replies = get_obj(c, "replies", PLATFORM, "comment", required=False)
        for r in data_list(replies, PLATFORM, "comment.replies") if replies else []:
            items.append(parse_ig_comment(r, media_id, top.remote_id, url, ref))
    return items


def parse_tag(m: Any, ref: AccountRef) -> InboundItem:
    mid = get_str(m, "id", PLATFORM, "tagged media")
    username = get_str(m, "username", PLATFORM, "tagged media", required=False)
    return InboundItem(
        platform=PLATFORM, account_id=ref.account_id, remote_id=mid, kind=ItemKind.MENTION,
        thread_id=f"{PLATFORM}:media:{mid}",
        author=Author(remote_id="", handle=f"@{username}" if username else ""),
        text=get_str(m, "caption", PLATFORM, "tagged media", required=False),
        created_at=parse_time(get_str(m, "timestamp", PLATFORM, "tagged media"), PLATFORM,
                              "tagged media.timestamp"),
        url=get_str(m, "permalink", PLATFORM, "tagged media", required=False) or None)


def parse_found(m: Any) -> FoundPost:
    mid = get_str(m, "id", PLATFORM, "hashtag media")
    return FoundPost(
        platform=PLATFORM, remote_id=mid, author=Author(remote_id="", handle=""),
        text=get_str(m, "caption", PLATFORM, "hashtag media", required=False),
        created_at=parse_time(get_str(m, "timestamp", PLATFORM, "hashtag media"), PLATFORM,
                              "hashtag media.timestamp"),
        url=get_str(m, "permalink", PLATFORM, "hashtag media", required=False) or None)


def hashtag_of(query: str) -> str:
    """``"#coffee"`` or ``"coffee"`` -> ``"coffee"``; anything else is refused."""
    found = _HASHTAG_QUERY.fullmatch(query.strip())
    if not found:
        raise PermanentError(
            "Instagram searches hashtags only: give one hashtag such as #coffee "
            "(at most 30 unique hashtags per 7 days)", platform=PLATFORM)
    return found.group(1)


class InstagramAdapter(GraphAdapter):
    """One Instagram professional account, with the Page access token of its Page."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True, inbound_mentions=True, direct_messages=True, reply=True,
        publish=True, delete=False, media=True, find_published=True, keyword_search=True,
        native_scheduling=False)

    def __init__(
        self, account: AccountRef, *, ig_user_id: str, page_id: str, page_token: str,
        base_url: str = GRAPH_URL, api_version: str = API_VERSION,
        client: httpx.AsyncClient | None = None, clock: Any = None, **transport_options: Any,
    ) -> None:
        super().__init__(account, page_token=page_token, base_url=base_url, api_version=api_version,
                         client=client, clock=clock, transport_options=transport_options)
        self.ig_user_id = ig_user_id
        self.page_id = page_id

    def __repr__(self) -> str:  # never show the token
        return f"InstagramAdapter({self.account.account_id!r}, ig_user_id={self.ig_user_id!r})"

    # -- inbound ---------------------------------------------------------------

    async def _comments(self, mark: Mark) -> list[InboundItem]:
        body = await self.graph.get(f"{self.ig_user_id}/media", {
            "fields": "id,timestamp,permalink,comments_count", "limit": "25"})
        found: list[InboundItem] = []
        for media in data_list(body, PLATFORM, "media"):
            mid = get_str(media, "id", PLATFORM, "media")
            count = media.get("comments_count")
            if isinstance(count, int) and not isinstance(count, bool) and count <= 0:
                continue
            url = get_str(media, "permalink", PLATFORM, "media", required=False) or None
            async for page in self.graph.pages(f"{mid}/comments",
                                               {"fields": COMMENT_FIELDS, "limit": "50"}, "comments"):
                for item in parse_comments(page, mid, url, self.account):
                    if item.author.remote_id != self.ig_user_id and mark.is_new(
                            item.created_at, item.remote_id):
                        found.append(item)
        return found

    async def _mentions(self, mark: Mark) -> list[InboundItem]:
        params = {"fields": "id,caption,timestamp,username,permalink", "limit": "25"}
        return await read_down_to_mark(self.graph, f"{self.ig_user_id}/tags", params, "tags",
                                       lambda raw: parse_tag(raw, self.account), mark)

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        marks = decode_cursor(cursor, SOURCES, PLATFORM)
        found = {
            "comments": await self._comments(marks["comments"]),
            "dms": await fetch_conversations(self.graph, self.page_id, {self.ig_user_id, self.page_id},
                                             marks["dms"], account_id=self.account.account_id,
                                             instagram=True),
            "mentions": await self._mentions(marks["mentions"]),
        }
        return finish_page(found, marks, limit)

    # -- replies ---------------------------------------------------------------

    async def send_reply(self, item: InboundItem, text: str, *, idempotency_key: str) -> PublishResult:
        """Reply under a comment, or answer a DM (24-hour window); sent once (no idempotency key)."""
        n = instagram_length(text)
        if n > INSTAGRAM_MAX_CHARS:
            raise PermanentError(f"text is {n} characters; Instagram allows {INSTAGRAM_MAX_CHARS}",
                                 platform=PLATFORM)
        now = self.graph.clock()
        if item.kind is ItemKind.DM:
            check_messaging_window(item, now, PLATFORM)
            if not item.author.remote_id:
                raise PermanentError("instagram: the DM has no sender id to answer", platform=PLATFORM)
            body = await self.graph.create(f"{self.page_id}/messages", json_body={
                "recipient": {"id": item.author.remote_id}, "messaging_type": "RESPONSE",
                "message": {"text": text}})
            mid = get_str(body, "message_id", PLATFORM, "send message")
            return PublishResult(remote_id=mid, url=None, published_at=now,
                                 extra={"recipient_id": item.author.remote_id})
        if item.kind is ItemKind.MENTION and item.parent_remote_id is None:
            raise UnsupportedError(
                "instagram: the account was tagged in someone else's media; the API cannot "
                "comment there. Answer by DM or on Instagram itself.", platform=PLATFORM)
        body = await self.graph.create(f"{item.remote_id}/replies", data={"message": text})
        cid = get_str(body, "id", PLATFORM, "created reply")
        return PublishResult(remote_id=cid, url=item.url, published_at=now)

    # -- publishing ------------------------------------------------------------

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Publish one image (or a carousel of several) with a caption.

        Meta takes no idempotency key: each create is sent once (no retry on a
        timeout or 5xx); the caller checks the account before trying again.
        """
        if not post.media:
            raise PermanentError("instagram: a post needs at least one image; Instagram has no "
                                 "text-only posts", platform=PLATFORM)
        n, tags = instagram_length(post.text), instagram_hashtags(post.text)
        if n > INSTAGRAM_MAX_CHARS:
            raise PermanentError(f"caption is {n} characters; Instagram allows "
                                 f"{INSTAGRAM_MAX_CHARS}", platform=PLATFORM)
        if tags > INSTAGRAM_MAX_HASHTAGS:
            raise PermanentError(f"caption has {tags} hashtags; Instagram allows "
                                 f"{INSTAGRAM_MAX_HASHTAGS}", platform=PLATFORM)
        for media in post.media:
            if not media.source_url:
                raise PermanentError(
                    "Instagram fetches images from a public URL; give each image a source_url "
                    "(uploaded bytes are not accepted)", platform=PLATFORM)
        path = f"{self.ig_user_id}/media"
        with before_the_create():      # containers publish nothing until media_publish
            if len(post.media) == 1:
                m = post.media[0]
                body = await self.graph.create(path, data={
                    "image_url": m.source_url, "caption": post.text, "alt_text": m.alt_text})
            else:
                children = []
                for m in post.media:
                    child = await self.graph.create(path, data={
                        "image_url": m.source_url, "is_carousel_item": "true", "alt_text": m.alt_text})
                    children.append(get_str(child, "id", PLATFORM, "carousel item container"))
                body = await self.graph.create(path, data={
                    "media_type": "CAROUSEL", "children": ",".join(children), "caption": post.text})
        container = get_str(body, "id", PLATFORM, "media container")
        body = await self.graph.create(f"{self.ig_user_id}/media_publish",
                                       data={"creation_id": container})
        media_id = get_str(body, "id", PLATFORM, "published media")
        try:
            url = get_str(await self.graph.get(media_id, {"fields": "permalink"}), "permalink",
                          PLATFORM, "media", required=False) or None
        except (PermanentError, TransientError):
            url = None
        return PublishResult(remote_id=media_id, url=url, published_at=self.graph.clock(),
                             extra={"container_id": container})

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """The account's oldest media since ``since`` whose caption is ``post.text``
        (whitespace normalised), from its media list (newest first). A post
        without a caption cannot be told apart by its text: None."""
        want = comparable_text(post.text)
        if not want:
            return None
        params = {"fields": "id,caption,timestamp,permalink", "limit": "25"}
        found: PublishResult | None = None
        pages = 0
        async for page in self.graph.pages(f"{self.ig_user_id}/media", params, "media"):
            reached = False
            for m in page:          # newest first: the last match is the oldest
                created = parse_time(get_str(m, "timestamp", PLATFORM, "media"), PLATFORM, "media.timestamp")
                if created < since:
                    reached = True
                    continue
                if comparable_text(get_str(m, "caption", PLATFORM, "media", required=False)) == want:
                    found = PublishResult(
                        remote_id=get_str(m, "id", PLATFORM, "media"), published_at=created,
                        url=get_str(m, "permalink", PLATFORM, "media", required=False) or None,
                        extra={"recovered": "true"})
            pages += 1
            if reached or pages >= FIND_PAGES:
                break
        return found

    # -- search ----------------------------------------------------------------

    async def search(self, query: str, *, cursor: str | None = None, limit: int = 25) -> SearchPage:
        """Recent public media with one hashtag (Instagram searches hashtags only)."""
        tag = hashtag_of(query)
        hashtag_id, after = self._decode_search_cursor(cursor, tag)
        if hashtag_id is None:
            body = await self.graph.get("ig_hashtag_search", {"user_id": self.ig_user_id, "q": tag})
            found = data_list(body, PLATFORM, "ig_hashtag_search")
            if not found:
                return SearchPage(posts=[], cursor=None)
            hashtag_id = get_str(found[0], "id", PLATFORM, "hashtag")
        params = {"user_id": self.ig_user_id, "limit": str(max(1, min(limit, 50))),
                  "fields": "id,caption,media_type,permalink,timestamp"}
        if after:
            params["after"] = after
        body = await self.graph.get(f"{hashtag_id}/recent_media", params)
        posts = [parse_found(m) for m in data_list(body, PLATFORM, "recent_media")]
        posts.sort(key=lambda p: p.created_at, reverse=True)
        paging = body.get("paging") if isinstance(body.get("paging"), dict) else {}
        cursors = paging.get("cursors") if isinstance(paging.get("cursors"), dict) else {}
        nxt = cursors.get("after")
        new_cursor = None
        if isinstance(nxt, str) and nxt and paging.get("next"):
            new_cursor = _SEARCH_PREFIX + json.dumps({"tag": tag, "id": hashtag_id, "after": nxt})
        return SearchPage(posts=posts, cursor=new_cursor)

    def _decode_search_cursor(self, cursor: str | None, tag: str) -> tuple[str | None, str | None]:
        if cursor is None:
            return None, None
        bad = PermanentError("invalid instagram search cursor", platform=PLATFORM)
        if not cursor.startswith(_SEARCH_PREFIX):
            raise bad
        try:
            body = json.loads(cursor[len(_SEARCH_PREFIX):])
        except (ValueError, RecursionError):
            raise bad from None
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) for k in ("tag", "id", "after")):
            raise bad
        if body["tag"].lower() != tag.lower():
            return None, None
        return body["id"], body["after"]

