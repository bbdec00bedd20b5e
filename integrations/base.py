"""The contract every platform adapter keeps.

An adapter turns one platform's API into neutral records and typed errors, so
the worker and the services never see a platform's JSON or its HTTP status
codes. The contract:

* An adapter is constructed with the credentials of **one connected account**
  (an :class:`AccountRef` plus whatever secret the platform needs) and owns
  whatever HTTP client it uses; :meth:`PlatformAdapter.aclose` releases it.
* :meth:`PlatformAdapter.fetch_inbound` returns items the account received
  (comments, DMs, mentions) *after* an opaque cursor, oldest first, plus the
  cursor to pass next time. Passing the returned cursor again must never skip
  an item; returning an item twice is allowed (the worker de-duplicates on
  ``(platform, remote_id)``), skipping one is not.
* :meth:`PlatformAdapter.send_reply` replies to one inbound item, threaded as
  the platform threads replies. ``idempotency_key`` is stable across retries of
  the same reply; adapters use it (or a look-up) so a retry after a timeout
  does not post twice.
* Every failure is one of the :class:`AdapterError` subclasses below. Adapters
  never raise ``httpx`` or ``KeyError`` from a malformed response; they raise
  :class:`PermanentError` naming what was malformed. Error messages never
  contain a token or other secret.
* :meth:`PlatformAdapter.publish`, :meth:`PlatformAdapter.delete` and
  :meth:`PlatformAdapter.search` are optional: the defaults raise
  :class:`UnsupportedError`, and the capability flags say which an adapter has.
* Capability flags say what the platform cannot do; callers check them before
  calling, and an adapter asked for something it cannot do raises
  :class:`UnsupportedError`.
* Text in records is exactly what the platform sent (untrusted; the display
  layer makes it safe). Times are timezone-aware UTC ``datetime`` objects.
"""

from __future__ import annotations

import abc
import enum
from dataclasses import dataclass, field
from datetime import datetime


class ItemKind(str, enum.Enum):
    """What sort of inbound item this is; drives the SLA target."""

    COMMENT = "comment"
    DM = "dm"
    MENTION = "mention"


@dataclass(frozen=True)
class Capabilities:
    """What a platform allows through its API."""

    inbound_comments: bool = True
    inbound_mentions: bool = True
    direct_messages: bool = False
    reply: bool = True
    publish: bool = False
    delete: bool = False
    media: bool = False
    #: Publishing takes an idempotency key the platform honours (Mastodon's
    #: Idempotency-Key, Bluesky's record key): a create retried with the same
    #: key never makes a second post.
    idempotent_publish: bool = False
    #: ``find_published`` can look for one of our posts by its text and time.
    find_published: bool = False
    keyword_search: bool = False
    native_scheduling: bool = False


@dataclass(frozen=True)
class AccountRef:
    """One connected account on one platform, as the console names it."""

    platform: str          # "sandbox", "bluesky", "mastodon", ...
    account_id: str        # stable id within socops, e.g. "sandbox:acme_en"
    handle: str            # what people see, e.g. "@acme_en"
    display_name: str = ""
    language: str = ""     # main language of the account, e.g. "en"
    region: str = ""       # e.g. "EU", "LATAM", "APAC"
    timezone: str = "UTC"  # IANA name, for schedules and displays


@dataclass(frozen=True)
class Author:
    """Who wrote an inbound item."""

    remote_id: str
    handle: str
    display_name: str = ""


@dataclass(frozen=True)
class InboundItem:
    """One comment, DM or mention received by a connected account."""

    platform: str
    account_id: str
    remote_id: str              # unique per platform
    kind: ItemKind
    thread_id: str              # items of one conversation share it
    author: Author
    text: str
    created_at: datetime
    parent_remote_id: str | None = None  # what it replies to, if anything
    url: str | None = None
    language: str = ""


@dataclass(frozen=True)
class InboundPage:
    """A page of inbound items, oldest first, and the cursor for the next call."""

    items: list[InboundItem]
    cursor: str | None
    has_more: bool = False


@dataclass(frozen=True)
class MediaAttachment:
    """One image to attach to a post, with its alt text.

    ``data`` is the file's bytes for platforms that take an upload; ``source_url``
    is a publicly reachable copy for platforms that fetch the image themselves
    (Instagram). Alt text is required by policy; an adapter passes it on in the
    platform's own field.
    """

    alt_text: str
    mime_type: str = "image/jpeg"
    data: bytes | None = None
    source_url: str | None = None
    filename: str = "image"
    width: int | None = None
    height: int | None = None


@dataclass(frozen=True)
class OutboundPost:
    """A new top-level post to publish on one account."""

    text: str
    media: tuple[MediaAttachment, ...] = ()
    language: str = ""     # BCP-47 code, e.g. "en"; "" lets the platform guess
    link: str | None = None  # a link to feature (Facebook's ``link``); may also be in the text


@dataclass(frozen=True)
class FoundPost:
    """One public post a keyword search found (for the mention monitor)."""

    platform: str
    remote_id: str
    author: Author
    text: str
    created_at: datetime
    url: str | None = None
    language: str = ""


@dataclass(frozen=True)
class SearchPage:
    """A page of search results, newest first, and the cursor for older ones."""

    posts: list[FoundPost]
    cursor: str | None = None


@dataclass(frozen=True)
class PublishResult:
    """What a platform returned for a reply or a post it accepted."""

    remote_id: str
    url: str | None
    published_at: datetime
    extra: dict[str, str] = field(default_factory=dict)


class AdapterError(Exception):
    """Base of every error an adapter raises."""

    def __init__(self, message: str, *, platform: str = "") -> None:
        super().__init__(message)
        self.platform = platform


class AuthError(AdapterError):
    """The credentials are missing, expired beyond refresh, or revoked.

    The account needs reconnecting; retrying will not help.
    """


class RateLimitedError(AdapterError):
    """The platform asked us to wait; retry no earlier than ``until`` (UTC)."""

    def __init__(self, message: str, *, until: datetime, platform: str = "") -> None:
        super().__init__(message, platform=platform)
        self.until = until


class PermanentError(AdapterError):
    """The request can never succeed as sent (invalid, forbidden, malformed reply)."""


class TransientError(AdapterError):
    """A network failure or a server error; retry later with backoff.

    ``maybe_sent`` is False only when the request certainly never reached the
    platform (the connection could not be opened): after a timeout or a server
    error a create may have happened, so a platform without idempotency keys
    must be looked at before the create is sent again."""

    def __init__(self, message: str, *, platform: str = "", maybe_sent: bool = True) -> None:
        super().__init__(message, platform=platform)
        self.maybe_sent = maybe_sent


class UnsupportedError(PermanentError):
    """The platform cannot do this at all (see :class:`Capabilities`)."""


class PlatformAdapter(abc.ABC):
    """One connected account on one platform. See the module docstring."""

    platform: str = ""
    capabilities: Capabilities = Capabilities()

    def __init__(self, account: AccountRef) -> None:
        self.account = account

    @abc.abstractmethod
    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        """Items received after ``cursor`` (``None``: from the start), oldest first."""

    @abc.abstractmethod
    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        """Reply to ``item`` in its thread (a DM gets a DM back)."""

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Publish ``post`` now; the result carries the public URL.

        ``idempotency_key`` is stable across retries of the same post. Where the
        platform cannot de-duplicate, the adapter looks for the post before it
        creates it again, or does not retry an ambiguous failure.
        """
        raise UnsupportedError(f"{self.platform} cannot publish through its API", platform=self.platform)

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """One of this account's own posts since ``since`` whose text is ``post``'s,
        or None: how a platform without idempotency keys tells whether a create
        whose answer was lost went through."""
        raise UnsupportedError(f"{self.platform} cannot look up its posts through its API", platform=self.platform)

    async def delete(self, remote_id: str) -> None:
        """Delete one of this account's own posts; deleting a deleted post is not an error."""
        raise UnsupportedError(f"{self.platform} cannot delete posts through its API", platform=self.platform)

    async def search(self, query: str, *, cursor: str | None = None, limit: int = 25) -> SearchPage:
        """Public posts matching ``query`` (keyword search), newest first."""
        raise UnsupportedError(f"{self.platform} offers no keyword search", platform=self.platform)

    async def aclose(self) -> None:
        """Release network resources; the default has none."""
