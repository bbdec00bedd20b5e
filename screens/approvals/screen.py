"""The Approvals panel: the posts waiting for this approver's stage, and the
author's own posts with their notices.

Everyone who drafts may open it: an approver starts on the queue (v shows
their own posts), anyone else on their own posts, with no decision keys (a
key they press anyway says why). In their own posts, Enter reopens a draft or
a post sent back in Compose, and offers to copy a rejected or expired one.

The list holds post ids and is loaded in a worker (the queue reads the
store's projection); the detail pane is gathered in a worker too (policy
check, revision diff, images) a moment after the cursor stops. Decisions run
through ``app.call_service`` with the version of the post the approver saw,
so someone else's change meanwhile is refused as a conflict and the list is
loaded again. The list follows the store: other sessions' approvals, new
submissions and expiries arrive through the store's change notices.
"""

from __future__ import annotations

from collections.abc import Iterator

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container
from textual.timer import Timer
from textual.widgets import Footer

from console.errors import ConsoleError
from console.notices import NOTICES
from console.permissions import POST_APPROVE, POST_DRAFT
from console.posts import POSTS, Post
from console.records import BulkResult
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.palette import CommandListProvider
from screens.formatting import count_text
from screens.following import FollowsStore
from screens.panel import PanelScreen, actor_may
from screens.approvals.decisions import ApprovalDecisions
from screens.approvals.loading import DetailLoaded, PostsLoaded, load_posts
from screens.approvals.notices import NoticesBox
from screens.approvals.own_posts import COPIED, REOPENED, OwnPosts
from screens.approvals.queue import MINE, QUEUE, ApprovalQueue
from screens.reading import ReadingLayout
from screens.widgets.message_line import MessageLine
from screens.approvals.post_detail import PostDetailView, load_post_detail, post_detail_renderable
from screens.approvals.post_format import post_stage
from screens.widgets.status_bar import StatusBar, actor_label

#: Seconds the detail waits after a cursor move (coalesces key repeat), and
#: after a burst of store changes before the list is loaded again.
DETAIL_DELAY = 0.06
#: From this width the detail sits beside the list instead of below it.
SIDE_BY_SIDE_WIDTH = 140

MINE_HELLO = "Your posts · Enter reopens a draft or a post sent back"
EMPTY_QUEUE = "Nothing waits for you. Posts submitted for a stage you approve appear here."
EMPTY_MINE = "You have no posts yet. Write one in the Compose panel (6)."


class ApprovalCommands(CommandListProvider):
    """Palette entries while the Approvals panel is shown."""

    def _commands(self) -> Iterator[tuple]:
        screen = self.screen
        if isinstance(screen, ApprovalsScreen):
            yield "Approvals: my posts and notices", screen.show_mine, "Your posts with their status (v)"
            if not screen.may_approve:
                return
            yield "Approvals: waiting for me", screen.show_queue, "The posts at a stage you approve (v)"
            if screen.view == QUEUE:
                yield "Approvals: approve the selected posts", screen.action_bulk_approve, "Low-risk posts only (A)"


class ApprovalsScreen(ReadingLayout, FollowsStore, PanelScreen):
    """Approve, reject or send back the posts waiting for you; follow your own."""

    FOLLOWED = (POSTS, NOTICES)

    CSS_PATH = "approvals.tcss"
    HELP_TITLE = "Approvals keys"
    COMMANDS = {ApprovalCommands}

    BINDINGS = [
        Binding("a", "approve", "Approve", id="approvals.approve"),
        Binding("r", "reject", "Reject", id="approvals.reject"),
        Binding("c", "request_changes", "Changes", id="approvals.request_changes"),
        Binding("space", "select", "Select", id="approvals.select"),
        Binding("A", "bulk_approve", "Bulk", id="approvals.bulk_approve"),
        Binding("e", "edit", "Edit", id="approvals.edit"),
        # One key, two views: the footer names where v goes (check_action hides the other).
        Binding("v", "show_mine", "Mine", id="approvals.show_mine"),
        Binding("v", "show_queue", "Queue", id="approvals.show_queue"),
        Binding("enter", "open", "Open/close the detail", show=False, id="approvals.open"),
        Binding("enter", "reopen", "Reopen", id="approvals.reopen"),
        # Where no decision can be made (your own posts, or you do not approve),
        # the decision keys say why instead of doing nothing.
        Binding("a,r,c,A,space,v", "cannot_decide", "Why no decisions here", show=False,
                id="approvals.cannot_decide"),
        Binding("g,f5", "refresh", "Refresh", show=False, id="approvals.refresh"),
        Binding("escape", "clear", "Close detail/selection/mine", show=False, id="approvals.clear"),
        Binding("J", "detail_down", "Scroll the detail down", show=False, id="approvals.detail_down"),
        Binding("K", "detail_up", "Scroll the detail up", show=False, id="approvals.detail_up"),
    ]

    #: What each key needs; keys the user may not use are hidden (the service refuses them anyway).
    ACTION_PERMISSIONS = {"approve": POST_APPROVE, "reject": POST_APPROVE, "request_changes": POST_APPROVE,
                          "bulk_approve": POST_APPROVE, "select": POST_APPROVE, "show_queue": POST_APPROVE,
                          "edit": POST_DRAFT, "reopen": POST_DRAFT}
    #: Decisions belong to the queue; in the author's own view nobody decides on their own posts.
    QUEUE_ONLY = {"approve", "reject", "request_changes", "bulk_approve", "select", "show_mine", "open"}
    MINE_ONLY = {"show_queue", "reopen"}

    def __init__(self) -> None:
        super().__init__()
        self.view = QUEUE
        self._posts: dict[str, Post] = {}
        self._generation = 0
        self._loaded = False
        self._unread = 0
        self._decisions: ApprovalDecisions | None = None
        self._own_posts: OwnPosts | None = None
        self._detail_key: tuple | None = None
        self._detail_timer: Timer | None = None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "cannot_decide":
            return self.view != QUEUE or not self.may_approve
        if action in self.QUEUE_ONLY and self.view != QUEUE or action in self.MINE_ONLY and self.view != MINE:
            return False
        permission = self.ACTION_PERMISSIONS.get(action)
        if permission is None or self.app.actor is None:  # type: ignore[attr-defined]
            return True
        return actor_may(self.actor, permission)

    # -- layout --------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        workspace = self.workspace
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        yield NoticesBox(id="approvals-notices")
        with Container(id="approvals-body"):
            yield ApprovalQueue(self._post_or_none, workspace.clock, account_label=workspace.account_handle,
                                id="approvals-list")
            yield PostDetailView(id="approvals-detail")
        yield MessageLine(id="approvals-message")
        yield Footer(compact=True)

    @property
    def may_approve(self) -> bool:
        """Whether the logged-in person approves posts at all (else: only their own posts here)."""
        return self.app.actor is not None and actor_may(self.actor, POST_APPROVE)  # type: ignore[attr-defined]

    @property
    def queue(self) -> ApprovalQueue:
        return self.query_one(ApprovalQueue)

    @property
    def detail_view(self) -> PostDetailView:
        return self.query_one(PostDetailView)

    @property
    def reading_pane(self) -> PostDetailView:
        return self.detail_view

    def on_mount(self) -> None:
        app = self.app
        self.follow_store()
        self._decisions = ApprovalDecisions(app, self.workspace.approvals, lambda: self.actor, say=self.say,
                                            reload=self.load)
        self._own_posts = OwnPosts(app, self.workspace.posts, lambda: self.actor, say=self.say)
        self.detail_view.border_title = Text("Post")
        if not self.may_approve:
            # Nothing waits for them here: their own posts are what this panel is for.
            self.view = MINE
        if self.view == MINE:   # not an approver, or asked for before the panel first showed
            self.set_class(True, "-mine")
            self.queue.set_ids([], MINE)
            self.refresh_bindings()
            self.say(MINE_HELLO)
        self.load()

    def on_unmount(self) -> None:
        self.stop_following_store()

    def on_resize(self) -> None:
        self.set_class(self.size.width >= SIDE_BY_SIDE_WIDTH, "-wide")

    @property
    def detail_pending(self) -> bool:
        """The list or the detail is about to follow (tests wait on this)."""
        return self._detail_timer is not None or self.reload_pending

    # -- loading ---------------------------------------------------------------------------
    def load(self, *, background: bool = False) -> None:
        """Load the list again (in a worker). ``background``: nobody asked (time passed,
        the store changed); such a load does not keep an idle session awake."""
        self._stale = False
        self._generation += 1
        generation, view, workspace = self._generation, self.view, self.workspace
        actor = self.app.background_actor if background else self.actor  # type: ignore[attr-defined]
        self.app.call_service(  # type: ignore[attr-defined]
            lambda: load_posts(workspace, actor, view),
            done=lambda loaded: self._loaded_posts(loaded, generation),
            failed=lambda error: self.say(str(error), severity="error"), key="approvals.load")

    def _loaded_posts(self, loaded: PostsLoaded, generation: int) -> None:
        if generation != self._generation or loaded.view != self.view:
            return  # a newer load is on its way
        self._loaded = True
        self._posts = dict(loaded.posts)
        queue = self.queue
        queue.empty_text = EMPTY_MINE if loaded.view == MINE else EMPTY_QUEUE
        queue.set_ids(loaded.ids, loaded.view)
        queue.refresh_rows()
        self._unread = len(loaded.notices)
        if loaded.view == MINE:
            self._show_notices(loaded.notices)
        self._update_context()
        self._show_detail(queue.cursor_id)
        self.content_shown()

    def _post_or_none(self, post_id: str) -> Post | None:
        """The post as last loaded; one scrolled to for the first time is decoded now."""
        post = self._posts.get(post_id)
        if post is None:
            try:
                post = self._posts[post_id] = self.workspace.posts.get(post_id)
            except ConsoleError:
                return None
        return post

    # -- notices (the "mine" view) -----------------------------------------------------------
    def _show_notices(self, unread: list) -> None:
        """Show the author's notices, and mark the new ones read (they stay shown in this view)."""
        box = self.query_one(NoticesBox)
        new = box.add(unread, self.workspace.clock(), self.app.display_tz)  # type: ignore[attr-defined]
        if new:
            notices, actor, ids = self.workspace.notices, self.actor, [notice.id for notice in new]
            self.app.call_service(lambda: notices.mark_read(actor, ids),  # type: ignore[attr-defined]
                                  failed=lambda error: self.say(str(error), severity="warning"))

    # -- the detail pane -----------------------------------------------------------------------
    @on(ApprovalQueue.CursorMoved)
    def _cursor_moved(self, _event: ApprovalQueue.CursorMoved) -> None:
        self._update_context()
        if self._detail_timer is None:
            self._detail_timer = self.set_timer(DETAIL_DELAY, self._show_cursor_detail)

    def _show_cursor_detail(self) -> None:
        self._detail_timer = None
        self._show_detail(self.queue.cursor_id)

    def _show_detail(self, post_id: str | None) -> None:
        view = self.detail_view
        post = self._post_or_none(post_id) if post_id else None
        if post is None:
            self._detail_key = None
            view.border_title = Text("Post")
            hint = ("v shows your posts and notices · g refreshes" if self.view == QUEUE
                    else "v goes back to the posts waiting for you" if self.may_approve
                    else "6 writes a new post · g refreshes")
            view.show(Text("Loading…" if not self._loaded else hint, style="italic"), scroll_home=True)
            return
        minute = int(self.workspace.clock().timestamp() // 60)
        key = (post.id, post.version, minute)
        if key == self._detail_key:
            return
        same_post = self._detail_key is not None and self._detail_key[0] == post.id
        self._detail_key = key
        self._load_detail(post, key, not same_post)

    @work(thread=True, exclusive=True, group="approvals-detail", exit_on_error=False)
    def _load_detail(self, post: Post, key: tuple, scroll_home: bool) -> None:
        detail = load_post_detail(self.workspace, post)
        self.post_message(DetailLoaded(detail, (key, scroll_home)))

    def on_detail_loaded(self, message: DetailLoaded) -> None:
        key, scroll_home = message.key
        if key != self._detail_key:
            return  # the cursor moved on meanwhile
        post = message.detail.post
        view = self.detail_view
        view.border_title = Text(f"{post.id} · {post_stage(post)}")
        view.show(post_detail_renderable(message.detail, now=self.workspace.clock(),
                                         tz=self.app.display_tz,  # type: ignore[attr-defined]
                                         styles=view.component_styles(), reviewer=self.actor.name),
                  scroll_home=scroll_home)

    # -- the message line --------------------------------------------------------------------
    def say(self, message: str, *, severity: str = "information") -> None:
        """Show a one-line result (plain text, never markup)."""
        self.query_one(MessageLine).say(message, severity)

    def _update_context(self) -> None:
        queue = self.queue
        context = Text(no_wrap=True)
        if self.view == QUEUE and self._unread:
            context.append(f"{self._unread} notice{'s' if self._unread != 1 else ''} (v) · ", "bold")
        selected = len(queue.selected_ids)
        if selected:
            context.append(f"{selected} selected · ", "bold")
        total = len(queue.ids)
        label = "waiting for you" if self.view == QUEUE else "your posts"
        context.append(f"{label} · {count_text(queue.cursor + 1 if total else 0)}/{count_text(total)}")
        self.query_one(MessageLine).set_context(context)

    # -- decisions -------------------------------------------------------------------------
    def _cursor_post(self) -> Post | None:
        post_id = self.queue.cursor_id
        post = self._post_or_none(post_id) if post_id else None
        if post is None:
            self.say("No post here to act on" + ("; v shows your own posts" if self.view == QUEUE else ""),
                     severity="warning")
        return post

    @property
    def decisions(self) -> ApprovalDecisions:
        assert self._decisions is not None, "mounted"
        return self._decisions

    def action_approve(self) -> None:
        post = self._cursor_post()
        if post is not None:
            self.decisions.approve(post)

    def action_reject(self) -> None:
        post = self._cursor_post()
        if post is not None:
            self.decisions.reject(post)

    def action_request_changes(self) -> None:
        post = self._cursor_post()
        if post is not None:
            self.decisions.request_changes(post)

    def action_select(self) -> None:
        queue = self.queue
        if queue.cursor_id is None:
            return
        queue.toggle_selected(queue.cursor_id)
        queue.action_cursor_down()
        self._update_context()

    def action_bulk_approve(self) -> None:
        queue = self.queue
        ids, versions = queue.selected_ids, queue.selection_versions
        if not ids:
            self.say("Select posts with Space first; A approves the selected low-risk posts together",
                     severity="warning")
            return

        def finished(result: BulkResult) -> None:
            queue.unselect(result.done)   # the refused stay selected, so the rows show which
            self._update_context()

        self.decisions.bulk_approve(ids, versions, finished)

    def action_cannot_decide(self) -> None:
        """A decision key where no decision can be made: say why, and what works here."""
        if self.may_approve:
            self.say("Nobody approves their own posts; v goes back to the posts waiting for you",
                     severity="warning")
            return
        _, role = actor_label(self.actor)
        self.say(f"Your own posts; approving needs post.approve{f' (role: {role})' if role else ''}",
                 severity="warning")

    @property
    def own_posts(self) -> OwnPosts:
        assert self._own_posts is not None, "mounted"
        return self._own_posts

    async def action_edit(self) -> None:
        """Open the post under the cursor in the Compose panel (one that can no longer
        change: offer a copy)."""
        post = self._cursor_post()
        if post is None:
            return
        if post.status in COPIED:
            self.own_posts.offer_copy(post)
            return
        await self.own_posts.open_in_compose(post.id)

    async def action_reopen(self) -> None:
        """Enter on your own post: write on in Compose (a draft, or a post sent back),
        copy one that can no longer change, or read the rest in the detail."""
        post = self._cursor_post()
        if post is None:
            return
        if post.status in REOPENED:
            await self.own_posts.open_in_compose(post.id)
        elif post.status in COPIED:
            self.own_posts.offer_copy(post)
        else:
            self.action_open()
            if self.has_class("-reading"):
                self.say(f"{post.id} is {post.status_label}; e edits it, which sends it back to stage 1")

    # -- views and keys ---------------------------------------------------------------------------
    def action_show_mine(self) -> None:
        self.show_mine()

    def action_show_queue(self) -> None:
        self.show_queue()

    def show_mine(self) -> None:
        """Your own posts with their status, and your notices (marked read when shown)."""
        self._switch_view(MINE, MINE_HELLO)

    def show_queue(self) -> None:
        """The posts at a stage you approve."""
        if not self.may_approve:
            self.action_cannot_decide()
            return
        self._switch_view(QUEUE, "Posts waiting for you")

    def _switch_view(self, view: str, message: str) -> None:
        if not self.is_mounted:
            self.view = view    # on_mount shows it
            return
        if view != self.view:
            self.view = view
            self.query_one(NoticesBox).clear()
            self.set_class(view == MINE, "-mine")
            self.refresh_bindings()
            self.queue.empty_text = "Loading…"
            self.queue.set_ids([], view)
            self._loaded = False
        self.say(message)
        self.load()

    def action_refresh(self) -> None:
        self.app.refresh_store()  # type: ignore[attr-defined]
        self.load()
        self.say("Refreshed")

    def action_clear(self) -> None:
        if self.has_class("-reading"):
            self.remove_class("-reading")
        elif self.queue.selected_ids:
            self.queue.clear_selection()
            self.say("Selection cleared")
        elif self.view == MINE and self.may_approve:
            self.show_queue()
        self._update_context()
