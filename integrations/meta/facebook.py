"""The Facebook Page adapter (Graph API with a Page access token).

Inbound, merged oldest first (at most ``limit``), with the cursor of
:mod:`integrations.meta.common`:

* comments: ``GET /{page-id}/published_posts`` (newest first), then for each
  post updated since the comments' mark ``GET /{post-id}/comments`` newest
  first, following ``paging.next`` until the mark. Comments by the Page are
  skipped; a reply's parent is its parent comment, a top-level comment's the
  post. Thread ``facebook:post:<post-id>``. ``published_posts`` is not ordered
  by ``updated_time``, so the newest :data:`POST_PAGES` pages of posts are
  read each time and only those updated since the mark are opened; comments
  on older posts are not seen (Meta's ``feed`` webhook is the way for those).
* Messenger DMs: ``GET /{page-id}/conversations``; the sender's PSID (needed
  to answer) is ``author.remote_id``. Thread ``facebook:conv:<id>``.
* mentions: ``GET /{page-id}/tagged``; thread ``facebook:post:<post-id>``.

Without a cursor every source is read from its start (at most
:data:`~integrations.meta.graph.MAX_PAGES` pages).

Replies and posts are creates, and Meta takes no idempotency key: they are
sent once (``retry_transient=False``); an ambiguous failure surfaces as
:class:`TransientError` and the caller checks before trying again, with
:meth:`FacebookPageAdapter.find_published`: the Page's posts since a time
(``GET /{page-id}/posts?since=``) whose ``message`` is the post's text. The
unpublished photo uploads of a multi-photo post come before its create: a
failure there says nothing was sent. A DM is answered only within
Messenger's 24-hour window. Facebook has no public post search.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import httpx

from integrations.fields import comparable_text
from integrations.http import before_the_create, encode_multipart
from integrations.base import (
    AccountRef,
    Capabilities,
    InboundItem,
    InboundPage,
    ItemKind,
    OutboundPost,
    PermanentError,
    PublishResult,
    TransientError,
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
    get_obj,
    get_str,
    parse_time,
)
from integrations.text_length import FACEBOOK_MAX_CHARS, facebook_length

PLATFORM = "facebook"
SOURCES = ("comments", "dms", "mentions")
COMMENT_FIELDS = "id,message,created_time,from,parent{id}"
#: Pages of ``published_posts`` (25 each) whose comments are watched.
POST_PAGES = 2
#: Pages of the Page's own posts (25 each) ``find_published`` reads at most.
FIND_PAGES = 8


def _bad(what: str) -> PermanentError:
    return PermanentError(f"malformed response from {PLATFORM}: {what}", platform=PLATFORM)


def parse_comment(c: Any, post_id: str, ref: AccountRef) -> InboundItem:
    cid = get_str(c, "id", PLATFORM, "comment")
    parent = get_obj(c, "parent", PLATFORM, "comment", required=False)
    parent_id = get_str(parent, "id", PLATFORM, "comment.parent") if parent else post_id
    return InboundItem(
        platform=PLATFORM, account_id=ref.account_id, remote_id=cid, kind=ItemKind.COMMENT,
        thread_id=f"{PLATFORM}:post:{post_id}",
        author=author_of(get_obj(c, "from", PLATFORM, "comment", required=False), PLATFORM,
                         "comment.from"),
        text=get_str(c, "message", PLATFORM, "comment", required=False),
        created_at=parse_time(get_str(c, "created_time", PLATFORM, "comment"), PLATFORM,
                              "comment.created_time"),
        parent_remote_id=parent_id,
        url=get_str(c, "permalink_url", PLATFORM, "comment", required=False) or None)


def parse_tagged(p: Any, ref: AccountRef) -> InboundItem:
    pid = get_str(p, "id", PLATFORM, "tagged post")
    return InboundItem(
        platform=PLATFORM, account_id=ref.account_id, remote_id=pid, kind=ItemKind.MENTION,
        thread_id=f"{PLATFORM}:post:{pid}",
        author=author_of(get_obj(p, "from", PLATFORM, "tagged post", required=False), PLATFORM,
                         "tagged post.from"),
        text=get_str(p, "message", PLATFORM, "tagged post", required=False),
        created_at=parse_time(get_str(p, "created_time", PLATFORM, "tagged post"), PLATFORM,
                              "tagged post.created_time"),
        url=get_str(p, "permalink_url", PLATFORM, "tagged post", required=False) or None)


class FacebookPageAdapter(GraphAdapter):
    """One Facebook Page, with its Page access token."""

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True, inbound_mentions=True, direct_messages=True, reply=True,
        publish=True, delete=True, media=True, find_published=True, keyword_search=False,
        native_scheduling=False)

    def __init__(
        self, account: AccountRef, *, page_id: str, page_token: str, base_url: str = GRAPH_URL,
        api_version: str = API_VERSION, client: httpx.AsyncClient | None = None,
        clock: Any = None, **transport_options: Any,
    ) -> None:
        super().__init__(account, page_token=page_token, base_url=base_url, api_version=api_version,
                         client=client, clock=clock, transport_options=transport_options)
        self.page_id = page_id

    def __repr__(self) -> str:  # never show the token
        return f"FacebookPageAdapter({self.account.account_id!r}, page_id={self.page_id!r})"

    # -- inbound ---------------------------------------------------------------

    async def _comments(self, mark: Mark) -> list[InboundItem]:
        found: list[InboundItem] = []
        posts: list[str] = []
        params = {"fields": "id,updated_time", "limit": "25"}
        pages = 0
        async for page in self.graph.pages(f"{self.page_id}/published_posts", params, "published_posts"):
            for p in page:
                pid = get_str(p, "id", PLATFORM, "post")
                updated = get_str(p, "updated_time", PLATFORM, "post", required=False)
                if not updated or mark.reaches(parse_time(updated, PLATFORM, "post.updated_time")):
                    posts.append(pid)
            pages += 1
            if pages >= POST_PAGES:
                break
        params = {"fields": COMMENT_FIELDS, "order": "reverse_chronological",
                  "filter": "stream", "limit": "100"}
        for pid in posts:
            async for page in self.graph.pages(f"{pid}/comments", params, "comments"):
                reached = False
                for c in page:
                    item = parse_comment(c, pid, self.account)
                    if not mark.reaches(item.created_at):
                        reached = True
                    if item.author.remote_id != self.page_id and mark.is_new(item.created_at, item.remote_id):
                        found.append(item)
                if reached:
                    break
        return found

    async def _mentions(self, mark: Mark) -> list[InboundItem]:
        params = {"fields": "id,message,created_time,from,permalink_url", "limit": "25"}
        return await read_down_to_mark(self.graph, f"{self.page_id}/tagged", params, "tagged",
                                       lambda raw: parse_tagged(raw, self.account), mark)

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        marks = decode_cursor(cursor, SOURCES, PLATFORM)
        found = {
            "comments": await self._comments(marks["comments"]),
            "dms": await fetch_conversations(self.graph, self.page_id, {self.page_id}, marks["dms"],
                                             account_id=self.account.account_id),
            "mentions": await self._mentions(marks["mentions"]),
        }
        return finish_page(found, marks, limit)

    # -- replies ---------------------------------------------------------------

    def _check_length(self, text: str) -> None:
        n = facebook_length(text)
        if n > FACEBOOK_MAX_CHARS:
            raise PermanentError(f"text is {n} characters; Facebook allows {FACEBOOK_MAX_CHARS}",
                                 platform=PLATFORM)

    async def send_reply(self, item: InboundItem, text: str, *, idempotency_key: str) -> PublishResult:
        """Comment under a comment or a tagged post, or answer a DM (24-hour window).

        Meta takes no idempotency key: the create is sent once, never retried here.
        """
        self._check_length(text)
        now = self.graph.clock()
        if item.kind is ItemKind.DM:
            check_messaging_window(item, now, PLATFORM)
            if not item.author.remote_id:
                raise PermanentError("facebook: the DM has no sender id to answer", platform=PLATFORM)
            body = await self.graph.create(f"{self.page_id}/messages", json_body={
                "recipient": {"id": item.author.remote_id}, "messaging_type": "RESPONSE",
                "message": {"text": text}})
            mid = get_str(body, "message_id", PLATFORM, "send message")
            return PublishResult(remote_id=mid, url=None, published_at=now,
                                 extra={"recipient_id": item.author.remote_id})
        body = await self.graph.create(f"{item.remote_id}/comments", data={"message": text})
        cid = get_str(body, "id", PLATFORM, "created comment")
        return PublishResult(remote_id=cid, url=None, published_at=now)

    # -- publishing ------------------------------------------------------------

    async def _upload_photo(self, media: Any, fields: dict[str, str]) -> Any:
        fields = {**fields, "alt_text_custom": media.alt_text}
        if media.data is not None:
            body, content_type = encode_multipart(fields, {"source": (media.filename or "image", media.data,
                                                                      media.mime_type)})
            return await self.graph.create(f"{self.page_id}/photos", content=body,
                                           headers={"Content-Type": content_type})
        if media.source_url:
            return await self.graph.create(f"{self.page_id}/photos",
                                           data={**fields, "url": media.source_url})
        raise PermanentError("facebook: an image needs its bytes or a public URL", platform=PLATFORM)

    async def _permalink(self, post_id: str) -> str:
        try:
            body = await self.graph.get(post_id, {"fields": "permalink_url"})
            url = get_str(body, "permalink_url", PLATFORM, "post", required=False)
        except (PermanentError, TransientError):
            url = ""
        return url or f"https://www.facebook.com/{post_id}"

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Post text, one photo, or several photos to the Page's feed.

        Meta takes no idempotency key: each create is sent once (no retry on a
        timeout or 5xx); the caller checks the Page before trying again.
        """
        self._check_length(post.text)
        if not post.text and not post.media:
            raise PermanentError("facebook: a post needs text or an image", platform=PLATFORM)
        if len(post.media) == 1:
            body = await self._upload_photo(post.media[0], {"message": post.text})
            post_id = get_str(body, "post_id", PLATFORM, "photo", required=False) \
                or get_str(body, "id", PLATFORM, "photo")
        else:
            data: dict[str, str] = {"message": post.text}
            if post.link:
                data["link"] = post.link
            with before_the_create():      # unpublished uploads: nobody sees them yet
                for i, media in enumerate(post.media):
                    photo = await self._upload_photo(media, {"published": "false"})
                    fbid = get_str(photo, "id", PLATFORM, "photo")
                    data[f"attached_media[{i}]"] = json.dumps({"media_fbid": fbid})
            body = await self.graph.create(f"{self.page_id}/feed", data=data)
            post_id = get_str(body, "id", PLATFORM, "post")
        return PublishResult(remote_id=post_id, url=await self._permalink(post_id),
                             published_at=self.graph.clock())

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """The Page's oldest post since ``since`` whose message is ``post.text``
        (whitespace normalised; Facebook keeps links as written). A post without
        text cannot be told apart from others by its text: None."""
        want = comparable_text(post.text)
        if not want:
            return None
        params = {"fields": "id,message,created_time,permalink_url", "since": str(int(since.timestamp())),
                  "limit": "25"}
        found: PublishResult | None = None
        pages = 0
        async for page in self.graph.pages(f"{self.page_id}/posts", params, "posts"):
            for p in page:          # newest first: the last match is the oldest
                created = parse_time(get_str(p, "created_time", PLATFORM, "post"), PLATFORM, "post.created_time")
                message = get_str(p, "message", PLATFORM, "post", required=False)
                if created >= since and comparable_text(message) == want:
                    pid = get_str(p, "id", PLATFORM, "post")
                    found = PublishResult(
                        remote_id=pid, published_at=created, extra={"recovered": "true"},
                        url=get_str(p, "permalink_url", PLATFORM, "post", required=False)
                        or f"https://www.facebook.com/{pid}")
            pages += 1
            if pages >= FIND_PAGES:
                break
        return found

    async def delete(self, remote_id: str) -> None:
        """Delete a Page post; one that does not exist any more counts as deleted."""
        try:
            r = await self.graph.request("DELETE", remote_id)
        except PermanentError as exc:
            if "does not exist" in str(exc).lower():
                return
            raise
        if isinstance(r.data, dict) and r.data.get("success") is False:
            raise PermanentError(f"facebook: deleting {remote_id} was refused", platform=PLATFORM)
        if r.data is not None and not isinstance(r.data, dict):
            raise _bad("delete reply is not an object")

