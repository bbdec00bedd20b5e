"""The runbook, team notes, the status the screens poll, the timeline and the
post-mortem report."""

from __future__ import annotations

from datetime import timedelta

import pytest

from console.crisis import report_markdown
from console.errors import InvalidAction
from console.permissions import PermissionDenied
from tests.console.crisis.crisis_fixtures import EN


def declare(room, severity=3, **extra):
    return room.crisis.declare(room.as_("mia"), severity, "Zipper recall", "pulls snap", playbook="recall",
                               **extra).crisis


def test_steps_are_marked_done_or_not_applicable_once_and_late_ones_say_so(room):
    crisis = declare(room)
    done = room.crisis.step(room.as_("rita"), "recall-2", "done", "saved replies added")
    assert (done.state, done.by, done.late, done.note) == ("done", "rita", False, "saved replies added")
    with pytest.raises(InvalidAction, match="needs a note saying why"):
        room.crisis.step(room.as_("mia"), "recall-3", "n/a")
    skipped = room.crisis.step(room.as_("mia"), "recall-3", "n/a", "no pinned posts on the sandbox")
    assert skipped.state == "n/a"
    with pytest.raises(InvalidAction, match="recall-2 was already marked done by rita"):
        room.crisis.step(room.as_("mia"), "recall-2", "n/a", "again")
    with pytest.raises(InvalidAction, match="no step 'recall-9' in the runbook of"):
        room.crisis.step(room.as_("mia"), "recall-9", "done")
    with pytest.raises(InvalidAction, match="a step is marked 'done' or 'n/a', not 'open'"):
        room.crisis.step(room.as_("mia"), "level3-1", "open")
    with pytest.raises(PermissionDenied, match="needs crisis.respond"):
        room.crisis.step(room.as_("ed"), "level3-1", "done")
    room.clock.now = crisis.declared_at + timedelta(minutes=7)        # level3-1 was due at 5, level3-2 at 10
    status = room.crisis.status()
    assert (status.runbook.done, status.runbook.overdue, status.runbook.total) == (2, 1, 7)
    late = room.crisis.step(room.as_("mia"), "level3-1", "done")
    assert late.late and room.crisis.status().runbook.overdue == 0
    assert ("mia", "crisis.step", f"crisis/{crisis.id}") in room.audit("crisis.step")


def test_notes_are_kept_in_the_log_and_announced_ones_reach_everyone(room):
    crisis = declare(room)
    room.crisis.note(room.as_("rita"), "Volume tripled on @northwind")
    room.crisis.note(room.as_("mia"), "Legal approved the recall text", announce=True)
    notes = room.crisis.get(crisis.id).notes
    assert [(n.by, n.text, n.announced) for n in notes] == [
        ("rita", "Volume tripled on @northwind", False), ("mia", "Legal approved the recall text", True)]
    assert f"{crisis.id} mia: Legal approved the recall text" in room.unread("vic")
    assert not any("Volume tripled" in t for t in room.unread("vic"))
    with pytest.raises(InvalidAction, match="the note is empty"):
        room.crisis.note(room.as_("mia"), "  ")


def test_the_status_is_the_banner_the_freeze_the_runbook_and_the_latest_entries(room):
    assert room.crisis.status().banner() == "" and not room.crisis.status().active
    crisis = declare(room)
    room.clock.advance(minutes=42)
    status = room.crisis.status()
    assert status.banner() == "CRISIS 3 00:42 FROZEN" and status.frozen and status.crisis.id == crisis.id
    assert [entry.kind for entry in status.latest] == ["declared", "frozen"]
    room.crisis.note(room.as_("mia"), "first update posted")          # the next read sees it
    assert room.crisis.status().latest[-1].text == "first update posted"
    room.crisis.request_unfreeze(room.as_("mia"))
    assert room.crisis.status().request.kind == "unfreeze"
    room.crisis.confirm(room.as_("max"))
    status = room.crisis.status()
    assert status.banner().startswith("CRISIS 3 ") and not status.frozen and status.latest[-1].kind == "unfrozen"


def test_the_status_reads_nothing_again_until_something_changes(room, monkeypatch):
    declare(room)
    room.crisis.status()
    reads = []
    get = room.workspace.store.get
    monkeypatch.setattr(room.workspace.store, "get", lambda *args: reads.append(args) or get(*args))
    for _ in range(50):
        room.crisis.status()
    assert reads == []
    room.crisis.note(room.as_("mia"), "an update")
    reads.clear()
    room.crisis.status()
    assert reads                                                      # read again once


def test_the_timeline_and_report_tell_the_whole_story(room):
    item = room.item(1, EN)
    room.scheduled(1, EN, minutes=10)
    crisis = declare(room)
    room.crisis.note(room.as_("rita"), "Customers ask how to return it")
    post = room.crisis.publish_holding_statement(room.as_("mia"), "hld-sample-recall", [EN])
    room.workspace.approvals.approve(room.as_("max"), post.id)
    room.publish_round()
    room.workspace.inbox.reply(item, "Please stop using it; details follow", actor=room.as_("max"))
    room.send_replies()
    room.crisis.step(room.as_("mia"), "level3-3", "done", "statement out")
    room.clock.advance(minutes=15)
    room.publish_round()                                              # the scheduled post misses its time
    room.crisis.request_resolve(room.as_("mia"), "notice published")
    room.crisis.confirm(room.as_("olivia"))

    entries = room.crisis.timeline(room.as_("al"), crisis.id)       # an analyst reads it (report.read)
    kinds = [entry.kind for entry in entries]
    assert kinds[:2] == ["declared", "frozen"] and kinds[-1] == "resolved"
    assert {"note", "statement", "reply", "runbook", "post", "missed", "request"} <= set(kinds)
    sent = [e for e in entries if e.kind == "reply" and e.text.startswith("reply sent")]
    assert [(e.who, e.text) for e in sent] == [("max", f"reply sent on @northwind ({item}) by max")]
    assert any(e.kind == "statement" and e.text.startswith(f"holding statement {post.id} published") for e in entries)

    report = room.crisis.report(room.as_("al"), crisis.id)
    assert report["crisis"]["state"] == "resolved" and report["crisis"]["resolve_confirmed_by"] == "olivia"
    assert report["time_to_freeze_seconds"] == 0
    assert report["time_to_first_statement_seconds"] == 90         # three logins (30 s each) after it
    assert report["posts"]["held"] == 1 and [m["now"] for m in report["posts"]["missed"]] == [
        "still missed: reschedule it or drop it"]
    assert report["replies"] == {"sent": 1, "by": {"max": 1}, "held_at_freeze": 0}
    assert (report["runbook"]["done"], report["runbook"]["late"], report["runbook"]["skipped"]) == (1, 0, 0)
    assert report["participants"] == ["max", "mia", "olivia", "rita"]
    markdown = report_markdown(report)
    for heading in ("# Crisis", "## Response times", "## Posts", "## Holding statements", "## Replies",
                    "## Runbook", "## Participants", "## Timeline"):
        assert f"\n{heading}" in "\n" + markdown
    assert "- Time to freeze: 0 min 00 s" in markdown and "  - max: 1" in markdown


def test_the_timeline_and_report_need_a_reader(room):
    crisis = declare(room)
    with pytest.raises(PermissionDenied, match="needs crisis.respond or report.read"):
        room.crisis.timeline(room.as_("vic"))
    with pytest.raises(PermissionDenied):
        room.crisis.report(room.as_("vic"), crisis.id)
    assert room.crisis.status().crisis.id == crisis.id              # the status is for everyone


def test_text_from_people_stays_plain_in_the_report(room):
    crisis = room.crisis.declare(room.as_("mia"), 2, "Outage \x1b[31mred\x1b[0m", "the [bold]store[/] is down").crisis
    markdown = report_markdown(room.crisis.report(room.as_("mia"), crisis.id))
    assert "\x1b" not in markdown and "[bold]store[/]" in markdown
