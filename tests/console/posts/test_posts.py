"""Posts from a draft to "in review": drafts, revisions, checks, submission, notices."""

from __future__ import annotations

import re

import pytest

from console.policy import Attachment, Route, Stage
from console.errors import ActionConflict, InvalidAction
from console.permissions import PermissionDenied
from console.posts import (
    CHANGES_REQUESTED,
    DRAFT,
    IN_REVIEW,
    POSTS,
    AcknowledgementRequired,
    AlreadyImported,
    PolicyBlocked,
    UnstaffedStage,
)
from tests.console.posts.post_fixtures import EN, ES, EU, audit_actions, desk  # noqa: F401


def test_a_draft_gets_a_short_id_its_first_revision_and_an_audit_event(desk):
    post = desk.draft("cara", "Autumn walks start Saturday", targets=[EN, ES, EN], tags=["#Promo", "launch"],
                      variants={"bluesky": "Walks from Saturday 🍂", "mastodon": "  "})
    assert re.fullmatch(r"p-[0-9a-f]{6}", post.id)
    assert (post.status, post.revision, post.authors, post.author) == (DRAFT, 1, ("cara",), "cara")
    assert post.targets == (EN, ES) and post.tags == ("promo", "launch")
    assert post.variants == {"bluesky": "Walks from Saturday 🍂"}           # a blank variant uses the main text
    assert post.revisions[0].text == "Autumn walks start Saturday" and post.revisions[0].by == "cara"
    assert post.risk == "medium"                                            # the checker's view of the draft
    assert ("cara", "post.draft", f"post/{post.id}", f"to {EN}, {ES}") in audit_actions(desk.store)


def test_a_draft_names_the_known_accounts_when_a_target_is_unknown(desk):
    known = "known accounts: sandbox:en, sandbox:es, x:eu"
    with pytest.raises(InvalidAction, match=f"unknown account 'sandbox:fr'; {known}"):
        desk.draft("ed", targets=[EN, "sandbox:fr"])
    with pytest.raises(InvalidAction, match="variant for 'x', but no target is on it"):
        desk.draft("ed", targets=[EN], variants={"x": "short"})
    with pytest.raises(InvalidAction, match="proposed time has passed"):
        desk.draft("ed", hours=-1)
    with pytest.raises(InvalidAction, match="no text"):
        desk.draft("ed", "   ")


def test_drafting_needs_post_draft_on_every_target(desk):
    with pytest.raises(PermissionDenied, match="needs post.draft"):
        desk.draft("vic")
    desk.team["cara"] = ("contributor", desk.team["sam"][1])          # scope: sandbox:en only
    desk.draft("cara", targets=[EN])
    with pytest.raises(PermissionDenied, match=f"may not act on {ES}"):
        desk.draft("cara", targets=[EN, ES])
    assert desk.store.count(POSTS) == 1


def test_an_edit_makes_a_revision_and_the_editor_an_author(desk):
    post = desk.draft("cara")
    same = desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version, text=post.text)
    assert same.version == post.version                                   # nothing changed, nothing written
    edited = desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version,
                             text="Autumn walks start Sunday", tags=["outdoors"])
    assert (edited.revision, edited.authors) == (2, ("cara", "ed"))
    assert [r.text for r in edited.revisions] == ["Autumn walks start Saturday", "Autumn walks start Sunday"]
    assert edited.revisions[1].tags == ("outdoors",) and edited.revisions[0].tags == ()
    assert ("ed", "post.edit", f"post/{post.id}", "revision 2") in audit_actions(desk.store)


def test_a_stale_version_is_refused_naming_who_changed_the_post(desk, clock):
    post = desk.draft("cara")
    clock.advance(minutes=7)
    desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version, text="New text")
    with pytest.raises(ActionConflict, match=r"changed by ed at 09:07 UTC .*nothing was overwritten"):
        desk.posts.edit(desk.actor("cara"), post.id, expected_version=post.version, text="Mine")
    with pytest.raises(ActionConflict, match="changed by ed"):
        desk.posts.submit(desk.actor("ed"), post.id, expected_version=post.version)
    assert desk.posts.get(post.id).text == "New text"


def test_a_write_racing_another_process_is_a_conflict_not_an_overwrite(desk, open_workspace, clock):
    from tests.console.posts.post_fixtures import make_desk
    post = desk.draft("ed")
    other = make_desk(open_workspace("max").store, clock)
    other.posts.edit(other.actor("max"), post.id, expected_version=post.version, text="Edited elsewhere")
    stale = desk.posts.get(post.id)                                      # this process has not refreshed
    assert stale.version == post.version
    with pytest.raises(ActionConflict, match="changed by max"):
        desk.posts.edit(desk.actor("ed"), post.id, expected_version=stale.version, text="Mine")
    assert desk.posts.get(post.id).text == "Edited elsewhere"


def test_one_imported_row_makes_one_post_even_when_two_imports_race(desk, open_workspace, clock):
    from tests.console.posts.post_fixtures import make_desk
    other = make_desk(open_workspace("max").store, clock)
    first = desk.posts.draft(desk.actor("ed"), [EN], "Boots", proposed_at=desk.later(), import_key="imp-1",
                             source="plan.csv:2")
    assert first.import_key == "imp-1" and desk.posts.imported("imp-1") == first.id
    assert audit_actions(desk.store)[-1] == ("ed", "post.import", f"post/{first.id}", f"to {EN}; plan.csv:2")
    # the other process has not seen it yet: its write is the one refused
    with pytest.raises(AlreadyImported, match=f"already imported as {first.id}") as refused:
        other.posts.draft(other.actor("max"), [EN], "Boots", proposed_at=desk.later(), import_key="imp-1")
    assert refused.value.post_id == first.id
    other.store.refresh()
    assert other.store.count(POSTS) == 1


def test_a_dry_check_refuses_as_a_draft_would_and_writes_nothing(desk):
    result = desk.posts.dry_check(desk.actor("ed"), [EN], "BANNED and SHOUT")
    assert [f.rule_id for f in result.findings] == ["brand.banned", "accessibility.caps"]
    with pytest.raises(InvalidAction, match="unknown account 'x:nope'"):
        desk.posts.dry_check(desk.actor("ed"), ["x:nope"], "Boots")
    with pytest.raises(PermissionDenied):
        desk.posts.dry_check(desk.actor("vic"), [EN], "Boots")
    assert desk.store.count(POSTS) == 0


def test_errors_block_submission_with_their_findings(desk):
    post = desk.draft("ed", "Our BANNED offer")
    with pytest.raises(PolicyBlocked, match="breaks 1 rule") as refused:
        desk.posts.submit(desk.actor("ed"), post.id)
    assert [(f.rule_id, f.start, f.end) for f in refused.value.findings] == [("brand.banned", 4, 10)]
    assert desk.posts.get(post.id).status == DRAFT
    assert not [a for a in audit_actions(desk.store) if a[1] == "post.submit"]


def test_warnings_need_an_acknowledgement_that_is_recorded_and_audited(desk, clock):
    post = desk.draft("ed", "SHOUT about the walks")
    with pytest.raises(AcknowledgementRequired, match=r"acknowledge them to submit \(accessibility.caps\)") as asked:
        desk.posts.submit(desk.actor("ed"), post.id, acknowledge=["something.else"])
    assert [f.rule_id for f in asked.value.warnings] == ["accessibility.caps"]
    submitted = desk.posts.submit(desk.actor("ed"), post.id, acknowledge=["accessibility.caps"])
    assert submitted.status == IN_REVIEW
    (ack,) = submitted.acknowledgements
    assert (ack.rules, ack.by, ack.at, ack.revision) == (("accessibility.caps",), "ed", clock(), 1)
    assert [f.rule_id for f in submitted.findings] == ["accessibility.caps"]
    assert ("ed", "post.acknowledge", f"post/{post.id}",
            "warnings accessibility.caps acknowledged on revision 1") in audit_actions(desk.store)


def test_submission_needs_a_future_time_and_usable_images(desk, clock):
    desk.images["img-1"] = Attachment("img-1", "A trail in autumn", "image/png")
    post = desk.posts.draft(desk.actor("ed"), [EN], "Walks", assets=["img-1"])
    with pytest.raises(InvalidAction, match="has no proposed time"):
        desk.posts.submit(desk.actor("ed"), post.id)
    post = desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version, proposed_at=desk.later(1))
    desk.images["img-1"] = "img-1 was retired by ada"                        # retired after it was attached
    with pytest.raises(PolicyBlocked) as refused:
        desk.posts.submit(desk.actor("ed"), post.id)
    assert refused.value.findings[0].rule_id == "asset.unusable"
    assert "img-1 was retired by ada" in refused.value.findings[0].message
    desk.images["img-1"] = Attachment("img-1", "A trail in autumn", "image/png")
    clock.advance(hours=2)
    with pytest.raises(InvalidAction, match="proposed time .* has passed"):
        desk.posts.submit(desk.actor("ed"), post.id)
    with pytest.raises(InvalidAction, match="no library asset 'img-9'"):
        desk.posts.draft(desk.actor("ed"), [EN], "Walks", assets=["img-9"])


def test_a_route_with_a_stage_nobody_can_approve_is_refused_naming_the_stage(desk):
    del desk.team["olga"]                                         # the owner of x:eu is no user any more
    post = desk.draft("ed", targets=[EU])
    with pytest.raises(UnstaffedStage, match=r"stage 1 of route 'eu' \(any account_owner\) has nobody"):
        desk.posts.submit(desk.actor("ed"), post.id)
    # The only admins wrote the post: the admin stage of the high-risk route has nobody either.
    desk.policy = desk.policy.__class__(approval=desk.policy.approval.__class__(
        routes=(Route("all", (Stage("manager"), Stage("admin", "all"))),)))
    post = desk.draft("ada", "price")
    desk.posts.edit(desk.actor("abe"), post.id, expected_version=post.version, text="the price")
    with pytest.raises(UnstaffedStage, match=r"stage 2 of route 'all' \(all admin\)"):
        desk.posts.submit(desk.actor("ada"), post.id)


def test_submitting_picks_the_route_by_risk_and_region(desk):
    assert desk.submitted("ed", "New price list").route.name == "high"
    assert desk.submitted("ed", targets=[EU]).route.name == "eu"
    assert desk.submitted("ed", targets=[EN, EU]).route.name == "default"   # not every region is EU
    post = desk.submitted("ed", "New price list")
    assert (post.risk, post.risk_reasons, post.stage) == ("high", ("prices",), 0)


def test_rejected_posts_cannot_change_but_can_be_copied(desk):
    post = desk.submitted("ed")
    desk.approvals.reject(desk.actor("mia"), post.id, "off-brand")
    with pytest.raises(InvalidAction, match=re.escape(f"copy it into a new draft (`socops post copy {post.id}`)")):
        desk.posts.edit(desk.actor("ed"), post.id, expected_version=post.version + 1, text="Again")
    copy = desk.posts.duplicate(desk.actor("cara"), post.id)
    assert (copy.status, copy.author, copy.text, copy.revision) == (DRAFT, "cara", post.text, 1)
    assert copy.history[0].note == f"copied from {post.id}" and copy.id != post.id


def test_an_author_withdraws_a_post_from_review(desk):
    post = desk.submitted("ed")
    with pytest.raises(PermissionDenied, match="only the authors"):
        desk.posts.withdraw(desk.actor("mia"), post.id)
    back = desk.posts.withdraw(desk.actor("ed"), post.id)
    assert back.status == DRAFT and back.history[-1].action == "withdraw"
    with pytest.raises(InvalidAction, match="only a post in review or approved"):
        desk.posts.withdraw(desk.actor("ed"), post.id)


def test_lists_follow_scope_status_and_authorship(desk):
    mine = desk.draft("ed", targets=[EN], hours=5)
    other = desk.submitted("max", targets=[EN, ES], hours=3)
    es_only = desk.draft("cara", targets=[ES], hours=1)
    assert [p.id for p in desk.posts.list(desk.actor("mia"))] == [es_only.id, other.id, mine.id]
    assert [p.id for p in desk.posts.list(desk.actor("sam"))] == [mine.id]       # scope: sandbox:en only
    assert [p.id for p in desk.posts.list(desk.actor("mia"), status=IN_REVIEW)] == [other.id]
    assert [p.id for p in desk.posts.list(desk.actor("ed"), mine=True)] == [mine.id]
    with pytest.raises(PermissionDenied):
        desk.posts.list(desk.actor("vic"))
    with pytest.raises(PermissionDenied, match="may not act on sandbox:es"):
        desk.posts.show(desk.actor("sam"), other.id)


def test_notices_are_read_only_by_their_owner(desk):
    post = desk.submitted("ed")
    desk.approvals.request_changes(desk.actor("mia"), post.id, "add the meeting point")
    (notice,) = desk.notices.unread("ed")
    assert notice.text == f"mia asks for changes to {post.id}: add the meeting point" and notice.ref == post.id
    assert desk.posts.get(post.id).status == CHANGES_REQUESTED
    with pytest.raises(PermissionDenied, match="only your own"):
        desk.notices.mark_read(desk.actor("mia"), [notice.id])
    assert desk.notices.mark_read(desk.actor("ed"), [notice.id]) == 1
    assert desk.notices.unread("ed") == []


def test_an_editor_lists_their_own_posts_with_each_decision_and_its_note(desk):
    """What the author's view in the console is built on: an editor (who may not
    approve) lists every post of theirs, and each carries who decided and the note."""
    draft = desk.draft("ed", "Still writing")
    rejected = desk.submitted("ed", "Rain shells")
    desk.approvals.reject(desk.actor("mia"), rejected.id, "Wrong product photo")
    sent_back = desk.submitted("ed", "Trail report")
    desk.approvals.request_changes(desk.actor("max"), sent_back.id, "Name the trail")
    approved = desk.submitted("ed", "Jackets are here")
    desk.approve("mia", approved.id, note="Nice photo")
    desk.submitted("max", "Not ed's")

    listed = {post.id: post for post in desk.posts.list(desk.actor("ed"), mine=True)}
    assert set(listed) == {draft.id, rejected.id, sent_back.id, approved.id}
    decided = {post_id: (post.status, post.history[-1].by, post.history[-1].note)
               for post_id, post in listed.items() if post_id != draft.id}
    assert decided == {rejected.id: ("rejected", "mia", "Wrong product photo"),
                       sent_back.id: (CHANGES_REQUESTED, "max", "Name the trail"),
                       approved.id: ("approved", "mia", "stage 1: approved: ready to schedule — Nice photo")}
    assert listed[approved.id].approvals[-1].note == "Nice photo"


def test_unread_notices_are_counted_and_followed_per_person(desk, open_workspace, clock):
    from tests.console.posts.post_fixtures import make_desk
    first, second = desk.submitted("ed"), desk.submitted("ed", "Another walk")
    calls = []
    stop = desk.notices.on_changed("ed", lambda: calls.append("ed"))
    desk.notices.on_changed("cara", lambda: calls.append("cara"))
    assert desk.notices.unread_count("ed") == 0

    elsewhere = make_desk(open_workspace("mia").store, clock)        # another operator's process
    elsewhere.approvals.reject(elsewhere.actor("mia"), first.id, "off-brand")
    assert calls == [] and desk.notices.unread_count("ed") == 0       # not seen before a refresh
    desk.store.refresh()
    assert calls == ["ed"] and desk.notices.unread_count("ed") == 1   # cara was not told

    (notice,) = desk.notices.unread("ed")
    desk.notices.mark_read(desk.actor("ed"), [notice.id])
    assert calls == ["ed", "ed"] and desk.notices.unread_count("ed") == 0
    stop()
    desk.approvals.reject(desk.actor("mia"), second.id, "also off-brand")
    assert calls == ["ed", "ed"] and desk.notices.unread_count("ed") == 1
