"""The built-in sandbox platform: what a new user sees on first run.

A simulated platform ("sandbox") with three accounts of a fictional brand,
Northwind Outfitters (English / NA, Spanish / LATAM, Japanese / APAC). Traffic
is realistic and deterministic by seed: comments on the brand's posts, DMs
and mentions, mostly in the account's language plus English, Spanish,
Japanese, Arabic and Hebrew, with emoji, order numbers, links, hashtags,
threads, and (one item in 200) hostile text for safety testing.

Public API::

    SANDBOX_ACCOUNTS                 # tuple[AccountRef, ...]
    SandboxAdapter(account, *, seed=7, clock=None, epoch=None,
                   rate_per_hour=40.0, history_start=None,
                   fail_replies_matching=None, revoked=False,
                   rate_limited_until=None)
    adapter.history(count) / .first_item_number() / .arrived_count()
    adapter.revoke() / .restore() / .sent_replies
    generate_items(account, seed, start, count, epoch, *, rate_per_hour=40.0)
    SANDBOX_EPOCH, REPLY_MAX_CHARS, HOSTILE_TEXTS, HOSTILE_AUTHORS
"""

from .accounts import SANDBOX_ACCOUNTS, SANDBOX_EPOCH, SANDBOX_HOST


def __getattr__(name: str):
    """The adapter and the traffic generator, imported at their first use.

    Every start needs the account list; the adapter, the generator and its
    corpora (most of this package's import time) only once the worker syncs
    or an inbox is seeded, which may be after the first screen is shown."""
    if name in ("REPLY_MAX_CHARS", "SandboxAdapter", "default_history_start"):
        from . import adapter as module
    elif name in ("HOSTILE_AUTHORS", "HOSTILE_EVERY", "HOSTILE_TEXTS"):
        from . import hostile as module
    elif name in ("generate_items", "template_count"):
        from . import traffic as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


__all__ = [
    "HOSTILE_AUTHORS",
    "HOSTILE_EVERY",
    "HOSTILE_TEXTS",
    "REPLY_MAX_CHARS",
    "SANDBOX_ACCOUNTS",
    "SANDBOX_EPOCH",
    "SANDBOX_HOST",
    "SandboxAdapter",
    "default_history_start",
    "generate_items",
    "template_count",
]
