"""Reading ``[crisis]`` of ``governance.toml`` into a :class:`CrisisPolicy`.

Like the other sections, every problem is collected with its line and says
what would be valid; an entry with a problem is left out.
"""

from __future__ import annotations

import re

from console.crisis.model import (DEFAULT_CONFIRM_ROLES, FREEZE_NONE, FREEZE_SCOPES, CrisisLevel, CrisisPolicy,
                                  Playbook, RunbookStep)
from console.errors import InvalidAction
from console.permissions import RoleBook
from console.policy import Problems, TableReader
from console.tags import clean_tag

CRISIS_SECTION = "crisis"

_SETTINGS = ("approval_route", "confirm_roles", "levels", "playbooks")
_LEVEL = ("name", "declare_roles", "freeze", "responders", "holding_statement_tags", "runbook")
_PLAYBOOK = ("id", "title", "holding_statement_tags", "runbook")
_STEP = ("title", "owner", "due_minutes")
_ID = re.compile(r"[a-z0-9][a-z0-9._-]*\Z")


def parse_crisis_policy(raw: dict, problems: Problems, *, roles: RoleBook, routes: tuple[str, ...] = ()
                        ) -> CrisisPolicy:
    """The ``[crisis]`` table of the parsed file ``raw`` (no levels when absent).

    ``routes`` are the approval routes' names: ``approval_route`` must be one."""
    if CRISIS_SECTION not in raw:
        return CrisisPolicy()
    read = TableReader(problems)
    path = (CRISIS_SECTION,)
    table = read.table(raw[CRISIS_SECTION], path, _SETTINGS, "[crisis]")
    route = read.text(table, path, "approval_route", "[crisis]")
    if route and routes and route not in routes:
        read.add(path + ("approval_route",), f"[crisis] approval_route = {route!r} names no route of [approval]; "
                 f"routes: {', '.join(routes)}")
        route = ""
    confirm = _roles(read, table, path, "confirm_roles", "[crisis]", roles) if "confirm_roles" in table \
        else DEFAULT_CONFIRM_ROLES
    return CrisisPolicy(levels=_levels(read, table.get("levels", {}), roles),
                        playbooks=_playbooks(read, table.get("playbooks", []), roles),
                        approval_route=route, confirm_roles=confirm)


def _roles(read: TableReader, table: dict, path: tuple, key: str, header: str, roles: RoleBook, *,
           users: bool = False) -> tuple[str, ...]:
    found = []
    for index, name in enumerate(read.words(table, path, key, header)):
        if users and name.startswith("user:") and len(name) > 5:
            found.append(name)
        elif name in roles:
            found.append(name)
        else:
            also = ', or "user:NAME" for one person' if users else ""
            read.add(path + (key, index), f"{header} {key} names {name!r}, which is not a role; "
                     f"known: {', '.join(roles.roles)}{also}")
    return tuple(found)


def _levels(read: TableReader, raw: object, roles: RoleBook) -> dict[int, CrisisLevel]:
    if not isinstance(raw, dict):
        read.add(("crisis", "levels"), "[crisis.levels] must hold one table per severity, e.g. [crisis.levels.3]")
        return {}
    levels = {}
    for key, table in raw.items():
        path = ("crisis", "levels", key)
        header = f"[crisis.levels.{key}]"
        if not str(key).isdigit() or not 1 <= int(key) <= 9:
            read.add(path, f"{header}: a severity is a number from 1 to 9")
            continue
        table = read.table(table, path, _LEVEL, header)
        freeze = read.text(table, path, "freeze", header, default=FREEZE_NONE)
        if freeze not in FREEZE_SCOPES:
            read.add(path + ("freeze",), f'{header} freeze = {freeze!r} is not valid; use "none", "affected" '
                     '(the crisis\'s accounts and regions) or "all"')
            freeze = FREEZE_NONE
        levels[int(key)] = CrisisLevel(
            number=int(key), name=read.text(table, path, "name", header, required=True) or f"level {key}",
            declare_roles=_roles(read, table, path, "declare_roles", header, roles) or ("owner", "admin"),
            freeze=freeze, responders=_roles(read, table, path, "responders", header, roles, users=True),
            holding_statement_tags=_tags(read, table, path, header),
            runbook=_steps(read, table.get("runbook", []), path + ("runbook",), header, roles, f"level{key}"))
    return dict(sorted(levels.items()))


def _playbooks(read: TableReader, raw: object, roles: RoleBook) -> dict[str, Playbook]:
    header = "[[crisis.playbooks]]"
    playbooks: dict[str, Playbook] = {}
    for path, entry in read.entries(raw, ("crisis", "playbooks"), header):
        entry = read.table(entry, path, _PLAYBOOK, header)
        playbook_id = read.text(entry, path, "id", header, required=True)
        if playbook_id and not _ID.match(playbook_id):
            read.add(path + ("id",), f"{header} id = {playbook_id!r} is not valid; use lower-case letters, digits, "
                     ". _ -")
            continue
        if playbook_id in playbooks:
            read.add(path + ("id",), f"{header} id = {playbook_id!r} is used twice; ids must be unique")
            continue
        title = read.text(entry, path, "title", header, required=True)
        if not playbook_id or not title:
            continue
        playbooks[playbook_id] = Playbook(
            playbook_id, title, holding_statement_tags=_tags(read, entry, path, header),
            runbook=_steps(read, entry.get("runbook", []), path + ("runbook",), header, roles, playbook_id))
    return playbooks


def _tags(read: TableReader, table: dict, path: tuple, header: str) -> tuple[str, ...]:
    """Library tags as the library keeps them: one lower-case word, without a leading '#'."""
    tags = []
    for index, tag in enumerate(read.words(table, path, "holding_statement_tags", header)):
        try:
            tags.append(clean_tag(tag))
        except InvalidAction as error:
            read.add(path + ("holding_statement_tags", index), f"{header} holding_statement_tags: {error}")
    return tuple(dict.fromkeys(tags))


def _steps(read: TableReader, raw: object, path: tuple, header: str, roles: RoleBook,
           prefix: str) -> tuple[RunbookStep, ...]:
    steps = []
    if not isinstance(raw, list):
        read.add(path, f"{header} runbook must be a list of steps, e.g. runbook = [{{ title = \"...\", "
                 "owner = \"manager\", due_minutes = 15 }]")
        return ()
    for index, step in enumerate(raw):
        where = path + (index,)
        if not isinstance(step, dict):
            read.add(where, f"{header} runbook step {index + 1} must be a table: "
                     "{ title = \"...\", owner = \"manager\", due_minutes = 15 }")
            continue
        step = read.table(step, where, _STEP, f"{header} runbook step {index + 1}")
        title = read.text(step, where, "title", f"{header} runbook step {index + 1}", required=True)
        owner = read.text(step, where, "owner", f"{header} runbook step {index + 1}", required=True)
        if owner and not (owner in roles or (owner.startswith("user:") and len(owner) > 5)):
            read.add(where + ("owner",), f"{header} runbook step {index + 1} owner = {owner!r} is not a role; "
                     f"known: {', '.join(roles.roles)}, or \"user:NAME\"")
            owner = ""
        due = read.number(step, where, "due_minutes", f"{header} runbook step {index + 1}", None, minimum=0)
        if due is None:
            read.add(where, f"{header} runbook step {index + 1} needs due_minutes = N (minutes after the "
                     "declaration)")
        if title and owner and due is not None:
            steps.append(RunbookStep(f"{prefix}-{index + 1}", title, owner, due))
    return tuple(steps)
