"""The one place panels are registered.

A new panel (Approvals, Calendar, Monitor, Crisis...) is a ``PanelScreen`` in
its own module plus one line here; the app derives its modes, its panel keys
(remappable by binding id ``app.panel.<name>``) and its palette commands from
this tuple.
"""

from __future__ import annotations

from console.permissions import ACCOUNT_VIEW, AUDIT_READ, INBOX_READ, POST_APPROVE, POST_DRAFT
from screens.accounts import AccountsScreen
from screens.approvals import ApprovalsScreen
from screens.audit import AuditScreen
from screens.compose import ComposeScreen
from screens.inbox import InboxScreen
from screens.panel import Panel

PANELS: tuple[Panel, ...] = (
    Panel("inbox", "Inbox", "1", InboxScreen, "Comments, DMs and mentions to triage", INBOX_READ),
    Panel("approvals", "Approvals", "2", ApprovalsScreen, "Posts waiting for your approval", POST_APPROVE),
    Panel("compose", "Compose", "6", ComposeScreen, "Write a post: targets, variants, live policy checks",
          POST_DRAFT),
    Panel("accounts", "Accounts", "8", AccountsScreen,
          "Connected platform accounts: connect, test, remove; who needs reconnecting", ACCOUNT_VIEW),
    Panel("audit", "Audit", "9", AuditScreen, "Who did what, when: the tamper-evident audit trail",
          AUDIT_READ),
)

DEFAULT_PANEL = PANELS[0].name


def panel_named(name: str) -> Panel:
    for panel in PANELS:
        if panel.name == name:
            return panel
    raise KeyError(name)
