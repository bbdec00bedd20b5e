"""Property: for any text, in any context, the checks never raise, every span
lies within the text it indexes, and findings come errors first, then by offset."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from console.policy import (
    CONTEXTS,
    ERROR,
    AccessibilityRules,
    AccountPolicy,
    Attachment,
    BannedPhrase,
    BrandVoice,
    ContentPolicy,
    DisclosureRule,
    Draft,
    PrivacyRules,
    RegionRequirement,
    RegionRules,
    RiskTopic,
    Target,
    check_draft,
)

POLICY = ContentPolicy(
    accounts={"m": AccountPolicy("m", region="EU", required_hashtags=("Northwind",))},
    brand=BrandVoice(
        banned=(BannedPhrase("guaranteed", "r"), BannedPhrase("free money", "r"), BannedPhrase("激安", "r"),
                BannedPhrase("straße", "r"), BannedPhrase("İstanbul", "r"), BannedPhrase("ǅ", "r")),
        required_hashtags=("Brand",), forbidden_hashtags=(BannedPhrase("fail", "r"),)),
    disclosure=(DisclosureRule("promo", ("promo",), ("#ad", "Anzeige")),),
    accessibility=AccessibilityRules(max_hashtags=2, all_caps_min_words=2),
    privacy=PrivacyRules(),
    regions={"EU": RegionRules("EU", banned=(BannedPhrase("black friday", "r"),),
                               requirements=(RegionRequirement("terms", (), "terms", "m"),))},
    risk_topics=(RiskTopic("prices", "medium", words=("sale",), patterns=(r"\d+%",)),),
)

TARGETS = (Target("m", "mastodon"), Target("b", "bluesky", "EU"), Target("x", "x"),
           Target("i", "instagram"), Target("s", "sandbox"), Target("l", "linkedin"))

PIECES = st.sampled_from([
    " ", "\n", "guaranteed", "GUARANTEED", "Free Money", "激安", "STRASSE", "İSTANBUL", "ß", "ǅ",
    "#", "#fail", "#Brand", "#夏セール", "#عروض", "@", "@ana@mastodon.social", "ana@example.com",
    "https://example.com/guaranteed", "www.x.co", "+44 20 7946 0958", "order 123456", "#1234567",
    "\U0001F468\u200D\U0001F469\u200D\U0001F467", "\U0001F1EB\U0001F1F7", "e\u0301", "BIG", "SALE",
    "(", ")", "-", ".", "20%", "\u0301", "\u200d", "\r\n",
])
TEXT = st.one_of(st.text(max_size=200), st.lists(PIECES, max_size=40).map("".join))


@given(
    text=TEXT,
    variant=st.one_of(st.none(), TEXT),
    context=st.sampled_from(CONTEXTS),
    targets=st.lists(st.sampled_from(TARGETS), max_size=4, unique=True),
    images=st.lists(st.sampled_from(["", " ", "alt"]), max_size=11),
)
@settings(max_examples=300, deadline=None)
def test_checks_never_raise_and_spans_stay_in_the_text(text, variant, context, targets, images):
    variants = {"x": variant} if variant is not None else {}
    draft = Draft(text, tuple(targets), variants, ("promo",),
                  tuple(Attachment(f"a{n}", alt) for n, alt in enumerate(images)), context)
    result = check_draft(POLICY, draft)
    for finding in result.findings:
        checked = draft.text_for(finding.platform) if finding.platform else draft.text
        if finding.start == -1:
            assert finding.end == -1
        else:
            assert 0 <= finding.start < finding.end <= len(checked), finding
    keys = [(f.severity != ERROR, f.start) for f in result.findings]
    assert keys == sorted(keys)
    assert result.risk in ("low", "medium")
