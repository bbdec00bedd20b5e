"""What connecting each platform takes, and how its adapter is built.

One :class:`PlatformSpec` per platform that can be connected: what the
account name is, which server it lives on, what the credential is called,
whether a browser sign-in (OAuth 2) is offered, and the function that builds
the platform's adapter from the stored account and its credential. The CLI's
``socops account connect``, the TUI's Connect dialog and the worker all read
this table, so a new platform is one adapter plus one entry here.

Credentials are kept in the keyring as one string per account: the pasted
token or app password itself, or, for an OAuth sign-in, a JSON object
(``{"access_token", "refresh_token", "expires_at", "client_id",
"client_secret"}``). Adapters that refresh their token (X) call back with the
new token set, which is written to the keyring again.

Each builder imports its adapter (and with it httpx) when it first builds
one: the table is read at every start, an adapter is needed only once an
account of that platform syncs or is connected.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from console.errors import InvalidAction
from integrations.base import PlatformAdapter

if TYPE_CHECKING:
    from console.accounts.records import ConnectedAccount

#: Saves a refreshed credential (the JSON text) for the account being built.
SaveCredential = Callable[[str], None]
Builder = Callable[["ConnectedAccount", str, Callable[[], Any], SaveCredential], PlatformAdapter]


@dataclass(frozen=True)
class PlatformSpec:
    """How one platform is connected."""

    name: str                 # "bluesky"
    title: str                # "Bluesky"
    account_label: str        # what the account name is, e.g. "handle"
    account_hint: str         # an example
    credential: str           # what the pasted secret is called
    build: Builder
    server: str = ""          # the fixed or default server; "" = the operator must give one
    server_fixed: bool = False  # True: one global API (X, LinkedIn, Meta), no server to ask for
    oauth: bool = False       # a browser sign-in (OAuth 2 with a loopback redirect) is offered
    options: tuple[str, ...] = ()  # further non-secret fields, e.g. ("page_id",)
    option_hints: dict[str, str] = field(default_factory=dict)
    notes: str = ""           # one line on what the platform allows


def parse_credential(text: str) -> dict[str, Any]:
    """A stored credential as a dict: ``{"access_token": text}`` for a plain token."""
    text = text.strip()
    if text.startswith("{"):
        try:
            value = json.loads(text)
        except ValueError:
            raise InvalidAction("the stored credential is damaged; remove the account and connect it again") from None
        if not isinstance(value, dict) or not isinstance(value.get("access_token"), str):
            raise InvalidAction("the stored credential has no access token; connect the account again")
        return value
    return {"access_token": text}


def _expires(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def _bluesky(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.bluesky import BlueskyAdapter

    return BlueskyAdapter(account.ref, base_url=account.base_url, identifier=account.identifier,
                          app_password=credential, clock=clock)


def _mastodon(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.mastodon import MastodonAdapter

    return MastodonAdapter(account.ref, base_url=account.base_url,
                           token=parse_credential(credential)["access_token"], clock=clock)


def _x(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.x import XAdapter

    stored = parse_credential(credential)

    def refreshed(tokens: dict) -> None:
        save(json.dumps(dict(stored, **tokens), sort_keys=True))

    return XAdapter(account.ref, access_token=stored["access_token"],
                    refresh_token=stored.get("refresh_token", ""), expires_at=_expires(stored.get("expires_at")),
                    client_id=stored.get("client_id", ""), client_secret=stored.get("client_secret", ""),
                    user_id=account.options.get("user_id") or None, on_token_refresh=refreshed,
                    base_url=account.base_url, clock=clock)


def _linkedin(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.linkedin import LinkedInAdapter

    stored = parse_credential(credential)
    return LinkedInAdapter(account.ref, organization_urn=f"urn:li:organization:{account.identifier}",
                           access_token=stored["access_token"], expires_at=_expires(stored.get("expires_at")),
                           base_url=account.base_url, clock=clock)


def _facebook(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.meta import FacebookPageAdapter

    return FacebookPageAdapter(account.ref, page_id=account.identifier,
                               page_token=parse_credential(credential)["access_token"],
                               base_url=account.base_url, clock=clock)


def _instagram(account: "ConnectedAccount", credential: str, clock, save: SaveCredential) -> PlatformAdapter:
    from integrations.meta import InstagramAdapter

    return InstagramAdapter(account.ref, ig_user_id=account.identifier, page_id=account.options["page_id"],
                            page_token=parse_credential(credential)["access_token"],
                            base_url=account.base_url, clock=clock)


PLATFORMS: dict[str, PlatformSpec] = {spec.name: spec for spec in (
    PlatformSpec("bluesky", "Bluesky", "handle", "brand.bsky.social", "app password", _bluesky,
                 server="https://bsky.social",
                 notes="app password from Settings > Privacy and security > App passwords; DMs need a privileged one"),
    PlatformSpec("mastodon", "Mastodon", "user name", "brand", "access token", _mastodon, oauth=True,
                 notes="token from Preferences > Development, or sign in with the browser"),
    PlatformSpec("x", "X", "user name", "northwind", "OAuth 2 access token", _x,
                 server="https://api.x.com", server_fixed=True, oauth=True, options=("user_id",),
                 option_hints={"user_id": "numeric id (optional; looked up otherwise)"},
                 notes="replies only where the author mentioned the account; DM reads 15 per 15 min"),
    PlatformSpec("linkedin", "LinkedIn", "organization id", "2414183", "access token", _linkedin,
                 server="https://api.linkedin.com", server_fixed=True, oauth=True,
                 notes="company pages; no DMs and no search through the API; tokens last 60 days"),
    PlatformSpec("facebook", "Facebook Page", "Page id", "546349135390552", "Page access token", _facebook,
                 server="https://graph.facebook.com", server_fixed=True,
                 notes="Messenger replies only within 24 hours of the person's last message"),
    PlatformSpec("instagram", "Instagram", "Instagram user id", "17841400000000000", "Page access token",
                 _instagram, server="https://graph.facebook.com", server_fixed=True, options=("page_id",),
                 option_hints={"page_id": "the Facebook Page linked to the Instagram account"},
                 notes="images need a public URL; no delete; hashtag search only"),
)}


def platform_spec(name: str) -> PlatformSpec:
    try:
        return PLATFORMS[name]
    except KeyError:
        raise InvalidAction(f"{name!r} cannot be connected; connectable: {', '.join(PLATFORMS)}") from None
