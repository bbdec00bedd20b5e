"""The detail pane: the whole conversation of the item under the cursor.

Every piece of platform text goes into a ``rich.text.Text``, never markup, so
``[bold]`` shows as typed, and no escape sequence reaches the terminal. The
messages, replies and notes are read closely here, so their hidden characters
are shown where they are (``␛[2J``, ``⟨U+202E⟩``: a spoofed right-to-left
override must be seen, see ``screens.formatting.revealed_text``); names,
handles and adapter errors go through ``console.untrusted`` as in the list.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.inbox import REPLY_FAILED, REPLY_QUEUED, REPLY_RETRYING, REPLY_SENT, InboxItem
from console.untrusted import one_line, printable
from screens.formatting import age_text, clock_text, duration_text, revealed_text

_REPLY_LABELS = {
    REPLY_QUEUED: "queued",
    REPLY_RETRYING: "retrying",
    REPLY_SENT: "sent",
    REPLY_FAILED: "FAILED",
}


def _author(item: InboxItem) -> str:
    name = one_line(item.author_name)
    handle = one_line(item.author_handle)
    if name and handle and name != handle:
        return f"{name} ({handle})"
    return name or handle or "unknown author"


def thread_window(thread: Sequence[InboxItem], focus_id: str, before: int,
                  after: int) -> tuple[int, list[InboxItem], int]:
    """(hidden earlier, shown, hidden later): the messages around ``focus_id``.

    Sandbox and real DM threads run to hundreds of messages; rendering them all
    on every cursor move would make the list wait, so the pane shows a window.
    """
    position = next((i for i, item in enumerate(thread) if item.id == focus_id), len(thread) - 1)
    start = max(position - before, 0)
    end = min(position + after + 1, len(thread))
    return start, list(thread[start:end]), len(thread) - end


def thread_renderable(focus: InboxItem, thread: Sequence[InboxItem], *, now: datetime,
                      tz: tzinfo | None, account_label: Callable[[str], str],
                      due_soon_seconds: float, styles: dict[str, Style],
                      before: int = 4, after: int = 4) -> RenderableType:
    """The conversation around ``focus`` as Rich renderables built only from ``Text``."""
    parts: list[RenderableType] = [_summary(focus, now, tz, account_label, due_soon_seconds, styles)]
    hidden_before, shown, hidden_after = thread_window(thread or [focus], focus.id, before, after)
    if hidden_before:
        parts.append(Text(""))
        parts.append(Text(f"  ⋯ {hidden_before} earlier message{'s' if hidden_before != 1 else ''}"
                          " (Enter shows more)", styles["muted"]))
    for item in shown:
        parts.append(Text(""))
        is_focus = item.id == focus.id
        heading = Text(no_wrap=True, overflow="ellipsis")
        heading.append("▶ " if is_focus else "  ", styles["focus"])
        heading.append(_author(item), styles["heading"] + (styles["focus"] if is_focus else Style()))
        heading.append(f" · {item.kind} · {one_line(account_label(item.account_id))}"
                       f" · {clock_text(item.created_at, now, tz)} ({age_text(item.created_at, now)})",
                       styles["muted"])
        parts.append(heading)
        parts.append(Padding(revealed_text(item.text) if item.text else Text("(no text)"), (0, 0, 0, 2)))
        for reply in item.replies:
            line = Text()
            status_style = styles["failed"] if reply.status == REPLY_FAILED else styles["reply"]
            line.append("↳ our reply ", styles["reply"])
            line.append(_REPLY_LABELS.get(reply.status, reply.status), status_style)
            when = reply.sent_at if reply.status == REPLY_SENT and reply.sent_at else reply.queued_at
            line.append(f" · {one_line(reply.by)} · {clock_text(when, now, tz)}", styles["muted"])
            if reply.status == REPLY_RETRYING and reply.next_attempt_at:
                line.append(f" · attempt {reply.attempts + 1} at {clock_text(reply.next_attempt_at, now, tz)}",
                            styles["muted"])
            parts.append(Padding(line, (0, 0, 0, 2)))
            parts.append(Padding(revealed_text(reply.text), (0, 0, 0, 4)))
            if reply.error:
                parts.append(Padding(Text(printable(reply.error), style=styles["failed"]), (0, 0, 0, 4)))
        for note in item.notes:
            line = Text()
            line.append("✎ note (internal, not sent)", styles["note"])
            line.append(f" · {one_line(note.by)} · {clock_text(note.at, now, tz)}", styles["muted"])
            parts.append(Padding(line, (0, 0, 0, 2)))
            parts.append(Padding(revealed_text(note.text, styles["note"]), (0, 0, 0, 4)))
    if hidden_after:
        parts.append(Text(""))
        parts.append(Text(f"  ⋯ {hidden_after} later message{'s' if hidden_after != 1 else ''}", styles["muted"]))
    return Group(*parts)


def _summary(item: InboxItem, now: datetime, tz: tzinfo | None, account_label: Callable[[str], str],
             due_soon_seconds: float, styles: dict[str, Style]) -> Text:
    text = Text()
    text.append(one_line(account_label(item.account_id)), styles["heading"])
    text.append(f" · {item.kind} on {one_line(item.platform)} · ")
    text.append(item.status, styles["heading"])
    remaining = item.sla_remaining(now)
    if remaining is not None:
        if remaining < 0:
            text.append(f" · ! SLA breached {duration_text(-remaining)} ago", styles["breached"])
        elif remaining <= due_soon_seconds:
            text.append(f" · SLA due in {duration_text(remaining)}", styles["due_soon"])
        else:
            text.append(f" · SLA due in {duration_text(remaining)}")
    elif item.first_response_at:
        text.append(" · answered", styles["muted"])
    if item.snoozed_until:
        text.append(f" · snoozed until {clock_text(item.snoozed_until, now, tz)}")
    text.append(" · ")
    if item.assignee:
        text.append(f"assigned to {one_line(item.assignee)}")
    else:
        text.append("unassigned", styles["muted"])
    if item.tags:
        text.append(" · tags " + ", ".join(one_line(t) for t in item.tags))
    if item.pending_replies:
        text.append(f" · {len(item.pending_replies)} reply pending", styles["reply"])
    return text


class ThreadView(VerticalScroll):
    """Scrollable detail of one conversation."""

    DEFAULT_CSS = """
    ThreadView {
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    ThreadView > Static { width: 1fr; }
    ThreadView > .thread-view--heading { text-style: bold; }
    ThreadView > .thread-view--focus { color: $text-primary; }
    ThreadView > .thread-view--muted { color: $text-muted; }
    ThreadView > .thread-view--reply { color: $text-success; }
    ThreadView > .thread-view--failed { color: $text-error; text-style: bold; }
    ThreadView > .thread-view--note { color: $text-warning; }
    ThreadView > .thread-view--breached { color: $text-error; text-style: bold; }
    ThreadView > .thread-view--due-soon { color: $text-warning; }
    """

    COMPONENT_CLASSES = {
        "thread-view--heading",
        "thread-view--focus",
        "thread-view--muted",
        "thread-view--reply",
        "thread-view--failed",
        "thread-view--note",
        "thread-view--breached",
        "thread-view--due-soon",
    }

    can_focus = False

    def compose(self):
        yield Static(Text("No item selected."), id="thread-body")

    def component_styles(self) -> dict[str, Style]:
        return {
            name: self.get_component_rich_style(f"thread-view--{name.replace('_', '-')}", partial=True)
            for name in ("heading", "focus", "muted", "reply", "failed", "note", "breached", "due_soon")
        }

    def show(self, renderable: RenderableType, *, scroll_home: bool) -> None:
        self.query_one("#thread-body", Static).update(renderable)
        if scroll_home:
            self.scroll_home(animate=False)
