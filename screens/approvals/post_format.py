"""Pure text helpers for showing posts: relative times, status names, route stages.

Kept free of Textual (like ``screens/formatting.py``) so the queue rows, the
detail pane and the tests share one wording.
"""

from __future__ import annotations

from datetime import datetime

from console.policy import MODE_ANY, Stage
from console.posts import (
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    EXPIRED,
    IN_REVIEW,
    REJECTED,
    STATUS_LABELS,
    Post,
)
from console.untrusted import one_line

#: The "mine" view lists the author's posts in this order: what needs them first,
#: then what is ready, what waits for approvers, and what is over.
STATUS_ORDER = (CHANGES_REQUESTED, DRAFT, APPROVED, IN_REVIEW, REJECTED, EXPIRED)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def first_line(text: str) -> str:
    """The first line with something on it (untrusted text made safe for one row)."""
    for line in text.splitlines():
        if line.strip():
            return one_line(line)
    return "(no text)"


def relative_time(moment: datetime | None, now: datetime) -> str:
    """``in 3 h``, ``in 45 min``, ``in 2 d``, ``now``, ``20 min ago``: one unit, rounded down."""
    if moment is None:
        return "-"
    seconds = (moment - now).total_seconds()
    minutes = int(abs(seconds) // 60)
    if minutes < 1:
        return "now"
    if minutes < 60:
        amount = f"{minutes} min"
    elif minutes < 48 * 60:
        amount = f"{minutes // 60} h"
    else:
        amount = f"{minutes // (24 * 60)} d"
    return f"in {amount}" if seconds > 0 else f"{amount} ago"


def stage_text(stage_index: int, stages: tuple[Stage, ...], status: str, *, short: bool = False) -> str:
    """``2/3 all legal`` for a post in review; the status for any other post.

    ``short`` (narrow lists) leaves out the usual mode, ``any``: ``1/2 manager``."""
    if status != IN_REVIEW or not stages:
        return status_label(status)
    index = min(max(stage_index, 0), len(stages) - 1)
    stage = stages[index]
    mode = "" if short and stage.mode == MODE_ANY else f"{stage.mode} "
    return f"{index + 1}/{len(stages)} {mode}{stage.role.replace('_', ' ')}"


def post_stage(post: Post, *, short: bool = False) -> str:
    """:func:`stage_text` of ``post``: where it stands on its route, or its status."""
    return stage_text(post.stage, post.route.stages if post.route else (), post.status, short=short)
