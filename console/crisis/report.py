"""The post-mortem of a crisis: what happened and how fast, as a plain dict
(``socops crisis report --format json``) and as Markdown.

It says: the timeline; the time to freeze and to the first holding statement
published; the posts held and missed (and what became of each missed one);
the replies sent on the affected accounts, and by whom; the runbook steps
done, late, skipped and left open; and the participants.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from console.crisis.records import STEP_DONE, STEP_NA, STEP_OPEN, Crisis, MissedTarget
from console.crisis.timeline import REPLY, TimelineEntry, participants
from console.publishing import Hold, Schedule
from console.records import format_time
from console.untrusted import one_line


def build_report(crisis: Crisis, entries: Sequence[TimelineEntry], holds: Mapping[str, Hold],
                 schedule_of: Callable[[str], Schedule | None], now: datetime) -> dict:
    """The report of ``crisis`` (an active one gets an interim report, as of ``now``)."""
    end = crisis.resolved_at or now
    freezes = [holds[h] for h in crisis.holds if h in holds]
    first_freeze = min((hold.at for hold in freezes if hold.at), default=None)
    published = [at for statement in crisis.statements for at in _published_at(schedule_of(statement.post_id))]
    first_statement = min(published, default=None)
    replies = [entry for entry in entries if entry.kind == REPLY and entry.text.startswith("reply sent")]
    steps = [{"id": step.id, "title": step.title, "owner": step.owner, "due_at": format_time(step.due_at),
              "state": step.state, "by": step.by, "at": format_time(step.at), "note": step.note,
              "late": step.late, "overdue": step.state == STEP_OPEN and end > step.due_at}
             for step in crisis.steps]
    return {
        "crisis": {
            "id": crisis.id, "severity": crisis.severity, "level": crisis.level, "title": crisis.title,
            "reason": crisis.reason, "accounts": list(crisis.accounts), "regions": list(crisis.regions),
            "scope": crisis.scope, "playbook": crisis.playbook, "playbook_title": crisis.playbook_title,
            "state": crisis.state, "declared_by": crisis.declared_by, "declared_at": format_time(crisis.declared_at),
            "resolved_at": format_time(crisis.resolved_at), "resolved_by": crisis.resolved_by,
            "resolve_confirmed_by": crisis.resolve_confirmed_by, "resolve_note": crisis.resolve_note,
            "duration_seconds": int(crisis.elapsed(now).total_seconds()),
        },
        "as_of": format_time(now),
        "time_to_freeze_seconds": _seconds(first_freeze - crisis.declared_at) if first_freeze else None,
        "time_to_first_statement_seconds": (_seconds(first_statement - crisis.declared_at)
                                            if first_statement else None),
        "posts": {
            "held": sum(hold.scheduled + hold.due for hold in freezes),
            "held_scheduled": sum(hold.scheduled for hold in freezes),
            "held_publish_now": sum(hold.due for hold in freezes),
            "in_flight_at_freeze": [{"post_id": t.post_id, "account_id": t.account_id,
                                     "claimed_at": format_time(t.claimed_at)}
                                    for hold in freezes for t in hold.in_flight],
            "missed": [_missed(missed, schedule_of(missed.post_id)) for missed in crisis.missed],
        },
        "holds": [{"id": hold.id, "scope": hold.scope, "by": hold.by, "at": format_time(hold.at),
                   "released_by": hold.released_by, "released_at": format_time(hold.released_at)}
                  for hold in freezes],
        "statements": [{"post_id": s.post_id, "asset_id": s.asset_id, "accounts": list(s.accounts), "by": s.by,
                        "at": format_time(s.at), "released_at": format_time(s.released_at),
                        "published_at": format_time(min(_published_at(schedule_of(s.post_id)), default=None)),
                        "problem": s.problem} for s in crisis.statements],
        "replies": {
            "sent": len(replies),
            "by": dict(sorted(Counter(entry.who for entry in replies).items())),
            "held_at_freeze": crisis.held_replies,
        },
        "runbook": {
            "done": sum(1 for step in crisis.steps if step.state == STEP_DONE),
            "late": sum(1 for step in crisis.steps if step.late),
            "skipped": sum(1 for step in crisis.steps if step.state == STEP_NA),
            "open": sum(1 for step in crisis.steps if step.state == STEP_OPEN),
            "steps": steps,
        },
        "participants": sorted(set(participants(entries)) | {crisis.declared_by}),
        "timeline": [{"at": format_time(entry.at), "who": entry.who, "kind": entry.kind, "text": entry.text}
                     for entry in entries],
    }


def _published_at(schedule: Schedule | None) -> list[datetime]:
    if schedule is None:
        return []
    return [target.published_at for target in schedule.targets.values() if target.published_at]


def _missed(missed: MissedTarget, schedule: Schedule | None) -> dict:
    """A missed post and what became of it since."""
    target = schedule.targets.get(missed.account_id) if schedule else None
    if target is None:
        fate = "dropped"
    elif target.state == "missed":
        fate = "still missed: reschedule it or drop it"
    elif target.state == "published":
        fate = f"published at {format_time(target.published_at)} (rescheduled)"
    elif target.at != missed.at:
        fate = f"rescheduled for {format_time(target.at)}"
    else:
        fate = target.state.replace("_", " ")
    return {"post_id": missed.post_id, "account_id": missed.account_id, "was_due_at": format_time(missed.at),
            "now": fate}


def _seconds(delta: timedelta) -> int:
    return max(int(delta.total_seconds()), 0)


def duration_text(seconds: int | None) -> str:
    if seconds is None:
        return "never"
    minutes, second = divmod(seconds, 60)
    hours, minute = divmod(minutes, 60)
    return f"{hours} h {minute:02d} min" if hours else f"{minute} min {second:02d} s"


def report_markdown(report: dict) -> str:
    """The report as Markdown (every text from people or platforms on one line, as plain text)."""
    crisis = report["crisis"]
    lines = [f"# Crisis {crisis['id']}: {_md(crisis['title'])}", "",
             f"- Level: {crisis['severity']} {crisis['level']}",
             f"- Scope: {_md(crisis['scope'])}" + (f"; playbook {crisis['playbook']} ({_md(crisis['playbook_title'])})"
                                                   if crisis["playbook"] else ""),
             f"- Reason: {_md(crisis['reason'])}",
             f"- Declared by {crisis['declared_by']} at {crisis['declared_at']}",
             (f"- Resolved at {crisis['resolved_at']}: asked by {crisis['resolved_by']}, confirmed by "
              f"{crisis['resolve_confirmed_by']}" + (f" ({_md(crisis['resolve_note'])})" if crisis['resolve_note']
                                                     else "")
              if crisis["resolved_at"] else f"- Still active (interim report as of {report['as_of']})"),
             f"- Duration: {duration_text(crisis['duration_seconds'])}", "",
             "## Response times", "",
             f"- Time to freeze: {duration_text(report['time_to_freeze_seconds'])}",
             f"- Time to the first holding statement: {duration_text(report['time_to_first_statement_seconds'])}",
             "", "## Posts", ""]
    posts = report["posts"]
    lines.append(f"- Held by the freeze: {posts['held']} ({posts['held_scheduled']} scheduled, "
                 f"{posts['held_publish_now']} publish-now)")
    for flight in posts["in_flight_at_freeze"]:
        lines.append(f"- Already being sent at the freeze: {flight['post_id']} on {flight['account_id']} "
                     f"(claimed at {flight['claimed_at']})")
    lines.append(f"- Missed their time: {len(posts['missed'])}")
    lines += [f"  - {m['post_id']} on {m['account_id']}, due {m['was_due_at']}: {m['now']}" for m in posts["missed"]]
    if report["statements"]:
        lines += ["", "## Holding statements", ""]
        lines += [f"- {s['post_id']} from {s['asset_id']} to {', '.join(s['accounts'])} by {s['by']} at {s['at']}: "
                  + (f"published at {s['published_at']}" if s["published_at"] else
                     (f"not sent: {_md(s['problem'])}" if s["problem"] else "not published"))
                  for s in report["statements"]]
    replies = report["replies"]
    lines += ["", "## Replies", "", f"- Sent on the affected accounts: {replies['sent']}"]
    lines += [f"  - {name}: {count}" for name, count in replies["by"].items()]
    lines.append(f"- Held at the freeze (not from a responder): {replies['held_at_freeze']}")
    runbook = report["runbook"]
    lines += ["", "## Runbook", "",
              f"- Done: {runbook['done']} (late: {runbook['late']}); not applicable: {runbook['skipped']}; "
              f"open: {runbook['open']}", "",
              "| step | owner | due | state | by | at | note |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for step in runbook["steps"]:
        state = step["state"] + (" (late)" if step["late"] else "") + (" (overdue)" if step["overdue"] else "")
        lines.append(f"| {step['id']} {_cell(step['title'])} | {_cell(step['owner'])} | {step['due_at']} | {state} "
                     f"| {step['by'] or '-'} | {step['at'] or '-'} | {_cell(step['note']) or '-'} |")
    lines += ["", "## Participants", "", ", ".join(report["participants"]) or "-", "", "## Timeline", ""]
    lines += [f"- {entry['at']} {entry['who'] or '-'} [{entry['kind']}] {_md(entry['text'])}"
              for entry in report["timeline"]]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return one_line(text or "", 500)


def _cell(text: str) -> str:
    return one_line(text or "", 200).replace("|", "\\|")
