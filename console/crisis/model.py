"""The crisis plan of ``governance.toml`` (``[crisis]``), as validated records.

Severity levels (1 watch, 2 incident, 3 crisis, 4 severe, or as the file
names them) say who may declare each, whether declaring it freezes
publishing and where (every account, or the crisis's accounts and regions),
who alone may reply on the affected accounts while it lasts, the library's
holding statements prepared for it (by tag), and a runbook of steps with an
owner role and a due time. Playbooks (a product recall, an outage, an
offensive post, an account takeover) add their own runbook steps and
holding-statement tags.
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
    holding_statement_tags: tuple[str, ...] = ()
    runbook: tuple[RunbookStep, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.number} {self.name}"

    @property
    def freezes(self) -> bool:
        return self.freeze != FREEZE_NONE


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

    def playbook(self, playbook_id: str) -> Playbook | None:
        return self.playbooks.get(playbook_id)

    def runbook(self, level: CrisisLevel, playbook: Playbook | None) -> tuple[RunbookStep, ...]:
        """The level's steps, then the playbook's, each list in file order."""
        return level.runbook + (playbook.runbook if playbook else ())

    def statement_tags(self, level: CrisisLevel, playbook: Playbook | None) -> tuple[str, ...]:
        """The tags of the holding statements prepared for this level and playbook."""
        return tuple(dict.fromkeys(level.holding_statement_tags + (playbook.holding_statement_tags
                                                                   if playbook else ())))


def responder_allowed(responders: tuple[str, ...], username: str, role: str | None) -> bool:
    """Whether ``username`` (holding ``role``) may reply on affected accounts, when
    ``responders`` (roles, or "user:NAME") alone may; an empty list limits nobody."""
    if not responders:
        return True
    return (role is not None and role in responders) or f"user:{username}" in responders
