"""Messages that workers and service listeners post to the app.

Named in the past tense: each reports something that already happened on
another thread. Handlers on the app or a screen own every resulting change.
"""

from __future__ import annotations

from textual.message import Message

from console.crisis import CrisisStatus
from console.inbox import InboxCounts
from console.worker import WorkerStatus


class WorkerStatusChanged(Message):
    """The background worker reported a new state."""

    def __init__(self, status: WorkerStatus) -> None:
        super().__init__()
        self.status = status

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, WorkerStatusChanged)


class ItemsChanged(Message):
    """Inbox items changed (here or in another process); ``ids`` says which."""

    def __init__(self, ids: set[str]) -> None:
        super().__init__()
        self.ids = ids


class CountsCounted(Message):
    """The headline inbox counts were recomputed."""

    def __init__(self, counts: InboxCounts) -> None:
        super().__init__()
        self.counts = counts

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CountsCounted)


class ItemsListed(Message):
    """A filter finished: ``ids`` match it, most urgent first."""

    def __init__(self, ids: list[str], generation: int) -> None:
        super().__init__()
        self.ids = ids
        self.generation = generation


class ActionCompleted(Message):
    """An inbox action went through (for some or all of its items)."""

    def __init__(self, action: str, summary: str, done: list[str],
                 failed: list[tuple[str, str]]) -> None:
        super().__init__()
        self.action = action
        self.summary = summary
        self.done = done
        self.failed = failed


class ActionRefused(Message):
    """An inbox action was refused; ``conflict`` when someone else changed the item."""

    def __init__(self, action: str, reason: str, *, conflict: bool, error: Exception | None = None,
                 retry=None) -> None:
        super().__init__()
        self.action = action
        self.reason = reason
        self.conflict = conflict
        #: The refusal itself, and how to run the action again once the operator fixed it
        #: (a code after an idle lock, say); see ``SessionGuard``.
        self.error = error
        self.retry = retry


class NoticesChanged(Message):
    """The logged-in person's notices changed (one was left for them, or read)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, NoticesChanged)


class NoticesCounted(Message):
    """The logged-in person's unread notices were counted."""

    def __init__(self, unread: int) -> None:
        super().__init__()
        self.unread = unread

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, NoticesCounted)


class CrisisStatusRead(Message):
    """The crisis read model was asked for (at a store poll, a clock tick, after an action)."""

    def __init__(self, status: CrisisStatus) -> None:
        super().__init__()
        self.status = status

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, CrisisStatusRead)
