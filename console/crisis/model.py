"""The crisis plan of ``governance.toml`` (``[crisis]``), as validated records.

Severity levels (1 watch, 2 incident, 3 crisis, 4 severe, or as the file
names them) say who may declare each, whether declaring it freezes
publishing and where (every account, or the crisis's accounts and regions),
who alone may reply on the affected accounts while it lasts, and a runbook
of steps with an owner role and a due time. Playbooks (a product recall, an
outage, an offensive post, an account takeover) add their own runbook steps
and name the library's holding statements prepared for them, by tag.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

FREEZE_NONE = "none"
FREEZE_AFFECTED = "affected"     # the crisis's accounts and regions
FREEZE_ALL = "all"
FREEZE_SCOPES = (FREEZE_NONE, FREEZE_AFFECTED, FREEZE_ALL)

#: Who may confirm an unfreeze or a resolve asked for by someone else.
DEFAULT_CONFIRM_ROLES = ("owner", "admin", "manager")


@dataclass(frozen=True)
class RunbookStep:
    id: str
    title: str
    owner: str                  # a role (or "user:NAME")
    due_minutes: int            # after the declaration


@dataclass(frozen=True)
class CrisisLevel:
    number: int
    name: str
    declare_roles: tuple[str, ...] = ("owner", "admin", "manager")
    freeze: str = FREEZE_NONE
    #: Roles, or "user:NAME", who alone may reply on the affected accounts; empty: no limit.
    responders: tuple[str, ...] = ()
    runbook: tuple[RunbookStep, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"


@dataclass(frozen=True)
class Playbook:
    id: str
    title: str
    holding_statement_tags: tuple[str, ...] = ()
    runbook: tuple[RunbookStep, ...] = ()


@dataclass(frozen=True)
class CrisisPolicy:
    levels: Mapping[int, CrisisLevel] = field(default_factory=dict)
    playbooks: Mapping[str, Playbook] = field(default_factory=dict)
    #: The approval route a holding statement's post takes during a crisis ("": the usual routes).
    approval_route: str = ""
    confirm_roles: tuple[str, ...] = DEFAULT_CONFIRM_ROLES

    def level(self, number: int) -> CrisisLevel | None:
        return self.levels.get(number)

    def responder_allowed(self, level: CrisisLevel, username: str, role: str | None) -> bool:
        """Whether ``username`` (holding ``role``) may reply on affected accounts."""
        if not level.responders:
            return True
        return (role is not None and role in level.responders) or f"user:{username}" in level.responders
