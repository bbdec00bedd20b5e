"""The records of the accounts domain: a connected account, an account's
state as the panel shows it, and each account's sync state.

The sync state (``sync`` collection, one record per account) is written by
the jobs that talk to the platform (the inbox's sync, later publishing): its
cursor, when it last synced, and whether the platform refused the credential.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from data import CollectionSpec, Store
from integrations.base import AccountRef

ACCOUNTS = "accounts"
ACCOUNT_COLLECTIONS = (CollectionSpec(ACCOUNTS, schema_version=1),)

#: Each account's sync state: cursor, last sync, and the states below.
SYNC = "sync"
SYNC_OK = "ok"
SYNC_NEEDS_RECONNECT = "needs-reconnect"
SYNC_RATE_LIMITED = "rate-limited"
SYNC_FAILING = "failing"


@dataclass(frozen=True)
class ConnectedAccount:
    """A real platform account the worker syncs."""

    ref: AccountRef
    base_url: str
    identifier: str    # Bluesky handle, Mastodon/X user name, LinkedIn organization id, Meta Page/IG user id
    options: dict[str, str] = field(default_factory=dict)  # further non-secret settings (Instagram's page_id)

    def to_record(self) -> dict:
        return {"platform": self.ref.platform, "handle": self.ref.handle,
                "display_name": self.ref.display_name, "language": self.ref.language,
                "region": self.ref.region, "timezone": self.ref.timezone,
                "base_url": self.base_url, "identifier": self.identifier, "options": dict(self.options)}

    @classmethod
    def from_record(cls, record: dict) -> "ConnectedAccount":
        ref = AccountRef(platform=record["platform"], account_id=record["_key"], handle=record["handle"],
                         display_name=record.get("display_name", ""), language=record.get("language", ""),
                         region=record.get("region", ""), timezone=record.get("timezone", "UTC"))
        options = record.get("options")
        return cls(ref, record["base_url"], record["identifier"],
                   {str(k): str(v) for k, v in options.items()} if isinstance(options, dict) else {})


@dataclass(frozen=True)
class AccountState:
    """One account as the Accounts panel and ``account list`` show it."""

    ref: AccountRef
    server: str       # "" for the built-in sandbox
    state: str        # "sandbox", "ok", "needs-reconnect", "rate-limited", "failing", "not synced yet"
    detail: str = ""  # what the worker last said (platform text: untrusted)

    @property
    def connected(self) -> bool:
        return self.ref.platform != "sandbox"


def accounts_needing_reconnect(store: Store) -> tuple[str, ...]:
    """Accounts whose credentials the platform refused (from the sync records)."""
    return tuple(sorted(
        r["_key"] for r in store.records(SYNC) if r.get("state") == SYNC_NEEDS_RECONNECT
    ))
