"""The inbox service without a terminal: filters, actions, conflicts, bulk."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.errors import ActionConflict, InvalidAction, ItemNotFound
from console.permissions import PermissionDenied
from console.inbox import InboxFilter
from integrations.base import ItemKind
from tests.actors import RoleActor
from tests.console.helpers import add_items, add_team, inbound, minutes_ago
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401

ALICE = RoleActor("alice", "manager")
BOB = RoleActor("bob", "responder")


@pytest.fixture
def items(workspace, clock):
    now = clock()
    return add_items(workspace.store, [
        inbound(1, minutes_ago(now, 90), text="Where is my order #NW-48213?"),      # breached (60 min)
        inbound(2, minutes_ago(now, 10), kind=ItemKind.DM, text="Do you ship to Chile?"),
        inbound(3, minutes_ago(now, 55), kind=ItemKind.MENTION, text="Love the new jacket 😍",
                account="sandbox:northwind_ja", author="@kenji"),
        inbound(4, minutes_ago(now, 5), text="返品はできますか？", thread="thread-1"),
    ], received=now)


@pytest.fixture
def team(workspace, memory_keyring):
    """Alice (a manager) and Bob (a responder) as console users: items can be theirs."""
    add_team(workspace, "alice", role="manager")
    add_team(workspace, "bob")


def test_default_list_is_open_items_most_urgent_first(workspace, items):
    ids = workspace.inbox.list_ids(None, actor=ALICE)
    # due: #1 at -30m, #2 (DM, 30m) at +20m, #3 at +5m, #4 at +55m
    assert ids == [items[0], items[2], items[1], items[3]]


@pytest.mark.parametrize("flt, expected", [
    (InboxFilter(kind="dm"), [1]),
    (InboxFilter(account="sandbox:northwind_ja"), [2]),
    (InboxFilter(breached=True), [0]),
    (InboxFilter(breached=False), [2, 1, 3]),
    (InboxFilter(text="CHILE"), [1]),
    (InboxFilter(text="@kenji"), [2]),
    (InboxFilter(text="返品"), [3]),
    (InboxFilter(platform="other"), []),
])
def test_filters(workspace, items, flt, expected):
    assert workspace.inbox.list_ids(flt, actor=ALICE) == [items[i] for i in expected]


def test_assign_tag_and_filter_by_them(workspace, items, team):
    inbox = workspace.inbox
    inbox.assign(items[1], "bob", actor=ALICE)
    inbox.tag(items[1], add=["Shipping", "#vip"], actor=ALICE)
    assert inbox.list_ids(InboxFilter(assignee="bob"), actor=ALICE) == [items[1]]
    assert inbox.list_ids(InboxFilter(tag="vip"), actor=ALICE) == [items[1]]
    assert items[1] not in inbox.list_ids(InboxFilter(assignee="-"), actor=ALICE)
    inbox.tag(items[1], remove=["vip"], actor=ALICE)
    assert inbox.get(items[1]).tags == ("shipping",)
    assert inbox.get(items[1]).changed_by == "alice"


def test_close_reopen_and_status_filters(workspace, items):
    inbox = workspace.inbox
    inbox.close(items[0], actor=ALICE)
    assert items[0] not in inbox.list_ids(None, actor=ALICE)
    assert inbox.list_ids(InboxFilter(status="closed"), actor=ALICE) == [items[0]]
    assert not inbox.get(items[0]).is_breached(inbox.clock())  # a closed item's SLA stops
    with pytest.raises(ActionConflict, match="already closed"):
        inbox.close(items[0], actor=BOB)
    inbox.reopen(items[0], actor=BOB)
    assert items[0] in inbox.list_ids(None, actor=ALICE)


def test_snooze_hides_until_the_worker_wakes_it(workspace, items, clock):
    inbox = workspace.inbox
    with pytest.raises(InvalidAction, match="future"):
        inbox.snooze(items[0], clock() - timedelta(minutes=1), actor=ALICE)
    inbox.snooze(items[0], clock() + timedelta(hours=1), actor=ALICE)
    assert items[0] not in inbox.list_ids(None, actor=ALICE)
    assert inbox.list_ids(InboxFilter(status="snoozed"), actor=ALICE) == [items[0]]
    assert inbox.index.due_snoozes("2026-11-26T09:30:00+00:00") == []
    clock.advance(hours=1, seconds=1)
    assert workspace.inbox.index.due_snoozes("2026-11-26T10:00:01+00:00") == [items[0]]


def test_stale_version_is_a_conflict_naming_who_and_when(open_workspace, items, team, clock):
    alice, bob = open_workspace("alice"), open_workspace("bob")
    shown = alice.inbox.get(items[2])
    clock.advance(minutes=2)
    bob.inbox.close(items[2], actor=BOB, expected_version=bob.inbox.get(items[2]).version)
    with pytest.raises(ActionConflict) as raised:
        alice.inbox.assign(items[2], "alice", actor=ALICE, expected_version=shown.version)
    message = str(raised.value)
    assert "closed by bob at 09:02 UTC" in message and "nothing was overwritten" in message
    assert alice.inbox.get(items[2]).status == "closed"
    assert alice.inbox.get(items[2]).assignee == ""


def test_reply_is_queued_and_validated(workspace, items):
    inbox = workspace.inbox
    with pytest.raises(InvalidAction, match="empty"):
        inbox.reply(items[1], "   ", actor=ALICE)
    item = inbox.reply(items[1], "Yes, we ship to Chile! 🇨🇱", actor=ALICE)
    assert [(r.status, r.by) for r in item.replies] == [("queued", "alice")]
    assert inbox.index.pending_reply_ids() == [items[1]]


def test_notes_are_kept_and_searchable(workspace, items):
    workspace.inbox.add_note(items[3], "customer is a VIP, escalate", actor=ALICE)
    item = workspace.inbox.get(items[3])
    assert item.notes[0].text == "customer is a VIP, escalate" and item.notes[0].by == "alice"
    assert workspace.inbox.list_ids(InboxFilter(text="escalate"), actor=ALICE) == [items[3]]


def test_thread_collects_the_conversation_oldest_first(workspace, items):
    assert [i.id for i in workspace.inbox.thread(items[3])] == [items[0], items[3]]


def test_bulk_reports_each_item(workspace, items):
    inbox = workspace.inbox
    inbox.close(items[0], actor=BOB)
    result = inbox.bulk([items[0], items[1], "sandbox:nope"], "close", actor=ALICE)
    assert result.done == [items[1]]
    assert {item_id for item_id, _ in result.failed} == {items[0], "sandbox:nope"}
    assert "closed 1 item" in result.summary("closed")


def test_counts(workspace, items, team):
    workspace.inbox.assign(items[0], "bob", actor=ALICE)
    counts = workspace.inbox.counts()
    assert (counts.open, counts.breached, counts.due_soon, counts.unassigned) == (4, 1, 1, 3)


def test_unknown_item_and_bad_tag(workspace, items):
    with pytest.raises(ItemNotFound):
        workspace.inbox.get("sandbox:missing")
    with pytest.raises(InvalidAction, match="not a tag"):
        workspace.inbox.tag(items[0], add=["two words"], actor=ALICE)


def test_changes_from_another_process_reach_the_index(open_workspace, items, team):
    alice, bob = open_workspace("alice"), open_workspace("bob")
    seen: list[set[str]] = []
    alice.inbox.on_items_changed(seen.append)
    bob.inbox.assign(items[0], "bob", actor=BOB)
    alice.inbox.refresh()
    assert seen and items[0] in seen[-1]
    assert alice.inbox.get(items[0]).assignee == "bob"


def test_a_viewer_may_read_but_not_triage_and_nothing_is_written(workspace, items):
    viewer = RoleActor("victor", "viewer")
    assert workspace.inbox.list_ids(None, actor=viewer)
    before = workspace.inbox.get(items[0]).version
    for action in (lambda: workspace.inbox.close(items[0], actor=viewer),
                   lambda: workspace.inbox.assign(items[0], "victor", actor=viewer),
                   lambda: workspace.inbox.reply(items[0], "hi", actor=viewer)):
        with pytest.raises(PermissionDenied, match="needs inbox"):
            action()
    assert workspace.inbox.get(items[0]).version == before
    assert workspace.audit.head() is None  # nothing happened, nothing recorded


def test_scope_limits_what_is_seen_and_changed(workspace, items):
    from console.permissions import Scope

    japan_only = RoleActor("kenji", "responder", Scope(frozenset({"sandbox:northwind_ja"})))
    assert workspace.inbox.list_ids(None, actor=japan_only) == [items[2]]
    with pytest.raises(PermissionDenied, match="sandbox:northwind_en"):
        workspace.inbox.close(items[0], actor=japan_only)
    workspace.inbox.close(items[2], actor=japan_only)


def test_every_action_is_audited_with_its_change(workspace, items, team):
    from console.audit import verify_chain

    inbox = workspace.inbox
    inbox.assign(items[0], "bob", actor=ALICE)
    inbox.tag(items[0], add=["vip"], actor=ALICE)
    inbox.close(items[0], actor=BOB)
    events = [e for e in workspace.audit.events() if e["action"].startswith("inbox.")]
    assert [(e["actor"], e["action"], e["target"]) for e in events] == [
        ("alice", "inbox.assign", f"inbox/{items[0]}"),
        ("alice", "inbox.tag", f"inbox/{items[0]}"),
        ("bob", "inbox.close", f"inbox/{items[0]}"),
    ]
    assert "assignee - -> bob" in events[0]["summary"] and "+vip" in events[1]["summary"]
    assert "status open -> closed" in events[2]["summary"]
    assert verify_chain(workspace.audit.events(), workspace.audit.head()).ok


def test_a_logged_in_viewer_is_refused_and_a_responder_is_audited(workspace, items, people):
    viewer = people.session("vera", "viewer")
    with pytest.raises(PermissionDenied, match="vera \\(viewer\\).*needs inbox.triage"):
        workspace.inbox.close(items[0], actor=viewer)
    responder = people.session("rosa", "responder")
    workspace.inbox.close(items[0], actor=responder)
    last = list(workspace.audit.events())[-1]
    assert (last["actor"], last["action"]) == ("rosa", "inbox.close")
