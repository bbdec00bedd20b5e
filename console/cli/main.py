"""The ``socops`` command: the composition root.

With no command it opens the workspace and starts the TUI; sub-commands serve
operators and scripts. This is the only module that may import everything
(it imports ``screens`` for the TUI, lazily so that scripts stay fast).
Exit codes: 0 ok, 2 usage error, 1 any other failure, with a one-line message.
"""

from __future__ import annotations

import argparse
import gc
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager

from console.cli.common import CommandFailed, open_workspace
from console.errors import ConsoleError
from console.workspace import Workspace
from data import StoreError


class _Parser(argparse.ArgumentParser):
    """argparse, with usage errors as one line plus a hint, exit code 2. The
    hint names the help of the command that was being parsed (``socops inbox
    list --help``), also for arguments that only the top parser finds unknown."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"socops: usage error: {message} (see `{self.prog} --help`)\n")

    def parse_known_args(self, args=None, namespace=None):  # type: ignore[override]
        namespace, extras = super().parse_known_args(args, namespace)
        # The deepest command returns first; its name is kept as the parents return.
        if not getattr(namespace, "command_prog", None):
            namespace.command_prog = self.prog
        return namespace, extras

    def parse_args(self, args=None, namespace=None):  # type: ignore[override]
        namespace, extras = self.parse_known_args(args, namespace)
        if extras:
            self.exit(2, f"socops: usage error: unrecognized arguments: {' '.join(extras)} "
                         f"(see `{namespace.command_prog} --help`)\n")
        return namespace


#: What ``socops`` may be given to start the console; anything else is a command,
#: or a usage error that the full parser reports.
CONSOLE_OPTIONS = frozenset({"--no-worker", "-v", "--verbose"})


def build_parser(*, commands: bool = True) -> argparse.ArgumentParser:
    """The ``socops`` parser; ``commands`` False leaves the sub-commands out (their
    modules are then not imported: starting the console needs none of them)."""
    parser = _Parser(
        prog="socops",
        description="A keyboard-driven console for a brand's social media operations. "
        "With no command, starts the console on the current workspace "
        "(SOCOPS_HOME, or the built-in sandbox in your XDG folders).",
    )
    parser.add_argument("--no-worker", action="store_true",
                        help="start the console without running the worker in-process")
    parser.add_argument("-v", "--verbose", action="store_true", help="log more to stderr")
    if not commands:
        return parser
    from console.cli import (
        account_commands,
        audit_commands,
        calendar_commands,
        crisis_commands,
        doctor,
        inbox_commands,
        library_commands,
        policy_commands,
        post_commands,
        publishing_commands,
        sandbox_commands,
        serve_command,
        training_commands,
        user_commands,
        wallboard_command,
        worker_command,
    )

    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    inbox_commands.register(subparsers)
    sandbox_commands.register(subparsers)
    worker_command.register(subparsers)
    serve_command.register(subparsers)
    account_commands.register(subparsers)
    audit_commands.register(subparsers)
    user_commands.register(subparsers)
    training_commands.register(subparsers)
    policy_commands.register(subparsers)
    post_commands.register(subparsers)
    calendar_commands.register(subparsers)
    publishing_commands.register(subparsers)
    library_commands.register(subparsers)
    crisis_commands.register(subparsers)
    wallboard_command.register(subparsers, run_wallboard)
    doctor.register(subparsers)
    return parser


def run_console(args: argparse.Namespace) -> int:
    from screens.app import make_app  # the TUI only when it is asked for

    with console_workspace() as workspace:
        make_app(workspace, None, run_worker=not args.no_worker).run()  # None: log in first
    return 0


def run_wallboard(rotate_seconds: float | None, theme: str | None) -> None:
    """``socops wallboard``: the big screen, after a login (its options checked by wallboard_command)."""
    from screens.wallboard.app import make_wallboard  # the TUI only when it is asked for

    with console_workspace() as workspace:
        make_wallboard(workspace, None, rotate_seconds=rotate_seconds, theme=theme).run()


@contextmanager
def console_workspace() -> Iterator[Workspace]:
    """The workspace opened as the console runs on it (the benchmarks open it so too)."""
    # What opening loads (100k inbox records and their index) lives as long as
    # the process. The garbage collector is off while it is built, and it is
    # then frozen out of the collector's sight: collecting it as it was made,
    # then again in each older generation, cost about 0.1 s of the start.
    enabled = gc.isenabled()
    gc.disable()
    try:
        with open_workspace() as workspace:
            # Log lines written to the terminal would tear the TUI's screen: while
            # it runs, they go to the workspace's log file (see `socops doctor`).
            _log_to_file(workspace.paths.log_file)
            gc.freeze()
            if enabled:
                gc.enable()
            yield workspace
    finally:
        if enabled:
            gc.enable()


def _log_to_file(path) -> None:
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    parser = build_parser(commands=not set(argv) <= CONSOLE_OPTIONS)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO if args.verbose else logging.WARNING,
                        format="socops: %(levelname)s: %(message)s")
    handler = getattr(args, "handler", None) or run_console
    try:
        return handler(args)
    except CommandFailed as error:
        print(f"socops: {error}", file=sys.stderr)
        return error.exit_code
    except (ConsoleError, StoreError, OSError) as error:
        print(f"socops: error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("socops: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
