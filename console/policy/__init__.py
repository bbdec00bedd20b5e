"""The content policy: what every post and public reply must respect, and who approves a post.

- ``model.py``: the validated records (rules, routes) and what a check takes
  and gives (``Draft``, ``Finding``, ``CheckResult``).
- ``file.py`` (with ``reader.py``, and ``console/toml_locator.py`` for lines): reading the
  content sections of ``governance.toml``, every problem on its line.
- ``check.py`` (with ``text.py``, ``rules.py`` and ``lengths.py``): the
  checks on a draft or a reply.

The inbox's use of the checks on replies is ``console/inbox/reply_policy.py``;
the governance file itself (versions, roles, training, the last good
version) is ``console/governance.py``.
"""

from console.policy.file import CONTENT_SECTIONS, parse_content_policy
from console.policy.model import (
    ACCOUNT_OWNER,
    CONTEXT_POST,
    CONTEXT_PRIVATE_REPLY,
    CONTEXT_PUBLIC_REPLY,
    CONTEXTS,
    ERROR,
    MODE_ALL,
    MODE_ANY,
    RISK_LEVELS,
    SEVERITIES,
    WARNING,
    AccessibilityRules,
    AccountPolicy,
    ApprovalRules,
    Attachment,
    BannedPhrase,
    BrandVoice,
    CheckResult,
    ContentPolicy,
    Counter,
    DisclosureRule,
    Draft,
    Finding,
    HiddenCharacterRules,
    PrivacyRules,
    RegionRequirement,
    RegionRules,
    RiskTopic,
    Route,
    Stage,
    Target,
)
from console.policy.reader import PolicyProblem, Problems, TableReader
from console.toml_locator import TomlLocator


# The checks compile many patterns: their module is imported at the first
# check, not when the console starts.
def check_draft(policy: ContentPolicy, draft: Draft) -> CheckResult:
    """Every finding of ``policy`` on ``draft`` (see ``check.py``)."""
    from console.policy.check import check_draft as check

    return check(policy, draft)


def check_reply(policy: ContentPolicy, text: str, target: Target, *, public: bool) -> CheckResult:
    """The checks an inbox reply passes before it is sent (privacy only when ``public``)."""
    from console.policy.check import check_reply as check

    return check(policy, text, target, public=public)


__all__ = [
    "ACCOUNT_OWNER", "CONTENT_SECTIONS", "CONTEXTS", "CONTEXT_POST", "CONTEXT_PRIVATE_REPLY",
    "CONTEXT_PUBLIC_REPLY", "ERROR", "MODE_ALL", "MODE_ANY", "RISK_LEVELS", "SEVERITIES", "WARNING",
    "AccessibilityRules", "AccountPolicy", "ApprovalRules", "Attachment", "BannedPhrase", "BrandVoice",
    "CheckResult", "ContentPolicy", "Counter", "DisclosureRule", "Draft", "Finding",
    "HiddenCharacterRules", "PolicyProblem",
    "PrivacyRules", "Problems", "RegionRequirement", "RegionRules", "RiskTopic", "Route", "Stage",
    "TableReader", "Target", "TomlLocator", "check_draft", "check_reply", "parse_content_policy",
]
