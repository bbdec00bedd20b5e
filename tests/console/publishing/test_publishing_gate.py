"""The publishing gate: a hold and a claim exclude each other.

The publisher checks the holds, then writes its claim; a hold committed in
between must make the claim fail (it was written with the gate's version
seen before the check), and a claim committed first must be named by the
hold as already being sent."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from console.posts import PolicyBlocked
from console.publishing import (CRISIS_HOLD, MISSED, NEEDS_CHECK, PUBLISHED, PUBLISHING, SCHEDULED, SCHEDULES,
                                PublishReport)
from console.records import format_time
from tests.console.posts.post_fixtures import EN, audit_actions
from tests.console.publishing.schedule_fixtures import calendar  # noqa: F401
from tests.console.publishing.test_publisher import Platform, due_post, platform_count, target


def test_a_hold_set_between_the_check_and_the_claim_makes_the_claim_fail(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    checks = platform.publisher._problem
    holds = []

    def freeze_while_checking(*args):
        # The holds were read already (none); a freeze lands before the claim is written.
        if not holds:
            holds.append(calendar.holds.hold(calendar.desk.actor("mia"), "recall", kind=CRISIS_HOLD))
        return checks(*args)

    platform.publisher._problem = freeze_while_checking
    report = platform.run()
    assert report.published == 0 and platform_count(tmp_path) == 0
    assert target(calendar, post.id).state == SCHEDULED             # the claim failed: nothing written
    assert holds[0].in_flight == ()                                  # and the hold saw no claim
    assert "post.publishing" not in [a[1] for a in audit_actions(calendar.desk.store) if a[2] == f"post/{post.id}"]
    platform.publisher._problem = checks
    assert platform.run().missed == 1                                # next round: frozen at its time
    assert target(calendar, post.id).state == MISSED and target(calendar, post.id).hold == holds[0].id
    assert platform_count(tmp_path) == 0


def test_a_claim_made_before_the_hold_is_named_by_it(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    sending = platform.adapter.publish
    seen = []

    async def hold_while_sending(outbound, *, idempotency_key):
        # Claimed and being sent: a freeze now names it, and cannot stop it.
        seen.append(calendar.holds.hold(calendar.desk.actor("mia"), "recall", kind=CRISIS_HOLD))
        assert target(calendar, post.id).state == PUBLISHING
        return await sending(outbound, idempotency_key=idempotency_key)

    platform.adapter.publish = hold_while_sending
    assert platform.run().published == 1
    (flight,) = seen[0].in_flight
    assert (flight.post_id, flight.account_id, flight.claimed_at) == (post.id, EN, at)
    assert flight.claimed_by == platform.publisher.worker_id
    assert target(calendar, post.id).state == PUBLISHED
    assert calendar.holds.get(seen[0].id).in_flight == seen[0].in_flight    # kept with the hold


def test_every_hold_and_release_moves_the_gate(calendar):
    holds = calendar.holds
    assert holds.gate_version() is None
    hold = holds.hold(calendar.desk.actor("mia"), "recall")
    assert holds.gate_version() == 1
    holds.release(calendar.desk.actor("mia"), hold.id)
    assert holds.gate_version() == 2


# -- crisis holds: missed at their time, never sent late; a crisis pass --------------------
def crisis_hold(calendar, crisis: str = "c-1", **scope):
    return calendar.holds.hold(calendar.desk.actor("mia"), "recall", kind=CRISIS_HOLD, crisis=crisis, **scope)


def test_a_post_due_under_a_crisis_freeze_is_missed_at_once_and_stays_missed(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    hold = crisis_hold(calendar)
    calendar.desk.clock.now = at
    assert platform.run().missed == 1                        # not "held" until missed_after passes
    missed = target(calendar, post.id)
    assert (missed.state, missed.hold) == (MISSED, hold.id)
    assert "publishing was frozen when it was due" in missed.error and "reschedule it or drop it" in missed.error
    calendar.holds.release(calendar.desk.actor("mia"), hold.id)
    assert platform.run().summary() == "nothing due" and platform_count(tmp_path) == 0
    assert [(c.post_id, c.account_id, c.state) for c in calendar.holds.caught([hold.id])] == [(post.id, EN, MISSED)]


def test_a_post_due_during_a_freeze_no_worker_saw_is_missed_after_the_release_not_sent(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    hold = crisis_hold(calendar)
    calendar.desk.clock.now = at + timedelta(minutes=2)      # no worker ran while it was frozen
    assert [c.state for c in calendar.holds.caught([hold.id])] == [SCHEDULED]
    calendar.holds.release(calendar.desk.actor("mia"), hold.id)
    assert platform.run().missed == 1                        # still within missed_after, yet not sent
    assert platform_count(tmp_path) == 0 and target(calendar, post.id).hold == hold.id


def test_a_manual_hold_keeps_its_old_ways_and_a_post_due_after_a_freeze_goes_out(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    hold = crisis_hold(calendar)
    calendar.holds.release(calendar.desk.actor("mia"), hold.id)
    post, at = due_post(calendar)                            # scheduled after the freeze ended
    calendar.desk.clock.now = at
    assert platform.run().published == 1
    assert calendar.holds.caught([hold.id]) == []


def test_only_the_crisis_pass_of_that_crisis_passes_its_freeze(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    desk = calendar.desk
    desk.clock.advance(hours=6)                              # 15:00 UTC: 10:00 in New York, no blackout
    crisis_hold(calendar, "c-1")
    passing, other, plain = (calendar.approved(f"Statement {n}", hours=24) for n in range(3))
    calendar.scheduling.publish_now(desk.actor("mia"), passing.id, crisis_pass="c-1")
    calendar.scheduling.publish_now(desk.actor("mia"), other.id, crisis_pass="c-2")
    calendar.scheduling.publish_now(desk.actor("mia"), plain.id)
    report = platform.run()
    assert (report.published, report.missed) == (1, 2)
    assert target(calendar, passing.id).state == PUBLISHED
    assert target(calendar, other.id).state == target(calendar, plain.id).state == MISSED
    manual = calendar.holds.hold(desk.actor("mia"), "legal review")      # a manual hold stops it too
    again = calendar.approved("Statement 4", hours=24)
    calendar.scheduling.publish_now(desk.actor("mia"), again.id, crisis_pass="c-1")
    assert platform.run().held == 1 and target(calendar, again.id).state == SCHEDULED
    assert calendar.holds.holding(EN, "NA", crisis_pass="c-1") == manual


def test_a_crisis_pass_goes_out_in_a_blackout_and_says_so(calendar):
    desk = calendar.desk                                     # 09:00 UTC: 04:00 in New York, quiet hours
    post = calendar.approved("Statement", hours=24)
    with pytest.raises(PolicyBlocked):
        calendar.scheduling.publish_now(desk.actor("mia"), post.id)
    schedule = calendar.scheduling.publish_now(desk.actor("mia"), post.id, crisis_pass="c-1",
                                               note="holding statement of c-1")
    assert (schedule.crisis_pass, schedule.overrides, schedule.override_note) == ("c-1", ("quiet",),
                                                                                  "holding statement of c-1")
    summary = [a[3] for a in audit_actions(desk.store) if a[1] == "post.publish_now"][-1]
    assert summary == f"now on {EN}; passes the freeze of c-1 and blackout quiet: holding statement of c-1"


def test_a_claim_left_by_a_stopped_worker_is_not_sent_again_under_a_hold(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    store = calendar.desk.store
    record = store.get(SCHEDULES, post.id)
    claimed = dict(record["targets"][EN], state=PUBLISHING, attempts=1, claimed_by="worker pid 1 on gone",
                   claimed_at=format_time(at))
    store.update(SCHEDULES, post.id, {"targets": {EN: claimed}}, expected_version=record["_v"], actor="worker")
    hold = crisis_hold(calendar)
    assert [(t.post_id, t.claimed_by) for t in hold.in_flight] == [(post.id, "worker pid 1 on gone")]
    assert platform.run().needs_check == 1
    left = target(calendar, post.id)
    assert left.state == NEEDS_CHECK and f"publishing is held now (recall; hold {hold.id})" in left.error
    assert platform_count(tmp_path) == 0


def test_a_hold_that_claims_keep_overtaking_holds_anyway_and_names_them_from_the_audit_trail(calendar, tmp_path,
                                                                                               monkeypatch):
    platform = Platform(calendar, tmp_path)
    calendar.policy = replace(calendar.policy, min_spacing_minutes=0)     # four posts at one moment
    desk = calendar.desk
    desk.clock.advance(hours=6)                              # 15:00 UTC: 10:00 in New York, no blackout
    at = desk.clock() + timedelta(minutes=10)
    posts = [calendar.approved(f"Autumn walk {n}", hours=24) for n in range(4)]
    for post in posts:
        calendar.schedule("ed", post.id, at=at)
    desk.clock.now = at
    holds = calendar.holds
    looks = holds._caught_now
    claimed = []

    def a_claim_after_each_look(*args):
        # Each time the hold has looked, the worker claims a due target before the hold is written.
        found = looks(*args)
        waiting = [post.id for post in posts if target(calendar, post.id).state == SCHEDULED]
        if len(claimed) < 3:
            assert platform.publisher._claim(waiting[0], EN, {EN: platform.adapter}, PublishReport()) is not None
            claimed.append(waiting[0])
        return found

    monkeypatch.setattr("console.publishing.holds.MAX_GATE_ATTEMPTS", 2)
    holds._caught_now = a_claim_after_each_look
    hold = holds.hold(desk.actor("mia"), "recall", kind=CRISIS_HOLD)    # two overtaken, then held anyway
    del holds._caught_now
    assert len(claimed) == 3
    # two claims were seen by the last look, the third only in the audit trail: all named, and kept
    assert sorted(t.post_id for t in hold.in_flight) == sorted(claimed)
    assert holds.get(hold.id).in_flight == hold.in_flight
    assert [a[3] for a in audit_actions(desk.store) if a[2] == f"hold/{hold.id}"][-1] == (
        f"1 more already being sent as it came into force: {claimed[2]} on {EN}")
    last = next(post.id for post in posts if post.id not in claimed)
    assert platform.run().missed == 1 and target(calendar, last).state == MISSED     # nothing claimed after it
