"""What a post says, checked before it is stored: targets, text, per-platform
variants, tags and images. Kept apart from the services so the draft, the
edit and the copy of a post clean their input the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime

from console.policy import Target
from console.errors import InvalidAction
from console.tags import clean_tag

MAX_POST_CHARS = 20_000
MAX_TARGETS = 50

#: The content fields of a post: a change to any of them makes a new revision.
CONTENT_FIELDS = ("text", "variants", "tags", "assets", "targets")


def content_differs(old: Mapping, new: Mapping) -> bool:
    """True when any content field differs (lists and tuples alike, variants in any order)."""
    def normal(value):
        if isinstance(value, Mapping):
            return sorted(value.items())
        return list(value) if isinstance(value, (list, tuple)) else value
    return any(normal(old[name]) != normal(new[name]) for name in CONTENT_FIELDS)


def clean_targets(targets: Iterable[str], target_of: Callable[[str], Target | None],
                  known: Callable[[], Iterable[str]]) -> list[str]:
    """Account ids, without repeats, each one an account the console knows."""
    if isinstance(targets, str):
        targets = targets.split(",")
    cleaned = list(dict.fromkeys(t.strip() for t in targets if t and t.strip()))
    if not cleaned:
        raise InvalidAction("pick at least one target account")
    if len(cleaned) > MAX_TARGETS:
        raise InvalidAction(f"{len(cleaned)} target accounts; at most {MAX_TARGETS}")
    unknown = [t for t in cleaned if target_of(t) is None]
    if unknown:
        choices = ", ".join(sorted(known())) or "none connected"
        raise InvalidAction(f"unknown account {unknown[0][:60]!r}; known accounts: {choices}")
    return cleaned


def clean_text(text: str) -> str:
    if not isinstance(text, str) or not text.strip():
        raise InvalidAction("the post has no text; write what it should say")
    if len(text) > MAX_POST_CHARS:
        raise InvalidAction(f"the text has {len(text)} characters; the limit is {MAX_POST_CHARS}")
    return text.strip("\n")


def clean_variants(variants: Mapping[str, str] | None, platforms: Iterable[str]) -> dict[str, str]:
    """Per-platform texts; a blank one means "use the main text" and is dropped."""
    platforms = set(platforms)
    cleaned: dict[str, str] = {}
    for platform, text in (variants or {}).items():
        name = platform.strip().lower()
        if not isinstance(text, str) or not text.strip():
            continue
        if name not in platforms:
            raise InvalidAction(f"a variant for {name[:30]!r}, but no target is on it; the targets are on "
                                f"{', '.join(sorted(platforms))}")
        if len(text) > MAX_POST_CHARS:
            raise InvalidAction(f"the {name} variant has {len(text)} characters; the limit is {MAX_POST_CHARS}")
        cleaned[name] = text.strip("\n")
    return dict(sorted(cleaned.items()))


def clean_tags(tags: Iterable[str]) -> list[str]:
    """The post's own tags (promo, launch...): one lower-case word each, '#' dropped."""
    if isinstance(tags, str):
        tags = tags.split(",")
    return list(dict.fromkeys(clean_tag(tag) for tag in tags))


def clean_assets(assets: Iterable[str]) -> list[str]:
    if isinstance(assets, str):
        assets = assets.split(",")
    return list(dict.fromkeys(a.strip() for a in assets if a and a.strip()))


def check_time(proposed_at: datetime | None, now: datetime) -> None:
    if proposed_at is None:
        return
    if proposed_at.tzinfo is None:
        raise InvalidAction("the proposed time needs a time zone (for example 2026-12-01T09:00+01:00)")
    if proposed_at <= now:
        raise InvalidAction("the proposed time has passed; propose a time in the future")
