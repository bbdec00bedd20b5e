"""``socops publishing hold | release | holds``: stop publishing, everywhere or
on some accounts or regions, until the hold is released.

Holding and releasing need ``schedule.freeze``, a high-risk permission: the
command's own login is the fresh code (``acting.py``). Both are audited. A
held post stays scheduled and goes out once no hold stops it (unless its time
passed by more than the allowed delay meanwhile: then it is "missed").
"""

from __future__ import annotations

import argparse

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import print_json
from console.publishing import Hold
from console.records import format_time
from console.untrusted import one_line


def register(commands: argparse._SubParsersAction) -> None:
    publishing = commands.add_parser("publishing", help="hold and release publishing")
    actions = publishing.add_subparsers(dest="publishing_command", metavar="ACTION", required=True)

    hold = actions.add_parser("hold", help="stop publishing until released (high-risk: a fresh code); "
                              "without --account or --region: every account")
    hold.add_argument("--account", action="append", default=[], metavar="ACCOUNT", help="repeatable")
    hold.add_argument("--region", action="append", default=[], metavar="REGION", help="repeatable")
    hold.add_argument("--reason", required=True, help="why (shown on every held post)")
    hold.set_defaults(handler=hold_publishing)

    release = actions.add_parser("release", help="release a hold (high-risk: a fresh code)")
    release.add_argument("hold_id")
    release.add_argument("--note", default="", help="what changed (kept in the audit trail)")
    release.set_defaults(handler=release_hold)

    holds = actions.add_parser("holds", help="every hold, the ones in force first")
    holds.add_argument("--json", action="store_true", help="one JSON object a line")
    holds.set_defaults(handler=list_holds)


def hold_publishing(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        hold = workspace.holds.hold(acting_session(workspace), args.reason, accounts=args.account,
                                    regions=args.region)
    print(f"held publishing as {hold.id}: {one_line(hold.describe(), 300)}")
    print(f"nothing in its scope goes out until `socops publishing release {hold.id}`")
    return 0


def release_hold(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        hold = workspace.holds.release(acting_session(workspace), args.hold_id, args.note)
    print(f"released {hold.id} ({one_line(hold.describe(), 300)}); held posts go out at their times, and a "
          "post whose time passed while held is reported missed (`socops post retry` sends it)")
    return 0


def list_holds(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        acting_session(workspace)       # anyone logged in sees why posts are held
        holds = workspace.holds.all()
    for hold in holds:
        if args.json:
            print_json(_hold_json(hold))
        else:
            print(_hold_row(hold))
    return 0


def _hold_row(hold: Hold) -> str:
    state = "in force" if hold.active else f"released by {hold.released_by} at {format_time(hold.released_at)}"
    return "\t".join((hold.id, state, hold.kind, format_time(hold.at) or "-", one_line(hold.describe(), 200)))


def _hold_json(hold: Hold) -> dict:
    return {"id": hold.id, "active": hold.active, "kind": hold.kind, "reason": hold.reason, "by": hold.by,
            "at": format_time(hold.at), "accounts": list(hold.accounts), "regions": list(hold.regions),
            "released_by": hold.released_by, "released_at": format_time(hold.released_at)}
