"""Hostile platform text, configuration errors and typed times."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from console.config import load_config
from console.errors import ConfigError
from console.timeparse import parse_post_time, parse_when, snooze_help
from console.untrusted import one_line, printable

HOSTILE = [
    ("\x1b[2J\x1b[Hcleared", "cleared"),                       # CSI: clear screen
    ("\x1b]0;pwned\x07title", "title"),                        # OSC window title, BEL
    ("\x1b]8;;https://evil.example\x1b\\link\x1b]8;;\x1b\\", "link"),  # OSC 8 hyperlink, ST
    ("\x9b31mred", "red"),                                     # 8-bit CSI
    ("\x9d0;x\x9cok", "ok"),                                   # 8-bit OSC
    ("a\x1bPq#0;2;0;0;0\x1b\\b", "ab"),                         # DCS (sixel)
    ("bell\x07 back\x08space", "bell backspace"),
    ("x\u202eevil\u202c", "xevil"),                             # bidi override
    ("\x1b", ""),
]


@pytest.mark.parametrize("raw, shown", HOSTILE)
def test_control_sequences_never_survive(raw, shown):
    cleaned = printable(raw)
    assert cleaned == shown
    assert not any(ord(c) < 32 and c not in "\n\t" for c in cleaned)
    assert not any(0x80 <= ord(c) < 0xA0 for c in cleaned)


@pytest.mark.parametrize("text", [
    "[bold red]FREE[/] [link=https://evil.example]click[/link]",
    "مرحبا، أين طلبي؟ 😡", "שלום! ההזמנה שלי לא הגיעה", "返品はできますか？🙏", "line one\nline two\ttab",
])
def test_ordinary_text_and_markup_lookalikes_are_untouched(text):
    assert printable(text) == text


def test_one_line_folds_and_cuts():
    assert one_line("a\n\nb\tc", 10) == "a b c"
    assert one_line("abcdefghijkl", 5) == "abcd…"


def test_config_defaults_and_errors(tmp_path):
    assert load_config(tmp_path / "missing.toml").sla.dm_minutes == 30
    path = tmp_path / "socops.toml"
    path.write_text("[sla]\ndm = 15\n")
    assert load_config(path).sla.dm_minutes == 15
    path.write_text("[sla]\ndm = 'soon'\n")
    with pytest.raises(ConfigError, match=r"\[sla\] dm = 'soon' is not valid"):
        load_config(path)
    path.write_text("[sla\ndm = 1\n")
    with pytest.raises(ConfigError, match=f"^{path}:1: .*fix the TOML syntax"):
        load_config(path)
    path.write_text("[slas]\n")
    with pytest.raises(ConfigError, match="unknown section"):
        load_config(path)


@pytest.mark.parametrize("text, line, message", [
    ("[workspace]\nname = 'x'\n\n[sla]\ndm = 0\n", 5, r"\[sla\] dm = 0 is not valid"),
    ("[sla]\ncomment = 3\nbogus = 1\n", 3, "unknown setting 'bogus' in \\[sla\\]"),
    ("# a comment\n[nope]\n", 2, r"unknown section \[nope\]"),
    ("[sandbox]\nseed = 7\nenabled = 'yes'\n", 3, r"\[sandbox\] enabled must be true or false"),
    ("[workspace]\nname = ''\n", 2, r"\[workspace\] name must be a non-empty string"),
])
def test_config_errors_name_the_file_and_line(tmp_path, text, line, message):
    path = tmp_path / "socops.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=f"^{path}:{line}: {message}"):
        load_config(path)


NOW = datetime(2026, 11, 26, 15, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("text, expected", [
    ("30m", datetime(2026, 11, 26, 15, 30, tzinfo=timezone.utc)),
    ("2h", datetime(2026, 11, 26, 17, 0, tzinfo=timezone.utc)),
    ("1d", datetime(2026, 11, 27, 15, 0, tzinfo=timezone.utc)),
    ("tomorrow 09:00", datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)),
    ("09:00", datetime(2026, 11, 27, 9, 0, tzinfo=timezone.utc)),
    ("16:45", datetime(2026, 11, 26, 16, 45, tzinfo=timezone.utc)),
    ("1h30m", datetime(2026, 11, 26, 16, 30, tzinfo=timezone.utc)),
    ("2026-12-01 10:00", datetime(2026, 12, 1, 10, 0, tzinfo=timezone.utc)),
])
def test_parse_when(text, expected):
    assert parse_when(text, NOW) == expected


def test_the_snooze_help_example_is_a_date_to_come():
    later = datetime(2031, 5, 2, 8, 0, tzinfo=timezone.utc)
    example = snooze_help(later).rsplit(" or ", 1)[1]
    assert example == "2031-05-09 09:00"
    assert parse_when(example, later) > later
    with pytest.raises(ValueError, match="2031-05-09 09:00"):
        parse_when("whenever", later)


@pytest.mark.parametrize("text", ["soon", "0m", "25:00", "", "2026-01-01 09:00"])
def test_parse_when_rejects_nonsense(text):
    with pytest.raises(ValueError):
        parse_when(text, NOW)


MADRID = ZoneInfo("Europe/Madrid")


@pytest.mark.parametrize("text, expected", [
    # no offset: a wall-clock time, naive, that each account reads in its own zone
    ("2026-12-05 15:00", datetime(2026, 12, 5, 15, 0)),
    ("2026-12-05T15:00", datetime(2026, 12, 5, 15, 0)),
    ("2026-12-05", datetime(2026, 12, 5, 9, 0)),
    ("tomorrow 09:00", datetime(2026, 11, 27, 9, 0)),
    ("mon 08:30", datetime(2026, 11, 30, 8, 30)),
    # an offset, a zone name or a duration: one moment
    ("2026-12-05T15:00+01:00", datetime(2026, 12, 5, 14, 0, tzinfo=timezone.utc)),
    ("2026-12-05T15:00Z", datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)),
    ("2026-12-05 15:00 Europe/Madrid", datetime(2026, 12, 5, 15, 0, tzinfo=MADRID)),
    ("2026-03-29 02:30 Europe/Madrid", datetime(2026, 3, 29, 3, 30, tzinfo=MADRID)),   # skipped: where clocks show it
    ("2026-12-05 15:00 utc", datetime(2026, 12, 5, 15, 0, tzinfo=timezone.utc)),
    ("2h", NOW + timedelta(hours=2)),
])
def test_parse_post_time(text, expected):
    found = parse_post_time(text, NOW)
    assert found == expected and (found.tzinfo is None) == (expected.tzinfo is None)


@pytest.mark.parametrize("text", ["someday", "", "2026-12-05 25:00", "2026-12-05 15:00 Mars/Base", "soon Europe/Madrid"])
def test_parse_post_time_says_what_to_type(text):
    with pytest.raises(ValueError, match="2026-12-05 15:00 \\(each account's own time\\)|give a time"):
        parse_post_time(text, NOW)


ACCOUNTS = [("sandbox:northwind_en", "@northwind"), ("sandbox:northwind_es", "@northwind_es")]


def test_inbox_query_terms():
    from console.inbox import format_query, parse_query
    from console.inbox import InboxFilter

    flt = parse_query("refund kind:DM account:@northwind_es tag:#VIP is:breached late", InboxFilter(), ACCOUNTS)
    assert flt == InboxFilter(status="open", account="sandbox:northwind_es", kind="dm", tag="vip",
                              breached=True, text="refund late")
    assert parse_query("status:all is:unassigned", InboxFilter(), ACCOUNTS) == InboxFilter(status="", assignee="-")
    assert parse_query("see https://x.example/a:b", InboxFilter()).text == "see https://x.example/a:b"
    assert format_query(flt, dict(ACCOUNTS)) == "account:@northwind_es kind:dm tag:vip refund late"
    for bad, message in (("kind:tweet", "not a kind"), ("account:@nobody", "not a connected account"),
                         ("is:happy", "is:breached"), ("tag:", "needs a value"), ("status:gone", "not a status")):
        with pytest.raises(ValueError, match=message):
            parse_query(bad, InboxFilter(), ACCOUNTS)
