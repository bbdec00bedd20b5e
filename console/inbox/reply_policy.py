"""The content policy applied to inbox replies: which checks run, and how a refusal reads.

A reply is public text when it answers a comment or a mention, and private
when it answers a DM; the privacy rules (no email address, phone or order
number) apply to public text only, so the same words can be fine in a DM and
refused under a comment. Errors refuse the reply; warnings refuse it until
the operator acknowledges them by rule id, and the acknowledgement is kept
with the reply. :class:`console.inbox.service.InboxService` runs the check it is
given (``reply_check``); the workspace builds that check with
:func:`policy_reply_check` from the governance file in force.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from console.policy import CheckResult, ContentPolicy, Finding, Target
from console.errors import InvalidAction
from console.inbox.records import InboxItem
from console.hidden_text import reveal
from console.untrusted import one_line

#: Checks ``text`` as a reply to ``item``.
ReplyCheck = Callable[[InboxItem, str], CheckResult]

#: Inbox kinds whose replies only the author sees.
PRIVATE_KINDS = frozenset({"dm"})


class ReplyBlocked(InvalidAction):
    """The reply breaks a rule of the content policy (an error finding); nothing was queued."""

    def __init__(self, item: InboxItem, text: str, findings: Iterable[Finding]) -> None:
        self.item_id = item.id
        self.text = text
        self.findings = tuple(findings)
        where = "a public reply" if is_public(item) else "a reply"
        lines = "; ".join(finding_line(finding, text) for finding in self.findings)
        super().__init__(f"{where} to {item.id} cannot say this: {lines}. Change the text and send again; "
                         "nothing was queued")


class ReplyNeedsAcknowledgement(InvalidAction):
    """The reply has warnings nobody acknowledged yet; nothing was queued."""

    def __init__(self, item: InboxItem, text: str, warnings: Iterable[Finding]) -> None:
        self.item_id = item.id
        self.text = text
        self.warnings = tuple(warnings)
        lines = "; ".join(finding_line(finding, text) for finding in self.warnings)
        super().__init__(f"the reply to {item.id} has warnings: {lines}. Acknowledge "
                         f"{', '.join(self.rule_ids)} to send it anyway, or change the text; nothing was queued")

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return rule_ids(self.warnings)


def is_public(item: InboxItem) -> bool:
    """Whether a reply to ``item`` is public (everything but a DM)."""
    return item.kind not in PRIVATE_KINDS


def reply_target(item: InboxItem, policy: ContentPolicy, region_of: Callable[[str], str]) -> Target:
    """Where a reply to ``item`` goes. The region the governance file gives the
    account wins over the connected account's own, since the rules are written
    against the file's regions."""
    region = policy.account(item.account_id).region or region_of(item.account_id)
    return Target(item.account_id, item.platform, region)


def policy_reply_check(policy_of: Callable[[], ContentPolicy], region_of: Callable[[str], str]) -> ReplyCheck:
    """The reply check for a workspace: the content policy in force at each call
    (the governance file may be reloaded meanwhile)."""

    def check(item: InboxItem, text: str) -> CheckResult:
        from console.policy import check_reply  # at the first reply, not at start-up

        policy = policy_of()
        return check_reply(policy, text, reply_target(item, policy, region_of), public=is_public(item))

    return check


def rule_ids(findings: Iterable[Finding]) -> tuple[str, ...]:
    """The distinct rule ids of ``findings``, in order."""
    return tuple(dict.fromkeys(finding.rule_id for finding in findings))


def acknowledged_rules(item: InboxItem, text: str, result: CheckResult,
                       acknowledge: Iterable[str]) -> tuple[str, ...]:
    """Refuse the reply if ``result`` says so; otherwise the rule ids of the warnings
    the operator acknowledged (to record with the reply).

    Acknowledging a rule that found nothing records nothing: the record says
    what the operator actually accepted."""
    if result.errors:
        raise ReplyBlocked(item, text, result.errors)
    acknowledge = tuple(acknowledge)
    missing = result.unacknowledged(acknowledge)
    if missing:
        raise ReplyNeedsAcknowledgement(item, text, missing)
    return rule_ids(result.warnings)


def finding_line(finding: Finding, text: str) -> str:
    """``privacy.email "ann@example.com": message (hint)``: one finding as one line of plain text
    (the words quoted with their hidden characters shown, as ``␇`` or ``⟨U+202E⟩``)."""
    quoted = ""
    if 0 <= finding.start < finding.end <= len(text):
        quoted = f' "{one_line(reveal(text, finding.start, finding.end), 40)}"'
    line = f"{finding.rule_id}{quoted}: {one_line(finding.message, 160)}"
    if finding.hint:
        line += f" ({one_line(finding.hint, 160)})"
    return line
