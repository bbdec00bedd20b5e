"""The comments a post published on the sandbox draws over the following minutes.

A handful of people (three to six) answer each post within about ten
minutes, in the account's language, from the same pools and sentence
templates as the rest of the sandbox's traffic: praise, questions about
sizes, stock and shipping, a friend tagged, the odd complaint or spam. A
comment asks about the product the post names, when it names one. All of it
is a pure function of the seed, the account and the post's remote id, so a
post draws the same comments in every process and on every run.

Each comment replies to the post (``parent_remote_id`` is the post's remote
id), shares the post's thread (its remote id), and has a remote id of its own
(``<post remote id>-c<i>``), so the inbox groups them and stores each once.
"""

from __future__ import annotations

from datetime import timedelta

from integrations.base import AccountRef, InboundItem, ItemKind

from ._draws import Draws
from .accounts import PLATFORM
from .people import POOL_SIZE, author_pool
from .platform import SandboxPost
from .traffic import TEMPLATES, VOCAB, TrafficStream

#: Comments come from this long after the post until this long after it.
FIRST_REPLY_AFTER = timedelta(seconds=20)
REPLY_WINDOW = timedelta(minutes=10)
MIN_REPLIES, MAX_REPLIES = 3, 6

_INTENTS = (("praise", 0.32), ("q_sizing", 0.10), ("q_stock", 0.12), ("q_shipping", 0.08), ("neutral", 0.12),
            ("tag_friend", 0.10), ("complaint", 0.08), ("q_returns", 0.04), ("spam", 0.04))
#: The word that names each catalogue product in every language ("Ridgeline", "Summit", ...).
_PRODUCT_WORDS = tuple(name.split()[0].lower() for name in VOCAB["en"]["product"])


def _intent(u: float) -> str:
    for name, weight in _INTENTS:
        u -= weight
        if u < 0:
            return name
    return _INTENTS[0][0]


def product_named(text: str) -> int | None:
    """The catalogue product the post names (its index), if any."""
    lowered = text.lower()
    return next((i for i, word in enumerate(_PRODUCT_WORDS) if word in lowered), None)


def replies_to(post: SandboxPost, account: AccountRef, stream: TrafficStream, seed: int) -> list[InboundItem]:
    """Every comment ``post`` draws, oldest first (whether or not its time has come).

    A deleted post draws no comment after it was deleted."""
    d = Draws(f"{seed}:{account.account_id}:replies:{post.remote_id}")
    lang = account.language if account.language in TEMPLATES else "en"
    pool = author_pool(lang)
    named = product_named(post.text)
    count = MIN_REPLIES + d.below(MAX_REPLIES - MIN_REPLIES + 1)
    span = (REPLY_WINDOW - FIRST_REPLY_AFTER).total_seconds()
    offsets = sorted(FIRST_REPLY_AFTER.total_seconds() + d.u() * span for _ in range(count))
    items = []
    for i, offset in enumerate(offsets, 1):
        created_at = post.published_at + timedelta(seconds=round(offset, 3))
        if post.deleted_at is not None and created_at >= post.deleted_at:
            break
        author = pool[int(POOL_SIZE * d.u() ** 1.6)]     # some people comment a lot
        product = named if named is not None else d.below(len(_PRODUCT_WORDS))
        text = stream.comment_text(author, lang, _intent(d.u()), product, post.remote_id, d)
        remote_id = f"{post.remote_id}-c{i}"
        items.append(InboundItem(
            platform=PLATFORM, account_id=account.account_id, remote_id=remote_id, kind=ItemKind.COMMENT,
            thread_id=post.remote_id, author=author, text=text, created_at=created_at,
            parent_remote_id=post.remote_id, url=f"{post.url}#comment-{remote_id}", language=lang))
    return items
