"""Seeding a calendar for ``bench/calendar.py``: N posts over 90 days, written
straight into the store in large transactions (as ``bench/approvals.py`` does).

A busy team's calendar: the past 30 days mostly published (a few partly
published, failed, needing a check or missed), the next 60 days mostly
scheduled, the rest drafts, posts in approval and approved posts waiting for
a time; one to three sandbox accounts each, every target at its own moment.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

DAYS_BEFORE, DAYS_AFTER = 30, 60
EDITORS = ["ed", "emma", "eli"]
MANAGERS = ["mia", "max"]
TEXTS = ["Autumn walks start Saturday at the harbour 🍂", "Our winter sale starts Monday #ad",
         "New waterproof jacket, tested in the Alps", "¡Nuevas rutas de senderismo este fin de semana!",
         "秋の新作ジャケットが入荷しました", "Meet the team behind the Northwind trail guides"]
#: What a target of a past post came to.
PAST_STATES = [("published", 90), ("failed", 4), ("needs_check", 2), ("missed", 4)]
#: What a post of the next 60 days is.
FUTURE_KINDS = [("scheduled", 80), ("approved", 8), ("in_review", 7), ("draft", 5)]


def post_record(n: int, rng: random.Random, created: datetime, targets: list[str], status: str,
                proposed: datetime, tags: list[str]) -> dict:
    from console.posts import history_entry, revision_to_dict
    from console.records import format_time

    author = rng.choice(EDITORS)
    content = {"text": rng.choice(TEXTS) + f" ({n})", "variants": {}, "tags": tags, "assets": [],
               "targets": targets}
    approved = status == "approved"
    return {**content, "author": author, "proposed_at": format_time(proposed), "status": status, "revision": 1,
            "revisions": [revision_to_dict(1, content, author, created)], "authors": [author],
            "risk": "low", "risk_reasons": [], "route": None, "stage": 0,
            "approvals": [{"stage": 0, "by": rng.choice(MANAGERS), "at": format_time(created), "revision": 1,
                           "note": ""}] if approved else [],
            "past_approvals": [], "acknowledgements": [],
            "history": [history_entry(created, author, "draft")], "findings": [],
            "approved_at": format_time(created) if approved else None, "created_at": format_time(created)}


def schedule_record(post_id: str, rng: random.Random, times: dict[str, datetime], now: datetime) -> dict:
    from console.publishing import PUBLISHED, SCHEDULED
    from console.records import format_time

    targets = {}
    for index, (account_id, at) in enumerate(times.items()):
        state = SCHEDULED
        if at < now:
            state = rng.choices([s for s, _ in PAST_STATES], [w for _, w in PAST_STATES])[0]
        published = state == PUBLISHED
        targets[account_id] = {
            "at": format_time(at), "state": state, "key": f"socops-bench-{post_id}-{index}",
            "attempts": 0 if state == SCHEDULED else 1, "next_attempt_at": None, "claimed_by": "",
            "claimed_at": None, "remote_id": f"bench-{post_id}-{index}" if published else "",
            "url": f"https://sandbox.socops.invalid/p/{post_id}-{index}" if published else "",
            "published_at": format_time(at) if published else None,
            "error": "" if state in (SCHEDULED, PUBLISHED) else f"bench: {state}"}
    return {"targets": targets, "revision": 1, "scheduled_by": rng.choice(MANAGERS),
            "scheduled_at": format_time(now - timedelta(days=31)), "overrides": [], "override_note": "",
            "acknowledged": []}


def seed_calendar(home: Path, count: int, *, seed: int = 5) -> dict[str, int]:
    """``count`` posts over the 90 days around now in a new workspace at ``home``
    (users ed, an editor, and mia, a manager); how many posts of each kind."""
    from console.paths import workspace_paths
    from console.permissions import PERMISSIONS, SystemActor
    from console.posts import POSTS
    from console.publishing import SCHEDULES
    from console.records import utc_now
    from console.workspace import Workspace

    rng = random.Random(seed)
    kinds: dict[str, int] = {}
    with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)}), operator="bench") as workspace:
        workspace.users.bootstrap_owner("olivia", "Olivia Owner")
        admin = SystemActor("bench", frozenset(PERMISSIONS))
        for names, role in ((EDITORS, "editor"), (MANAGERS, "manager")):
            for name in names:
                workspace.users.add(admin, name, role)
        accounts = [a.account_id for a in workspace.accounts]
        now = utc_now().replace(second=0, microsecond=0)
        start = now - timedelta(days=DAYS_BEFORE)
        span_minutes = (DAYS_BEFORE + DAYS_AFTER) * 24 * 60
        for first in range(0, count, 2_000):
            with workspace.store.transaction(actor="bench") as tx:
                for n in range(first, min(first + 2_000, count)):
                    post_id = f"p-{n:06x}"
                    at = start + timedelta(minutes=5 * (rng.randrange(span_minutes) // 5))
                    targets = rng.sample(accounts, rng.choice((1, 1, 1, 2, 3)))
                    kind = "scheduled" if at < now else \
                        rng.choices([k for k, _ in FUTURE_KINDS], [w for _, w in FUTURE_KINDS])[0]
                    kinds[kind] = kinds.get(kind, 0) + 1
                    status = "approved" if kind == "scheduled" else kind
                    tags = rng.choice(([], ["promo"], ["walks"], ["launch", "promo"]))
                    created = at - timedelta(days=rng.uniform(1, 20))
                    tx.insert(POSTS, post_id, post_record(n, rng, created, targets, status, at, tags))
                    if kind == "scheduled":
                        # Two of three multi-account posts go out at one moment; the others a little apart.
                        spread = rng.random() < 0.33
                        times = {account: at + timedelta(hours=index if spread else 0)
                                 for index, account in enumerate(targets)}
                        tx.insert(SCHEDULES, post_id, schedule_record(post_id, rng, times, now))
        workspace.store.compact()
    return kinds
