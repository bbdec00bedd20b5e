"""Holding statements: the one kind of post that passes a crisis freeze.

During a crisis, :func:`publish_holding_statement` makes a post from an
approved holding statement of the content library (its text, tagged
"crisis") and submits it on the approval route that ``[crisis]
approval_route`` names (or, when it names none, the route its content
picks). It needs ``post.publish`` on every target (high-risk: a fresh code),
since the statement is published at once when approved.

When the route's last stage approves it, :func:`statement_approved` (called
by the approval service) hands it to publishing "now" with the crisis's pass
on its schedule: the publisher lets it through that crisis's freeze (and
the blackouts in force, recorded as overridden), and nothing else. Each
step is audited and shows on the timeline.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import timedelta

from console.audit import AuditNote
from console.crisis.book import CrisisBook
from console.crisis.records import Crisis, Statement, statement_to_dict
from console.errors import ConsoleError, InvalidAction
from console.library import HOLDING_STATEMENT, Asset
from console.permissions import CRISIS_RESPOND, POST_PUBLISH, Actor, SystemActor
from console.posts import Post
from console.untrusted import one_line
from data import StoreError

#: A statement not approved within this time expires (its proposed time passes).
APPROVAL_WINDOW = timedelta(hours=2)
#: The post's tag, so the calendar and the post-mortem tell it apart.
STATEMENT_TAG = "crisis"
#: Who hands an approved statement to publishing (the audit trail's actor).
CRISIS_ACTOR = SystemActor("crisis", frozenset({POST_PUBLISH}))


@dataclass(frozen=True)
class StatementChoice:
    """A usable holding statement, and whether the crisis plan prepared it for this crisis."""

    asset: Asset
    prepared: bool


def holding_statements(book: CrisisBook, actor: Actor, crisis: Crisis | None = None) -> list[StatementChoice]:
    """The usable holding statements, those prepared for ``crisis`` (by the tags of its
    level and playbook) first."""
    crisis = crisis or book.active()
    tags = set(crisis.statement_tags) if crisis else set()
    choices = [StatementChoice(asset, bool(tags & set(asset.tags))) for asset in book.library.holding_statements(actor)]
    return sorted(choices, key=lambda c: (not c.prepared, c.asset.title.casefold()))


def publish_holding_statement(book: CrisisBook, actor: Actor, asset_id: str, accounts: Iterable[str], *,
                              acknowledge: Iterable[str] = ()) -> Post:
    """Make a post of an approved holding statement and submit it on the crisis route."""
    actor.require(CRISIS_RESPOND)
    crisis = book.require_active()
    accounts = tuple(dict.fromkeys(a.strip() for a in accounts if a and a.strip()))
    if not accounts:
        raise InvalidAction("name the accounts the statement goes to (--to ACCOUNT)")
    book.posts.require_on_targets(actor, POST_PUBLISH, accounts)      # the fresh code, before anything is made
    asset = book.library.require_usable(asset_id, kind=HOLDING_STATEMENT)
    route = book.policy().approval_route
    now = book.clock()
    post = book.posts.draft(actor, accounts, asset.text, tags=[STATEMENT_TAG], proposed_at=now + APPROVAL_WINDOW)
    try:
        post = book.posts.submit(actor, post.id, acknowledge=acknowledge, route=route)
    except ConsoleError as error:
        # The type stays (an acknowledgement asked for is answered the usual way); the text says what is left.
        error.args = (f"{error} (its draft {post.id} is left as a draft: no statement was sent)",)
        raise
    statement = Statement(post.id, asset.id, accounts, actor.name, now)
    route_name = post.route.name if post.route else route

    def add(current: Crisis) -> tuple[dict, list[AuditNote]]:
        return ({"statements": [statement_to_dict(s) for s in current.statements + (statement,)]},
                [AuditNote("crisis.statement", f"crisis/{current.id}",
                           f"holding statement {asset.id} ({one_line(asset.title, 60)}) as {post.id} to "
                           f"{', '.join(accounts)}; on route {route_name!r}, waits for approval; it passes the "
                           "freeze once approved")])

    book.change(actor.name, crisis.id, add)
    return post


def statement_approved(book: CrisisBook, approver: Actor, post: Post) -> None:
    """After a post's last approval: a holding statement of the active crisis goes out
    now, passing its freeze. Problems are recorded on the statement and told to the
    person who asked, never raised (the approval itself stands)."""
    crisis = book.active()
    statement = next((s for s in crisis.statements if s.post_id == post.id), None) if crisis else None
    if crisis is None or statement is None or statement.released_at is not None:
        return
    now = book.clock()
    note = f"holding statement of crisis {crisis.id}, asked by {statement.by}, approved by {approver.name}"
    try:
        book.scheduling.publish_now(CRISIS_ACTOR, post.id, crisis_pass=crisis.id, note=note)
    except (ConsoleError, StoreError) as error:
        _record(book, crisis, replace(statement, problem=str(error)[:300]), "crisis.statement_failed",
                f"{post.id} approved but not handed to publishing: {one_line(str(error), 200)}",
                tell=(statement.by, f"{post.id} (holding statement) was approved but could not be published: "
                      f"{one_line(str(error), 300)}"))
        return
    _record(book, crisis, replace(statement, released_at=now, problem=""), "crisis.statement_released",
            f"{post.id} approved by {approver.name}: publishing now on {', '.join(statement.accounts)}, passing "
            "the freeze", tell=(statement.by, f"{post.id} (holding statement) is approved and going out now"))


def _record(book: CrisisBook, crisis: Crisis, changed: Statement, action: str, summary: str,
            tell: tuple[str, str]) -> None:
    def update(current: Crisis) -> tuple[dict, list[AuditNote]]:
        statements = [statement_to_dict(changed if s.post_id == changed.post_id else s) for s in current.statements]
        return {"statements": statements}, [AuditNote(action, f"crisis/{current.id}", summary)]

    book.change(CRISIS_ACTOR.name, crisis.id, update)
    username, text = tell

    def told(tx) -> None:
        book.notices.tell(tx, username, text, changed.post_id)

    book.audit.apply(CRISIS_ACTOR.name, told)
