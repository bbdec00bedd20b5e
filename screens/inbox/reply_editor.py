"""The inbox reply editor: the text editor plus the content policy, live, and saved replies.

While the operator types, the same check the inbox service runs before it
queues a reply runs here too (debounced, in a thread worker), and its
findings show under the text with the platform's length counter, so a
refusal never comes as a surprise. Ctrl+S checks once more: errors keep the
editor open with the draft; warnings ask for an acknowledgement (``y``),
which travels with the reply. Ctrl+R (or F2) opens the saved replies of the
content library and inserts the chosen one at the cursor.

A selection of several items is checked per group of items that the policy
treats alike (same account, public or DM): the same words can be fine in a
DM and refused under a public comment.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.timer import Timer
from textual.widgets import Static

from console.policy import CheckResult, Finding
from console.errors import ConsoleError
from console.hidden_text import reveal
from console.inbox import rule_ids
from console.untrusted import one_line, printable
from screens.widgets.prompts import ConfirmPrompt, EditorResult, TextEditor
from screens.widgets.revealing_text_area import RevealingTextArea
from screens.inbox.saved_reply_picker import SavedReply, SavedReplyPicker

log = logging.getLogger("socops.screens")

#: Seconds of quiet typing before the findings are recomputed.
CHECK_DELAY = 0.15
#: Findings listed before "and N more".
SHOWN_FINDINGS = 6


@dataclass(frozen=True)
class ReplyResult(EditorResult):
    """What the reply editor closed with, plus the warnings the operator acknowledged."""

    acknowledge: tuple[str, ...] = ()


@dataclass(frozen=True)
class CheckedGroup:
    """What the policy says of the reply for some of the items it goes to."""

    label: str                    # "2 public replies on @northwind_en"
    items: int
    public: bool                  # a comment or mention (not a DM)
    result: CheckResult | None    # None: no policy check is wired


ReplyChecker = Callable[[str], Sequence[CheckedGroup]]


def blocked_items(groups: Sequence[CheckedGroup]) -> int:
    return sum(group.items for group in groups if group.result is not None and group.result.errors)


def warning_rules(groups: Sequence[CheckedGroup]) -> tuple[str, ...]:
    """Rule ids of the warnings of the groups the reply can go to."""
    return rule_ids(finding for group in groups if group.result is not None and not group.result.errors
                    for finding in group.result.warnings)


def finding_text(finding: Finding, text: str, *, prefix: str = "") -> Text:
    """One finding: the rule id, the words it is about (hidden characters shown), the
    message; the hint below."""
    line = Text()
    if prefix:
        line.append(prefix + " ", "dim")
    line.append(finding.rule_id, "bold")
    if 0 <= finding.start < finding.end <= len(text):
        line.append(f' "{one_line(reveal(text, finding.start, finding.end), 40)}"')
    line.append(": " + one_line(finding.message, 200))
    if finding.hint:
        line.append("\n" + one_line(finding.hint, 200), "dim")
    return line


def finding_mark(finding: Finding) -> Text:
    """✖ for an error (blocks), ▲ for a warning (needs an acknowledgement): not colour alone."""
    return Text("✖", "bold red") if finding.blocks else Text("▲", "bold yellow")


def findings_table(groups: Sequence[CheckedGroup], text: str) -> Table:
    """Every finding of every group (labelled when there are several), each with its
    mark in a column of its own so wrapped lines stay indented."""
    several = len(groups) > 1
    rows = [(finding_mark(finding), finding_text(finding, text, prefix=f"{group.label}:" if several else ""))
            for group in groups if group.result is not None for finding in group.result.findings]
    if len(rows) > SHOWN_FINDINGS:
        more = len(rows) - SHOWN_FINDINGS
        rows = rows[:SHOWN_FINDINGS] + [(Text(""), Text(f"… and {more} more", "dim"))]
    table = Table.grid(padding=(0, 1), expand=True)
    table.add_column(width=1, no_wrap=True)
    table.add_column(ratio=1)
    for row in rows:
        table.add_row(*row)
    return table


def counter_text(groups: Sequence[CheckedGroup], fallback: int, max_chars: int | None) -> Text:
    """The length counters of the platforms the reply goes to (red when over), and
    whether it is public: the privacy rules apply to public replies only."""
    counters = {counter.platform: counter for group in groups if group.result is not None
                for counter in group.result.counters}
    if counters:
        parts = [Text(f"{c.platform} {c.used}/{c.limit} {c.unit}", "bold red" if c.over else "")
                 for c in counters.values()]
    else:
        parts = [Text(f"{fallback}/{max_chars} characters" if max_chars else f"{fallback} characters")]
    public = sum(group.items for group in groups if group.public)
    private = sum(group.items for group in groups if not group.public)
    if public and private:
        parts.append(Text(f"{public} public, {private} DM"))
    elif public:
        parts.append(Text("public reply"))
    elif private:
        parts.append(Text("DM: privacy rules do not apply"))
    return Text(" · ").join(parts)


class AcknowledgePrompt(ConfirmPrompt):
    """Send despite warnings (or to only the items not blocked)? ``y`` sends and records it."""

    DEFAULT_CSS = """AcknowledgePrompt { .prompt--intro { max-height: 16; } }"""


class ReplyEditor(TextEditor):
    """The reply editor: live policy findings, a length counter and saved replies."""

    DEFAULT_CSS = """ReplyEditor {
        TextArea { height: 7; }
        #reply-findings { height: auto; max-height: 7; }
        #reply-findings.-empty { display: none; }
        #reply-findings > Static { height: auto; }
        #reply-counter { height: 1; color: $text-muted; }
    }"""

    BINDINGS = [
        Binding("ctrl+r,f2", "saved_replies", "Saved replies", id="reply.saved_replies", priority=True),
    ]

    class Checked(Message):
        """A policy check of the draft finished (``generation`` says which edit it saw)."""

        def __init__(self, generation: int, text: str, groups: Sequence[CheckedGroup] | None,
                     send: bool, problem: str = "") -> None:
            super().__init__()
            self.generation = generation
            self.text = text
            self.groups = groups
            self.send = send
            self.problem = problem

    def __init__(self, title: str, *, check: ReplyChecker, saved_replies: Callable[[], Sequence[SavedReply]],
                 intro: Text | None = None, text: str = "", max_chars: int | None = None,
                 hint: str = "Ctrl+S queues · Ctrl+R saved replies · Escape keeps the draft") -> None:
        """``check(text)`` and ``saved_replies()`` are service calls: they run in threads."""
        super().__init__(title, intro=intro, text=text, hint=hint, max_chars=max_chars)
        self.check = check
        self.load_saved_replies = saved_replies
        self.groups: Sequence[CheckedGroup] = ()
        self._generation = 0
        self._check_timer: Timer | None = None
        self._sending = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.editor_title)  # may name an author: never markup
            if self.intro is not None:
                yield Static(self.intro, classes="prompt--intro")
            yield RevealingTextArea(self.initial_text, soft_wrap=True, show_line_numbers=False,
                                    tab_behavior="focus")
            yield Static(Text(""), classes="prompt--error -empty")
            with VerticalScroll(id="reply-findings", classes="-empty"):
                yield Static(Text(""), id="reply-findings-text")
            yield Static(self._counter(), id="reply-counter")
            yield Static(Text(self.hint), classes="prompt--hint", id="editor-hint")

    def on_mount(self) -> None:
        super().on_mount()
        self._check_now()

    # -- live checks ---------------------------------------------------------------
    @property
    def check_pending(self) -> bool:
        """A check is waiting for the typing to pause (tests wait on this)."""
        return self._check_timer is not None

    def _hint_text(self) -> str:
        return self.hint

    def _counter(self) -> Text:
        length = len(self.text) if self.is_mounted else len(self.initial_text)
        return counter_text(self.groups, length, self.max_chars)

    @on(RevealingTextArea.Changed)
    def text_changed(self) -> None:
        self._generation += 1
        if self._check_timer is not None:
            self._check_timer.stop()
        self._check_timer = self.set_timer(CHECK_DELAY, self._check_now)
        if not self.groups:
            self.query_one("#reply-counter", Static).update(self._counter())

    def _check_now(self, *, send: bool = False) -> None:
        if self._check_timer is not None:
            self._check_timer.stop()
            self._check_timer = None
        self._run_check(self._generation, self.text, send)

    @work(thread=True, group="reply-check", exit_on_error=False)
    def _run_check(self, generation: int, text: str, send: bool) -> None:
        try:
            groups = list(self.check(text.strip()))
        except ConsoleError as error:   # a locked session, say: sending will ask for the code
            self.post_message(self.Checked(generation, text, None, send, str(error)))
            return
        except Exception as error:      # a bug in a check must not leave Ctrl+S dead: the service decides
            log.exception("checking a reply failed")
            self.post_message(self.Checked(generation, text, None, send, f"the policy check failed: {error}"))
            return
        self.post_message(self.Checked(generation, text, groups, send))

    def on_reply_editor_checked(self, message: Checked) -> None:
        if message.generation != self._generation:
            # The draft changed since: a newer check is on its way (or, when
            # sending, check what the operator has now).
            if message.send:
                self._check_now(send=True)
            return
        if message.groups is not None:
            self.groups = message.groups
            self._show_findings(message.text.strip())
        elif not message.send:
            self._show_error(f"Not checked: {message.problem}")
        if message.send:
            self._decide_send(message.groups)

    def _show_findings(self, text: str) -> None:
        self.query_one("#reply-findings-text", Static).update(findings_table(self.groups, text))
        found = any(group.result is not None and group.result.findings for group in self.groups)
        self.query_one("#reply-findings").set_class(not found, "-empty")
        self.query_one("#reply-counter", Static).update(self._counter())

    # -- sending -----------------------------------------------------------------------
    def action_send(self) -> None:
        if not self.text.strip():
            self._show_error("Nothing to send yet: write something, or press Escape.")
            return
        if self._sending:
            return
        self._sending = True
        self._check_now(send=True)

    def _decide_send(self, groups: Sequence[CheckedGroup] | None) -> None:
        self._sending = False
        if groups is None:
            # The check itself was refused (a locked session): the service checks again
            # once the operator got through, and nothing is sent that it refuses.
            self.dismiss(ReplyResult(self.text, True))
            return
        total = sum(group.items for group in groups)
        blocked = blocked_items(groups)
        warnings = warning_rules(groups)
        if total and blocked == total:
            self._show_error("Not sent: fix the findings marked ✖ first (the draft is kept).")
            return
        if not warnings and not blocked:
            self.dismiss(ReplyResult(self.text, True))
            return
        title = "Send with warnings?" if warnings else "Send to some of the items?"
        self.app.push_screen(AcknowledgePrompt(title, self._confirm_question(groups, blocked, total)),
                             lambda yes: self._acknowledged(bool(yes), warnings))

    def _confirm_question(self, groups: Sequence[CheckedGroup], blocked: int, total: int) -> str:
        text = self.text.strip()
        lines = []
        if blocked:
            lines.append(f"Not sent to {blocked} of {total} items, the policy blocks it there:")
            lines += [f"  ✖ {group.label}: " + ", ".join(rule_ids(group.result.errors))
                      for group in groups if group.result is not None and group.result.errors]
        warned = [finding for group in groups if group.result is not None and not group.result.errors
                  for finding in group.result.warnings]
        if warned:
            lines.append("Warnings:")
            seen = set()
            for finding in warned:
                line = finding_text(finding, text).plain.replace("\n", " — ")
                if line not in seen:
                    seen.add(line)
                    lines.append("  ▲ " + line)
        lines.append("Send anyway? Your acknowledgement is recorded with the reply." if warned
                     else "Send to the others?")
        return "\n".join(lines)

    def _acknowledged(self, yes: bool, warnings: tuple[str, ...]) -> None:
        if yes:
            self.dismiss(ReplyResult(self.text, True, acknowledge=warnings))
        else:
            self.query_one(RevealingTextArea).focus()

    def _show_error(self, message: str) -> None:
        error = self.query_one(".prompt--error", Static)
        error.update(Text(message))
        error.set_class(not message, "-empty")

    # -- saved replies -------------------------------------------------------------------
    def action_saved_replies(self) -> None:
        self.app.push_screen(SavedReplyPicker(self.load_saved_replies), self._insert_saved_reply)

    def _insert_saved_reply(self, text: str | None) -> None:
        area = self.query_one(RevealingTextArea)
        area.focus()
        if text:
            # A colleague's approved words: escape sequences in them are garbage, not
            # text; the editor would show them (and the policy refuse them) otherwise.
            area.insert(printable(text))

    def action_cancel(self) -> None:
        self.dismiss(ReplyResult(self.text, False))
