"""The approval queue: a line-API list of posts, fast with thousands of them.

Like the inbox list, the widget holds only post ids and asks for each visible
post through ``get_post`` (the screen keeps the posts it loaded in a worker,
and decodes any other on demand), so a queue of 10k posts costs what 20 cost.
Two layouts: the approver's queue (risk, route stage, author) and the
author's own posts ("mine": status instead of author).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from rich.style import Style
from rich.text import Text
from textual.message import Message
from textual.strip import Strip

from console.posts import IN_REVIEW, Post
from console.untrusted import one_line
from screens.approvals.post_format import first_line, post_stage, relative_time, status_label
from screens.widgets.row_list import Column, RowList, cursor_bindings, fit_cells

SELECTED_MARK = "*"

#: How each risk level reads in the narrow risk column (the word, not only a colour).
RISK_LABELS = {"low": "low", "medium": "med", "high": "HIGH"}

QUEUE = "queue"
MINE = "mine"


def queue_columns(width: int, view: str) -> list[Column]:
    """The columns that fit ``width`` cells; the first line of the text takes what is left.

    The queue shows risk, route stage and author; the author's own posts ("mine")
    show their status instead."""
    wide = width >= 110
    middle = width >= 90
    columns = [Column("mark", "", 1), Column("id", "Post", 8)]
    if view == QUEUE:
        columns += [Column("risk", "Risk", 4),
                    Column("stage", "Stage", 20 if wide else 15 if middle else 13),
                    Column("author", "Author", 12 if wide else 8 if middle else 7)]
    else:
        columns.append(Column("status", "Status", 17))
    columns += [Column("targets", "To", 22 if wide else 14 if middle else 10),
                Column("when", "When", 9, right=True)]
    used = sum(c.width for c in columns) + len(columns)
    return columns + [Column("text", "Text", max(width - used, 8))]


def _status_with_progress(post: Post) -> str:
    """``in review 2/3`` (how far along its route), or the status's name."""
    if post.status == IN_REVIEW and post.route and post.route.stages:
        return f"{status_label(post.status)} {post.stage + 1}/{len(post.route.stages)}"
    return status_label(post.status)


def columns_short(columns: list[Column]) -> bool:
    """Whether the stage column is too narrow for the stage's mode when it is ``any``."""
    return any(c.key == "stage" and c.width < 15 for c in columns)


def targets_label(targets: tuple[str, ...], label: Callable[[str], str], width: int = 40) -> str:
    """``@northwind +2``: the first account's handle and how many more; in ``width``
    cells, the handle is cut before the count is."""
    if not targets:
        return "-"
    first = one_line(label(targets[0]))
    if len(targets) == 1:
        return first
    more = f" +{len(targets) - 1}"
    return fit_cells(first, max(width - len(more), 1)).rstrip() + more


class ApprovalQueue(RowList):
    """Rows of posts with a cursor and a multi-selection (for bulk approval)."""

    DEFAULT_CSS = """
    ApprovalQueue > .approval-queue--low { color: $text-success; }
    ApprovalQueue > .approval-queue--medium { color: $text-warning; }
    ApprovalQueue > .approval-queue--high { color: $text-error; text-style: bold; }
    ApprovalQueue > .approval-queue--attention { color: $text-warning; text-style: bold; }
    ApprovalQueue > .approval-queue--done { color: $text-success; }
    ApprovalQueue > .approval-queue--selected { text-style: bold; color: $text-accent; }
    """

    COMPONENT_CLASSES = {"approval-queue--low", "approval-queue--medium", "approval-queue--high",
                         "approval-queue--attention", "approval-queue--done", "approval-queue--selected"}

    BINDINGS = cursor_bindings("approvals")

    class CursorMoved(Message):
        """The cursor is on another post (``post_id`` None when the list is empty)."""

        def __init__(self, queue: "ApprovalQueue", post_id: str | None) -> None:
            super().__init__()
            self.queue = queue
            self.post_id = post_id

        @property
        def control(self) -> "ApprovalQueue":
            return self.queue

    def __init__(self, get_post: Callable[[str], Post | None], clock: Callable[[], datetime], *,
                 account_label: Callable[[str], str] = str, empty_text: str = "Loading…",
                 id: str | None = None) -> None:
        super().__init__(empty_text=empty_text, id=id)
        self._get_post = get_post
        self._clock = clock
        self._account_label = account_label
        self._ids: list[str] = []
        self._selected: dict[str, int] = {}   # id -> version when selected
        self.view = QUEUE
        self._columns: list[Column] = []
        self._columns_for: tuple[int, str] | None = None

    # -- contents --------------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return self._ids

    @property
    def cursor_id(self) -> str | None:
        return self._ids[self.cursor] if 0 <= self.cursor < len(self._ids) else None

    def set_ids(self, ids: list[str], view: str) -> None:
        """Show ``ids`` in ``view``; the cursor stays on the same post if it is still listed."""
        current, old_index = self.cursor_id, self.cursor
        if view != self.view:
            self._selected.clear()
            current, old_index = None, 0
        self.view = view
        self._ids = ids
        present = set(ids)
        self._selected = {k: v for k, v in self._selected.items() if k in present}
        index = 0
        if current is not None:
            try:
                index = ids.index(current)
            except ValueError:
                index = min(old_index, max(len(ids) - 1, 0))
        self.set_row_count(len(ids), index)

    def cursor_moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor_id))

    # -- selection ---------------------------------------------------------------------
    @property
    def selected_ids(self) -> list[str]:
        """Selected ids in list order."""
        return [k for k in self._ids if k in self._selected] if self._selected else []

    @property
    def selection_versions(self) -> dict[str, int]:
        """The version of each selected post when it was selected (for compare-and-set)."""
        return dict(self._selected)

    def toggle_selected(self, post_id: str) -> bool:
        """Select or unselect ``post_id``; True if it is now selected."""
        if post_id in self._selected:
            del self._selected[post_id]
            self.refresh_row(self.cursor)
            return False
        post = self._get_post(post_id)
        self._selected[post_id] = post.version if post else 0
        self.refresh_row(self.cursor)
        return True

    def unselect(self, post_ids: list[str]) -> None:
        for post_id in post_ids:
            self._selected.pop(post_id, None)
        self.refresh()

    def clear_selection(self) -> None:
        self._selected.clear()
        self.refresh()

    # -- rendering -------------------------------------------------------------------
    def columns_for(self, width: int) -> list[Column]:
        key = (width, self.view)
        if self._columns_for != key:
            self._columns = queue_columns(width, self.view)
            self._columns_for = key
        return self._columns

    def _style(self, name: str) -> Style:
        return self.get_component_rich_style(f"approval-queue--{name}")

    def _cell_styles(self, post: Post) -> dict[str, Style]:
        """Colours of single cells: the risk level, and statuses that need the author."""
        styles = {}
        if post.risk in RISK_LABELS:
            styles["risk"] = self._style(post.risk)
        if post.status == "changes_requested":
            styles["status"] = self._style("attention")
        elif post.status == "approved":
            styles["status"] = self._style("done")
        elif post.status in ("rejected", "expired"):
            styles["status"] = self.get_component_rich_style("row-list--muted")
        return styles

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        post_id = self._ids[row]
        post = self._get_post(post_id)
        if post is None:
            return Text(f"  {one_line(post_id)} (no longer in the store)"), \
                base + self.get_component_rich_style("row-list--muted")
        selected = post_id in self._selected
        style = base + self._style("selected") if selected else base
        values = {
            "mark": SELECTED_MARK if selected else " ",
            "id": post.id,
            "risk": RISK_LABELS.get(post.risk, post.risk),
            "stage": post_stage(post, short=columns_short(columns)),
            "author": one_line(post.author),
            "status": _status_with_progress(post),
            "targets": targets_label(post.targets, self._account_label,
                                     next((c.width for c in columns if c.key == "targets"), 40)),
            "when": relative_time(post.proposed_at, self._clock()),
            "text": first_line(post.text),
        }
        # On the cursor row the cursor's colours win: a red word on the cursor bar would not read.
        cell_styles = {} if row == self.cursor else self._cell_styles(post)
        text = Text(no_wrap=True, end="")
        for index, column in enumerate(columns):
            cell = fit_cells(values.get(column.key, ""), column.width, right=column.right,
                             keep_end=column.keep_end)
            text.append(cell, cell_styles.get(column.key))
            if index < len(columns) - 1:
                text.append(" ")
        return text, style

    def strip(self, text: Text, width: int, style: Style) -> Strip:
        # Under the cells' own colours (risk, status), not over them.
        text.stylize_before(style)
        segments = list(text.render(self.app.console))
        return Strip(segments).adjust_cell_length(width, style)
