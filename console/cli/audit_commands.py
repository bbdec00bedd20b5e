"""``socops audit``: check the hash chain, and export a compliance archive."""

from __future__ import annotations

import argparse
import sys
from datetime import datetime, timezone
from pathlib import Path

from console.cli.acting import acting_session
from console.cli import common
from console.cli.common import CommandFailed


def register(commands: argparse._SubParsersAction) -> None:
    audit = commands.add_parser("audit", help="verify or export the tamper-evident audit trail")
    actions = audit.add_subparsers(dest="audit_command", metavar="ACTION", required=True)
    verify = actions.add_parser("verify", help="check every event of the chain; name the first bad one")
    verify.set_defaults(handler=verify_trail)
    export = actions.add_parser("export", help="write events as JSON Lines or CSV")
    export.add_argument("--since", help="only events at or after this date (YYYY-MM-DD, UTC)")
    export.add_argument("--format", choices=("jsonl", "csv"), default="jsonl")
    export.add_argument("--output", "-o", help="file to write (default: standard output)")
    export.set_defaults(handler=export_trail)


def verify_trail(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        result = workspace.audit.verify(session)
    print(result.describe())
    return 0 if result.ok else 1


def _since(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        return datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=timezone.utc)
    except ValueError:
        raise CommandFailed(f"usage error: --since {text!r} is not a date like 2026-11-01", exit_code=2) from None


def export_trail(args: argparse.Namespace) -> int:
    since = _since(args.since)
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        if args.output:
            path = Path(args.output)
            try:
                with path.open("w", encoding="utf-8", newline="") as out:
                    count = workspace.audit.export(session, out, fmt=args.format, since=since)
            except OSError as error:
                raise CommandFailed(f"cannot write {path}: {error.strerror}") from error
        else:
            count = workspace.audit.export(session, sys.stdout, fmt=args.format, since=since)
    print(f"exported {count} events", file=sys.stderr)
    return 0
