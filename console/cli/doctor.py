"""``socops doctor``: what an operator checks first when something looks wrong."""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta

from console.cli import common
from console.errors import ConsoleError
from console.paths import workspace_paths
from console.untrusted import one_line
from console.worker import JobHealth, span_text


def register(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser("doctor", help="check paths, store, worker and its jobs, keyring, terminal")
    doctor.set_defaults(handler=run_doctor)


def _terminal_report() -> str:
    term = os.environ.get("TERM", "(unset)")
    colorterm = os.environ.get("COLORTERM", "")
    if colorterm in ("truecolor", "24bit"):
        depth = "truecolor"
    elif "256color" in term:
        depth = "256 colours"
    elif term in ("dumb", "(unset)"):
        depth = "no colour"
    else:
        depth = "16 colours"
    return f"TERM={term} COLORTERM={colorterm or '(unset)'}: {depth}; {'a tty' if sys.stdout.isatty() else 'not a tty'}"


def _ago(moment: datetime | None, now: datetime) -> str:
    return "never" if moment is None else f"{span_text(now - moment)} ago"


def job_line(health: JobHealth, now: datetime) -> str:
    """One job as the worker last recorded it: how often, last success, next run, a failure streak."""
    line = f"{health.name} every {span_text(health.interval)}: "
    if health.last_run is None:
        return line + "never run"
    line += f"last success {_ago(health.last_success, now)}"
    if health.failing:
        line += (f", failed {health.failures} time{'s' if health.failures != 1 else ''} in a row "
                 f"({one_line(health.last_error, 120)})")
    if health.next_run is not None:
        wait = health.next_run - now
        line += f", next run in {span_text(wait)}" if wait >= timedelta(seconds=1) else ", next run due"
    return line


def run_doctor(args: argparse.Namespace) -> int:
    problems = 0
    paths = workspace_paths()
    home = os.environ.get("SOCOPS_HOME")
    print(f"workspace   {'SOCOPS_HOME=' + home if home else 'XDG folders'}")
    print(f"config      {paths.config_file}")
    print(f"store       {paths.store_dir}")
    print(f"worker lock {paths.worker_lock}")
    print(f"log         {paths.log_file} (the console logs here while it runs)")
    with common.open_workspace() as workspace:
        stats = workspace.store.stats()
        counts = ", ".join(f"{name} {count}" for name, count in sorted(stats.get("counts", {}).items()))
        print(f"store       ok: {counts}; journal {stats.get('journal_bytes', 0) / 1e6:.1f} MB, "
              f"generation {stats.get('generation')}")
        for warning in workspace.store.warnings:
            problems += 1
            print(f"  warning   {warning}")
        if any(".corrupt-" in warning for warning in workspace.store.warnings):
            print("  restore   stop every socops process, repair the JSON in the file set aside "
                  "(a TinyDB database), then rename it back to its collection name, "
                  f"e.g. inbox.json, in {paths.store_dir}")
        holder = workspace.worker_lock.holder()
        print(f"worker      {'running: ' + holder if holder else 'not running (the TUI runs it in-process)'}")
        now = workspace.clock()
        overdue = 0
        print("jobs        as the worker last recorded them (on a change, else once a minute)")
        for health in workspace.job_health():
            print(f"{'':<12}{job_line(health, now)}")
            # Overdue only counts while a worker runs; none running is said just above.
            if not holder:
                continue
            problem = health.problem(now)
            if not problem and health.last_run is None:
                problem = (f"{health.name} has never run: the running worker may be an older socops; "
                           "restart it")
            if problem:
                problems += 1
                overdue += 1
                print(f"  overdue   {one_line(problem, 200)}")
        if overdue:
            print(f"  help      the worker's output, or the console's log ({paths.log_file}), says why; "
                  "restart the worker if it is stuck")
        for account in workspace.needs_reconnect():
            problems += 1
            print(f"  account   {account} needs reconnecting")
        secrets = workspace.secrets
        print(f"secrets     {secrets.backend_name}")
        if secrets.warning:
            # The sandbox fallback works; it is a note, not a failure, until real accounts arrive.
            print(f"  note      {secrets.warning}")
        try:
            secrets.check()
        except ConsoleError as error:
            problems += 1
            print(f"  problem   {error}")
            print(f"  help      {secrets.help}")
        if workspace.governance.problem:
            problems += 1
            print(f"  problem   governance: {workspace.governance.problem}")
        users = workspace.users.all_users()
        if not users:
            print("users       none yet: create the first owner with `socops user add NAME --role owner`")
        else:
            print(f"users       {len(users)} ({sum(1 for u in users if u.disabled)} disabled)")
        # People and roles the governance file names that the workspace lacks: warnings,
        # not problems (a new workspace has no manager yet), each at its line.
        governance_file = workspace.governance.policy.source
        for warning in workspace.staffing_warnings():
            where = f"{governance_file}:{warning.line}" if warning.line else f"{governance_file}"
            print(f"  warning   {where}: {warning.message}")
    print(f"terminal    {_terminal_report()}")
    print("all good" if not problems else f"{problems} problem{'s' if problems != 1 else ''} found")
    return 0 if not problems else 1
