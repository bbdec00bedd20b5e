"""``socops worker``: the headless worker, for systemd or a tmux pane."""

from __future__ import annotations

import argparse
import asyncio
import signal
import threading

from console.cli import common
from console.cli.common import CommandFailed
from console.untrusted import one_line
from console.worker import JobOutcome, JobRunner, WorkerStatus


def register(commands: argparse._SubParsersAction) -> None:
    worker = commands.add_parser("worker", help="run the worker's jobs (sync, replies, expiry...), without the TUI")
    worker.add_argument("--once", action="store_true",
                        help="run every job once, print what each did, then exit (1 if a job failed)")
    worker.set_defaults(handler=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        if args.once:
            if not workspace.worker_lock.acquire():
                raise CommandFailed(f"another worker is running ({workspace.worker_lock.holder()}); "
                                    "stop it or leave the work to it")
            try:
                outcomes = asyncio.run(_once(workspace.make_worker()))
            finally:
                workspace.worker_lock.release()
            width = max(len(outcome.name) for outcome in outcomes)
            for outcome in outcomes:
                # Reports and errors can quote a platform's text: one plain line each.
                text = one_line(outcome.report) if outcome.ok else f"FAILED: {one_line(outcome.report)}"
                print(f"{outcome.name:<{width}}  {text}")
            failed = [outcome.name for outcome in outcomes if not outcome.ok]
            if failed:
                print(f"{len(failed)} job{'s' if len(failed) != 1 else ''} failed ({', '.join(failed)}): "
                      "the traceback is on stderr; fix the cause, then run `socops worker --once` again")
            return 1 if failed else 0
        stop = threading.Event()
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: stop.set())
        outcome: list[WorkerStatus] = []

        def report_status(status: WorkerStatus) -> None:
            outcome.append(status)
            if status.state in ("running", "error", "external"):
                print(f"worker {status.state}: {one_line(status.detail)}", flush=True)

        workspace.run_worker_loop(stop, report_status)
        if outcome and outcome[0].state == "external":
            return 1
    return 0


async def _once(worker: JobRunner) -> list[JobOutcome]:
    try:
        return await worker.run_all()
    finally:
        await worker.aclose()
