"""The wallboard's read model: everything the crisis room's big screen shows,
as one :class:`BoardSnapshot`, cheap enough to ask twice a second.

What it costs per question:

* the inbox's headline counts come from its index (a few bisections);
* inbound volume per hour is kept up to date from the change feed
  (:class:`InboundVolume`), never recounted;
* the next posts need a pass over the schedules, so they are kept until
  publishing's records change (here or in another process), their first
  moment passes, or a minute goes by; the countdown is worked out at the
  moment asked;
* the crisis comes from :meth:`CrisisService.status`, which caches too;
* the jobs' health is the handful of records the worker writes.

It reads only: every question takes a viewer and asks it for
:data:`BOARD_PERMISSION`; per-account parts (volume, next posts) keep to the
viewer's scope. The headline counts are the whole inbox's, as in every
console's status bar.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from console.crisis import CrisisService, CrisisStatus
from console.inbox import INBOX, InboxCounts, InboxService
from console.permissions import Actor
from console.publishing import HELD, SCHEDULED, Calendar, Departure, Hold
from console.untrusted import one_line
from console.wallboard.viewer import BOARD_PERMISSION
from console.wallboard.volume import HOURS, InboundVolume
from console.worker import JOB_HEALTH, WorkerStatus, read_job_health
from data import Store

if TYPE_CHECKING:
    from integrations.base import AccountRef

#: Publishing, as the board says it (words, so colour never carries it alone).
NORMAL, FROZEN, HELD_STATE = "normal", "frozen", "held"
#: Job states on the board.
JOB_OK, JOB_FAILING, JOB_OVERDUE, JOB_NOT_RUN = "ok", "failing", "overdue", "not run yet"
#: How far ahead the board looks for the next posts, and how many it keeps.
LOOK_AHEAD = timedelta(days=7)
NEXT_POSTS = 5
#: The next posts are looked up again at least this often (posts leave the window).
DEPARTURES_MAX_AGE = timedelta(minutes=1)


@dataclass(frozen=True)
class AccountVolume:
    """One account's inbound items per hour, oldest hour first, the current one last."""

    account_id: str
    handle: str
    per_hour: tuple[int, ...]

    @property
    def total(self) -> int:
        return sum(self.per_hour)

    @property
    def last_hour(self) -> int:
        return self.per_hour[-1] if self.per_hour else 0


@dataclass(frozen=True)
class NextPost:
    """A post on its way out: when, where, and whether a hold keeps it."""

    post_id: str
    at: datetime
    handles: tuple[str, ...]
    state: str                  # "scheduled", "held" or "publishing"
    preview: str                # a person's text: one plain line, render it as text

    def seconds_left(self, now: datetime) -> int:
        return max(int((self.at - now).total_seconds()), 0)


@dataclass(frozen=True)
class JobLine:
    """One worker job's health in words: ``ok``, ``failing``, ``overdue`` or ``not run yet``."""

    name: str
    state: str
    detail: str = ""


@dataclass(frozen=True)
class BoardSnapshot:
    """What the wallboard shows at ``now``."""

    now: datetime
    viewer: str
    counts: InboxCounts
    next_posts: tuple[NextPost, ...]
    volume: tuple[AccountVolume, ...]
    holds: tuple[Hold, ...]
    jobs: tuple[JobLine, ...]
    worker: WorkerStatus
    crisis: CrisisStatus
    #: Every connected account's handle, by id (scopes and holds name ids; the board shows handles).
    handles: Mapping[str, str] = field(default_factory=dict)

    def hold_scope(self, hold: Hold) -> str:
        """A hold's scope with handles for account ids: ``@northwind_es, region EU``."""
        return ", ".join(tuple(self.handles.get(account, account) for account in hold.accounts)
                         + tuple(f"region {region}" for region in hold.regions)) or "every account"

    @property
    def publishing(self) -> str:
        """``frozen`` (a crisis freeze is in force), ``held`` (only manual holds) or ``normal``."""
        if self.crisis.frozen:
            return FROZEN
        return HELD_STATE if self.holds else NORMAL

    @property
    def next_post(self) -> NextPost | None:
        return next((post for post in self.next_posts if post.state in (SCHEDULED, HELD)), None)

    def countdown(self) -> int | None:
        """Seconds until the next post's moment (None when nothing is scheduled)."""
        post = self.next_post
        return post.seconds_left(self.now) if post is not None else None

    @property
    def jobs_in_trouble(self) -> tuple[JobLine, ...]:
        return tuple(job for job in self.jobs if job.state in (JOB_FAILING, JOB_OVERDUE))


def countdown_text(seconds: int | None) -> str:
    """``12:05`` (minutes and seconds), ``3:12:05`` past an hour, ``--:--`` for nothing."""
    if seconds is None:
        return "--:--"
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes:02d}:{secs:02d}"


class Wallboard:
    """The wallboard's questions, answered from the store (see the module docstring)."""

    def __init__(self, store: Store, inbox: InboxService, *, crisis: Callable[[], CrisisService],
                 calendar: Callable[[], Calendar], accounts: Callable[[], Sequence["AccountRef"]],
                 region_of: Callable[[str], str], worker_status: Callable[[], WorkerStatus],
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.inbox = inbox
        self.crisis = crisis
        self.calendar = calendar
        self.accounts = accounts
        self.region_of = region_of
        self.worker_status = worker_status
        self.clock = clock
        self.volume = InboundVolume(inbox.index, clock)
        inbox.on_items_changed(self.volume.items_changed)
        self._lock = threading.Lock()
        self._departures: tuple[tuple[Departure, ...], datetime, int] | None = None  # (found, when, generation)
        self._generation = 0
        store.on_change(self._store_changed)

    def _store_changed(self, changes: list) -> None:
        # Posts, schedules and holds decide the next posts; the inbox and the
        # worker's telemetry (most of the changes) do not.
        if any(change.collection not in (INBOX, JOB_HEALTH) for change in changes):
            with self._lock:
                self._generation += 1

    def snapshot(self, viewer: Actor) -> BoardSnapshot:
        """Everything the board shows now, as ``viewer`` may see it (PermissionDenied if they may not)."""
        viewer.require(BOARD_PERMISSION)
        now = self.clock()
        scope = viewer.scope()
        accounts = [account for account in self.accounts()
                    if scope.covers(account.account_id, self.region_of(account.account_id))]
        handles = {account.account_id: account.handle for account in accounts}
        per_hour = self.volume.per_account(handles)
        volume = tuple(AccountVolume(account_id, handles[account_id], counts)
                       for account_id, counts in per_hour.items())
        crisis = self.crisis().status()
        every_handle = {account.account_id: account.handle for account in self.accounts()}
        return BoardSnapshot(now, viewer.name, self.inbox.counts(), self._next_posts(now, handles), volume,
                             crisis.holds, self._jobs(now), self.worker_status(), crisis, every_handle)

    def _next_posts(self, now: datetime, handles: dict[str, str]) -> tuple[NextPost, ...]:
        with self._lock:
            cached, generation = self._departures, self._generation
        # A post whose moment came since the look-up may have gone out: look again
        # (once: a post the worker has not sent yet does not make every question a pass).
        if (cached is None or cached[2] != generation or now - cached[1] >= DEPARTURES_MAX_AGE
                or any(cached[1] < departure.entry.at <= now for departure in cached[0])):
            hours = int(LOOK_AHEAD.total_seconds() // 3600)
            found = tuple(self.calendar().departures(
                now, hours=hours, limit=NEXT_POSTS,
                visible=lambda accounts: all(account in handles for account in accounts)))
            cached = (found, now, generation)
            with self._lock:
                self._departures = cached
        return tuple(NextPost(departure.entry.post_id, departure.entry.at,
                              tuple(handles.get(account, account) for account in departure.entry.accounts),
                              departure.entry.state, one_line(departure.entry.preview, 80))
                     for departure in cached[0] if departure.entry.at >= now - timedelta(minutes=1))

    def _jobs(self, now: datetime) -> tuple[JobLine, ...]:
        lines = []
        for health in sorted(read_job_health(self.store).values(), key=lambda health: health.name):
            problem = health.problem(now)
            if health.last_run is None:
                lines.append(JobLine(health.name, JOB_NOT_RUN))
            elif problem:
                lines.append(JobLine(health.name, JOB_FAILING if health.failing else JOB_OVERDUE, one_line(problem, 120)))
            elif health.failing:
                lines.append(JobLine(health.name, JOB_FAILING, one_line(health.last_error, 120)))
            else:
                lines.append(JobLine(health.name, JOB_OK, one_line(health.report, 120)))
        return tuple(lines)

