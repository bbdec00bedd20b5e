"""What every sub-command shares: opening the workspace, failing clearly, time and JSON."""

from __future__ import annotations

import json
import re
import sys
from datetime import datetime

from console.workspace import Workspace


class CommandFailed(Exception):
    """A command could not do its job; the message is printed as one line."""

    def __init__(self, message: str, exit_code: int = 1) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def open_workspace() -> Workspace:
    return Workspace.open()


# Characters JSON leaves raw that a terminal may act on: DEL, the C1 controls
# (U+009B is CSI) and bidirectional overrides. As \u escapes they stay exact.
_UNSAFE_IN_JSON = re.compile(r"[\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def print_json(value: object) -> None:
    """One JSON object on one line; text from platforms can hold anything, so
    the characters a terminal would act on are written as escapes."""
    text = json.dumps(value, ensure_ascii=False, indent=None, default=_json_default)
    sys.stdout.write(_UNSAFE_IN_JSON.sub(lambda match: f"\\u{ord(match.group()):04x}", text))
    sys.stdout.write("\n")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
