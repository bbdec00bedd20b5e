"""The sandbox adapter: a simulated platform that needs no configuration."""

from __future__ import annotations

import asyncio
import hashlib
import os
import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

from integrations.base import (
    AccountRef,
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
    TransientError,
)
from integrations.fields import comparable_text

from .accounts import PLATFORM, SANDBOX_EPOCH, SANDBOX_HOST, account_short
from .faults import (CONNECT_ERROR, CRASH_AFTER_SEND, RATE_LIMIT, SERVER_ERROR, SLOW, TIMEOUT_AFTER_SEND,
                     FaultScript, SandboxFaults)
from .platform import SandboxPlatform, SandboxPost
from .replies import REPLY_WINDOW, replies_to
from .traffic import TrafficStream

#: Longest reply the sandbox accepts, in characters (code points).
REPLY_MAX_CHARS = 2000
#: Longest post, and most images on one post, the sandbox accepts.
POST_MAX_CHARS = 5000
POST_MAX_IMAGES = 4

# "n:<next item>" and, since posts draw comments, ";p:<µs>": every comment on our
# posts created up to that moment was handed out.
_CURSOR = re.compile(r"n:(\d{1,12})(?:;p:(\d{1,20}))?")
_EPOCH0 = datetime(1970, 1, 1, tzinfo=timezone.utc)


def _crash() -> None:
    """What ``crash_after_send`` does: end the process at once, as ``kill -9`` would."""
    os._exit(137)


def _micros(moment: datetime) -> int:
    delta = moment - _EPOCH0
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def default_history_start(now: datetime) -> datetime:
    """Midnight UTC of the day before ``now``: where a first fetch starts."""
    day = now.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    return day - timedelta(days=1)


class SandboxAdapter(PlatformAdapter):
    """One sandbox account: deterministic simulated traffic, accepted replies.

    Traffic: item ``n`` is a pure function of ``(seed, account_id, n)`` and
    arrives at ``epoch`` plus deterministic gaps averaging ``rate_per_hour``;
    :meth:`fetch_inbound` returns only items that have arrived by ``clock()``.

    ``epoch`` is the origin of the item timeline (when item 0 arrives, give or
    take a gap). By default it is the fixed :data:`SANDBOX_EPOCH`, so item
    numbers, remote ids and cursors mean the same thing on every run and every
    day. A first fetch (``cursor=None``) starts at the first item that arrived
    at or after ``history_start`` (default: midnight UTC of yesterday, per
    ``clock()``), or at item 0 if the timeline starts later: like a platform
    that keeps recent history only. At 40/h that backlog is 960 to 1,920 items
    per account. Older items can still be parents of follow-ups; :meth:`history`
    returns them for seeding.

    Publishing: :meth:`publish` stores the post on the sandbox platform
    (:class:`SandboxPlatform`: in ``platform_dir``, shared by every process, or
    in memory without one), keyed by the idempotency key: a create with a key
    already used returns the post it made. ``idempotent=False`` makes the
    platform behave like one without keys (a second post). Each post draws a
    handful of comments over the next ten minutes (``replies.py``), which
    :meth:`fetch_inbound` hands out through the same cursor as the rest.

    Failure injection (for tests and demos):

    * ``faults``: a :class:`SandboxFaults` plan (chances of a timeout after
      sending, a 5xx, a connect error, a rate limit, a slow answer, a crash
      after sending; see ``faults.py``), or a script ``(key, attempt) -> fault``.
      By default the plan in ``SOCOPS_SANDBOX_FAULTS`` (none when unset).
    * ``fail_replies_matching="boom"``: any reply whose text contains "boom"
      raises :class:`TransientError` (every time; nothing is posted).
    * ``revoked=True`` or :meth:`revoke`: every call raises :class:`AuthError`,
      as after the user revoked the app's token; :meth:`restore` undoes it.
    * ``rate_limited_until=t``: every call before ``clock()`` reaches ``t``
      raises :class:`RateLimitedError` with ``until=t``.
    """

    platform = PLATFORM
    capabilities = Capabilities(
        inbound_comments=True,
        inbound_mentions=True,
        direct_messages=True,
        reply=True,
        publish=True,
        delete=True,
        media=True,
        idempotent_publish=True,
        find_published=True,
    )

    def __init__(
        self,
        account: AccountRef,
        *,
        seed: int = 7,
        clock: Callable[[], datetime] | None = None,
        epoch: datetime | None = None,
        rate_per_hour: float = 40.0,
        history_start: datetime | None = None,
        fail_replies_matching: str | None = None,
        revoked: bool = False,
        rate_limited_until: datetime | None = None,
        platform_dir: Path | None = None,
        faults: SandboxFaults | FaultScript | None = None,
        idempotent: bool | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        crash: Callable[[], None] = _crash,
    ) -> None:
        if account.platform != PLATFORM:
            raise ValueError(f"SandboxAdapter needs a {PLATFORM!r} account, got {account.platform!r}")
        for name, value in (("epoch", epoch), ("history_start", history_start),
                            ("rate_limited_until", rate_limited_until)):
            if value is not None and value.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        super().__init__(account)
        self.seed = seed
        self.epoch = (epoch or SANDBOX_EPOCH).astimezone(timezone.utc)
        self.rate_per_hour = rate_per_hour
        self._clock = clock or _utc_now
        self._history_start = history_start
        self._stream = TrafficStream(account, seed, self.epoch, rate_per_hour)
        self._short = account_short(account)
        self._fail_replies_matching = fail_replies_matching or None
        self._revoked = revoked
        self._rate_limited_until = rate_limited_until
        # idempotency_key -> (what was asked, what we answered)
        self._replies: dict[str, tuple[tuple[str, str], PublishResult]] = {}
        #: The platform's memory of published posts (shared through ``platform_dir``).
        self.platform_state = SandboxPlatform(platform_dir)
        self.faults = SandboxFaults.from_environment() if faults is None else faults
        plan = self.faults if isinstance(self.faults, SandboxFaults) else None
        self.idempotent = idempotent if idempotent is not None else (plan.idempotent if plan else True)
        if not self.idempotent:
            self.capabilities = replace(self.capabilities, idempotent_publish=False)
        self._sleep = sleep
        self._crash = crash

    # -- failure injection -------------------------------------------------

    def revoke(self) -> None:
        """Simulate the user revoking the token: every call raises AuthError."""
        self._revoked = True

    def restore(self) -> None:
        """Undo :meth:`revoke` (as if the account was reconnected)."""
        self._revoked = False

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the sandbox clock must return timezone-aware datetimes")
        return now.astimezone(timezone.utc)

    def _check_access(self, now: datetime) -> None:
        if self._revoked:
            raise AuthError(
                f"the sandbox token for {self.account.handle} was revoked (simulated); "
                "reconnect the account",
                platform=PLATFORM,
            )
        until = self._rate_limited_until
        if until is not None and now < until:
            raise RateLimitedError(
                f"sandbox rate limit (simulated); retry after {until.isoformat()}",
                until=until, platform=PLATFORM,
            )

    # -- inbound -----------------------------------------------------------

    def first_item_number(self, now: datetime | None = None) -> int:
        """The item a fetch with ``cursor=None`` starts at."""
        now = self._now() if now is None else now
        start = self._history_start or default_history_start(now)
        if start <= self.epoch:
            return 0
        return self._stream.timeline.count_until(start - timedelta(microseconds=1))

    def arrived_count(self, now: datetime | None = None) -> int:
        """How many items (numbers 0 .. result-1) have arrived by ``now``."""
        return self._stream.timeline.count_until(self._now() if now is None else now)

    def history(self, count: int, now: datetime | None = None) -> list[InboundItem]:
        """The ``count`` items that arrived just before a first fetch starts.

        Older history of the same timeline, oldest first: seeding it (``socops
        sandbox seed``) gives a busy inbox whose threads, remote ids and times
        join up with what :meth:`fetch_inbound` returns next, with no overlap.
        """
        first = self.first_item_number(now)
        start = max(0, first - count)
        return self._stream.items(start, first - start)

    @staticmethod
    def _parse_cursor(cursor: str) -> tuple[int, datetime | None]:
        """``(next item number, comments handed out up to)``; None: none handed out yet."""
        m = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
        if m is None:
            raise PermanentError(
                f"malformed sandbox cursor {cursor!r}: expected 'n:<item number>' "
                "as returned by an earlier fetch_inbound",
                platform=PLATFORM,
            )
        try:
            since = _EPOCH0 + timedelta(microseconds=int(m.group(2))) if m.group(2) else None
        except OverflowError:
            raise PermanentError(f"malformed sandbox cursor {cursor!r}: its time is out of range",
                                 platform=PLATFORM) from None
        return int(m.group(1)), since

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        """The items that arrived after ``cursor``, and the comments our published
        posts drew meanwhile, merged oldest first.

        The cursor is ``n:<next item>``, plus ``;p:<µs>`` once the account has
        published posts: every comment on them created up to that moment was
        handed out (a comment cut by ``limit`` lowers it, so it comes next time)."""
        now = self._now()
        self._check_access(now)
        if not isinstance(limit, int) or limit < 1:
            raise PermanentError(f"limit must be a positive integer, got {limit!r}", platform=PLATFORM)
        if cursor is None:
            start = self.first_item_number(now)
            since: datetime | None = self._history_start or default_history_start(now)
        else:
            start, since = self._parse_cursor(cursor)
        arrived = self._stream.timeline.count_until(now)
        end = min(arrived, start + limit)
        items = self._stream.items(start, end - start) if end > start else []
        posts = self.platform_state.posts(self.account.account_id)
        await asyncio.sleep(0)  # behave like I/O: let other tasks run
        if not posts:
            return InboundPage(items=items, cursor=f"n:{max(start, end)}", has_more=arrived > end)
        comments = self._comments_between(posts, since, now)
        merged = sorted([(i.created_at, i.remote_id, False, i) for i in items]
                        + [(c.created_at, c.remote_id, True, c) for c in comments])
        # A comment kept here pushed out an item of this page, so it is older than every
        # item not read yet: pages stay in time order one after the other.
        kept, left = merged[:limit], merged[limit:]
        next_item = start + sum(1 for _t, _r, comment, _i in kept if not comment)
        waiting = [at for at, _r, comment, _i in left if comment]
        # Every comment up to the mark was handed out; one cut by the limit sets it just before itself.
        mark = min(waiting) - timedelta(microseconds=1) if waiting else now
        if since is not None:
            mark = max(mark, since)
        return InboundPage(items=[item for *_rest, item in kept],
                           cursor=f"n:{max(start, next_item)};p:{_micros(mark)}",
                           has_more=arrived > next_item or bool(waiting))

    def _comments_between(self, posts: list[SandboxPost], since: datetime | None,
                          now: datetime) -> list[InboundItem]:
        """The comments our posts drew after ``since`` (None: ever) up to ``now``."""
        found = []
        for post in posts:
            if since is not None and post.published_at + REPLY_WINDOW < since:
                continue                # all its comments came before the mark
            found += [c for c in replies_to(post, self.account, self._stream, self.seed)
                      if (since is None or c.created_at > since) and c.created_at <= now]
        return found

    # -- replies -----------------------------------------------------------

    async def send_reply(
        self, item: InboundItem, text: str, *, idempotency_key: str
    ) -> PublishResult:
        now = self._now()
        self._check_access(now)
        if not isinstance(idempotency_key, str) or not idempotency_key:
            raise PermanentError("idempotency_key must be a non-empty string", platform=PLATFORM)
        request = (item.remote_id, text)
        done = self._replies.get(idempotency_key)
        if done is not None:
            if done[0] != request:
                raise PermanentError(
                    "idempotency_key was already used for a different reply "
                    f"(to {done[0][0]}); use a new key for a new reply",
                    platform=PLATFORM,
                )
            return done[1]
        if item.platform != PLATFORM or item.account_id != self.account.account_id:
            raise PermanentError(
                f"item {item.remote_id} belongs to {item.account_id}, "
                f"not {self.account.account_id}",
                platform=PLATFORM,
            )
        if not isinstance(text, str) or not text.strip():
            raise PermanentError("reply text is empty", platform=PLATFORM)
        if len(text) > REPLY_MAX_CHARS:
            raise PermanentError(
                f"reply is {len(text):,} characters; the sandbox limit is "
                f"{REPLY_MAX_CHARS:,} characters",
                platform=PLATFORM,
            )
        needle = self._fail_replies_matching
        if needle is not None and needle in text:
            raise TransientError(
                "sandbox server error (simulated failure for replies containing "
                f"{needle!r}); retry later",
                platform=PLATFORM,
            )
        digest = hashlib.sha256(f"{self.account.account_id}\n{idempotency_key}".encode()).hexdigest()
        remote_id = f"{self._short}-reply-{digest[:16]}"
        if item.kind is ItemKind.DM:
            url = f"{SANDBOX_HOST}/messages/{item.thread_id}#{remote_id}"
        else:
            url = f"{SANDBOX_HOST}/{self.account.handle.lstrip('@')}/status/{remote_id}"
        result = PublishResult(
            remote_id=remote_id,
            url=url,
            published_at=now,
            extra={
                "in_reply_to": item.remote_id,
                "thread_id": item.thread_id,
                "kind": "dm" if item.kind is ItemKind.DM else "reply",
            },
        )
        self._replies[idempotency_key] = (request, result)
        await asyncio.sleep(0)
        return result

    @property
    def sent_replies(self) -> dict[str, PublishResult]:
        """Replies accepted so far, by idempotency key (a copy; for tests and demos)."""
        return {key: result for key, (_, result) in self._replies.items()}

    # -- posts -------------------------------------------------------------

    def _fault(self, key: str, attempt: int) -> str | None:
        if isinstance(self.faults, SandboxFaults):
            return self.faults.draw(self.account.account_id, key, attempt)
        return self.faults(key, attempt)

    @property
    def _injecting(self) -> bool:
        return not isinstance(self.faults, SandboxFaults) or self.faults.active

    async def publish(self, post: OutboundPost, *, idempotency_key: str) -> PublishResult:
        """Store ``post`` on the sandbox platform; a key already used returns its post
        (unless the platform plays one without idempotency). Faults, when injected,
        happen here: see ``faults.py``."""
        now = self._now()
        self._check_access(now)
        if not isinstance(idempotency_key, str) or not idempotency_key:
            raise PermanentError("idempotency_key must be a non-empty string", platform=PLATFORM)
        if not post.text.strip() and not post.media:
            raise PermanentError("the post is empty: give it text or an image", platform=PLATFORM)
        if len(post.text) > POST_MAX_CHARS:
            raise PermanentError(f"the post is {len(post.text):,} characters; the sandbox allows "
                                 f"{POST_MAX_CHARS:,}", platform=PLATFORM)
        if len(post.media) > POST_MAX_IMAGES:
            raise PermanentError(f"the post has {len(post.media)} images; the sandbox allows {POST_MAX_IMAGES}",
                                 platform=PLATFORM)
        account_id = self.account.account_id
        attempt = await asyncio.to_thread(self.platform_state.record_attempt, account_id, idempotency_key) \
            if self._injecting else 1
        fault = self._fault(idempotency_key, attempt)
        plan = self.faults if isinstance(self.faults, SandboxFaults) else None
        if fault == CONNECT_ERROR:
            raise TransientError("sandbox: could not connect (simulated); nothing was sent",
                                 platform=PLATFORM, maybe_sent=False)
        if fault == RATE_LIMIT:
            until = now + timedelta(seconds=plan.rate_limit_seconds if plan else 5.0)
            raise RateLimitedError(f"sandbox rate limit (simulated); retry after {until.isoformat()}",
                                   until=until, platform=PLATFORM)
        if fault == SERVER_ERROR:
            raise TransientError("sandbox answered HTTP 503 (simulated); the post may or may not exist",
                                 platform=PLATFORM, maybe_sent=True)
        stored, _made = await asyncio.to_thread(
            self.platform_state.create, account_id, idempotency_key, post.text, now, handle=self.account.handle,
            language=post.language or self.account.language, alt_texts=tuple(m.alt_text for m in post.media),
            idempotent=self.idempotent)
        if fault == SLOW:
            await self._sleep(plan.slow_seconds if plan else 2.0)
        elif fault == TIMEOUT_AFTER_SEND:
            raise TransientError("sandbox timed out after the request was sent (simulated); the post may "
                                 "exist", platform=PLATFORM, maybe_sent=True)
        elif fault == CRASH_AFTER_SEND:
            self._crash()
        return self._result(stored)

    def _result(self, stored: SandboxPost, **extra: str) -> PublishResult:
        return PublishResult(remote_id=stored.remote_id, url=stored.url, published_at=stored.published_at,
                             extra={"key": stored.key, **extra})

    async def find_published(self, post: OutboundPost, *, since: datetime) -> PublishResult | None:
        """This account's oldest post since ``since`` whose text is ``post.text``
        (whitespace normalised), not deleted."""
        now = self._now()
        self._check_access(now)
        want = comparable_text(post.text)
        if not want:
            return None
        stored = await asyncio.to_thread(self.platform_state.posts, self.account.account_id)
        found = next((p for p in stored if p.deleted_at is None and p.published_at >= since
                      and comparable_text(p.text) == want), None)
        return self._result(found, recovered="true") if found is not None else None

    async def delete(self, remote_id: str) -> None:
        """Delete one of this account's posts; deleting it again is fine."""
        now = self._now()
        self._check_access(now)
        existing = await asyncio.to_thread(self.platform_state.post, remote_id)
        if existing is None:
            raise PermanentError(f"no sandbox post {remote_id!r}", platform=PLATFORM)
        if existing.account_id != self.account.account_id:
            raise PermanentError(f"{remote_id} belongs to {existing.account_id}; only this account's own "
                                 "posts can be deleted", platform=PLATFORM)
        await asyncio.to_thread(self.platform_state.delete, remote_id, now)

    @property
    def published_posts(self) -> list[SandboxPost]:
        """This account's posts on the platform, oldest first (for tests and demos)."""
        return self.platform_state.posts(self.account.account_id)
