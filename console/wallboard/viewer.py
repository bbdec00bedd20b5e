"""Who the wallboard reads as: the person who logged in on the TV box, read-only.

A wallboard is left running for hours with nobody at its keyboard, so it must
not lock after ``idle_minutes`` as a console does (the issue: "the idle lock
does not blank it"). What it may do is cut down instead: :class:`BoardViewer`
passes only the read permissions, checked against the person's record as it
is now (their role, training and scope: disabling them or changing their role
stops the board at its next refresh), and refuses every other permission, so
no service call made with it can change anything.
"""

from __future__ import annotations

from console.permissions import ACCOUNT_VIEW, INBOX_READ, PERMISSIONS, REPORT_READ, Actor, PermissionDenied, Scope

#: What a wallboard may do: read.
READ_ONLY = frozenset({INBOX_READ, ACCOUNT_VIEW, REPORT_READ})
#: What a wallboard needs to show anything (a viewer has it).
BOARD_PERMISSION = INBOX_READ


class BoardViewer:
    """An :class:`Actor` for the wallboard: ``session``'s read permissions, no idle lock, nothing else."""

    def __init__(self, session: Actor) -> None:
        self.session = session

    @property
    def name(self) -> str:
        return self.session.name

    def require(self, permission: str, *, account_id: str | None = None, region: str = "") -> None:
        if permission not in READ_ONLY:
            raise PermissionDenied(f"the wallboard only reads: it may not {PERMISSIONS.get(permission, permission)} "
                                   f"({permission}); use the console (`socops`) for that", permission=permission)
        # A logged-in Session says why not without its idle lock and step-up (both are
        # about someone at the keyboard); other actors (the worker's, tests') check as usual.
        why_not = getattr(self.session, "why_not", None)
        if callable(why_not):
            problem = why_not(permission, account_id=account_id, region=region)
            if problem:
                raise PermissionDenied(f"the wallboard stopped: {problem}; log in again as someone who may "
                                       f"{PERMISSIONS.get(permission, permission)}", permission=permission)
            return
        self.session.require(permission, account_id=account_id, region=region)

    def scope(self) -> Scope:
        return self.session.scope()
