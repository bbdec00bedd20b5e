"""Parsing X API v2 responses into neutral records, defensively.

Every parser takes the decoded JSON of one response and returns records, or
raises :class:`PermanentError` naming what was malformed; never ``KeyError``
or ``TypeError``. A partial success (HTTP 200 with ``data`` *and* ``errors``)
keeps the data; a response with ``errors`` and no ``data`` raises
:class:`PermanentError` with X's own title and detail.

Text: X sends post text with ``&``, ``<`` and ``>`` escaped as HTML entities;
those three are unescaped so records hold the text as the author typed it
(nothing else is touched). A long post's full text is in ``note_tweet.text``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
from integrations.text_length import find_urls

PLATFORM = "x"
CURSOR_PREFIX = "v1:"
WEB = "https://x.com"


def malformed(what: str) -> PermanentError:
    return fields.malformed(PLATFORM, what)


def get_str(obj: Any, key: str, what: str, *, required: bool = True) -> str:
    """``obj[key]`` as a string (ids may come as numbers); "" when optional and absent."""
    return fields.get_str(obj, key, PLATFORM, what, required=required)


def parse_time(value: str, what: str) -> datetime:
    """An aware UTC datetime from X's ISO 8601 ``2024-01-15T10:30:00.000Z``."""
    return fields.parse_time(value, PLATFORM, what)


#: X ids are 64-bit snowflakes sent as strings.
id_key = fields.numeric_id_key


def unescape(text: str) -> str:
    """Undo the three entities X adds to post text (``&amp;`` last)."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def post_url(username: str, tweet_id: str) -> str:
    if username:
        return f"{WEB}/{username}/status/{tweet_id}"
    return f"{WEB}/i/status/{tweet_id}"


# -- envelopes ------------------------------------------------------------------

@dataclass
class Envelope:
    """One list response: its records, the users it expanded, and the next page."""

    data: list[dict[str, Any]]
    users: dict[str, Author]
    next_token: str | None


def _problem(errors: Any) -> str:
    if isinstance(errors, list):
        for e in errors:
            if isinstance(e, dict):
                parts = [e.get(k) for k in ("title", "detail", "message")]
                text = ": ".join(p for p in parts if isinstance(p, str) and p)
                if text:
                    return text[:300]
    return "no data"


def parse_users(body: dict[str, Any]) -> dict[str, Author]:
    includes = body.get("includes")
    if includes is None:
        return {}
    if not isinstance(includes, dict):
        raise malformed("includes is not an object")
    users = includes.get("users")
    if users is None:
        return {}
    if not isinstance(users, list):
        raise malformed("includes.users is not a list")
    found: dict[str, Author] = {}
    for u in users:
        uid = get_str(u, "id", "includes.users[]")
        username = get_str(u, "username", "includes.users[]")
        found[uid] = Author(
            remote_id=uid,
            handle="@" + username,
            display_name=get_str(u, "name", "includes.users[]", required=False),
        )
    return found


def parse_envelope(body: Any, what: str) -> Envelope:
    """``{"data": [...], "includes": {"users": [...]}, "meta": {"next_token"}}``."""
    if not isinstance(body, dict):
        raise malformed(f"{what} is not an object")
    data = body.get("data")
    if data is None:
        if body.get("errors"):
            raise PermanentError(f"{PLATFORM} {what}: {_problem(body['errors'])}", platform=PLATFORM)
        data = []
    if not isinstance(data, list):
        raise malformed(f"{what}.data is not a list")
    for record in data:
        if not isinstance(record, dict):
            raise malformed(f"{what}.data[] is not an object")
    meta = body.get("meta")
    if meta is not None and not isinstance(meta, dict):
        raise malformed(f"{what}.meta is not an object")
    token = get_str(meta or {}, "next_token", f"{what}.meta", required=False) or None
    return Envelope(data=data, users=parse_users(body), next_token=token)


def parse_object(body: Any, what: str) -> dict[str, Any]:
    """``{"data": {...}}`` (a created post, ``/users/me``, an upload)."""
    if not isinstance(body, dict):
        raise malformed(f"{what} is not an object")
    data = body.get("data")
    if data is None and body.get("errors"):
        raise PermanentError(f"{PLATFORM} {what}: {_problem(body['errors'])}", platform=PLATFORM)
    if not isinstance(data, dict):
        raise malformed(f"{what}.data is missing or not an object")
    return data


# -- posts ----------------------------------------------------------------------

def tweet_text(tweet: dict[str, Any], what: str) -> str:
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        return unescape(note["text"])
    return unescape(get_str(tweet, "text", what))


def replied_to(tweet: dict[str, Any], what: str) -> str | None:
    """The id the post replies to (``referenced_tweets`` of type ``replied_to``)."""
    refs = tweet.get("referenced_tweets")
    if refs is None:
        return None
    if not isinstance(refs, list):
        raise malformed(f"{what}.referenced_tweets is not a list")
    for ref in refs:
        if get_str(ref, "type", f"{what}.referenced_tweets[]") == "replied_to":
            return get_str(ref, "id", f"{what}.referenced_tweets[]")
    return None


def _author(tweet: dict[str, Any], users: dict[str, Author], what: str) -> Author:
    author_id = get_str(tweet, "author_id", what)
    # A user missing from includes (suspended, partial response): no handle to show.
    return users.get(author_id) or Author(remote_id=author_id, handle="")


def parse_mention(
    tweet: dict[str, Any], users: dict[str, Author], ref: AccountRef, own_id: str
) -> InboundItem:
    """One post of the mentions timeline: a COMMENT when it replies to us, else a MENTION."""
    what = "mention"
    tid = get_str(tweet, "id", what)
    author = _author(tweet, users, what)
    to_user = get_str(tweet, "in_reply_to_user_id", what, required=False)
    conversation = get_str(tweet, "conversation_id", what, required=False) or tid
    return InboundItem(
        platform=PLATFORM,
        account_id=ref.account_id,
        remote_id=tid,
        kind=ItemKind.COMMENT if own_id and to_user == own_id else ItemKind.MENTION,
        thread_id=f"{PLATFORM}:conv:{conversation}",
        author=author,
        text=tweet_text(tweet, what),
        created_at=parse_time(get_str(tweet, "created_at", what), f"{what}.created_at"),
        parent_remote_id=replied_to(tweet, what),
        url=post_url(author.handle.lstrip("@"), tid),
        language=get_str(tweet, "lang", what, required=False),
    )


def parse_found_post(tweet: dict[str, Any], users: dict[str, Author]) -> FoundPost:
    what = "search result"
    tid = get_str(tweet, "id", what)
    author = _author(tweet, users, what)
    return FoundPost(
        platform=PLATFORM,
        remote_id=tid,
        author=author,
        text=tweet_text(tweet, what),
        created_at=parse_time(get_str(tweet, "created_at", what), f"{what}.created_at"),
        url=post_url(author.handle.lstrip("@"), tid),
        language=get_str(tweet, "lang", what, required=False),
    )


# -- direct messages ------------------------------------------------------------

def dm_event_id(event: dict[str, Any]) -> str:
    return get_str(event, "id", "dm_event")


def parse_dm_event(
    event: dict[str, Any], users: dict[str, Author], ref: AccountRef, own_id: str
) -> InboundItem | None:
    """A received ``MessageCreate`` as a DM item; ``None`` for our own and other events."""
    what = "dm_event"
    eid = get_str(event, "id", what)
    if get_str(event, "event_type", what) != "MessageCreate":
        return None
    sender = get_str(event, "sender_id", what)
    if sender == own_id:
        return None
    return InboundItem(
        platform=PLATFORM,
        account_id=ref.account_id,
        remote_id=eid,
        kind=ItemKind.DM,
        thread_id=f"{PLATFORM}:dm:{get_str(event, 'dm_conversation_id', what)}",
        author=users.get(sender) or Author(remote_id=sender, handle=""),
        text=unescape(get_str(event, "text", what, required=False)),
        created_at=parse_time(get_str(event, "created_at", what), f"{what}.created_at"),
    )


# -- matching our own posts after an ambiguous failure --------------------------

_LEADING_MENTIONS = re.compile(r"^(?:@\w{1,15}\s+)+")


def comparable(text: str, *, drop_leading_mentions: bool = False) -> str:
    """Text reduced to what survives X's rewriting: NFC, no URLs (t.co), one space."""
    text = unicodedata.normalize("NFC", unescape(text))
    if drop_leading_mentions:
        text = _LEADING_MENTIONS.sub("", text)
    pieces, pos = [], 0
    for start, end in find_urls(text):
        pieces.append(text[pos:start])
        pos = end
    pieces.append(text[pos:])
    return " ".join("".join(pieces).split())


def same_text(sent: str, returned: str) -> bool:
    """Whether ``returned`` (as X shows our post) is the ``sent`` text.

    X wraps URLs in t.co links, appends a link for attached media and, for
    replies, may prefix ``@mentions`` of the people replied to.
    """
    want = comparable(sent)
    return want == comparable(returned) or want == comparable(returned, drop_leading_mentions=True)


# -- the cursor -----------------------------------------------------------------

@dataclass(frozen=True)
class Cursor:
    """Where the inbound streams stand.

    * ``since``: every mention with an id up to this one was delivered.
    * ``until``: when set, the mentions window being drained is ``(since, until)``
      (set when a walk stopped before reaching the oldest mention of the window).
    * ``dm``: every DM event with an id up to this one was delivered.
    * ``dm_polled``: when DMs were last read (they allow 15 reads per 15 min).
    """

    since: str | None = None
    until: str | None = None
    dm: str | None = None
    dm_polled: datetime | None = None

    def encode(self) -> str:
        return CURSOR_PREFIX + json.dumps({
            "s": self.since, "u": self.until, "d": self.dm,
            "dt": self.dm_polled.isoformat() if self.dm_polled else None,
        }, sort_keys=True)


def decode_cursor(cursor: str | None) -> Cursor:
    if cursor is None:
        return Cursor()
    bad = PermanentError("invalid x cursor", platform=PLATFORM)
    if not isinstance(cursor, str) or not cursor.startswith(CURSOR_PREFIX):
        raise bad
    try:
        data = json.loads(cursor[len(CURSOR_PREFIX):])
    except (ValueError, RecursionError):
        raise bad from None
    if not isinstance(data, dict) or not {"s", "u", "d", "dt"} <= set(data):
        raise bad
    values = [data[k] for k in ("s", "u", "d", "dt")]
    if not all(v is None or (isinstance(v, str) and v) for v in values):
        raise bad
    if not all(v is None or v.isdigit() for v in values[:3]):
        raise bad
    polled = None
    if data["dt"] is not None:
        try:
            polled = parse_time(data["dt"], "cursor")
        except PermanentError:
            raise bad from None
    return Cursor(since=data["s"], until=data["u"], dm=data["d"], dm_polled=polled)


def own_post_result(tweet: dict[str, Any], text: str, reply_to: str | None, username: str,
                    clock: Callable[[], datetime]) -> PublishResult | None:
    """``tweet`` as a publish result when it is our post (replying to ``reply_to``,
    or top-level for None) showing ``text`` (see :func:`same_text`)."""
    if replied_to(tweet, "tweet") != reply_to:
        return None
    shown = get_str(tweet, "text", "tweet")
    note = tweet.get("note_tweet")
    if isinstance(note, dict) and isinstance(note.get("text"), str):
        shown = note["text"]
    if not same_text(text, shown):
        return None
    tid = get_str(tweet, "id", "tweet")
    created = get_str(tweet, "created_at", "tweet", required=False)
    return PublishResult(
        remote_id=tid, url=post_url(username, tid),
        published_at=parse_time(created, "tweet.created_at") if created else clock(),
        extra={"recovered": "true"})
