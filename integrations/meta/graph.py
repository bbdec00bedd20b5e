"""Pieces every Meta Graph API adapter shares (Facebook Pages, Instagram).

* :data:`API_VERSION` pins the Graph API version in every path.
* :func:`classify_meta_error` decides a failed response by ``error.code``, not
  by the HTTP status (Meta sends throttles and expired tokens as 400):

  =====================================  ==========================================
  ``error.code``                         raised
  =====================================  ==========================================
  190, 102                               :class:`AuthError` (reconnect the account)
  4, 17, 32, 613, 80001, 80002, 80006    :class:`RateLimitedError`, ``until`` = now +
                                         ``estimated_time_to_regain_access`` minutes
                                         (max over the usage header), else 60 min
  1, 2, or ``is_transient: true``        :class:`TransientError` (retried; on a create,
                                         ``maybe_sent``: it may have happened)
  10, 200-299                            :class:`PermanentError` "permission missing"
  100, 368 and any other code            :class:`PermanentError`
  =====================================  ==========================================

* :class:`UsageMeter` reads ``X-App-Usage`` and ``X-Business-Use-Case-Usage``
  (percentages) from every response. Above :data:`SLOWDOWN_PERCENT` of any
  metric the next request waits a little (injected ``sleep``); at
  :data:`PAUSE_PERCENT` or after a throttle error it raises
  :class:`RateLimitedError` *before* calling, because extra calls lengthen
  Meta's block. Malformed headers are ignored.
* :class:`GraphClient` sends requests through :class:`HttpTransport` with the
  token as a Bearer header (never in a URL we build) and follows
  ``paging.next`` only on the Graph host, with any ``access_token`` dropped.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import httpx

from integrations import fields
from integrations.base import (
    AccountRef,
    AdapterError,
    AuthError,
    PermanentError,
    PlatformAdapter,
    RateLimitedError,
    TransientError,
)
from integrations.http import HttpTransport, Response, _utc_now

API_VERSION = "v25.0"
GRAPH_URL = "https://graph.facebook.com"
SLOWDOWN_PERCENT = 80.0
PAUSE_PERCENT = 95.0
#: Wait after a throttle error without ``estimated_time_to_regain_access``.
THROTTLE_WAIT = timedelta(minutes=60)
#: Pause when usage reaches PAUSE_PERCENT and Meta gives no time to wait.
USAGE_PAUSE = timedelta(minutes=10)
#: Longest wait before one request when usage is between 80% and 95%.
SLOWDOWN_MAX_SECONDS = 10.0
MAX_PAGES = 20

AUTH_CODES = {190, 102}
THROTTLE_CODES = {4, 17, 32, 613, 80001, 80002, 80006}
TRANSIENT_CODES = {1, 2}
_PERMISSION = re.compile(
    r"\b((?:pages|instagram|publish|business|read|manage|ads)_[a-z_]+)\b")


# -- JSON helpers ---------------------------------------------------------------

malformed = fields.malformed
get_str = fields.get_str
get_obj = fields.get_obj


def data_list(body: Any, platform: str, what: str) -> list:
    """The ``data`` list of a Graph list response."""
    if not isinstance(body, dict) or not isinstance(body.get("data"), list):
        raise malformed(platform, f"{what}.data is missing or not a list")
    return body["data"]


def next_url(body: Any) -> str | None:
    """``paging.next`` of a list response, or ``None`` at the end."""
    paging = body.get("paging") if isinstance(body, dict) else None
    nxt = paging.get("next") if isinstance(paging, dict) else None
    return nxt if isinstance(nxt, str) and nxt else None


parse_time = fields.parse_time  # Graph sends ``2026-05-04T10:15:02+0000``


# -- usage headers ----------------------------------------------------------------

def _percent(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if value != value or value in (float("inf"), float("-inf")):
        return None
    return float(value)


def read_usage(headers: Any) -> tuple[float | None, float | None]:
    """(highest usage percentage, longest ``estimated_time_to_regain_access`` minutes).

    Reads ``X-App-Usage`` and ``X-Business-Use-Case-Usage``; anything malformed is
    ignored. ``(None, None)`` when neither header says anything usable.
    """
    highest: float | None = None
    regain: float | None = None

    def metrics(entry: Any) -> None:
        nonlocal highest, regain
        if not isinstance(entry, dict):
            return
        for key, value in entry.items():
            pct = _percent(value)
            if pct is None:
                continue
            if key == "estimated_time_to_regain_access":
                regain = pct if regain is None else max(regain, pct)
            elif key in ("call_count", "total_time", "total_cputime", "acc_id_util_pct"):
                highest = pct if highest is None else max(highest, pct)

    for name in ("x-app-usage", "x-business-use-case-usage", "x-ad-account-usage"):
        raw = headers.get(name) if headers is not None else None
        if not raw:
            continue
        try:
            body = json.loads(raw)
        except (ValueError, RecursionError):
            continue
        if name == "x-business-use-case-usage" and isinstance(body, dict):
            for entries in body.values():
                for entry in entries if isinstance(entries, list) else [entries]:
                    metrics(entry)
        else:
            metrics(body)
    return highest, regain


class UsageMeter:
    """Remembers Meta's last usage report and paces or stops the next request."""

    def __init__(self, platform: str, clock: Callable[[], datetime], sleep: Any) -> None:
        self.platform = platform
        self._clock = clock
        self._sleep = sleep
        self.percent: float | None = None
        self.regain_minutes: float | None = None
        self.blocked_until: datetime | None = None

    def observe(self, headers: Any) -> None:
        percent, regain = read_usage(headers)
        if percent is not None:
            self.percent = percent
        if regain is not None:
            self.regain_minutes = regain

    def block(self, until: datetime) -> None:
        if self.blocked_until is None or until > self.blocked_until:
            self.blocked_until = until

    async def before_request(self) -> None:
        now = self._clock()
        if self.blocked_until is not None:
            if now < self.blocked_until:
                raise RateLimitedError(
                    f"{self.platform}: Meta usage limit reached; not calling until "
                    f"{self.blocked_until.isoformat()}",
                    until=self.blocked_until, platform=self.platform)
            self.blocked_until = None
            self.percent = self.regain_minutes = None
        pct = self.percent
        if pct is None or pct < SLOWDOWN_PERCENT:
            return
        if pct >= PAUSE_PERCENT:
            wait = (timedelta(minutes=self.regain_minutes) if self.regain_minutes
                    else USAGE_PAUSE)
            self.block(now + wait)
            raise RateLimitedError(
                f"{self.platform}: Meta usage at {pct:.0f}%; pausing until "
                f"{self.blocked_until.isoformat()}",
                until=self.blocked_until, platform=self.platform)
        share = (pct - SLOWDOWN_PERCENT) / (PAUSE_PERCENT - SLOWDOWN_PERCENT)
        await self._sleep(max(0.5, SLOWDOWN_MAX_SECONDS * share))


# -- error classification -----------------------------------------------------------

def classify_meta_error(
    response: httpx.Response, what: str, now: datetime, *, platform: str,
    message: str = "", meter: UsageMeter | None = None,
) -> AdapterError | None:
    """The typed error for a failed Graph response, or ``None`` (default mapping).

    ``message`` is the platform's error text already scrubbed of the token.
    """
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        return None
    error = body.get("error") if isinstance(body, dict) else None
    code = error.get("code") if isinstance(error, dict) else None
    if isinstance(code, str) and code.strip().isdigit():
        code = int(code)
    if isinstance(code, bool) or not isinstance(code, int):
        return None
    text = f"{what}: {message} (code {code})" if message else f"{what}: code {code}"
    if code in AUTH_CODES:
        return AuthError(
            f"{what}: the Page token expired or was revoked; reconnect the account "
            f"(code {code})", platform=platform)
    if code in THROTTLE_CODES:
        _pct, regain = read_usage(response.headers)
        wait = timedelta(minutes=regain) if regain else THROTTLE_WAIT
        until = now + wait
        if meter is not None:
            meter.block(until)
        return RateLimitedError(f"{text}; throttled until {until.isoformat()}",
                                until=until, platform=platform)
    if code in TRANSIENT_CODES or error.get("is_transient") is True:
        # Meta answered, but "unknown error" or "temporarily unavailable" does not
        # say whether a create went through before it failed: it may have.
        return TransientError(text, platform=platform, maybe_sent=True)
    if code == 10 or 200 <= code <= 299:
        found = _PERMISSION.search(message)
        name = f" ({found.group(1)})" if found else ""
        return PermanentError(f"{what}: permission missing{name}: {message} (code {code})",
                              platform=platform)
    if response.status_code >= 500 and code not in (100, 368):
        return None  # unknown code on a server error: retried by the default mapping
    return PermanentError(text, platform=platform)


# -- the client ---------------------------------------------------------------------

class GraphClient:
    """Graph API requests for one Page token; see the module docstring."""

    def __init__(
        self, platform: str, *, token: str, base_url: str = GRAPH_URL,
        api_version: str = API_VERSION, client: httpx.AsyncClient,
        clock: Callable[[], datetime] | None = None, **transport_options: Any,
    ) -> None:
        self.platform = platform
        self.base_url = base_url.rstrip("/")
        self.api_version = api_version
        self.clock = clock or _utc_now
        self.http = HttpTransport(platform, client, token=token, clock=self.clock,
                                  **transport_options)
        self.meter = UsageMeter(platform, self.clock, transport_options.get("sleep", asyncio.sleep))
        self.http.classify = self._classify

    def __repr__(self) -> str:  # never show the token
        return f"GraphClient({self.platform!r}, {self.base_url!r}, {self.api_version!r})"

    def _classify(self, response: httpx.Response, what: str, now: datetime) -> AdapterError | None:
        self.meter.observe(response.headers)
        return classify_meta_error(response, what, now, platform=self.platform,
                                   message=self.http.error_message(response), meter=self.meter)

    def url(self, path: str) -> str:
        return f"{self.base_url}/{self.api_version}/{path.lstrip('/')}"

    def own_url(self, url: str) -> str:
        """A ``paging.next`` URL, checked to be on our Graph host, token dropped."""
        try:
            parsed = httpx.URL(url)
            base = httpx.URL(self.base_url)
        except (httpx.InvalidURL, ValueError, TypeError):
            raise malformed(self.platform, "paging.next is not a URL") from None
        if (parsed.scheme, parsed.host, parsed.port) != (base.scheme, base.host, base.port):
            raise malformed(self.platform, "paging.next points outside the Graph API host")
        return str(parsed.copy_remove_param("access_token"))

    async def request(self, method: str, path_or_url: str, **kw: Any) -> Response:
        await self.meter.before_request()
        url = path_or_url if path_or_url.startswith(("http://", "https://")) else self.url(path_or_url)
        response = await self.http.request(method, url, **kw)
        self.meter.observe(response.headers)
        return response

    async def get(self, path: str, params: dict | None = None) -> Any:
        return (await self.request("GET", path, params=params)).data

    async def create(self, path: str, **kw: Any) -> Any:
        """A POST that creates something: Meta takes no idempotency key, so no retry."""
        return (await self.request("POST", path, retry_transient=False, **kw)).data

    async def pages(self, path: str, params: dict | None, what: str):
        """Yield the ``data`` list of each page, following ``paging.next``."""
        body = await self.get(path, params)
        for _ in range(MAX_PAGES):
            yield data_list(body, self.platform, what)
            nxt = next_url(body)
            if nxt is None:
                return
            body = (await self.request("GET", self.own_url(nxt))).data


class GraphAdapter(PlatformAdapter):
    """What the Facebook and Instagram adapters share: one Graph client on a Page token."""

    def __init__(self, account: AccountRef, *, page_token: str, base_url: str, api_version: str,
                 client: httpx.AsyncClient | None, clock: Any, transport_options: dict[str, Any]) -> None:
        super().__init__(account)
        self._owns_client = client is None
        self._client = client or httpx.AsyncClient(timeout=60.0)
        self.graph = GraphClient(self.platform, token=page_token, base_url=base_url, api_version=api_version,
                                 client=self._client, clock=clock, **transport_options)
        self.http = self.graph.http

    async def aclose(self) -> None:
        if self._owns_client:
            await self._client.aclose()
