"""``socops training``: record and list the courses console users have completed."""

from __future__ import annotations

import argparse
from datetime import date

from console.cli.acting import acting_session
from console.cli import common
from console.cli.common import CommandFailed, print_json
from console.permissions import TRAINING_MANAGE


def register(commands: argparse._SubParsersAction) -> None:
    training = commands.add_parser("training", help="record and list users' training")
    actions = training.add_subparsers(dest="training_command", metavar="ACTION", required=True)

    record = actions.add_parser("record", help="record a completed course (needs training.manage)")
    record.add_argument("username")
    record.add_argument("course", help="e.g. security-basics")
    record.add_argument("--completed", required=True, help="date, YYYY-MM-DD")
    record.add_argument("--expires", help="first day it no longer counts, YYYY-MM-DD "
                        "(default: the course's valid_days in governance.toml, else never)")
    record.set_defaults(handler=record_training)

    listing = actions.add_parser("list", help="list training records (yours, or a user's, or everyone's)")
    listing.add_argument("username", nargs="?")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_training)


def _date(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandFailed(f"usage error: {option} {text!r} is not a date; use YYYY-MM-DD", exit_code=2) from None


def record_training(args: argparse.Namespace) -> int:
    completed = _date(args.completed, "--completed")
    expires = _date(args.expires, "--expires") if args.expires else None
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        record = workspace.training.record(session, args.username, args.course, completed, expires)
    until = f"until {record.expires_on}" if record.expires_on else "with no expiry"
    print(f"recorded {record.course} for {record.username}: completed {record.completed_on}, counts {until}")
    return 0


def list_training(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        username = args.username
        if username is None and not session.allowed(TRAINING_MANAGE):
            username = session.name
        today = workspace.clock().date()
        for record in workspace.training.list(session, username):
            state = "current" if record.current_on(today) else (
                "expired" if record.expires_on and record.expires_on <= today else "not yet")
            if args.json:
                print_json({"username": record.username, "course": record.course,
                            "completed_on": record.completed_on.isoformat(),
                            "expires_on": record.expires_on.isoformat() if record.expires_on else None,
                            "state": state, "recorded_by": record.recorded_by})
                continue
            print("\t".join((record.username, record.course, str(record.completed_on),
                             str(record.expires_on or "-"), state)))
    return 0
