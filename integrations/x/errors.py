"""How X's failed responses map to typed errors where the status alone misleads.

* 403 is mostly *not* about credentials on X: a duplicate post, a reply X
  forbids (the "summoned" rule: an API reply is allowed only when the post's
  author mentioned or quoted us) and other refusals are PermanentError with a
  clear message. Only an authentication problem (``unsupported-authentication``,
  ``client-forbidden``, token or scope wording) is AuthError. (The shared
  transport's word list would read "author" in the summoned message as auth.)
* 404 is :class:`NotFound` (a PermanentError) so ``delete`` can treat it as done.
* A v1.1-style throttle body ``{"errors":[{"code":88}]}`` with a status other
  than 429 is RateLimitedError until ``x-rate-limit-reset``; a 429 is left to
  the transport, which reads the same header.
"""

from __future__ import annotations

from datetime import datetime, timedelta

import httpx

from integrations.base import AdapterError, AuthError, PermanentError, RateLimitedError
from integrations.http import parse_reset

from .parse import PLATFORM


class NotFound(PermanentError):
    """A 404: the post or resource does not exist (delete treats it as done)."""


def classify(response: httpx.Response, what: str, now: datetime) -> AdapterError | None:
    """X's reading of a failed response, where the status alone misleads."""
    try:
        body = response.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        body = None
    detail = ""
    kind = ""
    if isinstance(body, dict):
        parts = [body.get(k) for k in ("title", "detail")]
        detail = ": ".join(p for p in parts if isinstance(p, str) and p)[:300]
        kind = body.get("type") if isinstance(body.get("type"), str) else ""
        errors = body.get("errors")
        if isinstance(errors, list) and any(
            isinstance(e, dict) and e.get("code") == 88 for e in errors
        ) and response.status_code != 429:
            # v1.1-style throttle sent with another status: treat it as a 429.
            until = parse_reset(response.headers.get("x-rate-limit-reset"), now)
            until = until or now + timedelta(seconds=60)
            return RateLimitedError(f"{what}: rate limited until {until.isoformat()}",
                                    until=until, platform=PLATFORM)
    status = response.status_code
    lowered = detail.lower()
    if status == 404:
        return NotFound(f"{what}: HTTP 404" + (f": {detail}" if detail else ""), platform=PLATFORM)
    if status == 403:
        if "duplicate content" in lowered:
            return PermanentError(
                f"{what}: X refused a duplicate post (the same text was already posted): {detail}",
                platform=PLATFORM)
        if "mentioned" in lowered or "engaged" in lowered or "not allowed to reply" in lowered:
            return PermanentError(
                f"{what}: X allows an API reply only when the post's author mentioned or "
                f"quoted this account: {detail}", platform=PLATFORM)
        if kind.endswith(("unsupported-authentication", "client-forbidden")) or any(
            w in lowered for w in ("token", "scope", "unauthorized", "authenticat")
        ):
            return AuthError(f"{what}: HTTP 403: {detail}", platform=PLATFORM)
        return PermanentError(f"{what}: HTTP 403" + (f": {detail}" if detail else ""),
                              platform=PLATFORM)
    return None
