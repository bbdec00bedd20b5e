"""Fill a workspace's inbox with sandbox history, for demos and benchmarks.

Seeded items are numbered from ``SEED_OFFSET`` so they never share an id with
the live sandbox traffic the worker pulls. Items older than three days are
closed, as a real team's history would be; a few open ones are assigned and
tagged, all decided by the seed, so two runs with one seed give one store.
"""

from __future__ import annotations

import dataclasses
import random
from datetime import datetime, timedelta

from console.inbox.inbound import record_from_inbound
from console.inbox.records import INBOX, STATUS_CLOSED, item_key
from console.records import format_time
from console.inbox.sla import SlaTargets
from data import Store
from integrations.base import AccountRef

SEED_OFFSET = 10_000_000
_CHUNK = 5_000
_TEAM = ("alice", "bob", "carmen", "daichi")
_TAGS = ("shipping", "returns", "sizing", "praise", "urgent", "vip")


def seed_inbox(store: Store, accounts: list[AccountRef], count: int, *, seed: int, now: datetime,
               sla: SlaTargets, rate_per_hour: float = 40.0, actor: str = "sandbox") -> int:
    """Add ``count`` sandbox items spread over ``accounts``, ending about now. Returns how many were new."""
    # The traffic generator and its corpora load here: every start imports this
    # package, only a demo or a benchmark seeds.
    from integrations.sandbox import generate_items

    if count < 0:
        raise ValueError("the number of items cannot be negative")
    if not accounts:
        raise ValueError("there are no sandbox accounts to seed; enable [sandbox] in the configuration")
    per_account = [count // len(accounts) + (1 if i < count % len(accounts) else 0)
                   for i in range(len(accounts))]
    chooser = random.Random(seed)
    closed_before = format_time(now - timedelta(days=3))
    received = format_time(now)
    added = 0
    for account, share in zip(accounts, per_account):
        # The generator times item n from its epoch; rebase so this history ends about now.
        first_at = None
        shift = timedelta(0)
        for start in range(0, share, _CHUNK):
            items = generate_items(account, seed, SEED_OFFSET + start, min(_CHUNK, share - start),
                                   now, rate_per_hour=rate_per_hour)
            if first_at is None and items:
                first_at = items[0].created_at
                shift = first_at - (now - timedelta(hours=share / rate_per_hour + 1))
            with store.transaction(actor=actor) as tx:
                for item in items:
                    item = dataclasses.replace(item, created_at=item.created_at - shift)
                    if item.created_at > now:
                        continue
                    record = record_from_inbound(item, received_at=received, sla=sla)
                    if record["created_at"] < closed_before:
                        record["status"] = STATUS_CLOSED
                        record["closed_at"] = record["sla_due"]
                        record["first_response_at"] = record["sla_due"]
                    elif chooser.random() < 0.2:
                        record["assignee"] = chooser.choice(_TEAM)
                    if chooser.random() < 0.15:
                        record["tags"] = [chooser.choice(_TAGS)]
                    key = item_key(item.platform, item.remote_id)
                    if not store.has(INBOX, key):
                        added += 1
                    tx.insert(INBOX, key, record, if_absent=True)
    store.compact()
    return added
