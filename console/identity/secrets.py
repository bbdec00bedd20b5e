"""Secrets (TOTP seeds, later platform tokens) kept with keyring, service ``socops``.

A secret never goes into the store, a log line or an exception message: the
messages here name the *entry* (``totp:alice``), never its value.

On a machine with no usable keyring backend (a headless SSH box, where keyring
falls back to ``keyring.backends.fail.Keyring``) :class:`NoKeyringBackend` says
what to configure. One exception keeps the README's quick start working on a
fresh machine: a workspace that has only the built-in sandbox (no real
accounts) keeps its seeds in a private file, ``<state_dir>/sandbox-secrets.json``
(mode 0600, never inside the store folder), and says so in :attr:`SecretStore.warning`.
Once a keyring is configured, entries still in that file are read from it
until they are written again (a write goes to the keyring and drops the
file's copy).
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from console.errors import ConsoleError

SERVICE = "socops"
SANDBOX_SECRETS_FILE = "sandbox-secrets.json"

log = logging.getLogger("socops.secrets")

KEYRING_HELP = (
    "configure a keyring backend for the account that runs socops: on a headless box "
    "`pip install keyrings.cryptfile`, then set `default-keyring=keyrings.cryptfile.cryptfile."
    "CryptFileKeyring` under [backend] in keyring's keyringrc.cfg (`python3 -m keyring diagnose` "
    "shows where that file goes) and give its passphrase in KEYRING_CRYPTFILE_PASSWORD; "
    "`socops doctor` checks the result"
)


class SecretStoreError(ConsoleError):
    """The keyring refused a read or write; the message names the entry, never its value."""


class NoKeyringBackend(SecretStoreError):
    """No usable keyring backend, and the workspace has real accounts (or asked for one)."""


def entry_name(kind: str, name: str) -> str:
    """``totp:alice``, ``token:bluesky:acme``: the keyring user name of a secret."""
    return f"{kind}:{name}"


def backend_description(backend: object) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__name__}"


def usable_backend(backend: object) -> bool:
    """False for keyring's 'fail' and 'null' backends and for an empty chain."""
    try:
        from keyring.backends import chainer, fail, null
    except ImportError:  # pragma: no cover - keyring is a dependency
        return False
    if isinstance(backend, (fail.Keyring, null.Keyring)):
        return False
    if isinstance(backend, chainer.ChainerBackend):
        return any(usable_backend(inner) for inner in backend.backends)
    return True


class SecretStore:
    """Read and write named secrets: keyring first, the sandbox file only as a fallback.

    ``sandbox_only`` (a bool, or a callable asked at each use) says the
    workspace has no real accounts, which is what allows the file fallback. The keyring backend is looked up on first use
    (loading keyring's backends costs time that a command which needs no
    secret should not pay).
    """

    def __init__(self, state_dir: Path, *, store_dir: Path | None = None,
                 sandbox_only: bool | Callable[[], bool] = False, backend: object | None = None) -> None:
        self.state_dir = Path(state_dir)
        self.fallback_path = self.state_dir / SANDBOX_SECRETS_FILE
        if store_dir is not None:
            store = Path(store_dir).resolve()
            if store == self.state_dir.resolve() or store in self.fallback_path.resolve().parents:
                raise ValueError("the sandbox secrets file must not be inside the store folder")
        self._sandbox_only = sandbox_only
        self._backend = backend
        self._resolved = backend is not None
        self._lock = threading.Lock()
        self._warned = False

    # -- which backend ---------------------------------------------------------------
    def _keyring(self):
        with self._lock:
            if not self._resolved:
                import keyring

                try:
                    self._backend = keyring.get_keyring()
                except Exception as error:  # noqa: BLE001 - a broken keyring config
                    log.warning("keyring could not load a backend: %s", type(error).__name__)
                    self._backend = None
                self._resolved = True
            backend = self._backend
        return backend if backend is not None and usable_backend(backend) else None

    @property
    def sandbox_only(self) -> bool:
        """True while the workspace has no real accounts (the file fallback is allowed)."""
        value = self._sandbox_only
        return bool(value() if callable(value) else value)

    @property
    def backend_name(self) -> str:
        backend = self._keyring()
        if backend is not None:
            return backend_description(backend)
        if self.sandbox_only:
            return f"sandbox file {self.fallback_path}"
        return "none"

    @property
    def using_fallback(self) -> bool:
        return self._keyring() is None and self.sandbox_only

    @property
    def warning(self) -> str:
        """What the doctor and the console show about where secrets live ('' when all is well)."""
        if self._keyring() is not None:
            return ""
        if self.sandbox_only:
            return (f"no keyring backend: the sandbox workspace keeps its TOTP seeds in "
                    f"{self.fallback_path}; configure a keyring before connecting real accounts")
        return f"no keyring backend: {KEYRING_HELP}"

    @property
    def help(self) -> str:
        """How to configure a keyring backend (for the doctor and the README)."""
        return KEYRING_HELP

    def check(self) -> None:
        """Raise :class:`NoKeyringBackend` unless secrets can be kept somewhere."""
        self._target()

    def require_keyring(self, what: str) -> None:
        """Platform credentials never go to the sandbox fallback file: raise
        :class:`NoKeyringBackend` naming ``what`` unless a real keyring is usable."""
        if self._keyring() is None:
            raise NoKeyringBackend(f"{what} needs a keyring to keep its credentials in, and this "
                                   f"machine has no usable backend; {KEYRING_HELP}")

    def _target(self):
        backend = self._keyring()
        if backend is not None:
            return backend
        if self.sandbox_only:
            return None
        raise NoKeyringBackend(f"no usable keyring backend to keep secrets in; {KEYRING_HELP}")

    # -- the operations --------------------------------------------------------------
    def get(self, name: str) -> str | None:
        backend = self._target()
        if backend is not None:
            try:
                value = backend.get_password(SERVICE, name)
            except Exception as error:  # noqa: BLE001 - keyring backends raise many kinds
                raise SecretStoreError(f"the keyring could not read {name} "
                                       f"({type(error).__name__}); {_unlock_hint()}") from None
            if value is not None:
                return value
        return self._file_read().get(name)

    def set(self, name: str, value: str) -> None:
        if not isinstance(value, str) or not value:
            raise ValueError(f"the secret for {name} must be a non-empty string")
        backend = self._target()
        if backend is None:
            if not self.fallback_path.exists() and not self._warned:
                self._warned = True       # loudly, once: when the file is first made
                log.warning("%s (%s)", self.warning, KEYRING_HELP)
            with self._file_locked() as entries:
                entries[name] = value
            return
        try:
            backend.set_password(SERVICE, name, value)
        except Exception as error:  # noqa: BLE001
            raise SecretStoreError(f"the keyring could not store {name} "
                                   f"({type(error).__name__}); {_unlock_hint()}") from None
        if self.fallback_path.exists():
            with self._file_locked() as entries:
                entries.pop(name, None)

    def delete(self, name: str) -> None:
        """Forget ``name`` wherever it is kept (no error when it is not there)."""
        backend = self._target()
        if backend is not None:
            try:
                if backend.get_password(SERVICE, name) is not None:
                    backend.delete_password(SERVICE, name)
            except Exception as error:  # noqa: BLE001
                raise SecretStoreError(f"the keyring could not delete {name} "
                                       f"({type(error).__name__}); {_unlock_hint()}") from None
        if self.fallback_path.exists():
            with self._file_locked() as entries:
                entries.pop(name, None)

    # -- the sandbox file ------------------------------------------------------------
    def _file_read(self) -> dict[str, str]:
        try:
            raw = self.fallback_path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise SecretStoreError(f"cannot read {self.fallback_path}: {error.strerror}") from None
        try:
            entries = json.loads(raw)
        except ValueError:
            raise SecretStoreError(f"{self.fallback_path} is not valid JSON; move it away and "
                                   "re-enrol the sandbox users (`socops user reset-totp NAME`)") from None
        if not isinstance(entries, dict):
            raise SecretStoreError(f"{self.fallback_path} does not hold a JSON object")
        return {str(k): str(v) for k, v in entries.items()}

    @contextmanager
    def _file_locked(self) -> Iterator[dict[str, str]]:
        """Read-modify-write the sandbox file under a lock; written 0600, atomically."""
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        lock_path = self.state_dir / (SANDBOX_SECRETS_FILE + ".lock")
        lock_fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX)
            entries = self._file_read()
            yield entries
            temporary = self.fallback_path.with_name(f".{SANDBOX_SECRETS_FILE}.{os.getpid()}.tmp")
            fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            try:
                os.fchmod(fd, 0o600)
                os.write(fd, json.dumps(entries, indent=1, sort_keys=True).encode("utf-8"))
                os.fsync(fd)
            finally:
                os.close(fd)
            os.replace(temporary, self.fallback_path)
        finally:
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)


def _unlock_hint() -> str:
    return "check that the keyring is unlocked and reachable (`socops doctor`)"
