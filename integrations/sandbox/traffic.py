"""Deterministic sandbox traffic: when items arrive and what they say.

Item ``n`` of an account is a pure function of ``(seed, account_id, n)``: its
kind, thread, author and text come from draws keyed by
``f"{seed}:{account_id}:{n}"`` (see :mod:`._draws`), plus the same function
of a few earlier items when it is a follow-up in their thread.

Arrival times: item numbers are cut into blocks of ``TIME_BLOCK``; block ``k``
covers exactly ``TIME_BLOCK`` mean gaps of time after the epoch and its items
arrive at sorted uniform offsets inside it. That is a Poisson process at
``rate_per_hour`` conditioned on the count per block: bursts and lulls, the
right average, and O(1) random access (time of item n, items arrived by t)
without summing every earlier gap.
"""

from __future__ import annotations

import bisect
import string
import zlib
from dataclasses import fields
from datetime import datetime, timedelta
from typing import NamedTuple

from integrations.base import AccountRef, Author, InboundItem, ItemKind

from . import corpus_en, corpus_intl
from ._draws import SCALE, Draws
from .accounts import BRAND_NAME, LANGUAGE_MIX, PLATFORM, SANDBOX_HOST, account_short
from .hostile import HOSTILE_AUTHORS, HOSTILE_EVERY, HOSTILE_TEXTS
from .people import POOL_SIZE, author_pool

# _item builds InboundItem positionally; fail loudly if the contract reorders it.
assert [f.name for f in fields(InboundItem)] == [
    "platform", "account_id", "remote_id", "kind", "thread_id", "author", "text",
    "created_at", "parent_remote_id", "url", "language",
], "integrations.base.InboundItem fields changed; update TrafficStream._item"

TIME_BLOCK = 32          # items per timeline block
FOLLOWUP_P = 0.30        # chance an item continues an earlier thread
LOOKBACK_MAX = 120       # how many items back a follow-up may reach
MAX_DEPTH = 6            # longest reply chain
ITEMS_PER_POST = 240     # the brand posts about every 240 items (6 h at 40/h)

TEMPLATES: dict[str, dict[str, tuple[str, ...]]] = {
    "en": corpus_en.TEMPLATES,
    "es": corpus_intl.ES_TEMPLATES,
    "ja": corpus_intl.JA_TEMPLATES,
    "ar": corpus_intl.AR_TEMPLATES,
    "he": corpus_intl.HE_TEMPLATES,
}
VOCAB: dict[str, dict[str, tuple[str, ...]]] = {
    "en": corpus_en.VOCAB,
    "es": corpus_intl.ES_VOCAB,
    "ja": corpus_intl.JA_VOCAB,
    "ar": corpus_intl.AR_VOCAB,
    "he": corpus_intl.HE_VOCAB,
}
DAYS: dict[str, tuple[int, int]] = {
    "en": corpus_en.DAYS, "es": corpus_intl.ES_DAYS, "ja": corpus_intl.JA_DAYS,
    "ar": corpus_intl.AR_DAYS, "he": corpus_intl.HE_DAYS,
}

_ROOT_INTENTS: dict[ItemKind, tuple[tuple[str, float], ...]] = {
    ItemKind.COMMENT: (
        ("praise", 0.26), ("q_sizing", 0.09), ("q_shipping", 0.07), ("q_returns", 0.04),
        ("q_stock", 0.10), ("neutral", 0.12), ("complaint", 0.11), ("angry", 0.04),
        ("spam", 0.05), ("tag_friend", 0.08), ("order_status", 0.04),
    ),
    ItemKind.DM: (
        ("order_status", 0.30), ("q_returns", 0.12), ("q_shipping", 0.12), ("q_sizing", 0.08),
        ("q_stock", 0.06), ("complaint", 0.14), ("angry", 0.08), ("praise", 0.07), ("spam", 0.03),
    ),
    ItemKind.MENTION: (
        ("praise", 0.34), ("complaint", 0.20), ("angry", 0.10), ("neutral", 0.14),
        ("q_shipping", 0.05), ("q_stock", 0.07), ("order_status", 0.06), ("spam", 0.04),
    ),
}
_KINDS = ((ItemKind.COMMENT, 0.55), (ItemKind.MENTION, 0.20), (ItemKind.DM, 0.25))

_SENTIMENT = {
    "praise": "pos", "tag_friend": "pos", "fu_thanks": "pos",
    "complaint": "neg", "fu_waiting": "neg", "angry": "angry",
}
_NEGATIVE_ROOTS = frozenset({"complaint", "angry", "order_status", "q_returns", "fu_waiting"})

_EMOJI = {
    "pos": ("😍", "🔥", "🙌", "❤️", "✨", "👏", "🏔️", "⛺", "🥾", "💚", "👍🏽", "🙌🏾", "❤️‍🔥", "🤩", "🧗‍♀️"),
    "neu": ("🙂", "🤔", "👀", "🙏", "📦", "🧐", "🏃‍♂️", "🇨🇦", "🇲🇽", "🇯🇵"),
    "neg": ("😞", "😕", "🙄", "😩", "👎", "😒"),
    "angry": ("😡", "🤬", "😤", "💢", "👎🏻"),
}
# Catalogue indices of things people wear, with sizes and zippers.
_GARMENTS = (0, 1, 3, 4, 8)
_NO_CLOSER = frozenset({"spam", "tag_friend", "fu_waiting", "fu_thanks", "fu_same", "fu_detail"})
_SENTENCE_END = frozenset(".!?…。!?؟)")
_POST_LOOKBACK = (0, 0, 0, 0, 0, 0, 1, 1, 1, 2, 3)
_B36 = "0123456789abcdefghijklmnopqrstuvwxyz"
_TABLE_SIZE = 1000


def _table(pairs) -> tuple:
    """A lookup table: ``table[int(u * _TABLE_SIZE)]`` picks by weight in O(1)."""
    total = sum(w for _, w in pairs)
    out: list = []
    acc = 0.0
    for value, w in pairs:
        acc += w
        out.extend([value] * (round(acc / total * _TABLE_SIZE) - len(out)))
    return tuple(out)


_ROOT_INTENT = {kind: _table(pairs) for kind, pairs in _ROOT_INTENTS.items()}
_KIND = _table(_KINDS)
_LANG = {lang: _table(mix) for lang, mix in LANGUAGE_MIX.items()}


def _parse(templates: dict[str, dict[str, tuple[str, ...]]]):
    fmt = string.Formatter()
    return {
        lang: {
            intent: tuple((t, tuple(f for _, f, _, _ in fmt.parse(t) if f)) for t in tpls)
            for intent, tpls in by_intent.items()
        }
        for lang, by_intent in templates.items()
    }


_PARSED = _parse(TEMPLATES)


def template_count() -> int:
    """How many distinct sentence templates the corpus has (all languages)."""
    return sum(len(t) for by_intent in TEMPLATES.values() for t in by_intent.values())


class _Skeleton(NamedTuple):
    kind: ItemKind
    thread_id: str
    author: Author
    lang: str
    depth: int
    intent: str
    product: int
    parent: int          # item number replied to, -1 for a thread root
    post: int            # brand post number for comments, -1 otherwise


class Timeline:
    """Arrival times of one account's items (see the module docstring)."""

    def __init__(self, seed: int, account_id: str, epoch: datetime, rate_per_hour: float) -> None:
        if not rate_per_hour > 0:
            raise ValueError("rate_per_hour must be positive")
        if epoch.tzinfo is None:
            raise ValueError("epoch must be timezone-aware")
        self.epoch = epoch
        self.gap_us = max(1, round(3_600_000_000 / rate_per_hour))
        self._span = TIME_BLOCK * self.gap_us
        self._key = f"{seed}:{account_id}:t"
        self._blocks: dict[int, list[int]] = {}

    def block(self, k: int) -> list[int]:
        """Offsets (µs after the epoch) of items ``k*TIME_BLOCK ..`` in order."""
        offs = self._blocks.get(k)
        if offs is None:
            if len(self._blocks) > 4096:
                self._blocks.clear()
            d, span, base = Draws(f"{self._key}{k}"), self._span, k * self._span
            offs = sorted(base + int(d.u() * span) for _ in range(TIME_BLOCK))
            self._blocks[k] = offs
        return offs

    def offset_us(self, n: int) -> int:
        return self.block(n // TIME_BLOCK)[n % TIME_BLOCK]

    def time_of(self, n: int) -> datetime:
        return self.epoch + timedelta(microseconds=self.offset_us(n))

    def count_until(self, t: datetime) -> int:
        """How many items have ``created_at <= t`` (items 0 .. result-1)."""
        delta = t - self.epoch
        if delta < timedelta(0):
            return 0
        s = (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds
        k = s // self._span
        return k * TIME_BLOCK + bisect.bisect_right(self.block(k), s)


class TrafficStream:
    """All items of one account for one seed, epoch and rate."""

    def __init__(self, account: AccountRef, seed: int, epoch: datetime,
                 rate_per_hour: float = 40.0) -> None:
        self.account = account
        self.seed = seed
        self.short = account_short(account)
        self.timeline = Timeline(seed, account.account_id, epoch, rate_per_hour)
        self._key = f"{seed}:{account.account_id}:"
        self._lang = _LANG.get(account.language, _LANG["en"])
        self._pools = {lang: author_pool(lang) for lang in TEMPLATES}
        self._brand_handle = account.handle or "@" + self.short
        self._posts_url = f"{SANDBOX_HOST}/{self._brand_handle.lstrip('@')}/posts/"
        self._skeletons: dict[int, _Skeleton] = {}
        self._hostile_pos: dict[int, int] = {}

    # -- structure ---------------------------------------------------------

    def remote_id(self, n: int) -> str:
        return f"{self.short}-{n:08d}"

    def is_hostile(self, n: int) -> bool:
        block = n // HOSTILE_EVERY
        pos = self._hostile_pos.get(block)
        if pos is None:
            pos = zlib.crc32(f"{self._key}h{block}".encode()) % HOSTILE_EVERY
            self._hostile_pos[block] = pos
        return n % HOSTILE_EVERY == pos

    def _skeleton_of(self, n: int) -> _Skeleton:
        sk = self._skeletons.get(n)
        if sk is None:
            sk = self._skeleton(n, Draws(f"{self._key}{n}"), self.is_hostile(n))
        return sk

    def _skeleton(self, n: int, d: Draws, hostile: bool) -> _Skeleton:
        """Thread structure of item n from its first eight draws (cached)."""
        w1, w2, w3, w4, w5, w6, w7, w8 = d.raw(8)
        S = SCALE
        w_follow, w_look, w_kind, w_lang = w1 * S, w2 * S, w3 * S, w4 * S
        w_author, w_post, w_intent, w_same = w5 * S, w6 * S, w7 * S, w8 * S
        sk = None
        if w_follow < FOLLOWUP_P:
            p = n - 1 - int(w_look * w_look * LOOKBACK_MAX)
            if p >= 0:
                ps = self._skeleton_of(p)
                if ps.depth < MAX_DEPTH:
                    sk = self._follow_up(p, ps, w_author, w_intent, w_same)
        if sk is None:
            sk = self._root(n, hostile, w_kind, w_lang, w_author, w_post, w_intent, w_same)
        if len(self._skeletons) > 50_000:
            self._skeletons.clear()
        self._skeletons[n] = sk
        return sk

    def _follow_up(self, p, ps, w_author, w_intent, w_same) -> _Skeleton:
        if ps.kind is ItemKind.DM or w_same < 0.5:
            author = ps.author          # the same person writes again
            if ps.intent in _NEGATIVE_ROOTS:
                intent = "fu_waiting" if w_intent < 0.5 else ("fu_detail" if w_intent < 0.75 else "fu_thanks")
            else:
                intent = "fu_detail" if w_intent < 0.35 else ("fu_thanks" if w_intent < 0.7 else "fu_waiting")
        else:
            author = self._pools[ps.lang][int(POOL_SIZE * w_author ** 1.6)]
            intent = "fu_same" if w_intent < 0.5 else _ROOT_INTENT[ps.kind][int((w_intent - 0.5) * 2 * _TABLE_SIZE)]
        return _Skeleton(ps.kind, ps.thread_id, author, ps.lang, ps.depth + 1, intent,
                         ps.product, p, ps.post)

    def _root(self, n, hostile, w_kind, w_lang, w_author, w_post, w_intent, w_same) -> _Skeleton:
        kind = _KIND[int(w_kind * _TABLE_SIZE)]
        lang = self._lang[int(w_lang * _TABLE_SIZE)]
        if hostile and w_same < 0.5:
            author = HOSTILE_AUTHORS[int(w_author * len(HOSTILE_AUTHORS))]
        else:
            # Skewed towards the start of the pool: some people write a lot.
            author = self._pools[lang][int(POOL_SIZE * w_author ** 1.6)]
        intent = _ROOT_INTENT[kind][int(w_intent * _TABLE_SIZE)]
        post = -1
        product = int(w_same * 10) % 10
        if kind is ItemKind.COMMENT:
            post = max(0, n // ITEMS_PER_POST - _POST_LOOKBACK[int(w_post * len(_POST_LOOKBACK))])
            thread_id = f"{self.short}-post-{post:06d}"
            if w_same < 0.7:
                product = (post * 7) % 10   # what the post is about
        elif kind is ItemKind.DM:
            thread_id = f"{self.short}-dm-{author.remote_id}"
        else:
            thread_id = self.remote_id(n)
        return _Skeleton(kind, thread_id, author, lang, 0, intent, product, -1, post)

    # -- items ---------------------------------------------------------------

    def item(self, n: int) -> InboundItem:
        return self._item(n, self.timeline.time_of(n), self.is_hostile(n))

    def items(self, start: int, count: int) -> list[InboundItem]:
        """Items ``start .. start+count-1``; the bulk path, so a little unrolled."""
        tl, item, is_hostile = self.timeline, self._item, self.is_hostile
        epoch, stop, out = tl.epoch, start + count, []
        for k in range(start // TIME_BLOCK, (stop - 1) // TIME_BLOCK + 1):
            offsets, base = tl.block(k), k * TIME_BLOCK   # one timeline block at a time
            for n in range(max(start, base), min(stop, base + TIME_BLOCK)):
                out.append(item(n, epoch + timedelta(microseconds=offsets[n - base]), is_hostile(n)))
        return out

    def _item(self, n: int, created_at: datetime, hostile: bool) -> InboundItem:
        d = Draws(f"{self._key}{n}")
        sk = self._skeleton(n, d, hostile)
        remote_id = f"{self.short}-{n:08d}"
        if hostile:
            text, lang = HOSTILE_TEXTS[d.below(len(HOSTILE_TEXTS))]
        else:
            text, lang = self._text(sk, d), sk.lang
        kind, thread_id, author = sk.kind, sk.thread_id, sk.author
        if kind is ItemKind.COMMENT:
            url = f"{self._posts_url}{sk.post}#comment-{remote_id}"
        elif kind is ItemKind.DM:
            url = f"{SANDBOX_HOST}/messages/{thread_id}#{remote_id}"
        else:
            url = f"{SANDBOX_HOST}/{author.handle[1:]}/status/{remote_id}"
        parent = sk.parent
        # Positional for speed (keywords cost 2x); field order checked at import.
        return InboundItem(
            PLATFORM, self.account.account_id, remote_id, kind, thread_id, author, text,
            created_at, f"{self.short}-{parent:08d}" if parent >= 0 else None, url, lang,
        )

    def comment_text(self, author: Author, lang: str, intent: str, product: int, thread_id: str,
                     d: Draws) -> str:
        """The text of one comment with these traits, in this account's voice (the
        replies a post published on the sandbox draws: see ``replies.py``)."""
        sk = _Skeleton(ItemKind.COMMENT, thread_id, author, lang, 0, intent, product, -1, -1)
        return self._text(sk, d)

    def _text(self, sk: _Skeleton, d: Draws) -> str:
        """Template, slots, then the trimmings people add: greeting, sign-off,
        the brand's handle in a mention, emoji, hashtags."""
        lang, intent, kind = sk.lang, sk.intent, sk.kind
        vocab = VOCAB[lang]
        tpl, needed = d.pick(_PARSED[lang][intent])
        if needed:
            slots = {}
            for f in needed:
                if f == "product":
                    slots[f] = vocab["product"][sk.product]
                elif f == "garment":
                    g = sk.product if sk.product in _GARMENTS else _GARMENTS[d.below(len(_GARMENTS))]
                    slots[f] = vocab["product"][g]
                elif f == "order":
                    # Stable per author and thread, so follow-ups quote the same order.
                    h = zlib.crc32(f"{self.seed}:{sk.author.remote_id}:{sk.thread_id}".encode())
                    slots[f] = f"#NW-{10000 + h % 90000}"
                elif f == "days":
                    lo, hi = DAYS[lang]
                    slots[f] = lo + d.below(hi - lo + 1)
                elif f == "brand":
                    slots[f] = self._brand_handle if kind is ItemKind.MENTION else BRAND_NAME
                elif f == "friend":
                    slots[f] = self._pools[lang][d.below(POOL_SIZE)].handle
                elif f == "link":
                    token = "".join(_B36[d.below(36)] for _ in range(7))
                    path = "l" if intent == "spam" else "media"
                    slots[f] = f"{SANDBOX_HOST}/{path}/{token}"
                else:
                    slots[f] = d.pick(vocab[f])
            text = tpl.format_map(slots)
        else:
            text = tpl
        ja = lang == "ja"
        sep = "" if ja else " "
        sentiment = _SENTIMENT.get(intent, "neu")
        w1, w2, w3, w4, w5 = d.raw(5)
        S = SCALE
        r_open, r_close, r_emoji, r_tag, r_where = w1 * S, w2 * S, w3 * S, w4 * S, w5 * S
        if kind is ItemKind.DM and sk.depth == 0 and r_open < 0.45:
            text = d.pick(vocab["opener"]) + sep + text
        if r_close < 0.18 and intent not in _NO_CLOSER:
            closers = vocab["closer_pos" if sentiment == "pos" else
                            "closer_neu" if sentiment == "neu" else "closer_neg"]
            if text[-1] not in _SENTENCE_END:
                text += "。" if ja else "."
            text = text + sep + d.pick(closers)
        if "link" in needed:
            sep = " "       # never glue anything onto a URL
        if kind is ItemKind.MENTION and "brand" not in needed:
            text = f"{self._brand_handle} {text}" if r_where < 0.5 else f"{text} {self._brand_handle}"
            sep = " "
        p_emoji = 0.5 if sentiment == "pos" else 0.35 if sentiment == "angry" else 0.2
        if r_emoji < p_emoji:
            emoji = d.pick(_EMOJI[sentiment])
            if r_emoji < 0.07:
                emoji *= 1 + d.below(3)
            text = text + (sep if r_where < 0.5 else " ") + emoji
        if kind is not ItemKind.DM and sentiment == "pos" and r_tag < 0.3:
            tags = vocab["hashtag"]
            i = d.below(len(tags))
            text = text + " " + tags[i]
            if r_tag < 0.08:
                text = text + " " + tags[(i + 1 + d.below(len(tags) - 1)) % len(tags)]
        return text


def generate_items(account: AccountRef, seed: int, start: int, count: int,
                   epoch: datetime, *, rate_per_hour: float = 40.0) -> list[InboundItem]:
    """Items ``start .. start+count-1`` of ``account``, oldest first, without async.

    The same items :class:`SandboxAdapter` returns for the same seed, epoch
    and rate. For demos and benchmarks (``socops sandbox seed``).
    """
    if start < 0 or count < 0:
        raise ValueError("start and count must not be negative")
    return TrafficStream(account, seed, epoch, rate_per_hour).items(start, count)
