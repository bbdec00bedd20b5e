"""Reading the content sections of ``governance.toml`` into a :class:`ContentPolicy`.

The sections are ``[accounts]``, ``[brand]``, ``[[disclosure]]``,
``[accessibility]``, ``[privacy]``, ``[hidden_characters]``, ``[regions]``,
``[risk]`` and ``[approval]``; the shipped ``governance.example.toml`` documents every key.
A person edits this file by hand, so the parser collects *every* problem
(not just the first), each with the line it is on (found by
:class:`~console.toml_locator.TomlLocator`), and says what would be valid.
An entry with a problem is left out of the policy; the caller must not put a
policy with problems in force.
"""

from __future__ import annotations

import re

from console.policy.model import (
    ACCOUNT_OWNER, ERROR, RISK_LEVELS, STAGE_MODES, AccessibilityRules, AccountPolicy, ApprovalRules, BannedPhrase,
    BrandVoice, ContentPolicy, DisclosureRule, HiddenCharacterRules, PrivacyRules, RegionRequirement, RegionRules, RiskTopic, Route,
    Stage,
)
from console.errors import ConfigError
from console.permissions import POST_APPROVE, RoleBook
from console.policy.reader import Locate, PolicyProblem, Problems, TableReader, hashtag, one_of, section_name
from console.toml_locator import TomlLocator

__all__ = ["CONTENT_SECTIONS", "PolicyProblem", "Problems", "TomlLocator", "parse_content_policy"]

#: The top-level sections of governance.toml that this module reads.
CONTENT_SECTIONS = ("accounts", "brand", "disclosure", "accessibility", "privacy", "hidden_characters",
                    "regions", "risk", "approval")

_RULE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]*\Z")


# -- the sections -------------------------------------------------------------------------------
def parse_content_policy(raw: dict, locate: Locate, *, roles: RoleBook | None = None,
                         problems: Problems | None = None) -> ContentPolicy:
    """Build the content policy from the parsed file ``raw``.

    ``locate`` maps a key path to its line (``TomlLocator(text).line_of``);
    ``roles`` are the roles an approval stage may name (built-in plus the
    file's custom roles). Problems go to ``problems``; without it the first
    problem raises :class:`ConfigError`.
    """
    collected = problems if problems is not None else Problems(locate)
    read = TableReader(collected)
    roles = roles or RoleBook()
    ids: dict[str, tuple] = {}      # rule id -> path of its first use (one namespace per file)
    accounts = _accounts(read, raw.get("accounts", {}))
    policy = ContentPolicy(
        accounts=accounts,
        brand=_brand(read, raw.get("brand", {})),
        disclosure=_disclosure(read, raw.get("disclosure", []), ids),
        accessibility=_accessibility(read, raw.get("accessibility", {})),
        privacy=_privacy(read, raw.get("privacy", {})),
        hidden=_hidden_characters(read, raw.get("hidden_characters", {})),
        regions=_regions(read, raw.get("regions", {}), ids),
        risk_topics=_risk(read, raw.get("risk", {}), ids),
        approval=_approval(read, raw.get("approval", {}), accounts, _known_regions(raw), roles),
    )
    if problems is None and collected.found:
        first = collected.found[0]
        raise ConfigError(f"line {first.line}: {first.message}" if first.line else first.message)
    return policy


def _accounts(read: TableReader, raw: object) -> dict[str, AccountPolicy]:
    if not isinstance(raw, dict):
        read.add(("accounts",), '[accounts] must hold one table per account, e.g. [accounts."sandbox:northwind_en"]')
        return {}
    accounts = {}
    for account_id, table in raw.items():
        path = ("accounts", account_id)
        header = f"[{section_name(path)}]"
        table = read.table(table, path, ("owner", "region", "required_hashtags"), header)
        accounts[account_id] = AccountPolicy(
            account_id, owner=read.text(table, path, "owner", header), region=read.text(table, path, "region", header),
            required_hashtags=read.hashtags(table, path, "required_hashtags", header))
    return accounts


def _banned(read: TableReader, value: object, path: tuple) -> tuple[BannedPhrase, ...]:
    """``[[brand.banned]]``-shaped entries: ``phrase`` (or ``tag``), ``reason``, ``severity``."""
    key = "tag" if path[-1] == "forbidden_hashtags" else "phrase"
    header = f"[[{section_name(path)}]]"
    phrases: list[BannedPhrase] = []
    seen: set[str] = set()
    for entry_path, entry in read.entries(value, path, header):
        entry = read.table(entry, entry_path, (key, "reason", "severity"), header)
        phrase = read.text(entry, entry_path, key, header, required=True)
        reason = read.text(entry, entry_path, "reason", header, required=True)
        severity = read.severity(entry, entry_path, header, ERROR)
        if key == "tag" and phrase and hashtag(phrase) is None:
            read.add(entry_path + (key,), f"{header} tag = {phrase!r} is not a hashtag; write one word")
            continue
        phrase = hashtag(phrase) if key == "tag" and phrase else phrase
        if phrase and phrase.casefold() in seen:
            read.add(entry_path + (key,), f"{header} {key} {phrase!r} is listed twice; keep one entry")
        elif phrase and reason:
            seen.add(phrase.casefold())
            phrases.append(BannedPhrase(phrase, reason, severity))
    return tuple(phrases)


def _brand(read: TableReader, raw: object) -> BrandVoice:
    path = ("brand",)
    table = read.table(raw, path, ("required_hashtags", "banned", "forbidden_hashtags"), "[brand]")
    return BrandVoice(
        banned=_banned(read, table.get("banned", []), path + ("banned",)),
        required_hashtags=read.hashtags(table, path, "required_hashtags", "[brand]"),
        forbidden_hashtags=_banned(read, table.get("forbidden_hashtags", []), path + ("forbidden_hashtags",)))


def _rule_id(read: TableReader, entry: dict, path: tuple, header: str, ids: dict[str, tuple]) -> str:
    rule_id = read.text(entry, path, "id", header, required=True)
    if not rule_id:
        return ""
    if not _RULE_ID.match(rule_id):
        read.add(path + ("id",), f"{header} id = {rule_id!r} is not valid; use letters, digits, '-', '_' or '.'")
        return ""
    if rule_id in ids:
        first = read.problems.locate(ids[rule_id])
        read.add(path + ("id",), f"{header} id {rule_id!r} is already used"
                 + (f" on line {first}" if first else "") + "; every rule needs its own id")
        return ""
    ids[rule_id] = path + ("id",)
    return rule_id


def _disclosure(read: TableReader, raw: object, ids: dict[str, tuple]) -> tuple[DisclosureRule, ...]:
    header = "[[disclosure]]"
    rules = []
    for path, entry in read.entries(raw, ("disclosure",), header):
        entry = read.table(entry, path, ("id", "when_tags", "require_any", "message", "severity"), header)
        rule = DisclosureRule(
            id=_rule_id(read, entry, path, header, ids),
            when_tags=read.words(entry, path, "when_tags", header, required=True),
            require_any=read.words(entry, path, "require_any", header, required=True),
            message=read.text(entry, path, "message", header),
            severity=read.severity(entry, path, header, ERROR))
        if rule.id and rule.when_tags and rule.require_any:
            rules.append(rule)
    return tuple(rules)


def _accessibility(read: TableReader, raw: object) -> AccessibilityRules:
    path, header, defaults = ("accessibility",), "[accessibility]", AccessibilityRules()
    table = read.table(raw, path, ("alt_text_required", "max_hashtags", "camel_case_hashtags", "no_all_caps",
                                   "all_caps_min_words", "severity"), header)
    return AccessibilityRules(
        alt_text_required=read.flag(table, path, "alt_text_required", header, defaults.alt_text_required),
        max_hashtags=read.number(table, path, "max_hashtags", header, defaults.max_hashtags, minimum=0,
                                 off="no limit"),
        camel_case_hashtags=read.flag(table, path, "camel_case_hashtags", header, defaults.camel_case_hashtags),
        no_all_caps=read.flag(table, path, "no_all_caps", header, defaults.no_all_caps),
        all_caps_min_words=read.number(table, path, "all_caps_min_words", header, defaults.all_caps_min_words,
                                       minimum=2),
        severity=read.severity(table, path, header, defaults.severity))


def _privacy(read: TableReader, raw: object) -> PrivacyRules:
    path, header, defaults = ("privacy",), "[privacy]", PrivacyRules()
    table = read.table(raw, path, ("emails", "phone_numbers", "order_numbers", "order_number_pattern",
                                   "severity"), header)
    pattern = read.text(table, path, "order_number_pattern", header, default=defaults.order_number_pattern)
    if not read.compiles(pattern, path + ("order_number_pattern",), f"{header} order_number_pattern"):
        pattern = defaults.order_number_pattern
    return PrivacyRules(
        emails=read.flag(table, path, "emails", header, defaults.emails),
        phone_numbers=read.flag(table, path, "phone_numbers", header, defaults.phone_numbers),
        order_numbers=read.flag(table, path, "order_numbers", header, defaults.order_numbers),
        order_number_pattern=pattern,
        severity=read.severity(table, path, header, defaults.severity))


def _hidden_characters(read: TableReader, raw: object) -> HiddenCharacterRules:
    """Bidirectional controls and invisible characters: warnings, or errors.
    Control characters are errors whatever the file says, so there is no key for them."""
    path, header, defaults = ("hidden_characters",), "[hidden_characters]", HiddenCharacterRules()
    table = read.table(raw, path, ("bidi", "invisible"), header)
    return HiddenCharacterRules(bidi=read.severity(table, path, header, defaults.bidi, key="bidi"),
                                invisible=read.severity(table, path, header, defaults.invisible, key="invisible"))


def _regions(read: TableReader, raw: object, ids: dict[str, tuple]) -> dict[str, RegionRules]:
    if not isinstance(raw, dict):
        read.add(("regions",), "[regions] must hold one table per region, e.g. [regions.EU]")
        return {}
    regions = {}
    for region, table in raw.items():
        path = ("regions", region)
        table = read.table(table, path, ("banned", "require"), f"[{section_name(path)}]")
        requirements = []
        header = f"[[{section_name(path + ('require',))}]]"
        for entry_path, entry in read.entries(table.get("require", []), path + ("require",), header):
            entry = read.table(entry, entry_path, ("id", "when_tags", "require_text", "message", "severity"), header)
            requirement = RegionRequirement(
                id=_rule_id(read, entry, entry_path, header, ids),
                when_tags=read.words(entry, entry_path, "when_tags", header),
                require_text=read.text(entry, entry_path, "require_text", header, required=True),
                message=read.text(entry, entry_path, "message", header, required=True),
                severity=read.severity(entry, entry_path, header, ERROR))
            if requirement.id and requirement.require_text and requirement.message:
                requirements.append(requirement)
        regions[region] = RegionRules(region, banned=_banned(read, table.get("banned", []), path + ("banned",)),
                                      requirements=tuple(requirements))
    return regions


def _risk(read: TableReader, raw: object, ids: dict[str, tuple]) -> tuple[RiskTopic, ...]:
    table = read.table(raw, ("risk",), ("topics",), "[risk]")
    header = "[[risk.topics]]"
    topics = []
    for path, entry in read.entries(table.get("topics", []), ("risk", "topics"), header):
        entry = read.table(entry, path, ("id", "level", "words", "patterns", "tags"), header)
        level = entry.get("level")
        if "level" not in entry:
            read.add(path, f'{header} needs level = "..." ({one_of(RISK_LEVELS)})')
        elif level not in RISK_LEVELS:
            read.add(path + ("level",), f"{header} level = {level!r} is not valid; use {one_of(RISK_LEVELS)}")
        topic = RiskTopic(id=_rule_id(read, entry, path, header, ids), level=level,
                          words=read.words(entry, path, "words", header),
                          patterns=read.patterns(entry, path, "patterns", header),
                          tags=read.words(entry, path, "tags", header))
        if not any(key in entry for key in ("words", "patterns", "tags")):
            read.add(path, f"{header} {topic.id or 'entry'} has nothing to look for; give words, patterns or tags")
        elif topic.id and level in RISK_LEVELS:
            topics.append(topic)
    return tuple(topics)


def _known_regions(raw: dict) -> set[str]:
    """Regions the file names elsewhere: for catching 'Eu' in a route that means 'EU'."""
    known = set(raw.get("regions", {})) if isinstance(raw.get("regions"), dict) else set()
    accounts = raw.get("accounts", {})
    for table in accounts.values() if isinstance(accounts, dict) else ():
        if isinstance(table, dict) and isinstance(table.get("region"), str):
            known.add(table["region"].strip())
    return known


def _approval(read: TableReader, raw: object, accounts: dict[str, AccountPolicy], regions: set[str],
              roles: RoleBook) -> ApprovalRules:
    path, header, defaults = ("approval",), "[approval]", ApprovalRules()
    table = read.table(raw, path, ("approval_valid_hours", "bulk_risk", "routes"), header)
    routes = tuple(_routes(read, table["routes"], accounts, regions, roles)) if "routes" in table else ()
    return ApprovalRules(
        routes=routes or defaults.routes,
        approval_valid_hours=read.number(table, path, "approval_valid_hours", header,
                                         defaults.approval_valid_hours, minimum=1, off="approvals that never expire"),
        bulk_risk=read.choices(table, path, "bulk_risk", header, RISK_LEVELS) if "bulk_risk" in table
        else defaults.bulk_risk)


def _routes(read: TableReader, raw: object, accounts: dict[str, AccountPolicy], regions: set[str],
            roles: RoleBook) -> list[Route]:
    header = "[[approval.routes]]"
    routes: list[Route] = []
    entries = read.entries(raw, ("approval", "routes"), header)
    names: set[str] = set()
    # A named-only route is never matched, so the catch-all is the last of the others.
    matched = [number for number, (_path, entry) in enumerate(entries, start=1)
               if not (isinstance(entry, dict) and entry.get("named_only") is True)]
    for number, (path, entry) in enumerate(entries, start=1):
        entry = read.table(entry, path, ("name", "risk", "regions", "accounts", "stages", "named_only"), header)
        name = read.text(entry, path, "name", header, required=True)
        label = f"route {name!r}" if name else f"route {number}"
        if name and name in names:
            read.add(path + ("name",), f"{header} name {name!r} is used twice; give every route its own name")
        names.add(name)
        risk = read.choices(entry, path, "risk", label, RISK_LEVELS)
        route_regions = read.words(entry, path, "regions", label)
        route_accounts = read.words(entry, path, "accounts", label)
        named_only = entry.get("named_only", False)
        if not isinstance(named_only, bool):
            read.add(path + ("named_only",), f"{label}: named_only must be true or false")
            named_only = False
        route = Route(name, _stages(read, entry, path, label, route_accounts, accounts, roles),
                      risk=risk, regions=route_regions, accounts=route_accounts, named_only=named_only)
        for index, region in enumerate(route.regions):
            spelled = [known for known in regions if known.casefold() == region.casefold() and known != region]
            if spelled:
                read.add(path + ("regions", index), f"{label}: region {region!r} is written {spelled[0]!r} "
                         "elsewhere in the file; regions must match exactly")
        for index, account in enumerate(route.accounts):
            if account not in accounts:
                read.add(path + ("accounts", index), f"{label} names account {account!r}, which is not in "
                         f'[accounts]; add [accounts."{account}"] or fix the id')
        conditions = [key for key in ("risk", "regions", "accounts") if entry.get(key)]
        last = bool(matched) and number == matched[-1]
        if named_only:
            if conditions:
                read.add(path, f"{label} is named_only, so its conditions ({', '.join(conditions)}) are never "
                         "used; remove them")
        elif last and conditions:
            read.add(path, f"the last route ({label}) has conditions ({', '.join(conditions)}), so some posts "
                     "would match no route; end with a route that has only a name and stages "
                     '(e.g. name = "default")')
        elif not last and not conditions and entry:
            read.add(path, f"{label} has no risk, regions or accounts, so it matches every post and the "
                     "routes after it are never used; move it to the end")
        routes.append(route)
    if not entries and isinstance(raw, list):
        read.add(("approval", "routes"), "[approval] routes is empty; add at least one [[approval.routes]]")
    elif entries and not matched:
        read.add(("approval", "routes"), "every [[approval.routes]] is named_only, so no post would match one; "
                 'end with a route that has only a name and stages (e.g. name = "default")')
    return routes


def _stages(read: TableReader, entry: dict, path: tuple, label: str, route_accounts: tuple[str, ...],
            accounts: dict[str, AccountPolicy], roles: RoleBook) -> tuple[Stage, ...]:
    raw = entry.get("stages")
    if not isinstance(raw, list) or not raw:
        read.add(path + ("stages",) if "stages" in entry else path,
                 f'{label} needs stages, e.g. stages = [{{ role = "manager", mode = "any" }}]')
        return ()
    stages = []
    for index, stage in enumerate(raw):
        stage_path = path + ("stages", index)
        where = f"{label} stage {index + 1}"
        stage = read.table(stage, stage_path, ("role", "mode"), where)
        role = read.text(stage, stage_path, "role", where, required=True)
        mode = stage.get("mode", "any")
        if mode not in STAGE_MODES:
            read.add(stage_path + ("mode",), f"{where}: mode = {mode!r} is not valid; use \"any\" (one holder "
                     "of the role approves) or \"all\" (every holder approves)")
        if role == ACCOUNT_OWNER:
            # Only a route limited to named accounts can be checked here: its
            # posts go to those accounts alone, so each needs an owner. Other
            # routes may carry posts to accounts the file does not list; the
            # approval service reports an owner missing for such a post.
            ownerless = [a for a in route_accounts if a in accounts and not accounts[a].owner]
            if ownerless:
                read.add(stage_path + ("role",), f"{where} asks the account owner, but {ownerless[0]!r} has no "
                         f'owner; add owner = "USERNAME" to [accounts."{ownerless[0]}"]')
        elif role and role not in roles:
            read.add(stage_path + ("role",), f"{where}: role {role!r} is not a role; use {ACCOUNT_OWNER}, a "
                     f"built-in role or a valid custom role from [roles] ({', '.join(roles.roles)})")
        elif role and POST_APPROVE not in roles.permissions_of(role):
            read.add(stage_path + ("role",), f"{where}: role {role!r} cannot approve posts (it lacks "
                     f"{POST_APPROVE}), so posts would wait forever; choose another role or give it {POST_APPROVE}")
        stages.append(Stage(role, mode if mode in STAGE_MODES else "any"))
    return tuple(stages)

