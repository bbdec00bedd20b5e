"""Asking for a TOTP code (and acknowledging the policy) inside a session.

:class:`CodeForm` is the one field every code prompt shares: it checks the
code in a thread worker (a check writes an audit event) and posts
:class:`CodeForm.Accepted` when the service took it, or shows the service's
refusal as plain text under the field. Around it:

- :class:`LockScreen`: the idle lock; a full screen, so nothing of the panel
  shows, but the screens under it (an open editor with a draft) stay as they were;
- :class:`StepUpPrompt`: a fresh code before a high-risk action;
- :class:`PolicyPrompt`: acknowledge a new governance version.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen, Screen
from textual.widgets import Input, Static

from console.errors import ConsoleError
from screens.widgets.prompts import PROMPT_CSS

log = logging.getLogger("socops.screens")

CODE_DIGITS = 6


def clean_code(value: str) -> str:
    """The digits of a code as typed (authenticator apps show ``123 456``)."""
    return "".join(value.split())


class CodeForm(Vertical):
    """A code field; ``check(code)`` runs in a thread and raises ConsoleError to refuse it."""

    DEFAULT_CSS = """
    CodeForm { height: auto; }
    CodeForm > Input { width: 24; }
    CodeForm > .code-form--error { color: $text-error; height: auto; }
    CodeForm > .code-form--error.-empty { display: none; }
    CodeForm > .code-form--hint { color: $text-muted; height: auto; }
    """

    class Accepted(Message):
        """The service accepted the code."""

        def __init__(self, form: "CodeForm") -> None:
            super().__init__()
            self.form = form

        @property
        def control(self) -> "CodeForm":
            return self.form

    def __init__(self, check: Callable[[str], object], *, hint: str = "Enter checks the code",
                 id: str | None = None) -> None:
        super().__init__(id=id)
        self.check = check
        self.hint = hint
        self.checking = False

    def compose(self) -> ComposeResult:
        yield Input(placeholder="6-digit code", restrict=r"[0-9 ]*", max_length=CODE_DIGITS + 2,
                    id="code-input")
        yield Static(Text(""), classes="code-form--error -empty")
        yield Static(Text(self.hint), classes="code-form--hint")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    @on(Input.Submitted)
    def submit(self, event: Input.Submitted) -> None:
        event.stop()
        if self.checking:
            return
        code = clean_code(event.value)
        if len(code) != CODE_DIGITS:
            self.show_error(f"A code has {CODE_DIGITS} digits: type the one your authenticator app shows now.")
            return
        self.checking = True
        self.show_error("")
        self.query_one(".code-form--hint", Static).update(Text("Checking the code…"))
        self.run_worker(lambda: self._check(code), thread=True, group="code-check", exit_on_error=False)

    def _check(self, code: str) -> None:
        try:
            self.check(code)
        except ConsoleError as error:
            self.app.call_from_thread(self._refused, str(error))
        except Exception as error:  # reported on screen; the operator can try again
            log.exception("checking a code failed")
            self.app.call_from_thread(self._refused, f"could not check the code ({error}); see the log, "
                                                     "and try again")
        else:
            self.app.call_from_thread(self._accepted)

    def _accepted(self) -> None:
        self.checking = False
        self.post_message(self.Accepted(self))

    def _refused(self, message: str) -> None:
        self.checking = False
        field = self.query_one(Input)
        field.value = ""
        field.focus()
        self.query_one(".code-form--hint", Static).update(Text(self.hint))
        self.show_error(message)

    def show_error(self, message: str) -> None:
        error = self.query_one(".code-form--error", Static)
        error.update(Text(message))
        error.set_class(not message, "-empty")


class LockScreen(Screen[bool]):
    """The session locked itself while idle: a new code unlocks it (Ctrl+Q quits)."""

    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
        & > Vertical {
            width: 64;
            max-width: 100%;
            height: auto;
            border: round $warning;
            border-title-color: $text-warning;
            border-title-style: bold;
            padding: 0 1;
        }
        .lock--intro { height: auto; margin-bottom: 1; }
    }
    """

    #: A gate: panel keys and the palette stay off while it shows.
    GATE = True

    def __init__(self, who: str, reason: str, unlock: Callable[[str], object]) -> None:
        super().__init__()
        self.who = who
        self.reason = reason
        self.unlock = unlock

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Session locked")
            yield Static(Text(f"{self.who}: {self.reason}. Enter a new code from your authenticator "
                              "app to continue where you left off."), classes="lock--intro")
            yield CodeForm(self.unlock, hint="Enter unlocks · Ctrl+Q quits")

    @on(CodeForm.Accepted)
    def unlocked(self) -> None:
        self.dismiss(True)


class StepUpPrompt(ModalScreen[bool]):
    """A high-risk action needs a fresh code: enter it, and the action runs again."""

    DEFAULT_CSS = "StepUpPrompt {" + PROMPT_CSS + " .prompt--intro { max-height: 6; } }"

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="step_up.cancel")]

    def __init__(self, reason: str, step_up: Callable[[str], object]) -> None:
        super().__init__()
        self.reason = reason
        self.step_up = step_up

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text("Fresh code needed")
            yield Static(Text(self.reason[:1].upper() + self.reason[1:] + "."), classes="prompt--intro")
            yield CodeForm(self.step_up, hint="Enter confirms and runs the action · Escape cancels")

    @on(CodeForm.Accepted)
    def accepted(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)


class PolicyPrompt(ModalScreen[bool]):
    """The governance policy has a new version: acknowledge it before acting (Ctrl+Q quits)."""

    DEFAULT_CSS = "PolicyPrompt {" + PROMPT_CSS + " .prompt--intro { color: $foreground; max-height: 8; } }"

    BINDINGS = [Binding("enter,y", "acknowledge", "Acknowledge", id="policy.acknowledge")]

    GATE = True

    def __init__(self, who: str, version: int, source: str, acknowledge: Callable[[], object]) -> None:
        super().__init__()
        self.who = who
        self.version = version
        self.source = source
        self.acknowledge = acknowledge
        self.busy = False

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(f"Governance policy version {self.version}")
            yield Static(Text(
                f"The governance policy changed: version {self.version} is now in force "
                f"({self.source}). {self.who} must acknowledge it before acting; the "
                "acknowledgement goes into the audit trail."), classes="prompt--intro")
            yield Static(Text(""), classes="prompt--error -empty")
            yield Static(Text("Enter or y acknowledges · Ctrl+Q quits"), classes="prompt--hint")

    def action_acknowledge(self) -> None:
        if self.busy:
            return
        self.busy = True
        self.run_worker(self._acknowledge, thread=True, group="policy-ack", exit_on_error=False)

    def _acknowledge(self) -> None:
        try:
            self.acknowledge()
        except ConsoleError as error:
            self.app.call_from_thread(self._refused, str(error))
        except Exception as error:
            log.exception("acknowledging the policy failed")
            self.app.call_from_thread(self._refused, f"could not record the acknowledgement ({error}); "
                                                     "see the log, and try again")
        else:
            self.app.call_from_thread(self.dismiss, True)

    def _refused(self, message: str) -> None:
        self.busy = False
        error = self.query_one(".prompt--error", Static)
        error.update(Text(message))
        error.remove_class("-empty")
