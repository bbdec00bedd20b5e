"""Scheduling approved posts: times in each account's zone, slots, the publishing rules, holds."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from console.errors import InvalidAction
from console.permissions import PermissionDenied
from console.posts import APPROVED, IN_REVIEW, AcknowledgementRequired, PolicyBlocked
from console.publishing import FAILED, NEEDS_CHECK, RULE_BLACKOUT, SCHEDULED, SCHEDULES, ScheduleRequest
from tests.console.posts.post_fixtures import EN, ES, audit_actions
from tests.console.publishing.schedule_fixtures import calendar  # noqa: F401

NEW_YORK = ZoneInfo("America/New_York")
MEXICO = ZoneInfo("America/Mexico_City")
UTC = timezone.utc


def local(schedule, account_id, zone):
    return schedule.targets[account_id].at.astimezone(zone).strftime("%a %H:%M")


def test_an_approved_post_is_scheduled_at_its_proposed_time(calendar):
    post = calendar.approved(hours=53)               # Sat 28 Nov 14:00 UTC: 09:00 in New York
    schedule = calendar.schedule("ed", post.id)
    target = schedule.targets[EN]
    assert (target.at, target.state) == (post.proposed_at, SCHEDULED)
    assert target.key.startswith("socops-") and schedule.revision == post.revision
    assert audit_actions(calendar.desk.store)[-1][:3] == ("ed", "post.schedule", f"post/{post.id}")
    assert not [n for n in calendar.desk.unread("ed") if "scheduled" in n]   # the author did it


def test_a_time_without_an_offset_is_each_accounts_own_time(calendar):
    post = calendar.approved(targets=(EN, ES))
    schedule = calendar.schedule("ed", post.id, local=datetime(2026, 11, 30, 15, 0))
    assert local(schedule, EN, NEW_YORK) == "Mon 15:00" and local(schedule, ES, MEXICO) == "Mon 15:00"
    assert schedule.targets[ES].at - schedule.targets[EN].at == timedelta(hours=1)
    moment = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
    schedule = calendar.schedule("ed", post.id, at=moment)
    assert {t.at for t in schedule.targets.values()} == {moment}


def test_the_next_free_slot_of_each_account(calendar):
    first = calendar.approved(targets=(EN,))
    one = calendar.schedule("ed", first.id, next_slot=True)
    assert local(one, EN, NEW_YORK) == "Thu 09:00"   # today's 09:00 NY is still ahead (now 04:00 NY)
    second = calendar.approved("Boots are back", targets=(EN, ES))
    two = calendar.schedule("ed", second.id, next_slot=True)
    assert local(two, EN, NEW_YORK) == "Thu 13:00"   # 09:00 is taken on @en
    assert local(two, ES, MEXICO) == "Thu 09:00"


def test_only_approved_posts_are_scheduled(calendar):
    post = calendar.desk.submitted("ed")
    with pytest.raises(InvalidAction, match="in review; only an approved post can be scheduled"):
        calendar.schedule("ed", post.id)
    approved = calendar.approved()
    with pytest.raises(PermissionDenied):
        calendar.schedule("vic", approved.id)
    with pytest.raises(InvalidAction, match="has passed"):
        calendar.schedule("ed", approved.id, at=calendar.desk.clock() - timedelta(minutes=1))


def test_a_blackout_refuses_and_only_a_named_role_may_override_it_with_a_note(calendar):
    post = calendar.approved()
    night = datetime(2026, 11, 30, 23, 30, tzinfo=NEW_YORK)
    with pytest.raises(PolicyBlocked) as refused:
        calendar.schedule("ed", post.id, at=night)
    assert [f.rule_id for f in refused.value.findings] == [RULE_BLACKOUT]
    with pytest.raises(InvalidAction, match="needs one of these roles: owner, admin; you are editor"):
        calendar.schedule("ed", post.id, at=night, overrides=("quiet",), note="launch")
    with pytest.raises(InvalidAction, match="needs a note"):
        calendar.schedule("ada", post.id, at=night, overrides=("quiet",))
    with pytest.raises(InvalidAction, match="no blackout 'quite'"):
        calendar.schedule("ada", post.id, at=night, overrides=("quite",), note="x")
    schedule = calendar.schedule("ada", post.id, at=night, overrides=("quiet",), note="the launch is at midnight")
    assert schedule.overrides == ("quiet",) and schedule.override_note == "the launch is at midnight"
    again = calendar.desk.posts.get(post.id)
    assert again.status == IN_REVIEW                  # an override needs a new approval
    assert calendar.desk.unread("mia")[-1] == f"{post.id} needs your approval again: it overrides blackout quiet"


def test_spacing_refuses_and_a_duplicate_needs_an_acknowledgement(calendar):
    at = datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK)
    calendar.schedule("ed", calendar.approved().id, at=at)
    close = calendar.approved("Something else entirely")
    with pytest.raises(PolicyBlocked, match="publishing rule says no") as refused:
        calendar.schedule("ed", close.id, at=at + timedelta(minutes=30))
    assert refused.value.findings[0].rule_id == "publishing.spacing"
    same = calendar.approved("Autumn walks START Saturday")
    with pytest.raises(AcknowledgementRequired) as asked:
        calendar.schedule("ed", same.id, at=at + timedelta(days=2))
    assert [f.rule_id for f in asked.value.warnings] == ["publishing.duplicate"]
    schedule = calendar.schedule("ed", same.id, at=at + timedelta(days=2), acknowledge=("publishing.duplicate",))
    assert schedule.acknowledged == ("publishing.duplicate",)


def test_a_new_time_keeps_the_approval_unless_the_file_says_otherwise(calendar):
    post = calendar.approved()
    calendar.schedule("ed", post.id, at=datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK))
    calendar.schedule("ed", post.id, at=datetime(2026, 11, 30, 11, 0, tzinfo=NEW_YORK))
    assert calendar.desk.posts.get(post.id).status == APPROVED
    calendar.policy = replace(calendar.policy, reapprove_on_reschedule=True)
    calendar.schedule("ed", post.id, at=datetime(2026, 11, 30, 12, 0, tzinfo=NEW_YORK))
    assert calendar.desk.posts.get(post.id).status == IN_REVIEW
    assert calendar.desk.unread("mia")[-1] == (f"{post.id} needs your approval again: governance.toml says a "
                                               "new time needs a new approval (reapprove_on_reschedule)")


def test_a_scheduled_post_keeps_its_approval_until_it_is_sent(calendar):
    desk = calendar.desk
    waiting = calendar.approved("Waits unscheduled", hours=200)
    scheduled = calendar.approved("Goes out next week", hours=200)
    calendar.schedule("ed", scheduled.id)
    desk.clock.advance(hours=73)                      # past approval_valid_hours
    assert desk.approvals.expire_due() == [waiting.id]
    assert desk.posts.get(scheduled.id).status == APPROVED


def test_unschedule_publish_now_and_retry(calendar):
    desk = calendar.desk
    post = calendar.approved(targets=(EN, ES))
    calendar.schedule("ed", post.id, at=datetime(2026, 11, 30, 10, 0, tzinfo=NEW_YORK))
    with pytest.raises(PermissionDenied, match="post.publish"):
        calendar.scheduling.publish_now(desk.actor("ed"), post.id)
    with pytest.raises(PolicyBlocked, match="cannot go out now: it is in a blackout"):
        calendar.scheduling.publish_now(desk.actor("mia"), post.id)     # 04:00 in New York: quiet hours
    desk.clock.advance(hours=6)
    now = calendar.scheduling.publish_now(desk.actor("mia"), post.id)
    assert {t.at for t in now.targets.values()} == {desk.clock()}
    # the worker sent @en and gave up on @es; the outcome of another is unknown
    record = desk.store.get(SCHEDULES, post.id)
    targets = dict(record["targets"])
    targets[EN] = dict(targets[EN], state="published", remote_id="1")
    targets[ES] = dict(targets[ES], state=FAILED, error="HTTP 400: too long")
    desk.store.update(SCHEDULES, post.id, {"targets": targets}, expected_version=record["_v"], actor="worker")
    with pytest.raises(InvalidAction, match="already gone out .* on sandbox:en"):
        calendar.scheduling.unschedule(desk.actor("ed"), post.id)
    again = calendar.scheduling.retry(desk.actor("ed"), post.id)
    assert (again.targets[ES].state, again.targets[ES].error) == (SCHEDULED, "")
    assert again.targets[EN].state == "published"
    record = desk.store.get(SCHEDULES, post.id)
    targets = dict(record["targets"], **{ES: dict(record["targets"][ES], state=NEEDS_CHECK)})
    desk.store.update(SCHEDULES, post.id, {"targets": targets}, expected_version=record["_v"], actor="worker")
    with pytest.raises(InvalidAction, match="needs a check"):
        calendar.scheduling.retry(desk.actor("ed"), post.id)
    old_key = calendar.scheduling.get(post.id).targets[ES].key
    checked = calendar.scheduling.retry(desk.actor("ed"), post.id, checked=True)
    assert checked.targets[ES].state == SCHEDULED and checked.targets[ES].key != old_key
    assert "checked by ed: not on the platform" in audit_actions(desk.store)[-1][3]


def test_unschedule_leaves_the_post_approved(calendar):
    post = calendar.approved(hours=53)
    calendar.schedule("ed", post.id)
    calendar.scheduling.unschedule(calendar.desk.actor("ed"), post.id)
    assert calendar.scheduling.get(post.id) is None
    assert calendar.desk.posts.get(post.id).status == APPROVED
    with pytest.raises(InvalidAction, match="is not scheduled"):
        calendar.scheduling.unschedule(calendar.desk.actor("ed"), post.id)


def test_holds_need_the_freeze_permission_a_reason_and_known_scope(calendar):
    desk, holds = calendar.desk, calendar.holds
    with pytest.raises(PermissionDenied, match="schedule.freeze"):
        holds.hold(desk.actor("ed"), "crisis")
    with pytest.raises(InvalidAction, match="needs a reason"):
        holds.hold(desk.actor("mia"), "  ")
    with pytest.raises(InvalidAction, match="no account 'x:nope'"):
        holds.hold(desk.actor("mia"), "why", accounts=["x:nope"])
    hold = holds.hold(desk.actor("mia"), "product recall under way", regions=["NA"])
    assert holds.holding(EN, "NA") == hold and holds.holding(ES, "LATAM") is None
    released = holds.release(desk.actor("ada"), hold.id, "recall statement is out")
    assert not released.active and released.released_by == "ada"
    assert holds.holding(EN, "NA") is None
    with pytest.raises(InvalidAction, match="already released by ada"):
        holds.release(desk.actor("ada"), hold.id)
    assert [a[1] for a in audit_actions(desk.store)[-2:]] == ["publishing.hold", "publishing.release"]


def test_a_plan_names_the_blackouts_its_times_fall_in(calendar):
    post = calendar.approved(targets=(EN, ES))
    scheduling, ed = calendar.scheduling, calendar.desk.actor("ed")
    # 23:30 in New York is 22:30 in Mexico City: only the New York time is in the quiet hours.
    plan = scheduling.plan(ed, post.id, ScheduleRequest(at=datetime(2026, 11, 30, 23, 30, tzinfo=NEW_YORK)))
    assert scheduling.blackouts_in(plan) == ("quiet",)
    plan = scheduling.plan(ed, post.id, ScheduleRequest(local=datetime(2026, 11, 30, 10, 0)))
    assert scheduling.blackouts_in(plan) == ()
