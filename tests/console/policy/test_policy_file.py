"""The content sections of governance.toml: the shipped example, every kind of
mistake reported on its line, all of them at once, and a broken file never
replacing the version in force."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from console.policy import ERROR, WARNING, ContentPolicy, Route, Stage, TomlLocator, parse_content_policy
from console.errors import ConfigError
from console.governance import EXAMPLE_GOVERNANCE, GOVERNANCE_FILE, Governance, check_governance_text

FILE = Path("governance.toml")


def problems_of(text: str) -> list[tuple[int | None, str]]:
    policy, problems = check_governance_text(text, FILE)
    assert (policy is None) == bool(problems)
    return [(problem.line, problem.message) for problem in problems]


def only_problem(text: str) -> tuple[int | None, str]:
    problems = problems_of(text)
    assert len(problems) == 1, problems
    return problems[0]


# -- the shipped example -------------------------------------------------------------------------
def test_the_shipped_example_has_no_problems_and_fills_every_section():
    policy, problems = check_governance_text(EXAMPLE_GOVERNANCE, FILE)
    assert problems == []
    content = policy.content
    assert set(content.accounts) == {"sandbox:northwind_en", "sandbox:northwind_es", "sandbox:northwind_ja"}
    # no owners: the example names nobody a new workspace does not have
    assert [(a.owner, a.region) for a in content.accounts.values()] == [("", "NA"), ("", "LATAM"), ("", "APAC")]
    assert content.accounts["sandbox:northwind_es"].required_hashtags == ("NorthwindLatAm",)   # '#' dropped
    assert "cheapest" in [b.phrase for b in content.brand.banned]
    assert all(b.reason for b in content.brand.banned + content.brand.forbidden_hashtags)
    assert {b.severity for b in content.brand.banned} == {ERROR, WARNING}
    assert [b.phrase for b in content.brand.forbidden_hashtags] == ["followforfollow", "f4f", "BlackFriday"]
    disclosure = {rule.id: rule for rule in content.disclosure}
    assert "promo" in disclosure["paid-partnership"].when_tags
    assert {"#ad", "#sponsored"} <= set(disclosure["paid-partnership"].require_any)
    assert content.accessibility.alt_text_required and content.accessibility.max_hashtags == 5
    assert content.privacy.emails and content.privacy.phone_numbers and content.privacy.order_numbers
    assert set(content.regions) == {"NA", "LATAM", "APAC", "EU"}
    eu = content.regions["EU"]
    assert [r.require_text for r in eu.requirements] == ["https://northwind.example/eu/terms"]
    assert eu.requirements[0].when_tags == ("promo",) and eu.banned
    topics = {topic.id: topic for topic in content.risk_topics}
    assert {"prices", "health", "finance", "legal", "competitors"} <= set(topics)
    assert {"Southwind", "Eastwind Gear"} <= set(topics["competitors"].words)
    assert topics["prices"].level == "high" and topics["prices"].patterns
    assert content.approval.approval_valid_hours == 72 and content.approval.bulk_risk == ("low",)
    assert content.approval.routes[-1] == Route("default", (Stage("manager", "any"),))
    assert "legal" in policy.roles and "post.approve" in policy.roles.permissions_of("legal")
    assert policy.courses["security-basics"].valid_days == 365     # the older sections stay


@pytest.mark.parametrize("text, found", [
    ("Your order NW-1234567 ships today", True),
    ("order #AB12345", True),
    ("Pedido #MX-88213 en camino", True),
    ("ご注文番号：12345678 を確認しました", True),
    ("Your order status is updated", False),      # a word after "order" is not an order number
    ("Order placed yesterday, thanks!", False),
])
def test_the_examples_order_number_pattern_needs_a_digit(text, found):
    policy, _ = check_governance_text(EXAMPLE_GOVERNANCE, FILE)
    assert bool(re.search(policy.content.privacy.order_number_pattern, text, re.IGNORECASE)) is found


def test_an_old_file_without_content_sections_loads_with_the_defaults(tmp_path):
    path = tmp_path / GOVERNANCE_FILE
    path.write_text("version = 2\n[auth]\nidle_minutes = 10\n", encoding="utf-8")
    governance = Governance(path)
    assert governance.version == 2 and governance.problem == ""
    assert governance.content == ContentPolicy()
    assert governance.content.approval.route_for("high", ["EU"], ["x"]).describe() == "any manager"


# -- each mistake, on its line --------------------------------------------------------------------
ROUTE_END = '[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }]\n'


@pytest.mark.parametrize("text, line, fragment", [
    # unknown keys say the known ones, in tables with quoted names too
    ('[brand]\nrequired_hashtags = []\ncolour = "blue"\n', 3,
     "unknown setting 'colour' in [brand]; known: required_hashtags, banned, forbidden_hashtags"),
    ('[accounts."sandbox:northwind_en"]\nowner = "olivia"\nregoin = "NA"\n', 3,
     'unknown setting \'regoin\' in [accounts."sandbox:northwind_en"]'),
    ("[approval]\napproval_valid_hours = 72\n\n[approval.extra]\n", 4, "unknown setting 'extra' in [approval]"),
    # wrong types, also as dotted keys
    ('[accessibility]\nmax_hashtags = "five"\n', 2, "[accessibility] max_hashtags = 'five' is not valid"),
    ("accessibility.alt_text_required = 1\n", 1, "alt_text_required = 1 is not valid; use true or false"),
    ("[approval]\napproval_valid_hours = 0\n", 2, "or false for approvals that never expire"),
    ('[[risk.topics]]\nid = "x"\nlevel = "high"\nwords = "price"\ntags = [1]\n', 5,
     "[[risk.topics]] tags must be a list of non-empty texts"),
    ('[brand]\nbanned = ["cheap"]\n', 2, "each entry of [[brand.banned]] must be a table of settings, not a text"),
    # severities and levels
    ('[[brand.banned]]\nphrase = "a"\nreason = "r"\n\n[[brand.banned]]\nphrase = "b"\nreason = "r"\n'
     'severity = "fatal"\n', 8, "severity = 'fatal' is not valid; use error or warning"),
    ('[[risk.topics]]\nid = "prices"\nlevel = "extreme"\nwords = ["price"]\n', 3,
     "level = 'extreme' is not valid; use low, medium or high"),
    ('[[risk.topics]]\nid = "prices"\nwords = ["price"]\n', 1, "needs level"),
    ('[[risk.topics]]\nid = "prices"\nlevel = "low"\n', 1, "prices has nothing to look for"),
    # required texts
    ('[[brand.banned]]\nphrase = "cheapest"\n', 1, '[[brand.banned]] needs reason = "..."'),
    ('[[disclosure]]\nid = "ad"\nwhen_tags = ["promo"]\nrequire_any = []\n', 4,
     "needs at least one entry in require_any"),
    ('[[disclosure]]\nid = "paid ad"\nwhen_tags = ["promo"]\nrequire_any = ["#ad"]\n', 2,
     "id = 'paid ad' is not valid"),
    # regular expressions: the regex error is quoted
    ("[[risk.topics]]\nid = \"prices\"\nlevel = \"high\"\npatterns = ['ok', '[$€\\d']\n", 4,
     "'[$€\\\\d' is not a valid regular expression (unterminated character set"),
    ("[privacy]\norder_number_pattern = '(order'\n", 2, "missing ), unterminated subpattern"),
    # hashtags
    ('[brand]\nrequired_hashtags = ["#Northwind", "buy less"]\n', 2, "'buy less' is not a hashtag"),
    ('[[brand.forbidden_hashtags]]\ntag = "f4f"\nreason = "bait"\n[[brand.forbidden_hashtags]]\n'
     'tag = "#F4F"\nreason = "bait"\n', 5, "tag 'F4F' is listed twice"),
    # rule ids: one namespace for the whole file
    ('[[disclosure]]\nid = "promo-terms"\nwhen_tags = ["promo"]\nrequire_any = ["#ad"]\n\n'
     '[[regions.EU.require]]\nid = "promo-terms"\nrequire_text = "https://x.example/terms"\nmessage = "m"\n', 7,
     "id 'promo-terms' is already used on line 2"),
    # routes
    ('[[approval.routes]]\nname = "eu"\nregions = ["EU"]\nstages = [{ role = "manager" }]\n', 1,
     "the last route (route 'eu') has conditions (regions)"),
    ('[[approval.routes]]\nname = "everything"\nstages = [{ role = "manager" }]\n' + ROUTE_END, 1,
     "route 'everything' has no risk, regions or accounts"),
    ('[[approval.routes]]\nname = "ja"\naccounts = ["sandbox:northwind_ja"]\nstages = [{ role = "manager" }]\n'
     + ROUTE_END, 3, "names account 'sandbox:northwind_ja', which is not in [accounts]"),
    ('[[approval.routes]]\nname = "x"\nrisk = ["high"]\nstages = []\n' + ROUTE_END, 4, "route 'x' needs stages"),
    ('[[approval.routes]]\nname = "x"\nrisk = ["high"]\n' + ROUTE_END, 1, "route 'x' needs stages"),
    ('[[approval.routes]]\nname = "default"\nstages = [\n  { role = "manager", mode = "any" },\n'
     '  { role = "admin", mode = "every" },\n]\n', 5, "route 'default' stage 2: mode = 'every' is not valid"),
    ('[[approval.routes]]\nname = "default"\nstages = [{ role = "manager" }, { role = "lawyer" }]\n', 3,
     "role 'lawyer' is not a role"),
    ('[[approval.routes]]\nname = "default"\nstages = [{ role = "viewer" }]\n', 3,
     "role 'viewer' cannot approve posts (it lacks post.approve)"),
    ('[accounts."sandbox:northwind_ja"]\nregion = "APAC"\n\n[[approval.routes]]\nname = "ja"\n'
     'accounts = ["sandbox:northwind_ja"]\nstages = [{ role = "account_owner" }]\n' + ROUTE_END, 7,
     "asks the account owner, but 'sandbox:northwind_ja' has no owner"),
    ('[accounts.a]\nregion = "EU"\n[[approval.routes]]\nname = "eu"\nregions = ["Eu"]\n'
     'stages = [{ role = "manager" }]\n' + ROUTE_END, 5, "region 'Eu' is written 'EU' elsewhere"),
    ('[approval]\nbulk_risk = ["low", "lowest"]\n', 2, "bulk_risk names 'lowest'"),
])
def test_each_mistake_is_reported_on_its_line(text, line, fragment):
    found_line, message = only_problem(text)
    assert fragment in message
    assert found_line == line, message


def test_a_custom_role_of_the_same_file_may_approve_and_account_owner_needs_owners_only_when_it_can_tell():
    text = ('[roles.legal]\npermissions = ["post.approve"]\n'
            '[accounts."sandbox:northwind_en"]\nregion = "NA"\n'      # no owner: fine for a route by region
            '[[approval.routes]]\nname = "na"\nregions = ["NA"]\n'
            'stages = [{ role = "account_owner" }, { role = "legal", mode = "all" }]\n' + ROUTE_END)
    assert problems_of(text) == []


def test_hashtags_are_kept_without_their_hash():
    policy, _ = check_governance_text('[brand]\nrequired_hashtags = ["#Northwind", "BuyLess"]\n'
                                      '[[brand.forbidden_hashtags]]\ntag = "#f4f"\nreason = "bait"\n', FILE)
    assert policy.content.brand.required_hashtags == ("Northwind", "BuyLess")
    assert policy.content.brand.forbidden_hashtags[0].phrase == "f4f"


def test_several_mistakes_are_all_reported_in_line_order():
    text = ("version = 0\n"                                          # 1
            "[auth]\nidle_minutes = -1\n"                            # 3
            "[brand]\nrequired_hashtags = ['two words']\n"           # 5
            "[[brand.banned]]\nphrase = 'cheap'\nseverity = 'bad'\n" # 8 (and no reason: 6)
            "[[approval.routes]]\nname = 'x'\nrisk = ['high']\n"     # 9: not a catch-all
            "stages = [{ role = 'nobody' }]\n")                      # 12
    assert [line for line, _ in problems_of(text)] == [1, 3, 5, 6, 8, 9, 12]


def test_a_toml_syntax_error_names_its_line():
    line, message = only_problem('version = 1\n[brand]\nrequired_hashtags = ["a" "b"]\n')
    assert line == 3 and "column" in message and "fix the TOML syntax" in message


def test_parse_governance_raises_with_the_first_problem_and_the_count(tmp_path):
    from console.governance import parse_governance
    with pytest.raises(ConfigError) as error:
        parse_governance("version = 0\n[accessibility]\nno_all_caps = 'yes'\n", tmp_path / "g.toml")
    assert str(error.value).startswith(f"{tmp_path / 'g.toml'}:1: version = 0 is not valid")
    assert str(error.value).endswith("(and 1 more; run `socops policy check`)")


def test_parse_content_policy_on_its_own_raises_at_the_first_problem():
    text = '[accessibility]\nsevertiy = "error"\n'
    import tomllib
    with pytest.raises(ConfigError, match=r"^line 2: unknown setting 'severtiy' in \[accessibility\]"):
        parse_content_policy(tomllib.loads(text), TomlLocator(text).line_of)


# -- a broken edit never takes the policy in force away ----------------------------------------------
def test_a_broken_edit_keeps_the_last_good_content_policy_until_it_is_fixed(tmp_path):
    path = tmp_path / GOVERNANCE_FILE
    path.write_text(EXAMPLE_GOVERNANCE, encoding="utf-8")
    governance = Governance(path)
    good = governance.content
    assert governance.problem == ""
    broken = EXAMPLE_GOVERNANCE.replace('level = "medium"', 'level = "moderate"', 1)
    line = broken[:broken.index('"moderate"')].count("\n") + 1
    path.write_text(broken, encoding="utf-8")
    governance.reload()
    assert governance.content is good
    assert f"{path}:{line}: [[risk.topics]] level = 'moderate' is not valid" in governance.problem
    assert "version 1 stays in force" in governance.problem
    fixed = EXAMPLE_GOVERNANCE.replace("version = 1", "version = 2").replace(
        'phrase = "cheapest"', 'phrase = "cheapest ever"')
    path.write_text(fixed, encoding="utf-8")
    assert governance.version == 2 and governance.problem == ""
    assert governance.content.brand.banned[0].phrase == "cheapest ever"



def test_a_console_started_on_a_broken_file_runs_on_the_last_version_that_validated(tmp_path):
    path, kept = tmp_path / GOVERNANCE_FILE, tmp_path / "state" / "governance.last-good.toml"
    good = EXAMPLE_GOVERNANCE.replace("version = 1", "version = 3")
    path.write_text(good, encoding="utf-8")
    assert Governance(path, last_good=kept).version == 3
    assert kept.read_text(encoding="utf-8") == good

    path.write_text(good.replace('level = "medium"', 'level = "moderate"', 1), encoding="utf-8")
    restarted = Governance(path, last_good=kept)       # a new process: nothing loaded yet
    assert restarted.version == 3 and restarted.content.risk_topics
    assert "'moderate' is not valid" in restarted.problem and "version 3 stays in force" in restarted.problem
    assert kept.read_text(encoding="utf-8") == good    # the broken text never replaces the copy

    kept.unlink()
    with pytest.raises(ConfigError, match="'moderate' is not valid"):
        Governance(path, last_good=kept)               # no copy: it says what is wrong

# -- the locator --------------------------------------------------------------------------------------
LOCATOR_TEXT = '''\
# a comment with [brackets] and key = value
version = 1
[accounts."sandbox:a.b"]
owner = "o"   # [x]
[[approval.routes]]
name = """two
lines"""
stages = [{ role = "manager", mode = "any" },
  { role = 'legal' },   # comment
]
[[approval.routes]]
a.b = { c = [1, 2], d = "}" }
[[x]]
[[x.y]]
[[x]]
[[x.y]]
[[x.y]]
k = 1
'''


@pytest.mark.parametrize("path, line", [
    (("version",), 2),
    (("accounts", "sandbox:a.b"), 3),
    (("accounts", "sandbox:a.b", "owner"), 4),
    (("accounts", "sandbox:a.b", "region"), 3),            # missing: its table
    (("approval", "routes", 0), 5),
    (("approval", "routes", 0, "stages"), 8),
    (("approval", "routes", 0, "stages", 0, "mode"), 8),
    (("approval", "routes", 0, "stages", 1, "role"), 9),
    (("approval", "routes", 1), 11),
    (("approval", "routes", 1, "a", "b", "d"), 12),
    (("approval", "routes", 1, "a", "b", "c", 1), 12),
    (("x", 1, "y", 1, "k"), 18),
    (("x", 1, "y", 0), 16),
    (("x", 0, "y", 0), 14),
    (("nowhere",), None),
])
def test_the_locator_finds_keys_tables_and_array_items(path, line):
    assert TomlLocator(LOCATOR_TEXT).line_of(path) == line


def test_a_valid_file_is_not_scanned_for_lines(monkeypatch):
    # Every start reads the governance file; only a problem needs a line number.
    scanned = []
    monkeypatch.setattr(TomlLocator, "_document", lambda self: scanned.append(self))
    policy, problems = check_governance_text(EXAMPLE_GOVERNANCE, Path("governance.toml"))
    assert policy is not None and problems == [] and scanned == []
    check_governance_text(EXAMPLE_GOVERNANCE.replace("version = 1", "version = 0", 1), Path("governance.toml"))
    assert len(scanned) == 1
