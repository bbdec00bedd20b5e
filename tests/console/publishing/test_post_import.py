"""``socops post import FILE.csv``: a dry run that names every bad row by its
line, ``--apply`` that drafts and submits, and a second import that makes
nothing twice."""

from __future__ import annotations

from datetime import datetime

import pytest

from console.posts import IN_REVIEW, POSTS
from tests.console.library_images import png
from tests.console.publishing.cli_fixtures import EN, ES, as_user
from tests.console.publishing.cli_fixtures import cli_clock, memory_keyring, people, team  # noqa: F401

ROWS = """\
accounts,text,time,tags,image,id
sandbox:northwind_en,Autumn walks start Saturday,2026-12-02 09:00,walks,,
"sandbox:northwind_en sandbox:northwind_ja",Two zones #ノースウィンド,2026-12-02 09:00,,,
sandbox:northwind_es,"Winter at the harbour
with a photo #NorthwindLatAm",2026-12-03T10:00-06:00,"winter, harbour",Harbour photo,

sandbox:nope,Hello,2026-12-02 09:00,,,
sandbox:northwind_en,The cheapest boots in town,2026-12-02 12:00,,,
sandbox:northwind_en,Autumn walks start Saturday,2026-12-02 09:00,,,
sandbox:northwind_en,,2026-12-02 09:00,,,
sandbox:northwind_en,Too late,2026-11-20 09:00,,,
sandbox:northwind_en,Gloves are in,2026-12-02 09:30,,,
sandbox:northwind_en,Our eco-friendly jacket,2026-12-04 09:00,,,jacket-1
sandbox:northwind_en,Boots,sometime,,,
sandbox:northwind_en,Extra,2026-12-04 12:00,,,,surplus
"""
BAD = [
    (3, "2026-12-02 09:00 names no single moment: the accounts are in different time zones "
        "(sandbox:northwind_en America/New_York, sandbox:northwind_ja Asia/Tokyo)"),
    (7, "unknown account 'sandbox:nope'"),
    (8, "the content policy refuses it: brand.banned: "),
    (9, "the same accounts, text and time as line 2; each row must be a post of its own"),
    (10, "no text: write what the post should say"),
    (11, "time '2026-11-20 09:00' has passed (Fri 2026-11-20 09:00 EST); give a later time"),
    (13, "warnings to acknowledge (brand.banned: "),
    (14, "time: cannot read 'sometime' as a time; use "),
    (15, "7 cells, but the header names 6 columns"),
]


@pytest.fixture
def plan_file(workspace, team, tmp_path):
    """The file above, and the library image it names by title (approved)."""
    image = tmp_path / "harbour.png"
    image.write_bytes(png(shade=7))
    asset = workspace.library.add_image(team.login("ed"), image, title="Harbour photo", alt_text="The harbour at dusk")
    workspace.library.approve(team.login("mia"), asset.id)
    path = tmp_path / "plan.csv"
    path.write_text(ROWS, encoding="utf-8")
    return path, asset.id


def bad_lines(err: str, path) -> list[tuple[int, str]]:
    found = []
    for line in err.splitlines():
        assert line.startswith(f"{path}:"), line
        number, reason = line[len(str(path)) + 1:].split(": ", 1)
        found.append((int(number), reason))
    return found


def assert_bad(err: str, path) -> None:
    found = bad_lines(err, path)
    assert [number for number, _ in found] == [number for number, _ in BAD]
    for (_, reason), (_, expected) in zip(found, BAD):
        assert reason.startswith(expected), (reason, expected)


def test_a_dry_run_prints_the_plan_and_every_bad_row_by_its_line(workspace, team, plan_file, monkeypatch, capsys):
    path, asset_id = plan_file
    workspace.store.refresh()
    posts = workspace.store.count(POSTS)
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path))
    assert code == 1
    assert_bad(err, path)
    lines = out.splitlines()
    assert lines[:2] == [f"{path}:2  new: Autumn walks start Saturday", f"    {EN}  Wed 2026-12-02 09:00 EST"]
    assert lines[2] == "    tags walks   image -"
    harbour = lines.index(f"{path}:4  new: Winter at the harbour with a photo #NorthwindLatAm")
    assert lines[harbour + 1:harbour + 3] == [f"    {ES}  Thu 2026-12-03 10:00 CST",
                                              f"    tags winter, harbour   image {asset_id}"]
    gloves = lines.index(f"{path}:12  new: Gloves are in")
    assert lines[gloves + 2].startswith("    publishing.spacing error: @northwind: line 2 goes out at Wed 2026-12-02 "
                                        "09:00 EST, 30 min before; posts on one account are at least 90 min apart")
    assert lines[-1] == "12 rows: 3 to import, 0 already imported, 9 bad; nothing was written (a dry run): " \
                        "import them with --apply"
    workspace.store.refresh()
    assert workspace.store.count(POSTS) == posts


def test_apply_drafts_and_submits_and_a_second_import_makes_nothing_twice(workspace, team, plan_file, monkeypatch,
                                                                          capsys):
    path, asset_id = plan_file
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path), "--apply",
                             "--ack", "brand.banned")
    assert code == 1                                    # bad rows remain
    assert [number for number, _ in bad_lines(err, path)] == [3, 7, 8, 9, 10, 11, 14, 15]
    made = [line.split() for line in out.splitlines() if line.endswith("submitted for approval")]
    assert [(row[0], len(row)) for row in made] == [(f"{path}:{n}", 5) for n in (2, 4, 12, 13)]
    assert out.splitlines()[-1] == "imported 4 posts into approval; 0 already imported, 8 bad"
    workspace.store.refresh()
    ids = {int(row[0].rsplit(":", 1)[1]): row[1] for row in made}
    harbour = workspace.posts.get(ids[4])
    assert harbour.status == IN_REVIEW and harbour.author == "ed" and harbour.assets == (asset_id,)
    assert harbour.text == "Winter at the harbour\nwith a photo #NorthwindLatAm"
    assert harbour.tags == ("winter", "harbour") and harbour.import_key.startswith("imp-")
    assert harbour.proposed_at == datetime.fromisoformat("2026-12-03T16:00+00:00")
    imports = [e for e in workspace.audit.events() if e["action"] == "post.import"]
    assert [e["summary"] for e in imports][1] == f"to {ES}; plan.csv:4"
    posts = workspace.store.count(POSTS)

    team.clock.advance(days=30)          # their times have passed: they are still the posts made of these rows
    for apply in (("--apply",), ()):
        code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path), *apply,
                                 "--ack", "brand.banned")
        assert [line for line in out.splitlines() if "already imported as" in line] == [
            f"{path}:{n}  already imported as {ids[n]}" for n in (2, 4, 12, 13)]
        workspace.store.refresh()
        assert workspace.store.count(POSTS) == posts
    assert out.splitlines()[-1].startswith("12 rows: 0 to import, 4 already imported, 8 bad")


def test_the_id_column_is_the_key_and_a_changed_row_is_a_new_post(workspace, team, monkeypatch, capsys, tmp_path):
    path = tmp_path / "ids.csv"
    path.write_text("id,accounts,text,time\nlaunch-1,sandbox:northwind_en,Boots are back,2026-12-02 10:00\n",
                    encoding="utf-8")
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path), "--apply")
    assert code == 0, err
    first = out.split()[1]
    # the same id with other words: the row was imported, it is not a new post
    path.write_text("id,accounts,text,time\nlaunch-1,sandbox:northwind_en,Boots are BACK,2026-12-02 10:00\n",
                    encoding="utf-8")
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path), "--apply")
    assert code == 0 and out.splitlines()[0] == f"{path}:2  already imported as {first}"


def test_a_header_it_cannot_read_stops_the_import(workspace, team, monkeypatch, capsys, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("accounts,text,when\n", encoding="utf-8")
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path))
    assert code == 1 and err.strip() == ("socops: error: line 1: unknown column 'when'; the columns are accounts, "
                                         "text, time, tags, image, id")
    path.write_bytes(b"accounts,text,time\nsandbox:northwind_en,caf\xe9,2026-12-02 10:00\n")
    code, out, err = as_user(monkeypatch, team, "ed", capsys, "post", "import", str(path))
    assert code == 1 and "is not UTF-8 text" in err


def test_a_contributor_may_not_import(workspace, team, monkeypatch, capsys, plan_file):
    team.session("cara", "contributor")
    code, _, err = as_user(monkeypatch, team, "cara", capsys, "post", "import", str(plan_file[0]))
    assert code == 1 and "needs post.submit" in err


def test_a_stop_between_rows_ends_the_import_after_the_row_in_hand(workspace, team, plan_file):
    """Ctrl+C (``should_stop``) ends it after a whole row; the next import adds the rest."""
    path, _ = plan_file
    ed = team.login("ed")
    plan = workspace.post_import.plan(ed, path.read_text(encoding="utf-8"), "plan.csv", acknowledge=["brand.banned"])
    asked = iter([False, True])
    report = workspace.post_import.apply(ed, plan, acknowledge=["brand.banned"], should_stop=lambda: next(asked))
    assert report.interrupted and report.last_line == 2 and len(report.submitted) == 1
    again = workspace.post_import.plan(ed, path.read_text(encoding="utf-8"), "plan.csv", acknowledge=["brand.banned"])
    assert [row.line for row in again.already] == [2] and [row.line for row in again.new] == [4, 12, 13]
    rest = workspace.post_import.apply(ed, again, acknowledge=["brand.banned"])
    assert not rest.interrupted and len(rest.submitted) == 3
