"""The platform accounts the team connects, and how each platform is reached.

- ``records.py``: :class:`ConnectedAccount`, :class:`AccountState`, and each
  account's sync state (``sync``: cursor, last sync, needs reconnect...).
- ``service.py``: :class:`AccountService`: connect (the credential checked
  with the platform, then kept in the keyring), list, test, remove.
- ``adapters.py``: :class:`AccountAdapters`: one adapter per account for the
  worker's jobs, kept in step with connects, reconnects and removals.
- ``platforms.py``: one :class:`PlatformSpec` per platform: what connecting it
  takes and how its adapter is built.
- ``browser_sign_in.py``: OAuth 2 sign-in with PKCE and a loopback redirect,
  or a pasted redirect address over SSH.
"""

from console.accounts.adapters import AccountAdapters
from console.accounts.browser_sign_in import REDIRECT_PORT, SIGN_IN_PLATFORMS, redirect_address, sign_in
from console.accounts.platforms import PLATFORMS, PlatformSpec, platform_spec
from console.accounts.records import (
    ACCOUNT_COLLECTIONS,
    ACCOUNTS,
    SYNC,
    SYNC_FAILING,
    SYNC_NEEDS_RECONNECT,
    SYNC_OK,
    SYNC_RATE_LIMITED,
    AccountState,
    ConnectedAccount,
    accounts_needing_reconnect,
)
from console.accounts.service import CONNECTABLE, AccountService, build_adapter, credential_entry

__all__ = [
    "ACCOUNTS", "ACCOUNT_COLLECTIONS", "CONNECTABLE", "PLATFORMS", "REDIRECT_PORT", "SIGN_IN_PLATFORMS", "SYNC",
    "SYNC_FAILING", "SYNC_NEEDS_RECONNECT", "SYNC_OK", "SYNC_RATE_LIMITED", "AccountAdapters", "AccountService",
    "AccountState", "ConnectedAccount", "PlatformSpec", "accounts_needing_reconnect", "build_adapter",
    "credential_entry", "platform_spec", "redirect_address", "sign_in",
]
