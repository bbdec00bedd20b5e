"""Connected platform accounts: connect, list, test and remove them.

What an account is (platform, handle, server, region, time zone) is kept in
the store, so every process sees it; its credential (a Bluesky app password,
a Mastodon access token) is kept only in the OS keyring, under
``account:<account id>``, and is never written to the store, a log or an
error message. Connecting checks the credential with the platform first.
Every change is audited.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

from console.permissions import ACCOUNT_MANAGE, ACCOUNT_VIEW, Actor
from console.audit import AuditNote, AuditTrail
from console.errors import InvalidAction
from console.records import format_time
from console.identity import SecretStore
from data import Store
from console.accounts.platforms import PLATFORMS, SaveCredential, platform_spec
from console.accounts.records import ACCOUNTS, SYNC, ConnectedAccount
from integrations.base import AccountRef, AdapterError, PlatformAdapter

#: Platforms that can be connected, and what their credential is called.
CONNECTABLE = {name: spec.credential for name, spec in PLATFORMS.items()}

_IDENTIFIER = re.compile(r"^[A-Za-z0-9._@:-]{1,120}$")
_OPTION = re.compile(r"^[A-Za-z0-9._:-]{1,120}$")


def credential_entry(account_id: str) -> str:
    return f"account:{account_id}"


def build_adapter(account: ConnectedAccount, credential: str, clock: Callable[[], Any],
                  save_credential: SaveCredential | None = None) -> PlatformAdapter:
    """The adapter of ``account``'s platform, holding ``credential``."""
    return platform_spec(account.ref.platform).build(account, credential, clock,
                                                     save_credential or (lambda _text: None))


class AccountService:
    """Connect, list, test and remove the team's platform accounts."""

    def __init__(self, store: Store, audit: AuditTrail, secrets: SecretStore, clock: Callable[[], Any], *,
                 adapter_factory: Callable[..., PlatformAdapter] = build_adapter) -> None:
        self.store = store
        self.audit = audit
        self.secrets = secrets
        self.clock = clock
        self.adapter_factory = adapter_factory

    # -- reading -------------------------------------------------------------------------
    def connected(self) -> list[ConnectedAccount]:
        """Every connected account (internal: for the worker)."""
        return sorted((ConnectedAccount.from_record(r) for r in self.store.records(ACCOUNTS)),
                      key=lambda a: a.ref.account_id)

    def list(self, actor: Actor) -> list[ConnectedAccount]:
        actor.require(ACCOUNT_VIEW)
        return self.connected()

    def get(self, account_id: str) -> ConnectedAccount:
        record = self.store.get(ACCOUNTS, account_id)
        if record is None:
            raise InvalidAction(f"no connected account {account_id!r}; `socops account list` shows them")
        return ConnectedAccount.from_record(record)

    def adapter_for(self, account: ConnectedAccount) -> PlatformAdapter | None:
        """The account's adapter, or None when its credential is missing from the keyring."""
        entry = credential_entry(account.ref.account_id)
        credential = self.secrets.get(entry)
        if not credential:
            return None
        return self.adapter_factory(account, credential, self.clock, lambda text: self.secrets.set(entry, text))

    # -- changing ------------------------------------------------------------------------
    async def connect(self, actor: Actor, platform: str, *, base_url: str = "", identifier: str, credential: str,
                      handle: str = "", display_name: str = "", language: str = "", region: str = "",
                      timezone: str = "UTC", options: dict[str, str] | None = None) -> ConnectedAccount:
        """Check ``credential`` with the platform, then keep the account (and the
        credential in the keyring). A high-risk action: it needs a fresh code."""
        actor.require(ACCOUNT_MANAGE)
        spec = platform_spec(platform)
        identifier = identifier.strip().lstrip("@")
        if not _IDENTIFIER.match(identifier):
            raise InvalidAction(f"{identifier!r} is not a {spec.account_label} for {spec.title}")
        base_url = (spec.server if spec.server_fixed else base_url.strip() or spec.server)
        if not base_url.startswith(("https://", "http://")):
            raise InvalidAction(f"{base_url!r} is not a server address; use https://..." if base_url
                                else f"{spec.title} needs the server address, e.g. https://mastodon.social")
        if not credential.strip():
            raise InvalidAction(f"the {spec.credential} is empty")
        options = {k: v.strip() for k, v in (options or {}).items() if v and v.strip()}
        for name in options:
            if name not in spec.options:
                raise InvalidAction(f"{spec.title} has no setting {name!r}")
            if not _OPTION.match(options[name]):
                raise InvalidAction(f"{options[name]!r} is not a valid {name}")
        missing = [name for name in spec.options if name not in options and "optional" not in
                   spec.option_hints.get(name, "")]
        if missing:
            raise InvalidAction(f"{spec.title} needs {', '.join(missing)}")
        account_id = f"{platform}:{identifier}"
        if self.store.has(ACCOUNTS, account_id):
            raise InvalidAction(f"{account_id} is connected already; remove it first to reconnect")
        self.secrets.require_keyring(f"connecting {account_id}")
        account = ConnectedAccount(
            AccountRef(platform, account_id, handle or f"@{identifier}", display_name, language, region,
                       timezone), base_url.rstrip("/"), identifier, options)
        await self._check(account, credential.strip())
        self.secrets.set(credential_entry(account_id), credential.strip())

        def keep(tx) -> AuditNote:
            # ``connection`` tells a reconnect (a new credential) from the account the worker has
            tx.insert(ACCOUNTS, account_id, dict(account.to_record(), connected_at=format_time(self.clock()),
                                                 connection=uuid.uuid4().hex))
            sync = tx.get(SYNC, account_id)
            if sync is not None:  # a reconnect: the old "needs reconnect" no longer holds
                tx.delete(SYNC, account_id, expected_version=sync["_v"])
            return AuditNote("account.connect", f"account/{account_id}",
                             f"{platform} at {account.base_url}, region {region or '-'}")

        try:
            self.audit.apply(actor.name, keep)
        except BaseException:
            self.secrets.delete(credential_entry(account_id))
            raise
        return account

    async def test(self, actor: Actor, account_id: str) -> str:
        """Fetch from the platform once with the kept credential; says what happened."""
        actor.require(ACCOUNT_MANAGE)
        account = self.get(account_id)
        credential = self.secrets.get(credential_entry(account_id))
        if not credential:
            raise InvalidAction(f"{account_id} has no credential in the keyring; remove and connect it again")
        await self._check(account, credential)
        return f"{account_id}: connected, the platform accepted the {platform_spec(account.ref.platform).credential}"

    def remove(self, actor: Actor, account_id: str) -> None:
        """Forget the account and its credential (items already in the inbox stay)."""
        actor.require(ACCOUNT_MANAGE)
        record = self.store.get(ACCOUNTS, account_id)
        if record is None:
            raise InvalidAction(f"no connected account {account_id!r}")

        def forget(tx) -> AuditNote:
            tx.delete(ACCOUNTS, account_id, expected_version=record["_v"])
            return AuditNote("account.remove", f"account/{account_id}", "credential deleted from the keyring")

        self.audit.apply(actor.name, forget)
        self.secrets.delete(credential_entry(account_id))

    async def _check(self, account: ConnectedAccount, credential: str) -> None:
        entry = credential_entry(account.ref.account_id)
        adapter = self.adapter_factory(account, credential, self.clock,
                                       lambda text: self.secrets.set(entry, text))
        try:
            await adapter.fetch_inbound(None, limit=1)
        except AdapterError as error:
            raise InvalidAction(f"{account.ref.platform} refused the connection: {error}") from None
        finally:
            await adapter.aclose()
