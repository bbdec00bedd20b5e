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
from console.toml_locator import TomlLocator, syntax_error_position
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

[wallboard]                 # `socops wallboard`, the crisis room's big screen
rotate_seconds = 20         # each scene shows this long (a declared crisis stops the rotation)
theme = "default"           # or "high-contrast"
"""

#: The wallboard's themes (``[wallboard] theme``).
WALLBOARD_THEMES = ("default", "high-contrast")
#: The shortest scene a wallboard may rotate through, in seconds: shorter cannot be read across a room.
MIN_ROTATE_SECONDS = 3


@dataclass(frozen=True)
class SandboxSettings:
    enabled: bool = True
    seed: int = 7
    rate_per_hour: float = 40.0


@dataclass(frozen=True)
class WallboardSettings:
    rotate_seconds: float = 20.0
    theme: str = "default"


@dataclass(frozen=True)
class WorkspaceConfig:
    """Everything the configuration file can set, with the defaults in force."""

    name: str = "sandbox"
    sla: SlaTargets = field(default_factory=SlaTargets)
    sandbox: SandboxSettings = field(default_factory=SandboxSettings)
    poll_seconds: float = 5.0
    wallboard: WallboardSettings = field(default_factory=WallboardSettings)
    source: Path | None = None


_KNOWN = {
    "workspace": {"name"},
    "sla": {"dm", "comment", "mention", "due_soon"},
    "sandbox": {"enabled", "seed", "rate_per_hour"},
    "worker": {"poll_seconds"},
    "wallboard": {"rotate_seconds", "theme"},
}


def _number(problem: "_Problem", table: str, key: str, value: object, *, minimum: float) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < minimum:
        raise problem((table, key), f"[{table}] {key} = {value!r} is not valid; use a number of at least {minimum:g}")
    return value


class _Problem:
    """Makes ``FILE:LINE: what is wrong`` errors for one file's text."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text
        self._locator: TomlLocator | None = None

    def __call__(self, keys: tuple[str, ...], message: str) -> ConfigError:
        if self._locator is None:
            self._locator = TomlLocator(self.text)
        line = self._locator.line_of(keys)
        return ConfigError(f"{self.path}:{line}: {message}" if line else f"{self.path}: {message}")


def load_config(path: Path) -> WorkspaceConfig:
    """Read ``path``; a missing file gives the defaults. Every error names the
    file, the line and what is wrong."""
    try:
        raw_text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return WorkspaceConfig()
    except (OSError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path}: cannot be read ({error})") from error
    try:
        raw = tomllib.loads(raw_text)
    except tomllib.TOMLDecodeError as error:
        line, message = syntax_error_position(error, raw_text)
        raise ConfigError(f"{path}:{line}: {message}; fix the TOML syntax" if line
                          else f"{path}: {message}; fix the TOML syntax") from error
    problem = _Problem(path, raw_text)

    for table, values in raw.items():
        if table not in _KNOWN or not isinstance(values, dict):
            raise problem((table,), f"unknown section [{table}]; known: {', '.join(_KNOWN)}")
        unknown = set(values) - _KNOWN[table]
        if unknown:
            key = sorted(unknown)[0]
            raise problem((table, key), f"unknown setting {key!r} in [{table}]; "
                                        f"known: {', '.join(sorted(_KNOWN[table]))}")

    workspace = raw.get("workspace", {})
    name = workspace.get("name", "sandbox")
    if not isinstance(name, str) or not name.strip():
        raise problem(("workspace", "name"), "[workspace] name must be a non-empty string")

    sla_raw = raw.get("sla", {})
    defaults = SlaTargets()
    sla = SlaTargets(
        dm_minutes=int(_number(problem, "sla", "dm", sla_raw.get("dm", defaults.dm_minutes), minimum=1)),
        comment_minutes=int(
            _number(problem, "sla", "comment", sla_raw.get("comment", defaults.comment_minutes), minimum=1)
        ),
        mention_minutes=int(
            _number(problem, "sla", "mention", sla_raw.get("mention", defaults.mention_minutes), minimum=1)
        ),
        due_soon_minutes=int(
            _number(problem, "sla", "due_soon", sla_raw.get("due_soon", defaults.due_soon_minutes), minimum=0)
        ),
    )

    sandbox_raw = raw.get("sandbox", {})
    enabled = sandbox_raw.get("enabled", True)
    if not isinstance(enabled, bool):
        raise problem(("sandbox", "enabled"), "[sandbox] enabled must be true or false")
    seed = sandbox_raw.get("seed", 7)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise problem(("sandbox", "seed"), "[sandbox] seed must be a whole number")
    sandbox = SandboxSettings(
        enabled=enabled,
        seed=seed,
        rate_per_hour=float(
            _number(problem, "sandbox", "rate_per_hour", sandbox_raw.get("rate_per_hour", 40), minimum=0.1)
        ),
    )
    poll = _number(problem, "worker", "poll_seconds", raw.get("worker", {}).get("poll_seconds", 5), minimum=0.5)
    return WorkspaceConfig(
        name=name.strip(), sla=sla, sandbox=sandbox, poll_seconds=float(poll),
        wallboard=_wallboard_settings(problem, raw.get("wallboard", {})), source=path
    )


def _wallboard_settings(problem: _Problem, raw: dict) -> WallboardSettings:
    defaults = WallboardSettings()
    rotate = _number(problem, "wallboard", "rotate_seconds", raw.get("rotate_seconds", defaults.rotate_seconds),
                     minimum=MIN_ROTATE_SECONDS)
    theme = raw.get("theme", defaults.theme)
    if theme not in WALLBOARD_THEMES:
        raise problem(("wallboard", "theme"), f"[wallboard] theme = {theme!r} is not valid; use "
                                              + " or ".join(f'"{name}"' for name in WALLBOARD_THEMES))
    return WallboardSettings(rotate_seconds=float(rotate), theme=theme)
