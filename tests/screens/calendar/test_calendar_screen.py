"""The Calendar panel, driven by keys: views, zones and the filter; moving a post
to a time or the next free slot; the rules' findings (acknowledge, override);
unscheduling; publishing now with a fresh code; retrying a post that needs a
check; another operator's change arriving live; scope and permissions.

Posts are made through the real services (``calendar_data.py``): a week around
Thursday 26 November 2026, 09:00 UTC, in every state.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from console.permissions import Scope
from console.posts import APPROVED, IN_REVIEW
from console.publishing import ScheduleRequest
from screens.calendar.agenda import AgendaList
from screens.calendar.grids import MonthGrid, WeekGrid
from screens.calendar.prompts import ScheduleFindingsPrompt
from screens.calendar.screen import CalendarScreen
from screens.compose.screen import ComposeScreen
from screens.widgets.code_entry import StepUpPrompt
from screens.widgets.prompts import ConfirmPrompt, TextPrompt
from tests.actors import RoleActor
from tests.screens.calendar.calendar_data import EN, ES, JA
from tests.screens.calendar.helpers import answer, go_to, message, press, run, shown
from tests.screens.helpers import foreign_controls, screen_render, settle
from tests.screens.session_helpers import fill

UTC = timezone.utc


def entries_of(screen: CalendarScreen, post_id: str):
    return [e for e in screen.data.entries if e.post_id == post_id]


def test_it_opens_on_the_agenda_at_todays_next_post_with_the_departures_line(team, week):
    async def steps(pilot, screen):
        assert screen.view == "agenda" and screen.agenda.display and not screen.week.display
        assert screen.cursor_entry.post_id == week["next"]          # the first post still to come today
        text = shown(pilot)
        assert "Next post in 4 h 5" in text and "on @northwind: Autumn walks" in text
        assert "Thu 26 Nov  today" in text
        assert "14:00 S @northwind" in text                           # 09:00 in New York, read in UTC
        assert "06:0" in text and " F @northwind       Rain shells" in text
        assert "15:00 · free slot on @northwind_es" in text
        assert "S @northwind Thu 26 Nov 09:00 EST scheduled" in text  # the detail: each account's own time

    run(team, "mia", steps)


def test_with_nothing_today_it_opens_on_the_next_post_under_its_day(team, week):
    team.clock.now -= timedelta(days=2)                  # Tuesday: nothing goes out today

    async def steps(pilot, screen):
        assert screen.cursor_entry.post_id == week["published"]      # Wednesday's, still to come
        lines = shown(pilot).splitlines()
        assert any(line.startswith(" Tue 24 Nov  today · 0 posts · 6 free") for line in lines)
        assert any(line.startswith(" Wed 25 Nov  1 post ") for line in lines)   # its day shows above it

    run(team, "mia", steps)


def test_keys_move_between_posts_days_and_weeks(team, week):
    async def steps(pilot, screen):
        await press(pilot, "j")
        assert screen.cursor_entry.post_id == week["tokyo"]           # Fri 03:00 UTC, next in time
        await press(pilot, "k", "k")
        assert screen.cursor_entry.post_id == week["check"]
        await press(pilot, "l")
        assert screen.day.isoformat() == "2026-11-27" and screen.cursor_entry.post_id == week["tokyo"]
        await press(pilot, "h", "h")
        assert screen.day.isoformat() == "2026-11-25" and screen.cursor_entry.post_id == week["published"]
        await press(pilot, "h")
        assert screen.day.isoformat() == "2026-11-24" and screen.cursor_entry is None
        assert "nothing planned" in shown(pilot)
        await press(pilot, "right_square_bracket")
        assert screen.day.isoformat() == "2026-12-01"
        assert "Mon 30 Nov – Sun 6 Dec 2026" in shown(pilot)
        await press(pilot, "left_square_bracket", "full_stop")
        assert screen.cursor_entry.post_id == week["next"]

    run(team, "mia", steps)


def test_keys_switch_views_and_the_month_shows_counts_and_letters(team, week):
    async def steps(pilot, screen):
        await press(pilot, "w")
        assert screen.view == "week" and screen.query_one(WeekGrid).display
        assert "Thu 26 Nov" in shown(pilot) and ":00 S Autumn" in shown(pilot)
        await press(pilot, "m")
        assert screen.view == "month" and screen.query_one(MonthGrid).display
        text = shown(pilot)
        assert "F1 C1 S1" in text                      # Thursday: what needs someone first
        assert "H1 S1" in text                         # Friday: the held Tokyo post
        await press(pilot, "v")                        # v cycles back to the agenda
        assert screen.view == "agenda" and screen.query_one(AgendaList).display
        assert screen.cursor_entry.post_id == week["next"]  # one cursor for every view
        await press(pilot, "L")                        # the letters, for reading without colour
        assert "C needs check" in shown(pilot) and "H held" in shown(pilot)

    run(team, "mia", steps)


def test_z_reads_the_calendar_in_each_accounts_zone_then_utc(team, week):
    async def steps(pilot, screen):
        assert "UTC (z)" in shown(pilot)
        await press(pilot, "z")
        text = shown(pilot)
        assert "@northwind time (New York) (z)" in text
        assert "09:00 S @northwind       Autumn walks" in text       # 14:00 UTC is 09:00 in New York
        await press(pilot, "z", "z")
        assert "@northwind_jp time (Tokyo)" in shown(pilot)
        await press(pilot, "j")
        assert screen.cursor_entry.post_id == week["tokyo"]
        assert "12:00 H @northwind_jp" in shown(pilot)                 # Friday noon in Tokyo, held
        await press(pilot, "z")
        assert screen.zone.label == "UTC" and "UTC (z)" in shown(pilot)

    run(team, "mia", steps)


def test_the_week_view_shows_a_second_zone_beside_its_hours(team, week):
    async def steps(pilot, screen):
        await press(pilot, "Z")
        assert screen.second_zone is None              # only in the week view
        await press(pilot, "w", "Z")
        assert screen.second_zone.label == "@northwind"
        lines = shown(pilot).splitlines()
        assert any(line.startswith("14:00 09:00") for line in lines)   # UTC beside New York
        assert lines[2].startswith(" UTC  EST")
        await press(pilot, "Z", "Z", "Z")
        assert screen.second_zone is None

    run(team, "mia", steps, size=(120, 30))


def test_the_filter_shows_what_matches_and_escape_clears_it(team, week):
    async def steps(pilot, screen):
        await press(pilot, "slash")
        await answer(pilot, "state:bogus")
        assert isinstance(pilot.app.screen, TextPrompt)            # stays open and says why
        assert "no state 'bogus'" in shown(pilot)
        await answer(pilot, "state:failed state:C")
        assert {e.post_id for e in screen.data.entries} == {week["failed"], week["check"]}
        text = shown(pilot)
        assert "free slot" not in text and "state:failed state:needs-check" in text
        await press(pilot, "escape")
        assert len({e.post_id for e in screen.data.entries}) > 2
        await press(pilot, "slash")
        await answer(pilot, "account:@northwind_es tag:promo")
        assert {e.post_id for e in screen.data.entries} == {week["both"]}
        await press(pilot, "slash")
        await answer(pilot, "region:LATAM")
        assert {e.post_id for e in screen.data.entries} == {week["both"], week["es"], week["draft"]}

    run(team, "mia", steps)


def test_n_moves_a_post_to_the_next_free_slot_and_the_cursor_follows_it(team, week):
    post_id = week["approved"]

    async def steps(pilot, screen):
        await go_to(pilot, screen, post_id)
        assert screen.cursor_entry.state == "approved"             # at its proposed time, Saturday
        await press(pilot, "n")
        schedule = team.workspace.scheduling.get(post_id)
        assert schedule.targets[EN].at == datetime(2026, 11, 26, 18, 0, tzinfo=UTC)   # 13:00 New York
        assert screen.cursor_entry.post_id == post_id and screen.cursor_entry.state == "scheduled"
        assert screen.day.isoformat() == "2026-11-26"
        assert "18:00 S @northwind       Meet the team" in shown(pilot)
        assert "Moved to the next free slot: " in message(screen)
        assert "@northwind Thu 2026-11-26 13:00 EST" in message(screen)

    run(team, "mia", steps)


def test_t_moves_a_post_to_a_local_time_on_each_account(team, week):
    post_id = week["both"]

    async def steps(pilot, screen):
        await go_to(pilot, screen, post_id)
        await press(pilot, "t")
        assert isinstance(pilot.app.screen, TextPrompt)
        await answer(pilot, "someday")
        assert "cannot read 'someday'" in shown(pilot)             # the prompt stays open
        await answer(pilot, "tomorrow 11:30")
        targets = team.workspace.scheduling.get(post_id).targets
        assert targets[EN].at == datetime(2026, 11, 27, 16, 30, tzinfo=UTC)   # 11:30 in New York
        assert targets[ES].at == datetime(2026, 11, 27, 17, 30, tzinfo=UTC)   # 11:30 in Mexico City
        assert screen.cursor_entry.post_id == post_id
        await press(pilot, "t")
        await answer(pilot, "+2h")                                  # later by two hours
        assert team.workspace.scheduling.get(post_id).targets[EN].at == datetime(2026, 11, 27, 18, 30,
                                                                                 tzinfo=UTC)

    run(team, "mia", steps)


def test_a_time_in_a_blackout_shows_the_findings_and_an_owner_may_override_it(team, week):
    post_id = week["es"]
    before = team.workspace.scheduling.get(post_id).targets[ES].at

    async def as_manager(pilot, screen):
        await go_to(pilot, screen, post_id)
        await press(pilot, "t")
        await answer(pilot, "2026-11-27 23:30")
        prompt = pilot.app.screen
        assert isinstance(prompt, ScheduleFindingsPrompt)
        assert "quiet-hours" in shown(pilot) and "o: override" not in shown(pilot)   # managers may not
        await press(pilot, "escape")
        assert team.workspace.scheduling.get(post_id).targets[ES].at == before
        assert "cannot be scheduled then" in message(screen)

    run(team, "mia", as_manager)

    async def as_owner(pilot, screen):
        await go_to(pilot, screen, post_id)
        await press(pilot, "t")
        await answer(pilot, "2026-11-27 23:30")
        assert "o: override the blackout" in shown(pilot)
        await press(pilot, "o")
        await answer(pilot, "")
        assert "An override needs a note" in shown(pilot)
        await answer(pilot, "Launch night: the LATAM team is on shift")
        schedule = team.workspace.scheduling.get(post_id)
        assert schedule.targets[ES].at == datetime(2026, 11, 28, 5, 30, tzinfo=UTC)   # 23:30 Mexico City
        assert schedule.overrides == ("quiet-hours",)
        assert schedule.override_note == "Launch night: the LATAM team is on shift"
        assert team.workspace.posts.get(post_id).status == IN_REVIEW   # an override is approved again

    team.people.owner()
    run(team, "olivia", as_owner)


def test_warnings_are_shown_and_acknowledged_with_y(team, week):
    twin = team.approved("Autumn walks start Saturday at the harbour. Bring a flask!", hours=60).id

    async def steps(pilot, screen):
        await go_to(pilot, screen, twin)
        await press(pilot, "n")
        assert isinstance(pilot.app.screen, ScheduleFindingsPrompt)
        assert "publishing.duplicate" in shown(pilot)
        await press(pilot, "n")                                     # not now
        assert team.workspace.scheduling.get(twin) is None
        await press(pilot, "n")
        await press(pilot, "y")
        schedule = team.workspace.scheduling.get(twin)
        assert schedule is not None and schedule.acknowledged == ("publishing.duplicate",)

    run(team, "mia", steps)


def test_u_takes_a_post_off_the_calendar_after_asking(team, week):
    post_id = week["es"]

    async def steps(pilot, screen):
        await go_to(pilot, screen, post_id)
        await press(pilot, "u")
        assert isinstance(pilot.app.screen, ConfirmPrompt)
        await press(pilot, "n")
        assert team.workspace.scheduling.get(post_id) is not None
        await press(pilot, "u", "y")
        assert team.workspace.scheduling.get(post_id) is None
        assert team.workspace.posts.get(post_id).status == APPROVED
        assert [e.state for e in entries_of(screen, post_id)] == ["approved"]   # back at its proposed time

    run(team, "mia", steps)


def test_publish_now_asks_for_a_fresh_code(team, week):
    post_id = week["tokyo"]                              # 18:00 in Tokyo: outside its quiet hours

    async def steps(pilot, screen):
        team.clock.advance(minutes=6)                    # the login's code is no longer fresh
        await go_to(pilot, screen, post_id)
        await press(pilot, "P")
        assert isinstance(pilot.app.screen, ConfirmPrompt)
        assert "fresh code" in shown(pilot)
        await press(pilot, "y")
        assert isinstance(pilot.app.screen, StepUpPrompt)
        assert team.workspace.scheduling.get(post_id).targets[JA].at != team.clock()
        await fill(pilot, "#code-input", team.people.code("mia"))
        await press(pilot, "enter")
        target = team.workspace.scheduling.get(post_id).targets[JA]
        assert (target.at, target.state) == (team.clock(), "scheduled")   # due now: the worker sends it
        assert "goes out now" in message(screen)
        # 03:00 in Mexico City is in its quiet hours: the rules still apply, and say so.
        await go_to(pilot, screen, week["es"])
        await press(pilot, "P", "y")
        assert isinstance(pilot.app.screen, ScheduleFindingsPrompt)
        assert "quiet-hours" in shown(pilot)

    run(team, "mia", steps)


def test_retrying_a_post_that_needs_a_check_asks_whether_it_was_checked(team, week):
    post_id = week["check"]
    key_before = team.workspace.scheduling.get(post_id).targets[EN].key

    async def steps(pilot, screen):
        await go_to(pilot, screen, post_id)
        assert screen.cursor_entry.state == "needs check"
        await press(pilot, "R")
        assert isinstance(pilot.app.screen, ConfirmPrompt)
        assert "Did you check" in shown(pilot)
        await press(pilot, "n")
        assert team.workspace.scheduling.get(post_id).targets[EN].state == "needs_check"
        assert "check @northwind on the platform first" in message(screen)
        await press(pilot, "R", "y")
        target = team.workspace.scheduling.get(post_id).targets[EN]
        assert target.state == "scheduled" and target.key != key_before   # a new key: it did not land
        await go_to(pilot, screen, week["failed"])
        await press(pilot, "R")                                 # a failed one goes again at once
        assert team.workspace.scheduling.get(week["failed"]).targets[EN].state == "scheduled"

    run(team, "mia", steps)


def test_another_operators_change_appears_after_the_poll(team, week, open_workspace):
    elsewhere = open_workspace("max")                          # another console on the same store
    post_id = week["approved"]

    async def steps(pilot, screen):
        assert [e.state for e in entries_of(screen, post_id)] == ["approved"]
        elsewhere.scheduling.schedule(RoleActor("max", "manager"), post_id, ScheduleRequest(next_slot=True))
        pilot.app.refresh_store()                              # the poll does this every half second
        await settle(pilot)
        (entry,) = entries_of(screen, post_id)
        assert (entry.state, entry.at) == ("scheduled", datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
        assert "18:00 S @northwind       Meet the team" in shown(pilot)

    run(team, "mia", steps)


def test_e_opens_the_post_in_compose(team, week):
    async def steps(pilot, screen):
        await go_to(pilot, screen, week["approved"])
        await press(pilot, "e")
        compose = pilot.app.screen
        assert isinstance(compose, ComposeScreen)
        assert compose.form.post_id == week["approved"]

    run(team, "mia", steps)


def test_people_see_the_posts_of_their_scope_and_the_keys_of_their_role(team, week):
    team.people.add("nina", "editor", Scope(regions=frozenset({"LATAM"})))

    async def steps(pilot, screen):
        ids = {e.post_id for e in screen.data.entries}
        assert ids == {week["es"], week["draft"]}                 # "both" also goes to @northwind: not hers
        assert "@northwind_es" in shown(pilot) and "Autumn walks" not in shown(pilot)
        assert not screen.check_action("publish_now", ()) and "Publish now" not in shown(pilot)
        assert screen.check_action("reschedule", ())

    run(team, "nina", steps)


def test_the_detail_links_to_what_went_out_and_says_why_one_failed(team, week):
    async def steps(pilot, screen):
        await go_to(pilot, screen, week["published"])
        assert "@northwind https://sandbox.socops.invalid/@northwind/1001" in shown(pilot)
        await go_to(pilot, screen, week["failed"])
        await press(pilot, "enter")
        text = shown(pilot)
        assert "F @northwind Thu 26 Nov 01:01 EST failed: the platform refused it: media type" in text
        assert "R sends the failed or missed accounts again now" in text

    run(team, "mia", steps)


def test_post_text_is_shown_as_typed_never_as_markup(team, week):
    async def steps(pilot, screen):
        await go_to(pilot, screen, week["both"])
        await press(pilot, "enter")                               # the detail, large
        text, raw = screen_render(pilot.app)
        assert "[bold]Sizes XS-XXL[/bold]" in text
        assert foreign_controls(raw) == []

    run(team, "mia", steps)
