"""console.policy.check: each rule on real-world text (emoji, CJK, RTL, URLs,
mentions, hashtags in several scripts), spans that slice the text exactly,
contexts, variants, risk and the order of findings."""

from __future__ import annotations

import pytest

from console.policy import (
    CONTEXT_PRIVATE_REPLY,
    CONTEXT_PUBLIC_REPLY,
    ERROR,
    WARNING,
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
)
from console.policy.check import PolicyChecker, check_draft, check_reply, checker_for

FAMILY = "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466"
FLAG_PT = "\U0001F1F5\U0001F1F9"
WAVE_TONE = "\U0001F44B\U0001F3FD"

MASTODON = Target("mastodon:northwind", "mastodon", "EU")
X_US = Target("x:northwind", "x", "US")
INSTAGRAM = Target("instagram:northwind", "instagram", "EU")


def policy(**changes) -> ContentPolicy:
    """A small policy with one rule of each kind; ``changes`` replace sections."""
    base = dict(
        brand=BrandVoice(
            banned=(BannedPhrase("guaranteed", "we never promise results"),
                    BannedPhrase("free money", "sounds like a scam"),
                    BannedPhrase("激安", "say お買い得 instead"),
                    BannedPhrase("مضمون", "no guarantees in Arabic either"),
                    BannedPhrase("Straße", "test of case folding", WARNING)),
            forbidden_hashtags=(BannedPhrase("fail", "negative framing"),),
        ),
        accessibility=AccessibilityRules(max_hashtags=None, camel_case_hashtags=False, no_all_caps=False),
        privacy=PrivacyRules(emails=False, phone_numbers=False, order_numbers=False),
    )
    base.update(changes)
    return ContentPolicy(**base)


def post(text: str, *targets: Target, **fields) -> Draft:
    return Draft(text, targets or (MASTODON,), **fields)


def spans(result, rule_id: str, text: str) -> list[str]:
    return [text[f.start:f.end] for f in result.findings if f.rule_id == rule_id]


def rule_ids(result) -> list[str]:
    return [f.rule_id for f in result.findings]


# -- banned phrases ------------------------------------------------------------------------------
def test_banned_phrase_after_emoji_sequences_slices_the_text_exactly():
    text = f"{FAMILY} Family day in Lisbon {FLAG_PT}! {WAVE_TONE} Fun is GUARANTEED for everyone."
    result = check_draft(policy(), post(text))
    [finding] = [f for f in result.findings if f.rule_id == "brand.banned"]
    assert text[finding.start:finding.end] == "GUARANTEED"
    assert finding.severity == ERROR and finding.hint == "we never promise results"
    assert finding.platform == ""


def test_banned_japanese_phrase_inside_a_sentence_without_spaces():
    text = "今週末は渋谷店で激安セールを開催します！"
    result = check_draft(policy(), post(text))
    assert spans(result, "brand.banned", text) == ["激安"]


def test_banned_words_match_whole_words_only_in_spaced_scripts():
    text = "Our guarantee is simple, and nothing here is guaranteedly anything."
    assert rule_ids(check_draft(policy(), post(text))) == []


def test_banned_arabic_word_in_a_right_to_left_sentence():
    text = "هذا العرض مضمون 100% — تسوقوا الآن https://northwind.example/ar #عروض"
    result = check_draft(policy(), post(text))
    assert spans(result, "brand.banned", text) == ["مضمون"]


def test_banned_phrase_across_a_line_break_and_in_any_case():
    text = "Want FREE\nmoney? Read on. free money!"
    result = check_draft(policy(), post(text))
    assert spans(result, "brand.banned", text) == ["FREE\nmoney", "free money"]


def test_banned_words_inside_urls_and_mentions_do_not_count():
    text = ("Read https://example.com/guaranteed-results and northwind.example/free-money, "
            "thanks @guaranteed and @guaranteed@mastodon.social")
    assert rule_ids(check_draft(policy(), post(text))) == []


def test_casefolding_keeps_spans_on_the_original_text():
    # "ß" folds to "ss": the offsets after it must still point into the original text.
    text = "Die Straße ist lang, der Erfolg guaranteed. STRASSE!"
    result = check_draft(policy(), post(text))
    assert spans(result, "brand.banned", text) == ["guaranteed", "Straße", "STRASSE"]
    assert [f.severity for f in result.findings] == [ERROR, WARNING, WARNING]


def test_one_finding_per_occurrence_and_nested_phrases_each_report():
    rules = policy(brand=BrandVoice(banned=(BannedPhrase("free", "a"), BannedPhrase("free money", "b"))))
    text = "free money, free money"
    result = check_draft(rules, post(text))
    assert sorted((f.start, f.hint) for f in result.findings) == [(0, "a"), (0, "b"), (12, "a"), (12, "b")]


# -- hashtags ------------------------------------------------------------------------------------
@pytest.mark.parametrize("tag", ["夏セール", "عروض", "распродажа", "SummerSale", "café", "cafe\u0301", "מבצע"])
def test_required_hashtag_in_several_scripts(tag):
    rules = policy(brand=BrandVoice(required_hashtags=(tag.upper(),)))
    assert rule_ids(check_draft(rules, post(f"Neu: #{tag} ab heute"))) == []
    missing = check_draft(rules, post(f"Neu: {tag} ab heute"))      # the word, not the hashtag
    assert rule_ids(missing) == ["brand.hashtag.required"]
    assert (missing.findings[0].start, missing.findings[0].end) == (-1, -1)


def test_required_hashtags_of_the_brand_and_of_each_account():
    rules = policy(
        brand=BrandVoice(required_hashtags=("#Northwind",)),
        accounts={"x:northwind": AccountPolicy("x:northwind", required_hashtags=("NorthwindUS",))},
    )
    result = check_draft(rules, post("Winter is here #northwind", MASTODON, X_US))
    [finding] = result.findings
    assert finding.rule_id == "brand.hashtag.required" and "NorthwindUS" in finding.message
    assert "x:northwind" in finding.message


def test_hashtags_are_not_read_inside_urls_or_after_letters_or_ampersands():
    rules = policy(brand=BrandVoice(forbidden_hashtags=(BannedPhrase("fail", "negative", WARNING),)))
    text = "See https://example.com/page#fail and C#fail and &#fail; but #FAIL is one."
    result = check_draft(rules, post(text))
    assert spans(result, "brand.hashtag.forbidden", text) == ["#FAIL"]
    assert result.findings[0].severity == WARNING


def test_forbidden_hashtag_in_hebrew_text_with_a_url():
    rules = policy(brand=BrandVoice(forbidden_hashtags=(BannedPhrase("כישלון", "negative"),)))
    text = "מבצע חורף! https://northwind.example/he #כישלון #מבצע"
    assert spans(check_draft(rules, post(text)), "brand.hashtag.forbidden", text) == ["#כישלון"]


# -- disclosure ----------------------------------------------------------------------------------
DISCLOSE = DisclosureRule("promo", ("promo",), ("#ad", "#sponsored", "Anzeige"), "promotions say #ad")


@pytest.mark.parametrize("text,ok", [
    ("Winter sale now on", False),
    ("Winter sale now on #Ad", True),
    ("Winter sale now on #sponsored 🎉", True),
    ("Winter-Sale jetzt (Anzeige)", True),
    ("Winter sale now on, ad free", False),           # the word is not the hashtag
    ("Winter sale now on #adidas", False),            # another hashtag
    ("Winter sale https://example.com/#ad", False),   # inside a URL
])
def test_disclosure(text, ok):
    result = check_draft(policy(disclosure=(DISCLOSE,)), post(text, tags=("Promo",)))
    assert rule_ids(result) == ([] if ok else ["disclosure.promo"])


def test_disclosure_only_for_posts_with_the_tags():
    assert rule_ids(check_draft(policy(disclosure=(DISCLOSE,)), post("Hello", tags=("news",)))) == []


# -- accessibility -------------------------------------------------------------------------------
def test_hashtag_limit_spans_from_the_first_extra_to_the_last():
    rules = policy(accessibility=AccessibilityRules(max_hashtags=2, camel_case_hashtags=False,
                                                    no_all_caps=False))
    text = "#夏セール #عروض now #распродажа and #SummerSale!"
    [finding] = check_draft(rules, post(text)).findings
    assert finding.rule_id == "a11y.hashtag_limit" and finding.severity == WARNING
    assert text[finding.start:finding.end] == "#распродажа and #SummerSale"


def test_camel_case_only_for_long_single_case_latin_hashtags():
    rules = policy(accessibility=AccessibilityRules(max_hashtags=None, no_all_caps=False))
    text = "#summersalenow #SUMMERSALE #SummerSaleNow #café #распродажавсем #夏のセール開催中 #sale2026now"
    result = check_draft(rules, post(text))
    assert spans(result, "a11y.camel_case", text) == ["#summersalenow", "#SUMMERSALE"]
    assert "CamelCase, e.g. #SummerSale" in result.findings[0].hint


@pytest.mark.parametrize("text,run", [
    ("HUGE WINTER SALE starts now", "HUGE WINTER SALE"),
    ("Only today: BIG #SALE TODAY, ONLY HERE!", "BIG #SALE TODAY, ONLY HERE"),
    ("ΜΕΓΑΛΗ ΠΡΟΣΦΟΡΑ ΣΗΜΕΡΑ μόνο", "ΜΕΓΑΛΗ ΠΡΟΣΦΟΡΑ ΣΗΜΕΡΑ"),
    ("Сегодня БОЛЬШАЯ РАСПРОДАЖА ВСЕГО", "БОЛЬШАЯ РАСПРОДАЖА ВСЕГО"),
    (f"{FAMILY} FAMILY FUN DAY {FLAG_PT}", "FAMILY FUN DAY"),
    ("WE ARE OPEN 24 HOURS", "WE ARE OPEN 24 HOURS"),
])
def test_all_caps_runs(text, run):
    rules = policy(accessibility=AccessibilityRules(max_hashtags=None, camel_case_hashtags=False))
    assert spans(check_draft(rules, post(text)), "a11y.all_caps", text) == [run]


@pytest.mark.parametrize("text", [
    "NASA and ESA launch together",
    "I LOVE IT",                                       # "I" neither counts nor breaks: 2 words
    "Follow @NORTHWIND_US @BIG_BRAND #WINTER #SALE now",
    "Visit HTTPS://EXAMPLE.COM/BIG-SALE-NOW today",
    "東京 SALE 開催 NOW",
])
def test_not_shouting(text):
    rules = policy(accessibility=AccessibilityRules(max_hashtags=None, camel_case_hashtags=False))
    assert rule_ids(check_draft(rules, post(text))) == []


def test_alt_text_is_required_on_every_image_and_blank_counts_as_missing():
    images = (Attachment("coat", "A wool coat on a snowy street"), Attachment("scarf", "  \n"),
              Attachment("hat"))
    result = check_draft(policy(accessibility=AccessibilityRules()), post("Winter", attachments=images))
    missing = [f for f in result.findings if f.rule_id == "a11y.alt_text"]
    assert [f.severity for f in missing] == [ERROR, ERROR]
    assert ["scarf" in missing[0].message, "hat" in missing[1].message] == [True, True]


# -- media ---------------------------------------------------------------------------------------
def test_media_limits_per_platform_and_instagram_needs_an_image():
    images = tuple(Attachment(f"img{n}", "alt") for n in range(5))
    result = check_draft(policy(), post("Look", MASTODON, X_US, Target("li", "linkedin"), attachments=images))
    assert sorted(rule_ids(result)) == ["media.mastodon.count", "media.x.count"]
    assert rule_ids(check_draft(policy(), post("Look", INSTAGRAM))) == ["media.instagram.required"]
    one = (Attachment("img", "alt"),)
    assert rule_ids(check_draft(policy(), post("Look", INSTAGRAM, attachments=one))) == []



def test_instagram_captions_over_the_reported_hashtag_cap_get_a_warning_its_variant_can_fix():
    one = (Attachment("img", "alt"),)
    tags = "Winter walks #a #b #c #d #e #f"
    relaxed = policy(accessibility=AccessibilityRules(max_hashtags=None))
    result = check_draft(relaxed, post(tags, INSTAGRAM, MASTODON, attachments=one))
    assert [(f.rule_id, f.severity) for f in result.findings] == [("length.instagram.hashtags", WARNING)]
    shorter = post(tags, INSTAGRAM, MASTODON, attachments=one, variants={"instagram": "Winter walks #a"})
    assert rule_ids(check_draft(relaxed, shorter)) == []

# -- regions -------------------------------------------------------------------------------------
REGIONS = {
    "EU": RegionRules("EU", banned=(BannedPhrase("Black Friday", "say Winter Sale in the EU"),),
                      requirements=(RegionRequirement("terms", ("promo",), "northwind.example/eu-terms",
                                                      "EU promotions link their terms"),
                                    RegionRequirement("imprint", (), "Impressum", "always the imprint",
                                                      WARNING))),
}


def test_region_rules_apply_to_targets_of_the_region_only():
    rules = policy(regions=REGIONS)
    text = "Black Friday deals! Impressum: northwind.example/imprint"
    us_only = check_draft(rules, post(text, X_US, tags=("promo",)))
    assert rule_ids(us_only) == []
    eu = check_draft(rules, post(text, MASTODON, X_US, tags=("promo",)))
    assert rule_ids(eu) == ["region.EU.terms", "region.EU.banned"]
    assert spans(eu, "region.EU.banned", text) == ["Black Friday"]


def test_region_requirements_by_tags_and_case_insensitive_text():
    rules = policy(regions=REGIONS)
    text = "Winter sale, terms at https://NORTHWIND.example/EU-terms"
    assert rule_ids(check_draft(rules, post(text, MASTODON, tags=("promo",)))) == ["region.EU.imprint"]
    assert rule_ids(check_draft(rules, post("News", MASTODON))) == ["region.EU.imprint"]


def test_account_region_is_used_when_the_target_has_none():
    rules = policy(regions=REGIONS, accounts={"m": AccountPolicy("m", region="EU")})
    result = check_draft(rules, post("Black Friday Impressum", Target("m", "mastodon")))
    assert rule_ids(result) == ["region.EU.banned"]


# -- privacy -------------------------------------------------------------------------------------
PRIVATE_TEXT = ("Hi @anna@mastodon.social, mail anna.k@example.com or call +44 20 7946 0958 "
                "about order ORD-2026-88123.")


@pytest.mark.parametrize("context,expected", [
    ("post", ["privacy.email", "privacy.phone", "privacy.order_number"]),
    (CONTEXT_PUBLIC_REPLY, ["privacy.email", "privacy.phone", "privacy.order_number"]),
    (CONTEXT_PRIVATE_REPLY, []),
])
def test_privacy_depends_on_the_context(context, expected):
    result = check_draft(policy(privacy=PrivacyRules()), post(PRIVATE_TEXT, context=context))
    assert rule_ids(result) == expected
    if expected:
        assert spans(result, "privacy.email", PRIVATE_TEXT) == ["anna.k@example.com"]
        assert spans(result, "privacy.phone", PRIVATE_TEXT) == ["+44 20 7946 0958"]
        assert spans(result, "privacy.order_number", PRIVATE_TEXT) == ["order ORD-2026-88123"]


@pytest.mark.parametrize("text", [
    "Follow @northwind@mastodon.social and @north.bsky.social",
    "Reach @user@host.example or https://mastodon.social/@user",
    "Price: $1,299.00 or €1.299,00, from 2026-11-26 to 26/11/2026 (26.11.2026), 10:30-18:00",
    "Deployed at 2026-11-26T10:30:00Z, build 20261126T103000, version 3.14159265",
    "Order today and save 20%! Order now.",
])
def test_no_privacy_finding_in(text):
    assert rule_ids(check_draft(policy(privacy=PrivacyRules()), post(text))) == []


@pytest.mark.parametrize("phone", [
    "+1 (555) 010-0199", "(555) 010-0199", "06 12 34 56 78", "0612345678", "+81 3-1234-5678",
    "+49 30 901820", "0049.30.1234.5678",
])
def test_phone_formats(phone):
    text = f"Call us on {phone}, thanks!"
    result = check_draft(policy(privacy=PrivacyRules()), post(text))
    assert spans(result, "privacy.phone", text) == [phone]


def test_long_order_numbers_are_not_also_phone_numbers():
    text = "Your order #12345678901 ships today"
    result = check_draft(policy(privacy=PrivacyRules()), post(text))
    assert rule_ids(result) == ["privacy.order_number"]


def test_a_broken_order_pattern_disables_that_rule_only():
    rules = policy(privacy=PrivacyRules(order_number_pattern="order (unclosed"))
    result = check_draft(rules, post("order ABC-1234567 at anna@example.com"))
    assert rule_ids(result) == ["privacy.email"]


# -- length --------------------------------------------------------------------------------------
def test_length_finding_and_counter_per_platform():
    text = "a" * 281
    result = check_draft(policy(), post(text, X_US, Target("x2", "x"), MASTODON))
    assert [(c.platform, c.used, c.limit, c.unit) for c in result.counters] == [
        ("x", 281, 280, "weighted"), ("mastodon", 281, 500, "characters")]
    [finding] = result.findings
    assert (finding.rule_id, finding.start, finding.end) == ("length.x", 280, 281)


def test_length_span_starts_at_the_first_grapheme_that_does_not_fit():
    from integrations.text_length import grapheme_count

    text = (FAMILY + " Familien-Wochenende " + FLAG_PT + WAVE_TONE + " ") * 15
    result = check_draft(policy(), post(text, Target("b", "bluesky")))
    [counter] = result.counters
    assert counter.unit == "graphemes" and counter.used == grapheme_count(text) > 300
    [finding] = result.findings
    assert grapheme_count(text[:finding.start]) == 300 and finding.end == len(text)


def test_bluesky_bytes_can_be_over_when_graphemes_are_not():
    text = FAMILY * 150                                  # 150 graphemes, 3,750 bytes
    [finding] = check_draft(policy(), post(text, Target("b", "bluesky"))).findings
    assert "bytes" in finding.message
    assert len(text[:finding.start].encode()) <= 3000 < len(text[:finding.start + 1].encode())


def test_mastodon_counts_urls_as_23_and_unknown_platforms_have_no_counter():
    text = "x" * 470 + " https://northwind.example/" + "a" * 100
    result = check_draft(policy(), post(text, MASTODON, Target("m", "myspace")))
    assert [(c.platform, c.used) for c in result.counters] == [("mastodon", 494)]
    assert result.findings == ()


# -- variants, contexts, order ---------------------------------------------------------------------
def test_variants_are_checked_with_their_platform_and_identical_ones_once():
    main = "Fun guaranteed this weekend"
    variants = {"x": "Fun GUARANTEED 🎉", "mastodon": main, "linkedin": "not a target: guaranteed"}
    result = check_draft(policy(), post(main, MASTODON, X_US, variants=variants))
    banned = [(f.platform, f.start) for f in result.findings if f.rule_id == "brand.banned"]
    assert banned == [("", 4), ("x", 4)]
    assert variants["x"][4:14] == "GUARANTEED"


def test_a_blank_variant_means_the_main_text():
    result = check_draft(policy(), post("guaranteed", X_US, variants={"x": "  "}))
    assert [(f.rule_id, f.platform) for f in result.findings] == [("brand.banned", "")]


def test_replies_skip_post_only_rules():
    rules = policy(brand=BrandVoice(banned=(BannedPhrase("guaranteed", "no"),), required_hashtags=("Northwind",)),
                   disclosure=(DISCLOSE,), regions=REGIONS,
                   accessibility=AccessibilityRules(max_hashtags=0), privacy=PrivacyRules())
    text = "GUARANTEED TO ARRIVE TODAY, email anna@example.com #sorry"
    public = check_reply(rules, text, MASTODON, public=True)
    assert sorted(rule_ids(public)) == ["a11y.all_caps", "brand.banned", "privacy.email"]
    private = check_reply(rules, text, MASTODON, public=False)
    assert sorted(rule_ids(private)) == ["a11y.all_caps", "brand.banned"]
    assert [c.platform for c in private.counters] == ["mastodon"]


def test_findings_are_sorted_errors_first_then_by_offset():
    rules = policy(accessibility=AccessibilityRules(max_hashtags=None, camel_case_hashtags=False),
                   brand=BrandVoice(banned=(BannedPhrase("cheap", "w", WARNING), BannedPhrase("guaranteed", "e")),
                                    required_hashtags=("Northwind",)))
    text = "cheap THINGS ARE HERE, guaranteed"
    result = check_draft(rules, post(text))
    assert [(f.severity, f.start) for f in result.findings] == [
        (ERROR, -1), (ERROR, 23), (WARNING, 0), (WARNING, 6)]


# -- risk ----------------------------------------------------------------------------------------
RISK = (
    RiskTopic("prices", "medium", words=("discount",), patterns=(r"[$€£]\s?\d",)),
    RiskTopic("health", "high", words=("immune system", "免疫")),
    RiskTopic("competitors", "medium", tags=("comparison",)),
    RiskTopic("broken", "high", patterns=("(unclosed",)),
)


@pytest.mark.parametrize("text,tags,risk,reasons", [
    ("Cosy socks for winter", (), "low", ()),
    ("A 20% DISCOUNT on coats", (), "medium", ("prices",)),
    ("Coats from €49", (), "medium", ("prices",)),
    ("Boost your immune\nsystem with €5 tea", (), "high", ("prices", "health")),
    ("この冬は免疫力アップ", ("Comparison",), "high", ("health", "competitors")),
    ("See https://example.com/discount", (), "low", ()),
])
def test_risk(text, tags, risk, reasons):
    result = check_draft(policy(risk_topics=RISK), post(text, tags=tags))
    assert (result.risk, result.risk_reasons) == (risk, reasons)
    assert result.findings == ()


def test_checkers_are_compiled_once_per_policy_object():
    rules = policy()
    assert checker_for(rules) is checker_for(rules)
    assert checker_for(policy()) is not checker_for(rules)
    assert isinstance(checker_for(rules), PolicyChecker)
