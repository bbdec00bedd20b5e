"""Browser sign-in (OAuth 2 with PKCE and a loopback redirect) for connecting an account.

:func:`sign_in` runs the whole flow for Mastodon, X or LinkedIn and returns the
credential text to keep in the keyring (the token set as JSON, plus the app's
client id and secret where a later refresh needs them). It does not connect
the account; the caller hands the credential to
:meth:`console.accounts.service.AccountService.connect`, which checks it with the
platform and audits the connection like a pasted one.

The redirect goes to ``http://127.0.0.1:PORT/callback`` on the machine socops
runs on. X and LinkedIn only accept a redirect address registered with the
developer app, so they use the fixed :data:`REDIRECT_PORT` (register
``http://127.0.0.1:8765/callback``); Mastodon registers socops on the instance
at sign-in time with a free port. Over SSH the browser runs on another
machine: the operator opens the address there and pastes back the address
the browser ends up on (``paste``).

httpx and ``integrations.oauth`` are imported by the functions that use them:
this module comes with ``console.accounts``, which every start imports.
"""

from __future__ import annotations

import json
import socket
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING

from console.errors import InvalidAction
from integrations.base import AdapterError

if TYPE_CHECKING:
    import httpx

    from integrations.oauth import OAuthClient

#: The loopback port registered with X and LinkedIn developer apps.
REDIRECT_PORT = 8765
SIGN_IN_PLATFORMS = ("mastodon", "x", "linkedin")


def redirect_address(port: int = REDIRECT_PORT) -> str:
    return f"http://127.0.0.1:{port}/callback"


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


async def _client_for(http: httpx.AsyncClient, platform: str, server: str, client_id: str,
                      client_secret: str, port: int) -> OAuthClient:
    from integrations.oauth import linkedin_client, mastodon_client, register_mastodon_app, x_client

    if platform == "mastodon":
        client_id, client_secret = await register_mastodon_app(http, server, redirect_address(port))
        return mastodon_client(server, client_id, client_secret)
    if not client_id:
        raise InvalidAction(f"signing in to {platform} needs the client id of your developer app")
    if platform == "x":
        return x_client(client_id, client_secret)
    if platform == "linkedin":
        if not client_secret:
            raise InvalidAction("signing in to LinkedIn needs the app's client secret")
        return linkedin_client(client_id, client_secret)
    raise InvalidAction(f"{platform} has no browser sign-in; paste its credential instead")


async def sign_in(platform: str, *, server: str = "", client_id: str = "", client_secret: str = "",
                  on_url: Callable[[str], None], now: Callable[[], datetime],
                  paste: Callable[[], Awaitable[str]] | None = None,
                  open_browser: Callable[[str], None] | None = None, port: int | None = None,
                  timeout: float = 300, http: httpx.AsyncClient | None = None) -> str:
    """Run the browser sign-in; the credential text for the keyring."""
    # httpx and the OAuth flow load here, at a sign-in, not with the accounts package.
    import httpx

    from integrations.oauth import run_authorization

    if platform not in SIGN_IN_PLATFORMS:
        raise InvalidAction(f"{platform} has no browser sign-in; paste its credential instead")
    if port is None:
        port = _free_port() if platform == "mastodon" else REDIRECT_PORT
    own_client = http is None
    http = http or httpx.AsyncClient(timeout=30.0)
    try:
        client = await _client_for(http, platform, server, client_id, client_secret, port)
        tokens = await run_authorization(client, open_browser=open_browser, on_url=on_url, http=http, now=now,
                                         port=port, timeout=timeout, paste=paste)
    except AdapterError as error:
        raise InvalidAction(f"{platform} sign-in failed: {error}") from None
    finally:
        if own_client:
            await http.aclose()
    credential = json.loads(tokens.to_json())
    if platform == "x":  # X's refresh needs the app again
        credential.update(client_id=client.client_id, client_secret=client.client_secret)
    return json.dumps(credential, sort_keys=True)
