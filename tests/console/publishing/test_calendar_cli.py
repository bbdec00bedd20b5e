"""``socops calendar`` and ``socops calendar export``: the period, filters,
zones and free slots; iCalendar checked by a strict parser of RFC 5545's
content lines, and CSV."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

import pytest

from console.publishing import ScheduleRequest, calendar_ics, fold, ics_text
from tests.console.publishing.cli_fixtures import EN, ES, JA, approved, as_user, publish_due
from tests.console.publishing.cli_fixtures import cli_clock, memory_keyring, people, team  # noqa: F401

TEXT = 'Boots; "waterproof", tested\\rated\nSee you #ノースウィンド ' + "🥾" * 30


# -- a strict reader of iCalendar content lines (RFC 5545, 3.1 and 3.3.11) ------------------
def unfold(data: bytes) -> list[str]:
    """The content lines of ``data``: every line ends in CRLF, no physical line is
    longer than 75 octets, a continuation starts with one space or tab, and no
    fold splits a UTF-8 character (each physical line decodes on its own)."""
    assert data.endswith(b"\r\n"), "the file must end with CRLF"
    physical = data[:-2].split(b"\r\n")
    lines: list[str] = []
    for raw in physical:
        assert b"\n" not in raw and b"\r" not in raw, f"a bare LF or CR: {raw!r}"
        assert len(raw) <= 75, f"{len(raw)} octets: {raw!r}"
        text = raw.decode("utf-8")                     # raises when a fold split a character
        if text[:1] in (" ", "\t"):
            assert lines, "a continuation before any line"
            lines[-1] += text[1:]
        else:
            lines.append(text)
    return lines


CONTENT_LINE = re.compile(r"^(?P<name>[A-Z][A-Z0-9-]*)(?P<params>(?:;[A-Z-]+=[^:;]*)*):(?P<value>.*)$")


def text_value(value: str) -> str:
    """A TEXT value unescaped; an unescaped , or ; (or a lone backslash) is an error."""
    out, index = [], 0
    while index < len(value):
        ch = value[index]
        if ch == "\\":
            nxt = value[index + 1]
            assert nxt in "\\;,nN", f"bad escape \\{nxt}"
            out.append("\n" if nxt in "nN" else nxt)
            index += 2
            continue
        assert ch not in ",;", f"an unescaped {ch!r} in {value!r}"
        assert ch == "\t" or ord(ch) >= 0x20 and ch != "\x7f", f"a control character {ch!r}"
        out.append(ch)
        index += 1
    return "".join(out)


def parse_ics(data: bytes) -> list[dict[str, str]]:
    """The VEVENTs of one VCALENDAR, their properties by name (text values unescaped)."""
    lines = unfold(data)
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-1] == "END:VCALENDAR"
    calendar = {}
    events, current = [], None
    for line in lines[1:-1]:
        match = CONTENT_LINE.match(line)
        assert match, f"not a content line: {line!r}"
        name, value = match["name"], match["value"]
        if line == "BEGIN:VEVENT":
            assert current is None
            current = {}
        elif line == "END:VEVENT":
            for required in ("UID", "DTSTAMP", "DTSTART"):
                assert required in current, f"a VEVENT without {required}"
            events.append(current)
            current = None
        elif current is not None:
            assert name not in current, f"{name} twice in one VEVENT"
            current[name] = text_value(value) if name in ("SUMMARY", "DESCRIPTION", "UID") else value
        else:
            calendar[name] = value
    assert current is None and calendar["VERSION"] == "2.0" and calendar["PRODID"]
    return events


def test_the_reader_catches_what_it_must():
    """The parser above can fail: a long line, a bare LF, an unescaped comma, a split character."""
    with pytest.raises(AssertionError, match="octets"):
        unfold(b"BEGIN:VCALENDAR\r\n" + b"X" * 76 + b"\r\n")
    with pytest.raises(AssertionError, match="bare LF"):
        unfold(b"SUMMARY:a\nb\r\n")
    with pytest.raises(AssertionError, match="unescaped ','"):
        text_value("a,b")
    with pytest.raises(UnicodeDecodeError):
        unfold("SUMMARY:🥾".encode()[:-1] + b"\r\n " + "🥾".encode()[-1:] + b"\r\n")


def test_folding_and_escaping():
    line = "DESCRIPTION:" + ics_text(TEXT)
    folded = fold(line)
    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line
    assert ics_text('a,b;c\\d\ne\x1b[2Jf\x07') == "a\\,b\\;c\\\\d\\nef"


# -- the CLI -------------------------------------------------------------------------------
@pytest.fixture
def week(workspace, team):
    """Three posts: one scheduled on @en and @ja, one approved at its proposed
    time, one published on @ja; and one ten days ahead."""
    scheduled = approved(workspace, team, TEXT, targets=(EN, JA))
    workspace.scheduling.schedule(team.login("ed"), scheduled, ScheduleRequest(local=datetime(2026, 12, 1, 12, 0)))
    proposed = approved(workspace, team, "Gloves, hats; scarves #NorthwindLatAm", targets=(ES,), tags=("winter",),
                        at=datetime.fromisoformat("2026-11-30T18:00+00:00"))
    out = approved(workspace, team, "Out already #ノースウィンド", targets=(JA,))
    workspace.scheduling.publish_now(team.login("mia"), out)
    assert publish_due(workspace).published == 1
    later = approved(workspace, team, "Later", targets=(EN,), at=datetime.fromisoformat("2026-12-07T15:00+00:00"))
    return {"scheduled": scheduled, "proposed": proposed, "out": out, "later": later}


def test_the_week_as_lines_and_as_json(workspace, team, week, monkeypatch, capsys):
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "--zone", "account")
    assert code == 0, err
    lines = out.splitlines()
    assert len(lines) == 4                                     # "later" is past the 8 days
    assert lines[0].startswith(f"Thu 2026-11-26 18:0") and f"O published        {week['out']}  @northwind_jp  Out" in lines[0]
    assert lines[1].startswith(f"Mon 2026-11-30 12:00 CST  A approved         {week['proposed']}  @northwind_es  Gloves")
    assert lines[2].startswith(f"Tue 2026-12-01 12:00 JST  S scheduled        {week['scheduled']}  @northwind_jp  Boots;")
    assert lines[3].startswith(f"Tue 2026-12-01 12:00 EST  S scheduled        {week['scheduled']}  @northwind  Boots;")

    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--json", "--to", "2026-12-08")
    rows = [json.loads(line) for line in out.splitlines()]
    assert [(r["post_id"], r["at"], r["state"]) for r in rows] == [
        (week["out"], rows[0]["at"], "published"),
        (week["proposed"], "2026-11-30T18:00:00+00:00", "approved"),
        (week["scheduled"], "2026-12-01T03:00:00+00:00", "scheduled"),
        (week["scheduled"], "2026-12-01T17:00:00+00:00", "scheduled"),
        (week["later"], "2026-12-07T15:00:00+00:00", "approved")]
    assert rows[2]["targets"] == [{"account": JA, "state": "scheduled"}]
    assert rows[0]["at"].endswith("+00:00")

    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--zone", "utc", "--account", ES,
                           "--account", JA, "--state", "scheduled", "--state", "published", "--json")
    assert [json.loads(line)["post_id"] for line in out.splitlines()] == [week["out"], week["scheduled"]]
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--tag", "winter", "--zone", "Asia/Tokyo")
    assert out.splitlines() == [line for line in out.splitlines() if week["proposed"] in line] and \
        out.startswith("Tue 2026-12-01 03:00 JST  A approved")
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "--zone", "Mars/Base")
    assert code == 2 and "is not a time zone" in err
    with pytest.raises(SystemExit) as usage:
        as_user(monkeypatch, team, "ed", capsys, "calendar", "--state", "lost")
    assert usage.value.code == 2 and "'lost' is not a state; use one of draft, in-approval" in capsys.readouterr().err


def test_free_slots_skip_taken_ones_and_blackouts(workspace, team, week, monkeypatch, capsys):
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--account", EN, "--slots",
                           "--zone", "account", "--to", "2026-11-30")
    slots = [line for line in out.splitlines() if "free slot" in line]
    # Thanksgiving is a blackout for NA; the week-end has no @en slots
    assert [line[:24] for line in slots] == ["Fri 2026-11-27 09:00 EST", "Fri 2026-11-27 12:30 EST",
                                             "Fri 2026-11-27 17:00 EST", "Mon 2026-11-30 09:00 EST",
                                             "Mon 2026-11-30 12:30 EST", "Mon 2026-11-30 17:00 EST"]
    code, out, _ = as_user(monkeypatch, team, "ed", capsys, "calendar", "--account", EN, "--slots", "--json",
                           "--to", "2026-11-27")
    assert json.loads(out.splitlines()[0]) == {"kind": "free_slot", "account": EN, "at": "2026-11-27T14:00:00+00:00"}


def test_someone_who_may_not_read_posts_sees_no_calendar(workspace, team, monkeypatch, capsys):
    team.session("rosa", "responder")
    code, _, err = as_user(monkeypatch, team, "rosa", capsys, "calendar")
    assert code == 1 and "needs post.approve" in err


def test_export_ics_is_strict_rfc_5545(workspace, team, week, monkeypatch, capsys, tmp_path):
    (tmp_path / "shared").mkdir()
    target = tmp_path / "shared" / "team.ics"
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "export", "--format", "ics",
                             "-o", str(target))
    assert code == 0, err
    assert out.strip() == f"wrote 4 events from 4 calendar entries (2026-11-26 to 2026-12-03) to {target}"
    events = parse_ics(target.read_bytes())
    by_uid = {event["UID"]: event for event in events}
    uid = f"{week['scheduled']}.{JA}.20261201T030000Z@socops"
    event = by_uid[uid]
    assert event["DTSTART"] == "20261201T030000Z"
    assert event["SUMMARY"].startswith('[scheduled] @northwind_jp: Boots; "waterproof", tested\\rated See you')
    assert event["DESCRIPTION"] == TEXT + f"\n\n{week['scheduled']} on {JA}: scheduled"
    assert event["STATUS"] == "CONFIRMED"
    published = next(e for e in events if e["UID"].startswith(f"{week['out']}.{JA}."))
    assert published["SUMMARY"].startswith("[published] @northwind_jp") and published["URL"].startswith("https://")
    assert by_uid[f"{week['proposed']}.{ES}.20261130T180000Z@socops"]["CATEGORIES"] == "winter"
    assert len(by_uid) == len(events)                                      # UIDs are unique

    # a second export of the same period gives the same UIDs (a subscribed calendar updates, not duplicates)
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "export", "--format", "ics",
                           "-o", str(target))
    assert code == 1 and err.strip() == f"socops: {target} exists; add --force to replace it, or choose another file"
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "export", "--format", "ics",
                           "-o", str(target), "--force")
    assert code == 0, err
    assert {e["UID"] for e in parse_ics(target.read_bytes())} == set(by_uid)
    assert [p.name for p in target.parent.iterdir()] == ["team.ics"]       # no temporary file left behind


def test_export_csv_has_a_header_each_account_and_no_formulas(workspace, team, monkeypatch, capsys, tmp_path):
    post_id = approved(workspace, team, "=HYPERLINK(\"http://x\") boots", targets=(EN,),
                       at=datetime.fromisoformat("2026-12-02T15:00+00:00"))
    target = tmp_path / "team.csv"
    code, _, err = as_user(monkeypatch, team, "ed", capsys, "calendar", "export", "--format", "csv",
                           "-o", str(target), "--from", "2026-12-02", "--to", "2026-12-02")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(target.read_text(encoding="utf-8"), newline="")))
    assert rows[0] == ["post_id", "account", "handle", "time_utc", "local_time", "time_zone", "state", "tags",
                       "url", "text"]
    assert rows[1] == [post_id, EN, "@northwind", "2026-12-02T15:00:00+00:00", "2026-12-02 10:00",
                       "America/New_York", "approved", "", "", "'=HYPERLINK(\"http://x\") boots"]
    assert len(rows) == 2


def test_an_empty_calendar_is_a_valid_file():
    data = calendar_ics([], now=datetime(2026, 11, 26, tzinfo=timezone.utc)).encode()
    assert parse_ics(data) == []
