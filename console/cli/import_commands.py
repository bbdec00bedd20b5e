"""``socops post import FILE.csv``: one post per row; a dry run unless ``--apply``.

The dry run prints the plan (each row's accounts and local times, what the
content policy and the publishing rules find) and every bad row as
``FILE:LINE: reason`` on standard error. ``--apply`` drafts and submits the
good rows, one at a time, as the acting user; Ctrl+C stops after the row in
hand. Rows imported before are skipped and named. The rules are
``console/publishing/post_import.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import INTERRUPTED, CommandFailed
from console.cli.post_view import finding_line
from console.publishing import ImportPlan, PlannedRow
from console.untrusted import one_line


def register(actions: argparse._SubParsersAction) -> None:
    importing = actions.add_parser(
        "import", help="posts from a CSV file (accounts,text,time,tags,image,id): a dry run unless --apply")
    importing.add_argument("file", help="the CSV file ('-' reads standard input)")
    importing.add_argument("--apply", action="store_true", help="draft and submit the good rows")
    importing.add_argument("--ack", action="append", default=[], metavar="RULE_ID",
                           help="acknowledge this content-policy warning on every row; repeatable")
    importing.set_defaults(handler=import_posts)


def _read(name: str) -> str:
    try:
        if name == "-":
            return sys.stdin.buffer.read().decode("utf-8-sig")
        return Path(name).read_bytes().decode("utf-8-sig")
    except OSError as error:
        raise CommandFailed(f"cannot read {name}: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise CommandFailed(f"{name} is not UTF-8 text (byte {error.start}); save it as CSV UTF-8 and import "
                            "it again") from None


def import_posts(args: argparse.Namespace) -> int:
    text = _read(args.file)
    source = "stdin" if args.file == "-" else Path(args.file).name
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        plan = workspace.post_import.plan(session, text, source, acknowledge=args.ack,
                                          local_zone=common.local_zone())
        if not args.apply:
            _print_plan(args.file, plan)
            print(f"{plan.summary()}; nothing was written (a dry run): import them with --apply")
            return 1 if plan.bad else 0
        with common.stop_between_batches() as stop_asked:
            report = workspace.post_import.apply(session, plan, acknowledge=args.ack, should_stop=stop_asked)
    for line, reason in plan.bad:
        print(f"{args.file}:{line}: {reason}", file=sys.stderr)
    for row in plan.already:
        print(f"{args.file}:{row.line}  already imported as {row.imported_as}")
    for outcome in report.outcomes:
        if outcome.submitted:
            print(f"{args.file}:{outcome.line}  {outcome.post_id} submitted for approval")
        elif outcome.post_id:
            print(f"{args.file}:{outcome.line}: {outcome.post_id}: {outcome.detail}", file=sys.stderr)
        else:
            print(f"{args.file}:{outcome.line}: {outcome.detail}", file=sys.stderr)
    print(f"{report.summary()}; {len(plan.already)} already imported, {len(plan.bad)} bad")
    if report.interrupted:
        print(f"stopped after line {report.last_line}: the rows after it were not imported; import the file "
              "again to add them (what is imported is skipped)")
        return INTERRUPTED
    return 1 if plan.bad or report.not_submitted else 0


def _print_plan(name: str, plan: ImportPlan) -> None:
    for row in plan.rows:
        _print_row(name, row)
    for line, reason in plan.bad:
        print(f"{name}:{line}: {reason}", file=sys.stderr)


def _print_row(name: str, row: PlannedRow) -> None:
    if row.imported_as:
        print(f"{name}:{row.line}  already imported as {row.imported_as}")
        return
    print(f"{name}:{row.line}  new: {one_line(row.text, 60)}")
    for local in row.local_times:
        print(f"    {local}")
    if row.tags or row.assets:
        print(f"    tags {', '.join(row.tags) or '-'}   image {', '.join(row.assets) or '-'}")
    for finding in row.findings + row.rules:
        print(f"    {finding_line(finding, row.text)}")
