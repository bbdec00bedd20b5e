"""console.policy.text and the privacy patterns: links, mentions, hashtags,
emails, phrases, and the Unicode tables they rest on."""

from __future__ import annotations

import re
import sys
import unicodedata

from console.policy.rules import find_emails
from console.policy.text import MARKS, WORD, PhraseIndex, TextScan, find_links, is_word_char


def test_marks_class_holds_every_combining_mark_and_nothing_that_is_not_a_word_part():
    marks = re.compile(f"[{MARKS}]")
    word = re.compile(r"\w")
    missing, extra = [], []
    for cp in list(range(0x20000)) + list(range(0xE0100, 0xE01F0)):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if category[0] == "M" and not marks.match(ch):
            missing.append(hex(cp))
        if marks.match(ch) and not (category[0] == "M" or category == "Cn" or word.match(ch)):
            extra.append(hex(cp))
    # Unicode grows: a newer Python may know marks this table predates.
    if sys.version_info[:2] == (3, 11):
        assert missing == []
    assert extra == []


def test_the_word_pattern_and_the_word_test_agree():
    pattern = re.compile(WORD)
    for cp in range(0x20000):
        ch = chr(cp)
        if is_word_char(ch):
            assert pattern.match(ch), hex(cp)


def test_links_with_and_without_a_scheme():
    text = ("Shop https://northwind.example/winter?utm=1. Or www.Northwind.example, northwind.shop, "
            "northwind.example/fit! Not: e.g. great.It's, v2.0, bob@example.com")
    assert [text[a:b] for a, b in find_links(text)] == [
        "https://northwind.example/winter?utm=1", "www.Northwind.example", "northwind.shop",
        "northwind.example/fit"]


def test_mentions_local_remote_and_bluesky_handles_but_not_emails():
    text = "Thanks @ana, @ana@mastodon.social and @studio.bsky.social! Mail ana@example.com."
    scan = TextScan(text)
    assert [text[a:b] for a, b in scan.mentions] == [
        "@ana", "@ana@mastodon.social", "@studio.bsky.social"]


def test_hashtags_in_several_scripts_with_their_spans():
    text = ("冬の #夏セール、#عروض الشتاء, #распродажа, #SummerSale, #cafe\u0301 y #café; "
            "#2026 is no tag, A&#39; neither, https://x.example/#anchor neither")
    scan = TextScan(text)
    assert [tag.tag for tag in scan.hashtags] == [
        "夏セール", "عروض", "распродажа", "SummerSale", "cafe\u0301", "café"]
    assert all(text[t.start:t.end] == "#" + t.tag for t in scan.hashtags)
    assert "summersale" in scan.hashtag_set


def test_emails_are_not_fediverse_mentions():
    text = ("Write to anna.k+orders@example.co.uk or to José@correo.example, not to "
            "@user@mastodon.social, nor @user@host, nor user@localhost")
    assert [text[a:b] for a, b in find_emails(text)] == [
        "anna.k+orders@example.co.uk", "José@correo.example"]


def test_phrase_index_reports_every_occurrence_of_every_phrase():
    index = PhraseIndex(["free", "Free Money", "激安", "激安セール", "  "])
    text = "FREE money! 激安セール and freely free"
    found = sorted((m.start, m.end, m.phrase) for m in index.find(TextScan(text)))
    assert found == [(0, 4, "free"), (0, 10, "free money"), (12, 14, "激安"), (12, 17, "激安セール"),
                     (29, 33, "free")]


def test_phrase_boundaries_count_combining_marks_as_part_of_the_word():
    index = PhraseIndex(["cafe"])
    assert index.find(TextScan("un cafe\u0301 noir")) == []
    assert [m.phrase for m in index.find(TextScan("un cafe noir"))] == ["cafe"]
