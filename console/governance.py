"""The governance configuration (``governance.toml``): login rules, custom roles,
training requirements, the policy version people acknowledge, the content
policy (accounts, brand voice, disclosure, accessibility, privacy, region
rules, risk and approval routes; parsed by ``console/policy/file.py``), the
publishing rules (``console/publishing/``) and the crisis plan
(``console/crisis/``).

The file lives beside ``socops.toml``; a commented example is written on the
first run. It is re-read when it changes on disk (a stat per look, so a
running console follows an edit). A file that does not validate keeps the
last good version in force (see :attr:`Governance.problem`): the one this
process loaded, or at start the copy of the last version that validated
(``last_good``, kept in the state folder); with neither it raises
:class:`ConfigError`. Every error
names the file, the line and the problem; :func:`check_governance_text` lists
all of them (``socops policy check``). :func:`staffing_warnings` lists what a
valid file names that the workspace lacks (owners who are not users, roles
that approval stages wait for and nobody holds).
"""

from __future__ import annotations

import logging
import os
import threading
import time
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from console.crisis import CRISIS_SECTION, CrisisPolicy, parse_crisis_policy
from console.errors import ConfigError
from console.permissions import BUILTIN_ROLES, PERMISSIONS, POST_APPROVE, RoleBook
from console.policy import (
    ACCOUNT_OWNER,
    CONTENT_SECTIONS,
    ContentPolicy,
    PolicyProblem,
    Problems,
    TableReader,
    parse_content_policy,
)
from console.publishing import PUBLISHING_SECTION, PublishingPolicy, parse_publishing_policy
from console.toml_locator import TomlLocator, syntax_error_position

log = logging.getLogger("socops.governance")

GOVERNANCE_FILE = "governance.toml"
#: In the state folder: a copy of the last version of the file that validated.
LAST_GOOD_GOVERNANCE_FILE = "governance.last-good.toml"

#: The commented example written on the first run (shipped as governance.example.toml).
EXAMPLE_GOVERNANCE = resources.files("console").joinpath("governance.example.toml").read_text(encoding="utf-8")


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
    content: ContentPolicy = field(default_factory=ContentPolicy)   # brand, risk, approval routes...
    publishing: PublishingPolicy = field(default_factory=PublishingPolicy)   # slots, blackouts, spacing...
    crisis: CrisisPolicy = field(default_factory=CrisisPolicy)               # levels, playbooks, runbooks...
    source: Path | None = None

    def courses_for(self, permission: str) -> tuple[str, ...]:
        return tuple(self.requirements.get(permission, ()))


_TOP = ("version", "auth", "roles", "training") + CONTENT_SECTIONS + (PUBLISHING_SECTION, CRISIS_SECTION)
_AUTH = ("lockout_failures", "lockout_minutes", "idle_minutes", "step_up_minutes")


def parse_governance(text: str, path: Path) -> GovernancePolicy:
    """Validate the file's text; ConfigError names ``path``, the line and the first
    problem (and how many more there are)."""
    policy, problems = check_governance_text(text, path)
    if problems:
        first = problems[0]
        where = f"{path}:{first.line}" if first.line else f"{path}"
        more = f" (and {len(problems) - 1} more; run `socops policy check`)" if len(problems) > 1 else ""
        raise ConfigError(f"{where}: {first.message}{more}")
    return policy


def check_governance_text(text: str, path: Path) -> tuple[GovernancePolicy | None, list[PolicyProblem]]:
    """Every problem of the file, each with its line; the policy only when there is none."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        return None, [_syntax_problem(error, text)]
    locator = TomlLocator(text)
    problems = Problems(locator.line_of)
    read = TableReader(problems)
    read.table(raw, (), _TOP, "the file")
    version = raw.get("version", 1)
    if isinstance(version, bool) or not isinstance(version, int) or version < 1:
        problems.add(("version",), f"version = {version!r} is not valid; use a whole number of at least 1")
    auth = _auth(read, raw.get("auth", {}))
    roles = _roles(problems, raw.get("roles", {}))
    courses, requirements = _training(problems, raw.get("training", {}))
    content = parse_content_policy(raw, locator.line_of, roles=roles, problems=problems)
    regions = set(content.regions) | {account.region for account in content.accounts.values() if account.region}
    publishing = parse_publishing_policy(raw, problems, roles=roles, accounts=tuple(content.accounts),
                                         regions=tuple(sorted(regions)))
    crisis = parse_crisis_policy(raw, problems, roles=roles,
                                 routes=tuple(route.name for route in content.approval.routes))
    if problems.found:
        return None, sorted(problems.found, key=lambda p: (p.line or 0))
    return GovernancePolicy(version=version, auth=auth, roles=roles, requirements=requirements,
                            courses=courses, content=content, publishing=publishing, crisis=crisis,
                            source=path), []


def _syntax_problem(error: tomllib.TOMLDecodeError, text: str) -> PolicyProblem:
    line, message = syntax_error_position(error, text)
    return PolicyProblem(line, f"{message}; fix the TOML syntax")


def _auth(read: TableReader, raw: object) -> AuthPolicy:
    table = read.table(raw, ("auth",), _AUTH, "[auth]")
    defaults = AuthPolicy()
    return AuthPolicy(**{name: read.number(table, ("auth",), name, "[auth]", getattr(defaults, name), minimum=1)
                         for name in _AUTH})


def _roles(problems: Problems, raw: object) -> RoleBook:
    """The built-in roles plus every custom role that is valid (the others are problems)."""
    if not isinstance(raw, dict):
        problems.add(("roles",), "[roles] must hold one table per custom role, e.g. [roles.community_lead]")
        return RoleBook()
    custom: dict[str, list[str]] = {}
    for name, table in raw.items():
        path = ("roles", name)
        if not isinstance(table, dict) or set(table) != {"permissions"}:
            problems.add(path, f"[roles.{name}] must have exactly one setting, permissions = [...]")
            continue
        permissions = table["permissions"]
        if not isinstance(permissions, list) or not all(isinstance(p, str) for p in permissions):
            problems.add(path + ("permissions",), f"[roles.{name}] permissions must be a list of permission names")
            continue
        try:
            RoleBook.with_custom({name: permissions})
        except ValueError as error:
            problems.add(path + ("permissions",) if name not in BUILTIN_ROLES else path, str(error))
            continue
        custom[name] = permissions
    return RoleBook.with_custom(custom)


def _training(problems: Problems, raw: object) -> tuple[dict[str, Course], dict[str, tuple[str, ...]]]:
    courses: dict[str, Course] = {}
    requirements: dict[str, tuple[str, ...]] = {}
    if not isinstance(raw, dict) or set(raw) - {"requirements", "courses"}:
        problems.add(("training",), "[training] may hold only [training.requirements] and [training.courses.NAME]")
        return courses, requirements
    listed = raw.get("courses", {})
    for name, table in listed.items() if isinstance(listed, dict) else ():
        path = ("training", "courses", name)
        if not isinstance(table, dict) or set(table) - {"valid_days"}:
            problems.add(path, f"[training.courses.{name}] may hold only valid_days")
            continue
        days = table.get("valid_days")
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            problems.add(path + ("valid_days",), f"[training.courses.{name}] valid_days = {days!r} is not valid; "
                         "use a whole number of days of at least 1")
            continue
        courses[name] = Course(name, days)
    required = raw.get("requirements", {})
    if not isinstance(required, dict):
        problems.add(("training", "requirements"), "[training.requirements] must map permissions to lists of courses")
        return courses, requirements
    for permission, names in required.items():
        path = ("training", "requirements", permission)
        if permission not in PERMISSIONS:
            problems.add(path, f"[training.requirements] names unknown permission {permission!r}; "
                         f"known: {', '.join(sorted(PERMISSIONS))}")
            continue
        if isinstance(names, str):
            names = [names]
        if not isinstance(names, list) or not all(isinstance(n, str) and n.strip() for n in names):
            problems.add(path, f"[training.requirements] {permission!r} must be a list of course names")
            continue
        requirements[permission] = tuple(n.strip() for n in names)
    return courses, requirements


# -- what the file names that the workspace lacks ----------------------------------------------
@dataclass(frozen=True)
class Staff:
    """The workspace's people, as the warnings below need them."""

    roles: Mapping[str, str]                     # enabled user -> their role
    disabled: frozenset[str] = frozenset()       # disabled users


def staffing_warnings(policy: GovernancePolicy, text: str, staff: Staff) -> list[PolicyProblem]:
    """People and roles the file names that the workspace lacks, each on its line of ``text``.

    An account owner who is not an enabled console user (or, when a route asks
    the account owner, one whose role cannot approve), and a role that approval
    stages wait for but no enabled user holds: posts on such a route cannot be
    submitted. The file is valid all the same (people come and go), so these
    are warnings, not problems."""
    line_of = TomlLocator(text).line_of
    content = policy.content
    routes = content.approval.routes
    asks_owner = [route.name for route in routes if any(stage.role == ACCOUNT_OWNER for stage in route.stages)]
    found: list[PolicyProblem] = []
    for account in content.accounts.values():
        owner = account.owner.strip().lower()
        if not owner:
            continue
        where = line_of(("accounts", account.account_id, "owner"))
        role = staff.roles.get(owner)
        if owner in staff.disabled:
            found.append(PolicyProblem(where, f"the owner of {account.account_id}, {owner!r}, is disabled; enable "
                                       f"them (`socops user enable {owner}`) or name another owner"))
        elif role is None:
            found.append(PolicyProblem(where, f"the owner of {account.account_id}, {owner!r}, is not a console "
                                       f"user; add them (`socops user add {owner} --role manager --scope "
                                       f"{account.account_id}`) or name an existing user"))
        elif asks_owner and (role not in policy.roles or POST_APPROVE not in policy.roles.permissions_of(role)):
            found.append(PolicyProblem(where, f"the owner of {account.account_id}, {owner} ({role}), cannot "
                                       f"approve posts, yet route {asks_owner[0]!r} asks the account owner; give "
                                       f"them a role with {POST_APPROVE} or name another owner"))
    held = set(staff.roles.values())
    waiting: dict[str, list[tuple[int, int]]] = {}     # role -> (route index, stage index), in file order
    for index, route in enumerate(routes):
        for number, stage in enumerate(route.stages):
            if stage.role != ACCOUNT_OWNER and stage.role not in held:
                waiting.setdefault(stage.role, []).append((index, number))
    for role, stages in waiting.items():
        names = list(dict.fromkeys(routes[index].name for index, _ in stages))
        first_route, first_stage = stages[0]
        found.append(PolicyProblem(
            line_of(("approval", "routes", first_route, "stages", first_stage, "role")),
            f"no enabled console user has the {role} role, but {len(stages)} approval stage"
            f"{'s wait' if len(stages) != 1 else ' waits'} for one (route{'s' if len(names) != 1 else ''} "
            f"{', '.join(repr(name) for name in names)}): posts on "
            f"{'them' if len(names) != 1 else 'it'} cannot be submitted until someone has it "
            f"(`socops user add NAME --role {role}`)"))
    return sorted(found, key=lambda problem: problem.line or 0)


class Governance:
    """The governance configuration in force, following edits of the file."""

    def __init__(self, path: Path, *, write_example: bool = True, last_good: Path | None = None) -> None:
        """``last_good``: where a copy of the last version that validated is kept, so
        that a console started on a broken file runs on it instead of not starting."""
        self.path = Path(path)
        self.last_good = Path(last_good) if last_good is not None else None
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
        governance.last_good = None
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
                    self._policy = self._read_last_good()
                    if self._policy is None:
                        raise
                if str(error) != self.problem:
                    log.warning("%s (version %s stays in force)", error, self._policy.version)
                self.problem = f"{error}; version {self._policy.version} stays in force"
                self._stamp = stamp
                return self._policy
            self._policy, self._stamp, self.problem = policy, stamp, ""
            if self._text is not None:
                self._keep_last_good(self._text)
            return policy

    def _keep_last_good(self, text: str) -> None:
        """Copy a version that validated aside (atomically; only when it changed)."""
        if self.last_good is None:
            return
        try:
            if self.last_good.exists() and self.last_good.read_text(encoding="utf-8") == text:
                return
            self.last_good.parent.mkdir(parents=True, exist_ok=True)
            scratch = self.last_good.with_name(self.last_good.name + ".tmp")
            scratch.write_text(text, encoding="utf-8")
            os.replace(scratch, self.last_good)
        except OSError as error:  # the copy is a safety net: say so, carry on
            log.warning("could not keep a copy of the governance file at %s: %s", self.last_good, error)

    def _read_last_good(self) -> GovernancePolicy | None:
        """The copy of the last version that validated, if there is one that still does."""
        if self.last_good is None or not self.last_good.exists():
            return None
        try:
            return parse_governance(self.last_good.read_text(encoding="utf-8"), self.last_good)
        except (OSError, UnicodeDecodeError, ConfigError) as error:
            log.warning("the copy of the last good governance file is unusable: %s", error)
            return None

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

    @property
    def content(self) -> ContentPolicy:
        return self.policy.content

    @property
    def publishing(self) -> PublishingPolicy:
        return self.policy.publishing

    @property
    def crisis(self) -> CrisisPolicy:
        return self.policy.crisis
