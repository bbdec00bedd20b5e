"""Crisis mode: severity levels, a one-step freeze of publishing, a runbook
with owners, replies by authorised responders only, pre-approved holding
statements that alone pass the freeze, a timeline, resolve and post-mortem.

- ``model.py``: the crisis plan of ``governance.toml`` (``[crisis]``): levels,
  playbooks, runbook steps, the crisis approval route, who confirms.
- ``policy_file.py``: reading ``[crisis]``, every problem on its line.
- ``records.py``: a crisis (runbook, notes, holds, statements, missed
  posts), the crisis desk (the active crisis, the waiting request).
- ``book.py``: :class:`CrisisBook`: reading and changing the records; the status.
- ``service.py``: :class:`CrisisService`: declare, freeze, steps, notes,
  responders, timeline, report (the one entry point for screens and CLI).
- ``desk.py``: the two-person rule: request, confirm, cancel an unfreeze or a resolve.
- ``statements.py``: holding statements through the crisis route, passing the freeze.
- ``status.py``: :class:`CrisisStatus`, the read model a status bar polls.
- ``timeline.py``: the timeline, from the crisis record and from the audit trail.
- ``report.py``: the post-mortem as a dict and as Markdown.
- ``samples.py``: the sandbox's sample holding statements.

It freezes what ``console/publishing/`` sends (a hold of kind "crisis").
"""

from console.crisis.book import CrisisBook
from console.crisis.desk import Confirmed
from console.crisis.model import (
    DEFAULT_CONFIRM_ROLES,
    FREEZE_AFFECTED,
    FREEZE_ALL,
    FREEZE_NONE,
    FREEZE_SCOPES,
    CrisisLevel,
    CrisisPolicy,
    Playbook,
    RunbookStep,
    responder_allowed,
)
from console.crisis.policy_file import CRISIS_SECTION, parse_crisis_policy
from console.crisis.records import (
    ACTIVE,
    CRISIS_COLLECTIONS,
    CRISES,
    RESOLVE,
    RESOLVED,
    STEP_DONE,
    STEP_NA,
    STEP_OPEN,
    STEP_STATES,
    UNFREEZE,
    Crisis,
    MissedTarget,
    ReplyFact,
    Request,
    Statement,
    Step,
    TeamNote,
)
from console.crisis.report import duration_text, report_markdown
from console.crisis.samples import SAMPLE_STATEMENTS, SampleStatement
from console.crisis.service import CrisisService, Declared, FreezeReport
from console.crisis.statements import STATEMENT_TAG, StatementChoice
from console.crisis.status import CrisisStatus, RunbookProgress, clock_text
from console.crisis.timeline import TimelineEntry

__all__ = [
    "ACTIVE",
    "CRISES",
    "CRISIS_COLLECTIONS",
    "CRISIS_SECTION",
    "DEFAULT_CONFIRM_ROLES",
    "FREEZE_AFFECTED",
    "FREEZE_ALL",
    "FREEZE_NONE",
    "FREEZE_SCOPES",
    "RESOLVE",
    "RESOLVED",
    "SAMPLE_STATEMENTS",
    "STATEMENT_TAG",
    "STEP_DONE",
    "STEP_NA",
    "STEP_OPEN",
    "STEP_STATES",
    "UNFREEZE",
    "Confirmed",
    "Crisis",
    "CrisisBook",
    "CrisisLevel",
    "CrisisPolicy",
    "CrisisService",
    "CrisisStatus",
    "Declared",
    "FreezeReport",
    "MissedTarget",
    "Playbook",
    "ReplyFact",
    "Request",
    "RunbookProgress",
    "RunbookStep",
    "SampleStatement",
    "Statement",
    "StatementChoice",
    "Step",
    "TeamNote",
    "TimelineEntry",
    "clock_text",
    "duration_text",
    "parse_crisis_policy",
    "report_markdown",
    "responder_allowed",
]
