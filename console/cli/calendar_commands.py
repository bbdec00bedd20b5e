"""``socops calendar``: what goes out when, on which account, in what state;
and ``socops calendar export``: the same as an iCalendar or CSV file.

Shows the posts the acting user may read (as ``post list`` does), from today
for eight days in this machine's time zone unless ``--from``/``--to`` say
otherwise. ``--zone`` shows times in another zone, in each post's account's
own zone (``account``), or in UTC. The read model is
``console/publishing/calendar.py``; the file formats ``export.py``.
"""

from __future__ import annotations

import argparse
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import CommandFailed, print_json, write_whole
from console.permissions import PermissionDenied
from console.publishing import (CALENDAR_STATES, CalendarEntry, CalendarFilter, FreeSlot, calendar_csv,
                                calendar_events, calendar_ics, entry_line, local_moment, local_text)
from console.records import format_time

DEFAULT_DAYS = 8        # today and the next 7 days


def register(commands: argparse._SubParsersAction) -> None:
    calendar = commands.add_parser("calendar", help="what goes out when: posts, their states, free slots")
    _range_options(calendar)
    calendar.add_argument("--account", action="append", default=[], metavar="ACCOUNT", help="repeatable")
    calendar.add_argument("--state", action="append", default=[], type=_state, metavar="STATE",
                          help=f"repeatable; one of {', '.join(s.replace(' ', '-') for s in CALENDAR_STATES)}")
    calendar.add_argument("--tag", action="append", default=[], metavar="TAG", help="repeatable")
    calendar.add_argument("--zone", default="local", metavar="ZONE",
                          help="show times in ZONE (an IANA name), 'account' (each account's own), 'utc' or "
                               "'local' (this machine's, the default)")
    calendar.add_argument("--slots", action="store_true", help="also the free queue slots")
    calendar.add_argument("--json", action="store_true", help="one JSON object a line, times in UTC")
    calendar.set_defaults(handler=show_calendar)

    actions = calendar.add_subparsers(dest="calendar_command", metavar="ACTION")
    export = actions.add_parser("export", help="write the calendar as an iCalendar (.ics) or CSV file, for a "
                                "team's shared calendar")
    export.add_argument("--format", choices=("ics", "csv"), required=True)
    export.add_argument("-o", "--output", required=True, metavar="FILE")
    export.add_argument("--force", action="store_true", help="replace FILE if it exists")
    _range_options(export)
    export.set_defaults(handler=export_calendar)


def _range_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--from", dest="start", metavar="DATE", help="first day, YYYY-MM-DD (default: today)")
    parser.add_argument("--to", dest="end", metavar="DATE",
                        help=f"last day, included (default: {DEFAULT_DAYS - 1} days after the first)")


def _state(text: str) -> str:
    state = text.strip().lower().replace("-", " ").replace("_", " ")
    if state not in CALENDAR_STATES:
        raise argparse.ArgumentTypeError(f"{text!r} is not a state; use one of "
                                         f"{', '.join(s.replace(' ', '-') for s in CALENDAR_STATES)}")
    return state


def _zone(text: str) -> tzinfo | None:
    """The display zone; None means each account's own."""
    name = text.strip()
    if name.lower() == "account":
        return None
    if name.lower() == "local":
        return common.local_zone()
    if name.lower() == "utc":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise CommandFailed(f"usage error: --zone {name[:60]!r} is not a time zone; give an IANA name "
                            "(Europe/Madrid), account, utc or local", exit_code=2) from None


def _day(text: str, option: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise CommandFailed(f"usage error: {option} {text[:40]!r} is not a date like 2026-12-01",
                            exit_code=2) from None


def _period(args: argparse.Namespace, zone: tzinfo, now: datetime) -> tuple[datetime, datetime]:
    """``[start, end)`` from the days of ``--from``/``--to`` in ``zone``."""
    first = _day(args.start, "--from") if args.start else now.astimezone(zone).date()
    last = _day(args.end, "--to") if args.end else first + timedelta(days=DEFAULT_DAYS - 1)
    if last < first:
        raise CommandFailed(f"usage error: --to {last} is before --from {first}", exit_code=2)
    return local_moment(first, time(0), zone), local_moment(last + timedelta(days=1), time(0), zone)


def _reader(workspace, session):
    """Whether ``session`` may see a post with these accounts (the posts service decides)."""
    workspace.posts.require_reader(session, ())

    def visible(accounts) -> bool:
        try:
            workspace.posts.require_reader(session, accounts)
        except PermissionDenied:
            return False
        return True

    return visible


def show_calendar(args: argparse.Namespace) -> int:
    zone = _zone(args.zone)
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        visible = _reader(workspace, session)
        start, end = _period(args, zone or common.local_zone(), workspace.clock())
        where = CalendarFilter(accounts=tuple(args.account), states=tuple(args.state), tags=tuple(args.tag))
        entries = workspace.calendar.entries(start, end, where, visible=visible)
        slots: list[FreeSlot] = []
        if args.slots:
            scope = session.scope()
            accounts = args.account or [a.account_id for a in workspace.accounts
                                        if scope.covers(a.account_id, a.region)]
            slots = workspace.calendar.free_slots(start, end, accounts)
        zone_of = workspace.scheduling.zone
        handle_of = workspace.account_handle
    rows: list[tuple[datetime, int, CalendarEntry | FreeSlot]] = [(e.at, 0, e) for e in entries]
    rows += [(s.at, 1, s) for s in slots]
    for _at, _order, row in sorted(rows, key=lambda r: (r[0], r[1])):
        if isinstance(row, FreeSlot):
            if args.json:
                print_json({"kind": "free_slot", "account": row.account_id, "at": format_time(row.at)})
            else:
                shown = zone or zone_of(row.account_id)
                print(f"{local_text(row.at, shown)}  · {'free slot':<16} {'':8} {handle_of(row.account_id)}")
        elif args.json:
            print_json(_entry_json(row))
        else:
            print(entry_line(row, zone or zone_of(row.accounts[0]), handle_of))
    return 0


def _entry_json(entry: CalendarEntry) -> dict:
    return {"kind": "post", "post_id": entry.post_id, "at": format_time(entry.at), "state": entry.state,
            "scheduled": entry.scheduled, "accounts": list(entry.accounts),
            "targets": [{"account": a, "state": s} for a, s in zip(entry.accounts, entry.target_states)],
            "tags": list(entry.tags), "preview": entry.preview}


def export_calendar(args: argparse.Namespace) -> int:
    path = Path(args.output)
    if path.exists() and not args.force:      # before the login: the answer would be the same
        raise CommandFailed(f"{path} exists; add --force to replace it, or choose another file")
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        visible = _reader(workspace, session)
        start, end = _period(args, common.local_zone(), workspace.clock())
        entries = workspace.calendar.entries(start, end, visible=visible)

        def url_of(post_id: str, account_id: str) -> str:
            schedule = workspace.scheduling.get(post_id)
            target = schedule.targets.get(account_id) if schedule else None
            return target.url if target else ""

        events = calendar_events(entries, handle_of=workspace.account_handle, zone_of=workspace.scheduling.zone,
                                 text_of=lambda post_id: workspace.posts.get(post_id).text, url_of=url_of)
        text = calendar_ics(events, now=workspace.clock()) if args.format == "ics" else calendar_csv(events)
    write_whole(path, text, force=args.force)
    print(f"wrote {len(events)} event{'s' if len(events) != 1 else ''} from {len(entries)} calendar "
          f"entr{'ies' if len(entries) != 1 else 'y'} ({start:%Y-%m-%d} to {end - timedelta(days=1):%Y-%m-%d}) "
          f"to {path}")
    return 0
