"""Training records, and training requirements that withdraw permissions."""

from __future__ import annotations

from datetime import date

import pytest

from console.governance import GOVERNANCE_FILE
from console.permissions import POST_DRAFT, POST_PUBLISH, PermissionDenied
from console.identity import TrainingError
from tests.console.identity_fixtures import memory_keyring, people  # noqa: F401

REQUIRE_SECURITY = """\
version = 1
[training.requirements]
"post.publish" = ["security-basics"]
[training.courses.security-basics]
valid_days = 365
"""


@pytest.fixture
def requirements(workspace):
    (workspace.paths.config_dir / GOVERNANCE_FILE).write_text(REQUIRE_SECURITY, encoding="utf-8")


def test_recording_needs_training_manage_and_is_audited(workspace, people):
    mia = people.session("mia", "manager")
    with pytest.raises(PermissionDenied, match="needs training.manage"):
        workspace.training.record(mia, "mia", "security-basics", date(2026, 11, 1))
    record = workspace.training.record(people.owner(), "mia", "security-basics", date(2026, 11, 1))
    assert record.expires_on == date(2027, 11, 1)          # valid_days from governance
    events = [(e["actor"], e["action"], e["target"], e["summary"]) for e in workspace.audit.events()]
    assert ("olivia", "training.record", "user/mia",
            "security-basics completed 2026-11-01, expires 2027-11-01") in events


def test_records_are_checked(workspace, people):
    owner = people.owner()
    people.add("mia", "manager")
    with pytest.raises(TrainingError, match="in the future"):
        workspace.training.record(owner, "mia", "security-basics", date(2027, 1, 1))
    with pytest.raises(TrainingError, match="not after"):
        workspace.training.record(owner, "mia", "x", date(2026, 1, 1), date(2026, 1, 1))
    with pytest.raises(TrainingError, match="not a valid course name"):
        workspace.training.record(owner, "mia", "security basics", date(2026, 1, 1))
    with pytest.raises(Exception, match="no console user"):
        workspace.training.record(owner, "zed", "x", date(2026, 1, 1))


def test_listing_own_records_is_free_and_others_need_training_manage(workspace, people):
    mia = people.session("mia", "manager")
    people.add("rob", "responder")
    owner = people.owner()
    workspace.training.record(owner, "mia", "security-basics", date(2026, 1, 5), date(2026, 6, 1))
    workspace.training.record(owner, "rob", "crisis-drill", date(2026, 2, 1))
    assert [(r.username, r.course) for r in workspace.training.list(mia, "mia")] == [("mia", "security-basics")]
    with pytest.raises(PermissionDenied):
        workspace.training.list(mia, "rob")
    assert [r.username for r in workspace.training.list(people.owner())] == ["mia", "rob"]
    assert workspace.training.current_courses("rob", date(2026, 11, 26)) == {"crisis-drill"}
    assert workspace.training.current_courses("mia", date(2026, 11, 26)) == set()
    assert workspace.training.current_courses("mia", date(2026, 5, 31)) == {"security-basics"}


def test_missing_or_expired_training_withdraws_the_permission_naming_the_course(workspace, people, clock,
                                                                                  requirements):
    mia = people.session("mia", "manager")
    mia.require(POST_DRAFT)                    # no requirement
    with pytest.raises(PermissionDenied) as refused:
        mia.require(POST_PUBLISH)
    assert "security-basics not completed" in str(refused.value)
    assert refused.value.permission == POST_PUBLISH

    workspace.training.record(people.owner(), "mia", "security-basics", date(2025, 11, 1),
                              date(2026, 11, 27))
    mia.step_up(people.code("mia"))
    mia.require(POST_PUBLISH)
    clock.advance(days=1)                      # 2026-11-27: the first day it no longer counts
    mia.unlock(people.code("mia"))             # (a day idle locks the session too)
    with pytest.raises(PermissionDenied, match="security-basics expired on 2026-11-27") as refused:
        mia.require(POST_PUBLISH)
    assert "until their training is current" in str(refused.value)
    access = workspace.users.show(people.owner(), "mia")
    assert POST_PUBLISH not in access.permissions
    assert "security-basics expired on 2026-11-27" in access.missing[POST_PUBLISH]

    workspace.training.record(people.owner(), "mia", "security-basics", date(2026, 11, 27))
    mia.step_up(people.code("mia"))
    mia.require(POST_PUBLISH)
