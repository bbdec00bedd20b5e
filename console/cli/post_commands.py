"""``socops post``: draft, submit, approve, reject, request changes, list and show posts.

Scheduling, publishing and deleting are ``schedule_commands.py``; importing
a file of posts is ``import_commands.py``. Every command acts as the console
user (``SOCOPS_USER`` with ``SOCOPS_TOTP``, see ``console/cli/acting.py``);
the services check what that user may do.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.cli import common, import_commands, schedule_commands
from console.cli.acting import acting_session
from console.cli.common import CommandFailed, print_json, read_post_time
from console.cli.post_view import (finding_line, list_row, post_json, print_refusal, schedule_json, show_lines,
                                   text_of)
from console.posts import POST_STATUSES, AcknowledgementRequired, PolicyBlocked, stage_states
from console.untrusted import one_line


def register(commands: argparse._SubParsersAction) -> None:
    post = commands.add_parser("post", help="draft posts and take them through approval")
    actions = post.add_subparsers(dest="post_command", metavar="ACTION", required=True)

    draft = actions.add_parser("draft", help="write a draft")
    draft.add_argument("--to", required=True, metavar="ACC[,ACC]", help="target account ids, comma-separated")
    text = draft.add_mutually_exclusive_group(required=True)
    text.add_argument("--text")
    text.add_argument("--text-file", metavar="FILE", help="read the text from FILE ('-': standard input)")
    draft.add_argument("--variant", action="append", default=[], metavar="PLATFORM=TEXT",
                       help="the text for one platform instead of the main text; repeatable")
    draft.add_argument("--tag", action="append", default=[], help="the post's own tag (promo...); repeatable")
    draft.add_argument("--asset", action="append", default=[], metavar="ID", help="a library image; repeatable")
    draft.add_argument("--at", metavar="TIME", help="proposed time: 2026-12-05 15:00 (the accounts' own time "
                       "zone, when they share one), 2026-12-05T15:00+01:00, 2026-12-05 15:00 Europe/Madrid, 2h, "
                       "tomorrow 09:00 or mon 09:00")
    draft.set_defaults(handler=draft_post)

    submit = actions.add_parser("submit", help="submit a draft for approval")
    submit.add_argument("post_id")
    submit.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                        help="acknowledge a warning of the content policy; repeatable")
    submit.set_defaults(handler=submit_post)

    approve = actions.add_parser("approve", help="approve the stage of a post waiting for you")
    approve.add_argument("post_id")
    approve.add_argument("--note", default="")
    approve.set_defaults(handler=approve_post)
    for name, help_text in (("reject", "reject a post (a note saying why is required)"),
                            ("changes", "ask the authors for changes (a note is required)")):
        decide = actions.add_parser(name, help=help_text)
        decide.add_argument("post_id")
        decide.add_argument("--note", required=True)
        decide.set_defaults(handler=reject_post if name == "reject" else request_changes)

    copy = actions.add_parser("copy", help="copy a post (rejected, expired...) into a new draft")
    copy.add_argument("post_id")
    copy.set_defaults(handler=copy_post)

    listing = actions.add_parser("list", help="list posts (earliest proposed time first)")
    listing.add_argument("--status", choices=POST_STATUSES)
    listing.add_argument("--queue", action="store_true", help="only posts waiting for your approval")
    listing.add_argument("--mine", action="store_true", help="only posts you wrote or edited")
    listing.add_argument("--json", action="store_true", help="JSON Lines, one post a line")
    listing.set_defaults(handler=list_posts)

    show = actions.add_parser("show", help="a post: route, findings, per-platform text, changes, history")
    show.add_argument("post_id")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_post)

    schedule_commands.register(actions)
    import_commands.register(actions)


def _variants(pairs: list[str]) -> dict[str, str]:
    variants = {}
    for pair in pairs:
        platform, sep, text = pair.partition("=")
        if not sep or not platform.strip():
            raise CommandFailed(f"usage error: --variant {pair[:40]!r} is not PLATFORM=TEXT", exit_code=2)
        variants[platform.strip()] = text
    return variants


def _read_text(args: argparse.Namespace) -> str:
    if args.text is not None:
        return args.text
    if args.text_file == "-":
        return sys.stdin.read()
    try:
        return Path(args.text_file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise CommandFailed(f"cannot read {args.text_file}: {error}") from None


def draft_post(args: argparse.Namespace) -> int:
    text, variants = _read_text(args), _variants(args.variant)
    with common.open_workspace() as workspace:
        proposed_at = None
        if args.at:
            # "15:00" is the accounts' own 15:00: one moment only when they share a zone.
            proposed_at = workspace.scheduling.proposed_moment(args.to.split(","),
                                                               read_post_time(args.at, workspace.clock()))
        session = acting_session(workspace)
        post = workspace.posts.draft(session, args.to.split(","), text, variants=variants, tags=args.tag,
                                     assets=args.asset, proposed_at=proposed_at)
        check = workspace.posts.check(post)
    print(f"drafted {post.id} for {', '.join(post.targets)} (risk {post.risk})")
    for finding in check.findings:
        print(f"  {finding_line(finding, text_of(post, finding))}")
    print(f"submit it with `socops post submit {post.id}`")
    return 0


def submit_post(args: argparse.Namespace) -> int:
    """Submit; on a refusal by the content policy print each finding on its own line."""
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        try:
            post = workspace.posts.submit(session, args.post_id, acknowledge=args.ack)
        except (PolicyBlocked, AcknowledgementRequired) as error:
            return print_refusal(error, workspace.posts.get(args.post_id), "submit")
    stage = post.current_stage
    print(f"submitted {post.id}: route {post.route.name} ({post.route.describe()}); "
          f"stage 1 waits for {stage.describe() if stage else '-'}")
    return 0


def approve_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.approvals.approve(acting_session(workspace), args.post_id, note=args.note)
    where = post.status_label if post.current_stage is None else \
        f"in review, stage {post.stage + 1} ({post.current_stage.describe()})"
    print(f"approved {post.id}: now {where}")
    return 0


def reject_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.approvals.reject(acting_session(workspace), args.post_id, args.note)
    print(f"rejected {post.id}; its authors are told")
    return 0


def request_changes(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.approvals.request_changes(acting_session(workspace), args.post_id, args.note)
    print(f"asked for changes to {post.id}; its authors are told")
    return 0


def copy_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        post = workspace.posts.duplicate(acting_session(workspace), args.post_id)
    print(f"copied {args.post_id} into the new draft {post.id}: {one_line(post.text, 60)}")
    return 0


def list_posts(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        if args.queue:
            posts = [p for p in workspace.approvals.queue(session)
                     if (not args.status or p.status == args.status) and (not args.mine or session.name in p.authors)]
        else:
            posts = workspace.posts.list(session, status=args.status, mine=args.mine)
    for post in posts:
        if args.json:
            print_json(post_json(post))
        else:
            print(list_row(post))
    return 0


def show_post(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        post = workspace.posts.show(session, args.post_id)
        check = workspace.posts.check(post)
        diff = workspace.approvals.revision_diff(post)
        zones = {a.account_id: a.timezone for a in workspace.accounts if a.account_id in post.targets}
        schedule = workspace.scheduling.get(post.id)
    stages = stage_states(post)
    if args.json:
        print_json({**post_json(post, stages, check, diff), "schedule": schedule_json(schedule)})
        return 0
    for line in show_lines(post, stages, check, diff, zones, schedule):
        print(line)
    return 0
