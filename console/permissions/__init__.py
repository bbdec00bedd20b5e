"""Who may do what: the permission catalogue, roles and scopes, and the
:class:`Actor` that every service call takes and asks before it acts.

- ``catalogue.py``: the permissions, the built-in roles, which are high-risk
  (step-up), :class:`Scope` (accounts and regions), :class:`RoleBook`, and the
  refusals (:class:`PermissionDenied` and its kinds).
- ``actors.py``: :class:`Actor` (a logged-in session is one) and
  :class:`SystemActor` for the worker and the installer.

Every domain checks permissions, the audit trail among them, and the people
in ``console/identity/`` are audited: so this vocabulary sits beneath both,
in a package of its own.
"""

from console.permissions.actors import Actor, SystemActor
from console.permissions.catalogue import (
    ACCOUNT_MANAGE,
    ACCOUNT_VIEW,
    AUDIT_EXPORT,
    AUDIT_READ,
    BUILTIN_ROLES,
    CRISIS_DECLARE,
    CRISIS_RESPOND,
    HIGH_RISK,
    INBOX_IMPORT,
    INBOX_READ,
    INBOX_REPLY,
    INBOX_TRIAGE,
    PERMISSIONS,
    POLICY_MANAGE,
    POST_APPROVE,
    POST_DRAFT,
    POST_PUBLISH,
    POST_SUBMIT,
    REPORT_READ,
    ROLE_DESCRIPTIONS,
    SCHEDULE_FREEZE,
    TRAINING_MANAGE,
    USER_MANAGE,
    PermissionDenied,
    PolicyAckRequired,
    RoleBook,
    Scope,
    SessionLocked,
    StepUpRequired,
)

__all__ = [
    "ACCOUNT_MANAGE", "ACCOUNT_VIEW", "AUDIT_EXPORT", "AUDIT_READ", "BUILTIN_ROLES", "CRISIS_DECLARE",
    "CRISIS_RESPOND", "HIGH_RISK", "INBOX_IMPORT", "INBOX_READ", "INBOX_REPLY", "INBOX_TRIAGE", "PERMISSIONS",
    "POLICY_MANAGE", "POST_APPROVE", "POST_DRAFT", "POST_PUBLISH", "POST_SUBMIT", "REPORT_READ",
    "ROLE_DESCRIPTIONS", "SCHEDULE_FREEZE", "TRAINING_MANAGE", "USER_MANAGE",
    "Actor", "PermissionDenied", "PolicyAckRequired", "RoleBook", "Scope", "SessionLocked", "StepUpRequired",
    "SystemActor",
]
