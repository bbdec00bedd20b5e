"""The secret store: keyring first, the sandbox file only as a fallback, and no
secret ever in the store, a log or an error message."""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

import pytest

from console.cli import main as cli_main
from console.paths import workspace_paths
from console.identity import SANDBOX_SECRETS_FILE, NoKeyringBackend, SecretStore, SecretStoreError
from console.workspace import Workspace
from tests.console.identity_fixtures import (MemoryKeyring, People, act_as, cli_clock, memory_keyring,  # noqa: F401
                                             no_keyring, people)


def test_secrets_live_in_the_keyring_under_the_socops_service(tmp_path, memory_keyring):
    secrets = SecretStore(tmp_path / "state")
    secrets.set("totp:alice", "SEEDSEEDSEED")
    assert memory_keyring.entries == {("socops", "totp:alice"): "SEEDSEEDSEED"}
    assert secrets.get("totp:alice") == "SEEDSEEDSEED" and secrets.warning == ""
    secrets.delete("totp:alice")
    secrets.delete("totp:alice")              # forgetting twice is fine
    assert secrets.get("totp:alice") is None
    assert not (tmp_path / "state" / SANDBOX_SECRETS_FILE).exists()


def test_no_keyring_backend_says_what_to_configure(tmp_path, no_keyring):
    secrets = SecretStore(tmp_path / "state", sandbox_only=False)
    with pytest.raises(NoKeyringBackend) as error:
        secrets.set("totp:alice", "SEEDSEEDSEED")
    message = str(error.value)
    assert "pip install keyrings.cryptfile" in message
    assert "keyrings.cryptfile.cryptfile.CryptFileKeyring" in message and "keyringrc.cfg" in message
    assert "python3 -m keyring diagnose" in message
    assert "SEEDSEEDSEED" not in message
    assert secrets.warning.startswith("no keyring backend: ")


def test_a_sandbox_only_workspace_falls_back_to_a_private_file_and_says_so(tmp_path, no_keyring, caplog):
    state, store_dir = tmp_path / "state", tmp_path / "data" / "store"
    secrets = SecretStore(state, store_dir=store_dir, sandbox_only=True)
    secrets.set("totp:alice", "SEEDSEEDSEED")
    secrets.set("totp:bob", "OTHERSEED")
    path = state / SANDBOX_SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store_dir not in path.parents
    assert secrets.get("totp:alice") == "SEEDSEEDSEED"
    assert secrets.warning.startswith(f"no keyring backend: the sandbox workspace keeps its TOTP seeds in "
                                      f"{path}; configure a keyring before connecting real accounts")
    assert caplog.text.count("no keyring backend") == 1      # loudly, once
    secrets.delete("totp:alice")
    assert secrets.get("totp:alice") is None and secrets.get("totp:bob") == "OTHERSEED"
    with pytest.raises(ValueError, match="inside the store folder"):
        SecretStore(store_dir, store_dir=store_dir)


def test_the_fallback_stops_when_real_accounts_arrive(tmp_path, no_keyring):
    real = {"connected": False}
    secrets = SecretStore(tmp_path, sandbox_only=lambda: not real["connected"])
    secrets.set("totp:alice", "SEEDSEEDSEED")
    real["connected"] = True
    with pytest.raises(NoKeyringBackend):
        secrets.get("totp:alice")


def test_a_configured_keyring_takes_over_from_the_sandbox_file(tmp_path, no_keyring):
    secrets = SecretStore(tmp_path, sandbox_only=True)
    secrets.set("totp:alice", "SEEDSEEDSEED")
    backend = MemoryKeyring()
    later = SecretStore(tmp_path, sandbox_only=True, backend=backend)
    assert later.get("totp:alice") == "SEEDSEEDSEED" and later.warning == ""
    later.set("totp:alice", "NEWSEED")
    assert backend.entries[("socops", "totp:alice")] == "NEWSEED"
    assert "SEEDSEEDSEED" not in (tmp_path / SANDBOX_SECRETS_FILE).read_text()


class BrokenKeyring(MemoryKeyring):
    def set_password(self, service, username, password):
        raise RuntimeError(f"cannot store {password}")


def test_keyring_errors_name_the_entry_never_the_secret(tmp_path):
    secrets = SecretStore(tmp_path, backend=BrokenKeyring())
    with pytest.raises(SecretStoreError) as error:
        secrets.set("totp:alice", "SEEDSEEDSEED")
    assert "totp:alice" in str(error.value) and "SEEDSEEDSEED" not in str(error.value)
    assert error.value.__cause__ is None and error.value.__suppress_context__


def test_the_workspace_uses_the_fallback_only_while_it_has_only_the_sandbox(workspace, no_keyring):
    assert workspace.sandbox_only
    enrollment = workspace.users.bootstrap_owner("olivia")
    path = workspace.paths.state_dir / SANDBOX_SECRETS_FILE
    assert enrollment.secret in path.read_text()
    assert str(path) in workspace.secrets.warning


def test_a_workspace_with_the_sandbox_off_needs_a_keyring(open_workspace, no_keyring):
    paths = workspace_paths()
    paths.ensure()
    paths.config_file.write_text("[sandbox]\nenabled = false\n", encoding="utf-8")
    workspace = open_workspace()
    with pytest.raises(NoKeyringBackend):
        workspace.users.bootstrap_owner("olivia")
    assert workspace.users.needs_bootstrap()          # nothing half-done


def _files_under(root: Path):
    for folder, _, names in os.walk(root):
        for name in names:
            yield Path(folder) / name


def _scan(root: Path, secrets: list[str], log_text: str, *, allowed: set[Path] = frozenset()) -> list[str]:
    found = []
    for path in _files_under(root):
        if path in allowed:
            continue
        data = path.read_bytes()
        for secret in secrets:
            for variant in {secret, secret.lower()}:
                if variant.encode("utf-8") in data:
                    found.append(f"{secret[:3]}... in {path}")
    for secret in secrets:
        if secret in log_text or secret.lower() in log_text:
            found.append(f"{secret[:3]}... in the logs")
    return found


def _exercise_every_path(workspace: Workspace, people: People, clock, monkeypatch, capsys) -> list[str]:
    """Write seeds and passphrases through the services and the CLI; return them all."""
    known = ["owner passphrase 1", "bob's passphrase", "changed passphrase", "a WRONG passphrase",
             "cli passphrase 99"]
    workspace.users.bootstrap_owner("olivia", "Olivia", passphrase=known[0])
    seeds = [people.secret("olivia")]
    owner = workspace.auth.login("olivia", people.code("olivia"), known[0])
    people.next_step()
    owner.acknowledge_policy()
    workspace.users.add(owner, "bob", "manager", passphrase=known[1])
    seeds.append(people.secret("bob"))
    bob = people.login("bob", known[1])
    workspace.users.set_passphrase(bob, "bob", known[2])
    with pytest.raises(Exception):
        workspace.auth.login("bob", people.code("bob"), known[3])
    people.next_step()
    bob.step_up(people.code("bob"))
    people.next_step()
    workspace.users.reset_totp(owner, "bob")
    seeds.append(people.secret("bob"))
    clock.advance(hours=1)
    with pytest.raises(Exception):
        bob.require("inbox.read")
    bob.unlock(people.code("bob"))
    people.next_step()
    workspace.store.compact()

    # the CLI: add a user with a passphrase, acting as olivia with a code and passphrase
    act_as(monkeypatch, people, "olivia")
    monkeypatch.setenv("SOCOPS_PASSPHRASE", known[0])
    monkeypatch.setenv("SOCOPS_NEW_PASSPHRASE", known[4])
    assert cli_main.main(["user", "add", "carol", "--role", "editor", "--passphrase"]) == 0, \
        capsys.readouterr().err
    out = capsys.readouterr().out
    workspace.store.refresh()
    seeds.append(workspace.secrets.get("totp:carol"))
    assert seeds[-1] in out                       # shown once, to the person enrolling
    return seeds + known


def test_known_secrets_appear_in_no_file_and_no_log(workspace, people, clock, monkeypatch, capsys, caplog,
                                                    cli_clock):
    caplog.set_level(logging.DEBUG)
    secrets = _exercise_every_path(workspace, people, clock, monkeypatch, capsys)
    workspace.close()
    home = Path(os.environ["SOCOPS_HOME"])
    assert _scan(home, secrets, caplog.text) == []
    assert len(list(_files_under(home))) > 3


def test_with_the_sandbox_fallback_only_that_private_file_holds_seeds(workspace, people, clock, monkeypatch,
                                                                      capsys, caplog, no_keyring, cli_clock):
    caplog.set_level(logging.DEBUG)
    secrets = _exercise_every_path(workspace, people, clock, monkeypatch, capsys)
    workspace.close()
    home = Path(os.environ["SOCOPS_HOME"])
    fallback = workspace.paths.state_dir / SANDBOX_SECRETS_FILE
    assert _scan(home, secrets, caplog.text, allowed={fallback}) == []
    assert stat.S_IMODE(fallback.stat().st_mode) == 0o600
    assert workspace.paths.store_dir not in fallback.parents
    content = fallback.read_text()
    olivia, bob_before_reset, bob, carol = secrets[:4]
    assert olivia in content and bob in content and carol in content
    assert bob_before_reset not in content                          # a reset forgets the old seed
    assert not any(phrase in content for phrase in secrets[4:])     # passphrases: hashes only, in the store
