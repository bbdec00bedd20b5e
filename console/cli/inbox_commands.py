"""``socops inbox``: list, show, act on and import inbox items from a shell."""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

from console.cli.acting import acting_session
from console.cli import common
from console.cli.common import INTERRUPTED, CommandFailed, print_json
from console.inbox import (
    KINDS,
    STATUSES,
    InboxFilter,
    InboxItem,
    ReplyBlocked,
    ReplyNeedsAcknowledgement,
    finding_line,
    import_items,
    parse_query,
)
from console.timeparse import parse_when
from console.hidden_text import reveal
from console.untrusted import one_line, printable


def register(commands: argparse._SubParsersAction) -> None:
    inbox = commands.add_parser("inbox", help="list, show, triage and import inbox items")
    actions = inbox.add_subparsers(dest="inbox_command", metavar="ACTION", required=True)

    listing = actions.add_parser("list", help="list items (default: open ones, most urgent first)")
    listing.add_argument("--status", choices=[*STATUSES, "all"], default="open")
    listing.add_argument("--account", default="", help="account id, e.g. sandbox:northwind_en")
    listing.add_argument("--platform", default="")
    listing.add_argument("--kind", choices=KINDS)
    listing.add_argument("--assignee", default="", help='a user name, or "-" for unassigned')
    listing.add_argument("--tag", default="")
    listing.add_argument("--breached", action="store_true", help="only items past their SLA")
    listing.add_argument("--search", default="", metavar="QUERY",
                         help="words to find in the text, author, tags and notes, plus terms such as "
                              "account:@northwind_es kind:dm tag:vip is:breached (as in the console's / filter)")
    listing.add_argument("--limit", type=int, default=50, help="at most this many (0: all)")
    listing.add_argument("--json", action="store_true", help="JSON Lines, one item a line")
    listing.set_defaults(handler=list_items)

    show = actions.add_parser("show", help="show one item with its thread, notes and replies")
    show.add_argument("item_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_item)

    importing = actions.add_parser("import", help="import items from a JSON Lines file ('-' reads stdin)")
    importing.add_argument("file")
    importing.set_defaults(handler=import_file)

    for name, help_text in (("close", "mark items done"), ("reopen", "reopen items")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("item_ids", nargs="+")
        action.set_defaults(handler=_bulk_handler(name))
    assign = actions.add_parser("assign", help="assign items to a user ('-' unassigns)")
    assign.add_argument("assignee")
    assign.add_argument("item_ids", nargs="+")
    assign.set_defaults(handler=assign_items)
    tag = actions.add_parser("tag", help="add tags (-NAME removes)")
    tag.add_argument("tags", help="comma-separated, e.g. shipping,-urgent")
    tag.add_argument("item_ids", nargs="+")
    tag.set_defaults(handler=tag_items)
    snooze = actions.add_parser("snooze", help="snooze items until a time (30m, 2h, 1d, 'tomorrow 09:00')")
    snooze.add_argument("until")
    snooze.add_argument("item_ids", nargs="+")
    snooze.set_defaults(handler=snooze_items)
    reply = actions.add_parser("reply", help="queue a reply (the worker sends it) once the content "
                                             "policy's checks pass")
    reply.add_argument("item_id")
    reply.add_argument("text")
    reply.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                       help="acknowledge a warning of the policy (e.g. a11y.all_caps) and send anyway; repeatable")
    reply.set_defaults(handler=reply_to_item)
    note = actions.add_parser("note", help="add a note only the team sees")
    note.add_argument("item_id")
    note.add_argument("text")
    note.set_defaults(handler=add_note)


def _filter_from(args: argparse.Namespace, accounts: list[tuple[str, str]]) -> InboxFilter:
    flt = InboxFilter(
        status="" if args.status == "all" else args.status,
        account=args.account,
        platform=args.platform,
        kind=args.kind or "",
        assignee=args.assignee,
        tag=args.tag,
        breached=True if args.breached else None,
    )
    try:
        # --search takes the console's filter line: words plus account:, kind:, tag:... terms
        return parse_query(args.search, flt, accounts)
    except ValueError as error:
        raise CommandFailed(f"usage error: --search: {error}", exit_code=2) from None


def item_to_json(item: InboxItem) -> dict:
    return dataclasses.asdict(item)


def list_items(args: argparse.Namespace) -> int:
    if args.limit < 0:
        raise CommandFailed("usage error: --limit cannot be negative", exit_code=2)
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        inbox = workspace.inbox
        accounts = [(a.account_id, a.handle) for a in workspace.accounts]
        ids = inbox.list_ids(_filter_from(args, accounts), actor=session)
        if args.limit:
            ids = ids[: args.limit]
        now = workspace.clock()
        for item_id in ids:
            item = inbox.get(item_id)
            if args.json:
                print_json(item_to_json(item))
                continue
            remaining = item.sla_remaining(now)
            sla = "" if remaining is None else ("BREACHED" if remaining < 0 else f"{int(remaining // 60)}m")
            print("\t".join((item.id, item.status, sla, item.kind, workspace.account_handle(item.account_id),
                             one_line(item.author_handle, 24), item.assignee or "-",
                             one_line(item.text, 60))))
    return 0


def show_item(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        item = workspace.inbox.show(args.item_id, actor=session)
        thread = workspace.inbox.thread(args.item_id)
        if args.json:
            data = item_to_json(item)
            data["thread"] = [item_to_json(other) for other in thread]
            print_json(data)
            return 0
        print(f"{item.id}  {item.kind} on {workspace.account_handle(item.account_id)}  [{item.status}]"
              f"  assignee: {item.assignee or '-'}  tags: {', '.join(item.tags) or '-'}  version {item.version}")
        for message in thread:
            marker = ">" if message.id == item.id else " "
            # The conversation is read closely: hidden characters are shown where they are
            # (a spoofed right-to-left override must be seen), not dropped.
            print(f"{marker} {message.created_at:%Y-%m-%d %H:%M} {one_line(message.author_handle, 30)}: "
                  f"{reveal(message.text)}")
            for reply in message.replies:
                print(f"    reply by {reply.by} [{reply.status}] {reveal(reply.text)}"
                      + (f" ({printable(reply.error)})" if reply.error else "")
                      + (f" [acknowledged {', '.join(reply.acknowledged)}]" if reply.acknowledged else ""))
            for note in message.notes:
                print(f"    note by {note.by} at {note.at:%H:%M}: {reveal(note.text)}")
    return 0


def import_file(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        accounts = {account.account_id: account.platform for account in workspace.accounts}

        def run(handle, source: str):
            with common.stop_between_batches() as stop_asked:
                return import_items(workspace.store, workspace.audit, handle, sla=workspace.config.sla,
                                    actor=session, now=workspace.clock(), accounts=accounts,
                                    assignee_for=workspace.inbox_assignee, source=source,
                                    should_stop=stop_asked)

        if args.file == "-":
            report = run(sys.stdin.buffer, "stdin")
        else:
            path = Path(args.file)
            try:
                handle = path.open("rb")
            except OSError as error:
                raise CommandFailed(f"cannot read {path}: {error.strerror}") from error
            with handle:
                report = run(handle, path.name)
    for number, reason in report.errors:
        print(f"{args.file}:{number}: {reason}", file=sys.stderr)
    print(report.summary())
    if report.interrupted:
        print(f"the rest of {args.file} was not read; import it again to add the rest (what is already "
              "imported is skipped)")
        return INTERRUPTED
    return 1 if report.errors else 0


def _run_bulk(args: argparse.Namespace, action: str, verb: str, **arguments) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        if arguments.get("assignee"):
            # Someone who may own none of these items is one refusal, not one per item.
            refusal = workspace.inbox.assignee_refusal(arguments["assignee"], args.item_ids, actor=session)
            if refusal:
                raise CommandFailed(f"{refusal}; nothing was assigned")
        result = workspace.inbox.bulk(args.item_ids, action, actor=session, **arguments)
    for item_id, reason in result.failed:
        print(f"{item_id}: {reason}", file=sys.stderr)
    print(result.summary(verb))
    return 1 if result.failed else 0


def _bulk_handler(action: str):
    verbs = {"close": "closed", "reopen": "reopened"}
    return lambda args: _run_bulk(args, action, verbs[action])


def assign_items(args: argparse.Namespace) -> int:
    return _run_bulk(args, "assign", "assigned", assignee=None if args.assignee == "-" else args.assignee)


def tag_items(args: argparse.Namespace) -> int:
    words = [w.strip() for w in args.tags.split(",") if w.strip()]
    add = [w for w in words if not w.startswith("-")]
    remove = [w[1:] for w in words if w.startswith("-")]
    return _run_bulk(args, "tag", "tagged", add=add, remove=remove)


def snooze_items(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        now = workspace.clock()
    try:
        until = parse_when(args.until, now.astimezone())  # clock times in local time
    except ValueError as error:
        raise CommandFailed(f"usage error: {error}", exit_code=2) from None
    return _run_bulk(args, "snooze", "snoozed", until=until)


def reply_to_item(args: argparse.Namespace) -> int:
    """Queue one reply; on a refusal by the content policy, print each finding on its own line."""
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        try:
            workspace.inbox.reply(args.item_id, args.text, actor=session, acknowledge=args.ack)
        except ReplyBlocked as error:
            print(f"{args.item_id}: not queued, the content policy blocks this reply:", file=sys.stderr)
            _print_findings(error.findings, error.text)
            print("change the text and run the command again", file=sys.stderr)
            return 1
        except ReplyNeedsAcknowledgement as error:
            print(f"{args.item_id}: not queued, the reply has warnings:", file=sys.stderr)
            _print_findings(error.warnings, error.text)
            acks = " ".join(f"--ack {rule}" for rule in error.rule_ids)
            print(f"to send it anyway, run the command again with {acks}", file=sys.stderr)
            return 1
    print(f"queued a reply on {args.item_id}; the worker sends it")
    return 0


def _print_findings(findings, text: str) -> None:
    for finding in findings:
        print(f"  {finding.severity} {finding_line(finding, text)}", file=sys.stderr)


def add_note(args: argparse.Namespace) -> int:
    args.item_ids = [args.item_id]
    return _run_bulk(args, "note", "added a note to", text=args.text)
