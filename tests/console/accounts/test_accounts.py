"""Connecting platform accounts: the credential is checked with the platform,
kept only in the keyring, every change is audited, and the worker gets an
adapter for each connected account."""

from __future__ import annotations

import asyncio
from pathlib import Path

import keyring
import pytest
from keyring.backends import fail

from console.accounts import ACCOUNTS
from console.errors import InvalidAction
from console.permissions import PermissionDenied
from console.identity import NoKeyringBackend
from integrations.base import AuthError, InboundPage, PlatformAdapter
from tests.actors import RoleActor
from tests.console.identity_fixtures import memory_keyring  # noqa: F401

OWNER = RoleActor("olivia", "owner")
SECRET = "app-pass-4x7q-9zzk"


class FakeAdapter(PlatformAdapter):
    platform = "bluesky"

    def __init__(self, account, credential, refuse=False):
        super().__init__(account)
        self.credential = credential
        self.refuse = refuse

    async def fetch_inbound(self, cursor, limit=100):
        if self.refuse:
            raise AuthError("Invalid identifier or password", platform="bluesky")
        return InboundPage([], cursor)

    async def send_reply(self, item, text, *, idempotency_key):
        raise NotImplementedError


class FakePlatform:
    """Builds fake adapters; ``refuse`` makes the platform reject the credential."""

    def __init__(self) -> None:
        self.refuse = False
        self.saves = []  # the save-credential callbacks handed to adapters

    def adapter(self, account, credential, clock, save) -> FakeAdapter:
        self.saves.append(save)
        return FakeAdapter(account.ref, credential, refuse=self.refuse)


@pytest.fixture
def platform() -> FakePlatform:
    return FakePlatform()


@pytest.fixture
def accounts(workspace, memory_keyring, platform):
    workspace.platform_accounts.adapter_factory = platform.adapter
    return workspace.platform_accounts


def connect(accounts, **extra):
    return asyncio.run(accounts.connect(OWNER, "bluesky", base_url="https://pds.example",
                                        identifier="brand.example", credential=SECRET, region="EU", **extra))


def test_connect_keeps_the_account_and_only_the_keyring_has_the_credential(workspace, accounts):
    assert workspace.account_handle("bluesky:brand.example") == "bluesky:brand.example"
    account = connect(accounts)
    assert workspace.account_handle("bluesky:brand.example") == "@brand.example"
    assert workspace.account_region("bluesky:brand.example") == "EU"
    assert account.ref.account_id == "bluesky:brand.example" and account.ref.region == "EU"
    assert [a.account_id for a in workspace.accounts][-1] == "bluesky:brand.example"
    assert workspace.secrets.get("account:bluesky:brand.example") == SECRET
    assert not workspace.sandbox_only
    workspace.store.compact()
    for path in Path(workspace.paths.data_dir).rglob("*"):
        if path.is_file():
            assert SECRET.encode() not in path.read_bytes(), path
    adapters = asyncio.run(workspace.make_account_adapters().current())
    assert adapters["bluesky:brand.example"].credential == SECRET
    last = list(workspace.audit.events())[-1]
    assert (last["actor"], last["action"]) == ("olivia", "account.connect") and SECRET not in last["summary"]


def test_a_refused_credential_keeps_nothing(workspace, accounts, platform):
    platform.refuse = True
    with pytest.raises(InvalidAction, match="refused the connection"):
        connect(accounts)
    assert workspace.store.count(ACCOUNTS) == 0
    assert workspace.secrets.get("account:bluesky:brand.example") is None


def test_connecting_needs_a_real_keyring(workspace, accounts):
    keyring.set_keyring(fail.Keyring())
    with pytest.raises(NoKeyringBackend, match="needs a keyring"):
        connect(accounts)
    assert workspace.store.count(ACCOUNTS) == 0


def test_remove_forgets_account_and_credential(workspace, accounts):
    connect(accounts)
    accounts.remove(OWNER, "bluesky:brand.example")
    assert workspace.store.count(ACCOUNTS) == 0
    assert workspace.secrets.get("account:bluesky:brand.example") is None
    assert list(workspace.audit.events())[-1]["action"] == "account.remove"


def test_only_account_managers_connect_and_bad_input_is_refused(workspace, accounts):
    with pytest.raises(PermissionDenied, match="needs account.manage"):
        asyncio.run(accounts.connect(RoleActor("rosa", "responder"), "bluesky", base_url="https://pds.example",
                                     identifier="brand.example", credential=SECRET))
    with pytest.raises(InvalidAction, match="cannot be connected; connectable: bluesky, mastodon, x"):
        asyncio.run(accounts.connect(OWNER, "myspace", base_url="https://x", identifier="a", credential="b"))
    with pytest.raises(InvalidAction, match="not a server address"):
        asyncio.run(accounts.connect(OWNER, "bluesky", base_url="pds", identifier="a", credential="b"))
    connect(accounts)
    with pytest.raises(InvalidAction, match="connected already"):
        connect(accounts)


class ClosingAdapter(FakeAdapter):
    closed = False

    async def aclose(self):
        self.closed = True


def test_the_jobs_adapters_follow_connects_reconnects_and_removals(workspace, accounts, platform):
    workspace.platform_accounts.adapter_factory = (
        lambda account, credential, clock, save: ClosingAdapter(account.ref, credential))
    adapters = workspace.make_account_adapters()
    current = lambda: asyncio.run(adapters.current())  # noqa: E731 - what a job sees each run
    sandbox_ids = set(current())
    assert sandbox_ids and all(key.startswith("sandbox:") for key in sandbox_ids)

    connect(accounts)
    first = current()["bluesky:brand.example"]
    assert set(current()) == sandbox_ids | {"bluesky:brand.example"}
    assert current()["bluesky:brand.example"] is first  # unchanged: kept, not rebuilt

    accounts.remove(OWNER, "bluesky:brand.example")
    asyncio.run(accounts.connect(OWNER, "bluesky", base_url="https://pds.example", identifier="brand.example",
                                 credential="a-new-app-password"))
    second = current()["bluesky:brand.example"]
    assert second is not first and first.closed and second.credential == "a-new-app-password"

    accounts.remove(OWNER, "bluesky:brand.example")
    assert set(current()) == sandbox_ids and second.closed


def test_the_worker_syncs_a_newly_connected_account_on_its_next_run(workspace, accounts, clock):
    worker = workspace.make_worker()
    asyncio.run(worker.run_all())
    connect(accounts)
    clock.advance(seconds=workspace.config.poll_seconds)
    asyncio.run(worker.run_due())
    sync = workspace.store.get("sync", "bluesky:brand.example")
    assert sync is not None and sync["state"] == "ok"
    asyncio.run(worker.aclose())


def test_reconnecting_clears_the_old_needs_reconnect_state(workspace, accounts):
    connect(accounts)
    workspace.store.update("sync", "bluesky:brand.example", {"state": "needs-reconnect", "detail": "revoked"},
                           expected_version=None, actor="worker")
    assert workspace.needs_reconnect() == ("bluesky:brand.example",)
    accounts.remove(OWNER, "bluesky:brand.example")
    connect(accounts)
    assert workspace.needs_reconnect() == ()


def test_a_refreshed_token_is_written_back_to_the_keyring(workspace, accounts, platform):
    connect(accounts)
    (account,) = accounts.connected()
    accounts.adapter_for(account)
    platform.saves[-1]('{"access_token": "fresh"}')
    assert workspace.secrets.get("account:bluesky:brand.example") == '{"access_token": "fresh"}'


def test_account_states_list_the_sandbox_and_each_connected_account(workspace, accounts):
    connect(accounts)
    states = workspace.account_states(OWNER)
    assert [s.state for s in states] == ["sandbox", "sandbox", "sandbox", "not synced yet"]
    assert states[-1].server == "https://pds.example" and states[-1].connected
    assert not states[0].connected
