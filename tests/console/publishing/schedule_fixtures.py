"""A desk (tests/console/posts/post_fixtures.py) with a calendar: the scheduling
and hold services on the same store, accounts in three time zones, and a
publishing policy each test can change."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

import pytest

from console.publishing import (
    Blackout,
    HoldService,
    PublishingPolicy,
    QueueSlots,
    ScheduleRequest,
    SchedulingService,
)
from integrations.base import AccountRef
from tests.console.posts.post_fixtures import EN, ES, EU, TARGETS, Desk, make_desk

ACCOUNTS = {
    EN: AccountRef("mastodon", EN, "@en", region="NA", timezone="America/New_York"),
    ES: AccountRef("bluesky", ES, "@es", region="LATAM", timezone="America/Mexico_City"),
    EU: AccountRef("x", EU, "@eu", region="EU", timezone="Europe/Berlin"),
}

POLICY = PublishingPolicy(
    slots={"*": QueueSlots(days=(0, 1, 2, 3, 4), times=(time(9), time(13), time(17)))},
    blackouts=(Blackout("quiet", "nobody on shift", daily_from=time(23), daily_until=time(7)),),
    min_spacing_minutes=60, duplicate_days=7)


@dataclass
class Calendar:
    desk: Desk
    scheduling: SchedulingService
    holds: HoldService
    policy: PublishingPolicy = POLICY
    roles: dict = field(default_factory=dict)

    def approved(self, text: str = "Autumn walks start Saturday", *, targets=(EN,), hours: float = 48, **kwargs):
        post = self.desk.submitted("ed", text, targets=targets, hours=hours, **kwargs)
        return self.desk.approve("mia", post.id)

    def schedule(self, name: str, post_id: str, **request):
        return self.scheduling.schedule(self.desk.actor(name), post_id, ScheduleRequest(**request))


def make_calendar(desk: Desk) -> Calendar:
    calendar: Calendar

    def role_of(name: str):
        entry = desk.team.get(name)
        return entry[0] if entry else None

    scheduling = SchedulingService(
        desk.store, desk.posts.audit, desk.clock, posts=desk.posts, notices=desk.notices,
        policy=lambda: calendar.policy, account_of=ACCOUNTS.get,
        region_of=lambda account_id: TARGETS[account_id].region, role_of=role_of)
    holds = HoldService(desk.store, desk.posts.audit, desk.clock, known_accounts=lambda: ACCOUNTS,
                        known_regions=lambda: {a.region for a in ACCOUNTS.values()})
    desk.approvals.scheduled = scheduling.is_scheduled
    calendar = Calendar(desk, scheduling, holds)
    return calendar


@pytest.fixture
def calendar(workspace, clock) -> Calendar:
    return make_calendar(make_desk(workspace.store, clock))
