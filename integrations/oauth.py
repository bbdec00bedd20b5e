"""OAuth 2 authorization code flow (with PKCE) for X, LinkedIn and Mastodon.

The flow :func:`run_authorization` drives: make a ``state`` and a PKCE pair,
listen on ``127.0.0.1`` (:class:`LoopbackReceiver`), show the authorize URL
(and open a browser when there is one), then take the code from whichever
comes first: the browser's redirect to the loopback listener, or the
redirected address the operator pastes (over SSH the browser runs on another
machine, so its redirect never reaches us). The code is exchanged through
:class:`~integrations.http.HttpTransport`, so token calls share its retry and
error mapping. Error messages never contain a code, verifier, secret or token.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import math
import secrets
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from http import HTTPStatus
from urllib.parse import parse_qs, quote, urlencode

import httpx

from integrations.base import AdapterError, AuthError, PermanentError
from integrations.http import HttpTransport

MAX_REQUEST_BYTES = 16 * 1024  # a browser's GET with cookies fits; anything bigger is refused
_READ_TIMEOUT = 10.0
_AUTH_ERRORS = {"invalid_grant", "invalid_client", "unauthorized_client"}
_MAX_EXPIRES_IN = 100 * 365 * 86400


def _printable(text: str, limit: int = 200) -> str:
    """Platform or browser text made safe for a message: printable, one line, trimmed."""
    clean = " ".join("".join(ch if ch.isprintable() else " " for ch in str(text)).split())
    return clean if len(clean) <= limit else clean[: limit - 1] + "…"


def _scrub(text: str, hidden: Sequence[str]) -> str:
    for value in hidden:
        if value:
            text = text.replace(value, "[redacted]")
    return text


# -- PKCE and state -----------------------------------------------------------


def pkce_challenge(verifier: str) -> str:
    """The S256 challenge of ``verifier`` (RFC 7636 section 4.2)."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def pkce_pair() -> tuple[str, str]:
    """A fresh ``(verifier, challenge)``: 43 characters of base64url, and its S256 hash."""
    verifier = secrets.token_urlsafe(32)  # 32 random bytes -> 43 unreserved characters
    return verifier, pkce_challenge(verifier)


def new_state() -> str:
    """An unguessable ``state`` value binding the redirect to this flow."""
    return secrets.token_urlsafe(24)


# -- clients and URLs ---------------------------------------------------------


@dataclass(frozen=True)
class OAuthClient:
    """One platform's OAuth app as socops uses it."""

    name: str
    authorize_url: str
    token_url: str
    client_id: str
    client_secret: str = field(default="", repr=False)  # "" for public clients
    scopes: tuple[str, ...] = ()
    use_pkce: bool = True
    client_auth: str = "body"  # "basic" or "body"
    extra_authorize_params: dict[str, str] = field(default_factory=dict, hash=False)

    def __post_init__(self) -> None:
        if self.client_auth not in ("basic", "body"):
            raise ValueError("client_auth must be 'basic' or 'body'")


def authorization_url(client: OAuthClient, redirect_uri: str, state: str, challenge: str) -> str:
    """The URL that asks the user to authorize ``client``."""
    params = {
        "response_type": "code",
        "client_id": client.client_id,
        "redirect_uri": redirect_uri,
        "scope": " ".join(client.scopes),
        "state": state,
    }
    if client.use_pkce:
        params["code_challenge"] = challenge
        params["code_challenge_method"] = "S256"
    params.update(client.extra_authorize_params)
    joiner = "&" if "?" in client.authorize_url else "?"
    # quote, not quote_plus: spaces in scope as %20, which every platform reads
    return client.authorize_url + joiner + urlencode(params, quote_via=quote)


def x_client(client_id: str, client_secret: str = "") -> OAuthClient:
    """X (OAuth 2.0 with PKCE); a confidential client authenticates with Basic."""
    return OAuthClient(
        name="x",
        authorize_url="https://x.com/i/oauth2/authorize",
        token_url="https://api.x.com/2/oauth2/token",
        client_id=client_id,
        client_secret=client_secret,
        scopes=("tweet.read", "tweet.write", "users.read", "dm.read", "dm.write",
                "media.write", "offline.access"),
        use_pkce=True,
        client_auth="basic" if client_secret else "body",
    )


def linkedin_client(client_id: str, client_secret: str, *, use_pkce: bool = False) -> OAuthClient:
    """LinkedIn 3-legged OAuth for organization pages; the secret goes in the body."""
    return OAuthClient(
        name="linkedin",
        authorize_url="https://www.linkedin.com/oauth/v2/authorization",
        token_url="https://www.linkedin.com/oauth/v2/accessToken",
        client_id=client_id,
        client_secret=client_secret,
        scopes=("w_organization_social", "r_organization_social", "rw_organization_admin"),
        use_pkce=use_pkce,
        client_auth="body",
    )


MASTODON_SCOPES = ("read:notifications", "read:statuses", "write:statuses", "write:media",
                   "read:search", "write:conversations", "profile")


def _instance(base_url: str) -> str:
    base = base_url.strip().rstrip("/")
    return base if "://" in base else "https://" + base


def mastodon_client(base_url: str, client_id: str, client_secret: str, *,
                    force_login: bool = False) -> OAuthClient:
    """One Mastodon instance's app (register it first with :func:`register_mastodon_app`)."""
    base = _instance(base_url)
    return OAuthClient(
        name="mastodon",
        authorize_url=f"{base}/oauth/authorize",
        token_url=f"{base}/oauth/token",
        client_id=client_id,
        client_secret=client_secret,
        scopes=MASTODON_SCOPES,
        use_pkce=True,
        client_auth="body",
        extra_authorize_params={"force_login": "true"} if force_login else {},
    )


# -- the loopback redirect ----------------------------------------------------


class LoopbackReceiver:
    """Receives the browser's redirect on ``http://127.0.0.1:PORT/callback``.

    Use as ``async with LoopbackReceiver() as r: ... await r.wait_for_code(state)``.
    Port 0 takes any free port; pass the registered one where the platform
    needs an exact redirect URI. Pages are plain text and never show the code.
    """

    def __init__(self, port: int = 0, *, platform: str = "") -> None:
        self.port = port
        self.platform = platform
        self._server: asyncio.Server | None = None
        self._state: str | None = None
        self._armed = asyncio.Event()
        self._result: asyncio.Future[str] | None = None
        self._handlers: set[asyncio.Task] = set()

    @property
    def redirect_uri(self) -> str:
        if self._server is None:
            raise RuntimeError("LoopbackReceiver is not listening; use 'async with'")
        return f"http://127.0.0.1:{self.port}/callback"

    async def __aenter__(self) -> LoopbackReceiver:
        try:
            self._server = await asyncio.start_server(
                self._handle, "127.0.0.1", self.port, limit=MAX_REQUEST_BYTES)
        except OSError:
            raise PermanentError(
                f"cannot listen on 127.0.0.1 port {self.port}; it is in use or not allowed. "
                "Close what uses it, or register another redirect port", platform=self.platform
            ) from None
        self.port = self._server.sockets[0].getsockname()[1]
        self._result = asyncio.get_running_loop().create_future()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        assert self._server is not None and self._result is not None
        self._server.close()
        for task in list(self._handlers):
            task.cancel()
        await asyncio.gather(*self._handlers, return_exceptions=True)
        await self._server.wait_closed()
        if self._result.done() and not self._result.cancelled():
            self._result.exception()  # mark an unawaited error as seen
        else:
            self._result.cancel()

    async def wait_for_code(self, state: str, timeout: float = 300) -> str:
        """The code of the first redirect carrying ``state``; stray requests get a 400."""
        if self._result is None:
            raise RuntimeError("LoopbackReceiver is not listening; use 'async with'")
        self._state = state
        self._armed.set()
        try:
            return await asyncio.wait_for(asyncio.shield(self._result), timeout)
        except TimeoutError:
            raise PermanentError(
                f"no answer from the browser within {timeout:g} s; start the connection again "
                "(or paste the address the browser was sent to)", platform=self.platform
            ) from None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            try:
                head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), _READ_TIMEOUT)
            except asyncio.LimitOverrunError:
                await self._send(writer, 431, "socops: request too large")
                await self._discard(reader)
                return
            except (asyncio.IncompleteReadError, TimeoutError, ConnectionError):
                return
            status, text = await self._answer(head)
            await self._send(writer, status, text)
        except ConnectionError:
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _answer(self, head: bytes) -> tuple[int, str]:
        parts = head.split(b"\r\n", 1)[0].decode("latin-1").split(" ")
        if len(parts) != 3 or not parts[2].startswith("HTTP/1."):
            return 400, "socops: bad request"
        method, target, _ = parts
        path, _, query = target.partition("?")
        if path != "/callback":
            return 404, "socops: not found"
        if method != "GET":
            return 405, "socops: method not allowed"
        if not self._armed.is_set():  # the browser beat wait_for_code: give it a moment
            try:
                await asyncio.wait_for(self._armed.wait(), _READ_TIMEOUT)
            except TimeoutError:
                return 503, "socops: not waiting for a sign-in; start the connection again"
        assert self._result is not None and self._state is not None
        if self._result.done():
            return 400, "socops: this sign-in is already finished; you can close this tab"
        params = parse_qs(query, keep_blank_values=True)
        states = params.get("state", [])
        if len(states) != 1 or not hmac.compare_digest(states[0].encode(), self._state.encode()):
            return 400, ("socops: this address does not belong to the sign-in socops is waiting "
                         "for; use the newest link socops showed")
        if params.get("error"):
            reason = _oauth_reason(params["error"][0], params.get("error_description", [""])[0])
            self._result.set_exception(AuthError(
                f"{self.platform or 'the platform'} did not authorize socops: {reason}",
                platform=self.platform))
            return 400, f"socops: not connected: {reason}"
        codes = params.get("code", [])
        if len(codes) != 1 or not codes[0]:
            self._result.set_exception(PermanentError(
                "the browser came back without an authorization code; start the connection again",
                platform=self.platform))
            return 400, "socops: not connected: no authorization code"
        self._result.set_result(codes[0])
        return 200, "socops: connected, you can close this tab"

    @staticmethod
    async def _send(writer: asyncio.StreamWriter, status: int, text: str) -> None:
        body = (text + "\n").encode("utf-8")
        writer.write(
            f"HTTP/1.1 {status} {HTTPStatus(status).phrase}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nX-Content-Type-Options: nosniff\r\n"
            "Cache-Control: no-store\r\nReferrer-Policy: no-referrer\r\nConnection: close\r\n\r\n"
            .encode("ascii") + body)
        await writer.drain()

    @staticmethod
    async def _discard(reader: asyncio.StreamReader) -> None:
        """Read what the client still sends (bounded) so closing does not reset the answer."""
        total = 0
        try:
            while total < 1024 * 1024:
                chunk = await asyncio.wait_for(reader.read(65536), 1.0)
                if not chunk:
                    return
                total += len(chunk)
        except (TimeoutError, ConnectionError):
            return


def _oauth_reason(error: str, description: str = "") -> str:
    reason = _printable(error, 80)
    if description:
        reason += ": " + _printable(description)
    return reason


def code_from_redirect(pasted: str, expected_state: str) -> str:
    """The code in a pasted redirected address (or its query string), for SSH sessions."""
    text = pasted.strip()
    query = text.split("?", 1)[1] if "?" in text else text
    params = parse_qs(query.split("#", 1)[0], keep_blank_values=True)
    if not {"code", "state", "error"} & set(params):
        raise PermanentError("that is not the redirected address; copy the whole address "
                             "from the browser's address bar after you approve socops")
    states = params.get("state", [])
    if len(states) != 1 or not hmac.compare_digest(states[0].encode(), expected_state.encode()):
        raise PermanentError("the pasted address belongs to another sign-in (state does not "
                             "match); use the newest link socops showed")
    if params.get("error"):
        reason = _oauth_reason(params["error"][0], params.get("error_description", [""])[0])
        raise PermanentError(f"the platform did not authorize socops: {reason}")
    codes = params.get("code", [])
    if len(codes) != 1 or not codes[0]:
        raise PermanentError("the pasted address has no authorization code; copy the whole "
                             "address after you approve socops")
    return codes[0]


# -- tokens -------------------------------------------------------------------

_TOKEN_FIELDS = ("access_token", "refresh_token", "expires_at", "scope")


@dataclass(frozen=True, repr=False)
class TokenSet:
    """What a token endpoint granted; ``expires_at`` is aware, ``None`` if it never expires."""

    access_token: str
    refresh_token: str = ""
    expires_at: datetime | None = None
    scope: str = ""

    def __post_init__(self) -> None:
        if self.expires_at is not None and self.expires_at.tzinfo is None:
            raise ValueError("expires_at must be timezone-aware")

    def __repr__(self) -> str:
        expires = self.expires_at.isoformat() if self.expires_at else None
        return (f"TokenSet(access_token=<{len(self.access_token)} chars>, "
                f"refresh_token={'<set>' if self.refresh_token else '<none>'}, "
                f"expires_at={expires!r}, scope={self.scope!r})")

    def expires_within(self, now: datetime, margin: timedelta = timedelta(minutes=5)) -> bool:
        """True when the access token is expired or expires within ``margin``."""
        return self.expires_at is not None and self.expires_at - margin <= now

    def to_json(self) -> str:
        return json.dumps({
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "expires_at": self.expires_at.isoformat() if self.expires_at else None,
            "scope": self.scope,
        }, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | bytes) -> TokenSet:
        """Parse :meth:`to_json` output; anything else is a :class:`PermanentError`."""
        def bad(why: str) -> PermanentError:
            return PermanentError(f"malformed credential: {why}; reconnect the account")

        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError):
            raise bad("not JSON") from None
        if not isinstance(data, dict):
            raise bad("not a JSON object")
        if set(data) - set(_TOKEN_FIELDS):
            raise bad("unexpected fields")
        access, refresh, scope = (data.get("access_token"), data.get("refresh_token", ""),
                                  data.get("scope", ""))
        if not isinstance(access, str) or not access:
            raise bad("no access_token")
        if not isinstance(refresh, str) or not isinstance(scope, str):
            raise bad("refresh_token and scope must be strings")
        expires_at = data.get("expires_at")
        if expires_at is not None:
            try:
                expires_at = datetime.fromisoformat(expires_at)
            except (TypeError, ValueError):
                raise bad("expires_at is not an ISO 8601 time") from None
            if expires_at.tzinfo is None:
                raise bad("expires_at has no time zone")
        return cls(access, refresh, expires_at, scope)


def _token_transport(http: HttpTransport | httpx.AsyncClient, platform: str,
                     hidden: Sequence[str]) -> HttpTransport:
    """A token-less sibling of ``http`` whose 4xx messages are OAuth-aware and scrubbed."""

    def classify(response: httpx.Response, what: str, now: datetime) -> AdapterError | None:
        status = response.status_code
        if status == 429 or status >= 500:
            return None  # the transport's own retry and rate-limit handling
        try:
            body = response.json()
        except (ValueError, UnicodeDecodeError, RecursionError):
            body = None
        error = description = ""
        if isinstance(body, dict):
            error = body.get("error") if isinstance(body.get("error"), str) else ""
            description = body.get("error_description")
            description = description if isinstance(description, str) else ""
        text = f"{what}: HTTP {status}"
        if error:
            text += ": " + _oauth_reason(error, description)
        text = _scrub(text, hidden)
        if status == 401 or error in _AUTH_ERRORS:
            return AuthError(text + "; reconnect the account", platform=platform)
        return PermanentError(text, platform=platform)

    if isinstance(http, httpx.AsyncClient):
        return HttpTransport(platform, http, classify=classify)
    # Same client, retry settings and clock, but no bearer token and our own 4xx reading.
    return HttpTransport(
        platform, http.client, max_attempts=http.max_attempts, backoff_base=http.backoff_base,
        backoff_cap=http.backoff_cap, max_wait=http.max_wait, sleep=http._sleep,
        rand=http._rand, clock=http._clock, classify=classify)


def _is_token_text(value: object) -> bool:
    return not isinstance(value, str) or all(" " < ch <= "~" for ch in value)


def _token_set(data: object, client: OAuthClient, now: datetime, old_refresh: str) -> TokenSet:
    def bad(why: str) -> PermanentError:
        return PermanentError(f"malformed token response from {client.name}: {why}",
                              platform=client.name)

    if not isinstance(data, dict):
        raise bad("not a JSON object")
    access = data.get("access_token")
    if not isinstance(access, str) or not access:
        raise bad("no access_token")
    if not _is_token_text(access) or not _is_token_text(data.get("refresh_token") or "x"):
        # RFC 6749 tokens are printable ASCII; anything else cannot go in a header.
        raise bad("a token holds characters other than printable ASCII")
    token_type = data.get("token_type", "bearer")
    if not isinstance(token_type, str) or token_type.lower() != "bearer":
        raise bad("token_type is not Bearer")
    refresh = data.get("refresh_token")
    if refresh is None or refresh == "":
        refresh = old_refresh
    elif not isinstance(refresh, str):
        raise bad("refresh_token is not a string")
    scope = data.get("scope")
    if scope is None:
        scope = " ".join(client.scopes)
    elif not isinstance(scope, str):
        raise bad("scope is not a string")
    expires_in = data.get("expires_in")
    expires_at = None
    if expires_in is not None:
        if isinstance(expires_in, str) and expires_in.strip().isdigit():
            expires_in = int(expires_in)
        if (isinstance(expires_in, bool) or not isinstance(expires_in, (int, float))
                or not math.isfinite(expires_in) or not 0 <= expires_in <= _MAX_EXPIRES_IN):
            raise bad("expires_in is not a number of seconds")
        expires_at = now + timedelta(seconds=expires_in)
    return TokenSet(access, refresh, expires_at, scope)


async def _token_request(http: HttpTransport | httpx.AsyncClient, client: OAuthClient,
                         form: dict[str, str], now: datetime, old_refresh: str,
                         hidden: list[str], retry: bool) -> TokenSet:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    headers = {"Accept": "application/json"}
    if client.client_auth == "basic":
        pair = f"{client.client_id}:{client.client_secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
    else:
        form["client_id"] = client.client_id
        if client.client_secret:
            form["client_secret"] = client.client_secret
    hidden = [*hidden, client.client_secret]
    transport = _token_transport(http, client.name, hidden)
    response = await transport.request("POST", client.token_url, data=form, headers=headers,
                                       retry_transient=retry)
    return _token_set(response.data, client, now, old_refresh)


async def exchange_code(http: HttpTransport | httpx.AsyncClient, client: OAuthClient, code: str,
                        redirect_uri: str, verifier: str, now: datetime) -> TokenSet:
    """Trade an authorization code for tokens (not retried: a code works once)."""
    form = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri}
    if client.use_pkce:
        form["code_verifier"] = verifier
    return await _token_request(http, client, form, now, "", [code, verifier], retry=False)


async def refresh_tokens(http: HttpTransport | httpx.AsyncClient, client: OAuthClient,
                         refresh_token: str, now: datetime) -> TokenSet:
    """New tokens from a refresh token; keeps the old one when none comes back."""
    form = {"grant_type": "refresh_token", "refresh_token": refresh_token}
    return await _token_request(http, client, form, now, refresh_token, [refresh_token], retry=True)


async def register_mastodon_app(http: HttpTransport | httpx.AsyncClient, base_url: str,
                                redirect_uri: str, scopes: Sequence[str] = MASTODON_SCOPES,
                                client_name: str = "socops", website: str = "") -> tuple[str, str]:
    """Register socops on one Mastodon instance; returns ``(client_id, client_secret)``."""
    form = {"client_name": client_name, "redirect_uris": redirect_uri, "scopes": " ".join(scopes)}
    if website:
        form["website"] = website
    transport = _token_transport(http, "mastodon", [])
    response = await transport.request("POST", f"{_instance(base_url)}/api/v1/apps", data=form)
    data = response.data
    if not isinstance(data, dict):
        raise PermanentError("malformed app registration from mastodon: not a JSON object",
                             platform="mastodon")
    client_id, client_secret = data.get("client_id"), data.get("client_secret")
    if not isinstance(client_id, str) or not client_id or not isinstance(client_secret, str) \
            or not client_secret:
        raise PermanentError("malformed app registration from mastodon: no client_id or "
                             "client_secret", platform="mastodon")
    return client_id, client_secret


# -- the whole flow -----------------------------------------------------------


async def run_authorization(
    client: OAuthClient,
    *,
    open_browser: Callable[[str], None] | None,
    on_url: Callable[[str], None],
    http: HttpTransport | httpx.AsyncClient,
    now: datetime | Callable[[], datetime],
    port: int = 0,
    timeout: float = 300,
    paste: Callable[[], Awaitable[str]] | None = None,
) -> TokenSet:
    """Authorize ``client`` in a browser and return its tokens.

    The code comes from the loopback redirect or from ``paste`` (the redirected
    address, for SSH), whichever is first; an empty paste is ignored. ``now``
    may be a clock, read when the code arrives.
    """
    state = new_state()
    verifier, challenge = pkce_pair() if client.use_pkce else ("", "")
    async with LoopbackReceiver(port, platform=client.name) as receiver:
        redirect_uri = receiver.redirect_uri
        url = authorization_url(client, redirect_uri, state, challenge)
        on_url(url)
        if open_browser is not None:
            try:
                open_browser(url)
            except Exception:  # no browser here (SSH); the URL was shown, paste still works
                pass
        waiting = asyncio.create_task(receiver.wait_for_code(state, timeout))
        pending: set[asyncio.Task] = {waiting}
        if paste is not None:
            pending.add(asyncio.ensure_future(paste()))
        try:
            code = ""
            while not code:
                done, pending = await asyncio.wait(pending, return_when=asyncio.FIRST_COMPLETED)
                for task in done:
                    if task is waiting:
                        code = task.result()
                    elif (task.result() or "").strip():
                        code = code_from_redirect(task.result(), state)
        finally:
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    when = now() if callable(now) else now
    return await exchange_code(http, client, code, redirect_uri, verifier, when)
