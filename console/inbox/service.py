"""The unified inbox: list, triage and reply, as single calls a UI or CLI makes.

Every action is a compare-and-set on the item's record: the caller passes the
version it showed the operator, and if someone else changed the item since,
the action is refused with :class:`ActionConflict` naming who did what and
when, instead of silently overwriting them. That is the inbox's collision
detection. ``expected_version=None`` acts on whatever is current.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta, timezone

from console.permissions import (
    INBOX_READ,
    INBOX_REPLY,
    INBOX_TRIAGE,
    Actor,
    PermissionDenied,
    PolicyAckRequired,
    SessionLocked,
    StepUpRequired,
)
from console.audit import AuditNote, AuditTrail
from console.policy import CheckResult
from console.errors import ActionConflict, InvalidAction, ItemNotFound, StorageProblem
from console.inbox.index import ACCOUNT, InboxIndex
from console.inbox.records import (
    INBOX,
    REPLY_QUEUED,
    STATUS_CLOSED,
    STATUS_OPEN,
    STATUS_SNOOZED,
    InboxCounts,
    InboxFilter,
    InboxItem,
    Note,
    Reply,
    item_from_record,
    note_to_dict,
    reply_to_dict,
)
from console.records import BulkResult, format_time, utc_now
from console.inbox.reply_policy import ReplyCheck, acknowledged_rules
from console.inbox.sla import SlaTargets
from console.tags import clean_tag
from data import ConflictError, NotFoundError, Store, StoreError

MAX_REPLY_CHARS = 5_000
MAX_NOTE_CHARS = 2_000

Clock = Callable[[], datetime]
#: (name, account id or None) -> the user name to record; InvalidAction saying why not.
AssigneeCheck = Callable[[str, str | None], str]
#: (user name, account id) -> why that person may not reply on that account now ("" when they may).
ReplyGate = Callable[[str, str], str]


def _clock_time(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%H:%M UTC")


class InboxService:
    """Triage operations on the shared inbox."""

    def __init__(self, store: Store, audit: AuditTrail, *, assignee_for: AssigneeCheck,
                 sla: SlaTargets | None = None, clock: Clock = utc_now,
                 region_of: Callable[[str], str] = lambda account_id: "",
                 reply_check: ReplyCheck | None = None, reply_gate: ReplyGate | None = None) -> None:
        """``assignee_for(name, account_id)`` says who may own items: the user name
        to record, or :class:`InvalidAction` naming the person and why not (the
        inbox does not know the people; the workspace does). ``account_id`` None
        asks about any account. ``reply_check`` runs the content policy on every
        reply before it is queued (see ``reply_policy.py``); None queues replies
        unchecked. ``reply_gate(name, account_id)`` says why a person may not
        reply on an account now (crisis mode: only its responders reply on the
        affected accounts); None lets everyone who holds the permission reply."""
        self.store = store
        self.audit = audit
        self.assignee_for = assignee_for
        self.sla = sla or SlaTargets()
        self.clock = clock
        self.region_of = region_of
        self.reply_check = reply_check
        self.reply_gate = reply_gate
        self.index = InboxIndex(store.projection(INBOX))
        self._listeners: list[Callable[[set[str]], None]] = []
        self._item_cache: dict[str, InboxItem] = {}
        store.on_change(self._store_changed)

    # -- change feed ------------------------------------------------------------
    def _store_changed(self, changes: list) -> None:
        changed = self.index.apply(changes)
        if not changed:
            return
        for key in changed:
            self._item_cache.pop(key, None)
        for listener in list(self._listeners):
            listener(changed)

    def on_items_changed(self, listener: Callable[[set[str]], None]) -> Callable[[], None]:
        """Call ``listener(ids)`` after items change, here or in another process.

        Returns a function that stops the calls."""
        self._listeners.append(listener)

        def unsubscribe() -> None:
            if listener in self._listeners:
                self._listeners.remove(listener)

        return unsubscribe

    def warm_up(self) -> None:
        """Build the index's lazy parts now (call from a background thread after start-up)."""
        self.index.warm_up()

    def refresh(self) -> None:
        """Pick up other processes' writes (listeners are told of them)."""
        self.store.refresh()

    # -- reading ----------------------------------------------------------------
    def list_ids(self, flt: InboxFilter | None, *, actor: Actor) -> list[str]:
        """Ids of items matching ``flt`` (None: open items) that ``actor`` may see, most urgent first."""
        actor.require(INBOX_READ)
        ids = self.index.ids(flt or InboxFilter(), format_time(self.clock()))
        scope = actor.scope()
        if scope.everything:
            return ids
        allowed = {account for account in self.index.accounts()
                   if scope.covers(account, self.region_of(account))}
        return [key for key in ids if self.index.projection(key)[ACCOUNT] in allowed]

    def list(self, flt: InboxFilter | None, *, actor: Actor, limit: int | None = None) -> list[InboxItem]:
        ids = self.list_ids(flt, actor=actor)
        if limit is not None:
            ids = ids[:limit]
        return [self.get(key) for key in ids]

    def show(self, item_id: str, *, actor: Actor) -> InboxItem:
        """One item, if ``actor`` may see it."""
        item = self.get(item_id)
        actor.require(INBOX_READ, account_id=item.account_id, region=self.region_of(item.account_id))
        return item

    def get(self, item_id: str) -> InboxItem:
        """One item, unchecked: for rows already listed through :meth:`list_ids`."""
        cached = self._item_cache.get(item_id)
        if cached is not None:
            return cached
        record = self.store.get(INBOX, item_id) if item_id in self.index else None
        if record is None:
            raise ItemNotFound(f"no inbox item {item_id!r}; list items with `socops inbox list`")
        item = item_from_record(record)
        if len(self._item_cache) > 5_000:
            self._item_cache.clear()
        self._item_cache[item_id] = item
        return item

    def thread(self, item_id: str) -> list[InboxItem]:
        """Every item of the conversation ``item_id`` belongs to, oldest first."""
        if item_id not in self.index:
            raise ItemNotFound(f"no inbox item {item_id!r}")
        return [self.get(key) for key in self.index.thread_ids(item_id)]

    def counts(self) -> InboxCounts:
        now = self.clock()
        soon = now + timedelta(minutes=self.sla.due_soon_minutes)
        return InboxCounts(**self.index.counts(format_time(now), format_time(soon)))

    # -- actions ----------------------------------------------------------------
    def assign(self, item_id: str, assignee: str | None, *, actor: Actor,
               expected_version: int | None = None) -> InboxItem:
        """Give the item to ``assignee`` (None or "" unassigns): an enabled console
        user who may work inbox items of the item's account; anyone else is
        refused with :class:`InvalidAction` naming them and why."""
        name = (assignee or "").strip()
        if not name:
            return self._change(item_id, {"assignee": ""}, actor, expected_version, "unassign")

        def changes(current: InboxItem) -> dict:
            # After the actor's own permission check: only then is the person looked at.
            return {"assignee": self.assignee_for(name, current.account_id)}

        return self._change(item_id, changes, actor, expected_version, "assign")

    def assignee_refusal(self, name: str, item_ids: Iterable[str] = (), *, actor: Actor) -> str:
        """Why ``name`` may not be given ``item_ids`` ("" when they may; with no ids:
        why they may own no inbox item at all). For a prompt to stay open with the
        reason, and for a shell command to refuse once; :meth:`assign` checks again."""
        actor.require(INBOX_TRIAGE)
        name = name.strip()
        if not name:
            return ""
        accounts: list[str | None] = [None]
        for item_id in item_ids:
            try:
                account_id = self.get(item_id).account_id
            except ItemNotFound:
                continue        # the action reports it, item by item
            if account_id not in accounts:
                accounts.append(account_id)
        try:
            for account_id in accounts:
                self.assignee_for(name, account_id)
        except InvalidAction as error:
            return str(error)
        return ""

    def tag(self, item_id: str, add: Iterable[str] = (), remove: Iterable[str] = (), *,
            actor: Actor, expected_version: int | None = None) -> InboxItem:
        """Add and remove tags (lower-case words, at most 40 characters each)."""
        add = [clean_tag(t) for t in add]
        remove = {clean_tag(t) for t in remove}

        def changes(current: InboxItem) -> dict:
            tags = [t for t in current.tags if t not in remove]
            tags += [t for t in add if t not in tags]
            return {"tags": tags}

        return self._change(item_id, changes, actor, expected_version, "tag")

    def snooze(self, item_id: str, until: datetime, *, actor: Actor,
               expected_version: int | None = None) -> InboxItem:
        """Hide the item until ``until``; the worker reopens it then."""
        if until.tzinfo is None:
            raise InvalidAction("the snooze time needs a time zone")
        if until <= self.clock():
            raise InvalidAction("snooze until a time in the future")
        return self._change(item_id, {"status": STATUS_SNOOZED, "snoozed_until": format_time(until)},
                            actor, expected_version, "snooze")

    def close(self, item_id: str, *, actor: Actor, expected_version: int | None = None) -> InboxItem:
        """Mark the item done."""
        def changes(current: InboxItem) -> dict:
            if current.status == STATUS_CLOSED:
                raise ActionConflict(_already(current, "closed"))
            return {"status": STATUS_CLOSED, "closed_at": format_time(self.clock()), "snoozed_until": None}

        return self._change(item_id, changes, actor, expected_version, "close")

    def reopen(self, item_id: str, *, actor: Actor, expected_version: int | None = None) -> InboxItem:
        """Put a closed or snoozed item back in the open inbox."""
        def changes(current: InboxItem) -> dict:
            if current.status == STATUS_OPEN:
                raise ActionConflict(_already(current, "open"))
            return {"status": STATUS_OPEN, "closed_at": None, "snoozed_until": None}

        return self._change(item_id, changes, actor, expected_version, "reopen")

    def reply(self, item_id: str, text: str, *, actor: Actor, expected_version: int | None = None,
              acknowledge: Iterable[str] = ()) -> InboxItem:
        """Queue a reply; the worker sends it through the platform and records the outcome.

        The content policy checks the reply first: an error finding refuses it
        (:class:`ReplyBlocked`), and so does a warning whose rule id is not in
        ``acknowledge`` (:class:`ReplyNeedsAcknowledgement`). The acknowledged
        warnings are recorded with the reply and in the audit trail.
        """
        text = text.strip()
        if not text:
            raise InvalidAction("the reply is empty; write something or press Escape")
        if len(text) > MAX_REPLY_CHARS:
            raise InvalidAction(f"the reply has {len(text)} characters; the limit is {MAX_REPLY_CHARS}")
        acknowledge = (acknowledge,) if isinstance(acknowledge, str) else tuple(acknowledge)
        acknowledged: list[str] = []

        def changes(current: InboxItem) -> dict:
            # Runs after the permission check, on the item as it is now.
            self.require_responder(actor, current.account_id)
            acknowledged[:] = self._screen_reply(current, text, acknowledge)
            reply = Reply(reply_id=uuid.uuid4().hex, text=text, by=actor.name, queued_at=self.clock(),
                          status=REPLY_QUEUED, acknowledged=tuple(acknowledged))
            return {"replies": [reply_to_dict(r) for r in current.replies] + [reply_to_dict(reply)]}

        def describe(before: InboxItem, values: dict) -> str:
            summary = describe_change(before, values)
            return summary + (f"; acknowledged {', '.join(acknowledged)}" if acknowledged else "")

        return self._change(item_id, changes, actor, expected_version, "reply", permission=INBOX_REPLY,
                            describe=describe)

    def reply_refusal(self, item_id: str, *, actor: Actor) -> str:
        """Why ``actor`` may not reply to ``item_id`` now ("" when they may), for a
        reply editor to say before anything is typed; :meth:`reply` checks again."""
        item = self.get(item_id)
        try:
            actor.require(INBOX_REPLY, account_id=item.account_id, region=self.region_of(item.account_id))
            self.require_responder(actor, item.account_id)
        except (SessionLocked, PolicyAckRequired, StepUpRequired):
            raise
        except PermissionDenied as refused:
            return str(refused)
        return ""

    def require_responder(self, actor: Actor, account_id: str) -> None:
        """PermissionDenied with the reason when crisis mode lets only its responders reply there."""
        refusal = self.reply_gate(actor.name, account_id) if self.reply_gate is not None else ""
        if refusal:
            raise PermissionDenied(refusal, permission=INBOX_REPLY)

    def check_reply(self, item_id: str, text: str, *, actor: Actor) -> CheckResult | None:
        """What the content policy says of ``text`` as a reply to ``item_id`` (None:
        no check is wired). For the reply editor's live findings."""
        item = self.get(item_id)
        actor.require(INBOX_REPLY, account_id=item.account_id, region=self.region_of(item.account_id))
        if self.reply_check is None:
            return None
        return self.reply_check(item, text)

    def _screen_reply(self, item: InboxItem, text: str, acknowledge: tuple[str, ...]) -> tuple[str, ...]:
        if self.reply_check is None:
            return ()
        return acknowledged_rules(item, text, self.reply_check(item, text), acknowledge)

    def add_note(self, item_id: str, text: str, *, actor: Actor,
                 expected_version: int | None = None) -> InboxItem:
        """Add a note visible only to the team."""
        text = text.strip()
        if not text:
            raise InvalidAction("the note is empty")
        if len(text) > MAX_NOTE_CHARS:
            raise InvalidAction(f"the note has {len(text)} characters; the limit is {MAX_NOTE_CHARS}")

        def changes(current: InboxItem) -> dict:
            notes = [note_to_dict(n) for n in current.notes]
            notes.append(note_to_dict(Note(text=text, by=actor.name, at=self.clock())))
            return {"notes": notes}

        return self._change(item_id, changes, actor, expected_version, "note")

    def bulk(self, item_ids: Iterable[str], action: str, *, actor: Actor,
             versions: dict[str, int] | None = None, **arguments) -> BulkResult:
        """Run one action on many items; each item succeeds or fails on its own."""
        method = {
            "assign": self.assign,
            "tag": self.tag,
            "snooze": self.snooze,
            "close": self.close,
            "reopen": self.reopen,
            "reply": self.reply,
            "note": self.add_note,
        }.get(action)
        if method is None:
            raise InvalidAction(f"unknown bulk action {action!r}")
        versions = versions or {}
        result = BulkResult()
        for item_id in item_ids:
            try:
                method(item_id, actor=actor, expected_version=versions.get(item_id), **arguments)
            except (SessionLocked, PolicyAckRequired, StepUpRequired):
                raise  # about the person, not the item: the caller must prompt, then retry
            except (ActionConflict, InvalidAction, ItemNotFound, PermissionDenied) as error:
                result.failed.append((item_id, str(error)))
            else:
                result.done.append(item_id)
        return result

    # -- internals --------------------------------------------------------------
    def _change(self, item_id: str, changes: dict | Callable[[InboxItem], dict], actor: Actor,
                expected_version: int | None, verb: str, *, permission: str = INBOX_TRIAGE,
                describe: Callable[[InboxItem, dict], str] | None = None) -> InboxItem:
        """Check, then write the change and its audit event in one transaction."""
        current = self.get(item_id)
        actor.require(permission, account_id=current.account_id, region=self.region_of(current.account_id))
        if expected_version is not None and current.version != expected_version:
            raise ActionConflict(_changed_since(current))
        values = changes(current) if callable(changes) else changes
        written: list[dict] = []

        def write(tx) -> AuditNote:
            tx.update(INBOX, item_id, values, expected_version=current.version)
            written.append(tx.get(INBOX, item_id))
            return AuditNote(f"inbox.{verb}", f"inbox/{item_id}", (describe or describe_change)(current, values))

        try:
            self.audit.apply(actor.name, write)
        except ConflictError:
            # Another process wrote between our read and our write.
            self.store.refresh()
            raise ActionConflict(_changed_since(self.get(item_id))) from None
        except NotFoundError:
            raise ItemNotFound(f"inbox item {item_id!r} no longer exists") from None
        except (StoreError, OSError) as error:
            raise StorageProblem(f"could not save the change to {item_id}: {error}") from error
        return item_from_record(written[-1])


def describe_change(before: InboxItem, values: dict) -> str:
    """A short before/after summary for the audit trail (no message text)."""
    parts = []
    for name, value in values.items():
        if name in ("replies", "notes"):
            old = len(getattr(before, name))
            parts.append(f"{name} {old} -> {len(value)}")
        elif name == "tags":
            added = sorted(set(value) - set(before.tags))
            removed = sorted(set(before.tags) - set(value))
            parts.append("tags " + " ".join([f"+{t}" for t in added] + [f"-{t}" for t in removed]))
        elif name not in ("closed_at",):
            old = getattr(before, name, None)
            old_text = format_time(old) if isinstance(old, datetime) else (old or "-")
            parts.append(f"{name} {old_text} -> {value or '-'}")
    return "; ".join(parts)


def _already(item: InboxItem, state: str) -> str:
    who = item.changed_by or "someone"
    when = _clock_time(item.changed_at) if item.changed_at else "an unknown time"
    return f"{item.id} is already {state} (last changed by {who} at {when})"


def _changed_since(item: InboxItem) -> str:
    who = item.changed_by or "someone"
    when = _clock_time(item.changed_at) if item.changed_at else "an unknown time"
    if item.status == STATUS_CLOSED:
        what = "closed"
    elif item.status == STATUS_SNOOZED:
        what = "snoozed"
    elif item.assignee:
        what = f"changed (assigned to {item.assignee})"
    else:
        what = "changed"
    return f"{item.id} was {what} by {who} at {when} while you had it open; nothing was overwritten — look again and retry"

