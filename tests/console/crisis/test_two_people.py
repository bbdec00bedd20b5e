"""Unfreezing and resolving need two people, each with a fresh code; nothing that
missed its time during a freeze publishes by itself afterwards."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.errors import InvalidAction
from console.governance import GOVERNANCE_FILE
from console.permissions import PermissionDenied, StepUpRequired
from console.publishing import MISSED, PUBLISHED, SCHEDULED, ScheduleRequest
from tests.console.crisis.crisis_fixtures import EN, ES, crisis_governance


def frozen_crisis(room, **extra):
    return room.crisis.declare(room.as_("mia"), 3, "Zipper recall", "pulls snap", **extra).crisis


def test_the_asker_cannot_confirm_and_a_second_person_with_a_confirm_role_and_a_fresh_code_can(room):
    crisis = frozen_crisis(room)
    request = room.crisis.request_unfreeze(room.as_("mia"), "statement is out")
    assert (request.kind, request.by, request.crisis_id) == ("unfreeze", "mia", crisis.id)
    assert any(t.startswith("mia asks to unfreeze publishing: statement is out") for t in room.unread("max"))
    with pytest.raises(PermissionDenied, match="you asked for this unfreeze: a second person must confirm it"):
        room.crisis.confirm(room.as_("mia"))
    with pytest.raises(PermissionDenied, match="rita \\(responder\\) may not freeze and unfreeze"):
        room.crisis.confirm(room.as_("rita"))
    max_ = room.as_("max")
    room.clock.advance(minutes=6)
    with pytest.raises(StepUpRequired):
        room.crisis.confirm(max_)
    assert room.crisis.freezes() != [] and room.crisis.request() is not None
    max_.step_up(room.people.code("max"))
    confirmed = room.crisis.confirm(max_)
    assert (confirmed.confirmed_by, [h.id for h in confirmed.released]) == ("max", list(crisis.holds))
    assert room.crisis.freezes() == [] and room.crisis.request() is None and room.crisis.active() is not None
    event = [e for e in room.workspace.audit.events() if e["action"] == "crisis.unfreeze"][-1]
    assert (event["actor"], event["target"]) == ("max", f"crisis/{crisis.id}")
    assert event["summary"] == f"asked by mia (statement is out), confirmed by max; released {crisis.holds[0]}"
    assert confirmed.lines()[0] == f"Unfrozen: asked by mia, confirmed by max; released {crisis.holds[0]}."


def test_a_role_outside_confirm_roles_cannot_confirm(room):
    text = crisis_governance().replace('confirm_roles = ["owner", "admin", "manager"]', 'confirm_roles = ["owner"]')
    room.workspace.paths.config_dir.joinpath(GOVERNANCE_FILE).write_text(text, encoding="utf-8")
    frozen_crisis(room)
    room.crisis.request_unfreeze(room.as_("mia"))
    with pytest.raises(PermissionDenied) as refused:
        room.crisis.confirm(room.as_("ada"))
    assert str(refused.value) == "confirming an unfreeze needs one of these roles: owner; ada is admin"
    with pytest.raises(PermissionDenied, match="only mia, who asked, or someone who could confirm it \\(owner\\)"):
        room.crisis.cancel_request(room.as_("ada"))
    assert room.crisis.confirm(room.as_("olivia")).confirmed_by == "olivia"


def test_one_request_at_a_time_and_it_can_be_cancelled(room):
    frozen_crisis(room)
    room.crisis.request_unfreeze(room.as_("mia"))
    with pytest.raises(InvalidAction, match="the unfreeze of .* asked by mia .* waits for a second person"):
        room.crisis.request_resolve(room.as_("max"))
    with pytest.raises(PermissionDenied, match="needs schedule.freeze"):
        room.crisis.cancel_request(room.as_("ed"))
    assert room.crisis.cancel_request(room.as_("max")).by == "mia"
    assert room.crisis.request() is None
    with pytest.raises(InvalidAction, match="nothing waits for a confirmation"):
        room.crisis.confirm(room.as_("max"))


def test_asking_needs_something_to_ask_for(room):
    with pytest.raises(InvalidAction, match="publishing is not frozen"):
        room.crisis.request_unfreeze(room.as_("mia"))
    with pytest.raises(InvalidAction, match="no crisis is active"):
        room.crisis.request_resolve(room.as_("mia"))
    mia = room.as_("mia")
    room.crisis.freeze(mia)
    room.clock.advance(minutes=6)
    with pytest.raises(StepUpRequired):
        room.crisis.request_unfreeze(mia)


def test_a_freeze_without_a_crisis_is_unfrozen_by_two_people_too(room):
    room.crisis.freeze(room.as_("mia"))
    room.crisis.request_unfreeze(room.as_("mia"))
    confirmed = room.crisis.confirm(room.as_("ada"))
    assert confirmed.crisis is None and room.crisis.freezes() == []
    assert ("ada", "crisis.unfreeze", "publishing/freeze") in room.audit("crisis.")


def test_resolving_ends_the_freeze_and_the_crisis_with_both_names(room):
    crisis = frozen_crisis(room)
    room.crisis.request_resolve(room.as_("mia"), "recall notice is out")
    confirmed = room.crisis.confirm(room.as_("olivia"))
    resolved = confirmed.crisis
    assert (resolved.state, resolved.resolved_by, resolved.resolve_confirmed_by) == ("resolved", "mia", "olivia")
    assert resolved.resolve_note == "recall notice is out" and resolved.resolved_at is not None
    assert room.crisis.active() is None and room.crisis.freezes() == [] and room.crisis.status().banner() == ""
    assert any(t.startswith(f"{crisis.id} resolved: asked by mia") for t in room.unread("rita"))
    assert room.crisis.declare(room.as_("mia"), 1, "Next", "another one").crisis.id != crisis.id


# -- missed posts -----------------------------------------------------------------------------
def test_posts_that_missed_their_time_never_publish_by_themselves_and_are_listed(room):
    due_soon = room.scheduled(1, EN, minutes=10)
    later = room.scheduled(2, ES, minutes=120)
    crisis = frozen_crisis(room)
    room.clock.advance(minutes=11)
    room.publish_round()
    assert room.target(due_soon.id).state == MISSED
    room.crisis.request_unfreeze(room.as_("mia"))
    confirmed = room.crisis.confirm(room.as_("max"))
    assert [(m.post_id, m.account_id) for m in confirmed.missed] == [(due_soon.id, EN)]
    assert "1 post missed its time during the freeze; it does not publish by itself" in confirmed.lines()[1]
    assert [(m.post_id, m.account_id) for m in room.crisis.get(crisis.id).missed] == [(due_soon.id, EN)]
    for _ in range(3):
        room.clock.advance(minutes=5)
        room.publish_round()
    assert room.target(due_soon.id).state == MISSED        # nothing published by itself
    room.clock.advance(minutes=100)
    room.publish_round()
    assert room.target(later.id, ES).state == PUBLISHED     # due after the freeze: it goes out
    # rescheduled, it goes out at its new time; then the list is empty
    at = room.clock() + timedelta(minutes=5)
    room.workspace.scheduling.schedule(room.as_("mia"), due_soon.id, ScheduleRequest(at=at))
    assert room.crisis.missed_posts(crisis.id) == []
    room.clock.now = at + timedelta(seconds=1)
    room.publish_round()
    assert room.target(due_soon.id).state == PUBLISHED


def test_a_post_due_while_frozen_that_no_worker_saw_is_listed_and_can_be_dropped(room):
    post = room.scheduled(1, EN, minutes=10)
    frozen_crisis(room)
    room.clock.advance(minutes=11)                         # no worker ran during the freeze
    room.crisis.request_unfreeze(room.as_("mia"))
    confirmed = room.crisis.confirm(room.as_("max"))
    assert [(m.post_id, m.state) for m in confirmed.missed] == [(post.id, SCHEDULED)]
    assert room.publish_round().missed == 1 and room.target(post.id).state == MISSED
    room.workspace.scheduling.unschedule(room.as_("mia"), post.id)
    assert room.crisis.missed_posts() == [] and room.workspace.scheduling.get(post.id) is None


def test_a_rescheduled_missed_post_needs_approval_again_where_the_file_says_so(room):
    text = crisis_governance(crisis_governance().split("\n[publishing]\n", 1)[1].split("# ==== Crisis plan")[0]
                             .replace("reapprove_on_reschedule = false", "reapprove_on_reschedule = true")
                             .join(["[publishing]\n", ""]))
    room.workspace.paths.config_dir.joinpath(GOVERNANCE_FILE).write_text(text, encoding="utf-8")
    post = room.scheduled(1, EN, minutes=10)
    frozen_crisis(room)
    room.clock.advance(minutes=11)
    room.publish_round()
    room.crisis.request_unfreeze(room.as_("mia"))
    room.crisis.confirm(room.as_("max"))
    room.workspace.scheduling.schedule(room.as_("mia"), post.id,
                                       ScheduleRequest(at=room.clock() + timedelta(minutes=30)))
    assert room.workspace.posts.get(post.id).status == "in_review"
    room.clock.advance(minutes=31)
    assert room.publish_round().failed == 1                # not approved again: not sent
    assert "is in review, not approved" in room.target(post.id).error
