"""The post path through the workspace as shipped: the example governance file,
the real policy checks (``console.policy.check.check_draft``), real users and
sessions, and the worker-side expiry."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from console.posts import APPROVED, EXPIRED, IN_REVIEW, PolicyBlocked, UnstaffedStage
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401

EN = "sandbox:northwind_en"


def test_a_promotion_is_checked_routed_to_legal_and_approved_stage_by_stage(workspace, people, clock):
    ed, mia = people.session("ed", "editor"), people.session("mia", "manager")
    posts, approvals = workspace.posts, workspace.approvals
    post = posts.draft(ed, [EN], "Our winter sale starts Monday", tags=["promo"],
                       proposed_at=clock() + timedelta(days=1))
    with pytest.raises(PolicyBlocked) as refused:
        posts.submit(ed, post.id)
    assert "disclosure.paid-partnership" in [f.rule_id for f in refused.value.findings]

    post = posts.edit(ed, post.id, expected_version=post.version, text="Our winter sale starts Monday #ad")
    with pytest.raises(UnstaffedStage, match=r"stage 2 of route 'high risk' \(any legal\) has nobody"):
        posts.submit(ed, post.id)
    lena = people.session("lena", "legal")
    post = posts.submit(ed, post.id)
    assert (post.status, post.risk, post.route.name) == (IN_REVIEW, "high", "high risk")
    assert "prices" in post.risk_reasons

    assert approvals.queue_ids(lena) == []
    assert [p.id for p in approvals.queue(mia)] == [post.id]
    assert approvals.approve(mia, post.id).stage == 1
    assert approvals.queue_ids(lena) == [post.id]
    assert approvals.approve(lena, post.id).status == APPROVED
    assert [n.text for n in workspace.notices.unread("ed")] == [
        f"{post.id} is approved and ready to schedule (last approval by lena)"]


def test_a_disabled_approver_no_longer_counts(workspace, people, clock):
    ed = people.session("ed", "editor")
    people.session("mia", "manager")
    workspace.users.disable(people.owner(), "mia")
    post = workspace.posts.draft(ed, [EN], "Autumn walks start Saturday", proposed_at=clock() + timedelta(days=1))
    with pytest.raises(UnstaffedStage, match="no active manager"):
        workspace.posts.submit(ed, post.id)


def test_expiry_through_the_workspace(workspace, people, clock):
    ed = people.session("ed", "editor")
    people.session("mia", "manager")
    post = workspace.posts.draft(ed, [EN], "Autumn walks start Saturday", proposed_at=clock() + timedelta(hours=1))
    workspace.posts.submit(ed, post.id)
    clock.advance(hours=1)
    assert workspace.approvals.expire_due() == [post.id]
    assert workspace.posts.get(post.id).status == EXPIRED


def test_the_workers_expiry_job_expires_late_posts(workspace, people, clock):
    """The worker's expiry job is what marks a post expired when nobody looks at it."""
    ed = people.session("ed", "editor")
    people.session("mia", "manager")
    post = workspace.posts.draft(ed, [EN], "Autumn walks start Saturday", proposed_at=clock() + timedelta(hours=1))
    workspace.posts.submit(ed, post.id)
    worker = workspace.make_worker()
    expiry = {o.name: o for o in asyncio.run(worker.run_all())}["expiry"]
    assert expiry.ok and expiry.report == "none due"
    clock.advance(hours=1, seconds=1)
    outcomes = {o.name: o for o in asyncio.run(worker.run_due())}
    assert outcomes["expiry"].report == f"expired 1: {post.id}"
    assert workspace.posts.get(post.id).status == EXPIRED
    assert any(post.id in notice.text for notice in workspace.notices.unread("ed"))


def test_an_approver_whose_training_lapsed_is_not_waited_for(workspace, people, clock):
    """A manager without current training has no post.approve: an "any manager" stage
    with only that manager is unstaffed, and says so at submission."""
    ed = people.session("ed", "editor")
    people.session("mia", "manager")
    path = workspace.governance.path
    path.write_text(path.read_text(encoding="utf-8").replace(
        '[training.requirements]\n', '[training.requirements]\n"post.approve" = ["security-basics"]\n', 1),
        encoding="utf-8")
    workspace.governance.reload()
    post = workspace.posts.draft(ed, [EN], "Autumn walks start Saturday", proposed_at=clock() + timedelta(days=1))
    with pytest.raises(UnstaffedStage, match="manager"):
        workspace.posts.submit(ed, post.id)
    workspace.training.record(people.owner(), "mia", "security-basics", clock().date())
    assert workspace.posts.submit(ed, post.id).status == IN_REVIEW
