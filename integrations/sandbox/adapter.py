"""The sandbox adapter: a simulated platform that needs no configuration."""

from __future__ import annotations

import asyncio
import hashlib
import re
from collections.abc import Callable
from datetime import datetime, timedelta, timezone

from integrations.base import (
    AccountRef,
    AuthError,
    Capabilities,
    InboundItem,
    InboundPage,
    ItemKind,
    PermanentError,
    PlatformAdapter,
    PublishResult,
    RateLimitedError,
    TransientError,
)

from .accounts import PLATFORM, SANDBOX_EPOCH, SANDBOX_HOST, account_short
from .traffic import TrafficStream

#: Longest reply the sandbox accepts, in characters (code points).
REPLY_MAX_CHARS = 2000

_CURSOR = re.compile(r"n:(\d{1,12})")


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

    Failure injection (for tests and demos):

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
        publish=False,
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
    def _parse_cursor(cursor: str) -> int:
        m = _CURSOR.fullmatch(cursor) if isinstance(cursor, str) else None
        if m is None:
            raise PermanentError(
                f"malformed sandbox cursor {cursor!r}: expected 'n:<item number>' "
                "as returned by an earlier fetch_inbound",
                platform=PLATFORM,
            )
        return int(m.group(1))

    async def fetch_inbound(self, cursor: str | None, limit: int = 100) -> InboundPage:
        now = self._now()
        self._check_access(now)
        if not isinstance(limit, int) or limit < 1:
            raise PermanentError(f"limit must be a positive integer, got {limit!r}", platform=PLATFORM)
        start = self.first_item_number(now) if cursor is None else self._parse_cursor(cursor)
        arrived = self._stream.timeline.count_until(now)
        end = min(arrived, start + limit)
        items = self._stream.items(start, end - start) if end > start else []
        await asyncio.sleep(0)  # behave like I/O: let other tasks run
        return InboundPage(items=items, cursor=f"n:{max(start, end)}", has_more=arrived > end)

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
