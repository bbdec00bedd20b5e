"""Refusals the operator can fix on the spot, and running again once they did.

The services decide when a session must lock (idle), when an action needs a
fresh code (step-up) and when a new governance version must be acknowledged;
they say so by raising :class:`SessionLocked`, :class:`StepUpRequired` or
:class:`PolicyAckRequired`. The :class:`SessionGuard` turns such an error
into the prompt that fixes it, and when the operator got through, runs what
was refused once more. Several refusals of one kind share one prompt: the
retries wait together (keyed, so a background refresh waits only once).
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import TYPE_CHECKING

from console.permissions import PolicyAckRequired, SessionLocked, StepUpRequired
from screens.widgets.code_entry import LockScreen, PolicyPrompt, StepUpPrompt

if TYPE_CHECKING:
    from textual.app import App

LOCK, POLICY, STEP_UP = "lock", "policy", "step-up"

Retry = Callable[[], object]


def fixable_kind(error: BaseException) -> str | None:
    """Which prompt fixes ``error`` (None: nothing the operator can type fixes it)."""
    if isinstance(error, SessionLocked):
        return LOCK
    if isinstance(error, PolicyAckRequired):
        return POLICY
    if isinstance(error, StepUpRequired):
        return STEP_UP
    return None


class SessionGuard:
    """Shows the lock screen, the step-up prompt or the policy prompt for the app's session."""

    def __init__(self, app: "App") -> None:
        self.app = app
        self._open: set[str] = set()
        # kind -> key -> (retry, cancelled)
        self._waiting: dict[str, dict[object, tuple[Retry | None, Retry | None]]] = {
            LOCK: {}, POLICY: {}, STEP_UP: {}}
        self._keys = itertools.count()

    @property
    def session(self):
        return self.app.actor  # type: ignore[attr-defined]

    def is_open(self, kind: str) -> bool:
        return kind in self._open

    def handle(self, error: BaseException, retry: Retry | None = None, *, key: object = None,
               cancelled: Retry | None = None) -> bool:
        """Show the prompt that fixes ``error`` and call ``retry`` after it (on the UI thread).

        Returns False when ``error`` is not one the operator can fix (or the
        session cannot take a code); the caller then reports it as usual.
        ``cancelled`` runs if the operator gives up (Escape on a step-up).
        """
        kind = fixable_kind(error)
        if kind is None or not self._session_can(kind):
            return False
        self._waiting[kind][key if key is not None else next(self._keys)] = (retry, cancelled)
        if kind not in self._open:
            self._open.add(kind)
            # Pushed from the app's own queue: a prompt's result goes back to whoever
            # pushed it, and the screen that met the refusal may be gone by then
            # (the login screen after login).
            self.app.call_next(self._push, kind, str(error))
        return True

    def _push(self, kind: str, reason: str) -> None:
        self.app.push_screen(self._prompt(kind, reason), lambda ok: self._closed(kind, bool(ok)))

    def ask_policy(self) -> None:
        """Ask for the acknowledgement now if the session's user has not given it yet."""
        session = self.session
        user = getattr(session, "user", None)
        governance = self.app.workspace.governance  # type: ignore[attr-defined]
        if user is not None and governance.version > user.policy_version_acknowledged:
            self.handle(PolicyAckRequired("the governance policy changed"))

    def _session_can(self, kind: str) -> bool:
        method = {LOCK: "unlock", POLICY: "acknowledge_policy", STEP_UP: "step_up"}[kind]
        return callable(getattr(self.session, method, None))

    def _prompt(self, kind: str, reason: str):
        session = self.session
        if kind == LOCK:
            return LockScreen(session.name, reason.split(";")[0], session.unlock)
        if kind == STEP_UP:
            return StepUpPrompt(reason, session.step_up)
        governance = self.app.workspace.governance  # type: ignore[attr-defined]
        return PolicyPrompt(session.name, governance.version, str(governance.path), session.acknowledge_policy)

    def _closed(self, kind: str, ok: bool) -> None:
        self._open.discard(kind)
        waiting = list(self._waiting[kind].values())
        self._waiting[kind].clear()
        for retry, cancelled in waiting:
            action = retry if ok else cancelled
            if action is not None:
                action()
