"""Every place socops reads or writes, in one module.

By default the XDG directories (via platformdirs); ``SOCOPS_HOME`` overrides
all of them with one folder, for tests and for running several workspaces on
one machine. Nothing is created at import time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_NAME = "socops"


@dataclass(frozen=True)
class WorkspacePaths:
    """Where one workspace keeps its configuration, store, locks and logs."""

    config_dir: Path
    data_dir: Path
    state_dir: Path

    @property
    def config_file(self) -> Path:
        return self.config_dir / "socops.toml"

    @property
    def store_dir(self) -> Path:
        return self.data_dir / "store"

    @property
    def worker_lock(self) -> Path:
        return self.state_dir / "worker.lock"

    @property
    def log_file(self) -> Path:
        return self.state_dir / "socops.log"

    def ensure(self) -> None:
        """Create the folders (private to the service account)."""
        for folder in (self.config_dir, self.data_dir, self.state_dir):
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def workspace_paths(env: dict[str, str] | None = None) -> WorkspacePaths:
    """The paths in force: ``SOCOPS_HOME`` if set, else the XDG locations."""
    env = os.environ if env is None else env
    home = env.get("SOCOPS_HOME", "").strip()
    if home:
        root = Path(home).expanduser().resolve()
        return WorkspacePaths(root / "config", root / "data", root / "state")
    return WorkspacePaths(
        Path(platformdirs.user_config_dir(APP_NAME)),
        Path(platformdirs.user_data_dir(APP_NAME)),
        Path(platformdirs.user_state_dir(APP_NAME)),
    )
