"""Fill a workspace's inbox with sandbox history, for demos and benchmarks.

Seeded items are numbered from ``SEED_OFFSET`` so they never share an id with
the live sandbox traffic the worker pulls. Items older than three days are
closed, as a real team's history would be; a few open ones are assigned (to
the people given, who must exist) and tagged, all decided by the seed, so two
runs with one seed on two new workspaces give one store.

A run writes in batches of ``SEED_BATCH`` items, each batch one transaction with
its audit event, so whatever stops a run (Ctrl+C, a kill, a full disk) leaves
whole batches and an audit trail that says exactly what was written. Between
batches the run asks ``should_stop`` and, when told to, stops there and audits
that it was interrupted. Numbering continues after the items an earlier run
left (whole or interrupted), so every run adds exactly the items it reports.
"""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from console.audit import AuditNote, AuditTrail
from console.errors import ActionConflict
from console.inbox.inbound import record_from_inbound
from console.inbox.records import INBOX, STATUS_CLOSED, item_key
from console.permissions import INBOX_IMPORT, Actor
from console.records import format_time
from console.inbox.sla import SlaTargets
from data import ConflictError, Store
from integrations.base import AccountRef

SEED_OFFSET = 10_000_000
#: Items per transaction: a stop loses no more than this much time, a crash no half batch.
SEED_BATCH = 1_000
_TAGS = ("shipping", "returns", "sizing", "praise", "urgent", "vip")
_AUDIT_TARGET = "sandbox/seed"


@dataclass
class SeedReport:
    """What a run did: how many items it was asked for and added, and whether it was interrupted."""

    requested: int
    seed: int
    earlier: int = 0                  # sandbox items seeded into this inbox before this run
    added: int = 0
    batches: int = 0
    interrupted: bool = False
    first_numbers: dict[str, int] = field(default_factory=dict)   # account -> its first item number

    def summary(self) -> str:
        """One line for the audit trail and the person who ran it."""
        state = ("interrupted (nothing half-written)" if self.interrupted else "finished")
        return (f"seed {self.seed}: run {state}: {self.added} of {self.requested} items added in "
                f"{self.batches} batch{'es' if self.batches != 1 else ''}"
                + (f", following {self.earlier} seeded before" if self.earlier else ""))


def seed_inbox(store: Store, audit: AuditTrail, accounts: Sequence[AccountRef], count: int, *, actor: Actor,
               seed: int, now: datetime, sla: SlaTargets, rate_per_hour: float = 40.0,
               team: Callable[[str], Sequence[str]] = lambda account_id: (),
               should_stop: Callable[[], bool] = lambda: False,
               on_batch: Callable[[SeedReport], None] = lambda report: None,
               batch_size: int = SEED_BATCH) -> SeedReport:
    """Add ``count`` sandbox items spread over ``accounts``, ending about now.

    ``team(account_id)`` names the people some open items of that account are
    assigned to (none: nothing is assigned). ``should_stop()`` is asked before
    each batch; ``on_batch(report)`` is told after each. Needs ``inbox.import``.
    """
    actor.require(INBOX_IMPORT)
    # The traffic generator and its corpora load here: every start imports this
    # package, only a demo or a benchmark seeds.
    from integrations.sandbox import generate_items

    if count < 0:
        raise ValueError("the number of items cannot be negative")
    if batch_size < 1:
        raise ValueError("a batch holds at least one item")
    if not accounts:
        raise ValueError("there are no sandbox accounts to seed; enable [sandbox] in the configuration")
    report = SeedReport(count, seed)
    report.first_numbers, report.earlier = _next_numbers(store, accounts)
    shares = [count // len(accounts) + (1 if i < count % len(accounts) else 0) for i in range(len(accounts))]
    chooser = random.Random(seed)
    closed_before = format_time(now - timedelta(days=3))
    received = format_time(now)
    shifts = {account.account_id: _shift(account, seed, report.first_numbers[account.account_id] + share - 1,
                                         now, rate_per_hour)
              for account, share in zip(accounts, shares) if share}
    teams = {account.account_id: list(team(account.account_id)) for account in accounts}

    def records_of(account: AccountRef, first: int, size: int) -> dict[str, dict]:
        records = {}
        for item in generate_items(account, seed, first, size, now, rate_per_hour=rate_per_hour):
            item = dataclasses.replace(item, created_at=item.created_at - shifts[account.account_id])
            record = record_from_inbound(item, received_at=received, sla=sla)
            if record["created_at"] < closed_before:
                record["status"] = STATUS_CLOSED
                record["closed_at"] = record["sla_due"]
                record["first_response_at"] = record["sla_due"]
            elif chooser.random() < 0.2 and teams[account.account_id]:
                record["assignee"] = chooser.choice(teams[account.account_id])
            if chooser.random() < 0.15:
                record["tags"] = [chooser.choice(_TAGS)]
            records[item_key(item.platform, item.remote_id)] = record
        return records

    for account, first, size in _batches(accounts, shares, report.first_numbers, batch_size):
        if should_stop():
            report.interrupted = True
            break
        records = records_of(account, first, size)

        def write(tx) -> AuditNote:
            for key, record in records.items():
                tx.insert(INBOX, key, record)    # never over an existing item: see below
            return AuditNote("inbox.seed", _AUDIT_TARGET,
                             f"seed {seed}: {len(records)} items on {account.account_id} (numbers {first} to "
                             f"{first + size - 1}); {report.added + len(records)} of {count} in this run")

        try:
            audit.apply(actor.name, write)
        except ConflictError as error:
            # Only another seed running at the same time writes these numbers.
            audit.apply(actor.name, lambda tx: AuditNote("inbox.seed", _AUDIT_TARGET,
                                                         report.summary() + "; stopped: another run wrote "
                                                         f"{error.key} meanwhile"))
            raise ActionConflict(f"another seed wrote item {error.key} meanwhile, so this one stopped after "
                                 f"{report.added} of {count} items (whole batches); run it again when the "
                                 "other one is done: it continues after both") from None
        report.added += len(records)
        report.batches += 1
        on_batch(report)
    audit.apply(actor.name, lambda tx: AuditNote("inbox.seed", _AUDIT_TARGET, report.summary()))
    if not report.interrupted:
        store.compact()
    return report


def _next_numbers(store: Store, accounts: Sequence[AccountRef]) -> tuple[dict[str, int], int]:
    """Per account, the number its next seeded item gets (one past the highest
    seeded so far), and how many seeded items the inbox holds."""
    wanted = {account.account_id for account in accounts}
    following = {account_id: SEED_OFFSET for account_id in wanted}
    position = store.projected_names(INBOX).index("account_id")
    earlier = 0
    for key, row in dict(store.projection(INBOX)).items():
        account_id = row[position]
        if account_id not in wanted:
            continue
        # A sandbox remote id ends in the item's number: "...-10000042".
        number = key.rsplit("-", 1)[-1]
        if number.isdigit() and int(number) >= SEED_OFFSET:
            earlier += 1
            following[account_id] = max(following[account_id], int(number) + 1)
    return following, earlier


def _shift(account: AccountRef, seed: int, last: int, now: datetime, rate_per_hour: float) -> timedelta:
    """How far back to move this run's items of ``account`` so that its last one
    (item ``last``) arrived a minute ago: the history ends about now, none in the future."""
    from integrations.sandbox import generate_items

    newest = generate_items(account, seed, last, 1, now, rate_per_hour=rate_per_hour)[0]
    return newest.created_at - (now - timedelta(minutes=1))


def _batches(accounts: Sequence[AccountRef], shares: Sequence[int], first_numbers: dict[str, int],
             batch_size: int):
    """(account, first number, size) in turns across the accounts, so that a
    stopped run has seeded every account about equally."""
    done = [0] * len(accounts)
    while any(d < share for d, share in zip(done, shares)):
        for index, (account, share) in enumerate(zip(accounts, shares)):
            size = min(batch_size, share - done[index])
            if size > 0:
                yield account, first_numbers[account.account_id] + done[index], size
                done[index] += size
