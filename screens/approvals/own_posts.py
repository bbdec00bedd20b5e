"""What an author does with their own posts in the Approvals panel ("mine"):
reopen a draft or a post sent back in Compose, or copy a rejected or expired
one into a new draft (those can no longer change).

Opening goes through the Compose panel's own ``open_post``, which asks
before it replaces unsaved changes, so nothing typed there is lost. The copy
is made by the post service (``PostService.duplicate``, audited) in a
thread, then opened the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from console.posts import CHANGES_REQUESTED, DRAFT, EXPIRED, REJECTED, Post
from screens.approvals.post_format import first_line
from screens.panels import open_post_in_compose
from screens.widgets.prompts import ConfirmPrompt

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.posts import PostService
    from textual.app import App

#: Posts the author goes on writing where they are.
REOPENED = (DRAFT, CHANGES_REQUESTED)
#: Posts that can no longer change: their content goes on in a copy.
COPIED = (REJECTED, EXPIRED)


class OwnPosts:
    """Reopens and copies the author's posts, reporting through ``say``."""

    def __init__(self, app: "App", posts: "PostService", actor: Callable[[], "Actor"], *,
                 say: Callable[..., None]) -> None:
        self.app = app
        self.posts = posts
        self.actor = actor
        self.say = say

    async def open_in_compose(self, post_id: str) -> None:
        """Show ``post_id`` in the Compose panel (it asks first about unsaved changes there)."""
        await open_post_in_compose(self.app, post_id, self.say)

    def offer_copy(self, post: Post) -> None:
        """Ask, then copy a post that can no longer change into a new draft and open that."""
        posts, actor = self.posts, self.actor()

        def copied(copy: Post) -> None:
            self.say(f"Copied {post.id} into the new draft {copy.id}")
            self.app.call_later(self.open_in_compose, copy.id)

        def answered(yes: bool | None) -> None:
            if not yes:
                return
            self.say(f"Copying {post.id}…")
            self.app.call_service(lambda: posts.duplicate(actor, post.id),  # type: ignore[attr-defined]
                                  done=copied, failed=lambda error: self.say(str(error), severity="error"))

        self.app.push_screen(ConfirmPrompt(
            f"Copy {post.id} into a new draft?",
            f"{post.id} is {post.status_label} and can no longer change. A new draft with its text, "
            f"targets, tags and images opens in Compose; {post.id} stays as it is.\n"
            f"{first_line(post.text)}"), answered)
