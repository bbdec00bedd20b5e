"""Saving, submitting and opening posts in the Compose panel.

A mixin of :class:`screens.compose.screen.ComposeScreen`, kept apart because it is
the screen's conversation with the post services (through
:class:`ComposeActions`, in thread workers) rather than editing: Ctrl+S
saves (creating the post, or editing it at the version it was opened
with), Ctrl+O saves if needed and submits, asking to acknowledge warnings
(the service records who acknowledged what) and pointing at the findings
when errors block it. It relies on the screen's ``form``, ``actions``,
``editor``, ``accounts``, ``say`` and its ``_show_*`` methods.
"""

from __future__ import annotations

from console.posts import (
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    IN_REVIEW,
    AcknowledgementRequired,
    Post,
    PolicyBlocked,
)
from console.untrusted import printable
from screens.compose.actions import OpenedPost, SavedContent
from screens.compose.form import PostForm, form_from_post
from screens.compose.prompts import AcknowledgePrompt
from screens.compose.targets import TargetList
from screens.widgets.prompts import ConfirmPrompt

#: Statuses a post can be opened for editing in.
OPENABLE = (DRAFT, IN_REVIEW, CHANGES_REQUESTED, APPROVED)


class PostingActions:
    """Save, submit, open and start posts (mixed into the Compose screen)."""

    def action_save(self) -> None:
        self._save()

    def _save(self, then=None) -> None:
        if self._busy:
            self.say(f"{self._busy}; one moment.")
            return
        try:
            moment = self._proposed_at()
        except ValueError as error:
            self.say(f"Not saved: {error}", severity="error")
            return
        if not self.form.targets:
            self.say("Not saved: choose at least one target account (Ctrl+T, then Space).", severity="error")
            return
        content = SavedContent.of(self.form, self.accounts, moment)
        actions = self.actions
        self._busy = "Saving"

        def saved(post: Post) -> None:
            self._busy = ""
            self.form.mark_saved(post.id, post.version, post.status, content.compared)
            self._show_title()
            self._show_warning()
            self.app.unsaved.changed()  # saved: no longer kept apart (unless typed on meanwhile)
            if then is not None:
                then(post)
                return
            self.say(_saved_message(post, new=content.post_id is None),
                     severity="warning" if _reset_note(post) else "information")

        self.app.call_service(lambda: actions.save(content), done=saved,  # type: ignore[attr-defined]
                              failed=self._refused)

    def action_submit(self) -> None:
        if self.form.post_id is None or self.form.dirty:
            self._save(then=lambda post: self._submit())
        else:
            self._submit()

    def _submit(self, acknowledge: tuple[str, ...] = ()) -> None:
        form, actions = self.form, self.actions
        post_id, version, compared = form.post_id, form.version, form.content()
        if post_id is None:
            return
        self._busy = "Submitting"

        def submitted(post: Post) -> None:
            self._busy = ""
            self.form.mark_saved(post.id, post.version, post.status, compared)
            self._show_title()
            self._show_warning()
            route = f": {post.route.describe()}" if post.route else ""
            count = len(acknowledge)
            acknowledged = f" · {count} warning{'s' if count != 1 else ''} acknowledged" if count else ""
            self.say(f"Submitted {post.id} for approval{route}{acknowledged}.")

        self.app.call_service(lambda: actions.submit(post_id, version, acknowledge),  # type: ignore[attr-defined]
                              done=submitted, failed=self._submit_refused)

    def _submit_refused(self, error: BaseException) -> None:
        self._busy = ""
        if isinstance(error, AcknowledgementRequired):
            warnings = tuple(error.warnings)

            def answered(yes: bool | None) -> None:
                if yes:
                    self._submit(tuple(dict.fromkeys(w.rule_id for w in warnings)))
                else:
                    self.say("Not submitted: the warnings were not acknowledged.", severity="warning")

            self.app.push_screen(AcknowledgePrompt(warnings, self._source_for), answered)
            return
        if isinstance(error, PolicyBlocked):
            count = len(error.findings)
            self.say(f"Submission blocked: fix the {count} error{'s' if count != 1 else ''} in the findings "
                     "first (F8 shows each).", severity="error")
            self._schedule_check()
            return
        self._refused(error)

    def _refused(self, error: BaseException) -> None:
        self._busy = ""
        message = f"Not done: {error}"
        self.say(message, severity="error")
        if len(message) > self.size.width - 4:  # cut on the message line: the whole text in a toast
            self.notify(printable(str(error)), title="Not done", severity="error", markup=False, timeout=15)

    # -- opening and starting posts ------------------------------------------------------
    def open_post(self, post_id: str) -> None:
        """Load ``post_id`` for editing (the Approvals panel's "edit"); asks first when
        the form holds unsaved changes. Works before the screen is shown, too."""
        if not self.is_mounted:
            self._pending_open = post_id
            return
        self._unless_unsaved(f"Open {post_id}?", lambda: self._open_now(post_id))

    def _open_now(self, post_id: str) -> None:
        actions = self.actions
        self.say(f"Opening {post_id}…")
        self.app.call_service(lambda: actions.open(post_id), done=self._opened,  # type: ignore[attr-defined]
                              failed=self._refused)

    def _opened(self, opened: OpenedPost) -> None:
        post = opened.post
        if post.status not in OPENABLE:
            self.say(f"{post.id} is {post.status_label} and can no longer change; copy it into a new draft "
                     f"with `socops post copy {post.id}`.", severity="warning")
            return
        when = ""
        if post.proposed_at is not None:
            tz = self.app.display_tz  # type: ignore[attr-defined]
            local = post.proposed_at.astimezone(tz) if tz is not None else post.proposed_at.astimezone()
            when = local.strftime("%Y-%m-%d %H:%M")
        self.form = form_from_post(post, opened.images, when)
        self._show_form()
        self._show_warning()
        self.app.unsaved.changed()
        self.editor.focus()
        self.say(f"Opened {post.id} ({post.status_label}, revision {post.revision}).")

    def new_post(self) -> None:
        """Start an empty post (asks first when the form holds unsaved changes)."""
        self._unless_unsaved("Start a new post?", self._start_new)

    def action_new_post(self) -> None:
        self.new_post()

    def _start_new(self) -> None:
        self.form = PostForm()
        self._show_form()
        self._show_warning()
        self.app.unsaved.changed()
        self.query_one(TargetList).focus()
        self.say("New post: choose its targets (Space), then Tab to the text.")

    def _unless_unsaved(self, title: str, proceed) -> None:
        if not self.form.dirty:
            proceed()
            return

        def answered(yes: bool | None) -> None:
            if yes:
                proceed()

        self.app.push_screen(ConfirmPrompt(title, "The post in the editor has unsaved changes; they will be "
                                           "lost. (Escape, then Ctrl+S saves them.)"), answered)


def _reset_note(post: Post) -> str:
    """What the last save did to the approval round, if it reset it ("" otherwise)."""
    return next((h.note for h in post.history[-2:] if h.action == "reset"), "")


def _saved_message(post: Post, *, new: bool) -> str:
    if new:
        return f"Saved {post.id} as a draft · Ctrl+O submits it for approval."
    reset = _reset_note(post)
    if reset and post.status == IN_REVIEW:
        return f"Saved {post.id}: back to approval stage 1; earlier approvals no longer count."
    if reset:
        return f"Saved {post.id} (revision {post.revision}), back to draft: {reset}."
    return f"Saved {post.id} (revision {post.revision}, {post.status_label})."
