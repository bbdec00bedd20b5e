"""The approval workflow: stages, who may approve, decisions with notes, resets, expiry, bulk."""

from __future__ import annotations

import pytest

from console.errors import ActionConflict, InvalidAction
from console.permissions import PermissionDenied
from console.posts import (
    APPROVED,
    CHANGES_REQUESTED,
    CURRENT,
    DONE,
    EXPIRED,
    IN_REVIEW,
    NOT_REACHED,
    REJECTED,
    WAITING,
    NotYourStage,
    PostExpired,
    SelfApprovalRefused,
    stage_states,
)
from tests.console.posts.post_fixtures import EN, ES, EU, audit_actions, desk  # noqa: F401


def test_stage_by_stage_with_any_then_all(desk):
    post = desk.submitted("ed", "The new price list is out")            # high risk: manager, then all admins
    assert [s.describe() for s in post.route.stages] == ["any manager", "all admin"]
    assert desk.approvals.queue_ids(desk.actor("ada")) == []            # not their stage yet
    post = desk.approve("mia", post.id, note="fine")
    assert (post.status, post.stage) == (IN_REVIEW, 1)
    assert post.id not in desk.approvals.queue_ids(desk.actor("max"))   # the manager stage is done
    post = desk.approve("abe", post.id)
    assert (post.status, post.stage) == (IN_REVIEW, 1)                  # "all": ada has not approved yet
    assert post.id not in desk.approvals.queue_ids(desk.actor("abe"))
    assert desk.approvals.queue_ids(desk.actor("ada")) == [post.id]
    with pytest.raises(InvalidAction, match="you already approved stage 2"):
        desk.approve("abe", post.id)
    assert desk.unread("ed") == []
    post = desk.approve("ada", post.id)
    assert (post.status, post.status_label, post.approved_at) == (APPROVED, "ready to schedule", desk.clock())
    assert [(s.state, s.approved_by) for s in stage_states(post)] == [(DONE, ("mia",)), (DONE, ("abe", "ada"))]
    assert desk.unread("ed") == [f"{post.id} is approved and ready to schedule (last approval by ada)"]
    actions = [a for a in audit_actions(desk.store) if a[1] == "post.approve"]
    assert [a[0] for a in actions] == ["mia", "abe", "ada"]
    assert actions[-1][3] == "stage 2 (all admin) of revision 1; approved: ready to schedule"


def test_nobody_approves_their_own_post_nor_one_they_edited(desk):
    post = desk.submitted("mia", "A manager's own post")
    with pytest.raises(SelfApprovalRefused, match="you wrote or edited .* another manager must"):
        desk.approve("mia", post.id)
    draft = desk.draft("ed")
    desk.posts.edit(desk.actor("max"), draft.id, expected_version=draft.version, text="Max made it better")
    post = desk.posts.submit(desk.actor("ed"), draft.id)
    assert post.id not in desk.approvals.queue_ids(desk.actor("max"))
    with pytest.raises(SelfApprovalRefused):
        desk.approve("max", post.id)
    assert issubclass(SelfApprovalRefused, PermissionDenied)
    assert desk.approve("mia", post.id).status == APPROVED


def test_out_of_scope_and_wrong_role_approvals_are_refused(desk):
    post = desk.submitted("ed", targets=[EN, ES])
    with pytest.raises(PermissionDenied, match=f"sam may not act on {ES}"):
        desk.approve("sam", post.id)                                # scope: sandbox:en only
    assert post.id not in desk.approvals.queue_ids(desk.actor("sam"))
    with pytest.raises(NotYourStage, match="waits for a manager; you are an admin"):
        desk.approve("ada", post.id)
    with pytest.raises(PermissionDenied, match="needs post.approve"):
        desk.approve("ed", post.id)
    assert desk.posts.get(post.id).approvals == ()


def test_an_account_owner_stage_is_for_the_named_owner_only(desk):
    post = desk.submitted("ed", targets=[EU])
    assert post.route.name == "eu"
    with pytest.raises(NotYourStage, match="waits for the owner of x:eu: olga"):
        desk.approve("mia", post.id)
    assert desk.approvals.queue_ids(desk.actor("mia")) == []
    assert desk.approvals.queue_ids(desk.actor("olga")) == [post.id]
    assert desk.approve("olga", post.id).status == APPROVED


def test_reject_needs_a_note_and_the_author_reads_it(desk):
    post = desk.submitted("ed")
    with pytest.raises(InvalidAction, match="a rejection needs a note"):
        desk.approvals.reject(desk.actor("mia"), post.id, "   ")
    rejected = desk.approvals.reject(desk.actor("mia"), post.id, "we do not do walks in winter")
    assert rejected.status == REJECTED and rejected.history[-1].note == "we do not do walks in winter"
    assert desk.unread("ed") == [f"{post.id} was rejected by mia: we do not do walks in winter"]
    with pytest.raises(InvalidAction, match="rejected, not in review"):
        desk.approve("max", post.id)


def test_a_rejected_post_shows_where_its_route_stopped(desk):
    post = desk.submitted("ed", "The new price list is out")            # manager, then all admins
    assert [s.state for s in stage_states(post)] == [CURRENT, WAITING]
    post = desk.approve("mia", post.id)
    rejected = desk.approvals.reject(desk.actor("abe"), post.id, "not this week")
    assert [s.state for s in stage_states(rejected)] == [DONE, "rejected"]
    early = desk.approvals.reject(desk.actor("mia"), desk.submitted("ed", "The new price list").id, "no")
    assert [s.state for s in stage_states(early)] == ["rejected", NOT_REACHED]


def test_requested_changes_then_resubmission_start_again_at_stage_one(desk):
    post = desk.submitted("ed", "The new price list is out")
    desk.approve("mia", post.id)
    back = desk.approvals.request_changes(desk.actor("abe"), post.id, "link the terms")
    assert (back.status, back.stage, back.approvals) == (CHANGES_REQUESTED, 0, ())
    assert [a.by for a in back.past_approvals] == ["mia"]
    fixed = desk.posts.edit(desk.actor("ed"), post.id, expected_version=back.version,
                            text="The new price list is out: see the terms")
    assert fixed.status == CHANGES_REQUESTED
    again = desk.posts.submit(desk.actor("ed"), post.id)
    assert (again.status, again.stage) == (IN_REVIEW, 0)
    assert desk.approvals.queue_ids(desk.actor("mia")) == [post.id]    # mia must approve again
    assert desk.approvals.revision_diff(again) == [
        "--- text (revision 1)", "+++ text (revision 2)", "@@ -1 +1 @@",
        "-The new price list is out", "+The new price list is out: see the terms"]


def test_editing_an_approved_post_sends_it_back_to_the_first_stage(desk):
    post = desk.submitted("ed", "The new price list is out")
    for name in ("mia", "abe", "ada"):
        post = desk.approve(name, post.id)
    assert post.status == APPROVED
    edited = desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version,
                             text="The new price list is out today",
                             variants={"mastodon": "Prices: out today"})
    assert (edited.status, edited.stage, edited.approvals, edited.approved_at) == (IN_REVIEW, 0, (), None)
    assert edited.route.name == "high"
    assert "back to the first stage; earlier approvers must approve again" in edited.history[-1].note
    assert [s.state for s in stage_states(edited)] == [CURRENT, WAITING]
    for name in ("mia", "abe", "ada"):
        assert desk.unread(name) == [f"{post.id} changed after you approved it (revision 2); "
                                     "it needs your approval again"]
    assert desk.approvals.queue_ids(desk.actor("mia")) == [post.id]
    diff = desk.approvals.revision_diff(edited)
    assert "+The new price list is out today" in diff and "+++ mastodon variant (revision 2)" in diff
    assert desk.approve("mia", post.id).stage == 1                      # earlier approvals no longer count
    # An edit that lowers the risk recomputes the route: one manager suffices now.
    low = desk.posts.edit(desk.actor("ed"), post.id, expected_version=desk.posts.get(post.id).version,
                          text="Autumn walks start Saturday", variants={})
    assert (low.route.name, low.stage, low.risk) == ("default", 0, "low")


def test_an_edit_that_breaks_a_rule_sends_an_approved_post_back_to_draft(desk):
    post = desk.approve("mia", desk.submitted("ed").id)
    edited = desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version, text="BANNED words")
    assert edited.status == "draft" and edited.route is None
    assert "back to draft (the new content breaks brand.banned)" in edited.history[-1].note


def test_a_post_expires_when_its_time_passes_before_approval(desk, clock):
    late = desk.submitted("ed", hours=2)
    draft = desk.draft("ed", hours=3)
    on_time = desk.submitted("ed", hours=30)
    clock.advance(hours=2, minutes=1)
    assert desk.approvals.queue_ids(desk.actor("mia")) == [on_time.id]   # the late one is not offered
    assert desk.approvals.expire_due() == [late.id]
    expired = desk.posts.get(late.id)
    assert expired.status == EXPIRED and expired.history[-1].by == "worker"
    (notice,) = desk.unread("ed")
    assert notice.startswith(f"{late.id} expired: its proposed time 2026-11-26T11:00:00+00:00 passed before it "
                             "was fully approved (it was in review)")
    clock.advance(hours=1)
    assert desk.approvals.expire_due() == [draft.id]
    assert desk.approvals.expire_due() == []
    assert ("worker", "post.expire") in [a[:2] for a in audit_actions(desk.store)]


def test_approving_a_late_post_expires_it_on_the_spot(desk, clock):
    post = desk.submitted("ed", hours=1)
    clock.advance(hours=1)
    with pytest.raises(PostExpired, match="passed before it was fully approved; it is now expired"):
        desk.approve("mia", post.id)
    assert desk.posts.get(post.id).status == EXPIRED
    assert len(desk.unread("ed")) == 1


def test_an_approval_lapses_after_the_valid_hours(desk, clock):
    post = desk.approve("mia", desk.submitted("ed", hours=100).id)
    clock.advance(hours=71)
    assert desk.approvals.expire_due() == []
    clock.advance(hours=1)
    assert desk.approvals.expire_due() == [post.id]
    lapsed = desk.posts.get(post.id)
    assert lapsed.status == EXPIRED and lapsed.history[-1].note.startswith("approval lapsed")
    assert desk.unread("ed")[-1].startswith(f"{post.id} expired: approval lapsed")


def test_bulk_approval_only_for_low_risk_posts(desk):
    low = [desk.submitted("ed", hours=h).id for h in (5, 6)]
    promo = desk.submitted("ed", tags=["promo"]).id
    high = desk.submitted("ed", "price cut").id
    result = desk.approvals.bulk_approve(desk.actor("mia"), [*low, promo, high])
    assert result.done == low
    assert [post_id for post_id, _ in result.failed] == [promo, high]
    assert "medium risk; bulk approval is only for low risk posts" in result.failed[0][1]
    assert [desk.posts.get(p).status for p in low] == [APPROVED, APPROVED]
    assert desk.posts.get(promo).status == IN_REVIEW


def test_a_stale_approval_is_a_conflict_naming_who_acted(desk, clock):
    post = desk.submitted("ed")
    clock.advance(minutes=3)
    desk.approvals.reject(desk.actor("max"), post.id, "duplicate of last week")
    with pytest.raises(ActionConflict, match=r"changed by max at 09:03 UTC \(now rejected\)"):
        desk.approve("mia", post.id, expected_version=post.version)


def test_the_queue_is_oldest_proposed_time_first_and_decodes_no_post(desk, monkeypatch):
    later = desk.submitted("ed", hours=30).id
    sooner = desk.submitted("ed", hours=3).id
    desk.submitted("mia")                                              # mia's own: not in her queue
    decoded = []
    monkeypatch.setattr(desk.store, "get", lambda *args: decoded.append(args))
    assert desk.approvals.queue_ids(desk.actor("mia")) == [sooner, later]
    assert decoded == []
