"""How ``socops post`` prints a post: list rows, the ``show`` page and JSON.

Post text, notes and history come from people and are untrusted: every piece
goes through :mod:`console.untrusted` before it reaches the terminal. The
texts a reviewer decides on (the post, each platform's version, the changes)
are shown with :func:`console.hidden_text.reveal`: a hidden character shows as
``␇`` or ``⟨U+202E⟩``, exactly where it is, instead of being dropped.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from console.policy import CheckResult, Finding
from console.posts import AcknowledgementRequired, PolicyBlocked, Post, StageState
from console.publishing import DELETED, Schedule, TargetSchedule, local_text
from console.hidden_text import reveal
from console.records import format_time
from console.untrusted import one_line


def finding_line(finding: Finding, text: str = "") -> str:
    """``rule_id severity: message — hint``, quoting the offending span (hidden characters shown)."""
    span = ""
    if text and 0 <= finding.start < finding.end <= len(text):
        span = f' "{one_line(reveal(text, finding.start, finding.end), 40)}"'
    line = f"{finding.rule_id} {finding.severity}{span}: {one_line(finding.message, 200)}"
    return line + (f" — {one_line(finding.hint, 200)}" if finding.hint else "")


def text_of(post: Post, finding: Finding) -> str:
    return post.variants.get(finding.platform, "") if finding.platform else post.text


def print_refusal(error: PolicyBlocked | AcknowledgementRequired, post: Post, verb: str) -> int:
    """A refusal by the content policy or the publishing rules, on standard error:
    the reason, each finding on its own line, and (for warnings) how to go on
    anyway. ``verb`` is what was refused ("submit", "schedule"). Returns 1."""
    print(f"socops: error: {error}", file=sys.stderr)
    findings = error.findings if isinstance(error, PolicyBlocked) else error.warnings
    for finding in findings:
        print(f"  {finding_line(finding, text_of(post, finding))}", file=sys.stderr)
    if isinstance(error, AcknowledgementRequired):
        acks = " ".join(f"--ack {rule}" for rule in dict.fromkeys(f.rule_id for f in error.warnings))
        print(f"to {verb} anyway, run the command again with {acks}", file=sys.stderr)
    return 1


def list_row(post: Post) -> str:
    when = format_time(post.proposed_at) or "-"
    return "\t".join((post.id, post.status_label, when, post.risk, ",".join(post.targets), post.author,
                      one_line(post.text, 60)))


def local_times(moment: datetime | None, zones: Mapping[str, str]) -> list[str]:
    """``moment`` in each account's time zone (account id -> IANA name)."""
    if moment is None:
        return []
    shown = []
    for account, zone in zones.items():
        try:
            local = moment.astimezone(ZoneInfo(zone))
        except (ZoneInfoNotFoundError, ValueError):
            continue
        shown.append(f"{account}: {local:%Y-%m-%d %H:%M} {local.tzname()}")
    return shown


def _zone(name: str):
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def target_line(target: TargetSchedule, zone_name: str) -> str:
    """One account of a schedule: its local time with zone, state, attempts, URL or error."""
    parts = [f"{target.account_id}  {local_text(target.at, _zone(zone_name))}  {target.state.replace('_', ' ')}"]
    if target.attempts:
        parts.append(f"attempt{'s' if target.attempts != 1 else ''} {target.attempts}")
    if target.state == DELETED:
        parts.append(f"by {target.deleted_by} at {format_time(target.deleted_at)}")
    if target.url:
        parts.append(one_line(target.url, 200))
    if target.error:
        parts.append(f"— {one_line(target.error, 300)}")
    return "  ".join(parts)


def schedule_lines(schedule: Schedule | None, zones: Mapping[str, str]) -> list[str]:
    if schedule is None:
        return ["schedule  not scheduled"]
    lines = [f"schedule  by {schedule.scheduled_by} at {format_time(schedule.scheduled_at)}, "
             f"revision {schedule.revision}"]
    if schedule.overrides:
        lines.append(f"  overrides {', '.join(schedule.overrides)}: {one_line(schedule.override_note, 200)}")
    if schedule.acknowledged:
        lines.append(f"  acknowledged {', '.join(schedule.acknowledged)}")
    lines += [f"  {target_line(t, zones.get(a, 'UTC'))}" for a, t in schedule.targets.items()]
    return lines


def schedule_json(schedule: Schedule | None) -> dict | None:
    if schedule is None:
        return None
    return {"scheduled_by": schedule.scheduled_by, "scheduled_at": format_time(schedule.scheduled_at),
            "revision": schedule.revision, "overrides": list(schedule.overrides),
            "override_note": schedule.override_note, "acknowledged": list(schedule.acknowledged),
            "targets": [{"account": t.account_id, "at": format_time(t.at), "state": t.state,
                         "attempts": t.attempts, "remote_id": t.remote_id, "url": t.url,
                         "published_at": format_time(t.published_at), "error": t.error,
                         "deleted_by": t.deleted_by, "deleted_at": format_time(t.deleted_at)}
                        for t in schedule.targets.values()]}


def show_lines(post: Post, stages: list[StageState], check: CheckResult, diff: list[str],
               zones: Mapping[str, str], schedule: Schedule | None = None) -> list[str]:
    risk = post.risk + (f" ({', '.join(post.risk_reasons)})" if post.risk_reasons else "")
    lines = [f"{post.id}  {post.status_label}  revision {post.revision}  risk {risk}  version {post.version}",
             f"authors   {', '.join(post.authors)}",
             f"targets   {', '.join(post.targets)}",
             f"proposed  {format_time(post.proposed_at) or '-'}"]
    lines += [f"          {line}" for line in local_times(post.proposed_at, zones)]
    if post.tags or post.assets:
        lines.append(f"tags      {', '.join(post.tags) or '-'}   images {', '.join(post.assets) or '-'}")
    lines += schedule_lines(schedule, zones)
    if post.route is not None:
        lines.append(f"route     {post.route.name}: {post.route.describe()}")
        for state in stages:
            by = f"  approved by {', '.join(state.approved_by)}" if state.approved_by else ""
            lines.append(f"  {state.number} {state.state:<8} {state.stage.describe()}{by}".rstrip())
    lines.append("findings" + ("  none" if not check.findings else ""))
    lines += [f"  {finding_line(f, text_of(post, f))}" for f in check.findings]
    for ack in post.acknowledgements:
        lines.append(f"  acknowledged {', '.join(ack.rules)} by {ack.by} on revision {ack.revision}")
    counters = {c.platform: c for c in check.counters}
    lines.append("text")
    lines += [f"  {line}" for line in reveal(post.text).splitlines()]
    for platform, counter in counters.items():
        variant = post.variants.get(platform)
        over = "  OVER THE LIMIT" if counter.over else ""
        lines.append(f"{platform}  {counter.used}/{counter.limit} {counter.unit}{over}"
                     + ("" if variant else "  (the main text)"))
        if variant:
            lines += [f"  {line}" for line in reveal(variant).splitlines()]
    if diff:
        lines.append("changes since the revision last approved or seen")
        lines += [f"  {reveal(line)}" for line in diff]
    lines.append("history")
    for entry in post.history:
        note = f": {one_line(entry.note, 200)}" if entry.note else ""
        lines.append(f"  {format_time(entry.at)}  {entry.by}  {entry.action}{note}")
    return lines


def post_json(post: Post, stages: list[StageState] | None = None, check: CheckResult | None = None,
              diff: list[str] | None = None) -> dict:
    data = {
        "id": post.id, "status": post.status, "status_label": post.status_label, "author": post.author,
        "authors": list(post.authors), "targets": list(post.targets), "text": post.text,
        "variants": dict(post.variants), "tags": list(post.tags), "assets": list(post.assets),
        "proposed_at": format_time(post.proposed_at), "revision": post.revision, "risk": post.risk,
        "risk_reasons": list(post.risk_reasons), "version": post.version,
        "route": None if post.route is None else {"name": post.route.name, "stages": [
            {"role": s.role, "mode": s.mode} for s in post.route.stages]},
        "stage": post.stage,
        "approvals": [{"stage": a.stage, "by": a.by, "at": format_time(a.at), "revision": a.revision,
                       "note": a.note} for a in post.approvals],
        "acknowledgements": [{"rules": list(a.rules), "by": a.by, "at": format_time(a.at),
                              "revision": a.revision} for a in post.acknowledgements],
        "approved_at": format_time(post.approved_at),
        "created_at": format_time(post.created_at),
    }
    if stages is not None:
        data["stages"] = [{"number": s.number, "role": s.stage.role, "mode": s.stage.mode, "state": s.state,
                           "approved_by": list(s.approved_by)} for s in stages]
    if check is not None:
        data["findings"] = [f.to_dict() for f in check.findings]
        data["counters"] = [{"platform": c.platform, "used": c.used, "limit": c.limit, "unit": c.unit}
                            for c in check.counters]
    if diff is not None:
        data["diff"] = diff
        data["revisions"] = [{"number": r.number, "text": r.text, "variants": dict(r.variants), "by": r.by,
                              "at": format_time(r.at)} for r in post.revisions]
        data["history"] = [{"at": format_time(h.at), "by": h.by, "action": h.action, "note": h.note}
                           for h in post.history]
    return data
