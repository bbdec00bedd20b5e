"""The audit trail: the chain verifies untouched and names the first event
after each kind of tampering; events and the changes they describe are
written together; export writes what verify checked."""

from __future__ import annotations

import copy
import io
import json
import zlib
from pathlib import Path

import pytest

from console.audit import AuditNote, event_hash, verify_chain
from tests.actors import RoleActor

OWNER = RoleActor("olivia", "owner")


@pytest.fixture
def trail(workspace):
    for n in range(6):
        workspace.audit.apply(f"user{n}", lambda tx, n=n: AuditNote("test.step", f"thing/{n}", f"step {n}"))
    return workspace


def events_of(workspace):
    return [copy.deepcopy(e) for e in workspace.audit.events()]


def test_an_untouched_chain_verifies(trail):
    result = trail.audit.verify(OWNER)
    assert result.ok and result.checked == 6
    assert "intact: 6 events" in result.describe()


def test_an_edited_event_is_named(trail):
    events = events_of(trail)
    events[2]["summary"] = "nothing happened"
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 3 and "changed" in result.problem


def test_an_edited_event_with_a_recomputed_hash_breaks_the_next_link(trail):
    events = events_of(trail)
    events[2]["actor"] = "mallory"
    events[2]["hash"] = event_hash(events[2])
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 4 and "link" in result.problem


def test_a_deleted_event_is_named(trail):
    events = events_of(trail)
    del events[3]
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 4 and "removed" in result.problem


def test_an_inserted_event_is_named(trail):
    events = events_of(trail)
    forged = dict(events[1], summary="forged")
    events.insert(2, forged)
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 3 and "inserted or reordered" in result.problem


def test_reordered_events_are_named(trail):
    events = events_of(trail)
    events[1], events[2] = events[2], events[1]
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 2


def test_a_truncated_end_is_detected_by_the_head(trail):
    events = events_of(trail)[:4]
    result = verify_chain(events, trail.audit.head())
    assert not result.ok and result.first_bad_seq == 5 and "truncated" in result.problem


def test_tampering_on_disk_is_found_by_verify(trail):
    """Edit an archived event in its segment file, fixing up the line checksum
    as a careful forger would: the hash chain still names it."""
    trail.store.compact()
    segments = sorted(Path(trail.store.directory, "audit.log").glob("*.jsonl"))
    assert segments, "compaction should have archived the events"
    path = segments[-1]
    lines = path.read_bytes().splitlines(keepends=True)
    for index, line in enumerate(lines):
        payload = json.loads(line[9:])
        if isinstance(payload, dict) and payload.get("r", {}).get("seq") == 2:
            payload["r"]["summary"] = "forged"
            body = json.dumps(payload, separators=(",", ":")).encode()
            lines[index] = b"%08x %s\n" % (zlib.crc32(body), body)
    path.write_bytes(b"".join(lines))
    result = trail.audit.verify(OWNER)
    assert not result.ok and result.first_bad_seq == 2


def test_an_unfixed_checksum_is_reported_not_raised(trail):
    trail.store.compact()
    path = sorted(Path(trail.store.directory, "audit.log").glob("*.jsonl"))[-1]
    data = path.read_bytes()
    path.write_bytes(data.replace(b"step 3", b"step X"))
    result = trail.audit.verify(OWNER)
    assert not result.ok and "damaged" in result.problem


def test_verify_needs_audit_read_and_export_needs_audit_export(trail):
    with pytest.raises(Exception, match="needs audit.read"):
        trail.audit.verify(RoleActor("rosa", "responder"))
    with pytest.raises(Exception, match="needs audit.export"):
        trail.audit.export(RoleActor("ana", "analyst"), io.StringIO(), fmt="jsonl", since=None)


def test_export_writes_every_event_and_is_itself_audited(trail):
    out = io.StringIO()
    count = trail.audit.export(OWNER, out, fmt="jsonl", since=None)
    rows = [json.loads(line) for line in out.getvalue().splitlines()]
    assert count == 6 and [r["seq"] for r in rows] == [1, 2, 3, 4, 5, 6]
    last = list(trail.audit.events())[-1]
    assert (last["actor"], last["action"]) == ("olivia", "audit.export")
    assert trail.audit.verify(OWNER).ok


def test_an_event_and_its_change_are_one_write(workspace):
    from console.inbox import INBOX

    def change(tx):
        tx.insert(INBOX, "sandbox:x", {"platform": "sandbox", "account_id": "a", "remote_id": "x",
                                       "kind": "dm", "thread_id": "x", "author_id": "a",
                                       "author_handle": "@a", "text": "hi",
                                       "created_at": "2026-11-26T09:00:00+00:00",
                                       "received_at": "2026-11-26T09:00:00+00:00",
                                       "sla_due": "2026-11-26T09:30:00+00:00", "status": "open"})
        raise RuntimeError("crash between the change and its event")

    with pytest.raises(RuntimeError):
        workspace.audit.apply("alice", change)
    assert not workspace.store.has(INBOX, "sandbox:x") and workspace.audit.head() is None


def test_the_unfiltered_list_reads_only_the_newest_events(trail):
    trail.store.compact()
    newest = trail.audit.list(OWNER, limit=2)
    assert [e["seq"] for e in newest] == [6, 5]
    assert [e["seq"] for e in trail.audit.list(OWNER, limit=50)] == [6, 5, 4, 3, 2, 1]
    assert [e["seq"] for e in trail.audit.list(OWNER, limit=2, text="step 1")] == [2]
