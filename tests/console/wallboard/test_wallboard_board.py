"""The wallboard's read model: what the big screen shows, asked as a viewer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.config import load_config
from console.errors import ConfigError
from integrations.base import ItemKind
from console.permissions import INBOX_TRIAGE, SCHEDULE_FREEZE, PermissionDenied, Scope
from console.wallboard import (FROZEN, HELD_STATE, HOURS, JOB_FAILING, JOB_OK, NORMAL, BoardViewer,
                               countdown_text)
from console.worker import HealthRecorder, JobHealth
from tests.console.crisis.crisis_fixtures import EN, ES, JA, TEAM
from tests.console.helpers import add_items, inbound


def board(room, name: str = "vic"):
    session = room.as_(name) if name in TEAM else room.people.login(name)
    return room.workspace.wallboard.snapshot(BoardViewer(session))


def test_open_items_breaches_and_items_due_soon_come_from_the_inbox(room):
    now = room.clock()
    # a DM is due 30 minutes after it arrived, a comment 60 (the default SLA)
    add_items(room.workspace.store, [inbound(1, now - timedelta(minutes=45), kind=ItemKind.DM),
                                     inbound(2, now - timedelta(minutes=55)),
                                     inbound(3, now - timedelta(minutes=5))],
              received=now)
    counts = board(room).counts
    assert (counts.open, counts.breached, counts.due_soon) == (3, 1, 1)


def test_inbound_volume_per_hour_per_account_follows_new_items_and_the_hours_passing(room, open_workspace):
    room.clock.now = now = room.clock().replace(minute=30, second=0)        # half past: ten minutes ago is this hour
    add_items(room.workspace.store, [inbound(1, now - timedelta(minutes=10)),
                                     inbound(2, now - timedelta(hours=2, minutes=10)),
                                     inbound(3, now - timedelta(hours=2, minutes=20), account=ES),
                                     inbound(4, now - timedelta(hours=30))],          # older than the window
              received=now)
    volume = {line.account_id: line for line in board(room).volume}
    assert list(volume) == [EN, ES, JA]            # every account in scope, quiet ones too
    assert len(volume[EN].per_hour) == HOURS
    assert volume[EN].per_hour[-1] == 1 and volume[EN].per_hour[-3] == 1 and volume[EN].total == 2
    assert volume[ES].per_hour[-3] == 1 and volume[JA].total == 0
    assert volume[EN].handle.startswith("@")

    # written by another process: counted once the store is read again, and only once
    other = open_workspace("mia")
    add_items(other.store, [inbound(5, now, account=JA)], received=now)
    room.workspace.inbox.refresh()
    room.workspace.inbox.refresh()
    assert {line.account_id: line.last_hour for line in board(room).volume}[JA] == 1

    # two hours on, the items of two hours ago are the oldest but one... and a day on, gone
    room.clock.advance(hours=2)
    volume = {line.account_id: line for line in board(room).volume}
    assert volume[EN].per_hour[-3] == 1 and volume[EN].per_hour[-5] == 1
    room.clock.advance(hours=22)
    assert {line.account_id: line.total for line in board(room).volume} == {EN: 0, ES: 0, JA: 0}


def test_a_viewer_with_a_scope_sees_the_volume_and_posts_of_their_accounts_only(room):
    room.people.add("eve", "viewer", Scope(frozenset({ES})))
    add_items(room.workspace.store, [inbound(1, room.clock()), inbound(2, room.clock(), account=ES)],
              received=room.clock())
    room.scheduled(1, EN, minutes=20)
    snapshot = board(room, "eve")
    assert [line.account_id for line in snapshot.volume] == [ES]
    assert snapshot.next_post is None
    assert board(room).next_post is not None


def test_the_next_post_counts_down_and_shows_held_while_publishing_is_frozen(room):
    post = room.scheduled(1, EN, minutes=30)
    viewer = BoardViewer(room.as_("vic"))     # logging in moves the test's clock
    room.clock.now = post_at = room.workspace.scheduling.get(post.id).targets[EN].at - timedelta(minutes=30)
    snapshot = room.workspace.wallboard.snapshot(viewer)
    assert (snapshot.next_post.post_id, snapshot.next_post.state, snapshot.next_post.at) == (
        post.id, "scheduled", post_at + timedelta(minutes=30))
    assert snapshot.countdown() == 30 * 60 and countdown_text(snapshot.countdown()) == "30:00"
    assert snapshot.publishing == NORMAL and snapshot.holds == ()
    assert snapshot.next_post.handles == (room.workspace.account_handle(EN),)

    room.clock.advance(minutes=10, seconds=5)
    assert countdown_text(room.workspace.wallboard.snapshot(viewer).countdown()) == "19:55"

    room.crisis.freeze(room.as_("mia"), "waiting for legal")
    snapshot = room.workspace.wallboard.snapshot(viewer)
    assert snapshot.publishing == FROZEN and snapshot.next_post.state == "held"
    assert snapshot.holds[0].by == "mia" and snapshot.holds[0].reason == "waiting for legal"


def test_a_manual_hold_is_held_not_frozen_and_says_who_why_since_and_scope(room):
    hold = room.workspace.holds.hold(room.as_("mia"), "brand review of the EU posts", accounts=[ES])
    snapshot = board(room)
    assert snapshot.publishing == HELD_STATE
    (shown,) = snapshot.holds
    assert (shown.id, shown.by, shown.reason, shown.at, shown.scope) == (
        hold.id, "mia", "brand review of the EU posts", hold.at, ES)


def test_the_crisis_is_the_crisis_services_status(room):
    assert not board(room).crisis.active
    room.crisis.declare(room.as_("mia"), 3, "Zipper recall", "pulls snap on the Ridgeline jacket", playbook="recall")
    room.clock.advance(minutes=42)
    crisis = board(room).crisis
    assert crisis.active and crisis.frozen and crisis.banner() == "CRISIS 3 00:42 FROZEN"
    assert crisis.runbook.total == 7 and crisis.runbook.overdue >= 1
    assert crisis.latest and crisis.latest[0].kind == "declared"


def test_job_health_in_words(room):
    now = room.clock()
    recorder = HealthRecorder(room.workspace.store, ["sync", "publish"], actor="worker")
    recorder.record([JobHealth("sync", timedelta(seconds=5), last_run=now, last_success=now, report="3 new"),
                     JobHealth("publish", timedelta(seconds=5), last_run=now, last_error="timeout",
                               last_error_at=now, failing_since=now, failures=2)], now)
    jobs = {job.name: job for job in board(room).jobs}
    assert (jobs["sync"].state, jobs["sync"].detail) == (JOB_OK, "3 new")
    assert (jobs["publish"].state, jobs["publish"].detail) == (JOB_FAILING, "timeout")
    assert [job.name for job in board(room).jobs_in_trouble] == ["publish"]


def test_the_viewer_only_reads_and_is_not_idle_locked_but_a_disabled_user_is_stopped(room):
    viewer = BoardViewer(room.as_("vic"))
    for permission in (INBOX_TRIAGE, SCHEDULE_FREEZE):
        with pytest.raises(PermissionDenied, match="the wallboard only reads"):
            viewer.require(permission)
    # a manager's board cannot act either
    with pytest.raises(PermissionDenied, match="the wallboard only reads"):
        BoardViewer(room.as_("mia")).require(SCHEDULE_FREEZE)

    room.clock.advance(hours=3)                      # far past idle_minutes
    assert room.workspace.wallboard.snapshot(viewer).viewer == "vic"

    room.workspace.users.disable(room.people.owner(), "vic")
    with pytest.raises(PermissionDenied, match="vic is disabled"):
        room.workspace.wallboard.snapshot(viewer)


def test_someone_who_may_not_see_the_inbox_gets_no_board(room):
    with pytest.raises(PermissionDenied, match="needs inbox.read"):
        room.workspace.wallboard.snapshot(BoardViewer(room.people.session("cal", "contributor")))


def test_the_wallboard_settings_are_read_and_checked(tmp_path):
    path = tmp_path / "socops.toml"
    assert load_config(path).wallboard.rotate_seconds == 20
    path.write_text('[wallboard]\nrotate_seconds = 8\ntheme = "high-contrast"\n', encoding="utf-8")
    settings = load_config(path).wallboard
    assert (settings.rotate_seconds, settings.theme) == (8, "high-contrast")
    path.write_text('[wallboard]\nrotate_seconds = 1\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"socops.toml:2: \[wallboard\] rotate_seconds = 1 is not valid"):
        load_config(path)
    path.write_text('[wallboard]\ntheme = "neon"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r'socops.toml:2: \[wallboard\] theme = .neon. is not valid; use '
                                          r'"default" or "high-contrast"'):
        load_config(path)
