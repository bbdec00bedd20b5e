"""What every sub-command shares: opening the workspace, failing clearly, time and JSON."""

from __future__ import annotations

import json
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


def print_json(value: object) -> None:
    json.dump(value, sys.stdout, ensure_ascii=False, indent=None, default=_json_default)
    sys.stdout.write("\n")


def _json_default(value: object) -> object:
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")
