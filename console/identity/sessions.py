"""Login, and the logged-in :class:`Session` that every service call takes as its actor.

Login is a user name, a TOTP code and, where the user has one, a passphrase.
Each code is accepted once only: the time step it belongs to is stored in the
user's record, and a code of that step or an earlier one is refused as a
replay. Wrong answers count in the user's record; after ``lockout_failures``
in a row the user is locked out for ``lockout_minutes``. Every attempt, good
or bad, is one audited transaction (``login.ok``, ``login.failed``,
``login.locked``); an unknown user name gets the same answer as a wrong code,
after the same work (so the delay does not tell either), and so does a
disabled user's name with a wrong code. A lockout says which command ends it
(``socops user unlock NAME``; ``socops user enable`` clears one too).

Another process (a ``socops`` command, another session, the worker) may
change the user's record while a login form is open, so a login reads the
store afresh first, and a check whose compare-and-set still meets a newer
version (a write in between) reads again and runs once more: the outcome,
good or bad, is always recorded and audited, never lost to a conflict.

A session re-reads its user on every check, so disabling a user refuses their
open sessions at their next action. It locks after ``idle_minutes`` without
activity (:meth:`Session.unlock` with a new code), and a high-risk permission
needs a code given within ``step_up_minutes`` (:meth:`Session.step_up`). The
numbers come from the governance file.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from console.audit import AuditNote, AuditTrail
from console.errors import ConsoleError, StorageProblem
from console.governance import Governance
from console.permissions import (HIGH_RISK, PERMISSIONS, PermissionDenied, PolicyAckRequired, Scope,
                                 SessionLocked, StepUpRequired)
from console.records import format_time
from console.identity.secrets import SecretStore
from console.identity.totp import matching_step, new_secret
from console.untrusted import one_line
from console.identity.users import (OWNER, USERS, User, UserService, check_passphrase, normalize_username,
                                   totp_entry)
from data import ConflictError, Store

WRONG = "wrong user name or code"
UNKNOWN_ACTOR = "unknown-user"    # the audit actor of a login attempt with an unknown name
WRONG_WITH_PASSPHRASE = "wrong user name, code or passphrase"
#: Reads and compare-and-sets of a user's record before giving up on a record
#: that other processes keep changing.
USER_WRITE_ATTEMPTS = 5
#: A seed nobody holds: an unknown user name's code is checked against it.
_DECOY_SECRET = new_secret()


class LoginFailed(ConsoleError):
    """The login (or a code given in a session) was refused; nothing says which part was wrong."""


class WrongCredentials(LoginFailed):
    """The user name, code or passphrase did not match; the words never say which,
    so an unknown name and a wrong code are refused alike."""


class AccountLocked(LoginFailed):
    """Too many wrong answers: the user is locked out until ``until``."""

    def __init__(self, message: str, until: datetime) -> None:
        super().__init__(message)
        self.until = until


class PassphraseRequired(LoginFailed):
    """This user also needs their passphrase."""


def _clock_time(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def _unlock_hint(user: User) -> str:
    """Who can end a lockout now, and with what command (only an owner unlocks an owner)."""
    who = "another owner" if user.role == OWNER else "an owner or admin"
    return f"ask {who} to run `socops user unlock {user.username}`"


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    step: int | None = None
    error: LoginFailed | None = None


class Authenticator:
    """Checks codes and passphrases, counts failures, opens sessions."""

    def __init__(self, users: UserService, store: Store, audit: AuditTrail, secrets: SecretStore,
                 governance: Governance, clock: Callable[[], datetime], *, training: Any = None) -> None:
        self.users = users
        self.store = store
        self.audit = audit
        self.secrets = secrets
        self.governance = governance
        self.clock = clock
        self.training = training   # a TrainingService, for training requirements (optional)

    def needs_passphrase(self, username: str) -> bool:
        user = self.users.find(username)
        return bool(user and user.has_passphrase)

    def login(self, username: str, code: str, passphrase: str | None = None) -> "Session":
        """A new session for ``username``, or LoginFailed (AccountLocked, PassphraseRequired)."""
        try:
            name = normalize_username(username)
        except ConsoleError:
            name = ""
        self.store.refresh()  # added, changed or given a passphrase since the form opened
        user = self.users.find(name) if name else None
        if user is None:
            # The answer, and the work that takes time, of a wrong code for a real
            # user (a seed looked up, a code checked, one audited write): neither
            # the message nor the delay tells which user names exist.
            if name:
                self.secrets.get(totp_entry(name))
            matching_step(_DECOY_SECRET, code, self.clock())
            shown = one_line(name or (username or "").strip().lower(), 40) or "(empty)"
            self.audit.apply(UNKNOWN_ACTOR, lambda tx: AuditNote("login.failed", f"user/{shown}",
                                                                 "unknown user name"))
            raise WrongCredentials(WRONG)
        if user.has_passphrase and passphrase is None:
            raise PassphraseRequired(f"{user.username} also needs their passphrase")
        self.verify(user.username, code, passphrase, purpose="login")
        return Session(self, user.username, self.clock())

    def verify(self, username: str, code: str, passphrase: str | None = None, *,
               purpose: str = "login") -> int:
        """Check a code (and the passphrase, at login) once; record and audit the outcome.

        Returns the accepted time step; raises LoginFailed / AccountLocked.
        """
        return self._on_fresh_user(username, lambda: self._check_code(username, code, passphrase, purpose))

    def _on_fresh_user(self, username: str, attempt: Callable[[], Any]) -> Any:
        """``attempt()`` (which reads ``username``'s record and compare-and-sets it) on
        the store as it is now; again on fresh state when another process wrote the
        record in between, so nothing is decided on, or lost to, a stale version."""
        for _ in range(USER_WRITE_ATTEMPTS):
            self.store.refresh()
            try:
                return attempt()
            except ConflictError:
                continue  # the failed write caught the store up; read and decide again
        raise StorageProblem(f"{username}'s record kept changing in other processes while this was "
                             "checked; nothing was recorded; try again")

    def _check_code(self, username: str, code: str, passphrase: str | None, purpose: str) -> int:
        now = self.clock()
        user = self.users.get(username)
        secret = None if user.locked_at(now) else self.secrets.get(totp_entry(username))
        policy = self.governance.auth
        check_phrase = purpose == "login" and user.has_passphrase
        phrase_ok = None
        if check_phrase and not user.locked_at(now) and not user.disabled:
            record = self.store.get(USERS, username) or {}
            phrase_ok = check_passphrase(passphrase or "", record.get("passphrase"))
        step = matching_step(secret, code, now) if secret else None
        result: dict[str, _Outcome] = {}
        label = "" if purpose == "login" else f"{purpose}: "

        def change(tx: Any):
            record = self.store.get(USERS, username)
            if record is None:
                result["o"] = _Outcome(False, error=WrongCredentials(WRONG))
                return AuditNote("login.failed", f"user/{username}", f"{label}user removed")
            fresh = self.users.find(username)
            if fresh.disabled:
                # Only someone with the right code learns that the user is disabled;
                # anyone else gets the answer an unknown name gets.
                result["o"] = _Outcome(False, error=LoginFailed(f"{username} is disabled; ask an admin") if step
                                       else WrongCredentials(WRONG_WITH_PASSPHRASE if check_phrase else WRONG))
                return AuditNote("login.failed", f"user/{username}", f"{label}user is disabled")
            if fresh.locked_at(now):
                until = fresh.locked_until
                result["o"] = _Outcome(False, error=AccountLocked(
                    f"{username} is locked out until {_clock_time(until)} after "
                    f"{policy.lockout_failures} wrong attempts; try again then, or {_unlock_hint(fresh)}",
                    until))
                return AuditNote("login.locked", f"user/{username}", f"{label}refused while locked out "
                                 f"until {format_time(until)}")
            if secret is None:
                result["o"] = _Outcome(False, error=LoginFailed(
                    f"{username} has no TOTP seed in the secret store; an admin can enrol a new "
                    f"one with `socops user reset-totp {username}`"))
                return AuditNote("login.failed", f"user/{username}", f"{label}no TOTP seed stored")
            replay = step is not None and step <= fresh.last_totp_step
            if step is not None and not replay and phrase_ok is not False:
                tx.update(USERS, username, {"failed_logins": 0, "locked_until": None, "last_totp_step": step,
                                            **({"last_login_at": format_time(now)} if purpose == "login"
                                               else {})},
                          expected_version=record["_v"])
                result["o"] = _Outcome(True, step)
                action = {"login": "login.ok"}.get(purpose, f"session.{purpose}")
                return AuditNote(action, f"user/{username}", f"{purpose} with a fresh code")
            failures = fresh.failed_logins + 1
            why = "code already used (replay)" if replay else (
                "wrong code" if step is None else "wrong passphrase")
            notes = [AuditNote("login.failed", f"user/{username}",
                               f"{label}{why}; {failures} in a row")]
            message = "that code was already used; wait for the next one" if replay else (
                WRONG_WITH_PASSPHRASE if check_phrase else WRONG)
            if failures >= policy.lockout_failures:
                until = now + timedelta(minutes=policy.lockout_minutes)
                tx.update(USERS, username, {"failed_logins": 0, "locked_until": format_time(until)},
                          expected_version=record["_v"])
                notes.append(AuditNote("login.locked", f"user/{username}",
                                       f"locked out until {format_time(until)} after {failures} failures"))
                result["o"] = _Outcome(False, error=AccountLocked(
                    f"{message}; {username} is now locked out until {_clock_time(until)} "
                    f"after {failures} wrong attempts; try again then, or {_unlock_hint(fresh)}", until))
            else:
                tx.update(USERS, username, {"failed_logins": failures}, expected_version=record["_v"])
                result["o"] = _Outcome(False, error=LoginFailed(message) if replay else WrongCredentials(message))
            return notes

        self.audit.apply(username, change)
        outcome = result["o"]
        if not outcome.ok:
            raise outcome.error
        return outcome.step


class Session:
    """A logged-in console user: the :class:`console.permissions.actors.Actor` of people."""

    def __init__(self, auth: Authenticator, username: str, now: datetime) -> None:
        self._auth = auth
        self._name = username
        self._lock = threading.Lock()
        self._last_activity = now
        self._last_code_at: datetime | None = now
        self._locked = False
        self._closed = False

    # -- who -----------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self._name

    @property
    def user(self) -> User:
        """The user's record as it is now (re-read on every access)."""
        return self._auth.users.get(self._name)

    def scope(self) -> Scope:
        user = self._auth.users.find(self._name)
        return user.scope if user is not None else Scope(frozenset({"-"}))

    @property
    def last_activity(self) -> datetime:
        return self._last_activity

    @property
    def locked(self) -> bool:
        return self._locked or self._idle_for(self._auth.clock()) is not None

    def step_up_valid_until(self) -> datetime | None:
        if self._last_code_at is None:
            return None
        return self._last_code_at + timedelta(minutes=self._auth.governance.auth.step_up_minutes)

    # -- the gate ------------------------------------------------------------------------
    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        """Return if this user may do ``permission`` (on ``account_id``) now; else raise
        PermissionDenied (SessionLocked, PolicyAckRequired, StepUpRequired) saying why."""
        self._require(permission, account_id, region, touch=True)

    def passive(self) -> "PassiveSession":
        """The same person for what the console does on its own (refreshing a
        list on a timer): the same checks, but it is not activity, so the idle
        lock still comes."""
        return PassiveSession(self)

    def _require(self, permission: str, account_id: str | None, region: str, *, touch: bool) -> None:
        now = self._auth.clock()
        user = self._live_user(permission)
        self._check_idle(now, permission)
        self._check_policy(user, permission)
        problem = self._problem(user, permission, account_id, region, now)
        if problem:
            raise PermissionDenied(problem, permission=permission)
        if permission in HIGH_RISK:
            valid_until = self.step_up_valid_until()
            if valid_until is None or now > valid_until:
                minutes = self._auth.governance.auth.step_up_minutes
                raise StepUpRequired(f"{PERMISSIONS.get(permission, permission)} is a high-risk action "
                                     f"({permission}): enter a fresh code (none given in the last "
                                     f"{minutes} minutes)", permission=permission)
        if touch:
            with self._lock:
                self._last_activity = max(self._last_activity, now)

    def why_not(self, permission: str, *, account_id: str | None = None, region: str = "") -> str:
        """'' if the role, training and scope allow ``permission``, else the reason
        (for screens that hide or disable actions; ignores idle lock and step-up)."""
        user = self._auth.users.find(self._name)
        if user is None:
            return f"{self._name} is no longer a console user"
        if user.disabled:
            return f"{self._name} is disabled"
        return self._problem(user, permission, account_id, region, self._auth.clock())

    def allowed(self, permission: str, *, account_id: str | None = None, region: str = "") -> bool:
        return not self.why_not(permission, account_id=account_id, region=region)

    def _live_user(self, permission: str) -> User:
        if self._closed:
            raise PermissionDenied(f"{self._name} logged out; log in again", permission=permission)
        user = self._auth.users.find(self._name)
        if user is None:
            raise PermissionDenied(f"{self._name} is no longer a console user", permission=permission)
        if user.disabled:
            raise PermissionDenied(f"{self._name} is disabled", permission=permission)
        return user

    def _idle_for(self, now: datetime) -> int | None:
        minutes = self._auth.governance.auth.idle_minutes
        return minutes if now - self._last_activity > timedelta(minutes=minutes) else None

    def _check_idle(self, now: datetime, permission: str) -> None:
        idle = self._idle_for(now)
        if idle is not None:
            self._locked = True
            raise SessionLocked(f"session locked after {idle} minutes idle; enter a new code",
                                permission=permission)
        if self._locked:
            raise SessionLocked("session locked; enter a new code", permission=permission)

    def _check_policy(self, user: User, permission: str) -> None:
        governance = self._auth.governance
        version = governance.version
        if version > user.policy_version_acknowledged:
            raise PolicyAckRequired(
                f"the governance policy is now version {version} ({governance.path}); {self._name} "
                "must acknowledge it before acting (in the console, or `socops user ack-policy`)",
                permission=permission)

    def _problem(self, user: User, permission: str, account_id: str | None, region: str,
                 now: datetime) -> str:
        description = PERMISSIONS.get(permission, permission)
        roles = self._auth.governance.roles
        if user.role not in roles:
            return (f"{user.username}'s role {user.role!r} is not defined in the governance file: "
                    f"may not {description} (needs {permission})")
        if permission not in roles.permissions_of(user.role):
            return f"{user.username} ({user.role}) may not {description}: needs {permission}"
        training = self._auth.training
        if training is not None:
            gaps = training.gaps(user.username, permission, now.date())
            if gaps:
                return (f"{user.username} may not {description} until their training is current: "
                        f"{'; '.join(gaps)} (needs {permission})")
        if account_id and not user.scope.covers(account_id, region):
            return (f"{user.username} may not act on {account_id}: outside their scope "
                    f"({user.scope.describe()})")
        return ""

    # -- codes in a session --------------------------------------------------------------
    def step_up(self, code: str) -> None:
        """A fresh code for high-risk actions (once-only; wrong ones count toward lockout)."""
        now = self._auth.clock()
        self._live_user("")
        self._check_idle(now, "")
        self._code(code, "step_up", now)

    def unlock(self, code: str) -> None:
        """Unlock an idle-locked session with a new code."""
        now = self._auth.clock()
        self._live_user("")
        self._code(code, "unlock", now)
        with self._lock:
            self._locked = False

    def _code(self, code: str, purpose: str, now: datetime) -> None:
        try:
            self._auth.verify(self._name, code, purpose=purpose)
        except AccountLocked:
            self._locked = True
            raise
        with self._lock:
            self._last_code_at = now
            self._last_activity = max(self._last_activity, now)

    def acknowledge_policy(self) -> int:
        """Record that this user read the governance version in force; returns it."""
        now = self._auth.clock()
        self._live_user("")
        self._check_idle(now, "")
        version = self._auth.governance.version
        store = self._auth.store

        def change(tx: Any):
            record = store.get(USERS, self._name)
            before = int(record.get("policy_version_acknowledged", 0))
            if before >= version:
                return None
            tx.update(USERS, self._name, {"policy_version_acknowledged": version},
                      expected_version=record["_v"])
            return AuditNote("policy.acknowledge", f"user/{self._name}",
                             f"governance version {before} -> {version}")

        self._auth._on_fresh_user(self._name, lambda: self._auth.audit.apply(self._name, change))
        with self._lock:
            self._last_activity = max(self._last_activity, now)
        return version

    def logout(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._auth.audit.apply(self._name, lambda tx: AuditNote("logout", f"user/{self._name}", "session closed"))


class PassiveSession:
    """A session's checks without counting as activity (see :meth:`Session.passive`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    @property
    def name(self) -> str:
        return self._session.name

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        self._session._require(permission, account_id, region, touch=False)

    def scope(self) -> Scope:
        return self._session.scope()
