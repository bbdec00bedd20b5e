"""The built-in sandbox platform: what a new user sees on first run.

A simulated platform ("sandbox") with three accounts of a fictional brand,
Northwind Outfitters (English / NA, Spanish / LATAM, Japanese / APAC). Traffic
is realistic and deterministic by seed: comments on the brand's posts, DMs
and mentions, mostly in the account's language plus English, Spanish,
Japanese, Arabic and Hebrew, with emoji, order numbers, links, hashtags,
threads, and (one item in 200) hostile text for safety testing.

The sandbox publishes too: posts go onto a platform every process shares
(``platform.py``, a JSON Lines file in ``platform_dir``), keyed by their
idempotency key; each post draws a handful of realistic comments over the
next ten minutes (``replies.py``); faults can be injected into publishing for
tests and demos (``faults.py``, or ``SOCOPS_SANDBOX_FAULTS``).

Public API::

    SANDBOX_ACCOUNTS                 # tuple[AccountRef, ...]
    SandboxAdapter(account, *, seed=7, clock=None, epoch=None,
                   rate_per_hour=40.0, history_start=None,
                   fail_replies_matching=None, revoked=False,
                   rate_limited_until=None, platform_dir=None,
                   faults=None (SOCOPS_SANDBOX_FAULTS), idempotent=None,
                   sleep=asyncio.sleep, crash=os._exit(137))
    adapter.history(count) / .first_item_number() / .arrived_count()
    adapter.revoke() / .restore() / .sent_replies / .published_posts / .platform_state
    adapter.publish() / .find_published() / .delete()
    SandboxPlatform(folder) .posts() / .post(remote_id) / .attempts(account, key)
    SandboxFaults(chances, seed=0, slow_seconds=2.0, rate_limit_seconds=5.0,
                  idempotent=True) / SandboxFaults.parse(text) / .from_environment()
    generate_items(account, seed, start, count, epoch, *, rate_per_hour=40.0)
    SANDBOX_EPOCH, REPLY_MAX_CHARS, HOSTILE_TEXTS, HOSTILE_AUTHORS, FAULTS, FAULTS_ENV
"""

from .accounts import SANDBOX_ACCOUNTS, SANDBOX_EPOCH, SANDBOX_HOST


def __getattr__(name: str):
    """The adapter, the platform and the traffic generator, imported at their first use.

    Every start needs the account list; the adapter, the generator and its
    corpora (most of this package's import time) only once the worker syncs
    or publishes, or an inbox is seeded, which may be after the first screen
    is shown."""
    if name in ("POST_MAX_CHARS", "REPLY_MAX_CHARS", "SandboxAdapter", "default_history_start"):
        from . import adapter as module
    elif name in ("FAULTS", "FAULTS_ENV", "NO_FAULTS", "SandboxFaults"):
        from . import faults as module
    elif name in ("HOSTILE_AUTHORS", "HOSTILE_EVERY", "HOSTILE_TEXTS"):
        from . import hostile as module
    elif name in ("SandboxPlatform", "SandboxPost"):
        from . import platform as module
    elif name == "REPLY_WINDOW":
        from . import replies as module
    elif name in ("generate_items", "template_count"):
        from . import traffic as module
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(module, name)


__all__ = [
    "FAULTS",
    "FAULTS_ENV",
    "HOSTILE_AUTHORS",
    "HOSTILE_EVERY",
    "HOSTILE_TEXTS",
    "NO_FAULTS",
    "POST_MAX_CHARS",
    "REPLY_MAX_CHARS",
    "REPLY_WINDOW",
    "SANDBOX_ACCOUNTS",
    "SANDBOX_EPOCH",
    "SANDBOX_HOST",
    "SandboxAdapter",
    "SandboxFaults",
    "SandboxPlatform",
    "SandboxPost",
    "default_history_start",
    "generate_items",
    "template_count",
]
