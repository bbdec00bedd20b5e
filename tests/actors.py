"""A stand-in for a logged-in person in service tests: a name, a built-in
role and a scope, checked the way a session checks them (without login,
idle lock, training or step-up, which have their own tests)."""

from __future__ import annotations

from dataclasses import dataclass

from console.permissions import BUILTIN_ROLES, PERMISSIONS, PermissionDenied, Scope


@dataclass(frozen=True)
class RoleActor:
    name: str
    role: str = "manager"
    allowed: Scope = Scope()

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        if permission not in BUILTIN_ROLES[self.role]:
            raise PermissionDenied(f"{self.name} ({self.role}) may not {PERMISSIONS[permission]}: "
                                   f"needs {permission}", permission=permission)
        if account_id and not self.allowed.covers(account_id, region):
            raise PermissionDenied(f"{self.name} may not act on {account_id}", permission=permission)

    def scope(self) -> Scope:
        return self.allowed
