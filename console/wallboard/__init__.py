"""The crisis room's wallboard (``socops wallboard``), as a read model without a
terminal: what the big screen shows, asked twice a second.

A package of its own rather than part of ``console/reports/``: reports are
metrics over a period, computed when asked; the wallboard is a live view of
now that keeps its own running counts and caches, read as a person who may
only read.

- ``board.py``: :class:`Wallboard` and its :class:`BoardSnapshot`: open items,
  SLA breaches and items due soon, the next posts and the countdown to the
  first, inbound volume per hour per account, publishing (normal, frozen,
  held, and each hold), the worker's jobs, and the crisis.
- ``volume.py``: :class:`InboundVolume`: arrivals per hour and account over
  the last 24 hours, kept from the inbox's change feed.
- ``viewer.py``: :class:`BoardViewer`: the logged-in person, read-only, with
  no idle lock (a TV has nobody at its keyboard).

The screen is ``screens/wallboard/``; the command is ``socops wallboard``.
"""

from console.wallboard.board import (
    FROZEN,
    HELD_STATE,
    JOB_FAILING,
    JOB_NOT_RUN,
    JOB_OK,
    JOB_OVERDUE,
    NORMAL,
    AccountVolume,
    BoardSnapshot,
    JobLine,
    NextPost,
    Wallboard,
    countdown_text,
)
from console.wallboard.viewer import BOARD_PERMISSION, READ_ONLY, BoardViewer
from console.wallboard.volume import HOURS, InboundVolume, window_hours

__all__ = [
    "BOARD_PERMISSION",
    "FROZEN",
    "HELD_STATE",
    "HOURS",
    "JOB_FAILING",
    "JOB_NOT_RUN",
    "JOB_OK",
    "JOB_OVERDUE",
    "NORMAL",
    "READ_ONLY",
    "AccountVolume",
    "BoardSnapshot",
    "BoardViewer",
    "InboundVolume",
    "JobLine",
    "NextPost",
    "Wallboard",
    "countdown_text",
    "window_hours",
]
