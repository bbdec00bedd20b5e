"""The HTTP piece every httpx adapter shares.

:class:`HttpTransport` sends one request through an injected
``httpx.AsyncClient`` and turns the outcome into JSON or a typed error of
:mod:`integrations.base`:

* 401, and 403 whose body speaks of tokens/auth -> :class:`AuthError`
* 429 -> wait until the reset (plus jitter) when that is short, else
  :class:`RateLimitedError` with ``until`` from the platform's headers
* 5xx, network errors and timeouts -> retried with exponential backoff and
  full jitter, then :class:`TransientError`
* other 4xx (and 403 without auth meaning) -> :class:`PermanentError` naming
  the status and the platform's error message
* a body that is not JSON -> ``PermanentError("malformed response from ...")``

Messages never contain the token or the ``Authorization`` header: they are
built only from the status, the platform name, the method, the path and the
platform's ``error``/``message`` field (which is also scrubbed of the token).

Rate-limit headers (``X-RateLimit-*``, ``RateLimit-*``, ``x-rate-limit-*``)
are read from every response into :attr:`HttpTransport.rate_limit`; before a
request, when the remaining budget is below ``slowdown_fraction`` of the
limit, the transport spreads the remaining requests over the time left until
the reset (at most ``max_wait`` seconds per request).
"""

from __future__ import annotations

import asyncio
import contextlib
import random as _random
from collections.abc import Awaitable, Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from integrations.base import (
    AdapterError,
    AuthError,
    PermanentError,
    RateLimitedError,
    TransientError,
)

Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], datetime]
#: A platform's own reading of a failed response (status >= 400), for platforms
#: whose status codes do not say what went wrong (Meta sends throttles as 400
#: and decides by ``error.code``; LinkedIn's daily throttle lasts until 00:00
#: UTC). It gets the response, the request's description ("meta GET /me") and
#: the time now, and returns the typed error to raise or ``None`` for the
#: default mapping. A returned :class:`TransientError` is retried like a 5xx.
Classify = Callable[[httpx.Response, str, datetime], "AdapterError | None"]

_AUTH_WORDS = ("token", "auth", "credential", "login", "scope", "unauthori", "expired")


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass(frozen=True)
class RateLimit:
    """The platform's last reported budget; any field may be unknown."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None


@dataclass(frozen=True)
class Response:
    """A successful response: parsed JSON plus what callers need from headers."""

    status: int
    data: Any
    headers: httpx.Headers

    def link(self, rel: str) -> str | None:
        """The URL of the ``Link`` header entry with ``rel`` (RFC 8288), if any."""
        return parse_link_header(self.headers.get("link", "")).get(rel)


def encode_multipart(fields: Mapping[str, str], files: Mapping[str, tuple[str, bytes, str]]
                     ) -> tuple[bytes, str]:
    """A ``multipart/form-data`` body and its ``Content-Type`` (with the boundary),
    encoded by httpx, for :meth:`HttpTransport.request`'s ``content``. ``files``
    maps a field name to ``(filename, bytes, mime type)``."""
    request = httpx.Request("POST", "http://multipart.invalid/", data=dict(fields), files=dict(files))
    return request.read(), request.headers["Content-Type"]


@contextlib.contextmanager
def before_the_create() -> Iterator[None]:
    """Wrap the steps a publish takes before its create request (uploads, a
    carousel's containers, a token refresh): a transient failure there means
    the post itself was never sent, so it is raised with ``maybe_sent=False``
    and the caller may simply try again later, without looking for the post."""
    try:
        yield
    except TransientError as error:
        if not error.maybe_sent:
            raise
        raise TransientError(str(error), platform=error.platform, maybe_sent=False) from None


def parse_link_header(value: str) -> dict[str, str]:
    """``<url>; rel="next", <url>; rel="prev"`` -> ``{"next": url, "prev": url}``."""
    links: dict[str, str] = {}
    for part in value.split(","):
        part = part.strip()
        if not part.startswith("<") or ">" not in part:
            continue
        url, _, params = part[1:].partition(">")
        for param in params.split(";"):
            key, _, val = param.strip().partition("=")
            if key.strip().lower() == "rel":
                for rel in val.strip().strip('"').split():
                    links.setdefault(rel.lower(), url.strip())
    return links


def _int(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        try:
            return int(float(value.strip()))
        except (ValueError, OverflowError):
            return None


def parse_reset(value: str | None, now: datetime) -> datetime | None:
    """A reset header as aware UTC: ISO 8601 time, epoch seconds, or a delta.

    Numbers above 10^9 are epoch seconds (Bluesky, X); smaller ones are seconds
    from now. Anything else is tried as ISO 8601 (Mastodon) and then as an
    HTTP date (``Retry-After``).
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if number != number or number in (float("inf"), float("-inf")):
            return None
        if number > 1e9:
            try:
                return datetime.fromtimestamp(number, timezone.utc)
            except (OverflowError, OSError, ValueError):
                return None
        return now + timedelta(seconds=max(0.0, min(number, 10**8)))
    try:
        iso = value.replace("Z", "+00:00")
        when = datetime.fromisoformat(iso)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    return when.astimezone(timezone.utc)


def read_rate_limit(headers: Mapping[str, str], now: datetime) -> RateLimit | None:
    """Rate-limit headers in any of the common spellings, or ``None``."""
    h = {k.lower(): v for k, v in headers.items()}
    for prefix in ("x-ratelimit-", "ratelimit-", "x-rate-limit-"):
        if any(k.startswith(prefix) for k in h):
            return RateLimit(
                limit=_int(h.get(prefix + "limit")),
                remaining=_int(h.get(prefix + "remaining")),
                reset=parse_reset(h.get(prefix + "reset"), now),
            )
    return None


class HttpTransport:
    """Sends requests for one platform account; see the module docstring."""

    def __init__(
        self,
        platform: str,
        client: httpx.AsyncClient,
        *,
        token: str = "",
        max_attempts: int = 4,
        backoff_base: float = 1.0,
        backoff_cap: float = 60.0,
        max_wait: float = 60.0,
        slowdown_fraction: float = 0.05,
        sleep: Sleep = asyncio.sleep,
        rand: Callable[[], float] = _random.random,
        clock: Clock = _utc_now,
        classify: Classify | None = None,
    ) -> None:
        self.platform = platform
        self.classify = classify
        self.client = client
        self._token = token
        self.max_attempts = max(1, max_attempts)
        self.backoff_base = backoff_base
        self.backoff_cap = backoff_cap
        self.max_wait = max_wait
        self.slowdown_fraction = slowdown_fraction
        self._sleep = sleep
        self._rand = rand
        self._clock = clock
        self.rate_limit: RateLimit | None = None

    # -- helpers ---------------------------------------------------------

    def set_token(self, token: str) -> None:
        """Use a new bearer token from now on (after a refresh)."""
        self._token = token

    def error_message(self, response: httpx.Response) -> str:
        """The platform's error text of a failed response, scrubbed of the token."""
        return self._error_message(response)

    def _scrub(self, text: str) -> str:
        if self._token and self._token in text:
            text = text.replace(self._token, "[redacted]")
        return text[:300]

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [0, min(cap, base * 2**attempt))."""
        ceiling = min(self.backoff_cap, self.backoff_base * (2 ** min(attempt, 30)))
        return self._rand() * ceiling

    def _error_message(self, response: httpx.Response) -> str:
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError, RecursionError):
            return ""
        parts: list[str] = []
        if isinstance(body, dict):
            for key in ("error", "message", "error_description", "detail", "title"):
                value = body.get(key)
                if isinstance(value, str) and value and value not in parts:
                    parts.append(value)
                elif isinstance(value, dict) and isinstance(value.get("message"), str):
                    parts.append(value["message"])
        return self._scrub(": ".join(parts))

    def _describe(self, method: str, url: httpx.URL | str) -> str:
        path = httpx.URL(str(url)).path
        return f"{self.platform} {method} {path}"

    async def _pace(self) -> None:
        """Slow down before the limit: spread what remains until the reset."""
        rl = self.rate_limit
        if rl is None or rl.remaining is None or rl.limit is None or rl.reset is None:
            return
        if rl.limit <= 0 or rl.remaining > rl.limit * self.slowdown_fraction:
            return
        left = (rl.reset - self._clock()).total_seconds()
        if left <= 0:
            return
        delay = left / max(1, rl.remaining)
        await self._sleep(min(delay, self.max_wait))

    # -- the request -----------------------------------------------------

    async def request(
        self,
        method: str,
        url: str,
        *,
        params: Any = None,
        json_body: Any = None,
        data: Any = None,
        content: bytes | None = None,
        headers: Mapping[str, str] | None = None,
        expect_json: bool = True,
        retry_transient: bool = True,
    ) -> Response:
        """Send, retrying transient failures; return JSON or raise a typed error.

        ``content`` sends raw bytes (an image upload, a multipart body built
        with its own ``Content-Type`` header).

        ``retry_transient=False`` is for creates the platform cannot de-duplicate
        (no idempotency key): a 5xx or a timeout is raised at once as
        :class:`TransientError`, and the caller checks before trying again.
        """
        max_attempts = self.max_attempts if retry_transient else 1
        all_headers = dict(headers or {})
        if self._token:
            all_headers.setdefault("Authorization", f"Bearer {self._token}")
        what = self._describe(method, url)
        attempt = 0
        while True:
            await self._pace()
            try:
                response = await self.client.request(
                    method, url, params=params, json=json_body, data=data, content=content,
                    headers=all_headers,
                )
            except httpx.TransportError as exc:  # includes timeouts
                attempt += 1
                if attempt >= max_attempts:
                    # A connection never opened sent nothing; anything later may have.
                    raise TransientError(
                        f"{what}: network error ({type(exc).__name__})",
                        platform=self.platform,
                        maybe_sent=not isinstance(exc, (httpx.ConnectError, httpx.ConnectTimeout)),
                    ) from None
                await self._sleep(self.backoff(attempt - 1))
                continue
            now = self._clock()
            rl = read_rate_limit(response.headers, now)
            if rl is not None:
                self.rate_limit = rl
            status = response.status_code
            if status >= 400 and self.classify is not None:
                typed = self.classify(response, what, now)
                if isinstance(typed, TransientError):
                    attempt += 1
                    if attempt >= max_attempts:
                        raise typed
                    await self._sleep(self.backoff(attempt - 1))
                    continue
                if typed is not None:
                    raise typed
            if status == 429:
                until = parse_reset(response.headers.get("retry-after"), now)
                if until is None and rl is not None:
                    until = rl.reset
                wait = (until - now).total_seconds() if until else None
                attempt += 1
                if wait is not None and wait <= self.max_wait and attempt < self.max_attempts:
                    jitter = self._rand() * min(1.0 + wait * 0.1, self.max_wait)
                    await self._sleep(max(0.0, wait) + jitter)
                    continue
                if until is None:
                    until = now + timedelta(seconds=self.backoff_cap)
                raise RateLimitedError(
                    f"{what}: rate limited (429) until {until.isoformat()}",
                    until=until,
                    platform=self.platform,
                )
            if status >= 500:
                attempt += 1
                if attempt >= max_attempts:
                    msg = self._error_message(response)
                    raise TransientError(
                        f"{what}: server error {status}" + (f": {msg}" if msg else ""),
                        platform=self.platform,
                    )
                await self._sleep(self.backoff(attempt - 1))
                continue
            if status >= 400:
                msg = self._error_message(response)
                text = f"{what}: HTTP {status}" + (f": {msg}" if msg else "")
                if status == 401 or (
                    status == 403 and any(w in msg.lower() for w in _AUTH_WORDS)
                ):
                    raise AuthError(text, platform=self.platform)
                raise PermanentError(text, platform=self.platform)
            if not expect_json or status == 204 or not response.content:
                return Response(status, None, response.headers)
            try:
                body = response.json()
            except (ValueError, UnicodeDecodeError, RecursionError) as exc:
                raise PermanentError(
                    f"malformed response from {self.platform}: "
                    f"{method} {httpx.URL(str(url)).path} is not JSON ({type(exc).__name__})",
                    platform=self.platform,
                ) from None
            return Response(status, body, response.headers)
