"""The Crisis panel's modals: the declaration form, an answer to read, a report.

Each is a typed ``ModalScreen`` dismissed with its result (None on Escape).
Everything they show is plain :class:`~rich.text.Text`: titles, reasons and
notes are typed by people, and a report quotes them; none is ever markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Input, Select, Static

from console.crisis import FREEZE_AFFECTED, FREEZE_ALL, CrisisPolicy
from screens.parsing import PromptError
from screens.widgets.prompts import PROMPT_CSS, ErrorLine

_FREEZES = {FREEZE_ALL: "freezes every account", FREEZE_AFFECTED: "freezes the affected accounts",
            "none": "no freeze"}


@dataclass(frozen=True)
class Declaration:
    """What the declaration form was filled with."""

    severity: int
    title: str
    reason: str
    accounts: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    playbook: str = ""


def parse_scope(text: str, accounts: Sequence[tuple[str, str, str]]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Accounts (by id or handle) and regions named in ``text`` (commas or spaces between);
    ``accounts`` are (account id, handle, region) triples. Raises PromptError for a name
    that is neither."""
    by_name = {}
    for account_id, handle, _region in accounts:
        by_name[account_id.casefold()] = account_id
        by_name[handle.casefold()] = account_id
        by_name[handle.lstrip("@").casefold()] = account_id
    regions = {region.casefold(): region for _id, _handle, region in accounts if region}
    chosen_accounts: list[str] = []
    chosen_regions: list[str] = []
    for word in text.replace(",", " ").split():
        name = word.casefold()
        if name.startswith("region:"):
            name = name[len("region:"):]
            if name not in regions:
                raise PromptError(f"no region {word[7:]!r}; regions: {', '.join(sorted(regions.values())) or 'none'}")
            chosen_regions.append(regions[name])
        elif name in by_name:
            chosen_accounts.append(by_name[name])
        elif name in regions:
            chosen_regions.append(regions[name])
        else:
            handles = ", ".join(handle for _id, handle, _region in accounts)
            raise PromptError(f"{word!r} is neither an account nor a region; accounts: {handles}")
    return tuple(dict.fromkeys(chosen_accounts)), tuple(dict.fromkeys(chosen_regions))


class DeclarePrompt(ErrorLine, ModalScreen[Declaration | None]):
    """Severity (the plan's levels, by name), playbook, title, reason, scope."""

    DEFAULT_CSS = "DeclarePrompt {" + PROMPT_CSS + """
        Select { margin: 0; }
        Input { margin: 0; }
    }"""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="declare.cancel"),
        Binding("ctrl+s", "declare", "Declare", id="declare.submit", priority=True),
    ]

    def __init__(self, policy: CrisisPolicy, accounts: Sequence[tuple[str, str, str]]) -> None:
        """``accounts``: (account id, handle, region) of every connected account."""
        super().__init__()
        self.policy = policy
        self.accounts = list(accounts)

    def compose(self) -> ComposeResult:
        levels = [(f"{level.label}: {_FREEZES.get(level.freeze, level.freeze)}"
                   + (", responders only" if level.responders else ""), number)
                  for number, level in sorted(self.policy.levels.items())]
        playbooks = [(f"{playbook.title} ({playbook.id})", playbook.id) for playbook in self.policy.playbooks.values()]
        with Vertical() as box:
            box.border_title = Text("Declare a crisis")
            yield Select(levels, prompt="Severity level", id="declare-level", allow_blank=True)
            yield Select(playbooks, prompt="Playbook (none)", id="declare-playbook", allow_blank=True)
            yield Input(placeholder="Title: what is happening, in a few words", id="declare-title")
            yield Input(placeholder="Reason: why this level; the team and the post-mortem read it",
                        id="declare-reason")
            handles = " ".join(handle for _id, handle, _region in self.accounts[:3])
            yield Input(placeholder=f"Scope: accounts or regions ({handles}...); empty: every account",
                        id="declare-scope")
            yield Static(Text(""), classes="prompt--error -empty")
            yield Static(Text("Tab moves · Enter on the last field or Ctrl+S declares (high-risk: a fresh "
                              "code) · Escape cancels"), classes="prompt--hint")

    def on_mount(self) -> None:
        self.query_one("#declare-level", Select).focus()

    @on(Select.Changed, "#declare-level")
    def level_chosen(self, event: Select.Changed) -> None:
        self.show_error("")
        level = self.policy.level(event.value) if isinstance(event.value, int) else None
        scope = self.query_one("#declare-scope", Input)
        if level is not None and level.freeze == FREEZE_AFFECTED:
            scope.placeholder = "Scope: the accounts or regions to freeze (empty: every account)"
        elif level is not None and level.freeze == FREEZE_ALL:
            scope.placeholder = "Scope: the accounts or regions affected (the freeze covers every account)"

    @on(Input.Submitted)
    def submitted(self, event: Input.Submitted) -> None:
        event.stop()
        fields = ["declare-title", "declare-reason", "declare-scope"]
        current = event.input.id or ""
        if current in fields[:-1]:
            self.query_one(f"#{fields[fields.index(current) + 1]}", Input).focus()
            return
        self.action_declare()

    def declaration(self) -> Declaration:
        """The form as a declaration; PromptError says what is missing."""
        level = self.query_one("#declare-level", Select).value
        if not isinstance(level, int):
            raise PromptError("choose a severity level first (the first field)")
        title = self.query_one("#declare-title", Input).value.strip()
        reason = self.query_one("#declare-reason", Input).value.strip()
        if not title:
            raise PromptError("a crisis needs a title: the team and the post-mortem read it")
        if not reason:
            raise PromptError("a crisis needs a reason: say why this level")
        accounts, regions = parse_scope(self.query_one("#declare-scope", Input).value, self.accounts)
        playbook = self.query_one("#declare-playbook", Select).value
        return Declaration(level, title, reason, accounts, regions, playbook if isinstance(playbook, str) else "")

    def action_declare(self) -> None:
        try:
            declaration = self.declaration()
        except PromptError as error:
            self.show_error(str(error))
            return
        self.dismiss(declaration)

    def action_cancel(self) -> None:
        self.dismiss(None)


class AnswerScreen(ModalScreen[None]):
    """What an action did, to read before going on (a freeze's answer is never a passing toast)."""

    DEFAULT_CSS = "AnswerScreen {" + PROMPT_CSS + """
        & > Vertical { width: 90; }
        .answer--lines { height: auto; max-height: 16; }
    }"""

    BINDINGS = [Binding("escape,enter,q", "close", "Close", id="answer.close")]

    def __init__(self, title: str, lines: Sequence[str]) -> None:
        super().__init__()
        self.answer_title = title
        self.lines = list(lines)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.answer_title)
            with VerticalScroll(classes="answer--lines"):
                yield Static(Text("\n".join(self.lines)), id="answer-text")
            yield Static(Text("Enter or Escape closes"), classes="prompt--hint")

    def action_close(self) -> None:
        self.dismiss(None)


class ReportScreen(ModalScreen[None]):
    """A post-mortem (the service's Markdown) shown as plain text, to scroll and read."""

    DEFAULT_CSS = """
    ReportScreen {
        align: center middle;
        background: $background 60%;
        & > Vertical {
            width: 110;
            max-width: 100%;
            height: 100%;
            border: round $primary;
            border-title-color: $text-primary;
            border-title-style: bold;
            background: $surface;
        }
        VerticalScroll { height: 1fr; padding: 0 1; }
        .report--hint { color: $text-muted; padding: 0 1; height: 1; }
    }
    """

    BINDINGS = [
        Binding("escape,q", "close", "Close", id="report.close"),
        Binding("j,down", "scroll_down", "Down", show=False, id="report.down"),
        Binding("k,up", "scroll_up", "Up", show=False, id="report.up"),
        Binding("space,pagedown", "page_down", "Page down", show=False, id="report.page_down"),
        Binding("b,pageup", "page_up", "Page up", show=False, id="report.page_up"),
    ]

    def __init__(self, title: str, markdown: str) -> None:
        super().__init__()
        self.report_title = title
        self.markdown = markdown

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = Text(self.report_title)
            with VerticalScroll(id="report-scroll"):
                yield Static(Text(self.markdown), id="report-text")
            yield Static(Text("j/k scroll · Space pages · Escape closes · `socops crisis report ID -o FILE` "
                              "writes it"), classes="report--hint")

    @property
    def scroller(self) -> VerticalScroll:
        return self.query_one("#report-scroll", VerticalScroll)

    def action_scroll_down(self) -> None:
        self.scroller.scroll_down(animate=False)

    def action_scroll_up(self) -> None:
        self.scroller.scroll_up(animate=False)

    def action_page_down(self) -> None:
        self.scroller.scroll_page_down(animate=False)

    def action_page_up(self) -> None:
        self.scroller.scroll_page_up(animate=False)

    def action_close(self) -> None:
        self.dismiss(None)
