"""The governance configuration (``governance.toml``): login rules, custom roles,
training requirements and the policy version people acknowledge.

The file lives beside ``socops.toml``; a commented example is written on the
first run. It is re-read when it changes on disk (a stat per look, so a
running console follows an edit). A file that does not validate keeps the
last good version in force in this process (see :attr:`Governance.problem`);
with no good version loaded yet it raises :class:`ConfigError`. Every error
names the file and the problem.
"""

from __future__ import annotations

import logging
import threading
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from console.errors import ConfigError
from console.permissions import PERMISSIONS, RoleBook

log = logging.getLogger("socops.governance")

GOVERNANCE_FILE = "governance.toml"

EXAMPLE_GOVERNANCE = """\
# socops governance: who may do what, and what they must have done first.
# Raise `version` whenever the policy changes: every console user then has to
# acknowledge the new version at their next login before acting.
version = 1

[auth]
lockout_failures = 5        # wrong codes in a row before a user is locked out
lockout_minutes = 15        # how long the lockout lasts
idle_minutes = 30           # an idle session locks and asks for a new code
step_up_minutes = 5         # high-risk actions need a code given this recently

# Custom roles, in addition to the built-in owner, admin, manager, editor,
# contributor, responder, analyst and viewer (`socops user show` lists them).
# [roles.community_lead]
# permissions = ["inbox.read", "inbox.triage", "inbox.reply", "crisis.respond", "report.read"]

# Courses a permission requires: without a current record (`socops training
# record`) the permission is withdrawn, and the user is told why.
[training.requirements]
# "post.publish" = ["security-basics"]

# How long a course counts when `--expires` is not given.
[training.courses.security-basics]
valid_days = 365
"""


@dataclass(frozen=True)
class AuthPolicy:
    lockout_failures: int = 5
    lockout_minutes: int = 15
    idle_minutes: int = 30
    step_up_minutes: int = 5


@dataclass(frozen=True)
class Course:
    name: str
    valid_days: int | None = None


@dataclass(frozen=True)
class GovernancePolicy:
    """One validated version of the governance file."""

    version: int = 1
    auth: AuthPolicy = field(default_factory=AuthPolicy)
    roles: RoleBook = field(default_factory=RoleBook)
    requirements: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    courses: Mapping[str, Course] = field(default_factory=dict)
    source: Path | None = None

    def courses_for(self, permission: str) -> tuple[str, ...]:
        return tuple(self.requirements.get(permission, ()))


_TOP = {"version", "auth", "roles", "training"}
_AUTH = {"lockout_failures", "lockout_minutes", "idle_minutes", "step_up_minutes"}


def parse_governance(text: str, path: Path) -> GovernancePolicy:
    """Validate the file's text; ConfigError names ``path`` and the problem."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}; fix the file") from None

    def fail(problem: str) -> ConfigError:
        return ConfigError(f"{path}: {problem}")

    unknown = set(raw) - _TOP
    if unknown:
        raise fail(f"unknown setting {sorted(unknown)[0]!r}; known: {', '.join(sorted(_TOP))}")
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        raise fail(f"version = {version!r} is not valid; use a whole number of at least 1")

    auth_raw = raw.get("auth", {})
    if not isinstance(auth_raw, dict):
        raise fail("[auth] must be a table")
    unknown = set(auth_raw) - _AUTH
    if unknown:
        raise fail(f"unknown setting {sorted(unknown)[0]!r} in [auth]; known: {', '.join(sorted(_AUTH))}")
    defaults = AuthPolicy()
    values = {}
    for name in sorted(_AUTH):
        value = auth_raw.get(name, getattr(defaults, name))
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise fail(f"[auth] {name} = {value!r} is not valid; use a whole number of at least 1")
        values[name] = value
    auth = AuthPolicy(**values)

    roles_raw = raw.get("roles", {})
    if not isinstance(roles_raw, dict):
        raise fail("[roles] must hold one table per custom role, e.g. [roles.community_lead]")
    custom: dict[str, list[str]] = {}
    for name, table in roles_raw.items():
        if not isinstance(table, dict) or set(table) != {"permissions"}:
            raise fail(f"[roles.{name}] must have exactly one setting, permissions = [...]")
        permissions = table["permissions"]
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            raise fail(f"[roles.{name}] permissions must be a list of permission names")
        custom[name] = permissions
    try:
        roles = RoleBook.with_custom(custom)
    except ValueError as error:
        raise fail(str(error)) from None

    training_raw = raw.get("training", {})
    if not isinstance(training_raw, dict) or set(training_raw) - {"requirements", "courses"}:
        raise fail("[training] may hold only [training.requirements] and [training.courses.NAME]")
    courses: dict[str, Course] = {}
    for name, table in training_raw.get("courses", {}).items():
        if not isinstance(table, dict) or set(table) - {"valid_days"}:
            raise fail(f"[training.courses.{name}] may hold only valid_days")
        days = table.get("valid_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise fail(f"[training.courses.{name}] valid_days = {days!r} is not valid; "
                       "use a whole number of days of at least 1")
        courses[name] = Course(name, days)
    requirements: dict[str, tuple[str, ...]] = {}
    required = training_raw.get("requirements", {})
    if not isinstance(required, dict):
        raise fail("[training.requirements] must map permissions to lists of courses")
    for permission, names in required.items():
        if permission not in PERMISSIONS:
            raise fail(f"[training.requirements] names unknown permission {permission!r}; "
                       f"known: {', '.join(sorted(PERMISSIONS))}")
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            raise fail(f"[training.requirements] {permission!r} must be a list of course names")
        requirements[permission] = tuple(n.strip() for n in names)
    return GovernancePolicy(version=version, auth=auth, roles=roles, requirements=requirements,
                            courses=courses, source=path)


class Governance:
    """The governance configuration in force, following edits of the file."""

    def __init__(self, path: Path, *, write_example: bool = True) -> None:
        self.path = Path(path)
        self.problem = ""
        self._lock = threading.Lock()
        self._stamp: tuple | None = None
        self._policy: GovernancePolicy | None = None
        self._text: str | None = None
        if write_example and not self.path.exists():
            self.path.parent.mkdir(parents=True, exist_ok=True)
            try:
                with self.path.open("x", encoding="utf-8") as handle:
                    handle.write(EXAMPLE_GOVERNANCE)
            except FileExistsError:
                pass
        self.reload()

    @classmethod
    def fixed(cls, policy: GovernancePolicy) -> "Governance":
        """A governance that never reads a file (tests, tools)."""
        governance = cls.__new__(cls)
        governance.path = policy.source or Path("<memory>")
        governance.problem = ""
        governance._lock = threading.Lock()
        governance._stamp = ("fixed",)
        governance._policy = policy
        governance._text = None
        return governance

    @staticmethod
    def _racy(stamp: tuple | None) -> bool:
        """A file changed within the last two seconds may change again without a new
        mtime on a coarse-grained file system: compare its text then."""
        return bool(stamp) and isinstance(stamp[0], int) and time.time_ns() - stamp[0] < 2_000_000_000

    def _file_stamp(self) -> tuple | None:
        try:
            info = self.path.stat()
        except FileNotFoundError:
            return None
        except OSError as error:
            return ("unreadable", str(error))
        return (info.st_mtime_ns, info.st_size, info.st_ino)

    def reload(self) -> GovernancePolicy:
        """Re-read the file if it changed since the last look."""
        with self._lock:
            if self._stamp == ("fixed",):
                return self._policy
            stamp = self._file_stamp()
            if self._policy is not None and stamp == self._stamp and not self._racy(stamp):
                return self._policy
            try:
                if stamp is None:
                    policy = GovernancePolicy(source=self.path)     # no file: the defaults
                    self._text = None
                else:
                    try:
                        text = self.path.read_text(encoding="utf-8")
                    except (OSError, UnicodeDecodeError) as error:
                        raise ConfigError(f"{self.path}: cannot be read ({error})") from None
                    if self._policy is not None and text == self._text:
                        self._stamp = stamp
                        return self._policy
                    self._text = text
                    policy = parse_governance(text, self.path)
            except ConfigError as error:
                if self._policy is None:
                    raise
                if str(error) != self.problem:
                    log.warning("%s (version %s stays in force)", error, self._policy.version)
                self.problem = f"{error}; version {self._policy.version} stays in force"
                self._stamp = stamp
                return self._policy
            self._policy, self._stamp, self.problem = policy, stamp, ""
            return policy

    @property
    def policy(self) -> GovernancePolicy:
        return self.reload()

    @property
    def version(self) -> int:
        return self.policy.version

    @property
    def auth(self) -> AuthPolicy:
        return self.policy.auth

    @property
    def roles(self) -> RoleBook:
        return self.policy.roles

    @property
    def requirements(self) -> Mapping[str, tuple[str, ...]]:
        return self.policy.requirements

    @property
    def courses(self) -> Mapping[str, Course]:
        return self.policy.courses
