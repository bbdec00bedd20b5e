"""Who may approve a stage of a post.

One answer serves three callers: submission (a route whose stage nobody could
approve is refused up front, instead of waiting forever), the approval itself
(the wrong role, or not the accounts' owner, is refused), and the completion
of an ``all`` stage (every eligible person must have approved).

A person is eligible for a stage when they are an active user holding the
stage's role (for ``account_owner``: they are named owner of one of the
post's accounts in the governance file), their scope covers every target, and
they did not write any revision of the post.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from console.policy import ACCOUNT_OWNER, ContentPolicy, Stage, Target
from console.permissions import Scope


class Approvers:
    def __init__(self, policy: Callable[[], ContentPolicy], role_of: Callable[[str], str | None],
                 holders: Callable[[str], list[tuple[str, Scope]]],
                 target_of: Callable[[str], Target | None]) -> None:
        self.policy = policy
        self.role_of = role_of          # username -> role (None: unknown or disabled)
        self.holders = holders          # role -> active users holding it, with their scopes
        self.target_of = target_of

    def region(self, account_id: str) -> str:
        target = self.target_of(account_id)
        return target.region if target is not None else ""

    def covers_all(self, scope: Scope, targets: Iterable[str]) -> bool:
        return all(scope.covers(account, self.region(account)) for account in targets)

    def owners(self, targets: Iterable[str]) -> list[str]:
        """The owners the governance file names for ``targets`` (in target order)."""
        policy = self.policy()
        names = (policy.account(account).owner.strip().lower() for account in targets)
        return list(dict.fromkeys(name for name in names if name))

    def candidates(self, stage: Stage, targets: Sequence[str]) -> list[tuple[str, Scope]]:
        """Active people who hold the stage's role, with their scopes (authors not yet removed)."""
        if stage.role != ACCOUNT_OWNER:
            return list(self.holders(stage.role))
        found = []
        for owner in self.owners(targets):
            role = self.role_of(owner)
            if role is None:
                continue
            found += [(name, scope) for name, scope in self.holders(role) if name == owner]
        return found

    def eligible(self, stage: Stage, targets: Sequence[str], authors: Iterable[str]) -> set[str]:
        """Everyone who could approve ``stage`` of a post to ``targets`` written by ``authors``."""
        excluded = set(authors)
        return {name for name, scope in self.candidates(stage, targets)
                if name not in excluded and self.covers_all(scope, targets)}

    def wrong_role(self, username: str, stage: Stage, targets: Sequence[str]) -> str:
        """Why ``username`` does not fit ``stage`` by role or ownership ("" when they do)."""
        if stage.role == ACCOUNT_OWNER:
            owners = self.owners(targets)
            if username in owners:
                return ""
            named = ", ".join(owners) if owners else "nobody (name one under [accounts] in governance.toml)"
            return f"this stage waits for the owner of {', '.join(targets)}: {named}"
        role = self.role_of(username)
        if role == stage.role:
            return ""
        return f"this stage waits for a {stage.role}; you are {_a(role or 'not an active user')}"


def _a(role: str) -> str:
    return role if role.startswith("not ") else ("an " if role[:1] in "aeiou" else "a ") + role
