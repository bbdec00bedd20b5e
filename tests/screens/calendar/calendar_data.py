"""Test data for the Calendar panel tests: a governance file with queue slots,
quiet hours and spacing; people with roles; and a week of posts in every
state, made through the real services (drafted by ed, approved by mia,
scheduled through the scheduling service). What only the worker writes
(published, failed, needs check) is written into the schedule the way the
publisher records it.

The clock is the tests' FakeClock: Thursday 26 November 2026, 09:00 UTC
(04:00 in New York, 03:00 in Mexico City, 18:00 in Tokyo).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from types import SimpleNamespace

import pytest

from console.paths import workspace_paths
from console.publishing import SCHEDULES, ScheduleRequest
from console.records import format_time

EN, ES, JA = "sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja"

GOVERNANCE = """\
version = 1

[accounts."sandbox:northwind_en"]
owner = "olivia"
region = "NA"

[accounts."sandbox:northwind_es"]
owner = "olivia"
region = "LATAM"

[accounts."sandbox:northwind_ja"]
owner = "olivia"
region = "APAC"

[approval]
approval_valid_hours = 720

[[approval.routes]]
name = "default"
stages = [{ role = "manager", mode = "any" }]

[publishing]
min_spacing_minutes = 60
duplicate_days = 7
override_roles = ["owner", "admin"]
missed_after_minutes = 15

[publishing.slots."*"]
days = ["mon", "tue", "wed", "thu", "fri"]
times = ["09:00", "13:00", "17:00"]

[[publishing.blackouts]]
id = "quiet-hours"
reason = "nobody is on shift to answer replies at night"
daily_from = "23:00"
daily_until = "07:00"
"""


def write_governance(text: str = GOVERNANCE) -> None:
    paths = workspace_paths()
    paths.ensure()
    (paths.config_dir / "governance.toml").write_text(text, encoding="utf-8")


@pytest.fixture
def calendar_governance():
    """The test governance file, written before the ``workspace`` fixture opens the workspace."""
    write_governance()


@pytest.fixture
def fixed_post_ids(monkeypatch):
    """Post ids p-000001, p-000002, ... (and hold ids h-000001...) so that snapshots do not
    change from run to run."""
    import itertools

    import console.posts.service as posts_module

    import console.publishing.holds as holds_module

    counter = itertools.count(1)
    monkeypatch.setattr(posts_module, "secrets", SimpleNamespace(token_hex=lambda _n: f"{next(counter):06x}"))
    holds = itertools.count(1)
    monkeypatch.setattr(holds_module, "uuid", SimpleNamespace(uuid4=lambda: SimpleNamespace(hex=f"{next(holds):06x}")))


class CalendarTeam:
    """olivia (owner), mia (manager), ed (editor); sessions on demand; posts through the services."""

    def __init__(self, people) -> None:
        self.people = people
        self.workspace = people.workspace
        self.clock = people.clock
        people.add("mia", "manager")
        people.add("ed", "editor")
        self._sessions: dict[str, object] = {}

    def session(self, name: str):
        if name not in self._sessions:
            self._sessions[name] = self.people.login(name)
        return self._sessions[name]

    def approved(self, text: str, *, targets=(EN,), hours: float = 30, tags=()):
        """Drafted by ed ``hours`` from now, submitted, approved by mia."""
        posts = self.workspace.posts
        draft = posts.draft(self.session("ed"), list(targets), text, tags=list(tags),
                            proposed_at=self.clock() + timedelta(hours=hours))
        posts.submit(self.session("ed"), draft.id)
        return self.workspace.approvals.approve(self.session("mia"), draft.id)

    def schedule(self, post_id: str, **request):
        return self.workspace.scheduling.schedule(self.session("mia"), post_id, ScheduleRequest(**request))

    def record(self, post_id: str, account_id: str, state: str, *, at: datetime | None = None, **fields):
        """Write a target's outcome as the publisher records it (state, time, url, error...)."""
        store = self.workspace.store
        record = store.get(SCHEDULES, post_id)
        target = dict(record["targets"][account_id], state=state, **fields)
        if at is not None:
            target["at"] = format_time(at)
        targets = {**record["targets"], account_id: target}
        store.update(SCHEDULES, post_id, {"targets": targets}, expected_version=record["_v"], actor="worker")


def week_of_posts(team: CalendarTeam) -> dict[str, str]:
    """A week around Thursday 26 November in every state; their ids by name."""
    posts = team.workspace.posts
    ed = team.session("ed")
    now = team.clock()
    ids = {}
    ids["next"] = team.approved("Autumn walks start Saturday at the harbour. Bring a flask!", tags=["walks"]).id
    team.schedule(ids["next"], next_slot=True)                                   # Thu 09:00 New York
    ids["es"] = team.approved("Nuevas rutas de senderismo este fin de semana", targets=(ES,)).id
    team.schedule(ids["es"], local=datetime(2026, 11, 27, 10, 0))                # Fri 10:00 Mexico City
    ids["both"] = team.approved("Winter jackets are in: light, warm, packable. [bold]Sizes XS-XXL[/bold]",
                                targets=(EN, ES), tags=["promo"]).id
    team.schedule(ids["both"], local=datetime(2026, 11, 30, 9, 0))               # Mon 09:00 in each zone
    ids["tokyo"] = team.approved("秋の新作ジャケットが入荷しました", targets=(JA,)).id
    team.schedule(ids["tokyo"], local=datetime(2026, 11, 27, 12, 0))             # Fri 12:00 Tokyo
    team.workspace.holds.hold(team.session("mia"), "Tokyo store launch moved; wait for the new date",
                              regions=["APAC"])
    for name, text, hours, state, fields in (
            ("published", "Trail report: the ridge path is open again", -20, "published",
             {"url": "https://sandbox.socops.invalid/@northwind/1001", "remote_id": "1001"}),
            ("failed", "Rain shells are back in stock", -3, "failed",
             {"error": "the platform refused it: media type not supported", "attempts": 1}),
            ("check", "Gift cards for the holidays", -2, "needs_check",
             {"error": "needs a check: the answer was lost after sending", "attempts": 1})):
        ids[name] = team.approved(text, hours=30 + hours).id
        team.schedule(ids[name], at=now + timedelta(hours=1 + len(ids)))
        team.record(ids[name], EN, state, at=now + timedelta(hours=hours),
                    published_at=format_time(now + timedelta(hours=hours)) if state == "published" else None,
                    **fields)
    ids["approved"] = team.approved("Meet the team behind the trail guides", hours=50).id
    ids["review"] = posts.submit(ed, posts.draft(ed, [EN], "Our winter sale starts Monday #ad",
                                                 proposed_at=now + timedelta(hours=74)).id).id
    ids["draft"] = posts.draft(ed, [ES], "Borrador: colores de otoño", proposed_at=now + timedelta(hours=98)).id
    return ids
