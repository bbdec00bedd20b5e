"""The tamper-evident audit trail: who did what, to what, and when.

- ``trail.py``: :class:`AuditTrail`: every change is applied together with
  its audit event in one store transaction, each event chained to the one
  before by its hash; reading, verifying and exporting the chain.
"""

from console.audit.trail import (
    AUDIT,
    AUDIT_COLLECTIONS,
    AuditNote,
    AuditTrail,
    VerifyResult,
    event_hash,
    verify_chain,
)

__all__ = ["AUDIT", "AUDIT_COLLECTIONS", "AuditNote", "AuditTrail", "VerifyResult", "event_hash", "verify_chain"]
