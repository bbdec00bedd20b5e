"""The inbox index on its own: triage orders per status, also for the closed
history, which is sorted only when it is first listed."""

from __future__ import annotations

import random

from console.inbox import INBOX, STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED, InboxFilter, InboxIndex
from data import Change

NOW = "2026-11-26T09:00:00Z"


def projection(status: str, due: str) -> tuple:
    # status, sla_due, created_at, account, platform, kind, assignee, tags,
    # first_response_at, thread_id, snoozed_until, search, pending
    return (status, due, due, "sandbox:a", "sandbox", "comment", "", (), None, "", None, "", False)


def change(key: str, p: tuple | None) -> Change:
    return Change(INBOX, key, None if p is None else {}, "test", NOW, True, p)


def triage_order(projections: dict[str, tuple], status: str | None) -> list[str]:
    """What the index must answer, the slow way."""
    chosen = [(p[1], key) for key, p in projections.items() if status is None or p[0] == status]
    return [key for _, key in sorted(chosen)]


def test_every_status_lists_in_triage_order_also_after_changes_before_the_first_listing():
    shuffle = random.Random(5)
    statuses = [STATUS_OPEN, STATUS_SNOOZED, STATUS_CLOSED, STATUS_CLOSED, STATUS_CLOSED]
    projections = {f"k{n:03}": projection(shuffle.choice(statuses), f"2026-11-{shuffle.randint(1, 28):02}T00:00:00Z")
                   for n in range(300)}
    index = InboxIndex(dict(shuffle.sample(list(projections.items()), len(projections))))

    # before anything was listed: a closed item reopened, one added, one removed
    reopened = next(key for key, p in projections.items() if p[0] == STATUS_CLOSED)
    projections[reopened] = projection(STATUS_OPEN, projections[reopened][1])
    projections["k900"] = projection(STATUS_CLOSED, "2026-11-15T12:00:00Z")
    gone = next(key for key, p in projections.items() if p[0] == STATUS_CLOSED and key != "k900")
    del projections[gone]
    index.apply([change(reopened, projections[reopened]), change("k900", projections["k900"]),
                 change(gone, None)])

    for status in (STATUS_OPEN, STATUS_SNOOZED, STATUS_CLOSED):
        assert index.ids(InboxFilter(status=status), NOW) == triage_order(projections, status)
    everything = index.ids(InboxFilter(status=""), NOW)
    assert sorted(everything) == sorted(projections)
    assert everything == [key for _, key in sorted((p[1], key) for key, p in projections.items())]


def test_arrivals_since_and_arrival_follow_the_changes():
    index = InboxIndex({"old": projection(STATUS_OPEN, "2026-11-25T08:00:00+00:00"),
                        "new": projection(STATUS_CLOSED, "2026-11-26T08:30:00+00:00")})
    assert index.arrivals_since("2026-11-26T00:00:00+00:00") == {"new": ("2026-11-26T08:30:00+00:00", "sandbox:a")}
    assert index.arrival("old") == ("2026-11-25T08:00:00+00:00", "sandbox:a")

    index.apply([change("newer", projection(STATUS_OPEN, "2026-11-26T08:45:00+00:00")), change("new", None)])
    assert index.arrivals_since("2026-11-26T00:00:00+00:00") == {
        "newer": ("2026-11-26T08:45:00+00:00", "sandbox:a")}
    assert index.arrival("new") is None
