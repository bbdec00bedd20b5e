"""Unsaved work on disk (console/unsaved.py): per person and console session,
newest first, never a path out of its folder, an unreadable file left in place."""

from __future__ import annotations

import logging
import stat
from datetime import timedelta

import pytest

from console.unsaved import COMPOSE, INBOX_DRAFTS, UnsavedWork, merged_drafts


@pytest.fixture
def unsaved(tmp_path, clock) -> UnsavedWork:
    return UnsavedWork(tmp_path / "unsaved", clock)


def test_kept_work_comes_back_per_person_newest_first(unsaved, clock):
    unsaved.keep("bob", "s1", COMPOSE, {"text": "first"})
    clock.advance(minutes=5)
    unsaved.keep("bob", "s2", COMPOSE, {"text": "second"})
    unsaved.keep("alice", "s3", COMPOSE, {"text": "alice's"})
    kept = unsaved.kept("bob", COMPOSE)
    assert [(w.session, w.data["text"]) for w in kept] == [("s2", "second"), ("s1", "first")]
    assert kept[0].kept_at == clock()
    assert [w.data["text"] for w in unsaved.kept("bob", COMPOSE, besides="s2")] == ["first"]
    assert unsaved.kept("bob", INBOX_DRAFTS) == [] and unsaved.kept("carol", COMPOSE) == []


def test_keeping_again_replaces_and_forgetting_removes(unsaved):
    unsaved.keep("bob", "s1", COMPOSE, {"text": "draft"})
    unsaved.keep("bob", "s1", COMPOSE, {"text": "draft, longer"})
    assert [w.data for w in unsaved.kept("bob", COMPOSE)] == [{"text": "draft, longer"}]
    unsaved.forget("bob", "s1", COMPOSE)
    unsaved.forget("bob", "s1", COMPOSE)      # twice is fine
    assert unsaved.kept("bob", COMPOSE) == []
    assert not list((unsaved.folder / "bob").glob(".*tmp*"))   # no temporary file left


def test_files_are_private_to_the_service_account(unsaved):
    unsaved.keep("bob", "s1", COMPOSE, {"text": "not for everyone"})
    (work,) = unsaved.kept("bob", COMPOSE)
    assert stat.S_IMODE(work.path.stat().st_mode) == 0o600
    assert stat.S_IMODE(work.path.parent.stat().st_mode) == 0o700


def test_a_name_never_leads_out_of_the_folder(unsaved):
    with pytest.raises(ValueError):
        unsaved.keep("../bob", "s1", COMPOSE, {})
    with pytest.raises(ValueError):
        unsaved.keep("bob", "../../s1", COMPOSE, {})
    assert unsaved.kept("../bob", COMPOSE) == []


def test_an_unreadable_file_is_left_where_it_is_and_logged(unsaved, caplog):
    unsaved.keep("bob", "s1", COMPOSE, {"text": "good"})
    broken = unsaved.folder / "bob" / "compose.s0.json"
    broken.write_text("{not json", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        kept = unsaved.kept("bob", COMPOSE)
    assert [w.session for w in kept] == ["s1"]
    assert broken.exists() and "could not be read" in caplog.text


def test_drafts_of_several_sessions_merge_the_newest_text_winning(unsaved, clock):
    unsaved.keep("bob", "s1", INBOX_DRAFTS, {"drafts": [
        {"action": "reply", "items": ["a"], "text": "old reply"},
        {"action": "note", "items": ["b"], "text": "a note"}]})
    clock.advance(minutes=1)
    unsaved.keep("bob", "s2", INBOX_DRAFTS, {"drafts": [
        {"action": "reply", "items": ["a"], "text": "new reply"}]})
    merged = merged_drafts(unsaved.kept("bob", INBOX_DRAFTS))
    assert sorted((d["action"], d["text"]) for d in merged["drafts"]) == [("note", "a note"),
                                                                          ("reply", "new reply")]


def test_the_time_kept_is_the_clocks(unsaved, clock):
    clock.advance(hours=2)
    unsaved.keep("bob", "s1", COMPOSE, {})
    assert unsaved.kept("bob", COMPOSE)[0].kept_at - clock() == timedelta(0)
