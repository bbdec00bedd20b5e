"""What the Approvals panel loads, and the messages that bring it to the UI thread.

:func:`load_posts` runs in a thread worker (it reads the store); the
messages carry its results, the detail of a post and the store's change
notices back to the UI thread, where the screen owns every change.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

from console.permissions import Actor
from console.errors import ConsoleError
from console.notices import Notice
from console.posts import Post
from screens.approvals.queue import MINE, QUEUE
from screens.approvals.post_format import STATUS_ORDER

if TYPE_CHECKING:
    from console.workspace import Workspace

#: Posts decoded with the queue (about two screens); the rest are decoded when scrolled to.
PREFETCH = 60


@dataclass(frozen=True)
class PostsLoaded:
    """One load of the list: ``ids`` in order, the posts decoded so far, unread notices."""

    view: str
    ids: list[str]
    posts: dict[str, Post]
    notices: list[Notice] = field(default_factory=list)


def load_posts(workspace: "Workspace", actor: Actor, view: str) -> PostsLoaded:
    """The approver's queue (oldest proposed time first) or the actor's own posts
    (what needs them first), and their unread notices. Runs in a thread."""
    notices = workspace.notices.unread(actor.name)
    if view == MINE:
        posts = workspace.posts.list(actor, mine=True)
        order = {status: index for index, status in enumerate(STATUS_ORDER)}
        posts.sort(key=lambda p: (order.get(p.status, len(order)), p.proposed_at is None,
                                  p.proposed_at or p.created_at))
        return PostsLoaded(view, [p.id for p in posts], {p.id: p for p in posts}, notices)
    ids = workspace.approvals.queue_ids(actor)
    posts = {}
    for post_id in ids[:PREFETCH]:
        try:
            posts[post_id] = workspace.posts.get(post_id)
        except ConsoleError:
            continue  # removed meanwhile: the row says so
    return PostsLoaded(QUEUE, ids, posts, notices)



class DetailLoaded(Message):
    """The detail of a post was gathered; ``key`` says which view of it was asked for."""

    def __init__(self, detail, key: tuple) -> None:
        super().__init__()
        self.detail = detail
        self.key = key
