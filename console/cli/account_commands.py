"""``socops account``: connect, list, test and remove platform accounts.

The credential (Bluesky app password, Mastodon access token) is read from
``SOCOPS_ACCOUNT_SECRET`` or a hidden prompt, checked with the platform, and
kept only in the OS keyring.
"""

from __future__ import annotations

import argparse
import asyncio

from console.accounts import CONNECTABLE
from console.cli import common
from console.cli.acting import acting_session, ask_secret


def register(commands: argparse._SubParsersAction) -> None:
    account = commands.add_parser("account", help="connect, list, test and remove platform accounts")
    actions = account.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    connect = actions.add_parser("connect", help="connect an account (checks the credential first)")
    connect.add_argument("platform", choices=sorted(CONNECTABLE))
    connect.add_argument("--server", required=True,
                         help="Bluesky PDS (e.g. https://bsky.social) or Mastodon instance URL")
    connect.add_argument("--account", required=True, dest="identifier",
                         help="Bluesky handle (brand.bsky.social) or Mastodon user name")
    connect.add_argument("--region", default="", help="e.g. EU, NA, LATAM, APAC (for scopes and routes)")
    connect.add_argument("--timezone", default="UTC", help="IANA name, e.g. Europe/Madrid")
    connect.add_argument("--language", default="")
    connect.add_argument("--name", default="", help="display name")
    connect.set_defaults(handler=connect_account)
    listing = actions.add_parser("list", help="the connected accounts")
    listing.set_defaults(handler=list_accounts)
    for name, help_text, handler in (("test", "check an account's credential with its platform", test_account),
                                     ("remove", "forget an account and its credential", remove_account)):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("account_id", help="e.g. bluesky:brand.bsky.social")
        action.set_defaults(handler=handler)


def connect_account(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        credential = ask_secret(f"{CONNECTABLE[args.platform]} for {args.identifier}: ",
                                "SOCOPS_ACCOUNT_SECRET", CONNECTABLE[args.platform])
        account = asyncio.run(workspace.platform_accounts.connect(
            session, args.platform, base_url=args.server, identifier=args.identifier, credential=credential,
            display_name=args.name, language=args.language, region=args.region, timezone=args.timezone))
    print(f"connected {account.ref.account_id}; the worker syncs it from its next pass")
    return 0


def list_accounts(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        reconnect = set(workspace.needs_reconnect())
        for account in workspace.platform_accounts.list(session):
            ref = account.ref
            state = "needs reconnect" if ref.account_id in reconnect else "ok"
            print("\t".join((ref.account_id, ref.handle, account.base_url, ref.region or "-", ref.timezone, state)))
    return 0


def test_account(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        print(asyncio.run(workspace.platform_accounts.test(session, args.account_id)))
    return 0


def remove_account(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        workspace.platform_accounts.remove(session, args.account_id)
    print(f"removed {args.account_id} and its credential; its items stay in the inbox")
    return 0
