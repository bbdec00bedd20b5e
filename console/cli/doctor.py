"""``socops doctor``: what an operator checks first when something looks wrong."""

from __future__ import annotations

import argparse
import os
import sys

from console.cli import common
from console.paths import workspace_paths


def register(commands: argparse._SubParsersAction) -> None:
    doctor = commands.add_parser("doctor", help="check paths, store, worker lock, keyring, terminal")
    doctor.set_defaults(handler=run_doctor)


def _keyring_report() -> tuple[bool, str]:
    try:
        import keyring
        from keyring.backends import fail
    except Exception as error:  # noqa: BLE001 - report any import problem as it is
        return False, f"keyring cannot be imported: {error}"
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, fail.Keyring):
        return False, (f"no usable keyring backend ({name}). On a headless box install an "
                       "encrypted file backend, e.g. `pip install keyrings.cryptfile`, and select it "
                       "in keyring's config (see the README, 'Secrets on a headless box')")
    return True, f"backend {name}"


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
        for account in workspace.needs_reconnect():
            problems += 1
            print(f"  account   {account} needs reconnecting")
    ok, keyring_text = _keyring_report()
    # Only connected platform accounts keep tokens in the keyring; the
    # sandbox needs none, so a missing backend is a note until then.
    print(f"keyring     {keyring_text}" + ("" if ok else " (needed once real accounts are connected)"))
    print(f"terminal    {_terminal_report()}")
    print("all good" if not problems else f"{problems} problem{'s' if problems != 1 else ''} found")
    return 0 if not problems else 1
