"""Importing history from JSON Lines: bad lines reported by number, good ones kept."""

from __future__ import annotations

import json

from console.inbox import import_items
from console.inbox import INBOX
from tests.actors import RoleActor

ALICE = RoleActor("alice", "admin")


def line(**fields) -> str:
    base = {"platform": "mastodon", "account_id": "mastodon:brand", "remote_id": "1", "kind": "comment",
            "author_handle": "@ana@example.social", "text": "hola", "created_at": "2026-11-01T10:00:00Z"}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def test_good_lines_are_kept_and_bad_ones_reported(workspace, clock):
    lines = [
        line(remote_id="1", tags=["returns"], status="closed"),
        "{not json",
        line(remote_id="2", kind="tweet"),
        line(remote_id="3", created_at="yesterday"),
        line(remote_id="4", author={"handle": "@kai", "name": "Kai 🌊"}, text="[bold]hi[/bold] \x1b[31m"),
        "",
        json.dumps(["a list"]),
        line(remote_id="5", created_at="2026-11-01T10:00:00"),
        line(remote_id="1"),  # the same item twice
    ]
    report = import_items(workspace.store, workspace.audit, lines, sla=workspace.config.sla, actor=ALICE, now=clock())
    assert report.imported == 2 and report.duplicates == 1
    assert [number for number, _ in report.errors] == [2, 3, 4, 7, 8]
    reasons = dict(report.errors)
    assert "not valid JSON" in reasons[2] and "'kind' must be one of" in reasons[3]
    assert "ISO 8601" in reasons[4] and "JSON object" in reasons[7] and "time zone" in reasons[8]
    first = workspace.inbox.get("mastodon:1")
    assert first.status == "closed" and first.tags == ("returns",)
    assert workspace.inbox.get("mastodon:4").text == "[bold]hi[/bold] \x1b[31m"  # stored as sent
    again = import_items(workspace.store, workspace.audit, lines, sla=workspace.config.sla, actor=ALICE, now=clock())
    assert again.imported == 0 and workspace.store.count(INBOX) == 2


def test_bytes_that_are_not_utf8(workspace, clock):
    report = import_items(workspace.store, workspace.audit, [b"\xff\xfe{}\n", line(remote_id="9").encode()],
                          sla=workspace.config.sla, actor=ALICE, now=clock())
    assert report.imported == 1 and "not UTF-8" in report.errors[0][1]
