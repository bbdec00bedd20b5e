"""What sandbox traffic says: languages, scripts, variety, hostile samples."""

from __future__ import annotations

import re
import string
from collections import Counter
from datetime import datetime, timezone

import pytest

from integrations.base import ItemKind
from integrations.sandbox import (
    HOSTILE_AUTHORS,
    HOSTILE_EVERY,
    HOSTILE_TEXTS,
    SANDBOX_ACCOUNTS,
    generate_items,
    template_count,
)
from integrations.sandbox.traffic import TEMPLATES, VOCAB

EPOCH = datetime(2024, 3, 1, tzinfo=timezone.utc)

CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
ARABIC = re.compile(r"[\u0600-\u06ff]")
HEBREW = re.compile(r"[\u0590-\u05ff]")
EMOJI = re.compile(r"[\U0001F300-\U0001FAFF\u2600-\u27BF]")
HOSTILE = {text for text, _ in HOSTILE_TEXTS}


@pytest.fixture(scope="module")
def thousand():
    return {a.account_id: generate_items(a, 7, 0, 1000, EPOCH) for a in SANDBOX_ACCOUNTS}


@pytest.mark.parametrize("account", SANDBOX_ACCOUNTS, ids=lambda a: a.language)
def test_scripts_and_languages_in_1000_items(thousand, account):
    items = thousand[account.account_id]
    texts = [i.text for i in items]
    assert any(CJK.search(t) for t in texts)
    assert any(ARABIC.search(t) for t in texts)
    assert any(HEBREW.search(t) for t in texts)
    assert sum(bool(EMOJI.search(t)) for t in texts) > 100
    langs = Counter(i.language for i in items)
    assert langs.most_common(1)[0][0] == account.language
    assert langs[account.language] > 600
    assert {"en", "es", "ja", "ar", "he"} <= set(langs)
    # Authors write in several scripts too.
    names = [i.author.display_name for i in items]
    assert any(CJK.search(n) for n in names) and any(ARABIC.search(n) for n in names)
    assert any(HEBREW.search(n) for n in names)


@pytest.mark.parametrize("account", SANDBOX_ACCOUNTS, ids=lambda a: a.language)
def test_kinds_sentiment_and_details(thousand, account):
    items = thousand[account.account_id]
    kinds = Counter(i.kind for i in items)
    assert kinds[ItemKind.COMMENT] > 400 and kinds[ItemKind.DM] > 150 and kinds[ItemKind.MENTION] > 100
    texts = [i.text for i in items]
    assert sum("#NW-" in t for t in texts) > 30                      # order numbers
    assert any("https://sandbox.socops.invalid/" in t for t in texts)  # links
    assert any(re.search(r"(^|\s)#\w", t) for t in texts)             # hashtags
    assert any(t.startswith("@") for t in texts)                      # tags / mentions
    for item in items:
        if item.kind is ItemKind.MENTION and item.text not in HOSTILE:
            assert account.handle in item.text
        assert item.url and item.url.startswith("https://sandbox.socops.invalid/")
        assert item.author.handle.startswith("@") and item.author.remote_id


def test_sentiment_spread_in_english():
    items = generate_items(SANDBOX_ACCOUNTS[0], 7, 0, 2000, EPOCH)
    texts = [i.text for i in items]
    assert any(t in " ".join(texts) for t in ("never buy", "unacceptable", "Answer me"))
    assert any("Thank" in t or "thank" in t for t in texts)
    assert sum(t.rstrip().endswith("?") or "?" in t for t in texts) > 300


def test_variety():
    assert template_count() >= 250
    items = generate_items(SANDBOX_ACCOUNTS[0], 7, 0, 5000, EPOCH)
    distinct = len({i.text for i in items})
    assert distinct > 0.5 * len(items)
    authors = Counter(i.author.remote_id for i in items)
    assert len(authors) > 500
    assert authors.most_common(1)[0][1] >= 10  # some people write a lot


def test_every_language_has_every_intent_and_valid_slots():
    intents = set(TEMPLATES["en"])
    fmt = string.Formatter()
    for lang, by_intent in TEMPLATES.items():
        assert set(by_intent) == intents, lang
        for tpls in by_intent.values():
            assert tpls and len(set(tpls)) == len(tpls)
            for t in tpls:
                for _, field, _, _ in fmt.parse(t):
                    assert field is None or field in VOCAB[lang] or field in {
                        "garment", "order", "days", "brand", "friend", "link"}, (lang, t)
        assert len(VOCAB[lang]["product"]) == 10


def test_hostile_samples_are_rare_but_present():
    for account in SANDBOX_ACCOUNTS:
        items = generate_items(account, 7, 0, 1000, EPOCH)
        hostile = [i for i in items if i.text in HOSTILE]
        assert len(hostile) == 1000 // HOSTILE_EVERY
        for block in range(5):
            assert sum(1 for i in hostile if int(i.remote_id[-8:]) // HOSTILE_EVERY == block) == 1
    texts = [i.text for a in SANDBOX_ACCOUNTS for i in generate_items(a, 7, 0, 6000, EPOCH)]
    assert any("[bold red]FREE[/]" in t for t in texts)
    assert any("\x1b[" in t for t in texts)
    assert any("\x9b" in t for t in texts)
    assert any("\u202e" in t for t in texts)


def test_hostile_positions_depend_on_seed():
    def positions(seed):
        items = generate_items(SANDBOX_ACCOUNTS[0], seed, 0, 2000, EPOCH)
        return [n for n, i in enumerate(items) if i.text in HOSTILE]

    assert positions(1) != positions(2)


def test_hostile_authors_appear():
    handles = {a.handle for a in HOSTILE_AUTHORS}
    items = [i for a in SANDBOX_ACCOUNTS for i in generate_items(a, 7, 0, 10_000, EPOCH)]
    assert any(i.author.handle in handles for i in items)


def test_generate_items_bulk_sanity():
    # Not a timed assertion: the count is right and remote ids are unique.
    per_account = 100_000 // len(SANDBOX_ACCOUNTS) + 1
    ids: set[str] = set()
    total = 0
    for account in SANDBOX_ACCOUNTS:
        items = generate_items(account, 7, 0, per_account, EPOCH)
        assert len(items) == per_account
        total += len(items)
        ids.update(i.remote_id for i in items)
    assert total >= 100_000 and len(ids) == total


def test_generate_items_edges():
    assert generate_items(SANDBOX_ACCOUNTS[0], 7, 5, 0, EPOCH) == []
    with pytest.raises(ValueError):
        generate_items(SANDBOX_ACCOUNTS[0], 7, -1, 5, EPOCH)
    far = generate_items(SANDBOX_ACCOUNTS[0], 7, 9_999_990, 3, EPOCH)
    assert [i.remote_id for i in far][0] == "northwind_en-09999990"
