"""The calendar read model: entries and their states, free slots, departures, filters."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from console.policy import WARNING
from console.publishing import (APPROVED_STATE, DRAFT_STATE, HELD, IN_APPROVAL, PARTLY, SCHEDULES, Blackout, Calendar,
                                CalendarFilter, combined_state, entry_line)
from tests.console.posts.post_fixtures import EN, ES
from tests.console.publishing.schedule_fixtures import ACCOUNTS, calendar  # noqa: F401

NEW_YORK = ZoneInfo("America/New_York")


@pytest.fixture
def view(calendar):
    return Calendar(calendar.desk.store, calendar.holds, policy=lambda: calendar.policy,
                    accounts=lambda: ACCOUNTS.values(), region_of=lambda a: ACCOUNTS[a].region,
                    clock=calendar.desk.clock)


def week(calendar):
    now = calendar.desk.clock()
    return now, now + timedelta(days=7)


def test_posts_appear_at_their_proposed_time_then_at_each_accounts_scheduled_time(calendar, view):
    desk = calendar.desk
    draft = desk.draft("ed", "A draft", hours=30)
    review = desk.submitted("ed", "In review", hours=31)
    approved = calendar.approved("Approved, not scheduled", hours=32)
    both = calendar.approved("Goes out at 10:00 local in two zones", targets=(EN, ES), hours=33)
    calendar.schedule("ed", both.id, local=datetime(2026, 11, 30, 10, 0))
    entries = view.entries(*week(calendar))
    assert [(e.post_id, e.state) for e in entries[:3]] == [
        (draft.id, DRAFT_STATE), (review.id, IN_APPROVAL), (approved.id, APPROVED_STATE)]
    scheduled = [e for e in entries if e.post_id == both.id]
    assert [(e.accounts, e.at.astimezone(NEW_YORK).strftime("%H:%M"), e.letter) for e in scheduled] == [
        ((EN,), "10:00", "S"), ((ES,), "11:00", "S")]                # 10:00 in Mexico City is 11:00 in New York
    assert scheduled[0].preview == "Goes out at 10:00 local in two zones"
    only = view.entries(*week(calendar), CalendarFilter(states=(DRAFT_STATE, IN_APPROVAL)))
    assert {e.post_id for e in only} == {draft.id, review.id}
    assert view.entries(*week(calendar), visible=lambda accounts: ES not in accounts)[-1].accounts == (EN,)


def test_states_combine_and_a_hold_shows_as_held(calendar, view):
    assert combined_state(("published", "failed"), False) == PARTLY
    assert combined_state(("published", "published"), False) == "published"
    assert combined_state(("scheduled", "needs_check"), False) == "needs check"
    post = calendar.approved(hours=53)
    calendar.schedule("ed", post.id)
    calendar.holds.hold(calendar.desk.actor("mia"), "recall", regions=["NA"])
    (entry,) = [e for e in view.entries(*week(calendar)) if e.post_id == post.id]
    assert (entry.state, entry.letter) == (HELD, "H")
    store = calendar.desk.store
    record = store.get(SCHEDULES, post.id)
    targets = {EN: dict(record["targets"][EN], state="published")}
    store.update(SCHEDULES, post.id, {"targets": targets}, expected_version=record["_v"], actor="worker")
    assert [e.state for e in view.entries(*week(calendar)) if e.post_id == post.id] == ["published"]


def test_free_slots_and_departures(calendar, view):
    desk = calendar.desk
    start = desk.clock()                                # Thu 04:00 in New York
    first = view.free_slots(start, start + timedelta(days=1), [EN])
    assert [s.at.astimezone(NEW_YORK).strftime("%a %H:%M") for s in first] == ["Thu 09:00", "Thu 13:00", "Thu 17:00"]
    post = calendar.approved(hours=1)
    calendar.schedule("ed", post.id, next_slot=True)
    after = view.free_slots(start, start + timedelta(days=1), [EN])
    assert [s.at.astimezone(NEW_YORK).strftime("%H:%M") for s in after] == ["13:00", "17:00"]
    (departure,) = view.departures(start)
    assert departure.entry.post_id == post.id and departure.describe("@en") == "next post in 5 h on @en"


def test_an_entry_line_shows_a_hostile_text_as_plain_text(calendar, view):
    post = calendar.approved("Sale \x1b]0;pwned\x07now\x1b[2J \u202eevil", hours=30)
    (entry,) = [e for e in view.entries(*week(calendar)) if e.post_id == post.id]
    line = entry_line(entry, NEW_YORK, lambda account_id: "@en")
    assert line.endswith(f"A approved         {post.id}  @en  Sale now evil")


def test_a_slot_in_a_daily_blackout_is_not_free(calendar, view):
    start = calendar.desk.clock()
    calendar.policy = replace(calendar.policy, blackouts=calendar.policy.blackouts + (
        Blackout("lunch", "the team is at lunch", daily_from=time(12, 30), daily_until=time(14, 0)),))
    slots = view.free_slots(start, start + timedelta(days=1), [EN])
    assert [s.at.astimezone(NEW_YORK).strftime("%H:%M") for s in slots] == ["09:00", "17:00"]


def test_a_post_is_shown_only_to_who_may_see_all_its_accounts(calendar, view):
    both = calendar.approved("Goes out at 10:00 local in two zones", targets=(EN, ES), hours=33)
    calendar.schedule("ed", both.id, local=datetime(2026, 11, 30, 10, 0))
    only_es = calendar.approved("Solo para México", targets=(ES,), hours=34)
    calendar.schedule("ed", only_es.id, local=datetime(2026, 11, 30, 12, 0))
    latam = view.entries(*week(calendar), visible=lambda accounts: set(accounts) <= {ES})
    # Each account's moment is an entry of its own; the ES one alone would be in scope.
    assert {e.post_id for e in latam} == {only_es.id}
    assert {e.post_id for e in view.entries(*week(calendar))} == {both.id, only_es.id}


def test_a_slot_in_a_blackout_is_not_free(calendar, view):
    start = calendar.desk.clock()                       # Thu 04:00 in New York
    calendar.policy = replace(calendar.policy, blackouts=calendar.policy.blackouts + (
        Blackout("thanksgiving", "the NA team is off", regions=("NA",), start=datetime(2026, 11, 26),
                 end=datetime(2026, 11, 27)),
        Blackout("lunch", "only a warning", daily_from=time(12, 30), daily_until=time(13, 30), severity=WARNING)))
    free = view.free_slots(start, start + timedelta(days=2))
    assert {s.at.astimezone(NEW_YORK).strftime("%a %H:%M") for s in free if s.account_id == EN} == {
        "Fri 09:00", "Fri 13:00", "Fri 17:00"}        # Thursday is closed in NA; a warning closes nothing
    assert "Thu 09:00" in {s.at.astimezone(ZoneInfo("America/Mexico_City")).strftime("%a %H:%M")
                           for s in free if s.account_id == ES}
