"""The pure helpers behind the prompts and the list columns."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from rich.cells import cell_len

from screens.formatting import age_text, clock_text, duration_text, sla_text
from screens.parsing import PromptError, parse_assignee, parse_snooze, parse_tag_edit
from screens.inbox.inbox_list import fit_cells, layout_columns

NOW = datetime(2026, 11, 26, 14, 30, tzinfo=timezone.utc)  # a Thursday


@pytest.mark.parametrize("text, expected", [
    ("30m", NOW + timedelta(minutes=30)),
    ("2h", NOW + timedelta(hours=2)),
    ("1d", NOW + timedelta(days=1)),
    ("1h30m", NOW + timedelta(minutes=90)),
    ("1h 30m", NOW + timedelta(minutes=90)),
    ("90 min", NOW + timedelta(minutes=90)),
    ("2 hours", NOW + timedelta(hours=2)),
    ("1w", NOW + timedelta(weeks=1)),
    ("tomorrow", datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)),
    ("tomorrow 09:00", datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)),
    ("Tomorrow 9pm", datetime(2026, 11, 27, 21, 0, tzinfo=timezone.utc)),
    ("today 17:00", datetime(2026, 11, 26, 17, 0, tzinfo=timezone.utc)),
    ("17:00", datetime(2026, 11, 26, 17, 0, tzinfo=timezone.utc)),
    ("08:00", datetime(2026, 11, 27, 8, 0, tzinfo=timezone.utc)),  # already past today
    ("mon 09:00", datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)),
    ("thursday", datetime(2026, 12, 3, 9, 0, tzinfo=timezone.utc)),  # next week, not today
    ("2026-12-01 10:15", datetime(2026, 12, 1, 10, 15, tzinfo=timezone.utc)),
])
def test_snooze_times(text, expected):
    assert parse_snooze(text, NOW) == expected


def test_snooze_keeps_the_operators_time_zone():
    tokyo = timezone(timedelta(hours=9))
    until = parse_snooze("tomorrow 09:00", NOW.astimezone(tokyo))
    assert until.tzinfo is tokyo and (until.day, until.hour) == (27, 9)


@pytest.mark.parametrize("text, fragment", [
    ("", "type when"),
    ("soon", "cannot read 'soon'"),
    ("5 parsecs", "cannot read"),
    ("today 08:00", "in the past"),
    ("0m", "at least one minute"),
    ("25:00", "cannot read"),
    ("2026-02-30 10:00", "cannot read"),
])
def test_snooze_errors_say_what_to_type(text, fragment):
    with pytest.raises(PromptError) as error:
        parse_snooze(text, NOW)
    assert fragment in str(error.value)
    assert "30m" in str(error.value) or "minute" in str(error.value) or "past" in str(error.value)


def test_tag_edit():
    assert parse_tag_edit("vip, shipping , -urgent") == (["vip", "shipping"], ["urgent"])
    assert parse_tag_edit("-a;-b") == ([], ["a", "b"])
    with pytest.raises(PromptError, match="commas"):
        parse_tag_edit(" , ")
    with pytest.raises(PromptError, match="space"):
        parse_tag_edit("two words")


def test_assignee():
    assert parse_assignee("me", "alice") == "alice"
    assert parse_assignee(" bob ", "alice") == "bob"
    assert parse_assignee("", "alice") == ""
    assert parse_assignee("-", "alice") == ""
    with pytest.raises(PromptError):
        parse_assignee("bob smith", "alice")


def test_assignee_the_team_refuses_keeps_the_prompt_open_with_the_reason():
    team = {"alice": "", "bob": ""}

    def refusal(name: str) -> str:
        return team.get(name, f"cannot assign to {name!r}: no console user has that name")

    assert parse_assignee("bob", "alice", refusal) == "bob"
    assert parse_assignee("me", "alice", refusal) == "alice"
    assert parse_assignee("-", "alice", refusal) == ""       # unassigning asks nobody
    with pytest.raises(PromptError, match="^Cannot assign to 'nobody': no console user has that name$"):
        parse_assignee("nobody", "alice", refusal)


def test_durations_and_ages():
    assert duration_text(12 * 60 + 59) == "12m"
    assert duration_text(65 * 60) == "1h05m"
    assert duration_text(-65 * 60) == "-1h05m"
    assert duration_text(-30) == "-1m"
    assert duration_text(-(17 * 3600 + 3 * 60)) == "-17h"
    assert duration_text(2 * 86400 + 3 * 3600) == "2d3h"
    assert duration_text(-(12 * 86400 + 3 * 3600)) == "-12d"
    for seconds in range(-200 * 86400, 200 * 86400, 3_607):
        assert len(duration_text(seconds)) <= 6
    assert sla_text(None) == ""
    assert age_text(NOW - timedelta(seconds=20), NOW) == "now"
    assert age_text(NOW - timedelta(minutes=4), NOW) == "4m"
    assert age_text(NOW - timedelta(hours=3, minutes=59), NOW) == "3h"
    assert age_text(NOW - timedelta(days=2), NOW) == "2d"
    assert clock_text(NOW - timedelta(hours=1), NOW, timezone.utc) == "13:30"
    assert clock_text(NOW - timedelta(days=3), NOW, timezone.utc) == "Nov 23 14:30"


def test_columns_fit_every_width():
    for width in (60, 79, 80, 99, 100, 120, 159, 200):
        for show_status in (False, True):
            columns = layout_columns(width, show_status=show_status)
            used = sum(c.width for c in columns) + len(columns) - 1
            assert used == width or width < 60, (width, show_status, used)
            assert "snippet" in [c.key for c in columns]
    narrow = [c.key for c in layout_columns(79, show_status=False)]
    assert narrow == ["mark", "age", "sla", "account", "author", "snippet", "assignee"]
    assert "status" in [c.key for c in layout_columns(150, show_status=False)]


def test_fit_cells_counts_wide_characters():
    assert cell_len(fit_cells("サイズ交換はできますか", 9)) == 9
    assert fit_cells("@northwind_es", 10, keep_end=True) == "…thwind_es"
    assert fit_cells("abc", 5, right=True) == "  abc"
