"""An approver's decisions: approve (optional note), reject and request changes
(a note is required), bulk approval of the selection.

Each asks for its note in a :class:`TextPrompt`, then runs the service call
through ``app.call_service`` (a thread; the idle lock and step-up prompts
come for free) with the version of the post the approver saw, so a change
made meanwhile by someone else is refused as a conflict, never overwritten.
The outcome is worded from the post before and after ("stage 1 done; now at
2/2 any legal"), so the message line says what happened, not only that
something did. Refusals (self-approval, wrong stage, out of scope, expired)
are the service's own words.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from rich.text import Text

from console.errors import ActionConflict
from console.posts import APPROVED, Post
from console.records import BulkResult
from console.untrusted import printable
from screens.parsing import PromptError
from screens.approvals.post_format import first_line, post_stage
from screens.widgets.prompts import TextPrompt

if TYPE_CHECKING:
    from console.permissions import Actor
    from console.posts import ApprovalService
    from textual.app import App


def required_note(value: str) -> None:
    """The prompt's check for reject and request changes: a blank note is refused."""
    if not value.strip():
        raise PromptError("A note is required: the authors read why. Write one, or Escape to cancel.")


def approve_summary(before: Post, after: Post) -> str:
    """What an approval did: the post is ready, moved to its next stage, or waits for others."""
    if after.status == APPROVED:
        return f"Approved {after.id}: ready to schedule"
    if after.stage > before.stage:
        return f"Approved stage {before.stage + 1} of {after.id}; now at {post_stage(after)}"
    waiting = len(after.stage_approvals())
    return (f"Approved stage {after.stage + 1} of {after.id} ({waiting} approval"
            f"{'s' if waiting != 1 else ''} so far); it waits for the others of an 'all' stage")


def bulk_summary(result: BulkResult) -> str:
    """``Approved 2 posts; refused 1 (still selected): p-1a2b3c is high risk; ...``
    (the service's reasons name their posts)."""
    text = f"Approved {len(result.done)} post{'s' if len(result.done) != 1 else ''}"
    if result.failed:
        text += f"; refused {len(result.failed)} (still selected): " + "; ".join(reason for _, reason in result.failed)
    return text


class ApprovalDecisions:
    """Runs one approver's decisions and reports each outcome through ``say`` and ``reload``."""

    def __init__(self, app: "App", approvals: "ApprovalService", actor: Callable[[], "Actor"], *,
                 say: Callable[..., None], reload: Callable[[], None]) -> None:
        self.app = app
        self.approvals = approvals
        self.actor = actor
        self.say = say
        self.reload = reload

    # -- the three decisions on one post ---------------------------------------------------
    def approve(self, post: Post) -> None:
        approvals, actor = self.approvals, self.actor()

        def approve(note: str) -> None:
            self._run(f"Approving {post.id}…",
                      lambda: approvals.approve(actor, post.id, expected_version=post.version, note=note),
                      lambda after: approve_summary(post, after))

        self._ask("Approve", post, required=False, then=approve,
                  hint="Enter approves; a note is optional · Escape cancels")

    def reject(self, post: Post) -> None:
        approvals, actor = self.approvals, self.actor()

        def reject(note: str) -> None:
            self._run(f"Rejecting {post.id}…",
                      lambda: approvals.reject(actor, post.id, note, expected_version=post.version),
                      lambda after: f"Rejected {post.id}; its authors were told why")

        self._ask("Reject", post, required=True, then=reject,
                  hint="Rejecting is final: say why (the authors read it) · Escape cancels")

    def request_changes(self, post: Post) -> None:
        approvals, actor = self.approvals, self.actor()

        def send_back(note: str) -> None:
            self._run(f"Sending {post.id} back…",
                      lambda: approvals.request_changes(actor, post.id, note, expected_version=post.version),
                      lambda after: f"Asked for changes to {post.id}; resubmitted, it starts again at stage 1")

        self._ask("Request changes to", post, required=True, then=send_back,
                  hint="Say what to change (the authors read it) · Escape cancels")

    # -- many posts at once ---------------------------------------------------------------
    def bulk_approve(self, ids: list[str], versions: dict[str, int],
                     finished: Callable[[BulkResult], None]) -> None:
        """Approve the selected posts; only low-risk ones pass (the service refuses the others one by one)."""
        approvals, actor = self.approvals, self.actor()

        def done(result: BulkResult) -> None:
            finished(result)
            summary = bulk_summary(result)
            self.say(summary, severity="warning" if result.failed else "information")
            if result.failed:
                self.app.notify(printable(summary), title="Some posts were not approved", severity="warning",
                                markup=False, timeout=12)
            self.reload()

        self.say(f"Approving {len(ids)} selected post{'s' if len(ids) != 1 else ''}…")
        self.app.call_service(lambda: approvals.bulk_approve(actor, ids, versions),  # type: ignore[attr-defined]
                              done=done, failed=self.refused)

    # -- running and reporting ------------------------------------------------------------
    def _ask(self, verb: str, post: Post, *, required: bool, hint: str, then: Callable[[str], None]) -> None:
        intro = Text.assemble((f"{post.id} ", "bold"), f"{post_stage(post)} · ",
                              first_line(post.text))
        self.app.push_screen(
            TextPrompt(f"{verb} {post.id}", intro=intro, placeholder="note" if required else "note (optional)",
                       hint=hint, check=required_note if required else None),
            lambda value: then(value.strip()) if value is not None else None)

    def _run(self, busy: str, call: Callable[[], object], summary: Callable[[object], str]) -> None:
        self.say(busy)

        def done(result: object) -> None:
            self.say(summary(result))
            self.reload()

        self.app.call_service(call, done=done, failed=self.refused)  # type: ignore[attr-defined]

    def refused(self, error: BaseException) -> None:
        """The service said no (or someone else changed the post): say why, and look again."""
        reason = str(error)
        self.say(reason, severity="error")
        title = "Not changed" if isinstance(error, ActionConflict) else "Not done"
        self.app.notify(printable(reason), title=title, severity="error", markup=False, timeout=10)
        self.reload()
