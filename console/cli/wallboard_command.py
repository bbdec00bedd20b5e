"""``socops wallboard``: the crisis room's big screen, read-only.

This module holds the command's options and checks them; starting the Textual
app is the composition root's (``main.py`` imports the screens, this module
may not), so it hands a ``start`` function in.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable

from console.cli.common import CommandFailed
from console.config import MIN_ROTATE_SECONDS, WALLBOARD_THEMES

#: Starts the app with the checked options (``rotate_seconds``, ``theme``: None for socops.toml's).
StartBoard = Callable[[float | None, str | None], None]


def register(commands: argparse._SubParsersAction, start: StartBoard) -> None:
    board = commands.add_parser(
        "wallboard", help="the crisis room's big screen: live counts, volume, publishing, the crisis (read-only)",
        description="A read-only view for a TV: open items, SLA breaches and the next post in big digits, "
                    "inbound volume per account, publishing and its holds, the worker's jobs, and a declared "
                    "crisis, which takes the screen over. Log in once (a viewer may); the idle lock does not "
                    "blank it. Keys: left/right scenes, space pauses the rotation, t switches theme, q quits. "
                    "Settings: [wallboard] rotate_seconds and theme in socops.toml.")
    board.add_argument("--rotate", type=float, metavar="SECONDS",
                       help=f"seconds each scene shows (at least {MIN_ROTATE_SECONDS}; 0: no rotation); "
                            "default: [wallboard] rotate_seconds")
    board.add_argument("--theme", choices=WALLBOARD_THEMES, help="default: [wallboard] theme")
    board.set_defaults(handler=lambda args: run_wallboard(args, start))


def run_wallboard(args: argparse.Namespace, start: StartBoard) -> int:
    rotate = args.rotate
    if rotate is not None and rotate != 0 and rotate < MIN_ROTATE_SECONDS:
        raise CommandFailed(f"--rotate {rotate:g} is too short to read across a room; give at least "
                            f"{MIN_ROTATE_SECONDS} seconds, or 0 for no rotation", exit_code=2)
    start(rotate, args.theme)
    return 0
