"""The posts' worker job: expire what was not approved in time.

A post still in review when its proposed time comes, or whose approval is
older than the policy's ``approval_valid_hours``, expires and its authors
are told (:meth:`ApprovalService.expire_due`). Approving checks this too;
the job is what expires a post nobody looks at.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from console.posts.approvals import ApprovalService


class ExpirePosts:
    """Marks late posts expired and tells their authors."""

    name = "expiry"

    def __init__(self, approvals: ApprovalService, *, interval: timedelta = timedelta(seconds=30)) -> None:
        self.approvals = approvals
        self.interval = interval

    async def run(self, now: datetime) -> str:
        expired = self.approvals.expire_due()
        if not expired:
            return "none due"
        shown = ", ".join(expired[:5]) + (f" and {len(expired) - 5} more" if len(expired) > 5 else "")
        return f"expired {len(expired)}: {shown}"
