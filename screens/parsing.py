"""Pure parsers for what operators type into the small prompts.

Each raises :class:`PromptError` whose message says what was wrong and what
to type instead; the prompt shows it under the input and stays open.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from console.timeparse import parse_when, snooze_help

__all__ = ["PromptError", "parse_assignee", "parse_snooze", "parse_tag_edit", "snooze_help"]


class PromptError(ValueError):
    """What the operator typed cannot be used; the message says what to type."""


def parse_snooze(text: str, now: datetime) -> datetime:
    """When to wake a snoozed item (see :func:`console.timeparse.parse_when`)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")  # a programming error, not the operator's
    try:
        return parse_when(text, now)
    except ValueError as error:
        raise PromptError(str(error)) from None


def parse_tag_edit(text: str) -> tuple[list[str], list[str]]:
    """Tags to add and to remove from ``"vip, shipping, -urgent"``."""
    add: list[str] = []
    remove: list[str] = []
    for part in text.replace(";", ",").split(","):
        word = part.strip()
        if not word:
            continue
        target = remove if word.startswith("-") else add
        word = word.lstrip("-").strip()
        if not word:
            continue
        if any(c.isspace() for c in word):
            raise PromptError(f"{word!r} has a space; separate tags with commas, e.g. vip, shipping")
        target.append(word)
    if not add and not remove:
        raise PromptError("type tags separated by commas; put - before a tag to remove it")
    return add, remove


def parse_assignee(text: str, operator: str, refusal: Callable[[str], str] | None = None) -> str:
    """Who to assign: a name, ``me`` for the operator, empty or ``-`` to unassign.

    ``refusal(name)`` says why that person may not own the items ("" when they
    may; the inbox service's :meth:`assignee_refusal`): the prompt stays open
    with the reason instead of assigning to someone who is not on the team."""
    name = text.strip()
    if name in ("", "-"):
        return ""
    if name.casefold() == "me":
        name = operator
    elif any(c.isspace() for c in name) or len(name) > 64:
        raise PromptError(f"{name!r} is not a user name; type one name, 'me', or '-' to unassign")
    why = refusal(name) if refusal is not None else ""
    if why:
        raise PromptError(why[:1].upper() + why[1:])
    return name
