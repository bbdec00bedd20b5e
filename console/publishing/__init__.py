"""Scheduling and publishing: approved posts get a time, or each account's
next free queue slot, and the worker sends them exactly once.

- ``model.py``: the publishing rules of ``governance.toml`` (``[publishing]``):
  queue slots, blackout windows, spacing, duplicates; local times (zoneinfo).
- ``policy_file.py``: reading ``[publishing]``, every problem on its line.
- ``records.py``: a post's schedule (each target's time, state, idempotency
  key, outcome) and publishing holds, and their store mapping.
- ``rules.py``: the findings of the publishing rules for a post at its times.
- ``slots.py``: queue slot moments, DST-correct, and the next free one.
- ``service.py``: :class:`SchedulingService`: schedule, reschedule,
  unschedule, publish now, retry.
- ``holds.py``: :class:`HoldService`: hold and release publishing (a crisis
  freeze sets a hold), and the publishing gate that orders holds and claims.
- ``publisher.py``: :class:`Publisher`: claim, send, record, exactly once.
- ``jobs.py``: :class:`PublishDue`, the worker's publishing job.
- ``calendar.py``: :class:`Calendar`: entries (with their states), free
  slots and departures, for the Calendar panel and ``socops calendar``.
- ``export.py``: the calendar as iCalendar (RFC 5545) and CSV files.
- ``deletion.py``: :class:`PostDeletion`: take a published post down through
  its platforms' delete, audited.
- ``post_import.py``: :class:`PostImport`: posts from a CSV file, planned
  (a dry run), then drafted and submitted, never twice.

The posts it publishes and their approval are ``console/posts/``.
"""

from console.publishing.calendar import (
    APPROVED_STATE,
    CALENDAR_STATES,
    DRAFT_STATE,
    HELD,
    IN_APPROVAL,
    PARTLY,
    STATE_LETTERS,
    Calendar,
    CalendarEntry,
    CalendarFilter,
    Departure,
    FreeSlot,
    combined_state,
    entry_line,
)
from console.publishing.deletion import DeletionOutcome, PostDeletion
from console.publishing.export import (CSV_COLUMNS, CalendarEvent, calendar_csv, calendar_events, calendar_ics, fold,
                                       ics_text)
from console.publishing.holds import CaughtTarget, HoldService
from console.publishing.jobs import PublishDue
from console.publishing.model import (
    RULE_BLACKOUT,
    RULE_DUPLICATE,
    RULE_HOLD,
    RULE_SPACING,
    WEEKDAYS,
    Blackout,
    PublishingPolicy,
    QueueSlots,
    local_moment,
)
from console.publishing.policy_file import PUBLISHING_SECTION, parse_publishing_policy
from console.publishing.post_import import (BadFile, ImportPlan, ImportReport, PlannedRow, PostImport, RowOutcome,
                                            import_key)
from console.publishing.publisher import PublishReport, Publisher
from console.publishing.records import (
    CRISIS_HOLD,
    DELETED,
    FAILED,
    FINAL,
    HOLDS,
    MISSED,
    NEEDS_CHECK,
    PENDING,
    PUBLISHED,
    PUBLISHING,
    RETRYING,
    SCHEDULE_COLLECTIONS,
    SCHEDULED,
    SCHEDULES,
    TARGET_STATES,
    Hold,
    InFlight,
    Schedule,
    ScheduleRequest,
    TargetSchedule,
)
from console.publishing.rules import local_text, same_text
from console.publishing.service import SchedulePlan, SchedulingService, account_zone
from console.publishing.slots import next_free_slot, slot_moments

__all__ = [
    "APPROVED_STATE",
    "CALENDAR_STATES",
    "DRAFT_STATE",
    "HELD",
    "IN_APPROVAL",
    "PARTLY",
    "STATE_LETTERS",
    "Calendar",
    "CalendarEntry",
    "CalendarFilter",
    "Departure",
    "FreeSlot",
    "combined_state",
    "entry_line",
    "CRISIS_HOLD",
    "CaughtTarget",
    "CSV_COLUMNS",
    "CalendarEvent",
    "calendar_csv",
    "calendar_events",
    "calendar_ics",
    "fold",
    "ics_text",
    "DeletionOutcome",
    "PostDeletion",
    "BadFile",
    "ImportPlan",
    "ImportReport",
    "PlannedRow",
    "PostImport",
    "RowOutcome",
    "import_key",
    "DELETED",
    "FAILED",
    "FINAL",
    "HOLDS",
    "MISSED",
    "NEEDS_CHECK",
    "PENDING",
    "PUBLISHED",
    "PUBLISHING",
    "PUBLISHING_SECTION",
    "RETRYING",
    "RULE_BLACKOUT",
    "RULE_DUPLICATE",
    "RULE_HOLD",
    "RULE_SPACING",
    "SCHEDULED",
    "SCHEDULES",
    "SCHEDULE_COLLECTIONS",
    "TARGET_STATES",
    "WEEKDAYS",
    "Blackout",
    "Hold",
    "HoldService",
    "InFlight",
    "PublishDue",
    "PublishReport",
    "Publisher",
    "PublishingPolicy",
    "QueueSlots",
    "Schedule",
    "SchedulePlan",
    "ScheduleRequest",
    "SchedulingService",
    "TargetSchedule",
    "account_zone",
    "local_moment",
    "local_text",
    "next_free_slot",
    "parse_publishing_policy",
    "same_text",
    "slot_moments",
]
