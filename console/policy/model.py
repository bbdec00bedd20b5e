"""The content policy: what the governance file says every post and public reply must
respect, and how a post is routed for approval.

These are the validated, immutable records that ``console/policy/file.py``
builds from the ``[accounts]``, ``[brand]``, ``[[disclosure]]``,
``[accessibility]``, ``[privacy]``, ``[hidden_characters]``, ``[regions]``,
``[[risk.topics]]`` and ``[approval]`` sections of ``governance.toml``. ``console/policy/check.py``
runs the checks (findings); ``console/posts/approvals.py`` follows the routes.

Risk levels are ordered ``low < medium < high``. A route matches a post when
each of its conditions that is set matches (risk in ``risk``, every target's
region in ``regions``, every target in ``accounts``); the first matching route
in file order wins, and the file must end with a route that matches anything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

ERROR = "error"        # blocks submission (and sending a reply)
WARNING = "warning"    # allowed once acknowledged; the acknowledgement is recorded
SEVERITIES = (ERROR, WARNING)

RISK_LEVELS = ("low", "medium", "high")

MODE_ANY = "any"       # one holder of the role approves the stage
MODE_ALL = "all"       # every active holder of the role (in scope) approves
STAGE_MODES = (MODE_ANY, MODE_ALL)

#: A stage role that means "the owner named for the post's accounts in [accounts]".
ACCOUNT_OWNER = "account_owner"

# Where a text is going: the privacy rules apply to public text only.
CONTEXT_POST = "post"
CONTEXT_PUBLIC_REPLY = "public_reply"
CONTEXT_PRIVATE_REPLY = "private_reply"
CONTEXTS = (CONTEXT_POST, CONTEXT_PUBLIC_REPLY, CONTEXT_PRIVATE_REPLY)


def risk_rank(level: str) -> int:
    return RISK_LEVELS.index(level)


def highest_risk(levels: Iterable[str]) -> str:
    return max(levels, key=risk_rank, default=RISK_LEVELS[0])


@dataclass(frozen=True)
class AccountPolicy:
    """An account as the governance file describes it: who owns it, which region."""

    account_id: str
    owner: str = ""
    region: str = ""
    required_hashtags: tuple[str, ...] = ()    # on top of [brand] required_hashtags


@dataclass(frozen=True)
class BannedPhrase:
    """A word or phrase the brand never says, with the reason (shown as the finding's hint)."""

    phrase: str
    reason: str
    severity: str = ERROR


@dataclass(frozen=True)
class BrandVoice:
    banned: tuple[BannedPhrase, ...] = ()
    required_hashtags: tuple[str, ...] = ()   # without '#', compared case-insensitively
    forbidden_hashtags: tuple[BannedPhrase, ...] = ()   # phrase = the tag without '#'


@dataclass(frozen=True)
class DisclosureRule:
    """Posts carrying one of ``when_tags`` (the post's own tags, e.g. ``promo``) must
    contain one of ``require_any`` (e.g. ``#ad``, ``#sponsored``)."""

    id: str
    when_tags: tuple[str, ...]
    require_any: tuple[str, ...]
    message: str = ""
    severity: str = ERROR


@dataclass(frozen=True)
class AccessibilityRules:
    alt_text_required: bool = True
    max_hashtags: int | None = 5
    camel_case_hashtags: bool = True       # multi-word Latin hashtags in CamelCase
    no_all_caps: bool = True
    all_caps_min_words: int = 3            # a run of this many all-caps words is shouting
    severity: str = WARNING                # of the hashtag, CamelCase and caps findings
                                           # (missing alt text is always an error)


@dataclass(frozen=True)
class PrivacyRules:
    """What must never appear in public text (posts and public replies)."""

    emails: bool = True
    phone_numbers: bool = True
    order_numbers: bool = True
    #: A word like "order" followed by a code that holds a digit ("order status" is
    #: not an order number), or a bare ``#`` and six digits or more.
    order_number_pattern: str = r"(?:\b(?:order|ord|pedido)|注文(?:番号)?)[\s#:：№-]*(?=[A-Z-]*\d)[A-Z0-9-]{5,}\b|#\d{6,}\b"
    severity: str = ERROR


@dataclass(frozen=True)
class HiddenCharacterRules:
    """How much the characters a reader cannot see weigh (``console/hidden_text.py``).

    Control characters are always an error: they are not text, and a screen that
    shows them may act on them. Bidirectional controls and invisible characters
    are warnings unless the brand makes them errors."""

    bidi: str = WARNING
    invisible: str = WARNING


@dataclass(frozen=True)
class RegionRequirement:
    """A region's rule: posts to an account of the region carrying one of
    ``when_tags`` (all posts when empty) must contain ``require_text`` (a
    link or phrase, case-insensitive)."""

    id: str
    when_tags: tuple[str, ...]
    require_text: str
    message: str
    severity: str = ERROR


@dataclass(frozen=True)
class RegionRules:
    region: str
    banned: tuple[BannedPhrase, ...] = ()
    requirements: tuple[RegionRequirement, ...] = ()


@dataclass(frozen=True)
class RiskTopic:
    """Words or regular expressions that make a post at least ``level`` risky."""

    id: str
    level: str
    words: tuple[str, ...] = ()       # whole words/phrases, case-insensitive
    patterns: tuple[str, ...] = ()    # regular expressions, case-insensitive
    tags: tuple[str, ...] = ()        # post tags that raise the risk too (e.g. promo)


@dataclass(frozen=True)
class Stage:
    role: str
    mode: str = MODE_ANY

    def describe(self) -> str:
        return f"{self.mode} {self.role}"


@dataclass(frozen=True)
class Route:
    name: str
    stages: tuple[Stage, ...]
    risk: tuple[str, ...] = ()        # empty: any risk
    regions: tuple[str, ...] = ()     # empty: any region
    accounts: tuple[str, ...] = ()    # empty: any account
    #: Taken only when something names it (crisis mode's holding statements), never
    #: by a post's risk, regions or accounts.
    named_only: bool = False

    def matches(self, risk: str, regions: Iterable[str], accounts: Iterable[str]) -> bool:
        if self.named_only:
            return False
        if self.risk and risk not in self.risk:
            return False
        if self.regions and not all(region in self.regions for region in regions):
            return False
        if self.accounts and not all(account in self.accounts for account in accounts):
            return False
        return True

    def describe(self) -> str:
        return " → ".join(stage.describe() for stage in self.stages)


DEFAULT_ROUTE = Route("default", (Stage("manager", MODE_ANY),))


@dataclass(frozen=True)
class ApprovalRules:
    routes: tuple[Route, ...] = (DEFAULT_ROUTE,)
    #: An approval older than this no longer counts: the post expires (None: never).
    approval_valid_hours: int | None = 72
    #: Bulk approval is offered only for posts of these risk levels.
    bulk_risk: tuple[str, ...] = ("low",)

    def route_for(self, risk: str, regions: Iterable[str], accounts: Iterable[str]) -> Route:
        regions, accounts = tuple(regions), tuple(accounts)
        for route in self.routes:
            if route.matches(risk, regions, accounts):
                return route
        # the parser guarantees a catch-all last route (among those not named-only)
        return [route for route in self.routes if not route.named_only][-1]

    def named(self, name: str) -> Route | None:
        """The route called ``name`` (for a caller that names its route)."""
        return next((route for route in self.routes if route.name == name), None)


@dataclass(frozen=True)
class ContentPolicy:
    """Every content rule of one version of the governance file."""

    accounts: Mapping[str, AccountPolicy] = field(default_factory=dict)
    brand: BrandVoice = field(default_factory=BrandVoice)
    disclosure: tuple[DisclosureRule, ...] = ()
    accessibility: AccessibilityRules = field(default_factory=AccessibilityRules)
    privacy: PrivacyRules = field(default_factory=PrivacyRules)
    hidden: HiddenCharacterRules = field(default_factory=HiddenCharacterRules)
    regions: Mapping[str, RegionRules] = field(default_factory=dict)
    risk_topics: tuple[RiskTopic, ...] = ()
    approval: ApprovalRules = field(default_factory=ApprovalRules)

    def account(self, account_id: str) -> AccountPolicy:
        return self.accounts.get(account_id) or AccountPolicy(account_id)


# -- what is checked, and what a check finds ------------------------------------------------
@dataclass(frozen=True)
class Target:
    """One account a text goes to, with what the checks need to know of it."""

    account_id: str
    platform: str          # "mastodon", "bluesky", "x", "linkedin", "facebook", "instagram", "sandbox"
    region: str = ""


@dataclass(frozen=True)
class Attachment:
    """A library image attached to a post."""

    asset_id: str
    alt_text: str = ""
    mime_type: str = "image/jpeg"


@dataclass(frozen=True)
class Draft:
    """What the checks look at: one text, per-platform variants, tags, images, targets."""

    text: str
    targets: tuple[Target, ...] = ()
    variants: Mapping[str, str] = field(default_factory=dict)   # platform -> text used instead
    tags: tuple[str, ...] = ()                                   # the post's own tags (promo...)
    attachments: tuple[Attachment, ...] = ()
    context: str = CONTEXT_POST

    def text_for(self, platform: str) -> str:
        variant = self.variants.get(platform)
        return variant if variant is not None and variant.strip() else self.text


@dataclass(frozen=True)
class Finding:
    """One problem a rule found.

    ``start``/``end`` index into the checked text (Python string offsets) of
    ``platform``'s text ("" means the main text); ``-1`` when the finding is
    about the whole post (a missing hashtag, a missing alt text)."""

    rule_id: str
    severity: str
    message: str
    hint: str
    start: int = -1
    end: int = -1
    platform: str = ""

    @property
    def blocks(self) -> bool:
        return self.severity == ERROR

    def to_dict(self) -> dict:
        return {"rule_id": self.rule_id, "severity": self.severity, "message": self.message,
                "hint": self.hint, "start": self.start, "end": self.end, "platform": self.platform}


@dataclass(frozen=True)
class Counter:
    """A platform's length counter for the compose screen: ``used`` of ``limit``."""

    platform: str
    used: int
    limit: int
    unit: str = "characters"

    @property
    def over(self) -> bool:
        return self.used > self.limit


@dataclass(frozen=True)
class CheckResult:
    findings: tuple[Finding, ...]
    counters: tuple[Counter, ...]
    risk: str = "low"
    risk_reasons: tuple[str, ...] = ()    # the risk topic ids that matched

    @property
    def errors(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        return tuple(f for f in self.findings if f.severity == WARNING)

    def unacknowledged(self, acknowledged: Iterable[str]) -> tuple[Finding, ...]:
        """Warnings whose rule id is not in ``acknowledged``."""
        done = set(acknowledged)
        return tuple(f for f in self.warnings if f.rule_id not in done)
