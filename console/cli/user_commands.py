"""``socops user``: add, list, show, disable, enable and change console users.

Every sub-command acts as a logged-in console user (see ``acting.py``),
except the very first ``socops user add NAME --role owner`` on a workspace
with no users, which creates the first owner.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from console.cli.acting import _interactive, acting_session
from console.cli import common
from console.cli.common import CommandFailed, print_json
from console.permissions import PERMISSIONS, ROLE_DESCRIPTIONS, Scope
from console.identity import Enrollment, User, UserError, normalize_username


def register(commands: argparse._SubParsersAction) -> None:
    user = commands.add_parser("user", help="add, list, show and change console users")
    actions = user.add_subparsers(dest="user_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add a console user and show their TOTP enrolment "
                             "(on a new workspace: the first owner)")
    add.add_argument("username")
    add.add_argument("--role", required=True, help="owner, admin, manager, editor, contributor, "
                     "responder, analyst, viewer, or a custom role")
    add.add_argument("--scope", default="all",
                     help="'all', or accounts and regions, e.g. 'sandbox:northwind_en,region:EU'")
    add.add_argument("--name", default="", help="display name")
    add.add_argument("--passphrase", action="store_true",
                     help="also set a passphrase (asked twice; SOCOPS_NEW_PASSPHRASE for scripts)")
    add.set_defaults(handler=add_user)

    listing = actions.add_parser("list", help="list console users")
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=list_users)

    show = actions.add_parser("show", help="show a user and their effective permissions")
    show.add_argument("username")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_user)

    for name, help_text in (("disable", "disable a user (their open sessions stop at the next action)"),
                            ("enable", "enable a disabled user (and clear any lockout)")):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("username")
        action.set_defaults(handler=_toggle(name))

    unlock = actions.add_parser("unlock", help="end a lockout after too many wrong codes, so the user "
                                "may log in at once")
    unlock.add_argument("username")
    unlock.set_defaults(handler=unlock_user)

    role = actions.add_parser("set-role", help="change a user's role")
    role.add_argument("username")
    role.add_argument("role")
    role.set_defaults(handler=set_role)

    scope = actions.add_parser("set-scope", help="change a user's scope ('all' or accounts/regions)")
    scope.add_argument("username")
    scope.add_argument("scope")
    scope.set_defaults(handler=set_scope)

    reset = actions.add_parser("reset-totp", help="enrol a new TOTP seed (the old one stops working)")
    reset.add_argument("username")
    reset.set_defaults(handler=reset_totp)

    phrase = actions.add_parser("set-passphrase", help="set, change or (--remove) remove a passphrase")
    phrase.add_argument("username")
    phrase.add_argument("--remove", action="store_true")
    phrase.set_defaults(handler=set_passphrase)

    ack = actions.add_parser("ack-policy", help="acknowledge the governance policy version in force")
    ack.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    ack.set_defaults(handler=acknowledge_policy)


# -- helpers -------------------------------------------------------------------------------
def _parse_scope(text: str) -> Scope:
    scope = Scope.parse(text)
    if text.strip() and text.strip() != "all" and scope.everything:
        raise CommandFailed(f"usage error: scope {text!r} names nothing; use 'all' or accounts "
                            "and region:NAME terms", exit_code=2)
    if any(not r for r in scope.regions):
        raise CommandFailed("usage error: 'region:' needs a region name, e.g. region:EU", exit_code=2)
    return scope


def _warn_unknown_accounts(workspace, scope: Scope) -> None:
    known = {account.account_id for account in workspace.accounts}
    unknown = sorted(scope.accounts - known)
    if unknown:
        print(f"socops: note: {', '.join(unknown)} is not a connected account (yet)", file=sys.stderr)


def new_passphrase() -> str:
    value = os.environ.get("SOCOPS_NEW_PASSPHRASE")
    if value:
        return value
    if not _interactive():
        raise CommandFailed("no passphrase: standard input is not a terminal; set SOCOPS_NEW_PASSPHRASE")
    first = getpass.getpass("new passphrase: ")
    second = getpass.getpass("the same passphrase again: ")
    if first != second:
        raise CommandFailed("the two passphrases differ; nothing was changed")
    return first


def print_enrollment(enrollment: Enrollment) -> None:
    print(f"Enrol {enrollment.username}'s authenticator app now: scan the code, or type the secret. "
          "It is shown only this once.")
    print(enrollment.qr_text)
    print(enrollment.uri)
    print(f"secret: {enrollment.secret}")


def _status(user: User, now) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_at(now):
        return f"locked until {user.locked_until:%H:%M}"
    return "enabled"


def _user_json(user: User, now) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "scope": user.scope.to_record(), "status": _status(user, now), "disabled": user.disabled,
            "totp_enrolled": user.totp_enrolled, "has_passphrase": user.has_passphrase,
            "failed_logins": user.failed_logins, "locked_until": user.locked_until,
            "policy_version_acknowledged": user.policy_version_acknowledged,
            "created_at": user.created_at, "last_login_at": user.last_login_at}


# -- the commands ---------------------------------------------------------------------------
def add_user(args: argparse.Namespace) -> int:
    scope = _parse_scope(args.scope)
    try:
        username = normalize_username(args.username)
    except UserError as error:
        raise CommandFailed(f"usage error: {error}", exit_code=2) from None
    with common.open_workspace() as workspace:
        workspace.secrets.check()          # say what to configure before asking anything
        first_run = not workspace.users.all_users()
        # An owner whose enrolment was never completed may be replaced by a new first owner.
        if first_run or (workspace.users.needs_bootstrap() and args.role == "owner"):
            if args.role != "owner":
                raise CommandFailed("this workspace has no console users yet: the first one must be an "
                                    f"owner (`socops user add {username} --role owner`)")
            if not scope.everything:
                raise CommandFailed("the first owner's scope must be all accounts")
            passphrase = new_passphrase() if args.passphrase else None
            enrollment = workspace.users.bootstrap_owner(username, args.name, passphrase)
            print(f"created the first owner, {username}; from now on commands that change state "
                  f"act as a console user (SOCOPS_USER={username}, code from SOCOPS_TOTP or a prompt)")
        else:
            session = acting_session(workspace)
            passphrase = new_passphrase() if args.passphrase else None
            _warn_unknown_accounts(workspace, scope)
            enrollment = workspace.users.add(session, username, args.role, scope=scope,
                                             display_name=args.name, passphrase=passphrase)
            print(f"added {username} ({args.role}; scope: {scope.describe()})")
        print_enrollment(enrollment)
    return 0


def list_users(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        now = workspace.clock()
        for user in workspace.users.list(session):
            if args.json:
                print_json(_user_json(user, now))
                continue
            factors = "totp" + ("+passphrase" if user.has_passphrase else "")
            last = f"{user.last_login_at:%Y-%m-%d %H:%M}" if user.last_login_at else "never"
            print("\t".join((user.username, user.role, user.scope.describe(), _status(user, now), factors,
                             f"last login {last}", user.display_name or "-")))
    return 0


def show_user(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        access = workspace.users.show(session, args.username)
        user, now = access.user, workspace.clock()
        if args.json:
            data = _user_json(user, now)
            data["permissions"] = sorted(access.permissions)
            data["missing"] = dict(sorted(access.missing.items()))
            print_json(data)
            return 0
        print(f"{user.username}  {user.display_name or ''}".rstrip())
        print(f"role        {user.role} ({ROLE_DESCRIPTIONS.get(user.role, 'custom role')})")
        print(f"scope       {user.scope.describe()}")
        print(f"status      {_status(user, now)}; {user.failed_logins} failed logins in a row")
        print(f"factors     TOTP {'enrolled' if user.totp_enrolled else 'not enrolled'}"
              f"{', passphrase' if user.has_passphrase else ''}")
        print(f"policy      acknowledged version {user.policy_version_acknowledged} "
              f"(in force: {workspace.governance.version})")
        print(f"last login  {user.last_login_at:%Y-%m-%d %H:%M} UTC" if user.last_login_at else "last login  never")
        print("may:")
        for permission in sorted(access.permissions):
            print(f"  {permission:18} {PERMISSIONS[permission]}")
        if access.missing:
            print("may not:")
            for permission, reason in sorted(access.missing.items()):
                print(f"  {permission:18} {reason}")
    return 0


def _toggle(action: str):
    def handler(args: argparse.Namespace) -> int:
        with common.open_workspace() as workspace:
            session = acting_session(workspace)
            method = workspace.users.disable if action == "disable" else workspace.users.enable
            before = workspace.users.find(args.username)
            user = method(session, args.username)
            was_locked = bool(before and before.locked_at(workspace.clock()))
        print(f"{user.username} is {'disabled' if user.disabled else 'enabled'}"
              + ("; their lockout is cleared" if was_locked else ""))
        return 0

    return handler


def unlock_user(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        user, cleared = workspace.users.unlock(session, args.username)
    if cleared:
        print(f"{user.username} is unlocked ({cleared} cleared) and may log in now")
    else:
        print(f"{user.username} was not locked out; nothing changed")
    return 0


def set_role(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        user = workspace.users.set_role(session, args.username, args.role)
    print(f"{user.username} is now {user.role}")
    return 0


def set_scope(args: argparse.Namespace) -> int:
    scope = _parse_scope(args.scope)
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        _warn_unknown_accounts(workspace, scope)
        user = workspace.users.set_scope(session, args.username, scope)
    print(f"{user.username}'s scope: {user.scope.describe()}")
    return 0


def reset_totp(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        enrollment = workspace.users.reset_totp(session, args.username)
        print(f"{enrollment.username} has a new TOTP seed; the old authenticator entry no longer works")
        print_enrollment(enrollment)
    return 0


def set_passphrase(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        passphrase = None if args.remove else new_passphrase()
        user = workspace.users.set_passphrase(session, args.username, passphrase)
    print(f"{user.username} {'has a passphrase' if user.has_passphrase else 'has no passphrase'}")
    return 0


def acknowledge_policy(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        governance = workspace.governance
        if session.user.policy_version_acknowledged >= governance.version:
            print(f"{session.name} has acknowledged governance version {governance.version} already")
            return 0
        if not args.yes:
            if not _interactive():
                raise CommandFailed("confirm with --yes (standard input is not a terminal)")
            answer = input(f"Have you read governance version {governance.version} ({governance.path})? [y/N] ")
            if answer.strip().lower() not in ("y", "yes"):
                raise CommandFailed("not acknowledged")
        version = session.acknowledge_policy()
    print(f"{session.name} acknowledged governance version {version}")
    return 0
