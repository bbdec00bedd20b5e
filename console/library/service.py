"""The content library: approved, reusable content, and the rule that only
approved, unexpired content is used.

Anyone who drafts (``post.draft``) may add an asset; responders
(``inbox.reply``) may add saved replies too. It is added *pending* and
someone with ``post.approve`` who is not its owner approves it: a person
cannot vouch for their own content. Compose and the inbox take assets only
through :meth:`LibraryService.require_usable`, which refuses a pending,
expired, retired or wrong-kind asset saying why, so governance cannot be
skipped by knowing an id.

Retiring keeps the record (and the image file): what was published with an
asset stays explainable. Every change and its audit event are one store
transaction (:meth:`console.audit.trail.AuditTrail.apply`), compare-and-set on the
asset's version, so two approvers cannot both act on the same pending asset.

Images are stored content-addressed (``files.py``): the file is written
before its record, and removed again if the record cannot be written, so a
record never names a missing file. Asset records: ``assets.py``.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Iterable, Mapping
from datetime import date, datetime, time, timezone
from pathlib import Path
from typing import Any, Protocol

from console.permissions import INBOX_REPLY, PERMISSIONS, POST_APPROVE, POST_DRAFT, Actor, PermissionDenied
from console.audit import AuditNote, AuditTrail
from console.library.assets import (APPROVED, EXPIRED, HOLDING_STATEMENT, ID_PREFIXES, IMAGE, KINDS,
                                    PENDING, RETIRED, SAVED_REPLY, STATES, TEMPLATE, TEXT_KINDS,
                                    Asset, asset_from_record, check_alt_text, check_kind, check_template,
                                    check_text, check_title, clean_tags, fill_template, kind_label,
                                    template_placeholders)
from console.library.files import LibraryError, content_hash, read_image, store_file
from console.records import format_time
from console.untrusted import one_line
from data import CollectionSpec, ConflictError, Store

LIBRARY = "library"
LIBRARY_COLLECTIONS = (CollectionSpec(LIBRARY, schema_version=1, fields=("kind", "state", "sha256")),)
MAX_REASON_CHARS = 500

#: Who may read the library: writers of posts and writers of replies.
READERS = (POST_DRAFT, INBOX_REPLY)

__all__ = ["LIBRARY", "LIBRARY_COLLECTIONS", "Asset", "LibraryError", "LibraryService", "KINDS",
           "STATES", "PENDING", "APPROVED", "RETIRED", "EXPIRED", "describe_moment"]


class Sample(Protocol):
    """Demo content for :meth:`LibraryService.add_samples`."""

    id: str
    title: str
    text: str
    tags: tuple[str, ...]
    kind: str


def describe_moment(moment: datetime) -> str:
    """``2026-12-01`` for midnight UTC (a date typed as an expiry), else ``2026-12-01 14:30 UTC``."""
    moment = moment.astimezone(timezone.utc)
    if moment.time() == time(0, 0):
        return moment.date().isoformat()
    return moment.strftime("%Y-%m-%d %H:%M UTC")


def require_any(actor: Actor, permissions: tuple[str, ...]) -> None:
    """Pass if ``actor`` holds one of ``permissions``. A refusal that is not about
    the permission itself (locked session, policy to acknowledge, step-up) is
    raised as it is; otherwise the message names every permission that would do."""
    first: PermissionDenied | None = None
    for permission in permissions:
        try:
            actor.require(permission)
            return
        except PermissionDenied as refused:
            if type(refused) is not PermissionDenied:
                raise
            first = first or refused
    if len(permissions) == 1 and first is not None:
        raise first
    wanted = " or ".join(permissions)
    raise PermissionDenied(f"{actor.name} may not {PERMISSIONS.get(permissions[0], permissions[0])}: "
                           f"needs {wanted}", permission=permissions[0])


class LibraryService:
    def __init__(self, store: Store, audit: AuditTrail, clock: Callable[[], datetime], files_dir: Path) -> None:
        self.store = store
        self.audit = audit
        self.clock = clock
        self.files_dir = Path(files_dir)

    # -- adding ----------------------------------------------------------------------
    def add_image(self, actor: Actor, path: str | Path, *, title: str, alt_text: str,
                  tags: tuple[str, ...] | list[str] = (), expires_at: datetime | date | None = None) -> Asset:
        """Add the image at ``path`` (pending approval); refused if the same bytes are
        already a pending or approved asset."""
        actor.require(POST_DRAFT)
        title, alt_text = check_title(title), check_alt_text(alt_text)
        tags, expiry = clean_tags(tags), self._expiry(expires_at)
        data, info = read_image(Path(path))
        sha256 = content_hash(data)
        duplicate = self._live_with_hash(sha256)
        if duplicate:
            raise LibraryError(f"this image is already in the library as {duplicate} "
                               f"({self.status(self.get(duplicate))}); use that asset, or retire it first")
        file_name = f"{sha256}.{info.extension}"
        created = store_file(self.files_dir, file_name, data)
        body = {"kind": IMAGE, "title": title, "alt_text": alt_text, "sha256": sha256,
                "file_name": file_name, "mime_type": info.mime_type, "size": len(data),
                "width": info.width, "height": info.height}
        try:
            return self._insert(actor, self._image_id(sha256), body, tags, expiry,
                                f"image {info.mime_type}, {len(data)} bytes, sha256 {sha256}")
        except BaseException:
            if created:
                self._drop_unrecorded_file(sha256, file_name)
            raise

    def add_text(self, actor: Actor, kind: str, *, title: str, text: str,
                 tags: tuple[str, ...] | list[str] = (), expires_at: datetime | date | None = None) -> Asset:
        """Add a snippet, template, saved reply or holding statement (pending approval)."""
        kind = check_kind(kind, TEXT_KINDS)
        require_any(actor, (POST_DRAFT, INBOX_REPLY) if kind == SAVED_REPLY else (POST_DRAFT,))
        title, text = check_title(title), check_text(text)
        if kind == TEMPLATE:
            check_template(text)
        tags, expiry = clean_tags(tags), self._expiry(expires_at)
        key = self._new_text_id(kind)
        return self._insert(actor, key, {"kind": kind, "title": title, "text": text}, tags, expiry,
                            f"{kind_label(kind)} of {len(text)} characters, sha256 "
                            f"{content_hash(text.encode('utf-8'))}")

    def _insert(self, actor: Actor, key: str, body: dict, tags: tuple[str, ...],
                expiry: datetime | None, description: str) -> Asset:
        record = {**body, "tags": list(tags), "owner": actor.name, "state": PENDING,
                  "created_at": format_time(self.clock()), "expires_at": format_time(expiry)}

        def change(tx: Any) -> AuditNote:
            tx.insert(LIBRARY, key, record)
            return AuditNote("library.add", f"library/{key}",
                             f"{description}: {one_line(body['title'], 80)!r}")

        try:
            self.audit.apply(actor.name, change)
        except ConflictError:
            raise LibraryError(f"{key} was added by someone else at the same moment; try again") from None
        return self.get(key)

    def add_samples(self, by: str, samples: Iterable[Sample]) -> list[str]:
        """Demo content a sandbox workspace starts with (sample holding statements),
        added approved by the system actor ``by``: the library asks a second person to
        approve real content, and these are no one's; their titles say they are
        samples. An id already present (even retired) is left as it is, so a sample
        someone retired stays retired. Returns the ids added."""
        now = format_time(self.clock())
        samples = tuple(samples)
        added: list[str] = []

        def change(tx: Any) -> list[AuditNote]:
            added.clear()
            notes = []
            for sample in samples:
                kind = check_kind(sample.kind, TEXT_KINDS)
                if self.store.has(LIBRARY, sample.id):
                    continue
                tx.insert(LIBRARY, sample.id, {
                    "kind": kind, "title": check_title(sample.title), "text": check_text(sample.text),
                    "tags": list(clean_tags(sample.tags)), "owner": by, "state": APPROVED, "created_at": now,
                    "expires_at": None, "approved_by": by, "approved_at": now}, if_absent=True)
                added.append(sample.id)
                notes.append(AuditNote("library.sample", f"library/{sample.id}",
                                       f"sample {kind_label(kind)} added approved by {by} (demo content): "
                                       f"{one_line(sample.title, 80)!r}"))
            return notes

        self.audit.apply(by, change)
        return list(added)

    # -- approving and retiring -----------------------------------------------------
    def approve(self, actor: Actor, asset_id: str, *, expires_at: datetime | date | None = None) -> Asset:
        """Approve a pending asset that someone else added (``expires_at`` replaces its expiry)."""
        actor.require(POST_APPROVE)
        asset = self.get(asset_id)
        if asset.state != PENDING:
            raise LibraryError(f"{asset.id} is {self._history(asset)}; only pending assets can be approved")
        if asset.owner == actor.name:
            raise PermissionDenied(f"{actor.name} added {asset.id}: someone else must approve it "
                                   "(nobody approves their own content)", permission=POST_APPROVE)
        now = self.clock()
        if expires_at is not None:
            expiry = self._expiry(expires_at)
        elif asset.expired_at(now):
            raise LibraryError(f"{asset.id} expired on {describe_moment(asset.expires_at)} before it was "
                               "approved; approve it with a new expiry date")
        else:
            expiry = asset.expires_at
        until = f", expires {describe_moment(expiry)}" if expiry else ", no expiry"
        return self._update(actor, asset, {"state": APPROVED, "approved_by": actor.name,
                                           "approved_at": format_time(now), "expires_at": format_time(expiry)},
                            "library.approve", f"approved {kind_label(asset.kind)}{until}")

    def retire(self, actor: Actor, asset_id: str, reason: str = "") -> Asset:
        """Take an asset out of use, keeping its record and file. Approvers may retire
        any asset; its owner may withdraw it while it is still pending."""
        asset = self.get(asset_id)
        if asset.state == PENDING and asset.owner == actor.name:
            require_any(actor, (POST_DRAFT, INBOX_REPLY) if asset.kind == SAVED_REPLY else (POST_DRAFT,))
        else:
            actor.require(POST_APPROVE)
        if asset.state == RETIRED:
            raise LibraryError(f"{asset.id} is already {self._history(asset)}")
        reason = (reason or "").strip()
        if len(reason) > MAX_REASON_CHARS:
            raise LibraryError(f"the reason has {len(reason)} characters; keep it to {MAX_REASON_CHARS}")
        summary = f"retired {kind_label(asset.kind)}" + (f": {one_line(reason, 200)}" if reason else "")
        return self._update(actor, asset, {"state": RETIRED, "retired_by": actor.name,
                                           "retired_at": format_time(self.clock()), "retire_reason": reason},
                            "library.retire", summary)

    def _update(self, actor: Actor, asset: Asset, values: dict, action: str, summary: str) -> Asset:
        def change(tx: Any) -> AuditNote:
            tx.update(LIBRARY, asset.id, values, expected_version=asset.version)
            return AuditNote(action, f"library/{asset.id}", summary)

        try:
            self.audit.apply(actor.name, change)
        except ConflictError:
            self.store.refresh()
            now = self.get(asset.id)
            raise LibraryError(f"{asset.id} was changed meanwhile (it is now {self._history(now)}); "
                               "nothing was overwritten; look again") from None
        return self.get(asset.id)

    # -- reading ---------------------------------------------------------------------
    def get(self, asset_id: str) -> Asset:
        key = (asset_id or "").strip().lower()
        raw = self.store.get(LIBRARY, key) if key else None
        if raw is None:
            raise LibraryError(f"no library asset {one_line(asset_id or '', 40)!r}; "
                               "list them with `socops library list`")
        return asset_from_record(raw)

    def show(self, actor: Actor, asset_id: str) -> Asset:
        """One asset, for someone who may read the library."""
        require_any(actor, READERS)
        return self.get(asset_id)

    def list(self, actor: Actor, *, kind: str | None = None, state: str | None = None,
             usable_only: bool = False, tag: str | None = None) -> list[Asset]:
        """Assets, newest first. ``state`` is a stored state, or ``expired`` for
        assets past their expiry that are not retired."""
        require_any(actor, READERS)
        kind = check_kind(kind) if kind else None
        if state is not None and state not in (*STATES, EXPIRED):
            raise LibraryError(f"{state!r} is not a state; use one of {', '.join((*STATES, EXPIRED))}")
        wanted_tag = (tag or "").strip().lstrip("#").casefold()
        projection = self.store.projection(LIBRARY)
        found = []
        for key, (asset_kind, _state, _sha) in list(projection.items()):
            if kind and asset_kind != kind:
                continue
            raw = self.store.get(LIBRARY, key)
            if raw is None:
                continue
            asset = asset_from_record(raw)
            if state == EXPIRED and self.status(asset) != EXPIRED:
                continue
            if state in STATES and asset.state != state:
                continue
            if usable_only and not self.usable(asset):
                continue
            if wanted_tag and wanted_tag not in asset.tags:
                continue
            found.append(asset)
        found.sort(key=lambda a: (a.created_at, a.id), reverse=True)
        return found

    def image_named(self, actor: Actor, name: str) -> Asset:
        """The image whose id is ``name``, or else the one image titled ``name``
        (case ignored), for files that name images by title; LibraryError saying
        why there is none, or which ids share the title."""
        require_any(actor, READERS)
        wanted = " ".join((name or "").split())
        if not wanted:
            raise LibraryError("no image named: give a library image's id or title")
        if self.store.has(LIBRARY, wanted.lower()):
            asset = self.get(wanted)
            if asset.kind != IMAGE:
                raise LibraryError(f"{asset.id} is {_article(asset.kind)} {kind_label(asset.kind)}, not an image")
            return asset
        titled = [asset for asset in self.list(actor, kind=IMAGE)
                  if " ".join(asset.title.split()).casefold() == wanted.casefold()]
        if not titled:
            raise LibraryError(f"no library image has the id or title {one_line(wanted, 60)!r}; "
                               "`socops library list --kind image` lists them")
        if len(titled) > 1:
            raise LibraryError(f"{len(titled)} images are titled {one_line(wanted, 60)!r} "
                               f"({', '.join(a.id for a in titled)}); give the id instead")
        return titled[0]

    def saved_replies(self, actor: Actor) -> list[Asset]:
        """The usable saved replies, for the inbox reply editor."""
        return sorted(self.list(actor, kind=SAVED_REPLY, usable_only=True), key=lambda a: a.title.casefold())

    def holding_statements(self, actor: Actor) -> list[Asset]:
        """The usable pre-approved holding statements, for the crisis screen."""
        return sorted(self.list(actor, kind=HOLDING_STATEMENT, usable_only=True),
                      key=lambda a: a.title.casefold())

    def usable(self, asset: Asset) -> bool:
        """Approved, not retired and not expired, now."""
        return asset.state == APPROVED and not asset.expired_at(self.clock())

    def status(self, asset: Asset) -> str:
        """The state to show now: ``retired``, ``expired``, ``pending`` or ``approved``."""
        if asset.state == RETIRED:
            return RETIRED
        if asset.expired_at(self.clock()):
            return EXPIRED
        return asset.state

    def require_usable(self, asset_id: str, kind: str | None = None) -> Asset:
        """The asset, if it may be used now (as ``kind``); else LibraryError saying why not."""
        asset = self.get(asset_id)
        if kind is not None and asset.kind != check_kind(kind):
            raise LibraryError(f"{asset.id} is {_article(asset.kind)} {kind_label(asset.kind)}, "
                               f"not {_article(kind)} {kind_label(check_kind(kind))}")
        if not self.usable(asset):
            raise LibraryError(f"{asset.id} cannot be used: it is {self._history(asset)}")
        return asset

    def _history(self, asset: Asset) -> str:
        """Why an asset is in its state, for messages: who, when and (retired) why."""
        if asset.state == RETIRED:
            when = describe_moment(asset.retired_at) if asset.retired_at else "an unknown date"
            reason = f": {one_line(asset.retire_reason, 200)}" if asset.retire_reason else ""
            return f"retired by {asset.retired_by or 'someone'} on {when}{reason}"
        if asset.expired_at(self.clock()):
            return f"expired on {describe_moment(asset.expires_at)}; add a new version for approval"
        if asset.state == PENDING:
            return (f"pending approval (added by {asset.owner}); someone with post.approve other "
                    f"than {asset.owner} must approve it: `socops library approve {asset.id}`")
        return f"approved by {asset.approved_by or 'someone'}"

    # -- templates and files -------------------------------------------------------
    def placeholders(self, asset: Asset) -> list[str]:
        """A template's placeholder names in order (none for other kinds)."""
        return template_placeholders(asset.text) if asset.kind == TEMPLATE else []

    def fill(self, asset: Asset, values: Mapping[str, str]) -> str:
        """The template's text with its placeholders filled; LibraryError naming the
        missing (and the unexpected) ones."""
        if asset.kind != TEMPLATE:
            raise LibraryError(f"{asset.id} is {_article(asset.kind)} {kind_label(asset.kind)}, "
                               "not a template: there is nothing to fill")
        return fill_template(asset.text, values)

    def file_path(self, asset: Asset) -> Path:
        if not asset.is_image:
            raise LibraryError(f"{asset.id} is {_article(asset.kind)} {kind_label(asset.kind)}: it has no file")
        return self.files_dir / asset.file_name

    # -- helpers ---------------------------------------------------------------------
    def _expiry(self, value: datetime | date | None) -> datetime | None:
        """An expiry as an aware datetime: a date means its midnight UTC (the first
        moment the asset no longer counts). It must lie in the future."""
        if value is None:
            return None
        if not isinstance(value, datetime):
            value = datetime.combine(value, time(0, 0), tzinfo=timezone.utc)
        elif value.tzinfo is None:
            raise LibraryError("an expiry time needs a time zone")
        if value <= self.clock():
            raise LibraryError(f"the expiry {describe_moment(value)} is not in the future; give a later date")
        return value

    def _live_with_hash(self, sha256: str, *, include_retired: bool = False) -> str:
        """The id of a (non-retired) image with these bytes, or ""."""
        for key, (kind, state, sha) in list(self.store.projection(LIBRARY).items()):
            if kind == IMAGE and sha == sha256 and (include_retired or state != RETIRED):
                return key
        return ""

    def _drop_unrecorded_file(self, sha256: str, file_name: str) -> None:
        """Remove a file this call wrote when its record could not be written, unless
        another process recorded the same bytes meanwhile."""
        try:
            self.store.refresh()
            if not self._live_with_hash(sha256, include_retired=True):
                (self.files_dir / file_name).unlink(missing_ok=True)
        except Exception:   # the original error matters more; an orphan file is harmless
            pass

    def _image_id(self, sha256: str) -> str:
        """``img-`` and the hash's first 8 hex digits; ``-2``, ``-3``... when that id is
        taken (a retired copy of the same image, or another image sharing the prefix)."""
        base = f"{ID_PREFIXES[IMAGE]}-{sha256[:8]}"
        key, number = base, 1
        while self.store.has(LIBRARY, key):
            number += 1
            key = f"{base}-{number}"
        return key

    def _new_text_id(self, kind: str) -> str:
        while True:
            key = f"{ID_PREFIXES[kind]}-{secrets.token_hex(4)}"
            if not self.store.has(LIBRARY, key):
                return key


def _article(kind: str) -> str:
    return "an" if kind[:1] in "aeiou" else "a"
