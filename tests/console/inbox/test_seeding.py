"""Seeding sandbox history: bounded transactions, each audited; a stop between
batches; and a next run that adds exactly what it says, numbered after the last."""

from __future__ import annotations

import pytest

from console.inbox import INBOX, SEED_BATCH, seed_inbox
from console.permissions import PermissionDenied
from integrations.sandbox import SANDBOX_ACCOUNTS
from tests.actors import RoleActor

OWNER = RoleActor("olivia", "owner")


def seed(workspace, count: int, **options):
    options.setdefault("batch_size", 100)
    return seed_inbox(workspace.store, workspace.audit, SANDBOX_ACCOUNTS, count, actor=OWNER, seed=7,
                      now=workspace.clock(), sla=workspace.config.sla, **options)


def seed_events(workspace) -> list[dict]:
    return [e for e in workspace.audit.events() if e["action"] == "inbox.seed"]


def batch_sizes(workspace) -> list[int]:
    """The items each batch event says it wrote (the run's closing event says 'run')."""
    return [int(e["summary"].split(": ", 1)[1].split(" items")[0])
            for e in seed_events(workspace) if ": run " not in e["summary"]]


def stop_after(batches: int):
    """A should_stop that asks for a stop once ``batches`` batches were written."""
    written = []
    return (lambda: len(written) >= batches), (lambda report: written.append(report.added))


def test_a_run_writes_bounded_batches_each_with_its_audit_event(workspace):
    writes: list[list] = []
    workspace.store.on_change(writes.append)
    report = seed(workspace, 700)
    assert (report.added, report.batches, report.interrupted) == (700, 9, False)
    assert workspace.store.count(INBOX) == 700
    assert batch_sizes(workspace) == [100] * 6 + [34, 33, 33]
    # one transaction per batch, holding the batch's items and its audit event
    per_write = [(sum(c.collection == INBOX for c in changes), sum(c.collection == "audit" for c in changes))
                 for changes in writes]
    assert [w for w in per_write if w[0]] == [(100, 1)] * 6 + [(34, 1), (33, 1), (33, 1)]
    events = seed_events(workspace)
    assert events[-1]["summary"] == "seed 7: run finished: 700 of 700 items added in 9 batches"
    assert {e["actor"] for e in events} == {"olivia"}
    assert SEED_BATCH == 1_000


def test_a_stop_between_batches_keeps_whole_batches_and_is_audited(workspace):
    should_stop, on_batch = stop_after(3)
    report = seed(workspace, 5_000, should_stop=should_stop, on_batch=on_batch)
    assert (report.added, report.batches, report.interrupted) == (300, 3, True)
    assert workspace.store.count(INBOX) == 300 == sum(batch_sizes(workspace))
    assert seed_events(workspace)[-1]["summary"] == (
        "seed 7: run interrupted (nothing half-written): 300 of 5000 items added in 3 batches")
    # every account got its turn before the stop
    assert {workspace.store.get(INBOX, key)["account_id"] for key in workspace.store.keys(INBOX)} == {
        account.account_id for account in SANDBOX_ACCOUNTS}


def test_the_next_run_adds_exactly_its_count_numbered_after_the_last(workspace):
    """After an interrupted run, the next seed 'added a surprising count': it
    regenerated the same numbers and skipped those already there."""
    should_stop, on_batch = stop_after(2)
    first = seed(workspace, 1_500, should_stop=should_stop, on_batch=on_batch)
    before = set(workspace.store.keys(INBOX))
    second = seed(workspace, 1_500)
    assert (second.added, second.earlier, second.interrupted) == (1_500, first.added, False)
    after = set(workspace.store.keys(INBOX))
    assert len(after) == first.added + 1_500 and before < after
    assert second.first_numbers == {"sandbox:northwind_en": 10_000_100, "sandbox:northwind_es": 10_000_100,
                                    "sandbox:northwind_ja": 10_000_000}
    assert seed_events(workspace)[-1]["summary"].endswith("1500 of 1500 items added in 15 batches, "
                                                          "following 200 seeded before")


def test_two_whole_runs_with_one_seed_add_twice(workspace):
    assert seed(workspace, 300).added == 300
    assert seed(workspace, 300).added == 300
    assert workspace.store.count(INBOX) == 600


def test_every_item_asked_for_is_written_and_none_lies_in_the_future(workspace, clock):
    report = seed(workspace, 6_000, batch_size=SEED_BATCH)
    assert report.added == workspace.store.count(INBOX) == 6_000
    newest = max(record["created_at"] for record in workspace.store.records(INBOX))
    assert newest <= clock().isoformat(timespec="seconds")


def test_items_are_assigned_only_to_the_team_given(workspace):
    seed(workspace, 900)
    assert not [r for r in workspace.store.records(INBOX) if r.get("assignee")]
    seed(workspace, 900, team=lambda account_id: ("rosa",) if account_id.endswith("_es") else ())
    assigned = {(r["account_id"], r["assignee"]) for r in workspace.store.records(INBOX) if r.get("assignee")}
    assert assigned == {("sandbox:northwind_es", "rosa")}


def test_seeding_needs_inbox_import(workspace):
    with pytest.raises(PermissionDenied, match="needs inbox.import"):
        seed_inbox(workspace.store, workspace.audit, SANDBOX_ACCOUNTS, 10, actor=RoleActor("max", "manager"),
                   seed=7, now=workspace.clock(), sla=workspace.config.sla)
    assert workspace.store.count(INBOX) == 0 and workspace.audit.head() is None
