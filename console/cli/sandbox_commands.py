"""``socops sandbox``: fill the sandbox workspace for demos and benchmarks."""

from __future__ import annotations

import argparse
import sys
import time

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import INTERRUPTED, CommandFailed
from console.inbox import SEED_BATCH, SeedReport, seed_inbox


def register(commands: argparse._SubParsersAction) -> None:
    sandbox = commands.add_parser("sandbox", help="the built-in simulated platform")
    actions = sandbox.add_subparsers(dest="sandbox_command", metavar="ACTION", required=True)
    seed = actions.add_parser("seed", help="add N items of sandbox history to the inbox (in batches of "
                              f"{SEED_BATCH}; Ctrl+C stops after the current one)")
    seed.add_argument("--items", type=int, required=True, metavar="N")
    seed.add_argument("--seed", type=int, default=None, help="default: the workspace's sandbox seed")
    seed.set_defaults(handler=seed_items)


class _Progress:
    """How far a seed is, on stderr: one line rewritten on a terminal, else a line every 10 batches."""

    def __init__(self) -> None:
        self.terminal = sys.stderr.isatty()

    def __call__(self, report: SeedReport) -> None:
        line = f"socops: {report.added} of {report.requested} items written"
        if self.terminal:
            sys.stderr.write(f"\r{line} (Ctrl+C stops after the current batch)")
        elif report.batches % 10 == 0:
            sys.stderr.write(line + "\n")
        sys.stderr.flush()

    def done(self) -> None:
        if self.terminal:
            sys.stderr.write("\n")


def seed_items(args: argparse.Namespace) -> int:
    if args.items < 1:
        raise CommandFailed("usage error: --items must be at least 1", exit_code=2)
    with common.open_workspace() as workspace:
        accounts = [account for account in workspace.accounts if account.platform == "sandbox"]
        if not accounts:
            raise CommandFailed("the sandbox is disabled in this workspace's configuration "
                                f"({workspace.paths.config_file}); enable [sandbox] to seed it")
        session = acting_session(workspace)
        progress = _Progress()
        started = time.perf_counter()
        try:
            with common.stop_between_batches() as stop_asked:
                report = seed_inbox(
                    workspace.store, workspace.audit, accounts, args.items, actor=session,
                    seed=workspace.config.sandbox.seed if args.seed is None else args.seed,
                    now=workspace.clock(), sla=workspace.config.sla,
                    rate_per_hour=workspace.config.sandbox.rate_per_hour,
                    team=workspace.inbox_team, should_stop=stop_asked, on_batch=progress,
                )
        finally:
            progress.done()
        total = workspace.store.count("inbox")
    seconds = time.perf_counter() - started
    earlier = f" (numbered after the {report.earlier} seeded before)" if report.earlier else ""
    if report.interrupted:
        rest = report.requested - report.added
        print(f"interrupted: added {report.added} of {report.requested} sandbox items{earlier} in {seconds:.1f} s, "
              f"in whole batches, nothing half-written; the inbox holds {total}. "
              f"`socops sandbox seed --items {rest}` adds the rest, numbered after these")
        return INTERRUPTED
    print(f"added {report.added} sandbox items{earlier} in {seconds:.1f} s; the inbox holds {total}")
    return 0
