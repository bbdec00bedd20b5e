"""The publishing rules applied to one post at its times: blackouts, spacing,
duplicates and holds. Findings are the content policy's :class:`Finding`
(rule id, severity, message, hint), so they are shown and acknowledged the
same way; an error blocks scheduling (and publishing), a warning needs an
acknowledgement.

Pure functions of what the service gathers: the policy, each target's time,
zone and region, and the account's other posts.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from console.policy import ERROR, Finding
from console.publishing.model import (RULE_BLACKOUT, RULE_DUPLICATE, RULE_HOLD, RULE_SPACING, PublishingPolicy)
from console.publishing.records import Hold


@dataclass(frozen=True)
class PlannedTarget:
    """One account of the post being checked, at the time it would go out."""

    account_id: str
    handle: str
    region: str
    zone: tzinfo
    at: datetime
    text: str


@dataclass(frozen=True)
class OtherPost:
    """Another post on the same account, scheduled or published."""

    post_id: str
    account_id: str
    at: datetime
    text: str


def same_text(a: str, b: str) -> bool:
    """Texts that read the same: Unicode-normalised, case and spacing ignored."""
    return _normal(a) == _normal(b)


def _normal(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def local_text(moment: datetime, zone: tzinfo) -> str:
    local = moment.astimezone(zone)
    return f"{local:%a %Y-%m-%d %H:%M} {local.tzname() or ''}".rstrip()


def blackout_findings(policy: PublishingPolicy, target: PlannedTarget,
                      overridden: Iterable[str] = ()) -> list[Finding]:
    overridden = set(overridden)
    found = []
    for blackout in policy.blackouts:
        if blackout.id in overridden or not blackout.applies_to(target.account_id, target.region):
            continue
        if blackout.covers(target.at, target.zone):
            roles = ", ".join(policy.override_roles) or "nobody (the file names no override_roles)"
            found.append(Finding(
                RULE_BLACKOUT, blackout.severity,
                f"{target.handle} at {local_text(target.at, target.zone)} falls in blackout "
                f"{blackout.id!r} ({blackout.describe()}): {blackout.reason}",
                f"pick a time outside it; or override it with a note (roles: {roles})"))
    return found


def spacing_findings(policy: PublishingPolicy, target: PlannedTarget, others: Sequence[OtherPost]) -> list[Finding]:
    if not policy.min_spacing_minutes:
        return []
    spacing = timedelta(minutes=policy.min_spacing_minutes)
    near = sorted((other for other in others if other.account_id == target.account_id
                   and abs(other.at - target.at) < spacing), key=lambda other: abs(other.at - target.at))
    if not near:
        return []
    other = near[0]
    gap = abs(other.at - target.at)
    side = "before" if other.at <= target.at else "after"
    minutes = int(gap.total_seconds() // 60)
    return [Finding(
        RULE_SPACING, policy.spacing_severity,
        f"{target.handle}: {other.post_id} goes out at {local_text(other.at, target.zone)}, {minutes} min {side}; "
        f"posts on one account are at least {policy.min_spacing_minutes} min apart",
        f"pick a time at least {policy.min_spacing_minutes} min from {other.post_id}, or the next free slot")]


def duplicate_findings(policy: PublishingPolicy, target: PlannedTarget, others: Sequence[OtherPost]) -> list[Finding]:
    if not policy.duplicate_days:
        return []
    window = timedelta(days=policy.duplicate_days)
    for other in others:
        if other.account_id == target.account_id and abs(other.at - target.at) <= window \
                and same_text(other.text, target.text):
            return [Finding(
                RULE_DUPLICATE, policy.duplicate_severity,
                f"{target.handle}: the same text as {other.post_id} ({local_text(other.at, target.zone)}), "
                f"within {policy.duplicate_days} days",
                "platforms and followers treat repeats as spam; change the wording, or acknowledge it")]
    return []


def hold_findings(holds: Sequence[Hold], target: PlannedTarget) -> list[Finding]:
    for hold in holds:
        if hold.active and hold.applies_to(target.account_id, target.region):
            return [Finding(RULE_HOLD, ERROR, f"{target.handle}: publishing is held: {hold.describe()}",
                            f"it goes out once the hold is released (`socops publishing release {hold.id}`)")]
    return []


def schedule_findings(policy: PublishingPolicy, targets: Sequence[PlannedTarget], others: Sequence[OtherPost],
                      overridden: Iterable[str] = ()) -> list[Finding]:
    """What scheduling ``targets`` at their times finds (holds are not checked:
    a post may be scheduled during a hold and wait for its release)."""
    overridden = tuple(overridden)
    found: list[Finding] = []
    for target in targets:
        found += blackout_findings(policy, target, overridden)
        found += spacing_findings(policy, target, others)
        found += duplicate_findings(policy, target, others)
    return found
