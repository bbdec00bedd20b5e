"""A small desk for post and approval tests: three accounts, a team, a hand-built
content policy and a stub checker, on the test workspace's store.

The stub checker reads markers in the text, so each test says plainly what it
is about: ``BANNED`` is an error, ``SHOUT`` a warning, ``price`` makes a post
high-risk and the tag ``promo`` medium-risk.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

import pytest

from console.posts import ApprovalService, Approvers, PostService
from console.audit import AuditTrail
from console.policy import (
    ERROR,
    WARNING,
    AccountPolicy,
    ApprovalRules,
    Attachment,
    CheckResult,
    ContentPolicy,
    Counter,
    Draft,
    Finding,
    Route,
    Stage,
    Target,
)
from console.errors import ConsoleError
from console.notices import NoticeService
from console.permissions import Scope
from tests.actors import RoleActor

EN, ES, EU = "sandbox:en", "sandbox:es", "x:eu"
TARGETS = {
    EN: Target(EN, "mastodon", "NA"),
    ES: Target(ES, "bluesky", "LATAM"),
    EU: Target(EU, "x", "EU"),
}

ROUTES = (
    Route("high", (Stage("manager"), Stage("admin", "all")), risk=("high",)),
    Route("eu", (Stage("account_owner"),), regions=("EU",)),
    Route("default", (Stage("manager"),)),
)
POLICY = ContentPolicy(accounts={EU: AccountPolicy(EU, owner="olga", region="EU")},
                       approval=ApprovalRules(routes=ROUTES, approval_valid_hours=72, bulk_risk=("low",)))

# name -> (role, scope)
TEAM = {
    "ed": ("editor", Scope()),
    "cara": ("contributor", Scope()),
    "mia": ("manager", Scope()),
    "max": ("manager", Scope()),
    "sam": ("manager", Scope(frozenset({EN}))),
    "ada": ("admin", Scope()),
    "abe": ("admin", Scope()),
    "olga": ("manager", Scope()),
    "vic": ("viewer", Scope()),
}


def stub_check(policy: ContentPolicy, draft: Draft) -> CheckResult:
    findings = []
    text = " ".join([draft.text, *draft.variants.values()])
    if "BANNED" in text:
        findings.append(Finding("brand.banned", ERROR, "the brand never says BANNED", "say something else",
                                text.index("BANNED"), text.index("BANNED") + 6))
    if "SHOUT" in text:
        findings.append(Finding("accessibility.caps", WARNING, "all caps reads as shouting", "use normal case"))
    for attachment in draft.attachments:
        if not attachment.alt_text:
            findings.append(Finding("accessibility.alt_text", ERROR, "an image has no alt text", "describe it"))
    risk = "high" if "price" in text else "medium" if "promo" in draft.tags else "low"
    counters = tuple(Counter(t.platform, len(draft.text_for(t.platform)), 500) for t in draft.targets)
    return CheckResult(tuple(findings), counters, risk, ("prices",) if risk == "high" else ())


@dataclass
class Desk:
    posts: PostService
    approvals: ApprovalService
    notices: NoticeService
    clock: object
    store: object
    team: dict = field(default_factory=lambda: dict(TEAM))
    images: dict = field(default_factory=dict)     # asset id -> Attachment, or an error text
    policy: ContentPolicy = POLICY

    def actor(self, name: str) -> RoleActor:
        role, scope = self.team[name]
        return RoleActor(name, role, allowed=scope)

    def later(self, hours: float = 24):
        return self.clock() + timedelta(hours=hours)

    def draft(self, name: str = "ed", text: str = "Autumn walks start Saturday", *, targets=(EN,),
              hours: float = 24, **kwargs):
        return self.posts.draft(self.actor(name), targets, text, proposed_at=self.later(hours), **kwargs)

    def submitted(self, name: str = "ed", text: str = "Autumn walks start Saturday", **kwargs):
        post = self.draft(name, text, **kwargs)
        return self.posts.submit(self.actor(name), post.id)

    def approve(self, name: str, post_id: str, **kwargs):
        return self.approvals.approve(self.actor(name), post_id, **kwargs)

    def unread(self, name: str) -> list[str]:
        return [n.text for n in self.notices.unread(name)]


def make_desk(store, clock) -> Desk:
    desk: Desk

    def attachment_for(asset_id: str) -> Attachment:
        found = desk.images.get(asset_id)
        if found is None:
            raise ConsoleError(f"no library asset {asset_id!r}")
        if isinstance(found, str):
            raise ConsoleError(found)
        return found

    def role_of(name: str):
        entry = desk.team.get(name)
        return entry[0] if entry else None

    def holders(role: str):
        return [(name, scope) for name, (held, scope) in desk.team.items() if held == role]

    notices = NoticeService(store, clock)
    posts = PostService(store, AuditTrail(store, clock), clock, policy=lambda: desk.policy, checker=stub_check,
                        target_of=TARGETS.get, attachment_for=attachment_for, notices=notices,
                        approvers=Approvers(lambda: desk.policy, role_of, holders, TARGETS.get),
                        known_accounts=lambda: TARGETS)
    approvals = ApprovalService(store, posts.audit, clock, posts, policy=lambda: desk.policy, notices=notices)
    desk = Desk(posts, approvals, notices, clock, store)
    return desk


@pytest.fixture
def desk(workspace, clock) -> Desk:
    return make_desk(workspace.store, clock)


def audit_actions(store) -> list[tuple[str, str, str, str]]:
    return [(e["actor"], e["action"], e["target"], e["summary"]) for e in AuditTrail(store, lambda: None).events()]
