"""What the compose screen holds while someone writes a post: plain data, no Textual.

The form is the one source of truth for the post being written (targets,
main text, per-platform variants, tags, images, proposed time, which saved
post it is); the widgets show it and write into it. Keeping it apart from
the widgets makes "nothing lost when switching panels" and "is this
unsaved?" plain comparisons, testable without a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from console.policy import Attachment, Draft, Target
from console.posts import CHANGES_REQUESTED, Post
from console.untrusted import one_line

#: The editor slot of the main text (the others are platform names).
ALL_PLATFORMS = ""

_TAG_SEPARATORS = re.compile(r"[\s,;]+")


def parse_tags(text: str) -> tuple[str, ...]:
    """``"Promo, #launch promo"`` -> ``("promo", "launch")``: tags compare case-insensitively."""
    tags: list[str] = []
    for word in _TAG_SEPARATORS.split(text):
        tag = word.lstrip("#").casefold()
        if tag and tag not in tags:
            tags.append(tag)
    return tuple(tags)


@dataclass(frozen=True)
class TargetAccount:
    """An account a post may go to, as the compose screen shows it (copied from the
    workspace's accounts; the region is the one the post service uses)."""

    account_id: str
    platform: str
    handle: str
    region: str = ""
    timezone: str = "UTC"


@dataclass(frozen=True)
class AttachedImage:
    """A library image on the post, with what the screen and the checks need of it."""

    asset_id: str
    title: str = ""
    alt_text: str = ""
    mime_type: str = "image/jpeg"

    def attachment(self) -> Attachment:
        return Attachment(self.asset_id, self.alt_text, self.mime_type)


class PostForm:
    """The post being written; ``post_id`` None until it is first saved."""

    def __init__(self) -> None:
        self.post_id: str | None = None
        self.version: int | None = None
        self.status = ""
        self.targets: list[str] = []
        self.text = ""
        self.variants: dict[str, str] = {}
        self.tags_text = ""
        self.images: list[AttachedImage] = []
        self.when_text = ""
        #: What the approvers asked for when the post came back ("" otherwise): kept in
        #: sight while the author answers it.
        self.asked = ""
        self._saved = self.content()

    # -- unsaved changes -----------------------------------------------------------------
    def content(self) -> tuple:
        """Everything saving would write, in a comparable shape."""
        # The service strips leading and trailing blank lines; they are no change.
        variants = tuple(sorted((p, t.strip("\n")) for p, t in self.variants.items() if t.strip()))
        return (tuple(self.targets), self.text.strip("\n"), variants, parse_tags(self.tags_text),
                tuple(image.asset_id for image in self.images), self.when_text.strip())

    @property
    def dirty(self) -> bool:
        """Changed since it was opened or last saved."""
        return self.content() != self._saved

    @property
    def blank(self) -> bool:
        """A new post nobody has written anything into yet."""
        return self.post_id is None and not self.dirty

    # -- kept on disk while unsaved (console.unsaved) -----------------------------------
    def to_data(self) -> dict:
        """Everything in the form as plain JSON data, the images and what was last saved included."""
        return {"post_id": self.post_id, "version": self.version, "status": self.status,
                "targets": list(self.targets), "text": self.text, "variants": dict(self.variants),
                "tags_text": self.tags_text, "when_text": self.when_text,
                "images": [{"asset_id": i.asset_id, "title": i.title, "alt_text": i.alt_text,
                            "mime_type": i.mime_type} for i in self.images],
                "saved": _as_lists(self._saved)}

    @classmethod
    def from_data(cls, data: dict) -> "PostForm":
        """The form :meth:`to_data` described; unsaved again, as it was. The post's
        texts stay exactly as written (the editor shows hidden characters, the
        checks name them); the one-line fields are made safe for the terminal,
        as a file on disk could hold anything."""
        form = cls()
        form.post_id, form.version, form.status = data.get("post_id"), data.get("version"), data.get("status", "")
        form.targets = [str(t) for t in data.get("targets", [])]
        form.text = str(data.get("text", ""))
        form.variants = {str(p): str(t) for p, t in dict(data.get("variants", {})).items()}
        form.tags_text = one_line(str(data.get("tags_text", "")))
        form.when_text = one_line(str(data.get("when_text", "")))
        form.images = [AttachedImage(str(i["asset_id"]), str(i.get("title", "")), str(i.get("alt_text", "")),
                                     str(i.get("mime_type", "image/jpeg"))) for i in data.get("images", [])]
        if "saved" in data:
            form._saved = _as_tuples(data["saved"])
        return form

    def mark_saved(self, post_id: str, version: int, status: str, content: tuple | None = None) -> None:
        """The post is stored as ``content`` (default: as the form is now; a save
        passes what it sent, so typing during the save still counts as unsaved)."""
        self.post_id, self.version, self.status = post_id, version, status
        self._saved = self.content() if content is None else content

    # -- targets and variants ------------------------------------------------------------
    def toggle_target(self, account_id: str) -> None:
        if account_id in self.targets:
            self.targets.remove(account_id)
        else:
            self.targets.append(account_id)

    def platforms(self, accounts: Mapping[str, TargetAccount]) -> list[str]:
        """The distinct platforms of the targets, in target order (the variant slots)."""
        found: list[str] = []
        for account_id in self.targets:
            account = accounts.get(account_id)
            if account is not None and account.platform not in found:
                found.append(account.platform)
        return found

    def slot_text(self, slot: str) -> str:
        return self.text if slot == ALL_PLATFORMS else self.variants.get(slot, "")

    def set_slot_text(self, slot: str, text: str) -> None:
        if slot == ALL_PLATFORMS:
            self.text = text
        elif text:
            self.variants[slot] = text
        else:
            self.variants.pop(slot, None)

    def saved_variants(self, accounts: Mapping[str, TargetAccount]) -> dict[str, str]:
        """The variants worth saving: written, and for a platform still targeted
        (a variant of an untargeted platform stays in the form until it is left)."""
        platforms = self.platforms(accounts)
        return {p: t for p, t in self.variants.items() if p in platforms and t.strip()}

    # -- what the checks and the services get --------------------------------------------
    @property
    def tags(self) -> tuple[str, ...]:
        return parse_tags(self.tags_text)

    @property
    def asset_ids(self) -> tuple[str, ...]:
        return tuple(image.asset_id for image in self.images)

    def draft(self, accounts: Mapping[str, TargetAccount]) -> Draft:
        """The policy checks' view of the form; targets unknown to the workspace are left out."""
        targets = tuple(Target(a.account_id, a.platform, a.region)
                        for a in (accounts.get(i) for i in self.targets) if a is not None)
        return Draft(self.text, targets=targets, variants=self.saved_variants(accounts), tags=self.tags,
                     attachments=tuple(image.attachment() for image in self.images))


def _as_lists(value):
    return [_as_lists(v) for v in value] if isinstance(value, (tuple, list)) else value


def _as_tuples(value):
    return tuple(_as_tuples(v) for v in value) if isinstance(value, list) else value


def form_from_post(post: Post, images: list[AttachedImage], when_text: str) -> PostForm:
    """A form holding ``post`` exactly as stored: a hidden character typed through
    the CLI stays, for the editor to show and the checks to report (dropping it
    here would show a text other than the one that is saved)."""
    form = PostForm()
    form.targets = list(post.targets)
    form.text = post.text
    form.variants = dict(post.variants)
    form.tags_text = ", ".join(post.tags)
    form.images = list(images)
    form.when_text = when_text
    form.mark_saved(post.id, post.version, post.status)
    if post.status == CHANGES_REQUESTED:
        asked = next((entry for entry in reversed(post.history) if entry.action == "changes"), None)
        if asked is not None:
            # Two lines at most at 80 columns: the whole note is in the Approvals panel.
            form.asked = f"{one_line(asked.by, 30)} asked for changes: {one_line(asked.note, 120)}"
    return form
