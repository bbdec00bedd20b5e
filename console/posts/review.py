"""What an approver looks at besides the text: where the post stands on its
route, and what changed since the approvers last saw it. Pure functions of a
:class:`Post`, shared by the CLI and the screens.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from console.policy import Stage
from console.posts.records import APPROVED, CHANGES_REQUESTED, EXPIRED, REJECTED, Post, Revision

DONE = "done"
CURRENT = "current"
WAITING = "waiting"
#: The stage where a post's route stopped, and the stages after it.
STOPPED_AT = {REJECTED: "rejected", CHANGES_REQUESTED: "changes requested", EXPIRED: "expired"}
NOT_REACHED = "not reached"


@dataclass(frozen=True)
class StageState:
    number: int              # 1-based, as people count
    stage: Stage
    state: str               # done, current, waiting; where it stopped: rejected, changes requested,
                             # expired, then not reached
    approved_by: tuple[str, ...]


def stage_states(post: Post) -> list[StageState]:
    """Each stage of the post's route: done, current (waiting for approval now) or
    waiting; for a post rejected, sent back or expired, the stage where that
    happened says so and the stages after it were not reached."""
    if post.route is None:
        return []
    stopped = STOPPED_AT.get(post.status)
    states = []
    for index, stage in enumerate(post.route.stages):
        by = tuple(a.by for a in post.stage_approvals(index))
        if post.status == APPROVED or index < post.stage:
            state = DONE
        elif stopped is not None:
            state = stopped if index == post.stage else NOT_REACHED
        elif index == post.stage and post.current_stage is not None:
            state = CURRENT
        else:
            state = WAITING
        states.append(StageState(index + 1, stage, state, by))
    return states


def last_seen_revision(post: Post) -> int:
    """The revision the approvers last saw: that of the latest approval (this
    round or an earlier one), else the one before the current revision. When
    the latest approval is of the current revision, the one before it."""
    approvals = post.past_approvals + post.approvals
    seen = approvals[-1].revision if approvals else post.revision - 1
    return seen if seen < post.revision else post.revision - 1


def revision_diff(post: Post, since: int | None = None) -> list[str]:
    """A unified diff of the main text and each variant from revision ``since``
    (default :func:`last_seen_revision`) to the current one, plus a line per
    change of targets, tags or images. ``[]`` when there is nothing before."""
    base = last_seen_revision(post) if since is None else since
    old, new = post.revision_by_number(base), post.revision_by_number(post.revision)
    if old is None or new is None or old.number == new.number:
        return []
    lines = _diff(old.text, new.text, f"text (revision {old.number})", f"text (revision {new.number})")
    for platform in sorted(set(old.variants) | set(new.variants)):
        before, after = old.variants.get(platform, ""), new.variants.get(platform, "")
        lines += _diff(before, after, f"{platform} variant (revision {old.number})",
                       f"{platform} variant (revision {new.number})")
    lines += _list_changes(old, new)
    return lines


def _diff(before: str, after: str, old_name: str, new_name: str) -> list[str]:
    return list(difflib.unified_diff(before.splitlines(), after.splitlines(), old_name, new_name, lineterm=""))


def _list_changes(old: Revision, new: Revision) -> list[str]:
    lines = []
    for name, label in (("targets", "targets"), ("tags", "tags"), ("assets", "images")):
        before, after = getattr(old, name), getattr(new, name)
        if list(before) != list(after):
            lines.append(f"{label}: {', '.join(before) or '-'} -> {', '.join(after) or '-'}")
    return lines
