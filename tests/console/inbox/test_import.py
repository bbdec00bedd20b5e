"""Importing history from JSON Lines: bad lines reported by number, good ones
kept; lines for accounts the workspace does not have, or assigned to someone
who may not own them, are bad lines; batches, and a stop between them."""

from __future__ import annotations

import json

import pytest

from console.inbox import IMPORT_BATCH, INBOX, import_items
from console.permissions import Scope
from tests.actors import RoleActor
from tests.console.helpers import add_team
from tests.console.identity_fixtures import memory_keyring  # noqa: F401

ALICE = RoleActor("alice", "admin")
ACCOUNTS = {"mastodon:brand": "mastodon", "sandbox:northwind_en": "sandbox", "sandbox:northwind_es": "sandbox"}


def line(**fields) -> str:
    base = {"platform": "mastodon", "account_id": "mastodon:brand", "remote_id": "1", "kind": "comment",
            "author_handle": "@ana@example.social", "text": "hola", "created_at": "2026-11-01T10:00:00Z"}
    base.update(fields)
    return json.dumps(base, ensure_ascii=False)


def run_import(workspace, clock, lines, **options):
    options.setdefault("accounts", ACCOUNTS)
    return import_items(workspace.store, workspace.audit, lines, sla=workspace.config.sla, actor=ALICE,
                        now=clock(), **options)


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
    report = run_import(workspace, clock, lines)
    assert report.imported == 2 and report.duplicates == 1
    assert [number for number, _ in report.errors] == [2, 3, 4, 7, 8]
    reasons = dict(report.errors)
    assert "not valid JSON" in reasons[2] and "'kind' must be one of" in reasons[3]
    assert "ISO 8601" in reasons[4] and "JSON object" in reasons[7] and "time zone" in reasons[8]
    first = workspace.inbox.get("mastodon:1")
    assert first.status == "closed" and first.tags == ("returns",)
    assert workspace.inbox.get("mastodon:4").text == "[bold]hi[/bold] \x1b[31m"  # stored as sent
    again = run_import(workspace, clock, lines)
    assert again.imported == 0 and workspace.store.count(INBOX) == 2


def test_bytes_that_are_not_utf8(workspace, clock):
    report = run_import(workspace, clock, [b"\xff\xfe{}\n", line(remote_id="9").encode()])
    assert report.imported == 1 and "not UTF-8" in report.errors[0][1]


def test_a_line_for_an_account_the_workspace_does_not_have_is_a_bad_line(workspace, clock):
    """It took a line for the unknown account sandbox:nope, which then showed as an open item."""
    report = run_import(workspace, clock, [
        line(remote_id="1"),
        line(platform="sandbox", account_id="sandbox:nope", remote_id="2"),
        line(platform="bluesky", account_id="mastodon:brand", remote_id="3"),
    ])
    assert report.imported == 1 and [number for number, _ in report.errors] == [2, 3]
    reasons = dict(report.errors)
    assert reasons[2] == ("account 'sandbox:nope' is not an account of this workspace (it has: mastodon:brand, "
                          "sandbox:northwind_en, sandbox:northwind_es); connect it first (`socops account "
                          "connect`) or fix 'account_id'")
    assert reasons[3] == "account 'mastodon:brand' is on mastodon, not 'bluesky'; fix 'platform' or 'account_id'"
    assert not workspace.store.has(INBOX, "sandbox:2") and not workspace.store.has(INBOX, "bluesky:3")


def test_an_assignee_must_be_someone_who_may_own_the_item(workspace, clock, memory_keyring):
    add_team(workspace, "esme", scope=Scope(frozenset({"sandbox:northwind_es"})))
    es = {"platform": "sandbox", "account_id": "sandbox:northwind_es"}
    report = run_import(workspace, clock, [
        line(remote_id="1", assignee="ghost"),
        line(remote_id="2", assignee="esme"),                    # not her account
        line(remote_id="3", assignee="ESME", **es),
        line(remote_id="4", assignee="esme", **es),
    ], assignee_for=workspace.inbox_assignee)
    assert [number for number, _ in report.errors] == [1, 2]
    reasons = dict(report.errors)
    assert reasons[1].startswith("'assignee': cannot assign to 'ghost': no console user has that name")
    assert reasons[1].endswith("; or leave 'assignee' out")
    assert "mastodon:brand is outside their scope" in reasons[2]
    assert workspace.inbox.get("sandbox:3").assignee == "esme"
    # without a way to check people, no line may name one
    refused = run_import(workspace, clock, [line(remote_id="5", assignee="esme", **es)])
    assert refused.imported == 0 and "'assignee' cannot be checked here" in refused.errors[0][1]


def test_items_are_written_in_bounded_batches_each_audited(workspace, clock):
    writes: list[list] = []
    workspace.store.on_change(writes.append)
    report = run_import(workspace, clock, [line(remote_id=str(n)) for n in range(250)], batch_size=100)
    assert report.imported == 250 and not report.interrupted
    per_write = [(sum(c.collection == INBOX for c in changes), sum(c.collection == "audit" for c in changes))
                 for changes in writes]
    assert [w for w in per_write if w[0]] == [(100, 1), (100, 1), (50, 1)]
    events = [e["summary"] for e in workspace.audit.events() if e["action"] == "inbox.import"]
    assert events == ["100 items imported (up to line 100)", "100 items imported (up to line 200)",
                      "50 items imported (up to line 250)",
                      "imported 250, skipped 0 already present, 0 bad lines"]
    assert IMPORT_BATCH == 1_000


def test_a_stop_finishes_the_batch_it_holds_reads_no_further_and_is_audited(workspace, clock):
    lines_read: list[int] = []

    def lines():
        for n in range(1, 1_001):
            lines_read.append(n)
            yield line(remote_id=str(n))

    report = run_import(workspace, clock, lines(), batch_size=100, should_stop=lambda: len(lines_read) >= 150)
    assert report.interrupted and (report.imported, report.lines) == (150, 150)
    assert len(lines_read) == 150 and workspace.store.count(INBOX) == 150
    last = [e for e in workspace.audit.events() if e["action"] == "inbox.import"][-1]
    assert last["summary"] == ("interrupted after line 150 (nothing half-written): imported 150, skipped 0 "
                               "already present, 0 bad lines")
    # the same import again adds the rest, and only the rest
    again = run_import(workspace, clock, [line(remote_id=str(n)) for n in range(1, 1_001)])
    assert (again.imported, again.duplicates) == (850, 150)


def test_importing_needs_inbox_import(workspace, clock):
    from console.permissions import PermissionDenied

    with pytest.raises(PermissionDenied, match="needs inbox.import"):
        import_items(workspace.store, workspace.audit, [line()], sla=workspace.config.sla,
                     actor=RoleActor("max", "manager"), now=clock(), accounts=ACCOUNTS)
