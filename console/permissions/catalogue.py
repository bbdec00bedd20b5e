"""Permissions, roles and scopes: what each person may do, and on which accounts.

A role is a named set of permissions. The built-in roles follow least
privilege; the governance configuration can add custom roles. Each user also
has a scope: every account, or a list of accounts and/or regions. The
services check both on every call (the screens only hide what would be
refused); a refusal names the missing permission.

Some permissions are *high-risk*: they also need a TOTP code given within the
last few minutes (step-up), even in an open session.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from console.errors import ConsoleError

# -- the catalogue ----------------------------------------------------------------------
INBOX_READ = "inbox.read"
INBOX_TRIAGE = "inbox.triage"          # assign, tag, snooze, close, reopen, notes
INBOX_REPLY = "inbox.reply"
INBOX_IMPORT = "inbox.import"
POST_DRAFT = "post.draft"
POST_SUBMIT = "post.submit"            # schedule into approval
POST_APPROVE = "post.approve"
POST_PUBLISH = "post.publish"          # publish now, outside the schedule
CRISIS_DECLARE = "crisis.declare"      # declare and resolve
CRISIS_RESPOND = "crisis.respond"
SCHEDULE_FREEZE = "schedule.freeze"    # freeze and unfreeze publishing
ACCOUNT_VIEW = "account.view"
ACCOUNT_MANAGE = "account.manage"      # connect, test, remove
USER_MANAGE = "user.manage"
AUDIT_READ = "audit.read"
AUDIT_EXPORT = "audit.export"
REPORT_READ = "report.read"
TRAINING_MANAGE = "training.manage"    # record other people's training
POLICY_MANAGE = "policy.manage"

PERMISSIONS: dict[str, str] = {
    INBOX_READ: "see the inbox",
    INBOX_TRIAGE: "assign, tag, snooze, close and reopen inbox items, add notes",
    INBOX_REPLY: "reply to comments, DMs and mentions",
    INBOX_IMPORT: "import inbox history",
    POST_DRAFT: "write drafts",
    POST_SUBMIT: "submit drafts for approval and scheduling",
    POST_APPROVE: "approve or reject posts",
    POST_PUBLISH: "publish a post now",
    CRISIS_DECLARE: "declare and resolve a crisis",
    CRISIS_RESPOND: "reply during a crisis",
    SCHEDULE_FREEZE: "freeze and unfreeze scheduled publishing",
    ACCOUNT_VIEW: "see connected accounts",
    ACCOUNT_MANAGE: "connect, test and remove platform accounts",
    USER_MANAGE: "add, change and disable console users",
    AUDIT_READ: "read the audit trail",
    AUDIT_EXPORT: "export the audit trail",
    REPORT_READ: "read goals and reports",
    TRAINING_MANAGE: "record training for other people",
    POLICY_MANAGE: "change the governance configuration",
}

#: Permissions that need a fresh TOTP code (step-up) even in an open session.
HIGH_RISK = frozenset({POST_PUBLISH, ACCOUNT_MANAGE, USER_MANAGE, CRISIS_DECLARE, SCHEDULE_FREEZE,
                       AUDIT_EXPORT})

_READ = {INBOX_READ, ACCOUNT_VIEW, REPORT_READ}

BUILTIN_ROLES: dict[str, frozenset[str]] = {
    "owner": frozenset(PERMISSIONS),
    "admin": frozenset(PERMISSIONS),
    "manager": frozenset(_READ | {INBOX_TRIAGE, INBOX_REPLY, POST_DRAFT, POST_SUBMIT, POST_APPROVE,
                                  POST_PUBLISH, CRISIS_DECLARE, CRISIS_RESPOND, SCHEDULE_FREEZE,
                                  AUDIT_READ}),
    "editor": frozenset(_READ | {POST_DRAFT, POST_SUBMIT}),
    "contributor": frozenset({POST_DRAFT}),
    "responder": frozenset(_READ | {INBOX_TRIAGE, INBOX_REPLY, CRISIS_RESPOND}),
    "analyst": frozenset(_READ | {AUDIT_READ}),
    "viewer": frozenset({INBOX_READ, ACCOUNT_VIEW}),
}
ROLE_DESCRIPTIONS = {
    "owner": "everything, including managing owners",
    "admin": "everything except changing owners",
    "manager": "approve, publish, declare a crisis, and everything a responder does",
    "editor": "draft and submit posts into approval",
    "contributor": "draft only (juniors, agencies)",
    "responder": "inbox triage and replies",
    "analyst": "read, reports and the audit trail",
    "viewer": "read only (the wallboard)",
}


class PermissionDenied(ConsoleError):
    """The acting user may not do this; the message names the missing permission."""

    def __init__(self, message: str, *, permission: str = "") -> None:
        super().__init__(message)
        self.permission = permission


class StepUpRequired(PermissionDenied):
    """A high-risk action needs a fresh TOTP code first."""


class SessionLocked(PermissionDenied):
    """The session was idle too long (or its user got locked out): a new code unlocks it."""


class PolicyAckRequired(PermissionDenied):
    """The governance policy changed; the user must acknowledge the new version first."""


@dataclass(frozen=True)
class Scope:
    """Which accounts a user may act on: all of them, or named accounts and/or regions."""

    accounts: frozenset[str] = frozenset()
    regions: frozenset[str] = frozenset()

    @property
    def everything(self) -> bool:
        return not self.accounts and not self.regions

    def covers(self, account_id: str, region: str = "") -> bool:
        if self.everything:
            return True
        return account_id in self.accounts or (bool(region) and region in self.regions)

    def describe(self) -> str:
        if self.everything:
            return "all accounts"
        parts = sorted(self.accounts) + [f"region {r}" for r in sorted(self.regions)]
        return ", ".join(parts)

    def to_record(self) -> dict:
        return {"accounts": sorted(self.accounts), "regions": sorted(self.regions)}

    @classmethod
    def from_record(cls, raw: Mapping | None) -> "Scope":
        raw = raw or {}
        return cls(frozenset(raw.get("accounts", ())), frozenset(raw.get("regions", ())))

    @classmethod
    def parse(cls, text: str) -> "Scope":
        """``all``, or comma-separated account ids and ``region:NAME`` terms."""
        words = [w.strip() for w in text.split(",") if w.strip()]
        if not words or words == ["all"]:
            return cls()
        accounts = frozenset(w for w in words if not w.startswith("region:"))
        regions = frozenset(w.split(":", 1)[1] for w in words if w.startswith("region:"))
        return cls(accounts, regions)


@dataclass(frozen=True)
class RoleBook:
    """The roles in force: the built-in ones plus custom roles from governance."""

    roles: Mapping[str, frozenset[str]] = field(default_factory=lambda: dict(BUILTIN_ROLES))

    @classmethod
    def with_custom(cls, custom: Mapping[str, Iterable[str]]) -> "RoleBook":
        roles = dict(BUILTIN_ROLES)
        for name, permissions in custom.items():
            if name in BUILTIN_ROLES:
                raise ValueError(f"custom role {name!r} has the name of a built-in role; rename it")
            unknown = set(permissions) - set(PERMISSIONS)
            if unknown:
                raise ValueError(f"custom role {name!r} names unknown permission "
                                 f"{sorted(unknown)[0]!r}; known: {', '.join(sorted(PERMISSIONS))}")
            roles[name] = frozenset(permissions)
        return cls(roles)

    def permissions_of(self, role: str) -> frozenset[str]:
        if role not in self.roles:
            raise ValueError(f"unknown role {role!r}; roles: {', '.join(self.roles)}")
        return self.roles[role]

    def __contains__(self, role: str) -> bool:
        return role in self.roles
