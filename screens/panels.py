"""The one place panels are registered.

A new panel (Approvals, Calendar, Monitor, Crisis...) is a ``PanelScreen`` in
its own module plus one line here; the app derives its modes, its panel keys
(remappable by binding id ``app.panel.<name>``) and its palette commands from
this tuple.

Only the first panel's module is imported at start; the others are imported
when first opened (``opened_later``), so that start-up does not pay for the
modules of panels a person may never open this session.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

from console.permissions import ACCOUNT_VIEW, AUDIT_READ, INBOX_READ, POST_APPROVE, POST_DRAFT
from screens.inbox import InboxScreen
from screens.panel import Panel, PanelScreen


def opened_later(module: str, class_name: str) -> Callable[[], PanelScreen]:
    """Make the panel's screen from ``module`` (imported then) when it is first opened."""

    def make() -> PanelScreen:
        return getattr(importlib.import_module(module), class_name)()

    make.__qualname__ = class_name
    return make


PANELS: tuple[Panel, ...] = (
    Panel("inbox", "Inbox", "1", InboxScreen, "Comments, DMs and mentions to triage", INBOX_READ),
    Panel("approvals", "Approvals", "2", opened_later("screens.approvals", "ApprovalsScreen"),
          "Posts waiting for your approval", POST_APPROVE),
    Panel("compose", "Compose", "6", opened_later("screens.compose", "ComposeScreen"),
          "Write a post: targets, variants, live policy checks", POST_DRAFT),
    Panel("accounts", "Accounts", "8", opened_later("screens.accounts", "AccountsScreen"),
          "Connected platform accounts: connect, test, remove; who needs reconnecting", ACCOUNT_VIEW),
    Panel("audit", "Audit", "9", opened_later("screens.audit", "AuditScreen"),
          "Who did what, when: the tamper-evident audit trail", AUDIT_READ),
)

DEFAULT_PANEL = PANELS[0].name


def panel_named(name: str) -> Panel:
    for panel in PANELS:
        if panel.name == name:
            return panel
    raise KeyError(name)
