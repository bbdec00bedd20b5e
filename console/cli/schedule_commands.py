"""``socops post schedule | unschedule | publish | retry | delete``: a post's way
onto the platforms, and off them again.

A TIME without an offset is each target account's own wall-clock time:
``--at "2026-12-05 15:00"`` sends it at 15:00 in New York on the New York
account and at 15:00 in Tokyo on the Tokyo one. Publishing now and deleting
are high-risk: the command's own login is the fresh code they need
(``acting.py``). The services check every permission and rule; refusals by
the publishing rules print each finding, as ``post submit`` prints the
content policy's.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import CommandFailed, read_post_time
from console.cli.post_view import finding_line, print_refusal, target_line
from console.posts import APPROVED, AcknowledgementRequired, PolicyBlocked
from console.publishing import Schedule, ScheduleRequest, local_text

TIME_HELP = ("2026-12-05 15:00 (each account's own time zone), 2026-12-05T15:00+01:00 (one moment everywhere), "
             "2026-12-05 15:00 Europe/Madrid, 2h, tomorrow 09:00 or mon 09:00")


def register(actions: argparse._SubParsersAction) -> None:
    schedule = actions.add_parser("schedule", help="schedule an approved post, or move a scheduled one")
    schedule.add_argument("post_id")
    when = schedule.add_mutually_exclusive_group()
    when.add_argument("--at", metavar="TIME", help=f"when (default: its proposed time): {TIME_HELP}")
    when.add_argument("--next-slot", action="store_true", help="each account's next free queue slot")
    schedule.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                          help="acknowledge a warning of the publishing rules (e.g. publishing.duplicate); "
                               "repeatable")
    schedule.add_argument("--override", action="append", default=[], metavar="BLACKOUT_ID",
                          help="go out in this blackout anyway (roles governance.toml names; needs --note; "
                               "the post needs approval again); repeatable")
    schedule.add_argument("--note", default="", help="why the blackout is overridden (approvers read it)")
    schedule.add_argument("--dry-run", action="store_true",
                          help="print each account's time and what the rules find; change nothing")
    schedule.set_defaults(handler=schedule_post)

    unschedule = actions.add_parser("unschedule", help="take a post off the calendar (it stays approved)")
    unschedule.add_argument("post_id")
    unschedule.set_defaults(handler=unschedule_post)

    publish = actions.add_parser("publish", help="publish an approved post now (high-risk: a fresh code)")
    publish.add_argument("post_id")
    publish.add_argument("--now", action="store_true", required=True,
                         help="required: says that it goes out at once, outside the schedule")
    publish.set_defaults(handler=publish_now)

    retry = actions.add_parser("retry", help="send a post's failed or missed accounts again, now")
    retry.add_argument("post_id")
    retry.add_argument("--checked", action="store_true",
                       help="also the accounts that need a check: you looked, and the post is not there")
    retry.set_defaults(handler=retry_post)

    delete = actions.add_parser("delete", help="delete a published post from its platforms (high-risk: a "
                                "fresh code; not on platforms without a delete, such as Instagram)")
    delete.add_argument("post_id")
    delete.add_argument("--account", action="append", default=[], metavar="ACCOUNT",
                        help="only from this account (default: every account it is out on); repeatable")
    delete.set_defaults(handler=delete_post)


def _request(args: argparse.Namespace, workspace) -> ScheduleRequest:
    if args.note.strip() and not args.override:
        raise CommandFailed("usage error: --note explains an --override BLACKOUT_ID; give both, or neither",
                            exit_code=2)
    at = local = None
    if args.at:
        when = read_post_time(args.at, workspace.clock())
        at, local = (None, when) if when.tzinfo is None else (when, None)
    return ScheduleRequest(at=at, local=local, next_slot=args.next_slot, overrides=tuple(args.override),
                           note=args.note, acknowledge=tuple(args.ack))


def _times(workspace, schedule: Schedule) -> list[str]:
    return [f"  {account_id}  {local_text(target.at, workspace.scheduling.zone(account_id))}"
            for account_id, target in schedule.targets.items()]


def schedule_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        request = _request(args, workspace)
        session = acting_session(workspace)
        if args.dry_run:
            return _print_plan(workspace.scheduling.plan(session, args.post_id, request), request)
        before = workspace.scheduling.get(args.post_id)
        try:
            schedule = workspace.scheduling.schedule(session, args.post_id, request)
        except (PolicyBlocked, AcknowledgementRequired) as error:
            return print_refusal(error, workspace.posts.get(args.post_id), "schedule")
        post = workspace.posts.get(args.post_id)
        lines = _times(workspace, schedule)
    print(f"{'rescheduled' if before else 'scheduled'} {post.id}:")
    for line in lines:
        print(line)
    if post.status != APPROVED:
        why = post.history[-1].note if post.history and post.history[-1].action == "reset" else post.status_label
        print(f"it goes out only once approved again ({why}); its approvers are told")
    return 0


def _print_plan(plan, request: ScheduleRequest) -> int:
    """A dry run: each account's time and every finding; exit 1 when scheduling would be refused."""
    print(f"{plan.post.id} would go out:")
    for line in plan.describe():
        print(f"  {line}")
    for finding in plan.findings:
        print(f"  {finding_line(finding)}")
    missing = sorted({f.rule_id for f in plan.warnings} - set(request.acknowledge))
    if plan.post.status != APPROVED:
        print(f"not scheduled: {plan.post.id} is {plan.post.status_label}; only an approved post can be scheduled")
        return 1
    if plan.errors:
        print(f"not scheduled: {len(plan.errors)} publishing rule{'s' if len(plan.errors) != 1 else ''} say no")
        return 1
    if missing:
        print(f"not scheduled: acknowledge {', '.join(missing)} (--ack) to schedule it then")
        return 1
    print("nothing was changed (a dry run); run it again without --dry-run to schedule it")
    return 0


def unschedule_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.scheduling.unschedule(acting_session(workspace), args.post_id)
    print(f"unscheduled {post.id}: it stays approved (ready to schedule)")
    return 0


def publish_now(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        try:
            schedule = workspace.scheduling.publish_now(session, args.post_id)
        except PolicyBlocked as error:
            return print_refusal(error, workspace.posts.get(args.post_id), "publish")
        zones = {a.account_id: a.timezone for a in workspace.accounts}
        worker = workspace.worker_status()
    print(f"{schedule.post_id} goes out now; the worker sends it within seconds:")
    for account_id, target in schedule.targets.items():
        print(f"  {target_line(target, zones.get(account_id, 'UTC'))}")
    if worker.state == "stopped":
        print(f"socops: note: {worker.detail}", file=sys.stderr)
    return 0


def retry_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        schedule = workspace.scheduling.retry(acting_session(workspace), args.post_id, checked=args.checked)
        zones = {a.account_id: a.timezone for a in workspace.accounts}
    print(f"retrying {schedule.post_id} now:")
    for account_id, target in schedule.targets.items():
        print(f"  {target_line(target, zones.get(account_id, 'UTC'))}")
    return 0


def delete_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        # Refused before any platform is reached: no permission, nothing out, no delete in the API.
        workspace.deletion.targets(session, args.post_id, args.account)
        source = workspace.make_account_adapters()

        async def delete():
            try:
                adapters = await source.current()
                return await workspace.deletion.delete(session, args.post_id, adapters, accounts=args.account)
            finally:
                await source.aclose()

        outcomes = asyncio.run(delete())
    for outcome in outcomes:
        if outcome.deleted:
            print(f"deleted {args.post_id} from {outcome.account_id} (its post {outcome.detail})")
        else:
            print(f"socops: error: {args.post_id} on {outcome.account_id} was not deleted: {outcome.detail}; "
                  "it stays published: try again later", file=sys.stderr)
    return 0 if all(outcome.deleted for outcome in outcomes) else 1
