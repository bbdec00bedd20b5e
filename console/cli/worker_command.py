"""``socops worker``: the headless worker, for systemd or a tmux pane."""

from __future__ import annotations

import argparse
import asyncio
import signal
import threading

from console.cli.common import CommandFailed, open_workspace
from console.worker import WorkerStatus


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="sync accounts and send replies, without the TUI")
    worker.add_argument("--once", action="store_true", help="one pass, then exit")
    worker.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    with open_workspace() as workspace:
        if args.once:
            if not workspace.worker_lock.acquire():
                raise CommandFailed(f"another worker is running ({workspace.worker_lock.holder()}); "
                                    "stop it or leave the work to it")
            try:
                worker = workspace.make_worker()
                report = asyncio.run(_once(worker))
            finally:
                workspace.worker_lock.release()
            print(report.summary())
            return 0
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        outcome: list[WorkerStatus] = []

        def report_status(status: WorkerStatus) -> None:
            outcome.append(status)
            if status.state in ("running", "error", "external"):
                print(f"worker {status.state}: {status.detail}", flush=True)

        workspace.run_worker_loop(stop, report_status)
        if outcome and outcome[0].state == "external":
            return 1
    return 0


async def _once(worker):
    try:
        return await worker.run_once()
    finally:
        for adapter in worker.adapters.values():
            await adapter.aclose()
