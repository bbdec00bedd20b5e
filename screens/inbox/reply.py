"""Replying from the Inbox: the reply editor wired to the inbox and library services.

The editor checks the draft through ``InboxService.check_reply`` (the check
the service runs again before it queues), one group of items at a time:
items on the same account that are all public, or all DMs, get the same
answer from the policy. The saved replies come from the content library,
which offers only the approved, unexpired ones.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from rich.text import Text

from console.errors import ConsoleError, ItemNotFound
from console.permissions import PermissionDenied
from console.inbox import ReplyNeedsAcknowledgement, finding_line, is_public
from console.untrusted import printable
from screens.inbox.reply_editor import AcknowledgePrompt, CheckedGroup, ReplyChecker, ReplyEditor

if TYPE_CHECKING:
    from textual.app import App

    from console.permissions import Actor
    from console.workspace import Workspace

REPLY_HINT = "Ctrl+S queues · Ctrl+R saved replies · Escape keeps the draft"


def group_label(kind_public: bool, handle: str, items: int) -> str:
    """``3 public replies on @northwind_en`` / ``1 DM on @northwind_es``."""
    if kind_public:
        return f"{items} public repl{'ies' if items != 1 else 'y'} on {handle}"
    return f"{items} DM{'s' if items != 1 else ''} on {handle}"


def reply_checker(workspace: "Workspace", actor: "Actor", item_ids: Sequence[str]) -> ReplyChecker:
    """``check(text)``: the policy's findings for each group of the items replied to (runs in a thread)."""
    inbox = workspace.inbox

    def check(text: str) -> list[CheckedGroup]:
        groups: dict[tuple[str, bool], list[str]] = {}
        for item_id in item_ids:
            try:
                item = inbox.get(item_id)
            except ItemNotFound:
                continue   # gone meanwhile: the action reports it
            groups.setdefault((item.account_id, is_public(item)), []).append(item_id)
        checked = []
        for (account_id, public), ids in groups.items():
            try:
                result = inbox.check_reply(ids[0], text, actor=actor)
            except PermissionDenied:
                continue   # not the operator's account: the action refuses those items, saying why
            checked.append(CheckedGroup(group_label(public, workspace.account_handle(account_id), len(ids)),
                                        len(ids), public, result))
        return checked

    return check


def saved_replies(workspace: "Workspace", actor: "Actor") -> Callable[[], list]:
    return lambda: workspace.library.saved_replies(actor)


def reply_refusal(workspace: "Workspace", actor: "Actor", item_ids: Sequence[str]) -> str:
    """Why the reply would be refused ("" when it would not): during a crisis only its
    responders reply on the affected accounts. Said in the editor before anything is
    typed; sending asks the service again, which decides."""
    for item_id in item_ids:
        try:
            refusal = workspace.inbox.reply_refusal(item_id, actor=actor)
        except ConsoleError:
            continue        # a lock or a step-up: the send meets it and its prompt
        if refusal:
            return refusal
    return ""


def reply_editor(workspace: "Workspace", actor: "Actor", title: str, intro: Text | None, text: str,
                 item_ids: Sequence[str], max_chars: int) -> ReplyEditor:
    refusal = reply_refusal(workspace, actor, item_ids)
    if refusal:
        warning = Text.assemble(("Not allowed to reply: ", "bold"), printable(refusal))
        intro = Text.assemble(warning, "\n", intro) if intro is not None else warning
    return ReplyEditor(title, intro=intro, text=text, max_chars=max_chars, hint=REPLY_HINT,
                       check=reply_checker(workspace, actor, list(item_ids)),
                       saved_replies=saved_replies(workspace, actor))


def ask_acknowledgement(app: "App", error: ReplyNeedsAcknowledgement, *,
                        send: Callable[[], None], keep: Callable[[], None]) -> None:
    """The service found warnings the editor had not (the policy changed meanwhile, or the
    check waited for an unlock): ask, then ``send`` the reply with them acknowledged
    (on ``y``) or ``keep`` the draft."""
    question = "\n".join(["Warnings:", *(f"  ▲ {finding_line(f, error.text)}" for f in error.warnings),
                          "Send anyway? Your acknowledgement is recorded with the reply."])

    def answered(yes: bool | None) -> None:
        (send if yes else keep)()

    app.push_screen(AcknowledgePrompt("Send with warnings?", question), answered)
