"""Holding statements pass the freeze, and only they; during a crisis only its
responders reply on the affected accounts, in the inbox and in the worker."""

from __future__ import annotations

import pytest

from console.errors import ConsoleError, InvalidAction
from console.permissions import PermissionDenied, StepUpRequired
from console.posts import SelfApprovalRefused
from console.publishing import MISSED, PUBLISHED
from tests.console.crisis.crisis_fixtures import EN, ES


def declare(room, severity=3, **extra):
    return room.crisis.declare(room.as_("mia"), severity, "Zipper recall", "pulls snap", playbook="recall",
                               **extra).crisis


# -- holding statements -------------------------------------------------------------------------
def test_a_holding_statement_approved_on_the_crisis_route_passes_the_freeze_and_nothing_else_does(room):
    crisis = declare(room)
    other = room.approved_post(1, EN)
    room.workspace.scheduling.publish_now(room.as_("max"), other.id)      # a publish-now request: held
    post = room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [EN])
    assert post.status == "in_review" and post.route.name == "crisis statement" and post.tags == ("crisis",)
    assert post.text == room.workspace.library.get("hld-sample-recall").text
    report = room.publish_round()                                         # not approved yet: nothing passes
    assert (report.published, report.missed) == (0, 1)
    with pytest.raises(SelfApprovalRefused):
        room.workspace.approvals.approve(room.as_("mia"), post.id)
    room.workspace.approvals.approve(room.as_("max"), post.id)
    schedule = room.workspace.scheduling.get(post.id)
    assert schedule.crisis_pass == crisis.id and schedule.scheduled_by == "crisis"
    assert room.publish_round().published == 1
    assert room.target(post.id).state == PUBLISHED and room.target(other.id).state == MISSED
    statement = room.crisis.get(crisis.id).statements[0]
    assert (statement.post_id, statement.asset_id, statement.by) == (post.id, "hld-sample-recall", "mia")
    assert statement.released_at is not None and statement.problem == ""
    assert [a for a in room.audit("crisis.statement")] == [
        ("mia", "crisis.statement", f"crisis/{crisis.id}"), ("crisis", "crisis.statement_released",
                                                             f"crisis/{crisis.id}")]
    assert any(t == f"{post.id} (holding statement) is approved and going out now" for t in room.unread("mia"))


def test_a_statement_needs_a_crisis_a_usable_statement_and_a_fresh_code(room):
    with pytest.raises(InvalidAction, match="no crisis is active"):
        room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [EN])
    declare(room)
    with pytest.raises(PermissionDenied, match="needs post.publish"):
        room.crisis.publish_holding_statement(room.as_("rita"), "hld-sample-recall", [EN])
    pending = room.workspace.library.add_text(room.as_("ed"), "holding_statement", title="Draft", text="We know.")
    with pytest.raises(ConsoleError, match=f"{pending.id} cannot be used: it is pending approval"):
        room.crisis.publish_holding_statement(room.as_("mia"), pending.id, [EN])
    snippet = room.workspace.library.add_text(room.as_("ed"), "snippet", title="Hi", text="Hello")
    with pytest.raises(ConsoleError, match="is a snippet, not a holding statement"):
        room.crisis.publish_holding_statement(room.as_("mia"), snippet.id, [EN])
    with pytest.raises(InvalidAction, match="name the accounts"):
        room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [])
    mia = room.as_("mia")
    room.clock.advance(minutes=6)
    with pytest.raises(StepUpRequired):
        room.crisis.publish_holding_statement(mia, "hld-sample-recall", [EN])
    assert room.workspace.posts.list(room.as_("mia"), status="in_review") == []     # nothing was made


def test_a_statement_the_content_policy_refuses_is_not_submitted_and_its_draft_is_named(room):
    declare(room)
    with pytest.raises(ConsoleError) as refused:                    # the Spanish account's hashtag is missing
        room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [ES])
    assert "is left as a draft: no statement was sent" in str(refused.value)
    assert room.crisis.active().statements == ()


def test_a_statement_approved_after_the_crisis_ended_is_not_published_by_crisis_mode(room):
    declare(room)
    post = room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [EN])
    room.crisis.request_resolve(room.as_("mia"))
    room.crisis.confirm(room.as_("olivia"))
    approved = room.workspace.approvals.approve(room.as_("max"), post.id)
    assert approved.status == "approved" and room.workspace.scheduling.get(post.id) is None


def test_the_statements_prepared_for_the_crisis_come_first(room):
    declare(room)
    choices = room.crisis.holding_statements(room.as_("mia"))
    assert [(c.asset.id, c.prepared) for c in choices][0] == ("hld-sample-recall", True)
    assert {c.asset.id for c in choices if not c.prepared} == {"hld-sample-outage", "hld-sample-offensive-post",
                                                               "hld-sample-account-takeover"}


# -- responders ---------------------------------------------------------------------------------
def test_during_a_crisis_only_its_responders_reply_on_the_affected_accounts(room):
    item = room.item(1, EN)
    elsewhere = room.item(2, ES)
    crisis = declare(room, accounts=[EN])                # level 3: owner, admin, manager reply
    rita = room.as_("rita")
    with pytest.raises(PermissionDenied) as refused:
        room.workspace.inbox.reply(item, "We are on it", actor=rita)
    assert str(refused.value) == (f"{EN} is affected by crisis {crisis.id} (3 crisis: Zipper recall): while it "
                                  "lasts only its responders reply there (owner, admin, manager), and rita is a "
                                  "responder; hand the item to a responder, or ask the crisis lead")
    assert room.workspace.inbox.reply_refusal(item, actor=rita) == str(refused.value)
    assert room.workspace.inbox.get(item).replies == ()
    room.workspace.inbox.reply(elsewhere, "Gracias, lo revisamos", actor=rita)      # not affected
    room.workspace.inbox.reply(item, "We are on it", actor=room.as_("mia"))
    assert room.workspace.inbox.reply_refusal(item, actor=room.as_("mia")) == ""
    result = room.workspace.inbox.bulk([item], "reply", actor=rita, text="Hello")
    assert result.failed and "only its responders reply there" in result.failed[0][1]


def test_a_level_without_responders_limits_nobody_and_the_limit_ends_with_the_crisis(room):
    item = room.item(1, EN)
    declare(room, severity=2)
    room.workspace.inbox.reply(item, "We are on it", actor=room.as_("rita"))
    room.crisis.request_resolve(room.as_("mia"))
    room.crisis.confirm(room.as_("max"))
    assert room.crisis.responder_refusal("rita", EN) == ""


def test_the_worker_holds_queued_replies_of_non_responders_on_frozen_accounts_until_the_unfreeze(room):
    item = room.item(1, EN)
    room.workspace.inbox.reply(item, "Thanks, we are looking into it", actor=room.as_("rita"))
    crisis = room.crisis.declare(room.as_("mia"), 3, "Zipper recall", "pulls snap").crisis
    assert room.crisis.get(crisis.id).held_replies == 1            # counted by the freeze
    other = room.item(2, EN)
    room.workspace.inbox.reply(other, "A responder's answer", actor=room.as_("mia"))
    report = room.send_replies()
    assert (report.sent, report.held) == (1, 1)
    assert [r.status for r in room.workspace.inbox.get(item).replies] == ["queued"]
    assert room.crisis.reply_held("rita", EN).startswith(f"held: publishing on {EN} is frozen")
    room.crisis.request_unfreeze(room.as_("mia"))
    room.crisis.confirm(room.as_("max"))
    assert room.send_replies().sent == 1
    assert [r.status for r in room.workspace.inbox.get(item).replies] == ["sent"]


def test_a_freeze_report_counts_the_replies_it_holds(room):
    item = room.item(1, EN)
    room.workspace.inbox.reply(item, "Thanks", actor=room.as_("rita"))
    room.crisis.declare(room.as_("mia"), 1, "Rumour", "a thread")          # level 1 freezes nothing
    assert room.send_replies().sent == 1                                    # and holds no reply
    room.workspace.inbox.reply(room.item(2, EN), "Thanks", actor=room.as_("rita"))
    report = room.crisis.freeze(room.as_("mia"))
    assert report.replies == 0                                              # level 1 names no responders
