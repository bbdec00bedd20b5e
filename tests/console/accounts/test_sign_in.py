"""Browser sign-in: Mastodon registers socops on the instance, the pasted redirect
carries the code, and the credential kept is the token set (plus X's app for refresh)."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from console.errors import InvalidAction
from console.accounts import REDIRECT_PORT, redirect_address, sign_in

NOW = datetime(2026, 11, 26, 12, tzinfo=timezone.utc)


class Platform:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.token_answer = httpx.Response(200, json={"access_token": "tok-123", "token_type": "Bearer",
                                                      "scope": "read", "created_at": 1, "expires_in": 7200,
                                                      "refresh_token": "ref-456"})

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if request.url.path == "/api/v1/apps":
            return httpx.Response(200, json={"client_id": "cid", "client_secret": "csecret", "name": "socops"})
        if request.url.path.lower().endswith("token"):
            return self.token_answer
        return httpx.Response(404, json={"error": "Record not found"})


def run_sign_in(platform_name: str, platform: Platform, **options):
    shown: list[str] = []

    async def paste() -> str:
        while not shown:
            await asyncio.sleep(0.01)
        query = parse_qs(urlparse(shown[0]).query)
        return f"http://127.0.0.1/callback?code=the-code&state={query['state'][0]}"

    async def go():
        async with httpx.AsyncClient(transport=httpx.MockTransport(platform)) as http:
            return await sign_in(platform_name, on_url=shown.append, now=lambda: NOW, paste=paste, http=http,
                                 port=0, timeout=10, **options)

    return asyncio.run(go()), shown


def test_mastodon_registers_the_app_then_exchanges_the_pasted_code():
    platform = Platform()
    credential, shown = run_sign_in("mastodon", platform, server="https://mastodon.example")
    registration = parse_qs(platform.requests[0].content.decode())
    assert registration["redirect_uris"][0].startswith("http://127.0.0.1:")
    assert "write:statuses" in registration["scopes"][0]
    url = urlparse(shown[0])
    assert url.netloc == "mastodon.example" and url.path == "/oauth/authorize"
    query = parse_qs(url.query)
    assert query["client_id"] == ["cid"] and query["code_challenge_method"] == ["S256"]
    token_form = parse_qs(platform.requests[1].content.decode())
    assert token_form["code"] == ["the-code"] and token_form["client_secret"] == ["csecret"]
    assert token_form["code_verifier"][0]
    stored = json.loads(credential)
    assert stored["access_token"] == "tok-123" and stored["refresh_token"] == "ref-456"
    assert stored["expires_at"] == "2026-11-26T14:00:00+00:00"
    assert "client_secret" not in stored  # Mastodon tokens never expire: no refresh, no app kept


def test_x_keeps_its_app_for_refreshing_and_uses_the_registered_redirect():
    platform = Platform()
    credential, shown = run_sign_in("x", platform, client_id="x-app")
    assert parse_qs(urlparse(shown[0]).query)["scope"][0].split()[-1] == "offline.access"
    stored = json.loads(credential)
    assert stored["client_id"] == "x-app" and stored["refresh_token"] == "ref-456"
    assert redirect_address() == f"http://127.0.0.1:{REDIRECT_PORT}/callback"


def test_a_refused_code_is_refused_without_secrets():
    platform = Platform()
    platform.token_answer = httpx.Response(400, json={"error": "invalid_grant",
                                                      "error_description": "code the-code is invalid"})
    with pytest.raises(InvalidAction, match="linkedin sign-in failed") as raised:
        run_sign_in("linkedin", platform, client_id="li-app", client_secret="li-secret")
    assert "li-secret" not in str(raised.value)


@pytest.mark.parametrize("platform_name, options, message", [
    ("bluesky", {}, "no browser sign-in"),
    ("x", {}, "client id"),
    ("linkedin", {"client_id": "a"}, "client secret"),
])
def test_what_cannot_sign_in_is_refused_before_any_request(platform_name, options, message):
    platform = Platform()
    with pytest.raises(InvalidAction, match=message):
        run_sign_in(platform_name, platform, **options)
    assert platform.requests == []
