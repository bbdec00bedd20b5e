"""``socops crisis``: declare, freeze, work the runbook, unfreeze and resolve with a
second person, publish holding statements, read the timeline and the post-mortem.

Every command acts as the console user (``SOCOPS_USER`` with ``SOCOPS_TOTP``,
see ``console/cli/acting.py``); a login here is a fresh code, so the
high-risk ones (declare, freeze, unfreeze, resolve, confirm, statement)
pass the step-up check. The services enforce every rule.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import CommandFailed, print_json
from console.crisis import STEP_DONE, STEP_NA, Crisis, CrisisStatus, TimelineEntry, clock_text, report_markdown
from console.posts import AcknowledgementRequired, PolicyBlocked
from console.publishing import ScheduleRequest
from console.records import format_time
from console.timeparse import parse_when
from console.untrusted import one_line


def register(commands: argparse._SubParsersAction) -> None:
    crisis = commands.add_parser("crisis", help="crisis mode: declare, freeze, runbook, holding statements, report")
    actions = crisis.add_subparsers(dest="crisis_command", metavar="ACTION", required=True)

    declare = actions.add_parser("declare", help="declare a crisis (a fresh code; a level may freeze at once)")
    declare.add_argument("--severity", type=int, required=True, metavar="N", help="a level of [crisis] (1 to 4 in "
                         "the shipped file: watch, incident, crisis, severe)")
    declare.add_argument("--title", required=True)
    declare.add_argument("--reason", required=True)
    declare.add_argument("--account", action="append", default=[], metavar="ACCOUNT",
                         help="an affected account; repeatable (none: every account)")
    declare.add_argument("--region", action="append", default=[], metavar="REGION",
                         help="an affected region; repeatable")
    declare.add_argument("--playbook", help="a playbook of [crisis] (recall, outage, offensive-post, "
                         "account-takeover in the shipped file)")
    declare.set_defaults(handler=declare_crisis)

    freeze = actions.add_parser("freeze", help="freeze publishing now (a fresh code), with or without a crisis")
    freeze.add_argument("--reason", default="")
    freeze.set_defaults(handler=freeze_publishing)

    for name, help_text in (("unfreeze", "ask to end the freeze; a second person confirms"),
                            ("resolve", "ask to resolve the crisis; a second person confirms")):
        asking = actions.add_parser(name, help=help_text)
        asking.add_argument("--note", default="")
        asking.set_defaults(handler=ask_unfreeze if name == "unfreeze" else ask_resolve)
    actions.add_parser("confirm", help="confirm the unfreeze or resolve someone else asked for").set_defaults(
        handler=confirm_request)
    actions.add_parser("cancel", help="withdraw the unfreeze or resolve waiting for a confirmation").set_defaults(
        handler=cancel_request)

    status = actions.add_parser("status", help="the active crisis, the freeze, the runbook, the latest entries")
    status.add_argument("--json", action="store_true")
    status.set_defaults(handler=show_status)

    step = actions.add_parser("step", help="mark a runbook step done or not applicable")
    step.add_argument("step_id", metavar="STEP")
    step.add_argument("state", choices=(STEP_DONE, STEP_NA))
    step.add_argument("--note", default="", help="required for n/a")
    step.set_defaults(handler=mark_step)

    note = actions.add_parser("note", help="add a note to the crisis log")
    note.add_argument("text")
    note.add_argument("--announce", action="store_true", help="also leave it as a notice for every console user")
    note.set_defaults(handler=add_note)

    timeline = actions.add_parser("timeline", help="the timeline of a crisis (default: the active one)")
    timeline.add_argument("crisis_id", nargs="?", metavar="ID")
    timeline.add_argument("--json", action="store_true", help="JSON Lines, one entry a line")
    timeline.set_defaults(handler=show_timeline)

    listing = actions.add_parser("list", help="every crisis, the newest first")
    listing.add_argument("--json", action="store_true", help="JSON Lines, one crisis a line")
    listing.set_defaults(handler=list_crises)

    report = actions.add_parser("report", help="the post-mortem of a crisis")
    report.add_argument("crisis_id", metavar="ID")
    report.add_argument("--format", choices=("md", "json"), default="md")
    report.add_argument("-o", "--output", type=Path, metavar="FILE", help="write it to FILE instead of printing it")
    report.set_defaults(handler=write_report)

    statement = actions.add_parser("statement", help="publish a library holding statement through the crisis "
                                   "route (a fresh code); once approved it passes the freeze")
    statement.add_argument("asset_id", metavar="ASSET")
    statement.add_argument("--to", action="append", required=True, metavar="ACCOUNT",
                           help="an account it goes to; repeatable, or comma-separated")
    statement.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                           help="acknowledge a warning of the content policy; repeatable")
    statement.set_defaults(handler=publish_statement)

    actions.add_parser("statements", help="the usable holding statements, those prepared for the crisis first"
                       ).set_defaults(handler=list_statements)
    actions.add_parser("missed", help="posts a freeze made miss their time: reschedule or drop each"
                       ).set_defaults(handler=list_missed)
    reschedule = actions.add_parser("reschedule", help="give a post that missed its time a new one (the "
                                    "publishing rules, and re-approval where governance.toml asks, apply)")
    reschedule.add_argument("post_id", metavar="POST")
    when = reschedule.add_mutually_exclusive_group(required=True)
    when.add_argument("--at", metavar="TIME", help="ISO with offset (2026-12-01T09:00+01:00), or 2h, "
                      "tomorrow 09:00 (this machine's time zone)")
    when.add_argument("--next-slot", action="store_true", help="each account's next free queue slot")
    reschedule.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                            help="acknowledge a warning of the publishing rules; repeatable")
    reschedule.set_defaults(handler=reschedule_post)
    drop = actions.add_parser("drop", help="take a post that missed its time off the calendar (it stays approved)")
    drop.add_argument("post_id", metavar="POST")
    drop.set_defaults(handler=drop_post)


# -- changing ------------------------------------------------------------------------------
def declare_crisis(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        declared = workspace.crisis.declare(session, args.severity, args.title, args.reason,
                                            accounts=args.account, regions=args.region, playbook=args.playbook)
    crisis = declared.crisis
    print(f"declared {crisis.id}: {crisis.label}, {one_line(crisis.title, 80)} ({crisis.scope})"
          + (f", playbook {crisis.playbook}" if crisis.playbook else "") + f"; {len(crisis.steps)} runbook steps; "
          "every console user is told")
    for hold in declared.adopted:
        print(f"the freeze {hold.id} ({hold.scope}, by {hold.by}) is now part of {crisis.id}")
    if declared.freeze is not None:
        for line in declared.freeze.lines():
            print(line)
    print("next: `socops crisis status`; holding statements: `socops crisis statements`")
    return 0


def freeze_publishing(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        report = workspace.crisis.freeze(acting_session(workspace), args.reason)
    for line in report.lines():
        print(line)
    print("nothing is claimed for publishing from now on; unfreezing needs two people (`socops crisis unfreeze`)")
    return 0


def ask_unfreeze(args: argparse.Namespace) -> int:
    return _ask(args, "unfreeze")


def ask_resolve(args: argparse.Namespace) -> int:
    return _ask(args, "resolve")


def _ask(args: argparse.Namespace, kind: str) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        service = workspace.crisis
        request = (service.request_unfreeze if kind == "unfreeze" else service.request_resolve)(session, args.note)
        roles = " or ".join(workspace.governance.crisis.confirm_roles)
    print(f"asked: {request.describe()}; a second person ({roles}, not you) confirms with `socops crisis confirm`")
    return 0


def confirm_request(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        confirmed = workspace.crisis.confirm(acting_session(workspace))
        lines = confirmed.lines(workspace.account_handle)
    for line in lines:
        print(line)
    if confirmed.missed:
        print("each: `socops crisis reschedule POST --at TIME` (re-approval where governance.toml asks for it) "
              "or `socops crisis drop POST`; `socops crisis missed` lists those left")
    return 0


def cancel_request(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        request = workspace.crisis.cancel_request(acting_session(workspace))
    print(f"cancelled: {request.describe()}")
    return 0


def mark_step(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        step = workspace.crisis.step(acting_session(workspace), args.step_id, args.state, args.note)
    late = " (late)" if step.late else ""
    print(f"{step.id} {step.state}{late}: {one_line(step.title, 80)}")
    return 0


def add_note(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        note = workspace.crisis.note(acting_session(workspace), args.text, announce=args.announce)
    print("noted" + (" and announced to every console user" if note.announced else ""))
    return 0


def publish_statement(args: argparse.Namespace) -> int:
    accounts = [account.strip() for value in args.to for account in value.split(",") if account.strip()]
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        try:
            post = workspace.crisis.publish_holding_statement(session, args.asset_id, accounts, acknowledge=args.ack)
        except (PolicyBlocked, AcknowledgementRequired) as error:
            print(f"socops: error: {error}", file=sys.stderr)
            findings = getattr(error, "findings", None) or getattr(error, "warnings", ())
            for finding in findings:
                print(f"  {finding.rule_id}: {one_line(finding.message, 200)}", file=sys.stderr)
            if isinstance(error, AcknowledgementRequired):
                acks = " ".join(f"--ack {rule}" for rule in dict.fromkeys(f.rule_id for f in error.warnings))
                print(f"to go on anyway, run the command again with {acks}", file=sys.stderr)
            return 1
    stage = post.current_stage
    print(f"submitted {post.id} from {args.asset_id} to {', '.join(post.targets)} on route {post.route.name}; "
          f"it waits for {stage.describe() if stage else 'nobody'} (not you); once approved it is published at "
          "once, passing the freeze")
    return 0


# -- reading -------------------------------------------------------------------------------
def show_status(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        acting_session(workspace)
        status = workspace.crisis.status()
        handle = workspace.account_handle
    if args.json:
        print_json(status_json(status))
        return 0
    for line in status_lines(status, handle):
        print(line)
    return 0


def status_lines(status: CrisisStatus, handle_of=lambda account_id: account_id) -> list[str]:
    lines = []
    crisis = status.crisis
    if crisis is None:
        lines.append("no crisis is active")
    else:
        lines.append(f"{status.banner()}  {crisis.id}: {one_line(crisis.title, 80)}")
        lines.append(f"level {crisis.label}; scope {crisis.scope}; declared by {crisis.declared_by} at "
                     f"{format_time(crisis.declared_at)} ({clock_text(status.elapsed)} since)"
                     + (f"; playbook {crisis.playbook}" if crisis.playbook else ""))
        if crisis.responders:
            lines.append(f"only these reply on the affected accounts: {', '.join(crisis.responders)}")
    if status.holds:
        for hold in status.holds:
            kind = "FROZEN" if hold.kind == "crisis" else "held"
            lines.append(f"{kind}: {hold.scope} since {format_time(hold.at)} by {hold.by} ({hold.id}): "
                         f"{one_line(hold.reason, 100)}")
    else:
        lines.append("publishing: normal (no freeze, no hold)")
    if status.request is not None:
        lines.append(f"waiting for a second person: {status.request.describe()}")
    if crisis is not None:
        lines.append(f"runbook: {status.runbook.describe()}")
        for step in crisis.steps:
            mark = {"done": "x", "n/a": "-"}.get(step.state, "!" if step.overdue(status.now) else " ")
            word = "OVERDUE " if step.overdue(status.now) else ""
            lines.append(f"  [{mark}] {step.id}  {word}due {format_time(step.due_at)}  {step.owner}: "
                         f"{one_line(step.title, 70)}" + (f" ({step.state} by {step.by})" if step.by else ""))
        if status.latest:
            lines.append("latest:")
            lines += [f"  {entry_line(entry)}" for entry in status.latest]
    return lines


def status_json(status: CrisisStatus) -> dict:
    crisis = status.crisis
    return {
        "now": format_time(status.now), "banner": status.banner(), "frozen": status.frozen,
        "crisis": crisis_json(crisis) if crisis else None,
        "elapsed_seconds": int(status.elapsed.total_seconds()),
        "holds": [{"id": h.id, "kind": h.kind, "scope": h.scope, "by": h.by, "at": format_time(h.at),
                   "reason": h.reason, "crisis": h.crisis} for h in status.holds],
        "runbook": {"done": status.runbook.done, "overdue": status.runbook.overdue, "total": status.runbook.total},
        "request": ({"kind": status.request.kind, "by": status.request.by, "at": format_time(status.request.at),
                     "note": status.request.note} if status.request else None),
        "latest": [entry_json(entry) for entry in status.latest],
    }


def crisis_json(crisis: Crisis) -> dict:
    return {"id": crisis.id, "severity": crisis.severity, "level": crisis.level, "title": crisis.title,
            "state": crisis.state, "scope": crisis.scope, "accounts": list(crisis.accounts),
            "regions": list(crisis.regions), "playbook": crisis.playbook, "declared_by": crisis.declared_by,
            "declared_at": format_time(crisis.declared_at), "resolved_at": format_time(crisis.resolved_at),
            "steps": [{"id": s.id, "title": s.title, "owner": s.owner, "due_at": format_time(s.due_at),
                       "state": s.state, "by": s.by, "at": format_time(s.at), "note": s.note} for s in crisis.steps]}


def entry_line(entry: TimelineEntry) -> str:
    return f"{format_time(entry.at)}  {entry.who or '-'}  [{entry.kind}] {entry.text}"


def entry_json(entry: TimelineEntry) -> dict:
    return {"at": format_time(entry.at), "who": entry.who, "kind": entry.kind, "text": entry.text}


def show_timeline(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        entries = workspace.crisis.timeline(acting_session(workspace), args.crisis_id)
    for entry in entries:
        if args.json:
            print_json(entry_json(entry))
        else:
            print(entry_line(entry))
    return 0


def list_crises(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        acting_session(workspace)
        crises = workspace.crisis.all()
    if not crises and not args.json:
        print("no crisis has been declared")
    for crisis in crises:
        if args.json:
            print_json(crisis_json(crisis))
        else:
            end = f"resolved {format_time(crisis.resolved_at)}" if crisis.resolved_at else "ACTIVE"
            print(f"{crisis.id}\t{crisis.label}\t{format_time(crisis.declared_at)}\t{end}\t"
                  f"{one_line(crisis.title, 60)}")
    return 0


def write_report(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        report = workspace.crisis.report(acting_session(workspace), args.crisis_id)
    text = report_markdown(report) if args.format == "md" else json.dumps(report, ensure_ascii=False, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
        return 0
    try:
        args.output.write_text(text, encoding="utf-8")
    except OSError as error:
        raise CommandFailed(f"cannot write {args.output}: {error}") from None
    print(f"wrote the {'Markdown' if args.format == 'md' else 'JSON'} report of {args.crisis_id} to {args.output}")
    return 0


def list_statements(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        choices = workspace.crisis.holding_statements(acting_session(workspace))
    if not choices:
        print("no usable holding statement in the library; add one (`socops library add holding-statement`) "
              "and have it approved")
    for choice in choices:
        mark = "prepared" if choice.prepared else "-"
        print(f"{choice.asset.id}\t{mark}\t{', '.join(choice.asset.tags)}\t{one_line(choice.asset.title, 70)}")
    return 0


def reschedule_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        at = _moment(args.at, workspace.clock()) if args.at else None
        session = acting_session(workspace)
        schedule = workspace.scheduling.schedule(session, args.post_id, ScheduleRequest(
            at=at, next_slot=args.next_slot, acknowledge=tuple(args.ack)))
        post = workspace.posts.get(schedule.post_id)
    times = "; ".join(f"{workspace.account_handle(a)} {format_time(t.at)}" for a, t in schedule.targets.items())
    print(f"rescheduled {schedule.post_id}: {times}" + ("" if post.status == "approved" else
                                                        f"; it needs approval again ({post.status_label})"))
    return 0


def drop_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.scheduling.unschedule(acting_session(workspace), args.post_id)
    print(f"dropped {post.id} from the calendar; it stays approved (schedule it again, or leave it)")
    return 0


def _moment(text: str, now: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        moment = None
    if moment is not None and moment.tzinfo is None:
        raise CommandFailed(f"usage error: --at {text!r} has no offset; add one, e.g. {text.strip()}+00:00",
                            exit_code=2)
    if moment is None:
        try:
            moment = parse_when(text, now.astimezone())
        except ValueError as error:
            raise CommandFailed(f"usage error: --at: {error}", exit_code=2) from None
    return moment


def list_missed(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        acting_session(workspace)
        missed = workspace.crisis.missed_posts()
        handle = workspace.account_handle
    if not missed:
        print("no post waits: nothing a freeze stopped needs rescheduling")
    for target in missed:
        print(f"{target.post_id}\t{handle(target.account_id)}\twas due {format_time(target.at)}\t{target.state}")
    if missed:
        print("each: `socops crisis reschedule POST --at TIME` or `socops crisis drop POST`")
    return 0
