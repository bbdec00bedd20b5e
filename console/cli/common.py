"""What every sub-command shares: opening the workspace, failing clearly, time and JSON."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime

from console.hidden_text import HIDDEN_CHARACTERS
from console.workspace import Workspace


class CommandFailed(Exception):
    """A command could not do its job; the message is printed as one line."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def open_workspace() -> Workspace:
    return Workspace.open()


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
