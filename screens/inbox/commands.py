"""Command palette entries for the Inbox: its actions and quick filters.

The provider that offers them while the Inbox is shown is
:class:`screens.inbox.screen.InboxCommands`; this module only lists them,
so that it does not import the screen that imports it.
"""

from __future__ import annotations

from collections.abc import Iterator

from console.inbox import STATUS_CLOSED, STATUS_OPEN, STATUS_SNOOZED
from screens.palette import Command


def inbox_commands(screen) -> Iterator[Command]:
    """(name, callback, help) for every palette command of the Inbox ``screen``."""
    yield "Inbox: show breached", screen.show_breached, "Open items past their SLA"
    yield "Inbox: show unassigned", screen.show_unassigned, "Open items nobody owns"
    yield "Inbox: show mine", screen.show_mine, f"Open items assigned to {screen.actor.name}"
    yield "Inbox: show open", lambda: screen.show_status(STATUS_OPEN), "The default view"
    yield "Inbox: show snoozed", lambda: screen.show_status(STATUS_SNOOZED), "Items waiting to come back"
    yield "Inbox: show closed", lambda: screen.show_status(STATUS_CLOSED), "Done items"
    yield "Inbox: show all statuses", lambda: screen.show_status(""), "Open, snoozed and closed"
    yield "Inbox: filter…", screen.action_filter, "Search text and toggles (/)"
    yield "Inbox: assign to me", screen.assign_to_me, "The selection, or the item under the cursor"
    yield "Inbox: assign…", screen.action_assign, "Give the item to someone (a)"
    yield "Inbox: reply…", screen.action_reply, "Write a reply the worker sends (r)"
    yield "Inbox: close (done)", screen.action_done, "Mark done (d)"
    yield "Inbox: reopen", screen.action_reopen, "Back to open (u)"
    yield "Inbox: snooze…", screen.action_snooze, "Hide until a time (s)"
    yield "Inbox: tag…", screen.action_tag, "Add or remove tags (t)"
    yield "Inbox: add internal note…", screen.action_note, "Visible only to the team (n)"
    yield "Inbox: clear selection and filter", screen.action_clear, "Escape"
    yield "Inbox: refresh", screen.action_refresh, "Re-read the store now (g)"
