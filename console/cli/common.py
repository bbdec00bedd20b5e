"""What every sub-command shares: opening the workspace, failing clearly, stopping long work
between batches, time, JSON, and writing a file whole."""

from __future__ import annotations

import json
import os
import re
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.hidden_text import HIDDEN_CHARACTERS
from console.timeparse import parse_post_time
from console.workspace import Workspace
from data import write_file_atomically


#: Exit code of work stopped by Ctrl+C (128 + SIGINT), as a shell reports one.
INTERRUPTED = 130


class CommandFailed(Exception):
    """A command could not do its job; the message is printed as one line."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def open_workspace() -> Workspace:
    # The product's entry point: a sandbox workspace it creates starts with sample content.
    return Workspace.open(demo_content=True)


@contextmanager
def stop_between_batches() -> Iterator[Callable[[], bool]]:
    """For work written in batches (a seed, an import): the first Ctrl+C asks it
    to stop after the batch being written, instead of killing it halfway.

    Yields the question the work asks between batches ("was a stop asked?").
    A batch is one transaction of bounded size, so the wait is short and what
    the command then reports is exactly what was written. A second Ctrl+C
    stops at once (for a read that blocks, say): the batches written before
    stay whole, and each one's audit event says what it wrote."""
    asked = threading.Event()
    previous = signal.getsignal(signal.SIGINT)

    def interrupted(signum, frame) -> None:
        if asked.is_set():
            signal.signal(signal.SIGINT, previous)
            raise KeyboardInterrupt
        asked.set()
        # os.write: a print() here could collide with a print in progress.
        os.write(2, b"socops: stopping after the batch being written (Ctrl+C again stops at once)\n")

    try:
        signal.signal(signal.SIGINT, interrupted)
    except ValueError:        # not the main thread: Ctrl+C stays as it was
        yield asked.is_set
        return
    try:
        yield asked.is_set
    finally:
        signal.signal(signal.SIGINT, previous)


def local_zone() -> tzinfo:
    """This machine's time zone, as a zone with its daylight-saving rules when it
    can be named (``TZ``, or where /etc/localtime points), else its current offset."""
    candidates = [os.environ.get("TZ", "").lstrip(":")]
    try:
        target = os.path.realpath("/etc/localtime")
        candidates.append(target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else "")
    except OSError:
        pass
    for name in candidates:
        if name:
            try:
                return ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
    return datetime.now().astimezone().tzinfo


def read_post_time(text: str, now: datetime, option: str = "--at") -> datetime:
    """A post's TIME as typed: an aware moment, or a naive wall-clock time that
    each account reads in its own zone ("tomorrow" is this machine's tomorrow)."""
    try:
        return parse_post_time(text, now.astimezone(local_zone()))
    except ValueError as error:
        raise CommandFailed(f"usage error: {option}: {error}", exit_code=2) from None


def write_whole(path: Path, text: str, *, force: bool) -> None:
    """Write ``text`` to ``path`` whole (atomically: a reader never sees half a
    file), readable as any new file would be. An existing file is replaced only
    with ``force``."""
    if path.exists() and not force:
        raise CommandFailed(f"{path} exists; add --force to replace it, or choose another file")
    directory = path.parent if str(path.parent) else Path(".")
    try:
        write_file_atomically(directory, path, text.encode("utf-8"), mode=0o666)
    except OSError as error:
        raise CommandFailed(f"cannot write {path}: {error.strerror}") from None


# Characters JSON leaves raw that a terminal may act on or a reader cannot see: DEL,
# the C1 controls (U+009B is CSI), bidirectional controls and marks, and invisible
# characters (console/hidden_text.py; json escapes the C0 controls itself). As \u
# escapes they stay exact, and show.
_UNSAFE_IN_JSON = re.compile(f"[{HIDDEN_CHARACTERS}]")


def print_json(value: object) -> None:
    """One JSON object on one line; text from platforms can hold anything, so
    the characters a terminal would act on are written as escapes."""
    text = json.dumps(value, ensure_ascii=False, indent=None, default=_json_default)
    # json.dumps of the one character: a \u escape, a surrogate pair beyond U+FFFF.
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda match: json.dumps(match.group())[1:-1], text))
    sys.stdout.write("\n")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
