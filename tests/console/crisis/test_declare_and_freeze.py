"""Declaring a crisis and freezing publishing: who may, what it sets up, what it
holds and names."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from console.crisis import FreezeReport
from console.errors import InvalidAction
from console.permissions import PermissionDenied, StepUpRequired
from console.publishing import CRISIS_HOLD, InFlight, MISSED, PUBLISHED, SCHEDULED
from tests.console.crisis.crisis_fixtures import EN, ES, JA


def test_declaring_sets_up_the_runbook_tells_everyone_and_a_level_three_freezes_at_once(room):
    room.scheduled(1, EN, minutes=60)
    room.publish_now(2, ES)
    declared_at = room.clock.advance(seconds=30)
    declared = room.crisis.declare(room.as_("mia"), 3, "Zipper recall", "pulls snap on the Ridgeline jacket",
                                   playbook="recall")
    crisis = declared.crisis
    assert (crisis.severity, crisis.level, crisis.playbook, crisis.scope) == (3, "crisis", "recall", "every account")
    assert crisis.responders == ("owner", "admin", "manager") and crisis.statement_tags == ("recall",)
    steps = {step.id: step for step in crisis.steps}
    assert list(steps) == ["level3-1", "level3-2", "level3-3", "level3-4", "recall-1", "recall-2", "recall-3"]
    assert (steps["level3-1"].owner, (steps["level3-1"].due_at - crisis.declared_at).total_seconds()) == ("manager",
                                                                                                       300)
    assert (steps["recall-1"].owner, (steps["recall-1"].due_at - crisis.declared_at).total_seconds()) == ("legal", 1800)
    assert crisis.declared_at > declared_at
    # frozen in the same transaction as the declaration
    report = declared.freeze
    assert report.hold.kind == CRISIS_HOLD and report.hold.crisis == crisis.id and report.hold.scope == "every account"
    assert (report.scheduled, report.publish_now, report.in_flight) == (1, 1, ())
    declare, hold = [e for e in room.workspace.audit.events() if e["action"] in ("crisis.declare", "publishing.hold")]
    assert (declare["seq"] + 1, declare["at"]) == (hold["seq"], hold["at"])
    assert crisis.holds == (report.hold.id,)
    # every console user but the one who declared is told
    for name in ("olivia", "max", "rita", "ed", "ada", "vic", "al"):
        assert any(text.startswith("CRISIS 3 crisis declared by mia: Zipper recall") for text in room.unread(name))
    assert not any("CRISIS" in text for text in room.unread("mia"))


def test_a_level_that_does_not_freeze_does_not_and_its_scope_is_the_accounts_named(room):
    declared = room.crisis.declare(room.as_("mia"), 1, "Rumour", "a thread says our jackets leak", accounts=[ES],
                                   regions=["APAC"])
    assert declared.freeze is None and room.crisis.freezes() == []
    assert declared.crisis.scope == f"{ES}, region APAC" and declared.crisis.responders == ()
    assert declared.crisis.affects(JA, "APAC") and not declared.crisis.affects(EN, "NA")


def test_who_may_declare_which_level(room):
    with pytest.raises(PermissionDenied) as refused:
        room.crisis.declare(room.as_("mia"), 4, "Takeover", "posts we did not write")
    assert str(refused.value) == ("level 4 severe may be declared by owner, admin; mia is a manager: ask one of "
                                  "them, or declare a lower level")
    with pytest.raises(PermissionDenied, match="rita \\(responder\\) may not declare and resolve a crisis"):
        room.crisis.declare(room.as_("rita"), 1, "Rumour", "a thread")
    assert room.crisis.declare(room.as_("ada"), 4, "Takeover", "posts we did not write").crisis.severity == 4
    assert room.crisis.all()[0].declared_by == "ada"


def test_declaring_needs_a_fresh_code(room):
    mia = room.as_("mia")
    room.clock.advance(minutes=6)
    with pytest.raises(StepUpRequired, match="enter a fresh code"):
        room.crisis.declare(mia, 2, "Outage", "the store is down")
    mia.step_up(room.people.code("mia"))
    assert room.crisis.declare(mia, 2, "Outage", "the store is down").crisis.title == "Outage"


@pytest.mark.parametrize("severity, title, reason, extra, message", [
    (7, "T", "R", {}, "no crisis level 7; levels: 1 watch, 2 incident, 3 crisis, 4 severe"),
    (2, "  ", "R", {}, "a crisis needs a title"),
    (2, "T", "", {}, "a crisis needs a reason"),
    (2, "T", "R", {"playbook": "flood"}, "no playbook 'flood' in [crisis]; playbooks: recall, outage, "
     "offensive-post, account-takeover"),
    (2, "T", "R", {"accounts": ["x:nope"]}, "no account 'x:nope'"),
    (2, "T", "R", {"regions": ["EU"]}, "no region 'EU'; the accounts' regions are APAC, LATAM, NA"),
])
def test_a_declaration_that_cannot_be_made_says_why_and_writes_nothing(room, severity, title, reason, extra,
                                                                       message):
    mia = room.as_("mia")
    before = room.workspace.audit.head()["seq"]
    with pytest.raises(InvalidAction) as refused:
        room.crisis.declare(mia, severity, title, reason, **extra)
    assert str(refused.value).startswith(message)
    assert room.workspace.audit.head()["seq"] == before and room.crisis.active() is None


def test_one_crisis_at_a_time(room):
    first = room.crisis.declare(room.as_("mia"), 2, "Outage", "the store is down").crisis
    with pytest.raises(InvalidAction, match=f"crisis {first.id} \\(2 incident: Outage\\) is active since"):
        room.crisis.declare(room.as_("max"), 3, "Recall", "zips")


# -- freezing ---------------------------------------------------------------------------------
def test_a_freeze_without_a_crisis_holds_everything_and_says_what_it_held(room):
    room.scheduled(1, EN)
    room.scheduled(2, JA)
    room.publish_now(3, ES)
    report = room.crisis.freeze(room.as_("mia"))
    assert report.crisis_id == "" and report.hold.reason == "emergency freeze by mia"
    assert (report.scheduled, report.publish_now, report.replies) == (2, 1, 0)
    at = report.hold.at.strftime("%H:%M:%S")
    assert report.lines() == [f"Publishing frozen at {at} UTC on every account (hold {report.hold.id}): held 2 "
                              "scheduled posts, 1 publish-now request, 0 queued replies."]
    assert room.crisis.status().frozen and room.crisis.status().banner() == "FROZEN"
    with pytest.raises(InvalidAction, match=f"publishing is already frozen on every account \\(hold "
                                            f"{report.hold.id}, by mia"):
        room.crisis.freeze(room.as_("max"))


def test_a_freeze_needs_the_permission_and_a_fresh_code(room):
    with pytest.raises(PermissionDenied, match="needs schedule.freeze"):
        room.crisis.freeze(room.as_("rita"))
    mia = room.as_("mia")
    room.clock.advance(minutes=6)
    with pytest.raises(StepUpRequired):
        room.crisis.freeze(mia)
    assert room.crisis.freezes() == []


def test_an_incident_freezes_only_its_accounts(room):
    other = room.scheduled(1, EN, minutes=10)
    affected = room.scheduled(2, ES, minutes=10)
    declared = room.crisis.declare(room.as_("mia"), 2, "Outage in Mexico", "payments fail", accounts=[ES])
    assert declared.freeze.hold.accounts == (ES,) and declared.freeze.scheduled == 1
    room.clock.advance(minutes=11)
    room.publish_round()
    assert room.target(other.id, EN).state == PUBLISHED
    assert room.target(affected.id, ES).state == MISSED


def test_a_freeze_that_came_first_becomes_part_of_the_crisis(room):
    early = room.crisis.freeze(room.as_("mia"), "something is wrong").hold
    declared = room.crisis.declare(room.as_("olivia"), 3, "Recall", "zips snap")
    assert declared.freeze is None and [h.id for h in declared.adopted] == [early.id]
    assert room.workspace.holds.get(early.id).crisis == declared.crisis.id
    assert declared.crisis.holds == (early.id,)
    assert ("olivia", "publishing.hold_attached", f"hold/{early.id}") in room.audit("publishing")


def test_the_freeze_report_names_every_post_being_sent():
    hold_at = datetime(2026, 11, 26, 10, 42, 5, tzinfo=timezone.utc)
    from console.publishing import Hold
    hold = Hold("h-1", "recall", "mia", hold_at)
    one = FreezeReport(hold, "c-1", 0, 0, 0, (InFlight("p-1a2b", ES, datetime(2026, 11, 26, 10, 42, 3,
                                                                                tzinfo=timezone.utc)),),
                       {ES: "@northwind_es"})
    assert one.in_flight_lines() == ["1 post was being sent at 10:42:03 UTC: p-1a2b on @northwind_es"]
    two = FreezeReport(hold, "c-1", 0, 0, 0, one.in_flight + (InFlight("p-3c4d", EN, None),), {ES: "@northwind_es"})
    assert two.in_flight_lines() == ["2 posts were being sent: p-1a2b on @northwind_es at 10:42:03 UTC; p-3c4d on "
                                     f"{EN} at an unknown time"]


def test_a_held_post_is_missed_at_its_time_and_stays_scheduled_until_then(room):
    post = room.scheduled(1, EN, minutes=30)
    room.crisis.freeze(room.as_("mia"))
    room.publish_round()
    assert room.target(post.id).state == SCHEDULED
    room.clock.advance(minutes=31)
    assert room.publish_round().missed == 1
