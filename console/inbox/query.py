"""A one-line inbox query, as typed in the filter box: words to search for,
plus ``field:value`` terms.

    refund kind:dm account:@northwind_es tag:vip assignee:bob is:breached

Fields: ``account:`` (an account id, or a handle with or without ``@``),
``platform:``, ``kind:`` (comment, dm, mention), ``assignee:`` (a name, or
``-`` for unassigned), ``tag:``, ``status:`` (open, snoozed, closed, all) and
``is:breached`` / ``is:unassigned``. Everything else is searched as text.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

from console.inbox.records import KINDS, STATUSES, InboxFilter

_FIELDS = ("account", "platform", "kind", "assignee", "tag", "status", "is")


def parse_query(query: str, base: InboxFilter, accounts: Iterable[tuple[str, str]] = ()) -> InboxFilter:
    """``base`` with the query's terms applied; raises ValueError naming a bad term.

    ``accounts`` are (account id, handle) pairs, so ``account:@northwind_es`` works.
    """
    changes: dict[str, object] = {}
    words = []
    for word in query.split():
        name, colon, value = word.partition(":")
        name = name.casefold()
        if not colon or name not in _FIELDS or "://" in word:
            words.append(word)
            continue
        if not value:
            raise ValueError(f"{word!r} needs a value, e.g. {name}:something")
        if name == "account":
            changes["account"] = _account(value, accounts)
        elif name == "kind":
            if value.casefold() not in KINDS:
                raise ValueError(f"kind:{value} is not a kind; use {', '.join(KINDS)}")
            changes["kind"] = value.casefold()
        elif name == "status":
            status = value.casefold()
            if status not in (*STATUSES, "all"):
                raise ValueError(f"status:{value} is not a status; use {', '.join(STATUSES)} or all")
            changes["status"] = "" if status == "all" else status
        elif name == "is":
            if value.casefold() == "breached":
                changes["breached"] = True
            elif value.casefold() == "unassigned":
                changes["assignee"] = "-"
            else:
                raise ValueError(f"is:{value} is unknown; use is:breached or is:unassigned")
        elif name == "tag":
            changes["tag"] = value.lstrip("#").casefold()
        else:
            changes[name] = value
    changes["text"] = " ".join(words)
    return dataclasses.replace(base, **changes)


def _account(value: str, accounts: Iterable[tuple[str, str]]) -> str:
    wanted = value.casefold().lstrip("@")
    known = list(accounts)
    for account_id, handle in known:
        if wanted in (account_id.casefold(), handle.casefold().lstrip("@")):
            return account_id
    if not known or ":" in value:
        return value
    names = ", ".join(handle for _, handle in known)
    raise ValueError(f"account:{value} is not a connected account; use one of {names}")


def format_query(flt: InboxFilter, handles: dict[str, str] | None = None) -> str:
    """The field terms of ``flt`` (other than status and breached) plus its text."""
    handles = handles or {}
    terms = []
    if flt.account:
        terms.append(f"account:{handles.get(flt.account, flt.account)}")
    for name in ("platform", "kind", "tag"):
        if getattr(flt, name):
            terms.append(f"{name}:{getattr(flt, name)}")
    if flt.assignee and flt.assignee != "-":
        terms.append(f"assignee:{flt.assignee}")
    if flt.text:
        terms.append(flt.text)
    return " ".join(terms)
