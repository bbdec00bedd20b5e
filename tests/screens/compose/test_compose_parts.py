"""The compose screen's plain parts: reading a proposed time, showing it in each
target's zone, the form's tags, versions and unsaved state, and the findings text."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from console.policy import CheckResult, Counter, Finding
from integrations.base import AccountRef
from integrations.sandbox import SANDBOX_ACCOUNTS
from screens.compose.screen import _span_selection
from screens.compose.form import ALL_PLATFORMS, AttachedImage, PostForm, parse_tags
from screens.compose.proposed_time import city_name, parse_proposed_time, time_help, zones_text
from screens.compose.findings import counters_text, excerpt, findings_table, summary_text

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=timezone.utc)
NEW_YORK = ZoneInfo("America/New_York")
X = AccountRef("x", "x:nw", "@nw", region="NA", timezone="America/New_York")
MASTODON = AccountRef("mastodon", "m:nw", "@nw@m.example", region="EU", timezone="Europe/Berlin")
ACCOUNTS = {a.account_id: a for a in (X, MASTODON, *SANDBOX_ACCOUNTS)}


@pytest.mark.parametrize("typed, expected", [
    ("2026-11-27 10:00", datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)),            # the display zone
    ("2026-11-27T10:00-05:00", datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)),  # an ISO offset
    ("2026-11-27 10:00 +09:00", datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)),  # offset after a space
    ("2026-11-27 10:00 Asia/Tokyo", datetime(2026, 11, 27, 1, 0, tzinfo=timezone.utc)),
    ("2026-11-27 10:00 UTC", datetime(2026, 11, 27, 10, 0, tzinfo=timezone.utc)),
    ("tomorrow 10:00", datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)),              # NOW is 04:00 there
    ("2h", NOW + timedelta(hours=2)),
])
def test_proposed_times_are_read_in_the_display_zone_unless_told_otherwise(typed, expected):
    assert parse_proposed_time(typed, NOW, NEW_YORK) == expected


def test_a_blank_time_is_none_and_nonsense_says_what_to_type():
    assert parse_proposed_time("   ", NOW, NEW_YORK) is None
    with pytest.raises(ValueError, match="cannot read 'next-ish' as a time; type e.g. 2026-12-03 10:00"):
        parse_proposed_time("next-ish", NOW, NEW_YORK)
    with pytest.raises(ValueError, match="both an offset and a zone"):
        parse_proposed_time("2026-11-27T10:00+01:00 Asia/Tokyo", NOW, NEW_YORK)


def test_the_time_is_shown_in_each_targets_zone_with_the_day_shift():
    moment = datetime(2026, 11, 27, 10, 0, tzinfo=NEW_YORK)
    assert zones_text(moment, SANDBOX_ACCOUNTS, NEW_YORK) == \
        "10:00 New York · 09:00 Mexico City · 00:00 Tokyo (+1 day)"
    # Seen from Tokyo, New York is the day before; one zone is shown once.
    assert zones_text(moment, [X, X], ZoneInfo("Asia/Tokyo")) == "10:00 New York (-1 day)"
    assert city_name("America/Argentina/Buenos_Aires") == "Buenos Aires" and city_name("UTC") == "UTC"


def test_tags_are_words_without_hash_in_lower_case_once_each():
    assert parse_tags("Promo, #launch promo;  VIP") == ("promo", "launch", "vip")
    assert parse_tags(" , ") == ()


def test_the_form_knows_its_versions_its_draft_and_whether_it_is_saved():
    form = PostForm()
    assert form.blank and not form.dirty
    form.toggle_target("x:nw")
    form.toggle_target("m:nw")
    form.text = "\nHello everyone, our winter range is here\n"
    form.set_slot_text("x", "Winter is here")
    form.set_slot_text("mastodon", "")            # empty: uses the main text, not stored
    form.images.append(AttachedImage("img-1", "Jacket", "A red jacket", "image/png"))
    form.tags_text = "promo"
    assert form.platforms(ACCOUNTS) == ["x", "mastodon"] and form.variants == {"x": "Winter is here"}
    draft = form.draft(ACCOUNTS)
    assert [t.region for t in draft.targets] == ["NA", "EU"] and draft.tags == ("promo",)
    assert draft.text_for("x") == "Winter is here" and draft.text_for("mastodon") == form.text
    assert draft.attachments[0].alt_text == "A red jacket"
    form.mark_saved("p-1", 1, "draft")
    assert not form.dirty and not form.blank
    form.text = form.text.strip("\n")     # the service strips blank lines around the text: no change
    assert not form.dirty
    form.toggle_target("m:nw")            # mastodon is no longer targeted...
    assert form.dirty
    assert form.saved_variants(ACCOUNTS) == {"x": "Winter is here"}
    form.toggle_target("x:nw")            # ...nor x: its version stays in the form, unsaved
    assert form.saved_variants(ACCOUNTS) == {} and form.slot_text("x") == "Winter is here"
    assert form.slot_text(ALL_PLATFORMS) == form.text


def test_a_finding_span_becomes_the_editor_selection_across_lines():
    text = "Hello\nwrite to bob@example.com\nbye"
    start = text.index("bob")
    selection = _span_selection(text, start, start + len("bob@example.com"))
    assert (selection.start, selection.end) == ((1, 9), (1, 24))
    assert _span_selection(text, 0, 999).end == (2, 3)   # clamped to the text


def test_findings_read_as_plain_text_with_quote_hint_and_version():
    text = "Mail [bold]bob@example.com[/bold] now"
    start = text.index("bob")
    findings = (Finding("privacy.email", "error", "an email address in public text", "remove it",
                        start, start + 15),
                Finding("a11y.all_caps", "warning", "shouting", "write it in sentence case", 0, 4, "x"))
    table = findings_table(findings, lambda platform: "MAIL me" if platform == "x" else text)
    from rich.console import Console
    console = Console(width=80, record=True, file=open("/dev/null", "w"))
    console.print(table)
    out = console.export_text()
    assert "✖ privacy.email an email address in public text" in out
    assert "“bob@example.com” — remove it" in out
    assert "▲ a11y.all_caps (x version) shouting" in out and "“MAIL”" in out
    assert excerpt("[bold]x\x1b[31m", 0, 12) == "[bold]x␛[31m"     # markup stays text; controls are shown
    result = CheckResult(findings, (Counter("x", 291, 280, "weighted"), Counter("mastodon", 20, 500)))
    assert summary_text(result).plain == "✖ 1 error blocks submission · ▲ 1 warning to acknowledge"
    counters = counters_text(result.counters, "red")
    assert counters.plain == "x 291/280 weighted · mastodon 20/500"
    assert [span.style for span in counters.spans] == ["red"]     # only the one over its limit
    assert summary_text(CheckResult((), ())).plain == "✓ no findings"


def test_the_time_examples_name_a_date_to_come():
    now = datetime(2031, 5, 2, 8, 0, tzinfo=timezone.utc)
    assert time_help(now).startswith("2031-05-09 10:00, tomorrow 10:00")
    with pytest.raises(ValueError, match="2031-05-09 10:00"):
        parse_proposed_time("whenever", now, timezone.utc)
    assert parse_proposed_time("2031-05-09 10:00", now, timezone.utc) > now
