"""Reading ``[publishing]`` of ``governance.toml`` into a :class:`PublishingPolicy`.

Like the content sections (``console/policy/file.py``), every problem is
collected with its line and says what would be valid; an entry with a
problem is left out.
"""

from __future__ import annotations

import re
from datetime import date, datetime, time

from console.permissions import RoleBook
from console.policy import ERROR, WARNING, Problems, TableReader
from console.publishing.model import WEEKDAYS, Blackout, PublishingPolicy, QueueSlots

PUBLISHING_SECTION = "publishing"

_SETTINGS = ("min_spacing_minutes", "spacing_severity", "duplicate_days", "duplicate_severity",
             "reapprove_on_reschedule", "override_roles", "missed_after_minutes", "slots", "blackouts")
_BLACKOUT = ("id", "reason", "accounts", "regions", "start", "end", "daily_from", "daily_until", "days",
             "severity")
_CLOCK = re.compile(r"^([01]?\d|2[0-3]):([0-5]\d)$")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*\Z")


def parse_publishing_policy(raw: dict, problems: Problems, *, roles: RoleBook | None = None,
                            accounts: tuple[str, ...] = (), regions: tuple[str, ...] = ()) -> PublishingPolicy:
    """The ``[publishing]`` table of the parsed file ``raw`` (defaults when absent).

    ``accounts`` and ``regions`` are those the file names elsewhere: a
    blackout or slot naming another is reported, since it would never apply."""
    if PUBLISHING_SECTION not in raw:
        return PublishingPolicy()
    read = TableReader(problems)
    path = (PUBLISHING_SECTION,)
    table = read.table(raw[PUBLISHING_SECTION], path, _SETTINGS, "[publishing]")
    roles = roles or RoleBook()
    override_roles = read.words(table, path, "override_roles", "[publishing]") if "override_roles" in table \
        else PublishingPolicy.override_roles
    for index, role in enumerate(override_roles):
        if role not in roles:
            read.add(path + ("override_roles", index), f"[publishing] override_roles names {role!r}, which is "
                     f"not a role; known: {', '.join(roles.roles)}")
    return PublishingPolicy(
        slots=_slots(read, table.get("slots", {}), accounts),
        blackouts=_blackouts(read, table.get("blackouts", []), accounts, regions),
        min_spacing_minutes=read.number(table, path, "min_spacing_minutes", "[publishing]", 0, minimum=0) or 0,
        spacing_severity=_severity(read, table, path, "spacing_severity", ERROR),
        duplicate_days=read.number(table, path, "duplicate_days", "[publishing]", 0, minimum=0) or 0,
        duplicate_severity=_severity(read, table, path, "duplicate_severity", WARNING),
        reapprove_on_reschedule=read.flag(table, path, "reapprove_on_reschedule", "[publishing]", False),
        override_roles=tuple(role for role in override_roles if role in roles),
        missed_after_minutes=read.number(table, path, "missed_after_minutes", "[publishing]", 15, minimum=1) or 15,
    )


def _severity(read: TableReader, table: dict, path: tuple, key: str, default: str) -> str:
    value = table.get(key, default)
    if value not in (ERROR, WARNING):
        read.add(path + (key,), f'[publishing] {key} = {value!r} is not valid; use "error" or "warning"')
        return default
    return value


def _slots(read: TableReader, raw: object, accounts: tuple[str, ...]) -> dict[str, QueueSlots]:
    if not isinstance(raw, dict):
        read.add(("publishing", "slots"), '[publishing.slots] must hold one table per account, e.g. '
                 '[publishing.slots."sandbox:northwind_en"], or [publishing.slots."*"] for every account')
        return {}
    slots = {}
    for account_id, table in raw.items():
        path = ("publishing", "slots", account_id)
        header = f'[publishing.slots."{account_id}"]'
        table = read.table(table, path, ("days", "times"), header)
        if account_id != "*" and accounts and account_id not in accounts:
            read.add(path, f"{header} names an account that [accounts] does not list; "
                     f"known: {', '.join(accounts)}")
        days = _days(read, table, path, header)
        times = tuple(sorted({clock for index, text in enumerate(read.words(table, path, "times", header,
                                                                              required=True))
                              if (clock := _clock(read, text, path + ("times", index), f"{header} times"))}))
        slots[account_id] = QueueSlots(days=days, times=times)
    return slots


def _blackouts(read: TableReader, raw: object, accounts: tuple[str, ...],
               regions: tuple[str, ...]) -> tuple[Blackout, ...]:
    header = "[[publishing.blackouts]]"
    found: list[Blackout] = []
    ids: set[str] = set()
    for path, entry in read.entries(raw, ("publishing", "blackouts"), header):
        entry = read.table(entry, path, _BLACKOUT, header)
        blackout_id = read.text(entry, path, "id", header, required=True)
        if blackout_id and not _ID.match(blackout_id):
            read.add(path + ("id",), f"{header} id = {blackout_id!r} is not valid; use letters, digits, . _ : -")
            blackout_id = ""
        elif blackout_id in ids:
            read.add(path + ("id",), f"{header} id = {blackout_id!r} is used twice; ids must be unique")
            blackout_id = ""
        ids.add(blackout_id)
        reason = read.text(entry, path, "reason", header, required=True)
        targets = read.words(entry, path, "accounts", header)
        for index, account_id in enumerate(targets):
            if accounts and account_id not in accounts:
                read.add(path + ("accounts", index), f"{header} accounts names {account_id!r}, which [accounts] "
                         "does not list")
        target_regions = read.words(entry, path, "regions", header)
        for index, region in enumerate(target_regions):
            if regions and region not in regions:
                read.add(path + ("regions", index), f"{header} regions names {region!r}; known regions: "
                         f"{', '.join(regions)}")
        one_off = "start" in entry or "end" in entry
        daily = "daily_from" in entry or "daily_until" in entry
        start = end = daily_from = daily_until = None
        if one_off == daily:
            read.add(path, f"{header} needs either start and end (a one-off window) or daily_from and "
                     "daily_until (quiet hours every day), not " + ("both" if one_off else "neither"))
            continue
        if one_off:
            start = _moment(read, entry, path, "start", header)
            end = _moment(read, entry, path, "end", header)
            if start is not None and end is not None:
                if (start.tzinfo is None) != (end.tzinfo is None):
                    read.add(path + ("end",), f"{header} start and end must both have an offset or both be "
                             "local times of each account")
                    continue
                if end <= start:
                    read.add(path + ("end",), f"{header} end must be after start (end is not included)")
                    continue
        else:
            daily_from = _clock(read, entry.get("daily_from"), path + ("daily_from",), f"{header} daily_from")
            daily_until = _clock(read, entry.get("daily_until"), path + ("daily_until",), f"{header} daily_until")
            if daily_from is not None and daily_from == daily_until:
                read.add(path + ("daily_until",), f"{header} daily_until must differ from daily_from")
                continue
        days = _days(read, entry, path, header)
        severity = read.severity(entry, path, header, ERROR)
        if not blackout_id or not reason or (one_off and (start is None or end is None)) \
                or (daily and (daily_from is None or daily_until is None)):
            continue
        found.append(Blackout(blackout_id, reason, targets, target_regions, start, end, daily_from, daily_until,
                              days, severity))
    return tuple(found)


def _days(read: TableReader, table: dict, path: tuple, header: str) -> tuple[int, ...]:
    if "days" not in table:
        return tuple(range(7))
    names = read.words(table, path, "days", header)
    days = []
    for index, name in enumerate(names):
        key = name.strip().lower()[:3]
        if key not in WEEKDAYS:
            read.add(path + ("days", index), f"{header} days names {name!r}; use {', '.join(WEEKDAYS)}")
        else:
            days.append(WEEKDAYS.index(key))
    return tuple(sorted(set(days))) or tuple(range(7))


def _clock(read: TableReader, value: object, path: tuple, where: str) -> time | None:
    match = _CLOCK.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        read.add(path, f'{where} = {value!r} is not a time of day; write "HH:MM", e.g. "09:30"')
        return None
    return time(int(match.group(1)), int(match.group(2)))


def _moment(read: TableReader, entry: dict, path: tuple, key: str, header: str) -> datetime | None:
    value = entry.get(key)
    if value is None:
        read.add(path, f'{header} needs {key} = "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"')
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, date):      # a TOML date: midnight of that day
        return datetime(value.year, value.month, value.day)
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.strip().replace(" ", "T", 1))
        except ValueError:
            pass
    read.add(path + (key,), f'{header} {key} = {value!r} is not valid; write "YYYY-MM-DD" or '
             '"YYYY-MM-DD HH:MM" (local to each account), or add an offset ("2026-12-24T18:00+01:00")')
    return None
