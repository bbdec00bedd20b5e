"""Run by ``test_start_up.py`` in fresh processes: which modules are loaded
when the first panel is shown.

    python -m tests.screens.start_up_probe setup        # seed items, add the owner; prints the TOTP seed
    python -m tests.screens.start_up_probe actor        # start with a session given
    python -m tests.screens.start_up_probe login SEED   # start on the login screen, log in as the owner

Each run uses the workspace at $SOCOPS_HOME. A check prints one JSON object:
the modules of :data:`LOADED_LATER` that were already imported at the moment
the app was told the first panel was shown, and how many rows it showed.
It runs in a process of its own because pytest and earlier tests import
those modules anyway.
"""

from __future__ import annotations

import asyncio
import json
import sys

OWNER = "olivia"
ITEMS = 300

#: What start-up must not import before the first panel is on screen: the
#: policy checks, the compose panel, the reply editor, the platform adapters,
#: the OAuth flow and httpx, and the sandbox's adapter and traffic corpora (the
#: worker's, which starts after the first panel).
LOADED_LATER = (
    "console.policy.check",
    "screens.compose",
    "screens.inbox.reply",
    "integrations.bluesky",
    "integrations.mastodon",
    "integrations.x",
    "integrations.meta",
    "integrations.linkedin",
    "integrations.oauth",
    "integrations.sandbox.adapter",
    "integrations.sandbox.traffic",
    "httpx",
)


def loaded_later(modules) -> list[str]:
    """The modules (or their submodules) of LOADED_LATER among ``modules``."""
    return sorted(name for name in modules
                  if any(name == heavy or name.startswith(heavy + ".") for heavy in LOADED_LATER))


def setup() -> None:
    from console.inbox import seed_inbox
    from console.permissions import INBOX_IMPORT, SystemActor
    from console.workspace import Workspace

    with Workspace.open() as workspace:
        seed_inbox(workspace.store, workspace.audit, workspace.accounts, ITEMS,
                   actor=SystemActor("probe", frozenset({INBOX_IMPORT})), seed=3, now=workspace.clock(),
                   sla=workspace.config.sla)
        enrollment = workspace.users.bootstrap_owner(OWNER)
    print(enrollment.secret)


async def first_panel(app, log_in) -> dict:
    """Run ``app`` until it is told the first panel is shown; what was loaded by then."""
    seen: dict = {}
    told = asyncio.Event()
    start_background = app.first_panel_shown

    def first_panel_shown() -> None:
        if not told.is_set():
            screen = app.screen
            rows = getattr(screen, "inbox_list", None)
            seen["loaded_later"] = loaded_later(list(sys.modules))
            seen["panel"] = type(screen).__name__
            seen["rows"] = len(rows.ids) if rows is not None else 0
            told.set()
        start_background()

    app.first_panel_shown = first_panel_shown
    async with app.run_test(size=(80, 24)) as pilot:
        if log_in is not None:
            await log_in(pilot)
        await asyncio.wait_for(told.wait(), timeout=30)
    return seen


def check(how: str, seed: str = "") -> None:
    from console.workspace import Workspace
    from screens.app import make_app

    workspace = Workspace.open()
    log_in = None
    if how == "actor":
        from tests.actors import RoleActor

        app = make_app(workspace, RoleActor(OWNER, "manager"), run_worker=True)
    else:
        from console.identity import code_at

        app = make_app(workspace, None, run_worker=True)

        async def log_in(pilot) -> None:
            while not app.screen.query("#login-code"):
                await pilot.pause(0.01)
            app.screen.query_one("#login-user").value = OWNER
            code = app.screen.query_one("#login-code")
            code.value = code_at(seed, workspace.clock())
            code.focus()
            await pilot.press("enter")

    try:
        seen = asyncio.run(first_panel(app, log_in))
    finally:
        workspace.close()
    print(json.dumps(seen))


if __name__ == "__main__":
    if sys.argv[1] == "setup":
        setup()
    else:
        check(*sys.argv[1:])
