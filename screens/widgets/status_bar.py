"""The one-line status bar at the top of every panel.

Workspace name, who is logged in and their unread notices, worker and sync
state, and the inbox's headline counts. It reads the app's ``actor``,
``unread_notices``, ``worker_status`` and ``counts``, so it never asks the
services anything itself.
"""

from __future__ import annotations

from rich.text import Text
from textual.widget import Widget

from console.inbox import InboxCounts
from console.untrusted import one_line
from console.worker import WorkerStatus
from screens.formatting import clock_text, count_text

_WORKER_LABELS = {
    "starting": "starting",
    "running": "running",
    "syncing": "syncing",
    "external": "external",
    "stopped": "stopped",
    "error": "error",
}


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


class StatusBar(Widget):
    """Workspace, worker, sync and counts, adapting its labels to the width."""

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
    """

    COMPONENT_CLASSES = {
        "status-bar--name",
        "status-bar--user",
        "status-bar--ok",
        "status-bar--warning",
        "status-bar--error",
        "status-bar--muted",
    }

    def on_mount(self) -> None:
        self.watch(self.app, "worker_status", self._changed, init=False)
        self.watch(self.app, "counts", self._changed, init=False)
        self.watch(self.app, "policy_problem", self._changed, init=False)
        self.watch(self.app, "unread_notices", self._changed, init=False)

    def _changed(self, _value: object) -> None:
        self.refresh()

    def render(self) -> Text:
        app = self.app
        status: WorkerStatus = app.worker_status  # type: ignore[attr-defined]
        counts: InboxCounts = app.counts  # type: ignore[attr-defined]
        workspace = app.workspace  # type: ignore[attr-defined]
        width = self.size.width
        wide = width >= 110
        style = self.get_component_rich_style
        muted = style("status-bar--muted")

        # Right: the counts, which matter most; they keep their place at any width.
        right = Text(no_wrap=True, end="")
        for index, (label, value, alert) in enumerate((
            ("open", counts.open, None),
            ("breached", counts.breached, "status-bar--error"),
            ("due soon" if wide else "soon", counts.due_soon, "status-bar--warning"),
            ("unassigned" if wide else "unasg", counts.unassigned, None),
        )):
            if index:
                right.append("  ")
            number_style = style(alert) if alert and value else ""
            if label == "breached" and value:
                right.append("!", number_style)
            right.append(count_text(value), number_style)
            right.append(f" {label}")
        right.append(" ")

        # Left: workspace, worker, sync; cut first when the line is too narrow.
        left = Text(no_wrap=True, overflow="ellipsis", end="")
        left.append(" " + one_line(workspace.config.name, 24) + " ", style("status-bar--name"))
        left.append(" │ ", muted)
        if getattr(app, "policy_problem", ""):
            left.append("policy file broken" if wide else "policy!", style("status-bar--error"))
            left.append(" │ ", muted)
        unread = getattr(app, "unread_notices", 0)
        if unread:
            # Decisions on the person's posts: early, so that a long name cannot cut them off at 80 columns.
            left.append(f"{count_text(unread)} notice{'s' if unread != 1 else ''}", style("status-bar--warning"))
            left.append(" │ ", muted)
        name, role = actor_label(getattr(app, "actor", None))
        if name:
            left.append(one_line(name, 20), style("status-bar--user"))
            if role:
                left.append(f" {one_line(role, 16)}", muted)
            left.append(" │ ", muted)
        state = _WORKER_LABELS.get(status.state, status.state)
        state_style = {
            "running": "status-bar--ok",
            "syncing": "status-bar--ok",
            "error": "status-bar--error",
            "stopped": "status-bar--warning",
        }.get(status.state, "status-bar--muted")
        left.append("worker " if wide else "wk ", muted)
        left.append(state, style(state_style))
        left.append(" │ ", muted)
        if status.needs_reconnect:
            handles = ", ".join(workspace.account_handle(a) for a in status.needs_reconnect)
            left.append(f"reconnect {one_line(handles, 40)}", style("status-bar--warning"))
        else:
            left.append("synced " if wide else "sync ", muted)
            if status.last_sync_at is not None:
                now = workspace.clock()
                left.append(clock_text(status.last_sync_at, now, app.display_tz))  # type: ignore[attr-defined]
            else:
                left.append("never" if wide else "-", muted)
        room = max(width - right.cell_len - 3, 0)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        gap = width - left.cell_len - right.cell_len
        # Keep the counts visibly apart from the sync time when space is tight.
        divider = Text(" " * gap) if gap > 3 else Text(" │ ", muted)
        return Text.assemble(left, divider, right, no_wrap=True, end="")
