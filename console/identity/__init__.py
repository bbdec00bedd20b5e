"""The people who use the console: who they are, how they prove it, and what
they have been trained for.

- ``users.py``: :class:`UserService`: console users, their role and scope,
  their TOTP second factor and optional passphrase; disabling and enabling.
- ``sessions.py``: :class:`Authenticator` (login, lockout) and the logged-in
  :class:`Session`, the actor of people, with idle lock and step-up.
- ``totp.py``: TOTP codes (RFC 6238) and the enrolment QR code as text.
- ``secrets.py``: :class:`SecretStore`: TOTP seeds and platform tokens in the
  OS keyring, never in the store.
- ``training.py``: :class:`TrainingService`: courses completed, and until when.

What each role may do is ``console/permissions/``; the governance file that
names roles, login rules and courses is ``console/governance.py``.
"""

from console.identity.secrets import (
    SANDBOX_SECRETS_FILE,
    NoKeyringBackend,
    SecretStore,
    SecretStoreError,
)
from console.identity.sessions import (
    AccountLocked,
    Authenticator,
    LoginFailed,
    PassiveSession,
    PassphraseRequired,
    Session,
    WrongCredentials,
)
from console.identity.totp import INTERVAL, code_at
from console.identity.training import TRAINING_COLLECTIONS, TrainingError, TrainingService
from console.identity.users import (
    USER_COLLECTIONS,
    USERNAME_PATTERN,
    USERS,
    Enrollment,
    LastOwnerError,
    User,
    UserError,
    UserNotFound,
    UserService,
    normalize_username,
    totp_entry,
)

__all__ = [
    "INTERVAL", "SANDBOX_SECRETS_FILE", "TRAINING_COLLECTIONS", "USERNAME_PATTERN", "USERS", "USER_COLLECTIONS",
    "AccountLocked", "Authenticator", "Enrollment", "LastOwnerError", "LoginFailed", "NoKeyringBackend",
    "PassiveSession", "PassphraseRequired", "SecretStore", "SecretStoreError", "Session", "TrainingError",
    "TrainingService", "User", "UserError", "UserNotFound", "UserService", "WrongCredentials", "code_at",
    "normalize_username", "totp_entry",
]
