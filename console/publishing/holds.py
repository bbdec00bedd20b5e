"""Publishing holds: a record that stops publishing for every account, or for
some accounts or regions, until someone releases it.

A hold is checked when the publishing job claims a post, so nothing in its
scope goes out while it is in force; posts stay scheduled and show "held".
Setting and releasing one needs ``schedule.freeze`` (a high-risk permission:
a fresh code) and is audited. Crisis mode's freeze sets a hold of kind
"crisis".
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime

from console.audit import AuditNote, AuditTrail
from console.errors import ActionConflict, InvalidAction
from console.permissions import SCHEDULE_FREEZE, Actor
from console.publishing.records import HOLDS, Hold, hold_from_record
from console.records import format_time
from data import ConflictError, Store

MAX_REASON_CHARS = 300


class HoldService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], *,
                 known_accounts: Callable[[], Iterable[str]], known_regions: Callable[[], Iterable[str]]) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.known_accounts = known_accounts
        self.known_regions = known_regions

    # -- reading -------------------------------------------------------------------------
    def all(self) -> list[Hold]:
        """Every hold, the ones in force first, newest first."""
        holds = [hold_from_record(record) for record in self.store.records(HOLDS)]
        return sorted(holds, key=lambda h: (not h.active, -(h.at.timestamp() if h.at else 0)))

    def active(self) -> list[Hold]:
        return [hold for hold in self.all() if hold.active]

    def holding(self, account_id: str, region: str) -> Hold | None:
        """The hold in force that stops ``account_id`` (in ``region``), if any."""
        return next((hold for hold in self.active() if hold.applies_to(account_id, region)), None)

    # -- changing ------------------------------------------------------------------------
    def hold(self, actor: Actor, reason: str, *, accounts: Iterable[str] = (), regions: Iterable[str] = (),
             kind: str = "manual") -> Hold:
        actor.require(SCHEDULE_FREEZE)
        reason = " ".join((reason or "").split())
        if not reason:
            raise InvalidAction("a hold needs a reason; the team reads it on every held post")
        if len(reason) > MAX_REASON_CHARS:
            raise InvalidAction(f"the reason has {len(reason)} characters; the limit is {MAX_REASON_CHARS}")
        accounts = tuple(dict.fromkeys(a.strip() for a in accounts if a.strip()))
        regions = tuple(dict.fromkeys(r.strip() for r in regions if r.strip()))
        known = set(self.known_accounts())
        unknown = [a for a in accounts if a not in known]
        if unknown:
            raise InvalidAction(f"no account {unknown[0]!r}; `socops account list` shows them")
        known_regions = set(self.known_regions())
        unknown = [r for r in regions if r not in known_regions]
        if unknown:
            raise InvalidAction(f"no region {unknown[0]!r}; the accounts' regions are "
                                f"{', '.join(sorted(known_regions)) or 'none'}")
        hold_id = f"h-{uuid.uuid4().hex[:6]}"
        record = {"reason": reason, "by": actor.name, "at": format_time(self.clock()), "accounts": list(accounts),
                  "regions": list(regions), "kind": kind, "released_by": "", "released_at": None}
        scope = ", ".join(accounts + tuple(f"region {r}" for r in regions)) or "every account"

        def write(tx) -> AuditNote:
            tx.insert(HOLDS, hold_id, record)
            return AuditNote("publishing.hold", f"hold/{hold_id}", f"{kind} hold on {scope}: {reason}")

        self.audit.apply(actor.name, write)
        return hold_from_record({**record, "_key": hold_id, "_v": 1})

    def release(self, actor: Actor, hold_id: str, note: str = "") -> Hold:
        actor.require(SCHEDULE_FREEZE)
        record = self.store.get(HOLDS, hold_id.strip())
        if record is None:
            raise InvalidAction(f"no hold {hold_id!r}; `socops publishing holds` lists them")
        hold = hold_from_record(record)
        if not hold.active:
            raise InvalidAction(f"{hold.id} was already released by {hold.released_by} "
                                f"at {format_time(hold.released_at)}")
        note = " ".join((note or "").split())[:MAX_REASON_CHARS]

        def write(tx) -> AuditNote:
            tx.update(HOLDS, hold.id, {"released_by": actor.name, "released_at": format_time(self.clock()),
                                       "release_note": note}, expected_version=hold.version)
            return AuditNote("publishing.release", f"hold/{hold.id}",
                             f"released ({hold.describe()})" + (f": {note}" if note else ""))

        try:
            self.audit.apply(actor.name, write)
        except ConflictError:
            self.store.refresh()
            raise ActionConflict(f"{hold.id} changed while you released it; look again") from None
        return hold_from_record(self.store.get(HOLDS, hold.id))
