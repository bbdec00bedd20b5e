"""The Compose panel: write a post end to end, with the policy checked as you type.

Targets (Space toggles), the main text and per-platform versions (Ctrl+R
switches the editor between them), tags, images from the library (Ctrl+G),
and a proposed time shown in every target's own time zone. The content
policy runs on the draft shortly after each change, in a thread worker, and
its counters and findings show under the editor; F8 selects the next
offending passage in the text. Ctrl+S saves the draft, Ctrl+O submits it
into approval (asking to acknowledge warnings; errors block it).

The form (:class:`PostForm`) is the one copy of what is being written; it
stays in the screen when the operator switches panels, so nothing is lost.
"""

from __future__ import annotations

import logging
from datetime import datetime

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Horizontal, Vertical
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Footer, Input, Label, Static

from console.policy import CheckResult, Draft
from console.permissions import POST_SUBMIT
from console.posts import APPROVED, CHANGES_REQUESTED, IN_REVIEW, STATUS_LABELS
from console.unsaved import COMPOSE
from console.untrusted import one_line
from screens.compose.actions import AccountChoice, ComposeActions
from screens.compose.form import ALL_PLATFORMS, AttachedImage, PostForm, TargetAccount
from screens.compose.posting import PostingActions
from screens.compose.proposed_time import example_date, parse_proposed_time, zones_text
from screens.conditions import ConditionBanner
from screens.crisis.banner import CrisisBanner
from screens.panel import PanelScreen, actor_may
from screens.compose.findings import CheckSummary, FindingsView, counters_text
from screens.compose.images import AttachedImages, ImagePicker
from screens.compose.targets import TargetList
from screens.widgets.message_line import MessageLine
from screens.widgets.revealing_text_area import RevealingTextArea
from screens.widgets.status_bar import StatusBar

log = logging.getLogger("socops.screens")

#: Seconds between a change and its check (at most one check per interval while typing).
CHECK_DELAY = 0.05
#: From this width the findings sit beside the editor instead of below it.
SIDE_BY_SIDE_WIDTH = 120
#: Below this height the targets and the findings get fewer rows, so that the
#: editor, the fields and the time hint under them all keep theirs.
SHORT_HEIGHT = 24


class DraftChecked(Message):
    """The policy checks finished on the draft of ``generation`` (``result`` None:
    they failed, and ``problem`` says why)."""

    def __init__(self, draft: Draft, result: CheckResult | None, generation: int, problem: str = "") -> None:
        super().__init__()
        self.draft = draft
        self.result = result
        self.generation = generation
        self.problem = problem


class ComposeScreen(PostingActions, PanelScreen):
    """Write, check, save and submit one post at a time."""

    CSS_PATH = "compose.tcss"
    HELP_TITLE = "Compose keys"

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", id="compose.save", priority=True),
        Binding("ctrl+o,f5", "submit", "Submit", id="compose.submit", priority=True),
        Binding("ctrl+t", "targets", "Targets", id="compose.targets", priority=True),
        Binding("ctrl+r", "variant", "Version", id="compose.variant", priority=True),
        Binding("ctrl+g", "attach", "Image", id="compose.attach", priority=True),
        Binding("f8", "next_finding", "Finding", id="compose.next_finding", priority=True),
        Binding("ctrl+n", "new_post", "New post", show=False, id="compose.new", priority=True),
        Binding("escape", "leave_field", "Leave the field", show=False, id="compose.leave_field"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.form = PostForm()
        #: The editor shows the main text ("") or a platform's version.
        self.slot = ALL_PLATFORMS
        self.accounts: dict[str, TargetAccount] = {}
        self._postable: list[TargetAccount] = []
        self.result: CheckResult | None = None
        self._checked_draft: Draft | None = None
        self._generation = 0
        self._check_timer: Timer | None = None
        self._finding_index = -1
        self._busy = ""
        self._pending_open: str | None = None
        self._title = Text("")

    # -- layout ----------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield StatusBar()
        yield ConditionBanner()
        yield CrisisBanner()
        with Container(id="compose-body"):
            with Vertical(id="compose-main"):
                yield Static(Text(""), id="compose-title")
                yield Static(Text(""), id="compose-warning", classes="-empty")
                yield TargetList(id="compose-targets")
                yield RevealingTextArea("", soft_wrap=True, tab_behavior="focus", id="compose-text",
                                        placeholder="Write the post. Ctrl+R switches to a platform's own version.")
                with Horizontal(id="compose-fields"):
                    yield Label("Tags", classes="compose--label")
                    yield Input(placeholder="e.g. promo", compact=True, select_on_focus=False,
                                id="compose-tags")
                    yield Label("When", classes="compose--label")
                    yield Input(placeholder=f"e.g. tomorrow 10:00 or {example_date(self.workspace.clock())} 10:00",
                                compact=True,
                                select_on_focus=False, id="compose-when")
                yield Static(Text(""), id="compose-zones")
                yield AttachedImages(id="compose-images")
            with Vertical(id="compose-checks"):
                yield CheckSummary(id="compose-summary")
                yield FindingsView(id="compose-findings")
        yield MessageLine(id="compose-message")
        yield Footer(compact=True)

    @property
    def editor(self) -> RevealingTextArea:
        return self.query_one("#compose-text", RevealingTextArea)

    @property
    def actions(self) -> ComposeActions:
        return ComposeActions(self.workspace, self.actor)

    def on_mount(self) -> None:
        self.app.mode_change_signal.subscribe(self, self._mode_changed)
        self._show_form()
        self._load_accounts()
        # Targets first: panel keys (1-9) still work there, and Tab leads on to the text.
        self.query_one(TargetList).focus()
        # A post this person left unsaved in an earlier session comes back first, so
        # that opening another one asks before replacing it.
        self.app.unsaved.register(COMPOSE, self._unsaved_post, self._recover_post)  # type: ignore[attr-defined]
        if self._pending_open is not None:
            post_id, self._pending_open = self._pending_open, None
            self._unless_unsaved(f"Open {post_id}?", lambda: self._open_now(post_id))

    def on_resize(self) -> None:
        self.set_class(self.size.width >= SIDE_BY_SIDE_WIDTH, "-wide")
        self.set_class(self.size.height < SHORT_HEIGHT, "-short")
        if self.is_mounted:
            self._show_targets()

    def _mode_changed(self, _mode: str) -> None:
        if self.app.screen is self:  # back on this panel: accounts may have been connected meanwhile
            self._load_accounts()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "submit" and self.app.actor is not None:  # type: ignore[attr-defined]
            return actor_may(self.actor, POST_SUBMIT)
        return True

    def say(self, message: str, *, severity: str = "information") -> None:
        """Show a one-line result (plain text, never markup)."""
        self.query_one(MessageLine).say(message, severity)

    # -- showing the form ----------------------------------------------------------------
    def _load_accounts(self) -> None:
        actions = self.actions
        self.app.call_service(actions.accounts, done=self._accounts_loaded,  # type: ignore[attr-defined]
                              failed=lambda error: self.say(str(error), severity="error"), key="compose.accounts")

    def _accounts_loaded(self, choice: AccountChoice) -> None:
        self._postable, self.accounts = choice.postable, choice.known
        self._show_targets()
        self._schedule_check()
        self.content_shown()

    def _show_form(self) -> None:
        """Put the whole form into the widgets (after opening a post or starting anew)."""
        form = self.form
        self.slot = ALL_PLATFORMS
        self.editor.load_written(form.text)
        self.query_one("#compose-tags", Input).value = form.tags_text
        self.query_one("#compose-when", Input).value = form.when_text
        self.query_one(AttachedImages).show(form.images)
        self._show_slot()
        self._show_targets()
        self._show_title()
        self._schedule_check()

    def _show_targets(self) -> None:
        listed = list(self._postable)
        known = {a.account_id for a in listed}
        for account_id in self.form.targets:  # a target outside the scope or gone: still shown
            if account_id not in known:
                listed.append(self.accounts.get(account_id) or TargetAccount(account_id, "", account_id))
        targets = self.query_one(TargetList)
        targets.show(listed, self.form.targets, self._proposed_at(quiet=True), self.app.display_tz)  # type: ignore[attr-defined]
        # At 80x24 the editor needs the room: a few rows (the list scrolls), more on a big screen.
        rows = 2 if self.size.height < SHORT_HEIGHT else 4 if self.size.height < 30 else 10
        targets.styles.height = 1 + min(max(len(listed), 1), rows)
        self._show_zones()

    def _show_title(self) -> None:
        form = self.form
        text = Text(no_wrap=True, overflow="ellipsis")
        if form.post_id is None:
            text.append("New post", "bold")
        else:
            text.append(form.post_id, "bold")
            text.append(f" · {STATUS_LABELS.get(form.status, form.status)}")
        if form.dirty:
            text.append(" · unsaved changes", "bold")
        elif form.post_id is not None:
            text.append(" · saved")
        if text != self._title:  # asked on every keystroke: repaint only when it changed
            self._title = text
            self.query_one("#compose-title", Static).update(text, layout=False)

    def _show_warning(self) -> None:
        """An approved post (or one in review) goes back to stage one when edited; a post
        sent back shows what the approvers asked for."""
        warning = self.query_one("#compose-warning", Static)
        message = ""
        if self.form.status == APPROVED:
            message = "Approved: saving a change sends it back to the first approval stage."
        elif self.form.status == IN_REVIEW:
            message = "In review: saving a change sends it back to the first approval stage."
        elif self.form.status == CHANGES_REQUESTED and self.form.asked:
            message = f"{self.form.asked} · Ctrl+O submits it again"
        warning.update(Text(message))
        warning.set_class(not message, "-empty")

    def _show_slot(self) -> None:
        """The editor's title names the texts (the one shown highlighted; * = has its own version)."""
        platforms = self.form.platforms(self.accounts)
        title = Text()
        for index, slot in enumerate([ALL_PLATFORMS, *platforms]):
            if index:
                title.append(" · ")
            name = "All platforms" if slot == ALL_PLATFORMS else slot
            if slot and self.form.variants.get(slot, "").strip():
                name += "*"
            title.append(f" {name} " if slot == self.slot else name, "reverse bold" if slot == self.slot else "")
        editor = self.editor
        editor.border_title = title  # platform names come from our own table, still: no markup
        if self.slot == ALL_PLATFORMS:
            editor.placeholder = "Write the post. Choose targets with Ctrl+T and Space."
        else:
            editor.placeholder = f"Empty: {self.slot} gets the main text. Type a {self.slot} version here."
        self._show_counters()

    def _show_counters(self) -> None:
        """Each platform's length counter on the editor's frame, red when over the limit."""
        result = self.result
        counters = result.counters if result is not None else ()
        subtitle = counters_text(counters, "bold red") if counters else Text("")
        if subtitle != self.editor.border_subtitle:
            self.editor.border_subtitle = subtitle

    def _proposed_at(self, *, quiet: bool = False) -> datetime | None:
        """The proposed time the form names (None if blank or unreadable when ``quiet``)."""
        try:
            return parse_proposed_time(self.form.when_text, self.workspace.clock(),
                                       self.app.display_tz)  # type: ignore[attr-defined]
        except ValueError:
            if quiet:
                return None
            raise

    def _show_zones(self) -> None:
        zones = self.query_one("#compose-zones", Static)
        try:
            moment = self._proposed_at()
        except ValueError as error:
            zones.update(Text(str(error), "bold red"), layout=False)
            return
        if moment is None:
            zones.update(Text("No time yet: type one under When (needed to submit).", "dim"),
                         layout=False)
            return
        targets = [self.accounts[t] for t in self.form.targets if t in self.accounts]
        text = Text(no_wrap=True, overflow="ellipsis")
        if moment <= self.workspace.clock():
            text.append("in the past · ", "bold red")
        if targets:
            text.append("Local time: ", "dim")
            text.append(zones_text(moment, targets, self.app.display_tz))  # type: ignore[attr-defined]
        else:
            text.append(moment.strftime("%Y-%m-%d %H:%M %Z").strip() + " · choose targets to see their local time",
                        "dim")
        zones.update(text, layout=False)

    # -- editing ---------------------------------------------------------------------
    @on(RevealingTextArea.Changed, "#compose-text")
    def _text_changed(self, event: RevealingTextArea.Changed) -> None:
        self.form.set_slot_text(self.slot, self.editor.written_text)
        self._edited()

    @on(Input.Changed, "#compose-tags")
    def _tags_changed(self, event: Input.Changed) -> None:
        self.form.tags_text = event.value
        self._edited()

    @on(Input.Changed, "#compose-when")
    def _when_changed(self, event: Input.Changed) -> None:
        if event.value == self.form.when_text:
            return
        self.form.when_text = event.value
        self._show_targets()
        self._show_title()
        self.app.unsaved.changed()  # type: ignore[attr-defined]

    @on(TargetList.Toggled)
    def _target_toggled(self, event: TargetList.Toggled) -> None:
        self.form.toggle_target(event.account_id)
        if self.slot != ALL_PLATFORMS and self.slot not in self.form.platforms(self.accounts):
            self._switch_slot(ALL_PLATFORMS)
        self._show_targets()
        self._show_slot()
        self._edited()

    @on(AttachedImages.Detached)
    def _image_detached(self, event: AttachedImages.Detached) -> None:
        self.form.images = [i for i in self.form.images if i.asset_id != event.asset_id]
        self.query_one(AttachedImages).show(self.form.images)
        self.say(f"Detached {event.asset_id}.")
        self._edited()

    def _edited(self) -> None:
        self._show_title()
        self._schedule_check()
        self.app.unsaved.changed()  # type: ignore[attr-defined]

    # -- unsaved work (screens/unsaved.py) -------------------------------------------------
    def _unsaved_post(self) -> dict | None:
        """The post as written, when it differs from what is saved (images included)."""
        return self.form.to_data() if self.form.dirty else None

    def _recover_post(self, data: dict, kept_at: datetime) -> None:
        """An earlier session of this person left a post unsaved: it is the form again."""
        self.form = PostForm.from_data(data)
        self._show_form()
        self._show_warning()
        tz = self.app.display_tz  # type: ignore[attr-defined]
        when = (kept_at.astimezone(tz) if tz is not None else kept_at.astimezone()).strftime("%m-%d %H:%M")
        self.say(f"Unsaved post recovered (kept {when}) · Ctrl+S saves · Ctrl+N drops it", severity="warning")

    def _switch_slot(self, slot: str) -> None:
        # A change not yet reported by TextArea.Changed.
        self.form.set_slot_text(self.slot, self.editor.written_text)
        self.slot = slot
        self.editor.load_written(self.form.slot_text(slot))
        self._show_slot()

    # -- the live check ------------------------------------------------------------------
    def _schedule_check(self) -> None:
        """Check at most once per CHECK_DELAY while typing; the check reads the form then."""
        if self._check_timer is None:
            self._check_timer = self.set_timer(CHECK_DELAY, self._run_check)

    @property
    def detail_pending(self) -> bool:
        """A check is about to start (tests wait on this, as on the inbox's detail pane)."""
        return self._check_timer is not None

    def _run_check(self) -> None:
        self._check_timer = None
        self._generation += 1
        draft, generation, actions = self.form.draft(self.accounts), self._generation, self.actions

        def check() -> None:
            try:
                result = actions.check(draft)
            except Exception as error:  # a broken rule must not take the editor down: say so
                log.exception("the live policy check failed")
                self.post_message(DraftChecked(draft, None, generation, str(error) or type(error).__name__))
                return
            self.post_message(DraftChecked(draft, result, generation))

        self.run_worker(check, thread=True, group="compose-check", exit_on_error=False)

    def on_draft_checked(self, message: DraftChecked) -> None:
        if message.generation != self._generation:
            return  # the form changed again; a newer check is on its way
        if message.result is None:
            self.say(f"The policy checks could not run: {message.problem}; saving still checks.",
                     severity="error")
            return
        self.result, self._checked_draft = message.result, message.draft
        self._finding_index = -1
        self.query_one(CheckSummary).show(message.result)
        self._show_counters()
        draft = message.draft
        self.query_one(FindingsView).show(message.result, self._source_for,
                                          empty=not draft.targets and not draft.text.strip())

    def _source_for(self, platform: str) -> str:
        draft = self._checked_draft
        if draft is None:
            return ""
        return draft.text_for(platform) if platform else draft.text

    # -- keys ------------------------------------------------------------------------
    def action_leave_field(self) -> None:
        self.query_one(TargetList).focus()

    def action_targets(self) -> None:
        self.query_one(TargetList).focus()

    def action_variant(self) -> None:
        slots = [ALL_PLATFORMS, *self.form.platforms(self.accounts)]
        if len(slots) == 1:
            self.say("Choose target accounts first (Ctrl+T, Space): each platform can get its own version.",
                     severity="warning")
            return
        following = slots[(slots.index(self.slot) + 1) % len(slots) if self.slot in slots else 0]
        self._switch_slot(following)
        self.editor.focus()
        if following == ALL_PLATFORMS:
            self.say("Editing the main text, used by every platform without its own version.")
        else:
            self.say(f"Editing the {following} version; leave it empty to use the main text there.")

    def action_next_finding(self) -> None:
        """Select the next finding's passage in the editor (switching to its version)."""
        result, draft = self.result, self._checked_draft
        spans = [f for f in (result.findings if result else ()) if f.start >= 0]
        if not spans or draft is None:
            self.say("No finding points at a passage of the text." if result else "Checking…")
            return
        self._finding_index = (self._finding_index + 1) % len(spans)
        finding = spans[self._finding_index]
        slot = finding.platform if finding.platform in draft.variants else ALL_PLATFORMS
        if slot != self.slot:
            self._switch_slot(slot)
        source = self._source_for(finding.platform)
        editor = self.editor
        if editor.written_text != source:
            self.say("The text changed since the last check; press F8 again in a moment.")
            return
        # The editor shows hidden characters as notations: select the finding where it is shown.
        editor.selection = _span_selection(editor.text, editor.shown_offset(source, finding.start),
                                           editor.shown_offset(source, finding.end))
        editor.focus()
        self.say(f"{finding.rule_id}: {finding.message} ({self._finding_index + 1}/{len(spans)})",
                 severity="error" if finding.blocks else "warning")

    def action_attach(self) -> None:
        actions = self.actions

        def chosen(image: AttachedImage | None) -> None:
            if image is None:
                return
            self.form.images.append(image)
            self.query_one(AttachedImages).show(self.form.images)
            self.say(f"Attached {image.asset_id} ({one_line(image.title, 40)}).")
            self._edited()

        def listed(images: list[AttachedImage]) -> None:
            self.app.push_screen(ImagePicker(images, self.form.asset_ids), chosen)

        self.app.call_service(actions.usable_images, done=listed,  # type: ignore[attr-defined]
                              failed=lambda error: self.say(str(error), severity="error"))


def _span_selection(text: str, start: int, end: int):
    """The editor selection covering ``text[start:end]`` (offsets into the editor's text)."""
    from textual.widgets.text_area import Selection

    def location(offset: int) -> tuple[int, int]:
        offset = max(0, min(offset, len(text)))
        row = text.count("\n", 0, offset)
        return row, offset - (text.rfind("\n", 0, offset) + 1)

    return Selection(location(start), location(max(end, start)))
