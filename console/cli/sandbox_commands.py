"""``socops sandbox``: fill the sandbox workspace for demos and benchmarks."""

from __future__ import annotations

import argparse
import time

from console.cli import common
from console.cli.common import CommandFailed
from console.inbox import seed_inbox


def register(commands: argparse._SubParsersAction) -> None:
    sandbox = commands.add_parser("sandbox", help="the built-in simulated platform")
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    seed = actions.add_parser("seed", help="add N items of sandbox history to the inbox")
    seed.add_argument("--items", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=None, help="default: the workspace's sandbox seed")
    seed.set_defaults(handler=seed_items)


def seed_items(args: argparse.Namespace) -> int:
    if args.items < 1:
        raise CommandFailed("usage error: --items must be at least 1", exit_code=2)
    started = time.perf_counter()
    with common.open_workspace() as workspace:
        if not workspace.accounts:
            raise CommandFailed("the sandbox is disabled in this workspace's configuration "
                                f"({workspace.paths.config_file}); enable [sandbox] to seed it")
        added = seed_inbox(
            workspace.store, workspace.accounts, args.items,
            seed=workspace.config.sandbox.seed if args.seed is None else args.seed,
            now=workspace.clock(), sla=workspace.config.sla,
            rate_per_hour=workspace.config.sandbox.rate_per_hour,
        )
        total = workspace.store.count("inbox")
    print(f"added {added} sandbox items in {time.perf_counter() - started:.1f} s; the inbox holds {total}")
    return 0
