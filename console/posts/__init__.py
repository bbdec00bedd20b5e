"""Posts on their way from a draft to "ready to schedule".

- ``records.py``: the post record, its store mapping and projection, the errors.
- ``content.py``: cleaning what a person typed (targets, variants, tags, time).
- ``service.py``: :class:`PostService`: draft, edit, check, submit, withdraw, copy.
- ``approvals.py``: :class:`ApprovalService`: the queue per approver, approve,
  reject, request changes, bulk approval, expiry.
- ``approvers.py``: who may approve a stage (role, account owner, scope, not an author).
- ``jobs.py``: :class:`ExpirePosts`, the worker's job that expires late posts.
- ``review.py``: stage states and the revision diff, for screens and the CLI.

The authors' notices are ``console/notices.py``; the rules posts are checked
against are ``console/policy/``.
"""

from console.posts.approvals import ApprovalService
from console.posts.approvers import Approvers
from console.posts.jobs import ExpirePosts
from console.posts.records import (
    P_AUTHORS,
    P_PREVIEW,
    P_PROPOSED_AT,
    P_STATUS,
    P_TAGS,
    P_TARGETS,
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    EXPIRED,
    IN_REVIEW,
    POST_COLLECTIONS,
    POST_IMPORTS,
    POST_STATUSES,
    POSTS,
    REJECTED,
    STATUS_LABELS,
    AcknowledgementRequired,
    AlreadyImported,
    NotYourStage,
    PolicyBlocked,
    Post,
    PostExpired,
    PostNotFound,
    Revision,
    SelfApprovalRefused,
    UnstaffedStage,
    history_entry,
    post_from_record,
    revision_to_dict,
    route_to_dict,
)
from console.posts.review import (
    CURRENT,
    DONE,
    NOT_REACHED,
    STOPPED_AT,
    WAITING,
    StageState,
    last_seen_revision,
    revision_diff,
    stage_states,
)
from console.posts.service import PostService

__all__ = [
    "APPROVED",
    "CHANGES_REQUESTED",
    "CURRENT",
    "DONE",
    "DRAFT",
    "EXPIRED",
    "IN_REVIEW",
    "NOT_REACHED",
    "POSTS",
    "P_AUTHORS",
    "P_PREVIEW",
    "P_PROPOSED_AT",
    "P_STATUS",
    "P_TAGS",
    "P_TARGETS",
    "POST_COLLECTIONS",
    "POST_IMPORTS",
    "POST_STATUSES",
    "REJECTED",
    "STATUS_LABELS",
    "STOPPED_AT",
    "WAITING",
    "AcknowledgementRequired",
    "AlreadyImported",
    "ApprovalService",
    "Approvers",
    "ExpirePosts",
    "NotYourStage",
    "PolicyBlocked",
    "Post",
    "PostExpired",
    "PostNotFound",
    "PostService",
    "Revision",
    "SelfApprovalRefused",
    "StageState",
    "UnstaffedStage",
    "history_entry",
    "last_seen_revision",
    "post_from_record",
    "revision_diff",
    "revision_to_dict",
    "route_to_dict",
    "stage_states",
]
