"""The fictional brand and the three accounts a first run connects to."""

from __future__ import annotations

from datetime import datetime, timezone

from integrations.base import AccountRef

PLATFORM = "sandbox"

#: Host of every URL the sandbox makes (``.invalid`` never resolves).
SANDBOX_HOST = "https://sandbox.socops.invalid"

#: Brand name used in comment and DM text ("Thanks Northwind!").
BRAND_NAME = "Northwind"

#: Origin of the default item timeline. Item ``n`` of an account arrives at a
#: fixed instant after it, so remote ids and cursors stay valid across restarts
#: and days; the first fetch starts at a recent backlog window, not at item 0.
SANDBOX_EPOCH = datetime(2025, 1, 1, tzinfo=timezone.utc)

SANDBOX_ACCOUNTS: tuple[AccountRef, ...] = (
    AccountRef(
        platform=PLATFORM,
        account_id="sandbox:northwind_en",
        handle="@northwind",
        display_name="Northwind Outfitters",
        language="en",
        region="NA",
        timezone="America/New_York",
    ),
    AccountRef(
        platform=PLATFORM,
        account_id="sandbox:northwind_es",
        handle="@northwind_es",
        display_name="Northwind Outfitters Latinoamérica",
        language="es",
        region="LATAM",
        timezone="America/Mexico_City",
    ),
    AccountRef(
        platform=PLATFORM,
        account_id="sandbox:northwind_ja",
        handle="@northwind_jp",
        display_name="ノースウィンド・アウトフィッターズ",
        language="ja",
        region="APAC",
        timezone="Asia/Tokyo",
    ),
)

#: Share of each language in an account's inbound traffic, by the account's
#: main language. Accounts with another main language fall back to "en".
LANGUAGE_MIX: dict[str, tuple[tuple[str, float], ...]] = {
    "en": (("en", 0.80), ("es", 0.08), ("ja", 0.04), ("ar", 0.04), ("he", 0.04)),
    "es": (("es", 0.76), ("en", 0.14), ("ja", 0.02), ("ar", 0.04), ("he", 0.04)),
    "ja": (("ja", 0.76), ("en", 0.14), ("es", 0.02), ("ar", 0.04), ("he", 0.04)),
}


def account_short(account: AccountRef) -> str:
    """The part of ``account_id`` after ``sandbox:``; prefixes remote ids."""
    return account.account_id.split(":", 1)[-1]
