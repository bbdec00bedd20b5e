"""Bluesky posts going out: checks, images with alt text, and search results.

The adapter (:mod:`integrations.bluesky.adapter`) drives the calls; this
module holds what a new post needs and what ``searchPosts`` returns:

* :func:`check_post` refuses what the PDS would refuse (300 graphemes, 3000
  UTF-8 bytes, at most 4 images of at most 2,000,000 bytes each, alt text a
  string) with a message that says the numbers, before anything is uploaded.
* :func:`upload_images` sends each image with ``com.atproto.repo.uploadBlob``
  (raw bytes, the image's MIME type) and builds the
  ``app.bsky.embed.images`` embed with each image's alt text and, when known,
  its aspect ratio. A blob the post never references is deleted by the PDS
  within minutes, so a post that fails after its uploads leaves nothing behind.
* :func:`own_post_in_feed` finds one of our posts by its text in a page of
  ``getAuthorFeed`` (how :meth:`BlueskyAdapter.find_published` looks).
* :func:`parse_search_page` turns a ``searchPosts`` answer into
  :class:`FoundPost` records; a post view with bad fields is skipped (one bad
  record never loses the page), a bad envelope is a :class:`PermanentError`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from integrations.base import (Author, FoundPost, MediaAttachment, OutboundPost, PermanentError, PublishResult,
                               SearchPage)
from integrations.fields import comparable_text
from integrations.text_length import BLUESKY_MAX_BYTES, BLUESKY_MAX_GRAPHEMES, bluesky_length

from .parse import bsky_post_url, parse_datetime
from .xrpc import PLATFORM, XrpcClient

MAX_IMAGES = 4
MAX_IMAGE_BYTES = 2_000_000
SEARCH_MAX = 100


def check_post(post: OutboundPost) -> None:
    """Raise :class:`PermanentError` for a post Bluesky would refuse."""
    if not isinstance(post.text, str):
        raise PermanentError("post text must be a string", platform=PLATFORM)
    if not post.text.strip() and not post.media:
        raise PermanentError("post is empty: give it text or an image", platform=PLATFORM)
    graphemes, size = bluesky_length(post.text)
    if graphemes > BLUESKY_MAX_GRAPHEMES:
        raise PermanentError(f"post is {graphemes} characters; Bluesky allows {BLUESKY_MAX_GRAPHEMES}",
                             platform=PLATFORM)
    if size > BLUESKY_MAX_BYTES:
        raise PermanentError(f"post is {size:,} UTF-8 bytes; Bluesky allows {BLUESKY_MAX_BYTES:,}",
                             platform=PLATFORM)
    if len(post.media) > MAX_IMAGES:
        raise PermanentError(f"post has {len(post.media)} images; Bluesky allows {MAX_IMAGES}",
                             platform=PLATFORM)
    for number, image in enumerate(post.media, 1):
        _check_image(number, image)


def _check_image(number: int, image: MediaAttachment) -> None:
    if not isinstance(image.data, bytes) or not image.data:
        raise PermanentError(f"image {number} has no file data; Bluesky takes uploads, not links",
                             platform=PLATFORM)
    if len(image.data) > MAX_IMAGE_BYTES:
        raise PermanentError(f"image {number} is {len(image.data):,} bytes; "
                             f"Bluesky allows {MAX_IMAGE_BYTES:,}", platform=PLATFORM)
    if not image.mime_type.startswith("image/"):
        raise PermanentError(f"image {number} is {image.mime_type!r}, not an image type",
                             platform=PLATFORM)
    if not isinstance(image.alt_text, str):
        raise PermanentError(f"image {number} alt text must be a string", platform=PLATFORM)


async def upload_images(xrpc: XrpcClient, media: tuple[MediaAttachment, ...]) -> dict[str, Any] | None:
    """Upload every image; the ``app.bsky.embed.images`` embed, or None without images."""
    if not media:
        return None
    images = []
    for number, image in enumerate(media, 1):
        body = await xrpc.call("POST", "com.atproto.repo.uploadBlob", content=image.data,
                               content_type=image.mime_type)
        blob = body.get("blob")
        if not (isinstance(blob, dict) and isinstance(blob.get("ref"), dict)):
            raise PermanentError(f"uploadBlob answered without a blob for image {number}", platform=PLATFORM)
        entry: dict[str, Any] = {"image": blob, "alt": image.alt_text}
        if image.width and image.height and image.width > 0 and image.height > 0:
            entry["aspectRatio"] = {"width": image.width, "height": image.height}
        images.append(entry)
    return {"$type": "app.bsky.embed.images", "images": images}


def own_post_in_feed(body: Any, did: str, text: str, since: datetime
                     ) -> tuple[PublishResult | None, str | None, bool]:
    """Our post with ``text`` created at or after ``since`` in one ``getAuthorFeed``
    page, the page's cursor, and whether older pages may still reach ``since``.

    Reposts and other authors' posts are passed over; the oldest match wins (the
    first create, if the same text went out twice)."""
    feed = body.get("feed") if isinstance(body, dict) else None
    if not isinstance(feed, list):
        raise PermanentError("getAuthorFeed answer has no feed list", platform=PLATFORM)
    cursor = body.get("cursor")
    want = comparable_text(text)
    found: PublishResult | None = None
    older = bool(feed)
    for entry in feed:
        view = entry.get("post") if isinstance(entry, dict) else None
        if not isinstance(view, dict) or entry.get("reason") is not None:
            continue
        uri, record, author = view.get("uri"), view.get("record"), view.get("author")
        if not (isinstance(uri, str) and isinstance(record, dict) and isinstance(author, dict)):
            continue
        try:
            created = parse_datetime(record.get("createdAt"))
        except ValueError:
            continue
        if created < since:
            older = False       # newest first: everything further down is older still
            continue
        if author.get("did") != did or record.get("reply") is not None:
            continue
        if isinstance(record.get("text"), str) and comparable_text(record["text"]) == want:
            handle = author.get("handle") if isinstance(author.get("handle"), str) else ""
            cid = view.get("cid") if isinstance(view.get("cid"), str) else ""
            found = PublishResult(remote_id=uri, url=bsky_post_url(handle, uri), published_at=created,
                                  extra={"cid": cid, "rkey": uri.rsplit("/", 1)[-1], "kind": "post",
                                         "recovered": "true"})
    return found, cursor if isinstance(cursor, str) and cursor else None, older


def parse_search_page(body: Any) -> SearchPage:
    """A ``searchPosts`` answer as a :class:`SearchPage`, newest first as sent."""
    posts = body.get("posts") if isinstance(body, dict) else None
    if not isinstance(posts, list):
        raise PermanentError("searchPosts answer has no posts list", platform=PLATFORM)
    cursor = body.get("cursor")
    if cursor is not None and not isinstance(cursor, str):
        raise PermanentError("searchPosts cursor is not a string", platform=PLATFORM)
    found = [post for post in (_found_post(view) for view in posts) if post is not None]
    return SearchPage(posts=found, cursor=cursor or None)


def _found_post(view: Any) -> FoundPost | None:
    if not isinstance(view, dict):
        return None
    uri, author, record = view.get("uri"), view.get("author"), view.get("record")
    if not (isinstance(uri, str) and uri.startswith("at://") and isinstance(author, dict)
            and isinstance(record, dict)):
        return None
    did, handle, text = author.get("did"), author.get("handle"), record.get("text")
    if not (isinstance(did, str) and isinstance(handle, str) and isinstance(text, str)):
        return None
    try:
        created_at = parse_datetime(record.get("createdAt"))
    except ValueError:
        try:
            created_at = parse_datetime(view.get("indexedAt"))
        except ValueError:
            return None
    name = author.get("displayName")
    langs = record.get("langs")
    language = langs[0] if isinstance(langs, list) and langs and isinstance(langs[0], str) else ""
    return FoundPost(platform=PLATFORM, remote_id=uri,
                     author=Author(did, "@" + handle, name if isinstance(name, str) else ""),
                     text=text, created_at=created_at, url=bsky_post_url(handle, uri), language=language)


def clamp_search_limit(limit: int) -> int:
    if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
        raise PermanentError(f"limit must be a positive integer, got {limit!r}", platform=PLATFORM)
    return min(limit, SEARCH_MAX)
