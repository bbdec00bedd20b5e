"""The compose screen's target accounts: one line each, Space toggles.

Each line shows the account's platform, region and time zone and, once a
time is proposed, what the clock says there: the team sees that 10:00 in
New York is midnight in Tokyo before anyone approves it.
"""

from __future__ import annotations

from datetime import datetime, tzinfo

from rich.style import Style
from rich.text import Text
from textual.binding import Binding
from textual.message import Message

from console.untrusted import one_line
from screens.compose.form import TargetAccount
from screens.compose.proposed_time import city_name, day_shift_text, local_times
from screens.widgets.row_list import Column, RowList, cursor_bindings, row_text


def target_columns(width: int) -> list[Column]:
    wide = width >= 100
    columns = [Column("mark", "", 3), Column("handle", "Targets · Space toggles", 26 if wide else 23),
               Column("platform", "Platform", 9), Column("region", "Region", 6)]
    used = sum(c.width for c in columns) + len(columns)
    room = max(width - used, 10)
    when = min(22, max(room // 2, 12))
    return columns + [Column("tz", "Time zone", max(room - when - 1, 6)), Column("when", "Their time", when)]


class TargetList(RowList):
    """The accounts the operator may post to; checked ones are the post's targets."""

    DEFAULT_CSS = """
    TargetList > .target-list--chosen { text-style: bold; }
    TargetList > .target-list--unknown { color: $text-warning; }
    """

    COMPONENT_CLASSES = {"target-list--chosen", "target-list--unknown"}

    BINDINGS = [
        *cursor_bindings("compose.targets"),
        Binding("space,x", "toggle", "Toggle target", show=False, id="compose.targets.toggle"),
    ]

    class Toggled(Message):
        """The operator checked or unchecked ``account_id``."""

        def __init__(self, account_id: str) -> None:
            super().__init__()
            self.account_id = account_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty_text="No accounts you may post to.", id=id)
        self._accounts: list[TargetAccount] = []
        self._chosen: set[str] = set()
        self._moment: datetime | None = None
        self._display_tz: tzinfo | None = None

    @property
    def accounts(self) -> list[TargetAccount]:
        return self._accounts

    @property
    def cursor_account(self) -> TargetAccount | None:
        return self._accounts[self.cursor] if 0 <= self.cursor < len(self._accounts) else None

    def show(self, accounts: list[TargetAccount], chosen: list[str], moment: datetime | None,
             display_tz: tzinfo | None) -> None:
        """Show ``accounts`` with ``chosen`` checked and the clock at ``moment`` in each zone."""
        current = self.cursor_account
        self._accounts = list(accounts)
        self._chosen = set(chosen)
        self._moment = moment
        self._display_tz = display_tz
        index = 0
        if current is not None:
            index = next((i for i, a in enumerate(self._accounts) if a.account_id == current.account_id), 0)
        self.set_row_count(len(self._accounts), index)

    def action_toggle(self) -> None:
        account = self.cursor_account
        if account is not None:
            self.post_message(self.Toggled(account.account_id))

    def columns_for(self, width: int) -> list[Column]:
        return target_columns(width)

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        account = self._accounts[row]
        chosen = account.account_id in self._chosen
        when = ""
        if self._moment is not None:
            clock, _city, shift = local_times(self._moment, [account], self._display_tz)[0]
            when = clock + day_shift_text(shift)
        values = {"mark": "[x]" if chosen else "[ ]", "handle": one_line(account.handle),
                  "platform": account.platform or "?", "region": account.region or "-",
                  "tz": account.timezone if self.size.width >= 100 else city_name(account.timezone),
                  "when": when}
        if not account.platform:
            base = base + self.get_component_rich_style("target-list--unknown")
        elif chosen:
            base = base + self.get_component_rich_style("target-list--chosen")
        return row_text(columns, values), base
