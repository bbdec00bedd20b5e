"""The workspace configuration file (``socops.toml``), read and validated.

A missing file means the built-in sandbox workspace with default targets, so
a first run needs no set-up. A file that cannot be read is an error that names
the file, the line where TOML says so, and the bad value.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from console.errors import ConfigError
from console.inbox import SlaTargets

EXAMPLE_CONFIG = """\
# socops workspace configuration. Every setting is optional.

[workspace]
name = "sandbox"            # shown in the status bar

[sla]                       # minutes allowed for a first response
dm = 30
comment = 60
mention = 60
due_soon = 10               # items due within this many minutes show as due soon

[sandbox]                   # the built-in simulated platform
enabled = true
seed = 7                    # same seed, same traffic
rate_per_hour = 40          # new inbound items per account per hour

[worker]
poll_seconds = 5            # how often the worker pulls from each account and sends queued replies
"""


@dataclass(frozen=True)
class SandboxSettings:
    enabled: bool = True
    seed: int = 7
    rate_per_hour: float = 40.0


@dataclass(frozen=True)
class WorkspaceConfig:
    """Everything the configuration file can set, with the defaults in force."""

    name: str = "sandbox"
    sla: SlaTargets = field(default_factory=SlaTargets)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    poll_seconds: float = 5.0
    source: Path | None = None


_KNOWN = {
    "workspace": {"name"},
    "sla": {"dm", "comment", "mention", "due_soon"},
    "sandbox": {"enabled", "seed", "rate_per_hour"},
    "worker": {"poll_seconds"},
}


def _number(path: Path, table: str, key: str, value: object, *, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise ConfigError(
            f"{path}: [{table}] {key} = {value!r} is not valid; "
            f"use a number of at least {minimum:g}"
        )
    return value


def load_config(path: Path) -> WorkspaceConfig:
    """Read ``path``; a missing file gives the defaults."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WorkspaceConfig()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from error
    try:
        raw = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: {error}; fix the file or move it away") from error

    for table, values in raw.items():
        if table not in _KNOWN or not isinstance(values, dict):
            raise ConfigError(f"{path}: unknown section [{table}]; known: {', '.join(_KNOWN)}")
        unknown = set(values) - _KNOWN[table]
        if unknown:
            raise ConfigError(
                f"{path}: unknown setting {sorted(unknown)[0]!r} in [{table}]; "
                f"known: {', '.join(sorted(_KNOWN[table]))}"
            )

    workspace = raw.get("workspace", {})
    name = workspace.get("name", "sandbox")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{path}: [workspace] name must be a non-empty string")

    sla_raw = raw.get("sla", {})
    defaults = SlaTargets()
    sla = SlaTargets(
        dm_minutes=int(_number(path, "sla", "dm", sla_raw.get("dm", defaults.dm_minutes), minimum=1)),
        comment_minutes=int(
            _number(path, "sla", "comment", sla_raw.get("comment", defaults.comment_minutes), minimum=1)
        ),
        mention_minutes=int(
            _number(path, "sla", "mention", sla_raw.get("mention", defaults.mention_minutes), minimum=1)
        ),
        due_soon_minutes=int(
            _number(path, "sla", "due_soon", sla_raw.get("due_soon", defaults.due_soon_minutes), minimum=0)
        ),
    )

    sandbox_raw = raw.get("sandbox", {})
    enabled = sandbox_raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise ConfigError(f"{path}: [sandbox] enabled must be true or false")
    seed = sandbox_raw.get("seed", 7)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise ConfigError(f"{path}: [sandbox] seed must be a whole number")
    sandbox = SandboxSettings(
        enabled=enabled,
        seed=seed,
        rate_per_hour=float(
            _number(path, "sandbox", "rate_per_hour", sandbox_raw.get("rate_per_hour", 40), minimum=0.1)
        ),
    )
    poll = _number(path, "worker", "poll_seconds", raw.get("worker", {}).get("poll_seconds", 5), minimum=0.5)
    return WorkspaceConfig(
        name=name.strip(), sla=sla, sandbox=sandbox, poll_seconds=float(poll), source=path
    )
