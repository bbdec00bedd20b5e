"""The service calls behind the compose screen: save, submit, open, list images.

Each method runs in a thread worker (``SocopsApp.call_service``) and acts as
the logged-in person; the services check permissions, scope, the policy and
the post's version. The screen only passes what the form holds; nothing here
touches a widget, so it can be driven without a terminal.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from console.permissions import Actor
from console.policy import CheckResult, ContentPolicy, Draft, check_draft
from console.errors import ConsoleError
from console.posts import Post
from screens.compose.form import AttachedImage, PostForm, TargetAccount


@dataclass(frozen=True)
class AccountChoice:
    """The accounts a post may target (in scope), and every known account by id."""

    postable: list[TargetAccount]
    known: dict[str, TargetAccount]


@dataclass(frozen=True)
class OpenedPost:
    """A post read for editing, with its images as the library describes them."""

    post: Post
    images: list[AttachedImage]


def attached(asset) -> AttachedImage:
    return AttachedImage(asset.id, asset.title, asset.alt_text, asset.mime_type or "image/jpeg")


class ComposeActions:
    """What the compose screen asks of the post, library and policy services."""

    def __init__(self, workspace, actor: Actor) -> None:
        self.workspace = workspace
        self.actor = actor

    # -- reading --------------------------------------------------------------------------
    def accounts(self) -> "AccountChoice":
        """Every account the workspace knows, and those in the actor's scope: the ones a
        post may target (the region as the post service sees it: the governance
        file's, if it names one)."""
        scope, region = self.actor.scope(), self.workspace.posts.region
        known = [TargetAccount(a.account_id, a.platform, a.handle, region(a.account_id) or a.region, a.timezone)
                 for a in self.workspace.accounts]
        return AccountChoice([a for a in known if scope.covers(a.account_id, a.region)],
                             {a.account_id: a for a in known})

    def usable_images(self) -> list[AttachedImage]:
        """Library images that may be attached now (approved, not retired, not expired)."""
        return [attached(a) for a in self.workspace.library.list(self.actor, kind="image", usable_only=True)]

    def open(self, post_id: str) -> OpenedPost:
        post = self.workspace.posts.show(self.actor, post_id)
        images = []
        for asset_id in post.assets:
            try:
                images.append(attached(self.workspace.library.get(asset_id)))
            except ConsoleError:  # gone from the library: the checks say so on saving
                images.append(AttachedImage(asset_id, "(not in the library)"))
        return OpenedPost(post, images)

    def check(self, draft: Draft) -> CheckResult:
        """The live check: the policy in force, run on the form's draft (a few ms).
        Targets are taken as the post service takes them (the governance file may
        put an account in another region than its platform says)."""
        targets = tuple(self.workspace.post_target(t.account_id) or t for t in draft.targets)
        return check_draft(self.policy(), replace(draft, targets=targets))

    def policy(self) -> ContentPolicy:
        return self.workspace.governance.content

    # -- writing --------------------------------------------------------------------------
    def save(self, form_content: "SavedContent") -> Post:
        """Create the post, or edit it at the version the form was opened with."""
        posts, content = self.workspace.posts, form_content
        if content.post_id is None:
            return posts.draft(self.actor, content.targets, content.text, variants=content.variants,
                               tags=content.tags, assets=content.assets, proposed_at=content.proposed_at)
        return posts.edit(self.actor, content.post_id, expected_version=content.version, text=content.text,
                          variants=content.variants, tags=content.tags, assets=content.assets,
                          targets=content.targets, proposed_at=content.proposed_at)

    def submit(self, post_id: str, version: int | None, acknowledge: Iterable[str] = ()) -> Post:
        return self.workspace.posts.submit(self.actor, post_id, acknowledge=tuple(acknowledge),
                                           expected_version=version)


@dataclass(frozen=True)
class SavedContent:
    """A snapshot of the form as sent to the service (the form may change meanwhile)."""

    post_id: str | None
    version: int | None
    targets: tuple[str, ...]
    text: str
    variants: Mapping[str, str]
    tags: tuple[str, ...]
    assets: tuple[str, ...]
    proposed_at: datetime | None
    compared: tuple  # PostForm.content() at the time: what "saved" means afterwards

    @classmethod
    def of(cls, form: PostForm, accounts: Mapping[str, TargetAccount], proposed_at: datetime | None
           ) -> "SavedContent":
        return cls(form.post_id, form.version, tuple(form.targets), form.text, form.saved_variants(accounts),
                   form.tags, form.asset_ids, proposed_at, form.content())
