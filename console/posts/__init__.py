"""Posts on their way from a draft to "ready to schedule".

- ``records.py``: the post record, its store mapping and projection, the errors.
- ``content.py``: cleaning what a person typed (targets, variants, tags, time).
- ``service.py``: :class:`PostService`: draft, edit, check, submit, withdraw, copy.
- ``approvals.py``: :class:`ApprovalService`: the queue per approver, approve,
  reject, request changes, bulk approval, expiry.
- ``approvers.py``: who may approve a stage (role, account owner, scope, not an author).
- ``review.py``: stage states and the revision diff, for screens and the CLI.

The authors' notices are ``console/notices.py``; the rules posts are checked
against are ``console/policy/``.
"""
