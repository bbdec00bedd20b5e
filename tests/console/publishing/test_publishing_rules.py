"""The publishing rules: the [publishing] section, local times across DST, slots, blackouts, spacing, duplicates."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from console.governance import check_governance_text
from console.policy import ERROR, WARNING
from console.publishing import (
    RULE_BLACKOUT,
    RULE_DUPLICATE,
    RULE_SPACING,
    Blackout,
    PublishingPolicy,
    QueueSlots,
    local_moment,
    next_free_slot,
    slot_moments,
)
from console.publishing.rules import OtherPost, PlannedTarget, schedule_findings

NEW_YORK = ZoneInfo("America/New_York")
TOKYO = ZoneInfo("Asia/Tokyo")
UTC = timezone.utc


def test_a_daily_slot_stays_at_its_local_time_across_a_dst_change():
    slots = QueueSlots(times=(time(9, 0),))
    start = datetime(2026, 3, 6, tzinfo=UTC)
    moments = list(slot_moments(slots, NEW_YORK, start, start + timedelta(days=4)))
    assert [m.astimezone(NEW_YORK).strftime("%m-%d %H:%M") for m in moments] == [
        "03-06 09:00", "03-07 09:00", "03-08 09:00", "03-09 09:00"]
    # the UTC moment moves by an hour on 8 March, when New York springs forward
    assert [m.astimezone(UTC).hour for m in moments] == [14, 14, 13, 13]
    autumn = list(slot_moments(slots, NEW_YORK, datetime(2026, 10, 31, tzinfo=UTC),
                               datetime(2026, 11, 3, tzinfo=UTC)))
    assert [m.astimezone(UTC).hour for m in autumn] == [13, 14, 14]


def test_skipped_and_repeated_local_times():
    skipped = local_moment(date(2026, 3, 8), time(2, 30), NEW_YORK)
    assert skipped.strftime("%H:%M %Z") == "03:30 EDT"           # 02:30 does not exist that night
    repeated = local_moment(date(2026, 11, 1), time(1, 30), NEW_YORK)
    assert repeated.strftime("%H:%M %Z") == "01:30 EDT"          # the first of the two


def test_slots_keep_to_their_days():
    weekdays = QueueSlots(days=(0, 1, 2, 3, 4), times=(time(9), time(17)))
    friday = datetime(2026, 12, 4, 18, 0, tzinfo=NEW_YORK)        # after Friday's last slot
    moment = next_free_slot(weekdays, NEW_YORK, friday, lambda m: True)
    assert moment == datetime(2026, 12, 7, 9, 0, tzinfo=NEW_YORK)  # Monday
    taken = {moment}
    assert next_free_slot(weekdays, NEW_YORK, friday, lambda m: m not in taken) == \
        datetime(2026, 12, 7, 17, 0, tzinfo=NEW_YORK)
    assert next_free_slot(weekdays, NEW_YORK, friday, lambda m: False) is None


def test_blackouts_one_off_local_one_off_with_offset_and_daily_across_midnight():
    holiday = Blackout("thanksgiving", "off", regions=("NA",), start=datetime(2026, 11, 26),
                       end=datetime(2026, 11, 27))
    assert holiday.covers(datetime(2026, 11, 26, 0, 30, tzinfo=NEW_YORK), NEW_YORK)
    assert not holiday.covers(datetime(2026, 11, 27, 0, 0, tzinfo=NEW_YORK), NEW_YORK)   # end not included
    assert holiday.applies_to("x:us", "NA") and not holiday.applies_to("x:jp", "APAC")
    embargo = Blackout("embargo", "launch", start=datetime(2026, 12, 24, 18, tzinfo=timezone(timedelta(hours=1))),
                       end=datetime(2026, 12, 25, 18, tzinfo=timezone(timedelta(hours=1))))
    at = datetime(2026, 12, 25, 3, 0, tzinfo=TOKYO)               # 19:00 at +01:00 on the 24th
    assert not embargo.covers(at - timedelta(hours=2), TOKYO)      # 17:00 at +01:00: not yet
    assert embargo.covers(at, TOKYO) and embargo.covers(at, NEW_YORK)
    nights = Blackout("quiet", "nobody on shift", daily_from=time(23), daily_until=time(7), days=(4,))
    assert nights.covers(datetime(2026, 12, 4, 23, 30, tzinfo=NEW_YORK), NEW_YORK)     # Friday night
    assert nights.covers(datetime(2026, 12, 5, 6, 59, tzinfo=NEW_YORK), NEW_YORK)      # ...into Saturday
    assert not nights.covers(datetime(2026, 12, 5, 23, 30, tzinfo=NEW_YORK), NEW_YORK)  # Saturday night
    assert not nights.covers(datetime(2026, 12, 4, 12, 0, tzinfo=NEW_YORK), NEW_YORK)


def _target(at, text="Autumn walks start Saturday", account="sandbox:en"):
    return PlannedTarget(account, "@en", "NA", NEW_YORK, at, text)


def test_findings_for_blackout_spacing_and_duplicates():
    policy = PublishingPolicy(
        blackouts=(Blackout("quiet", "nobody on shift", daily_from=time(23), daily_until=time(7)),),
        min_spacing_minutes=90, duplicate_days=14)
    at = datetime(2026, 12, 8, 10, 0, tzinfo=NEW_YORK)
    others = [OtherPost("p-1", "sandbox:en", at - timedelta(minutes=40), "Something else"),
              OtherPost("p-2", "sandbox:en", at + timedelta(days=10), "AUTUMN walks   start saturday"),
              OtherPost("p-3", "sandbox:es", at, "Autumn walks start Saturday")]
    found = schedule_findings(policy, [_target(at)], others)
    assert [(f.rule_id, f.severity) for f in found] == [(RULE_SPACING, ERROR), (RULE_DUPLICATE, WARNING)]
    assert "p-1 goes out at Tue 2026-12-08 09:20 EST, 40 min before" in found[0].message
    assert "p-2" in found[1].message
    night = schedule_findings(policy, [_target(datetime(2026, 12, 8, 23, 15, tzinfo=NEW_YORK))], [])
    assert [f.rule_id for f in night] == [RULE_BLACKOUT]
    assert "nobody on shift" in night[0].message and "override" in night[0].hint
    assert schedule_findings(policy, [_target(datetime(2026, 12, 8, 23, 15, tzinfo=NEW_YORK))], [],
                             overridden=["quiet"]) == []


def _publishing_problems(section: str) -> list[str]:
    base = Path("console/governance.example.toml").read_text(encoding="utf-8")
    head = base.split("# ==== Publishing")[0]
    text = head + section
    _policy, problems = check_governance_text(text, Path("governance.toml"))
    offset = head.count("\n")
    return [f"{p.line - offset}: {p.message}" if p.line else p.message for p in problems]


def test_the_shipped_example_has_valid_publishing_rules():
    policy, problems = check_governance_text(Path("console/governance.example.toml").read_text(encoding="utf-8"),
                                             Path("governance.toml"))
    assert problems == []
    assert policy.publishing.slots_for("sandbox:northwind_ja").times == (time(8), time(12), time(20))
    assert {b.id for b in policy.publishing.blackouts} >= {"quiet-hours", "us-thanksgiving-2026"}


@pytest.mark.parametrize("section, expected", [
    ('[publishing]\nmin_spacing_minutes = -5\n', "2: [publishing] min_spacing_minutes = -5 is not valid"),
    ('[publishing]\nbogus = 1\n', "2: unknown setting 'bogus' in [publishing]"),
    ('[publishing]\noverride_roles = ["wizard"]\n', "2: [publishing] override_roles names 'wizard'"),
    ('[publishing.slots."sandbox:northwind_en"]\ntimes = ["9am"]\n', '2: [publishing.slots."sandbox:northwind_en"] '
     "times = '9am' is not a time of day"),
    ('[publishing.slots."sandbox:nope"]\ntimes = ["09:00"]\n', "1: [publishing.slots.\"sandbox:nope\"] names an "
     "account that [accounts] does not list"),
    ('[publishing.slots."sandbox:northwind_en"]\ndays = ["someday"]\ntimes = ["09:00"]\n',
     "2: [publishing.slots.\"sandbox:northwind_en\"] days names 'someday'"),
    ('[[publishing.blackouts]]\nid = "x"\nreason = "r"\n', "1: [[publishing.blackouts]] needs either start and end"),
    ('[[publishing.blackouts]]\nid = "x"\nreason = "r"\nstart = "2026-12-02"\nend = "2026-12-01"\n',
     "5: [[publishing.blackouts]] end must be after start"),
    ('[[publishing.blackouts]]\nid = "x"\nreason = "r"\nstart = "soon"\nend = "2026-12-01"\n',
     "4: [[publishing.blackouts]] start = 'soon' is not valid"),
    ('[[publishing.blackouts]]\nid = "x"\nreason = "r"\ndaily_from = "22:00"\ndaily_until = "7"\n',
     "5: [[publishing.blackouts]] daily_until = '7' is not a time of day"),
    ('[[publishing.blackouts]]\nid = "x"\nreason = "r"\nregions = ["Mars"]\ndaily_from = "22:00"\n'
     'daily_until = "07:00"\n', "4: [[publishing.blackouts]] regions names 'Mars'"),
    ('[[publishing.blackouts]]\nid = "x"\ndaily_from = "22:00"\ndaily_until = "07:00"\n',
     '1: [[publishing.blackouts]] needs reason = "..."'),
])
def test_publishing_problems_are_on_their_lines(section, expected):
    problems = _publishing_problems(section)
    assert any(problem.startswith(expected) for problem in problems), problems
