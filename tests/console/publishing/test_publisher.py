"""The publisher: claim, send, record; holds, missed slots, re-checks, and outcomes that cannot be told."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from datetime import timedelta

import pytest

from console.publishing import MISSED, NEEDS_CHECK, PUBLISHED, PUBLISHING, RETRYING, SCHEDULED, SCHEDULES, Publisher
from integrations.base import OutboundPost
from integrations.sandbox import SandboxAdapter
from tests.console.posts.post_fixtures import EN, audit_actions
from tests.console.publishing.schedule_fixtures import ACCOUNTS, calendar  # noqa: F401


class Platform:
    """The sandbox as the publisher's platform: one adapter for @en, a fault script per test."""

    def __init__(self, calendar, tmp_path, *, script=None, idempotent=True):
        self.script = script or (lambda key, attempt: None)
        self.adapter = SandboxAdapter(replace(ACCOUNTS[EN], platform="sandbox"), clock=calendar.desk.clock,
                                      platform_dir=tmp_path,
                                      faults=lambda key, attempt: self.script(key, attempt), idempotent=idempotent)
        self.problem = ""
        self.publisher = Publisher(
            calendar.desk.store, calendar.desk.posts.audit, calendar.desk.clock, posts=calendar.desk.posts,
            holds=calendar.holds, notices=calendar.desk.notices, policy=lambda: calendar.policy,
            check_content=calendar.desk.posts.check, account_of=ACCOUNTS.get,
            region_of=lambda account_id: "NA", owner_of=lambda account_id: "olga",
            account_problem=lambda account_id: self.problem, media_for=lambda post: ())

    def run(self):
        return asyncio.run(self.publisher.run({EN: self.adapter}, self.publisher.clock()))


def platform_count(tmp_path) -> int:
    path = tmp_path / "sandbox-platform.jsonl"
    return sum(1 for line in path.read_text().splitlines() if '"type":"post"' in line) if path.exists() else 0


def due_post(calendar, minutes=10):
    """An approved post on @en, scheduled ``minutes`` from now (10:00 New York: no blackout)."""
    calendar.desk.clock.advance(hours=6)
    post = calendar.approved(hours=24)
    at = calendar.desk.clock() + timedelta(minutes=minutes)
    calendar.schedule("ed", post.id, at=at)
    return post, at


def target(calendar, post_id):
    return calendar.scheduling.get(post_id).targets[EN]


def test_a_due_post_is_claimed_sent_and_recorded_once(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    assert platform.publisher.next_due() == at
    assert platform.run().summary() == "nothing due"
    calendar.desk.clock.now = at
    assert platform.run().published == 1
    sent = target(calendar, post.id)
    assert (sent.state, sent.attempts, sent.remote_id.startswith("sandbox-post-")) == (PUBLISHED, 1, True)
    assert sent.url.startswith("https://sandbox.socops.invalid/")
    assert platform.run().summary() == "nothing due" and platform_count(tmp_path) == 1
    actions = [a[1] for a in audit_actions(calendar.desk.store) if a[2] == f"post/{post.id}"]
    assert actions[-2:] == ["post.publishing", "post.published"]
    assert calendar.desk.unread("ed")[-1] == f"{post.id} is out on @en: {sent.url}"
    assert platform.publisher.next_due() is None


def test_a_hold_keeps_a_post_and_a_long_hold_makes_it_missed(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    hold = calendar.holds.hold(calendar.desk.actor("mia"), "recall under way")
    calendar.desk.clock.now = at
    assert platform.run().held == 1 and target(calendar, post.id).state == SCHEDULED
    calendar.desk.clock.advance(minutes=16)              # past missed_after_minutes (15)
    assert platform.run().missed == 1
    missed = target(calendar, post.id)
    assert missed.state == MISSED and "held: recall under way" in missed.error
    calendar.holds.release(calendar.desk.actor("mia"), hold.id)
    assert platform.run().summary() == "nothing due" and platform_count(tmp_path) == 0   # never sent late
    assert any(n.startswith(f"{post.id} on {EN} was missed") for n in calendar.desk.unread("olga"))


def test_a_post_that_fails_a_check_at_its_time_is_not_sent_and_says_why(calendar, tmp_path):
    platform = Platform(calendar, tmp_path)
    post, at = due_post(calendar)
    desk = calendar.desk
    desk.posts.edit(desk.actor("ed"), post.id, expected_version=desk.posts.get(post.id).version,
                    text="Autumn walks start Sunday")               # back to review
    desk.clock.now = at
    assert platform.run().failed == 1
    assert target(calendar, post.id).error == f"not sent: {post.id} is in review, not approved"
    other, at = due_post(calendar)
    platform.problem = f"{EN} needs reconnecting"
    desk.clock.now = at
    platform.run()
    assert target(calendar, other.id).error == f"not sent: {EN} needs reconnecting"
    assert platform_count(tmp_path) == 0


def test_a_rate_limit_waits_and_a_timeout_is_resent_with_the_same_key(calendar, tmp_path):
    faults = {1: "rate_limit", 2: "timeout_after_send"}
    platform = Platform(calendar, tmp_path, script=lambda key, attempt: faults.get(attempt))
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    assert platform.run().retrying == 1
    waiting = target(calendar, post.id)
    assert waiting.state == RETRYING and waiting.next_attempt_at > at and "rate limited" in waiting.error
    calendar.desk.clock.now = waiting.next_attempt_at
    assert platform.run().retrying == 1                   # the post went out, the answer was lost
    assert platform_count(tmp_path) == 1
    calendar.desk.clock.now = target(calendar, post.id).next_attempt_at
    assert platform.run().published == 1                 # same key: the platform answers with the same post
    assert platform_count(tmp_path) == 1 and target(calendar, post.id).attempts == 3


def test_without_idempotency_a_lost_answer_is_looked_up_not_resent(calendar, tmp_path):
    platform = Platform(calendar, tmp_path, idempotent=False,
                        script=lambda key, attempt: "timeout_after_send" if attempt == 1 else None)
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    assert platform.run().published == 1                 # found on the account by its text
    assert platform_count(tmp_path) == 1
    assert target(calendar, post.id).remote_id.startswith("sandbox-post-")


def test_without_idempotency_an_outcome_that_cannot_be_told_needs_a_check(calendar, tmp_path):
    platform = Platform(calendar, tmp_path, idempotent=False, script=lambda key, attempt: "server_error")
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    assert platform.run().needs_check == 1
    check = target(calendar, post.id)
    assert check.state == NEEDS_CHECK and "Look on the platform" in check.error
    assert platform.run().summary() == "nothing due" and platform_count(tmp_path) == 0
    assert any("needs a check" in n for n in calendar.desk.unread("olga"))


@pytest.mark.parametrize("idempotent", [True, False])
def test_a_claim_left_by_a_stopped_worker_is_never_sent_twice(calendar, tmp_path, idempotent):
    platform = Platform(calendar, tmp_path, idempotent=idempotent)
    post, at = due_post(calendar)
    calendar.desk.clock.now = at
    left = target(calendar, post.id)
    # the stopped worker had claimed it and sent it, then died before recording
    asyncio.run(platform.adapter.publish(OutboundPost(text=calendar.desk.posts.get(post.id).text),
                                         idempotency_key=left.key))
    store = calendar.desk.store
    record = store.get(SCHEDULES, post.id)
    claimed = dict(record["targets"][EN], state=PUBLISHING, attempts=1, claimed_by="worker pid 1 on gone")
    store.update(SCHEDULES, post.id, {"targets": {EN: claimed}}, expected_version=record["_v"], actor="worker")
    assert platform.run().published == 1
    assert platform_count(tmp_path) == 1
    assert any("taken over from worker pid 1 on gone" in a[3] for a in audit_actions(store))
