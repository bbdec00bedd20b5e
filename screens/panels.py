"""The one place panels are registered.

A new panel (Calendar, Monitor, Crisis...) is a ``PanelScreen`` in its own
folder (``screens/<panel>/screen.py``) plus one line here; the app derives
its modes, its panel keys (remappable by binding id ``app.panel.<name>``)
and its palette commands from this tuple.

The registry names each panel's screen by module and class and imports
none of them: a panel's module is imported when the panel is first opened,
so start-up pays only for the first panel shown, and no panel imports the
registry that lists it in a circle.
"""

from __future__ import annotations

from collections.abc import Callable

from console.permissions import (ACCOUNT_VIEW, AUDIT_READ, CRISIS_DECLARE, CRISIS_RESPOND, INBOX_READ, POST_APPROVE,
                                 POST_DRAFT, REPORT_READ, SCHEDULE_FREEZE)
from screens.panel import Panel

PANELS: tuple[Panel, ...] = (
    Panel("inbox", "Inbox", "1", "screens.inbox.screen", "InboxScreen",
          "Comments, DMs and mentions to triage", (INBOX_READ,)),
    # Approvers decide there; everyone who drafts follows their own posts there
    # (drafts, decisions and their notes, notices), so both may open it.
    Panel("approvals", "Approvals", "2", "screens.approvals.screen", "ApprovalsScreen",
          "Posts waiting for your approval; your own posts with their decisions and notes",
          (POST_APPROVE, POST_DRAFT)),
    # Everyone who drafts or approves sees what goes out when; the keys that change
    # it need post.submit (post.publish to publish now), checked by the service.
    Panel("calendar", "Calendar", "3", "screens.calendar.screen", "CalendarScreen",
          "What goes out when: agenda, week and month; move, publish now, retry", (POST_DRAFT, POST_APPROVE)),
    # Whoever works a crisis, reads its reports, declares or freezes: the keys that
    # change things need crisis.respond, crisis.declare or schedule.freeze, checked by the service.
    Panel("crisis", "Crisis", "5", "screens.crisis.screen", "CrisisScreen",
          "Crisis mode: declare, freeze, runbook, notes, holding statements, timeline; past crises' reports",
          (CRISIS_RESPOND, CRISIS_DECLARE, SCHEDULE_FREEZE, REPORT_READ)),
    Panel("compose", "Compose", "6", "screens.compose.screen", "ComposeScreen",
          "Write a post: targets, variants, live policy checks", (POST_DRAFT,)),
    Panel("accounts", "Accounts", "8", "screens.accounts.screen", "AccountsScreen",
          "Connected platform accounts: connect, test, remove; who needs reconnecting", (ACCOUNT_VIEW,)),
    Panel("audit", "Audit", "9", "screens.audit.screen", "AuditScreen",
          "Who did what, when: the tamper-evident audit trail", (AUDIT_READ,)),
)

DEFAULT_PANEL = PANELS[0].name


def panel_named(name: str) -> Panel:
    for panel in PANELS:
        if panel.name == name:
            return panel
    raise KeyError(name)


async def open_post_in_compose(app, post_id: str, say: Callable[..., None]) -> None:
    """Switch to the Compose panel and open ``post_id`` there (Compose asks first
    about unsaved changes of its own); ``say`` tells why not, when it cannot."""
    try:
        panel = panel_named("compose")
    except KeyError:
        say("The Compose panel is not in this version; edit the post with `socops post`", severity="warning")
        return
    if not app.may_open(panel):
        say("You may not edit posts (needs post.draft)", severity="error")
        return
    await app.switch_mode(panel.name)
    open_post = getattr(app.screen, "open_post", None)
    if callable(open_post):
        open_post(post_id)
