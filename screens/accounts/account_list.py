"""The accounts list: one line per account, its platform, region, time zone and sync state."""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.message import Message

from console.accounts import AccountState
from console.untrusted import one_line
from screens.widgets.row_list import Column, RowList, cursor_bindings, row_text

#: What each sync state is called on screen.
STATE_LABELS = {
    "sandbox": "built-in sandbox",
    "ok": "ok",
    "needs-reconnect": "needs reconnect",
    "rate-limited": "rate limited",
    "failing": "failing",
}


#: States that need someone to look (coloured and bold).
ATTENTION = ("needs-reconnect", "failing", "rate-limited")


def account_columns(width: int) -> list[Column]:
    columns = [Column("platform", "Platform", 9), Column("handle", "Account", 24 if width >= 100 else 18),
               Column("region", "Region", 6), Column("tz", "Time zone", 16 if width >= 100 else 12)]
    used = sum(c.width for c in columns) + len(columns)
    return columns + [Column("state", "State", max(width - used, 8))]


class AccountList(RowList):
    """Accounts with a cursor; the state column is coloured when it needs attention."""

    DEFAULT_CSS = """
    AccountList > .account-list--attention { color: $text-warning; text-style: bold; }
    """

    COMPONENT_CLASSES = {"account-list--attention"}

    BINDINGS = cursor_bindings("accounts")

    class CursorMoved(Message):
        def __init__(self, account_list: "AccountList", account: AccountState | None) -> None:
            super().__init__()
            self.account_list = account_list
            self.account = account

        @property
        def control(self) -> "AccountList":
            return self.account_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty_text="Loading…", id=id)
        self._accounts: list[AccountState] = []

    @property
    def accounts(self) -> list[AccountState]:
        return self._accounts

    @property
    def cursor_account(self) -> AccountState | None:
        return self._accounts[self.cursor] if 0 <= self.cursor < len(self._accounts) else None

    def set_accounts(self, accounts: list[AccountState]) -> None:
        current = self.cursor_account
        index = 0
        if current is not None:
            index = next((i for i, a in enumerate(accounts) if a.ref.account_id == current.ref.account_id), 0)
        self._accounts = accounts
        self.set_row_count(len(accounts), index)

    def cursor_moved(self) -> None:
        self.post_message(self.CursorMoved(self, self.cursor_account))

    def columns_for(self, width: int) -> list[Column]:
        return account_columns(width)

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        account = self._accounts[row]
        ref = account.ref
        values = {"platform": ref.platform, "handle": one_line(ref.handle), "region": ref.region or "-",
                  "tz": ref.timezone, "state": STATE_LABELS.get(account.state, account.state)}
        if account.state in ATTENTION:
            base = base + self.get_component_rich_style("account-list--attention")
        return row_text(columns, values), base
