"""Who is acting: every service call that changes or reads governed state
takes an :class:`Actor` and asks it, before doing anything, whether the
action is allowed. People act through a logged-in session
(:class:`console.identity.sessions.Session`); the worker and the installer act as
:class:`SystemActor` with a fixed, small set of permissions.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from console.permissions.catalogue import PERMISSIONS, PermissionDenied, Scope


@runtime_checkable
class Actor(Protocol):
    """Anyone or anything that acts through a service."""

    @property
    def name(self) -> str:
        """The name that the audit trail and the records carry."""

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        """Return if allowed, else raise PermissionDenied naming ``permission``
        (or StepUpRequired for a high-risk action without a fresh code)."""

    def scope(self) -> Scope:
        """The accounts this actor may see and act on."""


@dataclass(frozen=True)
class SystemActor:
    """A process acting on its own behalf (the worker), with named permissions."""

    system_name: str
    permissions: frozenset[str]

    @property
    def name(self) -> str:
        return self.system_name

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        if permission not in self.permissions:
            description = PERMISSIONS.get(permission, permission)
            raise PermissionDenied(f"{self.system_name} may not {description} (needs {permission})",
                                   permission=permission)

    def scope(self) -> Scope:
        return Scope()
