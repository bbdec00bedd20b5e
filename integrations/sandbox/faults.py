"""Faults the sandbox can inject into publishing, for tests and demos.

Each create request draws at most one fault, deterministically from the seed,
the account, the idempotency key and which attempt of that key it is (the
platform counts attempts in its shared file, so a retry after a restart draws
anew and a run replays the same way):

=====================  =========================================================
``timeout_after_send``  the post IS stored, then the answer is lost:
                        :class:`TransientError` with ``maybe_sent=True``
``server_error``        a 5xx before anything is stored; a 5xx cannot tell,
                        so ``maybe_sent=True``
``connect_error``       the connection never opens: nothing stored,
                        ``maybe_sent=False``
``rate_limit``          :class:`RateLimitedError` until a few seconds ahead
``slow``                the post is stored, and the answer takes
                        ``slow_seconds``
``crash_after_send``    the post is stored, then the process ends at once
                        (``os._exit(137)``): a faithful ``kill -9`` between
                        sending and recording
=====================  =========================================================

``idempotent=False`` makes the platform behave like one without idempotency
keys (Meta, LinkedIn): a create with a key already used makes a second post,
so the publisher's look-up path can be exercised.

The same plan can come from the environment, for demos and for a worker in
another process: ``SOCOPS_SANDBOX_FAULTS="timeout_after_send:0.1,server_error:0.1,
rate_limit:0.05,slow:0.1,seed:7"``; the settings ``seed``, ``slow_seconds``,
``rate_limit_seconds`` and ``idempotent`` (yes/no) go in the same list.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from ._draws import Draws

FAULTS_ENV = "SOCOPS_SANDBOX_FAULTS"

TIMEOUT_AFTER_SEND = "timeout_after_send"
SERVER_ERROR = "server_error"
CONNECT_ERROR = "connect_error"
RATE_LIMIT = "rate_limit"
SLOW = "slow"
CRASH_AFTER_SEND = "crash_after_send"
#: Every fault, in the order a draw tries them.
FAULTS = (TIMEOUT_AFTER_SEND, SERVER_ERROR, CONNECT_ERROR, RATE_LIMIT, SLOW, CRASH_AFTER_SEND)

#: ``(idempotency key, attempt number) -> fault name or None``: a plan a test writes by hand.
FaultScript = Callable[[str, int], "str | None"]


@dataclass(frozen=True)
class SandboxFaults:
    """A fault plan: each fault's chance per create request, and how faults behave."""

    chances: Mapping[str, float] = field(default_factory=dict)
    seed: int = 0
    slow_seconds: float = 2.0
    rate_limit_seconds: float = 5.0
    idempotent: bool = True

    def __post_init__(self) -> None:
        unknown = sorted(set(self.chances) - set(FAULTS))
        if unknown:
            raise ValueError(f"unknown sandbox fault {unknown[0]!r}; the faults are {', '.join(FAULTS)}")
        for name, chance in self.chances.items():
            if not 0.0 <= chance <= 1.0:
                raise ValueError(f"the chance of {name} is {chance}; give a number from 0 to 1")
        total = sum(self.chances.values())
        if total > 1.0 + 1e-9:
            raise ValueError(f"the chances add up to {total:g}; together they can be at most 1")
        if self.slow_seconds < 0 or self.rate_limit_seconds <= 0:
            raise ValueError("slow_seconds must not be negative and rate_limit_seconds must be positive")

    @property
    def active(self) -> bool:
        return any(chance > 0 for chance in self.chances.values())

    def draw(self, account_id: str, key: str, attempt: int) -> str | None:
        """The fault of attempt ``attempt`` of ``key`` on ``account_id``, or None."""
        if not self.active:
            return None
        roll = Draws(f"{self.seed}:fault:{account_id}:{key}:{attempt}").u()
        for name in FAULTS:
            roll -= self.chances.get(name, 0.0)
            if roll < 0:
                return name
        return None

    @classmethod
    def parse(cls, text: str) -> "SandboxFaults":
        """``"timeout_after_send:0.1,slow:0.2,seed:7,idempotent:no"`` as a plan."""
        chances: dict[str, float] = {}
        settings: dict[str, object] = {}
        for part in (text or "").split(","):
            part = part.strip()
            if not part:
                continue
            name, sep, value = part.partition(":")
            name, value = name.strip(), value.strip()
            if not sep or not value:
                raise ValueError(f"{FAULTS_ENV}: {part!r} needs a value, as in 'slow:0.1'")
            try:
                if name == "seed":
                    settings["seed"] = int(value)
                elif name in ("slow_seconds", "rate_limit_seconds"):
                    settings[name] = float(value)
                elif name == "idempotent":
                    if value.lower() not in ("yes", "no", "true", "false", "1", "0"):
                        raise ValueError(value)
                    settings["idempotent"] = value.lower() in ("yes", "true", "1")
                elif name in FAULTS:
                    chances[name] = float(value)
                else:
                    raise LookupError(name)
            except LookupError:
                raise ValueError(f"{FAULTS_ENV}: unknown name {name!r}; the faults are {', '.join(FAULTS)}, "
                                 "the settings seed, slow_seconds, rate_limit_seconds, idempotent") from None
            except ValueError:
                raise ValueError(f"{FAULTS_ENV}: {name} has the value {value!r}, which is not "
                                 f"{'yes or no' if name == 'idempotent' else 'a number'}") from None
        try:
            return cls(chances, **settings)  # type: ignore[arg-type]
        except ValueError as error:
            raise ValueError(f"{FAULTS_ENV}: {error}") from None

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> "SandboxFaults":
        """The plan in ``SOCOPS_SANDBOX_FAULTS`` (no faults when it is unset or empty)."""
        environ = os.environ if environ is None else environ
        return cls.parse(environ.get(FAULTS_ENV, ""))


NO_FAULTS = SandboxFaults()
