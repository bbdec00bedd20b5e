"""The content library service: adding each kind, image files, approval, expiry,
retirement, templates, and the refusals that keep unapproved content out of use."""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime, timezone

import pytest

from console.errors import StorageProblem
from console.library import EXPIRED, LIBRARY, LibraryError
from console.permissions import PermissionDenied
from tests.actors import RoleActor
from tests.console.library_images import gif, jpeg, png, webp

MIA = RoleActor("mia", "manager")
OTTO = RoleActor("otto", "manager")
EDDIE = RoleActor("eddie", "editor")
ROB = RoleActor("rob", "responder")
VIC = RoleActor("vic", "viewer")
HOSTILE = "\x1b]0;pwned\x07[bold red]Sale[/] \x1b[2J\x9b31m\u202edone"


@pytest.fixture
def library(workspace):
    return workspace.library


@pytest.fixture
def image_file(tmp_path):
    def make(name: str, data: bytes):
        path = tmp_path / "incoming" / name
        path.parent.mkdir(exist_ok=True)
        path.write_bytes(data)
        return path
    return make


def stored_files(library) -> list[str]:
    return sorted(os.listdir(library.files_dir)) if library.files_dir.exists() else []


def library_events(workspace) -> list[tuple]:
    return [(e["actor"], e["action"], e["target"]) for e in workspace.audit.events()
            if e["action"].startswith("library.")]


# -- adding ---------------------------------------------------------------------------------
def test_every_kind_is_added_pending_owned_and_audited(workspace, library, image_file):
    image = library.add_image(EDDIE, image_file("logo.png", png()), title="Logo", alt_text="Our logo",
                              tags=["#Brand", "logo", "brand"])
    texts = {kind: library.add_text(EDDIE, kind, title=f"a {kind}", text=f"{kind} text {{{{name}}}}")
             for kind in ("snippet", "template", "saved-reply", "holding_statement")}
    assert image.id == "img-" + hashlib.sha256(png()).hexdigest()[:8]
    assert image.tags == ("brand", "logo") and image.mime_type == "image/png"
    assert (image.width, image.height, image.size) == (3, 2, len(png()))
    prefixes = {kind: asset.id.split("-")[0] for kind, asset in texts.items()}
    assert prefixes == {"snippet": "snp", "template": "tpl", "saved-reply": "rpl", "holding_statement": "hld"}
    assert texts["saved-reply"].kind == "saved_reply"
    for asset in [image, *texts.values()]:
        assert len(asset.id.split("-")[1]) == 8
        assert (asset.state, asset.owner, asset.created_at) == ("pending", "eddie", workspace.clock())
        assert not library.usable(asset)
        assert library.get(asset.id.upper()) == asset            # ids are typed in any case
    assert library_events(workspace) == [("eddie", "library.add", f"library/{a.id}")
                                         for a in [image, *texts.values()]]


def test_text_is_checked_before_anything_is_written(workspace, library):
    with pytest.raises(LibraryError, match="title"):
        library.add_text(EDDIE, "snippet", title="  ", text="hello")
    with pytest.raises(LibraryError, match="empty"):
        library.add_text(EDDIE, "snippet", title="t", text=" \n ")
    with pytest.raises(LibraryError, match="5,001 characters; the limit is 5,000"):
        library.add_text(EDDIE, "snippet", title="t", text="x" * 5_001)
    with pytest.raises(LibraryError, match="not a library kind"):
        library.add_text(EDDIE, "image", title="t", text="x")
    with pytest.raises(LibraryError, match="not a tag"):
        library.add_text(EDDIE, "snippet", title="t", text="x", tags=["two words"])
    with pytest.raises(LibraryError, match="not in the future"):
        library.add_text(EDDIE, "snippet", title="t", text="x", expires_at=date(2026, 11, 26))
    assert workspace.store.count(LIBRARY) == 0 and library_events(workspace) == []


def test_hostile_text_is_stored_exactly_as_given(library):
    asset = library.add_text(EDDIE, "snippet", title=HOSTILE, text=HOSTILE + "\nline two")
    again = library.get(asset.id)
    assert again.title == HOSTILE and again.text == HOSTILE + "\nline two"


# -- images -----------------------------------------------------------------------------------
def test_an_image_is_recognised_by_its_content_not_its_name(library, image_file):
    with pytest.raises(LibraryError, match="is not a PNG, JPEG, GIF or WEBP image"):
        library.add_image(EDDIE, image_file("photo.png", b"just some text, honestly"), title="t", alt_text="a")
    photo = library.add_image(EDDIE, image_file("photo.png", jpeg(640, 480)), title="Photo", alt_text="A shop")
    assert photo.mime_type == "image/jpeg" and (photo.width, photo.height) == (640, 480)
    assert photo.file_name == f"{photo.sha256}.jpg"
    animation = library.add_image(EDDIE, image_file("anim", gif(5, 7)), title="Anim", alt_text="A wave")
    assert (animation.mime_type, animation.width, animation.height) == ("image/gif", 5, 7)
    modern = library.add_image(EDDIE, image_file("x.bin", webp()), title="Webp", alt_text="Something")
    assert modern.mime_type == "image/webp" and modern.width is None
    assert stored_files(library) == sorted(a.file_name for a in (photo, animation, modern))


def test_the_file_is_kept_content_addressed_and_a_duplicate_names_the_existing_asset(library, image_file):
    data = png(shade=7)
    first = library.add_image(EDDIE, image_file("a.png", data), title="A", alt_text="grey")
    path = library.file_path(first)
    assert path == library.files_dir / f"{hashlib.sha256(data).hexdigest()}.png"
    assert path.read_bytes() == data and first.sha256 == hashlib.sha256(data).hexdigest()
    assert stored_files(library) == [path.name]                   # no temporary file left behind
    with pytest.raises(LibraryError, match=f"already in the library as {first.id} \\(pending\\)"):
        library.add_image(MIA, image_file("renamed.gif", data), title="B", alt_text="grey")

    library.retire(MIA, first.id, "old")
    second = library.add_image(MIA, image_file("b.png", data), title="B", alt_text="grey")
    assert second.id == first.id + "-2" and library.file_path(second) == path
    assert library.get(first.id).state == "retired" and path.exists()


def test_an_image_needs_alt_text_and_a_readable_small_file(workspace, library, image_file, tmp_path):
    good = image_file("a.png", png())
    for alt in ("", "   "):
        with pytest.raises(LibraryError, match="needs alt text"):
            library.add_image(EDDIE, good, title="t", alt_text=alt)
    with pytest.raises(LibraryError, match="no file at"):
        library.add_image(EDDIE, tmp_path / "missing.png", title="t", alt_text="a")
    with pytest.raises(LibraryError, match="is a folder"):
        library.add_image(EDDIE, tmp_path, title="t", alt_text="a")
    huge = image_file("huge.png", png())
    with open(huge, "r+b") as handle:
        handle.truncate(8 * 1024 * 1024 + 1)                       # sparse: cheap to make
    with pytest.raises(LibraryError, match="larger than 8 MB"):
        library.add_image(EDDIE, huge, title="t", alt_text="a")
    if os.geteuid() != 0:
        good.chmod(0)
        with pytest.raises(LibraryError, match="permission denied"):
            library.add_image(EDDIE, good, title="t", alt_text="a")
    assert stored_files(library) == [] and workspace.store.count(LIBRARY) == 0


def test_a_failed_write_leaves_neither_file_nor_record(workspace, library, image_file, monkeypatch):
    def refuse(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError):
        library.add_image(EDDIE, image_file("a.png", png()), title="t", alt_text="a")
    assert stored_files(library) == [] and workspace.store.count(LIBRARY) == 0
    monkeypatch.undo()

    def broken_store(actor, change):
        raise StorageProblem("the audit trail was too busy")

    monkeypatch.setattr(workspace.audit, "apply", broken_store)
    with pytest.raises(StorageProblem):
        library.add_image(EDDIE, image_file("a.png", png()), title="t", alt_text="a")
    assert stored_files(library) == [] and workspace.store.count(LIBRARY) == 0


# -- approval, permissions ----------------------------------------------------------------
def test_an_editor_adds_a_manager_approves_and_nobody_approves_their_own(workspace, library, clock):
    asset = library.add_text(EDDIE, "snippet", title="Hours", text="We are open 9 to 5.")
    with pytest.raises(PermissionDenied, match="needs post.approve"):
        library.approve(EDDIE, asset.id)
    own = library.add_text(MIA, "snippet", title="Mine", text="Mine.")
    with pytest.raises(PermissionDenied, match="someone else must approve it"):
        library.approve(MIA, own.id)
    clock.advance(minutes=5)
    approved = library.approve(MIA, asset.id)
    assert (approved.state, approved.approved_by, approved.approved_at) == ("approved", "mia", clock())
    assert library.usable(approved) and library.require_usable(asset.id, "snippet") == approved
    with pytest.raises(LibraryError, match="only pending assets can be approved"):
        library.approve(OTTO, asset.id)
    assert ("mia", "library.approve", f"library/{asset.id}") in library_events(workspace)


def test_who_may_add_read_and_retire(library):
    with pytest.raises(PermissionDenied, match="needs post.draft"):
        library.add_text(ROB, "snippet", title="t", text="x")
    reply = library.add_text(ROB, "saved_reply", title="Thanks", text="Thanks for writing!")
    with pytest.raises(PermissionDenied, match="needs post.draft or inbox.reply"):
        library.list(VIC)
    assert [a.id for a in library.list(ROB)] == [reply.id]
    with pytest.raises(PermissionDenied):
        library.show(VIC, reply.id)

    mine = library.add_text(EDDIE, "snippet", title="Draft", text="x")
    theirs = library.add_text(MIA, "snippet", title="Other", text="y")
    with pytest.raises(PermissionDenied, match="needs post.approve"):
        library.retire(EDDIE, theirs.id)
    assert library.retire(EDDIE, mine.id, "typo").state == "retired"   # own, still pending
    approved = library.add_text(EDDIE, "snippet", title="Approved", text="z")
    library.approve(MIA, approved.id)
    with pytest.raises(PermissionDenied, match="needs post.approve"):
        library.retire(EDDIE, approved.id)                              # own, but approved


def test_a_stale_approval_from_another_process_is_refused_not_overwritten(library, open_workspace):
    asset = library.add_text(EDDIE, "snippet", title="t", text="x")
    other = open_workspace("otto").library
    assert other.get(asset.id).state == "pending"
    library.approve(MIA, asset.id)
    with pytest.raises(LibraryError, match="changed meanwhile \\(it is now approved by mia\\)"):
        other.retire(OTTO, asset.id, "not ours")


# -- usable or not --------------------------------------------------------------------------
def test_expiry_makes_an_asset_unusable_naming_the_date(library, clock):
    asset = library.add_text(EDDIE, "holding_statement", title="Outage", text="We are on it.",
                             expires_at=date(2026, 12, 1))
    library.approve(MIA, asset.id)
    assert [a.id for a in library.holding_statements(ROB)] == [asset.id]
    clock.advance(days=4, hours=14, minutes=59)                   # 2026-11-30 23:59
    assert library.usable(library.get(asset.id))
    clock.advance(minutes=1)
    expired = library.get(asset.id)
    assert not library.usable(expired) and library.status(expired) == EXPIRED
    assert library.holding_statements(ROB) == []
    with pytest.raises(LibraryError, match="expired on 2026-12-01"):
        library.require_usable(asset.id)
    assert [a.id for a in library.list(MIA, state="expired")] == [asset.id]


def test_an_approver_sets_or_replaces_the_expiry(library, clock):
    asset = library.add_text(EDDIE, "snippet", title="Promo", text="x", expires_at=date(2026, 11, 28))
    clock.advance(days=3)
    with pytest.raises(LibraryError, match="expired on 2026-11-28 before it was approved"):
        library.approve(MIA, asset.id)
    with pytest.raises(LibraryError, match="not in the future"):
        library.approve(MIA, asset.id, expires_at=date(2026, 11, 29))
    later = datetime(2026, 12, 24, 18, 0, tzinfo=timezone.utc)
    assert library.approve(MIA, asset.id, expires_at=later).expires_at == later
    clock.advance(days=25, hours=9)                                # 2026-12-24 18:00
    with pytest.raises(LibraryError, match="expired on 2026-12-24 18:00 UTC"):
        library.require_usable(asset.id)


def test_retired_pending_wrong_kind_and_unknown_assets_are_refused_saying_why(library):
    asset = library.add_text(EDDIE, "saved_reply", title="Sorry", text="Sorry about that!")
    with pytest.raises(LibraryError, match="pending approval \\(added by eddie\\)"):
        library.require_usable(asset.id)
    library.approve(MIA, asset.id)
    with pytest.raises(LibraryError, match=f"{asset.id} is a saved reply, not a template"):
        library.require_usable(asset.id, "template")
    assert [a.id for a in library.saved_replies(ROB)] == [asset.id]
    library.retire(OTTO, asset.id, "tone \x1b[31mchanged")
    with pytest.raises(LibraryError) as refused:
        library.require_usable(asset.id)
    assert "retired by otto on 2026-11-26 09:00 UTC: tone changed" in str(refused.value)
    assert "\x1b" not in str(refused.value)
    assert library.saved_replies(ROB) == []
    with pytest.raises(LibraryError, match="already retired"):
        library.retire(MIA, asset.id)
    with pytest.raises(LibraryError, match="no library asset 'snp-00000000'"):
        library.require_usable("snp-00000000")


def test_list_filters_by_kind_state_tag_and_usability(library, clock, image_file):
    logo = library.add_image(EDDIE, image_file("l.png", png()), title="Logo", alt_text="logo", tags=["brand"])
    clock.advance(minutes=1)
    hours = library.add_text(EDDIE, "snippet", title="Hours", text="9-5", tags=["brand", "support"])
    clock.advance(minutes=1)
    old = library.add_text(EDDIE, "snippet", title="Old", text="x")
    library.approve(MIA, hours.id)
    library.retire(MIA, old.id)
    assert [a.id for a in library.list(MIA)] == [old.id, hours.id, logo.id]       # newest first
    assert [a.id for a in library.list(MIA, kind="snippet")] == [old.id, hours.id]
    assert [a.id for a in library.list(MIA, state="pending")] == [logo.id]
    assert [a.id for a in library.list(MIA, tag="#Brand")] == [hours.id, logo.id]
    assert [a.id for a in library.list(MIA, usable_only=True)] == [hours.id]
    with pytest.raises(LibraryError, match="not a state"):
        library.list(MIA, state="live")


# -- templates ----------------------------------------------------------------------------------
def test_templates_are_filled_and_missing_or_unknown_placeholders_named(library):
    template = library.add_text(EDDIE, "template", title="Welcome",
                                text="Hi {{first_name}}, your code is {{code}}. Bye {{first_name}}!")
    assert library.placeholders(template) == ["first_name", "code"]
    assert library.fill(template, {"first_name": "Ana", "code": "{{code}}"}) == \
        "Hi Ana, your code is {{code}}. Bye Ana!"                              # values taken literally
    with pytest.raises(LibraryError, match="missing code"):
        library.fill(template, {"first_name": "Ana"})
    with pytest.raises(LibraryError, match="missing first_name, code; not in the template: city"):
        library.fill(template, {"city": "Oslo"})
    snippet = library.add_text(EDDIE, "snippet", title="s", text="Hi {{x}}")
    assert library.placeholders(snippet) == []
    with pytest.raises(LibraryError, match="not a template"):
        library.fill(snippet, {})


def test_a_template_needs_well_formed_placeholders(library):
    with pytest.raises(LibraryError, match="at least one"):
        library.add_text(EDDIE, "template", title="t", text="No placeholders here")
    with pytest.raises(LibraryError, match="malformed placeholder near 'Hi {{first name}}"):
        library.add_text(EDDIE, "template", title="t", text="Hi {{first name}}, {{ok}}")
    with pytest.raises(LibraryError, match="malformed"):
        library.add_text(EDDIE, "template", title="t", text="{{ok}} and a stray }}")


def test_an_image_is_found_by_its_id_or_its_one_title(library, image_file):
    harbour = library.add_image(EDDIE, image_file("a.png", png(shade=1)), title="Harbour  photo", alt_text="x")
    assert library.image_named(EDDIE, harbour.id.upper()) == harbour
    assert library.image_named(EDDIE, "harbour photo") == harbour
    other = library.add_image(EDDIE, image_file("b.png", png(shade=2)), title="Harbour photo", alt_text="y")
    with pytest.raises(LibraryError, match=f"2 images are titled 'harbour photo' .*{other.id}.*; give the id"):
        library.image_named(EDDIE, "harbour photo")
    note = library.add_text(EDDIE, "snippet", title="Harbour note", text="hello")
    with pytest.raises(LibraryError, match="is a snippet, not an image"):
        library.image_named(EDDIE, note.id)
    with pytest.raises(LibraryError, match="no library image has the id or title 'pier'"):
        library.image_named(EDDIE, "pier")
    with pytest.raises(PermissionDenied):
        library.image_named(VIC, harbour.id)
