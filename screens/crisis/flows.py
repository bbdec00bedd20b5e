"""Freeze and declare, from any panel: the app's F9 and its palette call these,
and so does the Crisis panel.

Both are high-risk: the call goes through ``app.run_with_step_up``, so the
service's StepUpRequired brings up the fresh-code prompt and the call runs
again once the code is in. The answer (what a freeze held, and every send
already claimed before it, named) opens in a modal to read: a toast would
be gone before the crisis lead read it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from console.untrusted import one_line, printable
from screens.crisis.prompts import AnswerScreen, Declaration, DeclarePrompt
from screens.widgets.message_line import MessageLine

if TYPE_CHECKING:
    from textual.app import App

    from console.crisis import Declared, FreezeReport

FROZEN_NEXT = ("Nothing is claimed for publishing from now on. Unfreezing needs two people: one asks (u in the "
               "Crisis panel, key 5), a second confirms (c).")


def say(app: "App", message: str, severity: str = "information") -> None:
    """On the shown panel's message line (when it has one); errors also as a toast."""
    lines = list(app.screen.query(MessageLine)) if app.screen is not None else []
    for line in lines[:1]:
        line.say(message, severity)
    if severity == "error" or not lines:
        app.notify(printable(message), title="Crisis" if severity != "error" else "Not done",
                   severity=severity, markup=False, timeout=10)


def refused(app: "App", error: BaseException) -> None:
    say(app, printable(str(error)), "error")


def freeze_now(app: "App") -> None:
    """Freeze publishing at once (with or without a crisis), then show what it held."""
    workspace, actor = app.workspace, app.actor  # type: ignore[attr-defined]

    def done(report: "FreezeReport") -> None:
        app.refresh_crisis()  # type: ignore[attr-defined]
        say(app, report.lines()[0])
        app.push_screen(AnswerScreen("Publishing frozen", [*report.lines(), "", FROZEN_NEXT]))

    say(app, "Freezing publishing…")
    app.run_with_step_up(lambda: workspace.crisis.freeze(actor), done=done,  # type: ignore[attr-defined]
                         failed=lambda error: refused(app, error))


def declare(app: "App") -> None:
    """Ask for the declaration (the form), then declare it (a fresh code)."""
    workspace = app.workspace  # type: ignore[attr-defined]
    accounts = [(a.account_id, a.handle, a.region) for a in workspace.accounts]

    def answered(declaration: Declaration | None) -> None:
        if declaration is not None:
            run_declaration(app, declaration)

    app.push_screen(DeclarePrompt(workspace.governance.crisis, accounts), answered)


def run_declaration(app: "App", declaration: Declaration) -> None:
    workspace, actor = app.workspace, app.actor  # type: ignore[attr-defined]

    def done(declared: "Declared") -> None:
        app.refresh_crisis()  # type: ignore[attr-defined]
        crisis = declared.crisis
        lines = [f"Declared {crisis.id}: {crisis.label}, {one_line(crisis.title, 80)} ({crisis.scope})"
                 + (f", playbook {crisis.playbook}" if crisis.playbook else "")
                 + f"; {len(crisis.steps)} runbook steps; every console user is told."]
        lines += [f"The freeze {hold.id} ({hold.scope}, by {hold.by}) is now part of {crisis.id}."
                  for hold in declared.adopted]
        if declared.freeze is not None:
            lines += [*declared.freeze.lines(), "", FROZEN_NEXT]
        elif not declared.adopted:
            lines.append("This level does not freeze publishing; F9 freezes it at any time.")
        say(app, lines[0])
        app.push_screen(AnswerScreen(f"Crisis {crisis.label}", lines))

    say(app, "Declaring…")
    app.run_with_step_up(  # type: ignore[attr-defined]
        lambda: workspace.crisis.declare(actor, declaration.severity, declaration.title, declaration.reason,
                                         accounts=declaration.accounts, regions=declaration.regions,
                                         playbook=declaration.playbook or None),
        done=done, failed=lambda error: refused(app, error))
