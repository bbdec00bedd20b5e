"""Console users: who they are, their role and scope, their second factor.

A user is a record in the ``users`` collection, keyed by user name. The TOTP
seed is never in that record: it lives in the :class:`SecretStore`
(``totp:<username>``). An optional passphrase is kept only as an scrypt hash.
Every change goes through :meth:`AuditTrail.apply`, so the change and its
audit event are one store transaction; the checks that depend on other users
(the last enabled owner) run inside it, on the state that the audit chain's
compare-and-set proves current.

Rules: every call needs ``user.manage`` (a high-risk permission: a fresh
code); only owners may add, change or disable owners or grant the owner role;
nobody can disable or demote the last enabled owner. Anyone may see their
own record (:meth:`UserService.show` of oneself needs no permission).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from console.permissions import PERMISSIONS, USER_MANAGE, Actor, PermissionDenied, RoleBook, Scope
from console.audit import AuditNote, AuditTrail
from console.errors import ConsoleError
from console.records import format_time, parse_time
from console.identity.secrets import SecretStore, entry_name
from console.identity.totp import new_secret, provisioning_uri, qr_text
from data import CollectionSpec, Store

USERS = "users"
USER_COLLECTIONS = (CollectionSpec(USERS, schema_version=1),)

OWNER = "owner"
BOOTSTRAP_ACTOR = "bootstrap"
#: audit actors that are not people (the first owner's creation, logins with unknown names, the
#: worker, crisis mode handing an approved holding statement to publishing, the sandbox's demo content)
RESERVED_NAMES = frozenset({BOOTSTRAP_ACTOR, "unknown-user", "system", "worker", "installer", "crisis", "sandbox"})
USERNAME_PATTERN = re.compile(r"[a-z0-9._-]{2,32}")

SCRYPT_N, SCRYPT_R, SCRYPT_P = 2 ** 14, 8, 1
MIN_PASSPHRASE = 8


class UserError(ConsoleError):
    """A user change that cannot be done as asked."""


class UserNotFound(UserError):
    """No console user has that name."""


class LastOwnerError(UserError):
    """The change would leave no enabled owner."""


def totp_entry(username: str) -> str:
    return entry_name("totp", username)


def normalize_username(text: str) -> str:
    """Lower-case and check a user name; UserError says what is allowed."""
    name = (text or "").strip().lower()
    if not USERNAME_PATTERN.fullmatch(name):
        raise UserError(f"{name[:40]!r} is not a valid user name: use 2 to 32 of a-z, 0-9, '.', '_', '-'")
    return name


# -- passphrases -----------------------------------------------------------------------
def hash_passphrase(passphrase: str, *, salt: bytes | None = None) -> dict:
    salt = salt or os.urandom(16)
    digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P,
                            maxmem=64 * 1024 * 1024, dklen=32)
    return {"algorithm": "scrypt", "n": SCRYPT_N, "r": SCRYPT_R, "p": SCRYPT_P,
            "salt": salt.hex(), "hash": digest.hex()}


def check_passphrase(passphrase: str, stored: dict | None) -> bool:
    """Constant-time check of ``passphrase`` against a stored scrypt hash."""
    if not stored or stored.get("algorithm") != "scrypt":
        return False
    try:
        digest = hashlib.scrypt(passphrase.encode("utf-8"), salt=bytes.fromhex(stored["salt"]),
                                n=int(stored["n"]), r=int(stored["r"]), p=int(stored["p"]),
                                maxmem=64 * 1024 * 1024, dklen=len(bytes.fromhex(stored["hash"])))
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(digest, bytes.fromhex(stored["hash"]))


def _check_new_passphrase(passphrase: str) -> None:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"a passphrase needs at least {MIN_PASSPHRASE} characters")


def _lockout_summary(record: dict, now: datetime) -> str:
    """What an admin's unlock clears in ``record``: a lockout in force and the wrong
    codes counted towards the next one ("" when there is nothing to clear)."""
    parts = []
    until = parse_time(record.get("locked_until"))
    if until is not None and now < until:
        parts.append(f"lockout until {record['locked_until']}")
    if int(record.get("failed_logins") or 0):
        parts.append(f"{record['failed_logins']} wrong codes in a row")
    return " and ".join(parts)


# -- the domain record -----------------------------------------------------------------
@dataclass(frozen=True)
class User:
    username: str
    display_name: str
    role: str
    scope: Scope
    disabled: bool
    has_passphrase: bool
    totp_enrolled: bool
    failed_logins: int
    locked_until: datetime | None
    last_totp_step: int
    policy_version_acknowledged: int
    created_at: datetime | None
    version: int
    last_login_at: datetime | None = None

    def locked_at(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    @property
    def label(self) -> str:
        return f"{self.username} ({self.role})"


def user_from_record(record: dict) -> User:
    return User(
        username=record["_key"],
        display_name=record.get("display_name", ""),
        role=record["role"],
        scope=Scope.from_record(record.get("scope")),
        disabled=bool(record.get("disabled", False)),
        has_passphrase=bool(record.get("passphrase")),
        totp_enrolled=bool(record.get("totp_enrolled", False)),
        failed_logins=int(record.get("failed_logins", 0)),
        locked_until=parse_time(record.get("locked_until")),
        last_totp_step=int(record.get("last_totp_step") or 0),
        policy_version_acknowledged=int(record.get("policy_version_acknowledged", 0)),
        created_at=parse_time(record.get("created_at")),
        version=record["_v"],
        last_login_at=parse_time(record.get("last_login_at")),
    )


@dataclass(frozen=True)
class Enrollment:
    """What a new (or re-enrolled) user scans into an authenticator app, once.

    ``secret`` is shown to the person enrolling and never kept anywhere but
    the secret store; do not log or store this object.
    """

    username: str
    secret: str
    uri: str
    qr_text: str

    def __repr__(self) -> str:  # keep the secret out of tracebacks and logs
        return f"Enrollment(username={self.username!r}, secret=<hidden>)"


@dataclass(frozen=True)
class Access:
    """What ``show`` says about a user's permissions."""

    user: User
    permissions: frozenset[str]
    missing: dict[str, str]       # permission -> why the user does not have it


class UserService:
    """Add, change and read console users; every change audited."""

    def __init__(self, store: Store, audit: AuditTrail, secrets: SecretStore,
                 roles: Callable[[], RoleBook], clock: Callable[[], datetime], *,
                 policy_version: Callable[[], int] = lambda: 1,
                 training_gaps: Callable[[str, str, date], list[str]] | None = None) -> None:
        self.store = store
        self.audit = audit
        self.secrets = secrets
        self.roles = roles
        self.clock = clock
        self.policy_version = policy_version
        # (username, permission, today) -> reasons the user's training does not allow it
        self.training_gaps = training_gaps

    # -- reading -----------------------------------------------------------------------
    def needs_bootstrap(self) -> bool:
        """No user yet, or only a first owner whose enrolment was never completed
        (they never logged in): then the first run may start again."""
        return self.store.count(USERS) == 0 or self._abandoned_owner() is not None

    def _abandoned_owner(self) -> dict | None:
        if self.store.count(USERS) != 1:
            return None
        record = next(iter(self.store.records(USERS)))
        if record.get("role") == OWNER and not record.get("last_login_at") and record.get("enrolment_pending"):
            return record
        return None

    def find(self, username: str) -> User | None:
        """The user, or None (internal: no permission check)."""
        try:
            name = normalize_username(username)
        except UserError:
            return None
        record = self.store.get(USERS, name)
        return None if record is None else user_from_record(record)

    def get(self, username: str) -> User:
        """The user (internal: no permission check); UserNotFound if there is none."""
        user = self.find(username)
        if user is None:
            raise UserNotFound(f"no console user is called {username.strip().lower()[:40]!r}; "
                               "`socops user list` shows them")
        return user

    def all_users(self) -> list[User]:
        """Every user, by name (internal: no permission check)."""
        return sorted((user_from_record(r) for r in self.store.records(USERS)), key=lambda u: u.username)

    def list(self, actor: Actor) -> list[User]:
        actor.require(USER_MANAGE)
        return self.all_users()

    def show(self, actor: Actor, username: str) -> Access:
        user = self.get(username)
        if user.username != actor.name:
            actor.require(USER_MANAGE)
        return self.access(user)

    def access(self, user: User, today: date | None = None) -> Access:
        """Effective permissions of ``user`` and why any are missing (no check)."""
        today = today or self.clock().date()
        try:
            granted = self.roles().permissions_of(user.role)
        except ValueError:
            granted = frozenset()
        effective: set[str] = set()
        missing: dict[str, str] = {}
        for permission in PERMISSIONS:
            if user.disabled:
                missing[permission] = f"{user.username} is disabled"
            elif permission not in granted:
                if user.role not in self.roles():
                    missing[permission] = f"role {user.role!r} is not defined in the governance file"
                else:
                    missing[permission] = f"not part of the {user.role} role"
            else:
                gaps = self.training_gaps(user.username, permission, today) if self.training_gaps else []
                if gaps:
                    missing[permission] = "needs current training: " + "; ".join(gaps)
                else:
                    effective.add(permission)
        return Access(user, frozenset(effective), missing)

    # -- adding ------------------------------------------------------------------------
    def bootstrap_owner(self, username: str, display_name: str = "",
                        passphrase: str | None = None, *, confirm_by_login: bool = False) -> Enrollment:
        """Create the first owner; only while no user exists (no login needed).

        ``confirm_by_login``: the enrolment is complete only once they log in
        (the console's first-run screen); until then a new first run may
        replace them, so a QR code that was never scanned locks nobody out."""
        if not self.needs_bootstrap():
            raise UserError("console users exist already; log in as an owner or admin to add more")
        return self._create(BOOTSTRAP_ACTOR, username, OWNER, Scope(), display_name, passphrase,
                            bootstrap=True, pending=confirm_by_login)

    def add(self, actor: Actor, username: str, role: str, *, scope: Scope = Scope(),
            display_name: str = "", passphrase: str | None = None) -> Enrollment:
        actor.require(USER_MANAGE)
        self._check_role(role)
        if role == OWNER:
            self._require_owner(actor, "grant the owner role")
        return self._create(actor.name, username, role, scope, display_name, passphrase)

    def _create(self, actor_name: str, username: str, role: str, scope: Scope, display_name: str,
                passphrase: str | None, *, bootstrap: bool = False, pending: bool = False) -> Enrollment:
        name = normalize_username(username)
        if name in RESERVED_NAMES:
            raise UserError(f"{name!r} is reserved for the audit trail; choose another user name")
        display_name = " ".join((display_name or "").split())[:80]
        if self.store.has(USERS, name) and not (bootstrap and self._abandoned_owner()):
            raise UserError(f"a console user called {name!r} exists already")
        if passphrase is not None:
            _check_new_passphrase(passphrase)
        hashed = hash_passphrase(passphrase) if passphrase is not None else None
        enrollment = self._new_enrollment(name)
        previous = self.secrets.get(totp_entry(name))
        self.secrets.set(totp_entry(name), enrollment.secret)
        record = {
            "display_name": display_name, "role": role, "scope": scope.to_record(), "disabled": False,
            "passphrase": hashed, "totp_enrolled": True, "failed_logins": 0, "locked_until": None,
            "last_totp_step": 0, "created_at": format_time(self.clock()), "last_login_at": None,
            # the first owner sets the workspace up under the policy in force; everyone
            # else acknowledges it at their first login
            "policy_version_acknowledged": self.policy_version() if bootstrap else 0,
            "enrolment_pending": pending,
        }
        abandoned = self._abandoned_owner() if bootstrap else None

        def change(tx: Any) -> AuditNote:
            if bootstrap and not self.needs_bootstrap():
                raise UserError("console users exist already; log in as an owner or admin to add more")
            if abandoned is not None:
                # The first owner was created but never logged in (enrolment abandoned).
                tx.delete(USERS, abandoned["_key"], expected_version=abandoned["_v"])
            tx.insert(USERS, name, record)
            extra = ", with passphrase" if hashed else ""
            if abandoned is not None:
                extra += f"; replaces {abandoned['_key']}, whose enrolment was never completed"
            return AuditNote("user.bootstrap" if bootstrap else "user.add", f"user/{name}",
                             f"role {role}, scope {scope.describe()}{extra}")

        self._with_secret_rollback(name, previous, lambda: self.audit.apply(actor_name, change))
        if abandoned is not None and abandoned["_key"] != name:
            self.secrets.delete(totp_entry(abandoned["_key"]))
        return enrollment

    def _new_enrollment(self, name: str) -> Enrollment:
        secret = new_secret()
        uri = provisioning_uri(secret, name)
        return Enrollment(name, secret, uri, qr_text(uri))

    def _with_secret_rollback(self, name: str, previous: str | None, action: Callable[[], Any]) -> Any:
        """Run ``action``; if it fails, put back the seed that was there before."""
        try:
            return action()
        except BaseException:
            if previous is None:
                self.secrets.delete(totp_entry(name))
            else:
                self.secrets.set(totp_entry(name), previous)
            raise

    # -- changing ----------------------------------------------------------------------
    def disable(self, actor: Actor, username: str) -> User:
        return self._set_disabled(actor, username, True)

    def enable(self, actor: Actor, username: str) -> User:
        return self._set_disabled(actor, username, False)

    def _set_disabled(self, actor: Actor, username: str, disabled: bool) -> User:
        actor.require(USER_MANAGE)
        user = self.get(username)
        if user.role == OWNER:
            self._require_owner(actor, f"{'disable' if disabled else 'enable'} an owner")
        verb = "disable" if disabled else "enable"

        def change(tx: Any, record: dict) -> tuple[dict, AuditNote] | None:
            was_disabled = bool(record.get("disabled"))
            if disabled:
                if was_disabled:
                    return None
                if record["role"] == OWNER:
                    self._check_other_owner(record["_key"], f"disable {record['_key']}")
                return {"disabled": True}, AuditNote("user.disable", f"user/{record['_key']}",
                                                     "enabled -> disabled")
            # Enabling is a fresh start: no lockout carried over, also for a user
            # who was never disabled but locked out (an admin's "let them in").
            lockout = _lockout_summary(record, self.clock())
            if not was_disabled and not lockout:
                return None
            summary = "; ".join(part for part in ("disabled -> enabled" if was_disabled else "",
                                                  lockout and f"{lockout} cleared") if part)
            return ({"disabled": False, "failed_logins": 0, "locked_until": None},
                    AuditNote(f"user.{verb}", f"user/{record['_key']}", summary))

        return self._update(actor.name, user.username, change)

    def unlock(self, actor: Actor, username: str) -> tuple[User, str]:
        """Clear a lockout (and the count of wrong codes) so the user may log in now.

        Returns the user and what was cleared ("" when there was nothing to clear)."""
        actor.require(USER_MANAGE)
        user = self.get(username)
        if user.role == OWNER:
            self._require_owner(actor, "unlock an owner")
        cleared: list[str] = []

        def change(tx: Any, record: dict) -> tuple[dict, AuditNote] | None:
            cleared[:] = [_lockout_summary(record, self.clock())]
            if not cleared[0]:
                return None
            return ({"failed_logins": 0, "locked_until": None},
                    AuditNote("user.unlock", f"user/{record['_key']}", f"{cleared[0]} cleared"))

        return self._update(actor.name, user.username, change), (cleared[0] if cleared else "")

    def set_role(self, actor: Actor, username: str, role: str) -> User:
        actor.require(USER_MANAGE)
        self._check_role(role)
        user = self.get(username)
        if role == OWNER or user.role == OWNER:
            self._require_owner(actor, "grant the owner role" if role == OWNER else "change an owner's role")

        def change(tx: Any, record: dict) -> tuple[dict, AuditNote] | None:
            before = record["role"]
            if before == role:
                return None
            if before == OWNER and not record.get("disabled"):
                self._check_other_owner(record["_key"], f"demote {record['_key']}")
            return {"role": role}, AuditNote("user.set_role", f"user/{record['_key']}", f"role {before} -> {role}")

        return self._update(actor.name, user.username, change)

    def set_scope(self, actor: Actor, username: str, scope: Scope) -> User:
        actor.require(USER_MANAGE)
        user = self.get(username)
        if user.role == OWNER:
            self._require_owner(actor, "change an owner's scope")

        def change(tx: Any, record: dict) -> tuple[dict, AuditNote] | None:
            before = Scope.from_record(record.get("scope"))
            if before == scope:
                return None
            return {"scope": scope.to_record()}, AuditNote(
                "user.set_scope", f"user/{record['_key']}", f"scope {before.describe()} -> {scope.describe()}")

        return self._update(actor.name, user.username, change)

    def set_display_name(self, actor: Actor, username: str, display_name: str) -> User:
        actor.require(USER_MANAGE)
        user = self.get(username)
        if user.role == OWNER:
            self._require_owner(actor, "change an owner")
        name = " ".join((display_name or "").split())[:80]

        def change(tx: Any, record: dict):
            if record.get("display_name", "") == name:
                return None
            return {"display_name": name}, AuditNote("user.set_name", f"user/{record['_key']}",
                                                     f"display name {record.get('display_name', '')!r} -> {name!r}")

        return self._update(actor.name, user.username, change)

    def reset_totp(self, actor: Actor, username: str) -> Enrollment:
        """A new TOTP seed (the old authenticator entry stops working)."""
        actor.require(USER_MANAGE)
        user = self.get(username)
        if user.role == OWNER and user.username != actor.name:
            self._require_owner(actor, "reset an owner's second factor")
        enrollment = self._new_enrollment(user.username)
        previous = self.secrets.get(totp_entry(user.username))
        self.secrets.set(totp_entry(user.username), enrollment.secret)

        def change(tx: Any, record: dict):
            # the new seed's codes have nothing to do with the old one's steps, but a
            # step is time: keeping the last one still refuses nothing a new code needs
            return ({"totp_enrolled": True, "failed_logins": 0, "locked_until": None},
                    AuditNote("user.reset_totp", f"user/{record['_key']}", "new TOTP seed enrolled"))

        self._with_secret_rollback(user.username, previous,
                                   lambda: self._update(actor.name, user.username, change))
        return enrollment

    def set_passphrase(self, actor: Actor, username: str, passphrase: str | None) -> User:
        """Set, change or (None) remove a user's passphrase. Users may change their own."""
        user = self.get(username)
        if user.username != actor.name:
            actor.require(USER_MANAGE)
            if user.role == OWNER:
                self._require_owner(actor, "change an owner's passphrase")
        if passphrase is not None:
            _check_new_passphrase(passphrase)
        hashed = hash_passphrase(passphrase) if passphrase is not None else None

        def change(tx: Any, record: dict):
            if hashed is None and not record.get("passphrase"):
                return None
            summary = "passphrase removed" if hashed is None else (
                "passphrase changed" if record.get("passphrase") else "passphrase set")
            return {"passphrase": hashed}, AuditNote("user.set_passphrase", f"user/{record['_key']}", summary)

        return self._update(actor.name, user.username, change)

    # -- helpers -----------------------------------------------------------------------
    def _update(self, actor_name: str, username: str,
                change: Callable[[Any, dict], tuple[dict, AuditNote] | None]) -> User:
        """Apply ``change(tx, fresh record)`` with its audit note in one transaction."""

        def apply(tx: Any) -> AuditNote | None:
            record = self.store.get(USERS, username)
            if record is None:
                raise UserNotFound(f"console user {username!r} was removed meanwhile")
            outcome = change(tx, record)
            if outcome is None:
                return None
            updates, note = outcome
            tx.update(USERS, username, updates, expected_version=record["_v"])
            return note

        self.audit.apply(actor_name, apply)
        return self.get(username)

    def _check_role(self, role: str) -> None:
        if role not in self.roles():
            raise UserError(f"unknown role {role!r}; roles: {', '.join(self.roles().roles)}")

    def _require_owner(self, actor: Actor, what: str) -> None:
        acting = self.find(actor.name)
        if acting is None or acting.role != OWNER or acting.disabled:
            raise PermissionDenied(f"{actor.name} may not {what}: only an owner may", permission=USER_MANAGE)

    def _check_other_owner(self, username: str, what: str) -> None:
        for record in self.store.records(USERS):
            if record["_key"] != username and record["role"] == OWNER and not record.get("disabled"):
                return
        raise LastOwnerError(f"cannot {what}: {username} is the last enabled owner; "
                             "make another user an owner first")
