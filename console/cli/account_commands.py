"""``socops account``: connect, list, test and remove platform accounts.

The credential (an app password, an access token, a Page token) is read from
``SOCOPS_ACCOUNT_SECRET`` or a hidden prompt, or, with ``--browser``, got by
signing in with the browser (OAuth 2: Mastodon, X, LinkedIn); either way it is
checked with the platform and kept only in the OS keyring.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from console.accounts import CONNECTABLE, SIGN_IN_PLATFORMS, platform_spec, redirect_address, sign_in
from console.cli import common
from console.cli.acting import acting_session, ask_secret
from console.untrusted import one_line


def register(commands: argparse._SubParsersAction) -> None:
    account = commands.add_parser("account", help="connect, list, test and remove platform accounts")
    actions = account.add_subparsers(dest="account_command", metavar="ACTION", required=True)
    connect = actions.add_parser("connect", help="connect an account (checks the credential first)")
    connect.add_argument("platform", choices=sorted(CONNECTABLE))
    connect.add_argument("--server", default="",
                         help="Bluesky PDS (default https://bsky.social) or Mastodon instance URL")
    connect.add_argument("--account", required=True, dest="identifier",
                         help="Bluesky handle, Mastodon or X user name, LinkedIn organization id, "
                              "Facebook Page id or Instagram user id")
    connect.add_argument("--page-id", default="", help="Instagram: the Facebook Page linked to the account")
    connect.add_argument("--user-id", default="", help="X: the numeric user id (optional)")
    connect.add_argument("--browser", action="store_true",
                         help="sign in with the browser (OAuth 2) instead of pasting a token: "
                              f"{', '.join(SIGN_IN_PLATFORMS)}")
    connect.add_argument("--client-id", default="", help="X and LinkedIn: your developer app's client id")
    connect.add_argument("--region", default="", help="e.g. EU, NA, LATAM, APAC (for scopes and routes)")
    connect.add_argument("--timezone", default="UTC", help="IANA name, e.g. Europe/Madrid")
    connect.add_argument("--language", default="")
    connect.add_argument("--name", default="", help="display name")
    connect.set_defaults(handler=connect_account)
    listing = actions.add_parser("list", help="every account the console syncs, the sandbox's included, "
                                                 "with its sync state (tab-separated, or --json)")
    listing.add_argument("--json", action="store_true", help="one JSON object per line")
    listing.set_defaults(handler=list_accounts)
    for name, help_text, handler in (("test", "check an account's credential with its platform", test_account),
                                     ("remove", "forget an account and its credential", remove_account)):
        action = actions.add_parser(name, help=help_text)
        action.add_argument("account_id", help="e.g. bluesky:brand.bsky.social")
        action.set_defaults(handler=handler)


def _signed_in_credential(args: argparse.Namespace, workspace) -> str:
    spec = platform_spec(args.platform)
    # X apps may be public clients (no secret); LinkedIn's always have one.
    client_secret = os.environ.get("SOCOPS_CLIENT_SECRET", "")
    if args.platform in ("x", "linkedin"):
        print(f"Your {spec.title} app must list {redirect_address()} as its redirect address.")
    if args.platform == "linkedin" and not client_secret:
        client_secret = ask_secret("LinkedIn app client secret: ", "SOCOPS_CLIENT_SECRET", "client secret")

    def show(url: str) -> None:
        print("Open this address in a browser and allow socops:\n\n  " + url + "\n")
        print("If the browser is on another machine, paste the address it lands on here and press Enter.")

    async def paste() -> str:
        return await asyncio.to_thread(sys.stdin.readline)

    return asyncio.run(sign_in(args.platform, server=args.server or spec.server, client_id=args.client_id,
                               client_secret=client_secret, on_url=show, now=workspace.clock,
                               paste=paste if sys.stdin.isatty() else None))


def connect_account(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        if args.browser:
            credential = _signed_in_credential(args, workspace)
        else:
            credential = ask_secret(f"{CONNECTABLE[args.platform]} for {args.identifier}: ",
                                    "SOCOPS_ACCOUNT_SECRET", CONNECTABLE[args.platform])
        options = {"page_id": args.page_id, "user_id": args.user_id}
        spec = platform_spec(args.platform)
        account = asyncio.run(workspace.platform_accounts.connect(
            session, args.platform, base_url=args.server, identifier=args.identifier, credential=credential,
            display_name=args.name, language=args.language, region=args.region, timezone=args.timezone,
            options={name: value for name, value in options.items() if name in spec.options}))
    print(f"connected {account.ref.account_id}; the worker syncs it from its next pass")
    return 0


def list_accounts(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        states = workspace.account_states(session)
    for account in states:
        ref = account.ref
        if args.json:
            common.print_json({"account": ref.account_id, "platform": ref.platform, "handle": ref.handle,
                               "server": account.server, "region": ref.region, "timezone": ref.timezone,
                               "state": account.state, "detail": account.detail})
        else:
            print("\t".join((ref.account_id, ref.handle, account.server or "-", ref.region or "-", ref.timezone,
                             account.state, one_line(account.detail, 200) or "-")))
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
