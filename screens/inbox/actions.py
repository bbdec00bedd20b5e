"""Running inbox actions off the UI thread, with collision detection.

The screen hands over the ids and the versions the operator saw; this module
calls the inbox service with ``expected_version`` and reports an outcome.
Actions run one at a time, in the order the keys were pressed, so an
operator's quick "assign, then close" does not collide with itself: a
version the operator saw only because their own earlier action had not been
repainted yet is upgraded to the version that action produced. Anyone else's
change still raises a conflict.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass, field

from console.permissions import Actor
from console.errors import ActionConflict, ConsoleError
from console.inbox import InboxItem, InboxService
from console.untrusted import one_line

log = logging.getLogger("socops.screens")

_METHODS = {
    "assign": "assign",
    "tag": "tag",
    "snooze": "snooze",
    "close": "close",
    "reopen": "reopen",
    "reply": "reply",
    "note": "add_note",
}

_BULK_VERBS = {
    "assign": "assigned",
    "tag": "tagged",
    "snooze": "snoozed",
    "close": "closed",
    "reopen": "reopened",
    "reply": "queued a reply to",
    "note": "added a note to",
}


@dataclass
class ActionOutcome:
    """What an action did: a one-line summary, and which items changed or not."""

    action: str
    summary: str
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    refused: bool = False
    conflict: bool = False
    #: Why it was refused (the screen offers a prompt for a locked session, say).
    error: ConsoleError | None = None


def item_label(item: InboxItem) -> str:
    """``comment from @jane`` (plain text; display it as ``Text``)."""
    author = one_line(item.author_handle or item.author_name or "unknown", 30)
    return f"{item.kind} from {author}"


def _single_summary(action: str, item: InboxItem, arguments: dict, tz_format) -> str:
    label = item_label(item)
    if action == "assign":
        who = arguments.get("assignee")
        return f"Assigned {label} to {who}" if who else f"Unassigned {label}"
    if action == "tag":
        return f"Tagged {label}: " + (", ".join(item.tags) or "no tags")
    if action == "snooze":
        return f"Snoozed {label} until {tz_format(arguments['until'])}"
    if action == "close":
        return f"Closed {label}"
    if action == "reopen":
        return f"Reopened {label}"
    if action == "reply":
        return f"Reply to {label} queued; the worker sends it"
    if action == "note":
        return f"Added an internal note to {label}"
    return f"{action}: {label}"


class ActionRunner:
    """Runs inbox actions one at a time for one operator."""

    def __init__(self, inbox: InboxService, actor: Actor,
                 format_time=lambda moment: moment.strftime("%H:%M")) -> None:
        self.inbox = inbox
        self.actor = actor
        self.format_time = format_time
        self._turn = threading.Condition()
        self._issued = 0
        self._serving = 1
        # id -> (versions the operator may still be looking at, version our last write made)
        self._own_writes: dict[str, tuple[set[int], int]] = {}

    def _resolve(self, item_id: str, shown: int | None) -> int | None:
        own = self._own_writes.get(item_id)
        if shown is not None and own is not None and shown in own[0]:
            return own[1]
        return shown

    def _remember(self, item_id: str, shown: int | None, used: int | None, new_version: int) -> None:
        olds, _ = self._own_writes.get(item_id, (set(), new_version))
        olds = set(olds) | {v for v in (shown, used) if v is not None}
        self._own_writes[item_id] = (olds, new_version)
        if len(self._own_writes) > 10_000:
            self._own_writes.clear()

    def ticket(self) -> int:
        """Take a place in line; call on the UI thread when the key is pressed."""
        self._issued += 1
        return self._issued

    def run(self, ticket: int, action: str, targets: list[tuple[str, int | None]],
            arguments: dict) -> ActionOutcome:
        """Apply ``action`` to ``targets`` (id, version shown), after every earlier ticket.

        Never raises a ``ConsoleError``: refusals come back in the outcome.
        """
        if action not in _METHODS:
            raise ValueError(f"unknown inbox action {action!r}")
        with self._turn:
            # Keys are handled in the order pressed; a ticket whose worker never ran
            # (the app was closing) must not block the rest forever.
            self._turn.wait_for(lambda: self._serving >= ticket, timeout=30)
            try:
                if len(targets) == 1:
                    return self._run_one(action, *targets[0], arguments)
                return self._run_many(action, targets, arguments)
            except ActionConflict as error:
                return ActionOutcome(action, str(error), refused=True, conflict=True)
            except ConsoleError as error:
                return ActionOutcome(action, str(error), refused=True, error=error)
            except OSError as error:
                log.exception("inbox action %s failed", action)
                return ActionOutcome(action, f"could not write to the store ({error}); "
                                             "check the disk and try again", refused=True)
            except Exception as error:  # e.g. a store error the service did not translate
                log.exception("inbox action %s failed", action)
                return ActionOutcome(action, f"{action} failed: {error}; nothing else was changed, "
                                             "see the log (socops -v) and try again", refused=True)
            finally:
                self._serving = max(self._serving, ticket + 1)
                self._turn.notify_all()

    def _run_one(self, action: str, item_id: str, shown: int | None, arguments: dict) -> ActionOutcome:
        expected = self._resolve(item_id, shown)
        method = getattr(self.inbox, _METHODS[action])
        item = method(item_id, actor=self.actor, expected_version=expected, **arguments)
        self._remember(item_id, shown, expected, item.version)
        return ActionOutcome(action, _single_summary(action, item, arguments, self.format_time),
                             done=[item_id])

    def _run_many(self, action: str, targets: list[tuple[str, int | None]], arguments: dict) -> ActionOutcome:
        versions = {}
        for item_id, shown in targets:
            resolved = self._resolve(item_id, shown)
            if resolved is not None:
                versions[item_id] = resolved
        result = self.inbox.bulk([item_id for item_id, _ in targets], action, actor=self.actor,
                                 versions=versions, **arguments)
        shown_by_id = dict(targets)
        for item_id in result.done:
            try:
                current = self.inbox.get(item_id)
            except ConsoleError:
                continue
            self._remember(item_id, shown_by_id.get(item_id), versions.get(item_id), current.version)
        summary = result.summary(_BULK_VERBS[action])
        return ActionOutcome(action, summary[:1].upper() + summary[1:], done=list(result.done),
                             failed=list(result.failed), refused=not result.done,
                             conflict=bool(result.failed))

