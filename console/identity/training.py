"""Training records: which courses each console user has completed, and until when.

The governance file says which courses a permission requires; a user whose
required course is missing or expired loses that permission until it is
renewed (:meth:`TrainingService.gaps` says why, naming the course).

Who may record: only holders of ``training.manage`` (admins and owners, or a
custom role), for anyone including themselves. Training gates permissions
such as publishing, so self-attestation would let anyone grant themselves
those permissions. Anyone may list their own records.

A record counts from ``completed_on`` up to, not including, ``expires_on``
(the first day it no longer counts). Without ``expires_on`` the course's
``valid_days`` from the governance file set it; a course with neither never
expires. Several records of one course may exist (renewals); the latest
expiry wins.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from console.permissions import TRAINING_MANAGE, Actor
from console.audit import AuditNote, AuditTrail
from console.errors import ConsoleError
from console.governance import Governance
from console.records import format_time
from console.identity.users import UserService
from data import CollectionSpec, Store

TRAINING = "training"
TRAINING_COLLECTIONS = (CollectionSpec(TRAINING, schema_version=1),)
COURSE_PATTERN = re.compile(r"[A-Za-z0-9._-]{1,64}")


class TrainingError(ConsoleError):
    """A training record that cannot be kept as asked."""


@dataclass(frozen=True)
class TrainingRecord:
    username: str
    course: str
    completed_on: date
    expires_on: date | None
    recorded_by: str
    recorded_at: str

    def current_on(self, today: date) -> bool:
        return self.completed_on <= today and (self.expires_on is None or today < self.expires_on)


def _record_key(username: str, course: str, completed_on: date) -> str:
    return f"{username}/{course}/{completed_on.isoformat()}"


def _from_record(raw: dict) -> TrainingRecord:
    expires = raw.get("expires_on")
    return TrainingRecord(raw["username"], raw["course"], date.fromisoformat(raw["completed_on"]),
                          date.fromisoformat(expires) if expires else None, raw.get("_by", ""),
                          raw.get("_at", ""))


class TrainingService:
    def __init__(self, store: Store, audit: AuditTrail, users: UserService, governance: Governance,
                 clock: Callable[[], datetime]) -> None:
        self.store = store
        self.audit = audit
        self.users = users
        self.governance = governance
        self.clock = clock

    def record(self, actor: Actor, username: str, course: str, completed_on: date,
               expires_on: date | None = None) -> TrainingRecord:
        actor.require(TRAINING_MANAGE)
        user = self.users.get(username)
        course = (course or "").strip()
        if not COURSE_PATTERN.fullmatch(course):
            raise TrainingError(f"{course[:40]!r} is not a valid course name: use letters, digits, '.', '_', '-'")
        today = self.clock().date()
        if completed_on > today:
            raise TrainingError(f"completed on {completed_on} is in the future")
        if expires_on is None:
            known = self.governance.courses.get(course)
            if known is not None and known.valid_days:
                expires_on = completed_on + timedelta(days=known.valid_days)
        if expires_on is not None and expires_on <= completed_on:
            raise TrainingError(f"expires on {expires_on} is not after completed on {completed_on}")
        key = _record_key(user.username, course, completed_on)
        body = {"username": user.username, "course": course, "completed_on": completed_on.isoformat(),
                "expires_on": expires_on.isoformat() if expires_on else None}

        def change(tx: Any) -> AuditNote:
            existing = self.store.get(TRAINING, key)
            if existing is None:
                tx.insert(TRAINING, key, body)
            else:
                tx.update(TRAINING, key, body, expected_version=existing["_v"])
            until = f", expires {expires_on}" if expires_on else ", no expiry"
            return AuditNote("training.record", f"user/{user.username}",
                             f"{course} completed {completed_on}{until}")

        self.audit.apply(actor.name, change)
        return _from_record({**body, "_by": actor.name, "_at": format_time(self.clock())})

    def list(self, actor: Actor, username: str | None = None) -> list[TrainingRecord]:
        """One user's records, or (``None``) everyone's; others' need ``training.manage``."""
        if username is None or username.strip().lower() != actor.name:
            actor.require(TRAINING_MANAGE)
        name = self.users.get(username).username if username is not None else None
        return sorted((r for r in self._records() if name is None or r.username == name),
                      key=lambda r: (r.username, r.course, r.completed_on))

    def _records(self) -> list[TrainingRecord]:
        return [_from_record(raw) for raw in self.store.records(TRAINING)]

    def records_of(self, username: str) -> list[TrainingRecord]:
        prefix = f"{username}/"
        found = (self.store.get(TRAINING, key) for key in self.store.keys(TRAINING) if key.startswith(prefix))
        return [_from_record(raw) for raw in found if raw is not None]

    def current_courses(self, username: str, today: date) -> set[str]:
        return {r.course for r in self.records_of(username) if r.current_on(today)}

    def gaps(self, username: str, permission: str, today: date) -> list[str]:
        """Why ``username``'s training does not allow ``permission`` today ([] when it does)."""
        required = self.governance.policy.courses_for(permission)
        if not required:
            return []
        records = self.records_of(username)
        problems = []
        for course in required:
            mine = [r for r in records if r.course == course]
            if any(r.current_on(today) for r in mine):
                continue
            started = [r for r in mine if r.completed_on <= today]
            if started:
                last = max(started, key=lambda r: r.expires_on or date.max)
                problems.append(f"{course} expired on {last.expires_on}")
            else:
                problems.append(f"{course} not completed")
        return problems
