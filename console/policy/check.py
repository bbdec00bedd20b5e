"""Policy checks: what the governance file's content rules find in a draft or a reply.

:class:`PolicyChecker` compiles a :class:`~console.policy.model.ContentPolicy`
once (every phrase list becomes one regex, every pattern is compiled) and then
checks drafts as fast as the compose screen needs: the whole draft again on
every keystroke. :func:`checker_for` keeps the checkers of the last few
policies, so callers just say :func:`check_draft`.

Which text a rule reads. Rules about the whole post run on the main text and
on each variant a target actually uses; a finding in a variant carries that
platform in ``Finding.platform``, a finding in the main text "". Region rules
and an account's own required hashtags read the text of that target's
platform; length is counted per platform on the text it will get.

Contexts. A post gets every rule. Replies (public or private) get hidden
characters, banned phrases, forbidden hashtags, all caps and length; privacy
applies to posts and public replies only, as a private reply is where an
order number belongs.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable

from console.policy.model import (
    CONTEXT_PRIVATE_REPLY,
    CONTEXT_PUBLIC_REPLY,
    ERROR,
    BannedPhrase,
    CheckResult,
    ContentPolicy,
    DisclosureRule,
    Draft,
    Finding,
    RegionRules,
    Target,
    highest_risk,
)
from console.policy.lengths import instagram_hashtag_cap, measure, platform_title
from console.policy.rules import (caps_findings, compile_order_pattern, hashtag_findings, hidden_findings,
                                  privacy_findings)
from console.policy.text import PhraseIndex, PhraseMatch, TextScan, fold_tag, normalize_phrase
from integrations.text_length import MAX_IMAGES

REPLY_CONTEXTS = (CONTEXT_PUBLIC_REPLY, CONTEXT_PRIVATE_REPLY)


class _BannedList:
    """One list of banned phrases (the brand's, or a region's), by matched phrase."""

    def __init__(self, rule_id: str, phrases: Iterable[BannedPhrase]) -> None:
        self.rule_id = rule_id
        self.by_key: dict[str, BannedPhrase] = {}
        for banned in phrases:
            self.by_key.setdefault(normalize_phrase(banned.phrase), banned)

    def findings(self, matches: list[PhraseMatch], scan: TextScan, label: str) -> list[Finding]:
        found = []
        for match in matches:
            banned = self.by_key.get(match.phrase)
            if banned is None:
                continue
            found.append(Finding(
                self.rule_id, banned.severity,
                f'"{scan.text[match.start:match.end]}" is a banned phrase',
                banned.reason, match.start, match.end, label))
        return found


class _Region:
    def __init__(self, rules: RegionRules) -> None:
        self.rules = rules
        self.banned = _BannedList(f"region.{rules.region}.banned", rules.banned)
        self.requirements = [
            (req, frozenset(tag.casefold() for tag in req.when_tags), req.require_text.casefold())
            for req in rules.requirements
        ]


class _Disclosure:
    """A disclosure rule: hashtags compare as hashtags, other wording as phrases."""

    def __init__(self, rule: DisclosureRule) -> None:
        self.rule = rule
        self.when = frozenset(tag.casefold() for tag in rule.when_tags)
        self.hashtags = frozenset(fold_tag(r) for r in rule.require_any if r.strip()[:1] in "#\uff03")
        self.phrases = frozenset(normalize_phrase(r) for r in rule.require_any
                                 if r.strip()[:1] not in "#\uff03") - {""}

    def satisfied_by(self, matches: list[PhraseMatch], scan: TextScan) -> bool:
        if self.hashtags & scan.hashtag_set:
            return True
        return any(match.phrase in self.phrases for match in matches)


class _Risk:
    """Every risk topic's words by phrase; patterns compiled; tags folded.

    Words are matched like banned phrases (whole words, not in links or
    mentions); patterns read the whole text, links included, so a topic can
    name a competitor's domain."""

    def __init__(self, policy: ContentPolicy) -> None:
        self.topics = policy.risk_topics
        self.word_topics: dict[str, list[int]] = {}
        self.patterns: list[tuple[int, re.Pattern]] = []
        self.tag_topics: dict[str, list[int]] = {}
        for i, topic in enumerate(self.topics):
            for word in topic.words:
                self.word_topics.setdefault(normalize_phrase(word), []).append(i)
            for pattern in topic.patterns:
                try:
                    self.patterns.append((i, re.compile(pattern, re.IGNORECASE)))
                except (re.error, TypeError):
                    pass                    # the governance file's validator reports it
            for tag in topic.tags:
                self.tag_topics.setdefault(tag.casefold(), []).append(i)

    def assess(self, scanned: Iterable[tuple[TextScan, list[PhraseMatch]]],
               tags: Iterable[str]) -> tuple[str, tuple[str, ...]]:
        hit: set[int] = set()
        for tag in tags:
            hit.update(self.tag_topics.get(tag.casefold(), ()))
        for scan, matches in scanned:
            for match in matches:
                hit.update(self.word_topics.get(match.phrase, ()))
            for i, pattern in self.patterns:
                if i not in hit and pattern.search(scan.text):
                    hit.add(i)
        if not hit:
            return "low", ()
        matched = [self.topics[i] for i in sorted(hit)]
        return highest_risk(topic.level for topic in matched), tuple(t.id for t in matched)


def _texts(draft: Draft) -> dict[str, str]:
    """The texts the draft will publish, by label: "" for the main text, a platform
    for each variant some target uses (a variant equal to the main text is the main text)."""
    texts = {"": draft.text}
    for platform in dict.fromkeys(target.platform for target in draft.targets):
        text = draft.text_for(platform)
        if text != draft.text:
            texts[platform] = text
    return texts


def _label(draft: Draft, platform: str) -> str:
    return platform if draft.text_for(platform) != draft.text else ""


def _sort_key(finding: Finding) -> tuple:
    return (finding.severity != ERROR, finding.start, finding.platform, finding.end, finding.rule_id)


class PolicyChecker:
    """A content policy, compiled, ready to check drafts and replies."""

    def __init__(self, policy: ContentPolicy) -> None:
        self.policy = policy
        self._brand = _BannedList("brand.banned", policy.brand.banned)
        self._forbidden = {fold_tag(b.phrase): b for b in policy.brand.forbidden_hashtags}
        self._required = self._tags(policy.brand.required_hashtags)
        self._account_tags = {
            account_id: self._tags(account.required_hashtags)
            for account_id, account in policy.accounts.items() if account.required_hashtags
        }
        self._regions = {region.casefold(): _Region(rules) for region, rules in policy.regions.items()}
        self._disclosures = [_Disclosure(rule) for rule in policy.disclosure]
        self._order_pattern = compile_order_pattern(policy.privacy.order_number_pattern)
        self._risk = _Risk(policy)
        self._phrases = PhraseIndex([
            *self._brand.by_key,
            *(key for region in self._regions.values() for key in region.banned.by_key),
            *self._risk.word_topics,
            *(key for disclosure in self._disclosures for key in disclosure.phrases),
        ])

    @staticmethod
    def _tags(tags: Iterable[str]) -> dict[str, str]:
        """Configured hashtags: folded form -> as configured (for the message)."""
        return {fold_tag(tag): tag.strip().lstrip("#\uff03") for tag in tags if fold_tag(tag)}

    # -- the check ---------------------------------------------------------------------------
    def check(self, draft: Draft) -> CheckResult:
        post = draft.context not in REPLY_CONTEXTS
        public = draft.context != CONTEXT_PRIVATE_REPLY
        scans = {label: TextScan(text) for label, text in _texts(draft).items()}
        matches = {label: self._phrases.find(scan) for label, scan in scans.items()}
        found: list[Finding] = []
        for label, scan in scans.items():
            found += hidden_findings(scan.text, label, self.policy.hidden)
            found += self._voice(matches[label], scan, label)
            if public:
                found += privacy_findings(scan, label, self.policy.privacy, self._order_pattern)
            if post:
                found += self._missing_tags(self._required, scan, label, "")
                found += self._undisclosed(draft.tags, matches[label], scan, label)
                found += hashtag_findings(scan, label, self.policy.accessibility)
        for target in draft.targets:
            label = _label(draft, target.platform)
            found += self._for_target(draft, target, matches[label], scans[label], label, post)
        counters = []
        for platform in dict.fromkeys(target.platform for target in draft.targets):
            label = _label(draft, platform)
            counter, finding = measure(platform, scans[label].text, label)
            if counter is not None:
                counters.append(counter)
            if finding is not None:
                found.append(finding)
            if post and platform == "instagram":
                found += filter(None, [instagram_hashtag_cap(scans[label].text, label)])
        if post:
            found += self._media(draft)
        risk, reasons = self._risk.assess(
            ((scan, matches[label]) for label, scan in scans.items()), draft.tags)
        findings = sorted(dict.fromkeys(found), key=_sort_key)
        return CheckResult(tuple(findings), tuple(counters), risk, reasons)

    def _voice(self, matches: list[PhraseMatch], scan: TextScan, label: str) -> list[Finding]:
        """Brand voice that applies to every public word: banned phrases,
        forbidden hashtags, shouting."""
        found = self._brand.findings(matches, scan, label)
        if self._forbidden:
            for tag in scan.hashtags:
                banned = self._forbidden.get(tag.folded)
                if banned is not None:
                    found.append(Finding(
                        "brand.hashtag.forbidden", banned.severity,
                        f"#{tag.tag} is a forbidden hashtag", banned.reason,
                        tag.start, tag.end, label))
        found += caps_findings(scan, label, self.policy.accessibility)
        return found

    def _missing_tags(self, required: dict[str, str], scan: TextScan, label: str,
                      account_id: str) -> list[Finding]:
        found = []
        for folded, shown in required.items():
            if folded not in scan.hashtag_set:
                whose = f" on {account_id}" if account_id else ""
                where = f" in the {platform_title(label)} text" if label else ""
                found.append(Finding(
                    "brand.hashtag.required", ERROR,
                    f"#{shown} is required{whose}{where}",
                    f"add #{shown} to the text", platform=label))
        return found

    def _undisclosed(self, post_tags: tuple[str, ...], matches: list[PhraseMatch], scan: TextScan,
                     label: str) -> list[Finding]:
        tags = {tag.casefold() for tag in post_tags}
        found = []
        for disclosure in self._disclosures:
            if disclosure.when & tags and not disclosure.satisfied_by(matches, scan):
                rule = disclosure.rule
                options = " or ".join(rule.require_any)
                message = rule.message or (
                    f"posts tagged {', '.join(sorted(disclosure.when & tags))} must say {options}")
                found.append(Finding(f"disclosure.{rule.id}", rule.severity, message,
                                     f"add {options}", platform=label))
        return found

    def _region(self, target: Target) -> _Region | None:
        region = target.region or self.policy.account(target.account_id).region
        return self._regions.get(region.casefold()) if region else None

    def _for_target(self, draft: Draft, target: Target, matches: list[PhraseMatch],
                    scan: TextScan, label: str, post: bool) -> list[Finding]:
        """The region's rules and the account's own hashtags, on this target's text."""
        found: list[Finding] = []
        region = self._region(target)
        if region is not None:
            found += region.banned.findings(matches, scan, label)
            if post:
                tags = {tag.casefold() for tag in draft.tags}
                for req, when, needle in region.requirements:
                    if (not when or when & tags) and needle not in scan.folded:
                        found.append(Finding(
                            f"region.{region.rules.region}.{req.id}", req.severity,
                            req.message or f"{region.rules.region} posts must include "
                                           f'"{req.require_text}"',
                            f'add "{req.require_text}"', platform=label))
        if post and target.account_id in self._account_tags:
            found += self._missing_tags(self._account_tags[target.account_id], scan, label,
                                        target.account_id)
        return found

    def _media(self, draft: Draft) -> list[Finding]:
        """Image counts per platform, Instagram's image, and alt text on every image."""
        found = []
        images = len(draft.attachments)
        platforms = dict.fromkeys(target.platform for target in draft.targets)
        for platform in platforms:
            limit = MAX_IMAGES.get(platform)
            if limit is not None and images > limit:
                title = platform_title(platform)
                found.append(Finding(
                    f"media.{platform}.count", ERROR,
                    f"{images} images; {title} takes at most {limit}",
                    f"remove {images - limit}, or post the rest separately", platform=platform))
        if "instagram" in platforms and not images:
            found.append(Finding(
                "media.instagram.required", ERROR, "an Instagram post needs an image",
                "attach an approved image from the library", platform="instagram"))
        if self.policy.accessibility.alt_text_required:
            for attachment in draft.attachments:
                if not attachment.alt_text.strip():
                    found.append(Finding(
                        "a11y.alt_text", ERROR, f"image {attachment.asset_id} has no alt text",
                        "describe what the image shows for people who cannot see it"))
        return found


# -- cached checkers -----------------------------------------------------------------------------
_CHECKERS: OrderedDict[int, PolicyChecker] = OrderedDict()
_CHECKERS_KEPT = 8
_LOCK = threading.Lock()


def checker_for(policy: ContentPolicy) -> PolicyChecker:
    """The compiled checker of ``policy``, compiled once. Policies are immutable,
    so the object's identity is the key; the checker holds the policy, so an id
    cannot be reused while its entry is kept (the last few policies are kept)."""
    key = id(policy)
    with _LOCK:
        checker = _CHECKERS.get(key)
        if checker is not None and checker.policy is policy:
            _CHECKERS.move_to_end(key)
            return checker
    checker = PolicyChecker(policy)
    with _LOCK:
        _CHECKERS[key] = checker
        while len(_CHECKERS) > _CHECKERS_KEPT:
            _CHECKERS.popitem(last=False)
    return checker


def check_draft(policy: ContentPolicy, draft: Draft) -> CheckResult:
    return checker_for(policy).check(draft)


def check_reply(policy: ContentPolicy, text: str, target: Target, *, public: bool) -> CheckResult:
    """The checks an inbox reply passes before it is sent (privacy only when ``public``)."""
    context = CONTEXT_PUBLIC_REPLY if public else CONTEXT_PRIVATE_REPLY
    return check_draft(policy, Draft(text=text, targets=(target,), context=context))
