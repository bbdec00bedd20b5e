"""A small XRPC client for one Bluesky account: session, requests, error mapping.

The HTTP status / XRPC error -> typed error mapping lives here for now; it
should move onto the shared ``integrations/http.py`` once that module exists.

Mapping (the body of an XRPC error is ``{"error": "<Name>", "message": "..."}``):

* 400 ``ExpiredToken`` / any 401 on an authenticated call: refresh the session
  (``refreshSession``) and retry once; if the refresh token is dead too, log in
  again with the app password once; if that fails -> :class:`AuthError`.
* 401 on ``createSession`` (wrong or revoked app password) -> :class:`AuthError`.
* 429 -> :class:`RateLimitedError` until ``RateLimit-Reset`` (epoch seconds),
  or one minute from now when the header is missing or malformed.
* 5xx, timeouts and network failures -> :class:`TransientError` (``maybe_sent``
  False only when the connection could not be opened).
* Other 4xx, malformed JSON, a body that is not an object -> :class:`PermanentError`.

Messages never contain a token or the app password: server messages are cut to
200 characters and every known secret is redacted from them.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import httpx

from integrations.base import (
    AuthError,
    PermanentError,
    RateLimitedError,
    TransientError,
)

PLATFORM = "bluesky"

#: Errors that mean "the access token is no longer good; refresh it".
_REFRESHABLE = {"ExpiredToken", "InvalidToken"}


@dataclass
class Session:
    access_jwt: str
    refresh_jwt: str
    did: str
    handle: str
    service: str  # base URL subsequent calls go to (the account's PDS)


@dataclass
class RateLimitState:
    """The last ``RateLimit-*`` headers seen (None when absent)."""

    limit: int | None = None
    remaining: int | None = None
    reset: datetime | None = None


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _pds_endpoint(did_doc: Any) -> str | None:
    """The ``#atproto_pds`` service endpoint of a DID document, if well-formed."""
    if not isinstance(did_doc, dict):
        return None
    services = did_doc.get("service")
    if not isinstance(services, list):
        return None
    for svc in services:
        if (isinstance(svc, dict) and isinstance(svc.get("id"), str)
                and svc["id"].endswith("#atproto_pds")):
            url = svc.get("serviceEndpoint")
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                return url.rstrip("/")
    return None


class XrpcClient:
    """Authenticated XRPC calls for one account, with one session kept."""

    def __init__(
        self,
        *,
        base_url: str,
        identifier: str,
        app_password: str,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] | None = None,
        follow_pds: bool = True,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self._identifier = identifier
        self._password = app_password
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=30.0)
        self._clock = clock or _utc_now
        self._follow_pds = follow_pds
        self.session: Session | None = None
        self.rate_limit = RateLimitState()
        self._session_lock = asyncio.Lock()  # one login/refresh at a time

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()

    # -- secrets-safe messages ---------------------------------------------

    def _redact(self, text: str) -> str:
        secrets = [self._password]
        if self.session is not None:
            secrets += [self.session.access_jwt, self.session.refresh_jwt]
        for secret in secrets:
            if secret:
                text = text.replace(secret, "[redacted]")
        return text

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the clock must return timezone-aware datetimes")
        return now.astimezone(timezone.utc)

    # -- session -----------------------------------------------------------

    def _adopt_session(self, body: dict[str, Any], nsid: str) -> Session:
        fields = {k: body.get(k) for k in ("accessJwt", "refreshJwt", "did", "handle")}
        missing = sorted(k for k, v in fields.items() if not isinstance(v, str) or not v)
        if missing:
            raise PermanentError(
                f"{nsid} response lacks {', '.join(missing)}", platform=PLATFORM)
        service = self.base_url
        if self._follow_pds:
            service = _pds_endpoint(body.get("didDoc")) or service
        self.session = Session(
            access_jwt=fields["accessJwt"], refresh_jwt=fields["refreshJwt"],
            did=fields["did"], handle=fields["handle"], service=service)
        return self.session

    async def login(self) -> Session:
        """``createSession`` with the app password."""
        nsid = "com.atproto.server.createSession"
        try:
            body = await self._send(
                "POST", self.base_url, nsid, token=None,
                json_body={"identifier": self._identifier, "password": self._password})
        except _XrpcFailure as failure:
            if failure.status in (400, 401):
                raise AuthError(
                    f"Bluesky login failed for {self._identifier!r} "
                    f"({failure.error or failure.status}); the app password is wrong "
                    "or was revoked: reconnect the account", platform=PLATFORM) from None
            raise failure.typed() from None
        return self._adopt_session(body, nsid)

    async def refresh(self) -> Session:
        """``refreshSession``; falls back to a fresh login when the refresh token is dead."""
        assert self.session is not None
        nsid = "com.atproto.server.refreshSession"
        try:
            body = await self._send(
                "POST", self.session.service, nsid, token=self.session.refresh_jwt)
        except _XrpcFailure as failure:
            if failure.status in (400, 401):
                return await self.login()
            raise failure.typed() from None
        return self._adopt_session(body, nsid)

    async def ensure_session(self) -> Session:
        if self.session is not None:
            return self.session
        async with self._session_lock:
            return self.session or await self.login()

    async def _refresh_after_failure(self, used_access: str) -> Session:
        """Refresh unless a concurrent call already did (refresh tokens rotate)."""
        async with self._session_lock:
            if self.session is not None and self.session.access_jwt != used_access:
                return self.session
            return await self.refresh()

    # -- calls -------------------------------------------------------------

    async def call(
        self,
        method: str,
        nsid: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
    ) -> dict[str, Any]:
        """One authenticated call; refreshes the session once on an expired token.

        ``content`` sends raw bytes (``uploadBlob``) with ``content_type``.
        """
        session = await self.ensure_session()
        try:
            return await self._send(method, session.service, nsid, token=session.access_jwt,
                                    params=params, json_body=json_body, content=content,
                                    content_type=content_type)
        except _XrpcFailure as failure:
            if not (failure.status == 401 or failure.error in _REFRESHABLE):
                raise failure.typed() from None
        session = await self._refresh_after_failure(session.access_jwt)
        try:
            return await self._send(method, session.service, nsid, token=session.access_jwt,
                                    params=params, json_body=json_body, content=content,
                                    content_type=content_type)
        except _XrpcFailure as failure:
            if failure.status == 401 or failure.error in _REFRESHABLE:
                raise AuthError(
                    f"Bluesky rejected a fresh session for {nsid} ({failure.error or 401}); "
                    "reconnect the account", platform=PLATFORM) from None
            raise failure.typed() from None

    async def _send(
        self,
        method: str,
        service: str,
        nsid: str,
        *,
        token: str | None,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
        content: bytes | None = None,
        content_type: str = "",
    ) -> dict[str, Any]:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if content is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
        try:
            response = await self._client.request(
                method, f"{service}/xrpc/{nsid}", params=params, json=json_body,
                content=content, headers=headers)
        except (httpx.ConnectError, httpx.ConnectTimeout) as exc:
            # The connection never opened: the request certainly did not reach the PDS.
            raise TransientError(f"Bluesky {nsid} failed: could not connect ({type(exc).__name__})",
                                 platform=PLATFORM, maybe_sent=False) from None
        except httpx.TimeoutException:
            raise TransientError(f"Bluesky {nsid} timed out", platform=PLATFORM) from None
        except httpx.HTTPError as exc:
            raise TransientError(
                f"Bluesky {nsid} failed: network error ({type(exc).__name__})",
                platform=PLATFORM) from None
        self._note_rate_limit(response.headers)
        if response.status_code >= 400:
            raise self._failure(nsid, response)
        try:
            body = response.json()
        except (json.JSONDecodeError, UnicodeDecodeError, ValueError):
            raise PermanentError(f"Bluesky {nsid} returned malformed JSON",
                                 platform=PLATFORM) from None
        if not isinstance(body, dict):
            raise PermanentError(
                f"Bluesky {nsid} returned a JSON {type(body).__name__}, not an object",
                platform=PLATFORM)
        return body

    def _note_rate_limit(self, headers: httpx.Headers) -> None:
        def as_int(name: str) -> int | None:
            raw = headers.get(name)
            try:
                return int(raw) if raw is not None else None
            except ValueError:
                return None
        reset = as_int("ratelimit-reset")
        self.rate_limit = RateLimitState(
            limit=as_int("ratelimit-limit"),
            remaining=as_int("ratelimit-remaining"),
            reset=_epoch(reset),
        )

    def _failure(self, nsid: str, response: httpx.Response) -> _XrpcFailure:
        error, message = "", ""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict):
            if isinstance(body.get("error"), str):
                error = body["error"][:80]
            if isinstance(body.get("message"), str):
                message = body["message"][:200]
        until = None
        if response.status_code == 429:
            until = self.rate_limit.reset
            now = self._now()
            if until is None or until <= now:
                until = now + timedelta(seconds=60)
        return _XrpcFailure(nsid, response.status_code, self._redact(error),
                            self._redact(message), until)


def _epoch(seconds: int | None) -> datetime | None:
    if seconds is None:
        return None
    try:
        return datetime.fromtimestamp(seconds, timezone.utc)
    except (OverflowError, OSError, ValueError):
        return None


class _XrpcFailure(Exception):
    """An HTTP error answer, before it is mapped to a typed adapter error."""

    def __init__(self, nsid: str, status: int, error: str, message: str,
                 until: datetime | None) -> None:
        super().__init__(nsid)
        self.nsid, self.status, self.error, self.message = nsid, status, error, message
        self.until = until

    def describe(self) -> str:
        detail = ": ".join(p for p in (self.error, self.message) if p)
        return f"Bluesky {self.nsid} answered HTTP {self.status}" + (f" ({detail})" if detail else "")

    def typed(self) -> Exception:
        err = self._typed()
        err.xrpc_error = self.error  # type: ignore[attr-defined]
        err.status = self.status  # type: ignore[attr-defined]
        return err

    def _typed(self) -> Exception:
        if self.status == 429:
            assert self.until is not None
            return RateLimitedError(
                f"{self.describe()}; retry after {self.until.isoformat()}",
                until=self.until, platform=PLATFORM)
        if self.status >= 500:
            return TransientError(self.describe(), platform=PLATFORM)
        if self.status == 401:
            return AuthError(self.describe(), platform=PLATFORM)
        return PermanentError(self.describe(), platform=PLATFORM)
