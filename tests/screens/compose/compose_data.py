"""Data for the compose screen tests: a small hand-built content policy, accounts
on several platforms (records only, no network), library images, and a way to
open the Compose panel in a quiet app."""

from __future__ import annotations

from console.accounts import ACCOUNTS, ConnectedAccount
from console.policy import (
    AccessibilityRules,
    ApprovalRules,
    BannedPhrase,
    BrandVoice,
    ContentPolicy,
    DisclosureRule,
    Route,
    RiskTopic,
    Stage,
)
from console.governance import Governance, GovernancePolicy
from integrations.base import AccountRef
from screens.compose.screen import ComposeScreen
from tests.actors import RoleActor
from tests.console.library_images import png
from tests.screens.helpers import quiet_app, settle

#: Errors: privacy (the defaults), length, undisclosed promotions, "cheapest";
#: warnings: shouting in capitals (the accessibility default) and "guarantee".
POLICY = ContentPolicy(
    brand=BrandVoice(banned=(BannedPhrase("cheapest", "we compete on quality"),
                             BannedPhrase("guarantee", "legal reviews guarantees", severity="warning"))),
    disclosure=(DisclosureRule("paid", when_tags=("promo",), require_any=("#ad",),
                               message="promotions must be disclosed with #ad"),),
    accessibility=AccessibilityRules(max_hashtags=5),
    risk_topics=(RiskTopic("prices", "medium", words=("price", "discount")),),
    approval=ApprovalRules(routes=(Route("default", (Stage("manager"),)),)),
)

#: Accounts on real platforms besides the sandbox's three (NA, LATAM, APAC).
EXTRA_ACCOUNTS = (
    AccountRef("x", "x:northwind", "@northwind_x", region="NA", timezone="America/New_York"),
    AccountRef("mastodon", "mastodon:northwind", "@northwind@mastodon.example", region="NA",
               timezone="America/New_York"),
)
X_ACCOUNT, MASTODON_ACCOUNT = (a.account_id for a in EXTRA_ACCOUNTS)


def prepare(workspace, policy: ContentPolicy = POLICY) -> None:
    """Give ``workspace`` the test policy and the extra accounts."""
    workspace.governance = Governance.fixed(GovernancePolicy(content=policy))
    for ref in EXTRA_ACCOUNTS:
        record = ConnectedAccount(ref, f"https://{ref.platform}.example", ref.handle.lstrip("@")).to_record()
        workspace.store.insert(ACCOUNTS, ref.account_id, record, actor="test")


def add_image(workspace, tmp_path, title: str, alt_text: str, *, approve: bool = True, shade: int = 1):
    """A library image added by erin (an editor) and, if ``approve``, approved by mia."""
    path = tmp_path / f"image-{shade}.png"
    path.write_bytes(png(shade=shade))
    asset = workspace.library.add_image(RoleActor("erin", "editor"), path, title=title, alt_text=alt_text)
    if approve:
        asset = workspace.library.approve(RoleActor("mia", "manager"), asset.id)
    return asset


def compose_app(workspace, actor=None, **options):
    return quiet_app(workspace, actor or RoleActor("alice", "manager"), **options)


async def open_compose(pilot) -> ComposeScreen:
    await settle(pilot)
    await pilot.press("6")
    await settle(pilot)
    screen = pilot.app.screen
    assert isinstance(screen, ComposeScreen)
    return screen


async def choose_targets(pilot, *account_ids: str) -> None:
    """Check ``account_ids`` in the target list with the keyboard (Ctrl+T, arrows, Space)."""
    screen = pilot.app.screen
    await pilot.press("ctrl+t")
    targets = screen.query_one("#compose-targets")
    for account_id in account_ids:
        index = [a.account_id for a in targets.accounts].index(account_id)
        await pilot.press("home", *["down"] * index, "space")
    await settle(pilot)


async def write(pilot, text: str) -> None:
    """Type ``text`` into the editor, as an operator would (newlines with Enter)."""
    pilot.app.screen.editor.focus()
    await pilot.pause()
    await pilot.press(*[{"\n": "enter", " ": "space"}.get(ch, ch) for ch in text])
    await settle(pilot)


async def fill_field(pilot, selector: str, text: str) -> None:
    field = pilot.app.screen.query_one(selector)
    field.focus()
    field.value = ""
    await pilot.pause()
    await pilot.press(*text)
    await settle(pilot)
