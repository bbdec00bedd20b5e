"""The platform adapters of the workspace's accounts, as the worker's jobs use them.

The jobs that talk to platforms (the inbox's sync and replies, publishing
next) share one :class:`AccountAdapters`, so that an account has one
adapter (one HTTP client, one rate-limit state) in the worker. It follows
connects, reconnects and removals made meanwhile, here or in another
process: each call of :meth:`AccountAdapters.current` builds the adapters of
new accounts, rebuilds those of reconnected ones (a new credential), and
closes those no longer needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from console.accounts.records import ACCOUNTS
from console.accounts.service import AccountService
from data import Store
from integrations.base import PlatformAdapter

log = logging.getLogger("socops.worker")


class AccountAdapters:
    """One adapter per account, built when first needed and kept in step with the
    connected accounts. ``builtin`` gives the adapters that are not connected
    accounts (the sandbox's), by account id: built once and kept as they are."""

    def __init__(self, accounts: AccountService, store: Store, *,
                 builtin: Callable[[], dict[str, PlatformAdapter]] = dict) -> None:
        self.accounts = accounts
        self.store = store
        self._builtin = builtin
        self._builtin_ids: frozenset[str] = frozenset()
        self._adapters: dict[str, PlatformAdapter] | None = None
        #: account id -> the connection (a connect's id) its adapter was built for,
        #: to tell a reconnect (same account, new credential).
        self._connection: dict[str, str | None] = {}

    async def current(self) -> dict[str, PlatformAdapter]:
        """The adapter of every account, by account id, as of now."""
        if self._adapters is None:
            self._adapters = dict(self._builtin())
            self._builtin_ids = frozenset(self._adapters)
        self._adapters, gone = self._reconcile(self._adapters)
        for adapter in gone:
            await adapter.aclose()
        return dict(self._adapters)

    def _reconcile(self, current: dict[str, PlatformAdapter]
                   ) -> tuple[dict[str, PlatformAdapter], list[PlatformAdapter]]:
        """``(adapters now, adapters to close)``."""
        adapters = {key: adapter for key, adapter in current.items() if key in self._builtin_ids}
        gone: list[PlatformAdapter] = []
        for account in self.accounts.connected():
            account_id = account.ref.account_id
            if account_id in self._builtin_ids:
                continue
            stamp = (self.store.get(ACCOUNTS, account_id) or {}).get("connection")
            adapter = current.get(account_id)
            if adapter is not None and self._connection.get(account_id) == stamp:
                adapters[account_id] = adapter
                continue
            if adapter is not None:
                gone.append(adapter)  # reconnected: a new credential
            adapter = self.accounts.adapter_for(account)
            if adapter is None:
                log.warning("account %s has no credential in the keyring; reconnect it", account_id)
                continue
            self._connection[account_id] = stamp
            adapters[account_id] = adapter
        gone += [adapter for key, adapter in current.items() if key not in adapters and adapter not in gone]
        for key in set(self._connection) - set(adapters):
            del self._connection[key]
        return adapters, gone

    async def aclose(self) -> None:
        """Close every adapter (their HTTP clients); the next :meth:`current` builds them anew."""
        adapters, self._adapters = self._adapters or {}, None
        self._connection.clear()
        for adapter in adapters.values():
            await adapter.aclose()
