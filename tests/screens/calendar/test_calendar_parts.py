"""The Calendar panel's pure parts: reading a new time and a filter, days in a
zone, the agenda's rows, the columns at any width, the week's pages, the
month's weeks and the zone cycle."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from console.publishing import CalendarEntry, CalendarFilter, FreeSlot
from integrations.sandbox import SANDBOX_ACCOUNTS
from screens.calendar.agenda import MIN_TEXT, agenda_columns
from screens.calendar.grids import week_page, week_page_size
from screens.calendar.model import (DAY, ENTRY, FREE, NOTHING, CalendarData, ViewZone, agenda_rows, first_of_day,
                                    month_weeks, shift_period, step_entry, viewer_zone, week_cells, week_of,
                                    zone_cycle)
from screens.calendar.query import KnownAccount, format_filter, parse_filter, parse_new_time
from screens.parsing import PromptError

UTC = timezone.utc
NEW_YORK, TOKYO = ZoneInfo("America/New_York"), ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)          # Thursday
ACCOUNTS = [KnownAccount("sandbox:northwind_en", "@northwind", "NA"),
            KnownAccount("sandbox:northwind_es", "@northwind_es", "LATAM")]


# -- a new time ---------------------------------------------------------------------------------
def test_a_wall_clock_time_is_read_in_each_accounts_own_zone():
    request = parse_new_time("2026-12-05 15:00", now=NOW, zone=UTC)
    assert (request.local, request.at) == (datetime(2026, 12, 5, 15, 0), None)
    assert parse_new_time("tomorrow 10:00", now=NOW, zone=UTC).local == datetime(2026, 11, 27, 10, 0)
    # "tomorrow" is the day after today where the calendar is read: at 20:00 UTC it is Friday in Tokyo.
    evening = NOW + timedelta(hours=11)
    assert parse_new_time("tomorrow 10:00", now=evening, zone=UTC).local == datetime(2026, 11, 27, 10, 0)
    assert parse_new_time("tomorrow 10:00", now=evening, zone=TOKYO).local == datetime(2026, 11, 28, 10, 0)
    assert parse_new_time("mon 9am", now=NOW, zone=UTC).local == datetime(2026, 11, 30, 9, 0)
    assert parse_new_time("08:30", now=NOW, zone=UTC).local == datetime(2026, 11, 27, 8, 30)   # the next one


def test_an_offset_or_a_zone_name_means_one_moment_everywhere():
    assert parse_new_time("2026-12-05T15:00+01:00", now=NOW, zone=UTC).at == datetime(2026, 12, 5, 14, 0,
                                                                                     tzinfo=UTC)
    assert parse_new_time("2026-12-05 15:00 +01:00", now=NOW, zone=UTC).at == datetime(2026, 12, 5, 14, 0,
                                                                                      tzinfo=UTC)
    tokyo = parse_new_time("2026-12-05 15:00 Asia/Tokyo", now=NOW, zone=UTC).at
    assert tokyo == datetime(2026, 12, 5, 6, 0, tzinfo=UTC)
    assert parse_new_time("tomorrow 10:00 UTC", now=NOW, zone=NEW_YORK).at == datetime(2026, 11, 27, 10, 0,
                                                                                      tzinfo=UTC)


def test_a_move_shifts_every_account_and_a_duration_counts_from_now():
    at = datetime(2026, 11, 30, 14, 0, tzinfo=UTC)
    assert parse_new_time("+2h", now=NOW, zone=UTC, current=[(at, NEW_YORK)]).at == at + timedelta(hours=2)
    assert parse_new_time("-1h30m", now=NOW, zone=UTC, current=[(at, NEW_YORK)]).at == at - timedelta(minutes=90)
    # 09:00 in New York and 09:00 in Mexico City: two moments, one local time; both move.
    both = [(at, NEW_YORK), (at + timedelta(hours=1), ZoneInfo("America/Mexico_City"))]
    assert parse_new_time("+1d", now=NOW, zone=UTC, current=both).local == datetime(2026, 12, 1, 9, 0)
    with pytest.raises(PromptError, match="different times"):
        parse_new_time("+1h", now=NOW, zone=UTC, current=[(at, NEW_YORK), (at + timedelta(hours=3), TOKYO)])
    assert parse_new_time("45m", now=NOW, zone=UTC).at == NOW + timedelta(minutes=45)


@pytest.mark.parametrize("text, error", [
    ("", "type the new time"), ("someday", "cannot read"), ("2026-12-05", "no time of day"),
    ("+2 parsecs", "cannot read '\\+2 parsecs' as a move"), ("25:00", "cannot read"),
    ("2026-12-05T15:00+01:00 Asia/Tokyo", "both an offset and a zone"), ("+0m", "at least a minute"),
])
def test_what_cannot_be_read_says_what_to_type(text, error):
    with pytest.raises(PromptError, match=error):
        parse_new_time(text, now=NOW, zone=UTC)


# -- the filter ---------------------------------------------------------------------------------
def test_a_filter_reads_accounts_by_handle_states_by_name_or_letter_and_tags():
    flt = parse_filter("account:@northwind_es region:na state:needs-check state:F tag:#promo tag:promo", ACCOUNTS)
    assert flt == CalendarFilter(accounts=("sandbox:northwind_es",), regions=("NA",),
                                 states=("needs check", "failed"), tags=("promo",))
    handles = {a.account_id: a.handle for a in ACCOUNTS}
    assert format_filter(flt, handles) == "account:@northwind_es region:NA state:needs-check state:failed tag:promo"
    assert parse_filter("", ACCOUNTS) == CalendarFilter()


@pytest.mark.parametrize("text, error", [
    ("jackets", "not a filter term"), ("account:@nobody", "accounts: @northwind, @northwind_es"),
    ("region:EU", "regions: LATAM, NA"), ("state:late", "no state 'late'"), ("tag:", "not a filter term"),
])
def test_a_filter_that_cannot_be_read_says_what_is_known(text, error):
    with pytest.raises(PromptError, match=error):
        parse_filter(text, ACCOUNTS)


# -- days, rows and columns ------------------------------------------------------------------
def _entry(post_id: str, at: datetime, state: str = "scheduled") -> CalendarEntry:
    return CalendarEntry(post_id, at, ("sandbox:northwind_en",), state, f"text of {post_id}", scheduled=True)


def _data(entries, free=()) -> CalendarData:
    return CalendarData(NOW - timedelta(days=14), NOW + timedelta(days=14), sorted(entries, key=lambda e: e.at),
                        list(free), [], {"sandbox:northwind_en": "@northwind"}, NOW)


def test_days_are_the_days_of_the_zone_the_calendar_is_read_in():
    late = _entry("p-late", datetime(2026, 11, 27, 2, 0, tzinfo=UTC))    # Thu 21:00 in New York, Fri 11:00 in Tokyo
    data = _data([late])
    assert list(data.on_day(date(2026, 11, 26), NEW_YORK)) == [0]
    assert list(data.on_day(date(2026, 11, 27), TOKYO)) == [0]
    assert list(data.on_day(date(2026, 11, 27), NEW_YORK)) == []
    assert week_cells(data, [date(2026, 11, 26)], NEW_YORK)[(date(2026, 11, 26), 21)].entries == (0,)


def test_the_agenda_has_a_header_per_day_then_posts_and_free_slots_in_time_order():
    morning = _entry("p-1", datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    slot = FreeSlot("sandbox:northwind_en", datetime(2026, 11, 26, 14, 0, tzinfo=UTC))
    later = FreeSlot("sandbox:northwind_en", datetime(2026, 11, 26, 18, 0, tzinfo=UTC))
    rows = agenda_rows(_data([morning], [slot, later]), [date(2026, 11, 25), date(2026, 11, 26)], UTC)
    assert [(row.kind, row.day.day) for row in rows] == [(DAY, 25), (NOTHING, 25), (DAY, 26), (ENTRY, 26),
                                                         (FREE, 26), (FREE, 26)]


def test_the_cursor_steps_through_posts_and_from_an_empty_day_to_the_nearest():
    entries = [_entry("p-1", datetime(2026, 11, 24, 10, 0, tzinfo=UTC)),
               _entry("p-2", datetime(2026, 11, 26, 10, 0, tzinfo=UTC)),
               _entry("p-3", datetime(2026, 11, 26, 12, 0, tzinfo=UTC))]
    data = _data(entries)
    assert first_of_day(data, date(2026, 11, 26), UTC) == 1
    assert first_of_day(data, date(2026, 11, 26), UTC, after=datetime(2026, 11, 26, 11, 0, tzinfo=UTC)) == 2
    assert first_of_day(data, date(2026, 11, 25), UTC) is None
    assert step_entry(data, None, date(2026, 11, 25), UTC, True) == 1      # j from an empty day: the next post
    assert step_entry(data, None, date(2026, 11, 25), UTC, False) == 0     # k: the one before
    assert step_entry(data, 2, date(2026, 11, 26), UTC, True) is None      # nothing loaded after it


@pytest.mark.parametrize("width", [40, 60, 80, 100, 120, 200])
def test_agenda_columns_drop_before_the_text_is_cut_to_nothing(width):
    columns = agenda_columns(width)
    assert sum(c.width for c in columns) + len(columns) - 1 == width
    text = next(c for c in columns if c.key == "text")
    assert text.width >= MIN_TEXT
    assert ("accounts" in {c.key for c in columns}) == (width >= 60)


def test_the_week_shows_as_many_readable_days_as_fit_paging_with_the_day():
    assert week_page_size(80, False) == 4 and week_page_size(200, False) == 7
    assert week_page_size(30, True) == 1
    days = week_of(date(2026, 11, 26))
    assert week_page(days, date(2026, 11, 26), 4)[0] == date(2026, 11, 23)
    assert week_page(days, date(2026, 11, 28), 4) == days[4:]


def test_months_and_periods():
    weeks = month_weeks(date(2026, 11, 26))
    assert weeks[0][0] == date(2026, 10, 26) and weeks[-1][-1] == date(2026, 12, 6) and len(weeks) == 6
    assert shift_period("month", date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert shift_period("month", date(2026, 12, 15), 1) == date(2027, 1, 15)
    assert shift_period("agenda", date(2026, 11, 26), -1) == date(2026, 11, 19)


def test_z_steps_through_the_viewers_zone_each_accounts_and_utc():
    cycle = zone_cycle(viewer_zone(ZoneInfo("Europe/Berlin")), SANDBOX_ACCOUNTS)
    assert [zone.label for zone in cycle] == ["your", "@northwind", "@northwind_es", "@northwind_jp", "UTC"]
    assert cycle[0].describe() == "your time (Europe/Berlin)"
    assert cycle[2].describe() == "@northwind_es time (Mexico City)"
    # The viewer in UTC: UTC is not offered twice.
    assert [zone.label for zone in zone_cycle(viewer_zone(UTC), SANDBOX_ACCOUNTS)][-1] == "@northwind_jp"
    assert isinstance(viewer_zone(None), ViewZone)


def test_every_calendar_state_has_a_look_and_a_place_in_the_month_order():
    from console.publishing import CALENDAR_STATES
    from screens.calendar.states import ATTENTION_ORDER, STATE_COLOURS, state_css

    assert set(STATE_COLOURS) == set(CALENDAR_STATES) == set(ATTENTION_ORDER)
    assert all(f".calendar-state--{state.replace(' ', '-')}" in state_css("AgendaList") for state in CALENDAR_STATES)
