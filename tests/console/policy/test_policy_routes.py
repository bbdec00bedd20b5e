"""Approval routing of the shipped governance example: every risk level in every
region, posts to several accounts, and routes limited to named accounts.

The expected routes are written out in full, so a change to the example file
or to the route matcher shows up here as a changed table."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.policy import RISK_LEVELS
from console.governance import EXAMPLE_GOVERNANCE, check_governance_text

policy, _problems = check_governance_text(EXAMPLE_GOVERNANCE, Path("governance.toml"))
ROUTES = policy.content.approval

#: One account per region; the EU and MEA ones are not listed in [accounts].
ACCOUNT_OF = {
    "NA": "sandbox:northwind_en",
    "LATAM": "sandbox:northwind_es",
    "APAC": "sandbox:northwind_ja",
    "EU": "mastodon:northwind_eu",
    "MEA": "x:northwind_mea",          # a region the file never mentions
}

MANAGER = "any manager"
MANAGER_LEGAL = "any manager → any legal"

EXPECTED = {
    ("low", "NA"): ("default", MANAGER),
    ("low", "LATAM"): ("default", MANAGER),
    ("low", "APAC"): ("default", MANAGER),
    ("low", "EU"): ("default", MANAGER),
    ("low", "MEA"): ("default", MANAGER),
    ("medium", "NA"): ("medium risk", MANAGER),
    ("medium", "LATAM"): ("medium risk LATAM", MANAGER_LEGAL),
    ("medium", "APAC"): ("medium risk Japan", MANAGER),
    ("medium", "EU"): ("medium risk EU", MANAGER_LEGAL),
    ("medium", "MEA"): ("medium risk", MANAGER),
    ("high", "NA"): ("high risk", MANAGER_LEGAL),
    ("high", "LATAM"): ("high risk", MANAGER_LEGAL),
    ("high", "APAC"): ("high risk", MANAGER_LEGAL),
    ("high", "EU"): ("high risk EU", "any manager → all legal"),
    ("high", "MEA"): ("high risk", MANAGER_LEGAL),
}


def route(risk: str, *targets: tuple[str, str]) -> tuple[str, str]:
    """The route for a post of ``risk`` to ``targets`` ((account, region) pairs)."""
    chosen = ROUTES.route_for(risk, [region for _, region in targets], [account for account, _ in targets])
    return chosen.name, chosen.describe()


def test_the_example_parses():
    assert _problems == []


def test_the_table_covers_every_risk_level_in_every_region():
    assert set(EXPECTED) == {(risk, region) for risk in RISK_LEVELS for region in ACCOUNT_OF}


@pytest.mark.parametrize("risk, region", sorted(EXPECTED))
def test_every_risk_and_region_goes_to_its_route(risk, region):
    assert route(risk, (ACCOUNT_OF[region], region)) == EXPECTED[(risk, region)]


@pytest.mark.parametrize("risk, targets, expected", [
    # EU and NA together: the EU-only routes do not cover both, the general ones do
    ("high", [("mastodon:northwind_eu", "EU"), ("sandbox:northwind_en", "NA")], ("high risk", MANAGER_LEGAL)),
    ("medium", [("mastodon:northwind_eu", "EU"), ("sandbox:northwind_en", "NA")], ("medium risk", MANAGER)),
    # two EU accounts: still the EU route
    ("high", [("mastodon:northwind_eu", "EU"), ("bluesky:northwind_eu", "EU")],
     ("high risk EU", "any manager → all legal")),
    # two LATAM accounts: the LATAM route; LATAM with APAC: neither regional route
    ("medium", [("sandbox:northwind_es", "LATAM"), ("x:northwind_br", "LATAM")],
     ("medium risk LATAM", MANAGER_LEGAL)),
    ("medium", [("sandbox:northwind_es", "LATAM"), ("sandbox:northwind_ja", "APAC")], ("medium risk", MANAGER)),
    # low risk anywhere: the catch-all
    ("low", [(account, region) for region, account in ACCOUNT_OF.items()], ("default", MANAGER)),
])
def test_a_post_to_several_regions_takes_the_route_that_covers_all_of_them(risk, targets, expected):
    assert route(risk, *targets) == expected


@pytest.mark.parametrize("risk, targets, expected", [
    # the Japan route names the account, not the region: another APAC account does not match
    ("medium", [("sandbox:northwind_ja", "APAC")], "medium risk Japan"),
    ("medium", [("bluesky:northwind_au", "APAC")], "medium risk"),
    ("medium", [("sandbox:northwind_ja", "APAC"), ("sandbox:northwind_en", "NA")], "medium risk"),
    # the route's risk condition still applies
    ("low", [("sandbox:northwind_ja", "APAC")], "default"),
    ("high", [("sandbox:northwind_ja", "APAC")], "high risk"),
])
def test_a_route_limited_to_accounts_takes_only_posts_to_those_accounts(risk, targets, expected):
    assert route(risk, *targets)[0] == expected


def test_the_japan_route_names_a_role_a_new_workspace_can_staff():
    """It asked the account owner, 'yuki', whom no workspace has: a medium-risk
    post to the Japanese account could not be submitted."""
    japan = next(r for r in ROUTES.routes if r.name == "medium risk Japan")
    assert [stage.role for stage in japan.stages] == ["manager"]
    assert japan.accounts == ("sandbox:northwind_ja",)
