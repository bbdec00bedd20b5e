"""What a failed LinkedIn response means, before the transport's status mapping.

:func:`classify` is the :class:`~integrations.http.HttpTransport` ``classify``
hook (see :data:`integrations.http.Classify`):

* 429 with the resource throttle message ("... throttle limit ... is
  reached") -> :class:`RateLimitedError` until the next 00:00 UTC, when
  LinkedIn's daily counts reset. Any other 429 (infrastructure protection) is
  left to the transport's short backoff.
* 426, or a 400 about the version header -> :class:`PermanentError` naming the
  ``LinkedIn-Version`` to update.
* 401 (also ``REVOKED_ACCESS_TOKEN``, 65601) -> :class:`AuthError`.
* 500 that speaks of the token: LinkedIn reports failures of downstream token
  verification as 500 -> :class:`AuthError`; any other 5xx stays transient.
* 422 "duplicate" -> :class:`PermanentError`: the same text was already posted.
* 404 -> :class:`NotFoundError` (a :class:`PermanentError`), so callers can
  treat a deleted post or comment as gone.

Messages carry only the request's description and LinkedIn's ``message``
(already scrubbed of the token by the transport).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import httpx

from integrations.base import AdapterError, AuthError, PermanentError, RateLimitedError

PLATFORM = "linkedin"
_TOKEN_WORDS = ("token", "oauth", "authenticat", "authoriz", "credential")
_VERSION_WORDS = ("linkedin-version", "header", "deprecat", "sunset", "not active", "not supported")


class NotFoundError(PermanentError):
    """LinkedIn answered 404: the post or comment does not exist (any more)."""


def next_utc_midnight(now: datetime) -> datetime:
    today = now.astimezone(timezone.utc).date()
    return datetime(today.year, today.month, today.day, tzinfo=timezone.utc) + timedelta(days=1)


def classify(
    response: httpx.Response, what: str, now: datetime, *, message: str, api_version: str
) -> AdapterError | None:
    """The typed error for a failed response, or ``None`` for the default mapping."""
    status = response.status_code
    lowered = message.lower()
    detail = f": {message}" if message else ""
    if status == 429 and "throttle" in lowered and "reached" in lowered:
        until = next_utc_midnight(now)
        return RateLimitedError(
            f"{what}: LinkedIn's daily limit for this endpoint is reached (429{detail}); "
            f"calls resume at {until.isoformat()}",
            until=until, platform=PLATFORM,
        )
    if status == 426 or (status == 400 and "version" in lowered
                         and any(word in lowered for word in _VERSION_WORDS)):
        return PermanentError(
            f"{what}: LinkedIn refused LinkedIn-Version {api_version} "
            f"(HTTP {status}{detail}); update api_version to a current YYYYMM version",
            platform=PLATFORM,
        )
    if status == 401:
        return AuthError(f"{what}: HTTP 401{detail}; reconnect the account", platform=PLATFORM)
    if status == 500 and any(word in lowered for word in _TOKEN_WORDS):
        return AuthError(
            f"{what}: LinkedIn could not verify the token (HTTP 500{detail}); "
            "reconnect the account if this persists",
            platform=PLATFORM,
        )
    if status == 422 and "duplicate" in lowered:
        return PermanentError(
            f"{what}: the same text was already posted; LinkedIn refuses duplicates "
            f"(HTTP 422{detail})",
            platform=PLATFORM,
        )
    if status == 404:
        return NotFoundError(f"{what}: HTTP 404{detail}", platform=PLATFORM)
    return None
