"""``socops policy check [FILE]``: validate a governance file and point at each mistake.

It changes nothing, so it needs no login: it can run on a copy before it
replaces the file in force. Problems print like a compiler's (``FILE:LINE:
message``) so editors can jump to them. A valid file is then held against
the workspace's people (read from its store, when there is one): account
owners who are not users and roles that approval stages wait for but nobody
holds are warnings (``FILE:LINE: warning: ...``), not problems.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from console.cli import common
from console.cli.common import CommandFailed, print_json
from console.errors import ConsoleError
from console.policy import ContentPolicy, PolicyProblem
from console.governance import GOVERNANCE_FILE, GovernancePolicy, check_governance_text
from console.paths import workspace_paths
from data import StoreError


def register(commands: argparse._SubParsersAction) -> None:
    policy = commands.add_parser("policy", help="check the governance file (governance.toml)")
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    check = actions.add_parser("check", help="validate a governance file and list every problem with its line")
    check.add_argument("file", nargs="?", type=Path,
                       help=f"the file to check (default: the workspace's {GOVERNANCE_FILE})")
    check.add_argument("--json", action="store_true", help="print the result as one JSON object")
    check.set_defaults(handler=check_policy)


def check_policy(args: argparse.Namespace) -> int:
    path = args.file or workspace_paths().config_dir / GOVERNANCE_FILE
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        hint = ("the console writes a commented example on its first run"
                if args.file is None else "check the path")
        raise CommandFailed(f"no governance file at {path}; {hint}") from None
    except (OSError, UnicodeDecodeError) as error:
        raise CommandFailed(f"cannot read {path}: {error}") from None
    policy, problems = check_governance_text(text, path)
    warnings, unchecked = staffing(policy, text) if policy else ([], "")
    if args.json:
        print_json({"ok": not problems, "file": str(path),
                    "problems": [{"line": p.line, "message": p.message} for p in problems],
                    "warnings": [{"line": w.line, "message": w.message} for w in warnings],
                    "people_not_checked": unchecked or None,
                    "summary": summary(policy) if policy else None})
        return 1 if problems else 0
    for problem in problems:
        print(_located(path, problem))
    if problems:
        count = f"{len(problems)} problem" + ("s" if len(problems) > 1 else "")
        print(f"socops: {count} in {path}; a running console keeps its last good version until they are fixed",
              file=sys.stderr)
        return 1
    for warning in warnings:
        print(_located(path, warning, "warning: "))
    if unchecked:
        print(f"{path}: note: {unchecked}")
    print_summary(path, policy)
    return 0


def _located(path: Path, problem: PolicyProblem, kind: str = "") -> str:
    return f"{path}:{problem.line}: {kind}{problem.message}" if problem.line else f"{path}: {kind}{problem.message}"


def staffing(policy: GovernancePolicy, text: str) -> tuple[list[PolicyProblem], str]:
    """What ``policy`` names that the workspace lacks (people, roles), or why that
    could not be checked."""
    paths = workspace_paths()
    if not paths.store_dir.exists():
        return [], f"no workspace at {paths.store_dir} yet, so account owners and approval roles were not " \
                   "checked against its people"
    try:
        with common.open_workspace() as workspace:
            return workspace.staffing_warnings(policy, text), ""
    except (ConsoleError, StoreError, OSError) as error:
        return [], f"account owners and approval roles were not checked against the workspace's people: {error}"


def summary(policy: GovernancePolicy) -> dict:
    """What the file sets up, for scripts (``--json``)."""
    content = policy.content
    return {
        "version": policy.version,
        "roles": sorted(policy.roles.roles),
        "accounts": [{"account_id": a.account_id, "owner": a.owner, "region": a.region}
                     for a in content.accounts.values()],
        "banned_phrases": len(content.brand.banned),
        "forbidden_hashtags": len(content.brand.forbidden_hashtags),
        "disclosure_rules": len(content.disclosure),
        "regions": {name: {"banned_phrases": len(rules.banned), "requirements": len(rules.requirements)}
                    for name, rules in content.regions.items()},
        "risk_topics": {topic.id: topic.level for topic in content.risk_topics},
        "routes": [{"name": route.name, "stages": route.describe(), "risk": list(route.risk),
                    "regions": list(route.regions), "accounts": list(route.accounts), "named_only": route.named_only}
                   for route in content.approval.routes],
        "approval_valid_hours": content.approval.approval_valid_hours,
        "bulk_risk": list(content.approval.bulk_risk),
        "crisis": {
            "levels": [{"severity": level.number, "name": level.name, "declare_roles": list(level.declare_roles),
                        "freeze": level.freeze, "responders": list(level.responders),
                        "runbook_steps": len(level.runbook)} for level in policy.crisis.levels.values()],
            "playbooks": [{"id": playbook.id, "title": playbook.title,
                           "holding_statement_tags": list(playbook.holding_statement_tags),
                           "runbook_steps": len(playbook.runbook)} for playbook in policy.crisis.playbooks.values()],
            "approval_route": policy.crisis.approval_route,
            "confirm_roles": list(policy.crisis.confirm_roles),
        },
    }


def print_summary(path: Path, policy: GovernancePolicy) -> None:
    content: ContentPolicy = policy.content
    print(f"{path}: ok, version {policy.version}")
    accounts = ", ".join(f"{a.account_id} ({a.region or 'no region'}, owner {a.owner or 'none'})"
                         for a in content.accounts.values())
    print(f"accounts: {accounts or 'none listed'}")
    print(f"brand: {_count(len(content.brand.banned), 'banned phrase')}, "
          f"{_count(len(content.brand.forbidden_hashtags), 'forbidden hashtag')}, "
          f"{_count(len(content.brand.required_hashtags), 'required hashtag')}")
    print(f"disclosure: {_count(len(content.disclosure), 'rule')}")
    regions = ", ".join(f"{name} ({_count(len(rules.banned), 'banned phrase')}, "
                        f"{_count(len(rules.requirements), 'requirement')})"
                        for name, rules in content.regions.items())
    print(f"regions: {regions or 'none'}")
    topics = ", ".join(f"{topic.id} ({topic.level})" for topic in content.risk_topics)
    print(f"risk topics: {topics or 'none (every post is low risk)'}")
    approval = content.approval
    hours = (f"approvals count for {approval.approval_valid_hours} hours"
             if approval.approval_valid_hours else "approvals never expire")
    print(f"approval routes ({hours}; bulk approval for {', '.join(approval.bulk_risk) or 'no'} risk):")
    for route in approval.routes:
        conditions = "; ".join(f"{key} {', '.join(values)}" for key, values in
                               (("risk", route.risk), ("regions", route.regions), ("accounts", route.accounts))
                               if values)
        if route.named_only:
            conditions = "named only"
        print(f"  {route.name}" + (f" ({conditions})" if conditions else "") + f": {route.describe()}")
    print_crisis(policy)


def print_crisis(policy: GovernancePolicy) -> None:
    plan = policy.crisis
    if not plan.levels:
        print("crisis plan: none ([crisis] has no levels; `socops crisis declare` refuses until it has)")
        return
    print(f"crisis plan (holding statements take route {plan.approval_route or 'of their content'!r}; "
          f"two people unfreeze and resolve, confirmed by {', '.join(plan.confirm_roles)}):")
    for level in plan.levels.values():
        freeze = {"none": "no freeze", "affected": "freezes the affected accounts", "all": "freezes every account"}
        responders = f"; only {', '.join(level.responders)} reply" if level.responders else ""
        print(f"  level {level.label}: declared by {', '.join(level.declare_roles)}; {freeze[level.freeze]}"
              f"{responders}; {_count(len(level.runbook), 'runbook step')}")
    for playbook in plan.playbooks.values():
        tags = ", ".join(playbook.holding_statement_tags) or "none"
        print(f"  playbook {playbook.id} ({playbook.title}): {_count(len(playbook.runbook), 'runbook step')}; "
              f"holding statements tagged {tags}")


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" + ("" if number == 1 else "s")
