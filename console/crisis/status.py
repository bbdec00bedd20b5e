"""The crisis read model: what a status bar, a banner or a wallboard shows,
cheap enough to ask every second (see :meth:`CrisisService.status`).

It is made from the records the service keeps in memory until the crisis,
its desk or the holds change, so asking costs a few comparisons of times:
elapsed time and overdue steps are computed at the moment asked.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from console.crisis.records import STEP_DONE, STEP_NA, Crisis, Request
from console.crisis.timeline import TimelineEntry
from console.publishing import CRISIS_HOLD, Hold


@dataclass(frozen=True)
class RunbookProgress:
    done: int = 0           # done or not applicable
    overdue: int = 0        # open past their due time
    total: int = 0

    def describe(self) -> str:
        text = f"{self.done}/{self.total} steps"
        return text + (f", {self.overdue} overdue" if self.overdue else "")


@dataclass(frozen=True)
class CrisisStatus:
    """The crisis and publishing state at ``now``."""

    now: datetime
    crisis: Crisis | None                    # the active crisis
    holds: tuple[Hold, ...] = ()             # every hold in force (crisis freezes and manual holds)
    runbook: RunbookProgress = RunbookProgress()
    request: Request | None = None           # an unfreeze or resolve waiting for a second person
    latest: tuple[TimelineEntry, ...] = ()   # the crisis's latest entries, newest last

    @property
    def active(self) -> bool:
        return self.crisis is not None

    @property
    def frozen(self) -> bool:
        """Whether a crisis freeze is in force (a manual hold is a hold, not a freeze)."""
        return any(hold.kind == CRISIS_HOLD for hold in self.holds)

    @property
    def freezes(self) -> tuple[Hold, ...]:
        return tuple(hold for hold in self.holds if hold.kind == CRISIS_HOLD)

    @property
    def elapsed(self) -> timedelta:
        return self.crisis.elapsed(self.now) if self.crisis else timedelta(0)

    def banner(self) -> str:
        """``CRISIS 3 00:42`` (level, hours and minutes since it was declared), with
        ``FROZEN`` when publishing is frozen; ``FROZEN`` alone for a freeze without
        a crisis; "" when there is neither. Words, so colour never carries it alone."""
        parts = []
        if self.crisis is not None:
            parts.append(f"CRISIS {self.crisis.severity} {clock_text(self.elapsed)}")
        if self.frozen:
            parts.append("FROZEN")
        return " ".join(parts)


def clock_text(elapsed: timedelta) -> str:
    """``00:42``: hours and minutes (``26:05`` past a day)."""
    minutes = int(elapsed.total_seconds() // 60)
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def runbook_progress(crisis: Crisis | None, now: datetime) -> RunbookProgress:
    if crisis is None:
        return RunbookProgress()
    done = sum(1 for step in crisis.steps if step.state in (STEP_DONE, STEP_NA))
    overdue = sum(1 for step in crisis.steps if step.overdue(now))
    return RunbookProgress(done, overdue, len(crisis.steps))
