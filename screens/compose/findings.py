"""What the policy checks say about the post being written, as it is typed.

Each platform's length counter (``x 143/280``, red when over:
:func:`counters_text`, shown on the editor's frame); :class:`CheckSummary`,
one line saying what blocks submission and the post's risk; and
:class:`FindingsView`, the findings themselves (severity, rule id, message,
the offending words, the hint), scrollable. Errors block submission;
warnings need an acknowledgement when submitting. The words quoted come from
the operator's own text and are shown as plain text, never markup, with their
hidden characters shown (``␇``, ``⟨U+202E⟩``) as the editor shows them.
"""

from __future__ import annotations

from collections.abc import Callable

from rich.style import Style
from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widget import Widget
from textual.widgets import Static

from console.hidden_text import reveal
from console.policy import ERROR, CheckResult, Counter, Finding
from console.untrusted import one_line

SEVERITY_MARKS = {ERROR: "✖"}
WARNING_MARK = "▲"
#: Longest quote of offending text shown under a finding (characters).
EXCERPT_CHARS = 60
UNITS = {"characters": "", "graphemes": " graphemes", "weighted": " weighted"}


def severity_mark(finding: Finding) -> str:
    return SEVERITY_MARKS.get(finding.severity, WARNING_MARK)


def excerpt(text: str, start: int, end: int, limit: int = EXCERPT_CHARS) -> str:
    """The offending words on one line, cut to ``limit``, hidden characters shown;
    '' for whole-post findings."""
    if start < 0 or end <= start:
        return ""
    return one_line(reveal(text, start, end), limit)


def counters_text(counters: tuple[Counter, ...], over_style: Style | str = "bold red") -> Text:
    """``x 143/280 · mastodon 143/500`` with the over-limit ones in ``over_style``."""
    text = Text(no_wrap=True, end="")
    for index, counter in enumerate(counters):
        if index:
            text.append(" · ")
        label = f"{counter.platform} {counter.used:,}/{counter.limit:,}{UNITS.get(counter.unit, '')}"
        text.append(label, over_style if counter.over else "")
    return text


def summary_text(result: CheckResult, styles: Callable[[str], Style | str] = lambda _name: "") -> Text:
    """What the findings mean for submitting: blocked, needs acknowledgement, or clear."""
    errors, warnings = len(result.errors), len(result.warnings)
    text = Text(no_wrap=True, end="")
    if errors:
        text.append(f"{SEVERITY_MARKS[ERROR]} {errors} error{'s' if errors != 1 else ''} "
                    f"block{'s' if errors == 1 else ''} submission", styles("error"))
    if warnings:
        if errors:
            text.append(" · ")
        text.append(f"{WARNING_MARK} {warnings} warning{'s' if warnings != 1 else ''} to acknowledge",
                    styles("warning"))
    if not errors and not warnings:
        text.append("✓ no findings", styles("ok"))
    return text


def risk_text(result: CheckResult, styles: Callable[[str], Style | str] = lambda _name: "") -> Text:
    """``risk medium (prices)``: the level that picks the approval route, and why."""
    text = Text(f"risk {result.risk}", styles("muted"), no_wrap=True, end="")
    if result.risk_reasons:
        text.append(f" ({one_line(', '.join(result.risk_reasons), 40)})", styles("muted"))
    return text


def finding_text(finding: Finding, source: str, styles: Callable[[str], Style | str]) -> Text:
    """One finding without its mark: the rule id and message, then the quote and hint."""
    severity = "error" if finding.severity == ERROR else "warning"
    text = Text()
    text.append(one_line(finding.rule_id), styles(severity))
    if finding.platform:
        text.append(f" ({one_line(finding.platform)} version)", styles("muted"))
    text.append(" " + one_line(finding.message))
    quote = excerpt(source, finding.start, finding.end)
    details: list[Text] = []
    if quote:
        details.append(Text(f"“{quote}”", styles("quote")))
    if finding.hint:
        details.append(Text(one_line(finding.hint), styles("muted")))
    if details:
        text.append("\n")
        text.append(Text(" — ").join(details))
    return text


def findings_table(findings: tuple[Finding, ...], source_for: Callable[[str], str],
                   styles: Callable[[str], Style | str] = lambda _name: "") -> Table:
    """The findings in the checks' order (errors first), the mark in a column of
    its own so wrapped lines stay indented under their finding.

    ``source_for(platform)`` is the text the finding's offsets point into
    (the main text for ``""``).
    """
    table = Table.grid(padding=(0, 1))
    table.add_column(no_wrap=True, width=1)
    table.add_column(ratio=1)
    for finding in findings:
        severity = "error" if finding.severity == ERROR else "warning"
        table.add_row(Text(severity_mark(finding), styles(severity)),
                      finding_text(finding, source_for(finding.platform), styles))
    return table


class CheckSummary(Widget):
    """One line: what blocks submitting on the left, the post's risk level on the right."""

    DEFAULT_CSS = """
    CheckSummary { height: 1; background: $panel; }
    CheckSummary > .check-summary--error { color: $text-error; text-style: bold; }
    CheckSummary > .check-summary--warning { color: $text-warning; text-style: bold; }
    CheckSummary > .check-summary--ok { color: $text-success; }
    CheckSummary > .check-summary--muted { color: $text-muted; }
    """

    COMPONENT_CLASSES = {"check-summary--error", "check-summary--warning", "check-summary--ok",
                         "check-summary--muted"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.result: CheckResult | None = None

    def show(self, result: CheckResult | None) -> None:
        def shown(r: CheckResult | None) -> tuple | None:
            return None if r is None else (r.findings, r.risk, r.risk_reasons)

        if self.result is None or shown(result) != shown(self.result):
            self.refresh()
        self.result = result

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"check-summary--{name}", partial=True)

    def render(self) -> Text:
        result = self.result
        if result is None:
            return Text(" Checking…", self._style("muted"), no_wrap=True, end="")
        left = Text(" ", no_wrap=True, end="")
        left.append(summary_text(result, self._style))
        right = risk_text(result, self._style)
        right.append(" ")
        if left.cell_len + right.cell_len > self.size.width:
            right = Text(f"risk {result.risk} ", self._style("muted"), no_wrap=True, end="")
        room = max(self.size.width - right.cell_len - 1, 0)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        gap = max(self.size.width - left.cell_len - right.cell_len, 1)
        return Text.assemble(left, " " * gap, right, no_wrap=True, end="")


class FindingsView(VerticalScroll, can_focus=True):
    """The findings, scrollable with the arrow keys when focused (Tab reaches it)."""

    DEFAULT_CSS = """
    FindingsView { background: $surface; padding: 0 1; scrollbar-size-vertical: 1; }
    FindingsView:focus { background-tint: $foreground 4%; }
    FindingsView > Static { width: 100%; }
    FindingsView > .findings-view--error { color: $text-error; text-style: bold; }
    FindingsView > .findings-view--warning { color: $text-warning; text-style: bold; }
    FindingsView > .findings-view--ok { color: $text-success; }
    FindingsView > .findings-view--muted { color: $text-muted; }
    FindingsView > .findings-view--quote { text-style: italic; }
    """

    COMPONENT_CLASSES = {"findings-view--error", "findings-view--warning", "findings-view--ok",
                         "findings-view--muted", "findings-view--quote"}

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: tuple | None = None

    def compose(self) -> ComposeResult:
        yield Static(Text(""), id="findings-text")

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"findings-view--{name}", partial=True)

    def show(self, result: CheckResult | None, source_for: Callable[[str], str], *, empty: bool = False) -> None:
        """Show ``result``; ``empty``: nothing is written or targeted yet, so no
        finding means nothing (say how to start instead)."""
        # Checked again after every keystroke; most (typing on at the end) leave the
        # findings as they were, and then nothing is laid out again.
        key = (empty, None) if result is None else (
            empty, result.findings, tuple(excerpt(source_for(f.platform), f.start, f.end) for f in result.findings))
        if key == self._shown:
            return
        self._shown = key
        body = self.query_one("#findings-text", Static)
        if result is None:
            body.update(Text("Checking…", self._style("muted")))
            return
        if not result.findings:
            body.update(Text("Choose targets and write the post: the policy checks run as you type."
                             if empty else "Nothing to fix: the policy checks found no problem.",
                             self._style("muted")))
            return
        body.update(findings_table(result.findings, source_for, self._style))
