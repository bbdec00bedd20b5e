"""The one-line status bar at the top of every panel.

Who is logged in and their role, what needs attention (the flags of the
standing conditions, see :mod:`screens.conditions`), the person's unread
notices, the workspace, the worker and sync state, and the inbox's headline
counts; during a crisis ``CRISIS 3 00:42`` (with ``FROZEN`` while frozen).
It reads the app's ``actor``, ``worker_status``, ``counts``,
``conditions``, ``unread_notices`` and ``crisis_status``, so it never asks the services anything
itself.

The bar is a row of items, each with forms from longest to shortest. As the
terminal narrows, items give way in the order of :data:`GIVE_WAY`: each
mention takes that item's next shorter form, or drops it when it has none
left. Who you are and your role never drop. Items are never cut mid-word, so
an item of any width (the worker's, say, with a health flag) just takes its
turn.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual.widget import Widget

from console.graphemes import steady_width
from console.inbox import InboxCounts
from console.untrusted import one_line
from console.worker import WorkerStatus
from screens.conditions import ERROR
from screens.formatting import clock_text, count_text

#: Between the items on the left, and between the left and the counts when tight.
DIVIDER = " │ "
#: Between the counts on the right.
COUNT_GAP = "  "

#: The order in which items give way as the bar narrows (see the module docstring).
#: Items that ``keep`` (who you are, an error flag) stay in their shortest form.
GIVE_WAY = (
    "sync",          # synced 14:05 -> sync 14:05
    "worker",        # worker running -> wk running
    "flag",          # policy file broken -> policy!
    "due_soon",      # 20 due soon -> 20 soon
    "unassigned",    # 242 unassigned -> 242 unasg
    "sync",          # dropped
    "unassigned",    # dropped
    "workspace",     # cut to a few letters
    "notices",       # 2 notices -> 2 ntc
    "breached",      # !137 breached -> !137
    "due_soon",      # dropped
    "workspace",     # dropped
    "open",          # dropped
    "reconnect",     # reconnect @a, @b -> reconnect 2
    "flag",          # a warning's flag dropped (an error's stays)
    "worker",        # dropped
    "notices",       # dropped
    "breached",      # dropped
)


@dataclass(frozen=True)
class BarItem:
    """One item of the bar: its forms, longest first."""

    key: str
    forms: tuple[Text, ...]
    #: In the counts group on the right (else on the left, in the order given).
    right: bool = False
    #: Never dropped: the shortest form stays however narrow the bar.
    keep: bool = False


def actor_label(actor: object) -> tuple[str, str]:
    """(name, role) of whoever is logged in; role '' when the actor has none."""
    if actor is None:
        return "", ""
    user = getattr(actor, "user", None)
    try:
        role = user.role if user is not None else getattr(actor, "role", "")
    except Exception:  # noqa: BLE001 - a removed user: the service will say so on the next action
        role = ""
    return str(getattr(actor, "name", "")), str(role or "")


_WORKER_STYLES = {
    "running": "status-bar--ok",
    "syncing": "status-bar--ok",
    "error": "status-bar--error",
    "stopped": "status-bar--warning",
}


def worker_forms(status: WorkerStatus, style: Callable[[str], Style]) -> tuple[Text, ...]:
    """The worker item, longest form first: ``worker running``, ``wk running``.

    ``style(name)`` gives the style of a component class. The one place that
    says how the worker looks in the bar; the layout takes forms of any width.
    """
    muted = style("status-bar--muted")
    if status.failing:
        # The first failing or overdue job: "wk !sync", cut to 8 cells when narrow.
        error = style("status-bar--error")
        job = status.failing[0]
        return (Text.assemble(("worker ", muted), ("!" + one_line(job, 24), error)),
                Text.assemble(("wk ", muted), ("!" + one_line(job, 7), error)))
    state_style = style(_WORKER_STYLES.get(status.state, "status-bar--muted"))
    return tuple(Text.assemble((label, muted), (status.state, state_style)) for label in ("worker ", "wk "))


def fit_bar(items: Iterable[BarItem], width: int) -> list[tuple[BarItem, Text]]:
    """The items that fit ``width`` cells, each with the form it shows, in bar order."""
    items = list(items)
    chosen: dict[int, int] = {index: 0 for index in range(len(items))}  # item -> form index

    def shown() -> list[tuple[BarItem, Text]]:
        return [(item, item.forms[chosen[index]]) for index, item in enumerate(items) if index in chosen]

    for key in GIVE_WAY:
        if bar_width(shown()) <= width:
            break
        for index, item in enumerate(items):
            if item.key != key or index not in chosen:
                continue
            if chosen[index] + 1 < len(item.forms):
                chosen[index] += 1
            elif not item.keep:
                del chosen[index]
    return shown()


def bar_width(shown: list[tuple[BarItem, Text]]) -> int:
    """Cells the bar needs for ``shown``: its margins, dividers, and a gap."""
    left = [text.cell_len for item, text in shown if not item.right]
    right = [text.cell_len for item, text in shown if item.right]
    return (left_margin(shown) + sum(left) + len(DIVIDER) * max(len(left) - 1, 0)
            + sum(right) + len(COUNT_GAP) * max(len(right) - 1, 0) + 1
            + (len(DIVIDER) if left and right else 0))


def left_margin(shown: list[tuple[BarItem, Text]]) -> int:
    """The workspace badge starts the line; anything else starts one cell in."""
    return 0 if shown and shown[0][0].key == "workspace" else 1


class StatusBar(Widget):
    """Who you are, what needs attention, the worker and the counts, fitted to the width."""

    DEFAULT_CSS = """
    StatusBar {
        height: 1;
        background: $panel;
        color: $foreground;
    }
    StatusBar > .status-bar--name { text-style: bold reverse; }
    StatusBar > .status-bar--user { text-style: bold; }
    StatusBar > .status-bar--ok { color: $text-success; }
    StatusBar > .status-bar--warning { color: $text-warning; text-style: bold; }
    StatusBar > .status-bar--error { color: $text-error; text-style: bold; }
    StatusBar > .status-bar--muted { color: $text-muted; }
    StatusBar > .status-bar--crisis { color: $text-error; text-style: bold reverse; }
    """

    COMPONENT_CLASSES = {
        "status-bar--name",
        "status-bar--user",
        "status-bar--ok",
        "status-bar--warning",
        "status-bar--error",
        "status-bar--muted",
        "status-bar--crisis",
    }

    def on_mount(self) -> None:
        self.watch(self.app, "worker_status", self._changed, init=False)
        self.watch(self.app, "counts", self._changed, init=False)
        self.watch(self.app, "conditions", self._changed, init=False)
        self.watch(self.app, "unread_notices", self._changed, init=False)
        self.watch(self.app, "crisis_status", self._changed, init=False)

    def _changed(self, _value: object) -> None:
        self.refresh()

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(name)

    def items(self) -> list[BarItem]:
        """Every item the bar would show with room enough, in bar order."""
        app = self.app
        status: WorkerStatus = app.worker_status  # type: ignore[attr-defined]
        counts: InboxCounts = app.counts  # type: ignore[attr-defined]
        workspace = app.workspace  # type: ignore[attr-defined]
        style = self._style
        muted = style("status-bar--muted")
        items: list[BarItem] = []

        name_style = style("status-bar--name")
        workspace_name = steady_width(one_line(workspace.config.name, 24))
        items.append(BarItem("workspace", (Text(f" {workspace_name} ", name_style),
                                           Text(f" {one_line(workspace_name, 6)} ", name_style))))
        crisis = getattr(app, "crisis_status", None)
        if crisis is not None and crisis.banner():
            # CRISIS 3 00:42 FROZEN: words, never dropped, whatever the width.
            items.append(BarItem("crisis", (Text(crisis.banner(), style("status-bar--crisis")),), keep=True))
        for condition in getattr(app, "conditions", ()):
            if condition.flag:
                flag_style = style(f"status-bar--{condition.severity}")
                forms = (condition.long_flag or condition.flag, condition.flag)
                items.append(BarItem("flag", tuple(Text(form, flag_style) for form in forms),
                                     keep=condition.severity == ERROR))
        unread = getattr(app, "unread_notices", 0)
        if unread:
            # Decisions on the person's posts, read in the Approvals panel (key 2).
            notice_style = style("status-bar--warning")
            items.append(BarItem("notices", (Text(f"{count_text(unread)} notice{'s' if unread != 1 else ''}",
                                                  notice_style),
                                             Text(f"{count_text(unread)} ntc", notice_style))))
        name, role = actor_label(getattr(app, "actor", None))
        if name:
            user = Text(steady_width(one_line(name, 20)), style("status-bar--user"))
            if role:
                user.append(f" {steady_width(one_line(role, 16))}", muted)
            items.append(BarItem("user", (user,), keep=True))
        items.append(BarItem("worker", worker_forms(status, style)))
        if status.needs_reconnect:
            warning = style("status-bar--warning")
            handles = ", ".join(workspace.account_handle(a) for a in status.needs_reconnect)
            items.append(BarItem("reconnect", (
                Text(f"reconnect {steady_width(one_line(handles, 40))}", warning),
                Text(f"reconnect {len(status.needs_reconnect)}", warning))))
        else:
            if status.last_sync_at is not None:
                now = workspace.clock()
                synced = Text(clock_text(status.last_sync_at, now, app.display_tz))  # type: ignore[attr-defined]
            else:
                synced = Text("never", muted)
            items.append(BarItem("sync", (Text.assemble(("synced ", muted), synced),
                                          Text.assemble(("sync ", muted), synced))))

        def count(key: str, forms: tuple[tuple[str, str], ...], alert: str = "") -> BarItem:
            """A count on the right: forms of (number, label); the number in ``alert`` unless 0."""
            value = getattr(counts, key)
            number_style = style(alert) if alert and value else Style()
            return BarItem(key, tuple(Text.assemble((number, number_style), label) for number, label in forms),
                           right=True)

        open_, breached = count_text(counts.open), count_text(counts.breached)
        due_soon, unassigned = count_text(counts.due_soon), count_text(counts.unassigned)
        items += [
            count("open", ((open_, " open"),)),
            # "!" marks breached items in the lists too; alone it is the short form.
            count("breached", (("!" + breached if counts.breached else breached, " breached"),
                               ("!" + breached, "")), "status-bar--error"),
            count("due_soon", ((due_soon, " due soon"), (due_soon, " soon")), "status-bar--warning"),
            count("unassigned", ((unassigned, " unassigned"), (unassigned, " unasg"))),
        ]
        return items

    def render(self) -> Text:
        width = self.size.width
        muted = self._style("status-bar--muted")
        shown = fit_bar(self.items(), width)
        left = Text(" " * left_margin(shown), no_wrap=True, end="")
        for index, (_item, text) in enumerate(item for item in shown if not item[0].right):
            if index:
                left.append(DIVIDER, muted)
            left.append_text(text)
        right = Text(no_wrap=True, end="")
        for index, (_item, text) in enumerate(item for item in shown if item[0].right):
            if index:
                right.append(COUNT_GAP)
            right.append_text(text)
        right.append(" ")
        gap = width - left.cell_len - right.cell_len
        if gap < len(DIVIDER):  # only narrower than the user alone: cut the end of the line
            return Text.assemble(left, " ", right, no_wrap=True, end="", overflow="ellipsis")
        # Keep the counts visibly apart from the left when space is tight.
        divider = Text(" " * gap) if gap > len(DIVIDER) else Text(DIVIDER, muted)
        return Text.assemble(left, divider, right, no_wrap=True, end="")
