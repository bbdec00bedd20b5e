"""The content policy on inbox replies: privacy in public, warnings acknowledged, bulk, CLI."""

from __future__ import annotations

import pytest

from console.policy import (
    WARNING,
    AccessibilityRules,
    AccountPolicy,
    BannedPhrase,
    BrandVoice,
    ContentPolicy,
    RegionRules,
)
from console.errors import InvalidAction
from console.inbox import (
    INBOX,
    REPLY_QUEUED,
    InboxService,
    ReplyBlocked,
    ReplyNeedsAcknowledgement,
    policy_reply_check,
    reply_target,
)
from console.permissions import PermissionDenied
from integrations.base import ItemKind
from tests.actors import RoleActor
from tests.console.helpers import add_items, inbound, minutes_ago
from tests.console.identity_fixtures import act_as, cli_clock, memory_keyring, people  # noqa: F401

ALICE = RoleActor("alice", "manager")

EMAIL = "Write to care@northwind.example and we will sort it out."
PHONE = "Call us on +1 503 555 0142 any time."
ORDER = "Your order NW-48213 left the warehouse today."
SHOUTING = "THIS IS THE BEST JACKET we have made."


def policy_with(**parts) -> ContentPolicy:
    """Privacy rules as shipped (errors), capitals as a warning, plus ``parts``."""
    return ContentPolicy(accessibility=AccessibilityRules(severity=WARNING), **parts)


@pytest.fixture
def items(workspace, clock):
    """A comment, a DM and a mention on the English account, and a comment on the Spanish one."""
    now = clock()
    return add_items(workspace.store, [
        inbound(1, minutes_ago(now, 20), text="Where is my order?"),
        inbound(2, minutes_ago(now, 10), kind=ItemKind.DM, text="Where is my order?"),
        inbound(3, minutes_ago(now, 5), kind=ItemKind.MENTION, text="@northwind my order?"),
        inbound(4, minutes_ago(now, 5), text="¿Dónde está mi pedido?", account="sandbox:northwind_es"),
    ], received=now)


@pytest.fixture
def checked(workspace):
    """The workspace's inbox checking replies against ``policy_with()``; set ``.policy`` to change it."""
    holder = type("PolicyHolder", (), {"policy": policy_with()})()
    workspace.inbox.reply_check = policy_reply_check(lambda: holder.policy, workspace.account_region)
    return holder


def stored_replies(workspace, item_id: str) -> list[dict]:
    return workspace.store.get(INBOX, item_id)["replies"]


@pytest.mark.parametrize("text, rule", [
    (EMAIL, "privacy.email"),
    (PHONE, "privacy.phone"),
    (ORDER, "privacy.order_number"),
])
def test_private_data_in_a_public_reply_is_blocked(workspace, items, checked, text, rule):
    comment, _, mention, _ = items
    for public in (comment, mention):
        with pytest.raises(ReplyBlocked) as refused:
            workspace.inbox.reply(public, text, actor=ALICE)
        assert rule in [finding.rule_id for finding in refused.value.findings]
        assert rule in str(refused.value) and "nothing was queued" in str(refused.value)
        assert isinstance(refused.value, InvalidAction)
        assert workspace.inbox.get(public).replies == ()
    assert workspace.audit.head() is None   # nothing changed, nothing recorded


@pytest.mark.parametrize("text", [EMAIL, PHONE, ORDER])
def test_the_same_text_in_a_dm_is_queued(workspace, items, checked, text):
    dm = items[1]
    item = workspace.inbox.reply(dm, text, actor=ALICE)
    assert [(r.text, r.status) for r in item.replies] == [(text, REPLY_QUEUED)]
    assert stored_replies(workspace, dm)[0]["acknowledged"] == []


def test_the_refusal_names_rule_words_and_hint(workspace, items, checked):
    with pytest.raises(ReplyBlocked) as refused:
        workspace.inbox.reply(items[0], EMAIL, actor=ALICE)
    finding = next(f for f in refused.value.findings if f.rule_id == "privacy.email")
    assert EMAIL[finding.start:finding.end] == "care@northwind.example"
    message = str(refused.value)
    assert '"care@northwind.example"' in message and finding.message in message
    assert refused.value.item_id == items[0] and refused.value.text == EMAIL


def test_a_warning_needs_acknowledgement_and_the_acknowledgement_is_recorded(workspace, items, checked):
    inbox, comment = workspace.inbox, items[0]
    with pytest.raises(ReplyNeedsAcknowledgement) as refused:
        inbox.reply(comment, SHOUTING, actor=ALICE)
    assert refused.value.rule_ids == ("a11y.all_caps",)
    assert "a11y.all_caps" in str(refused.value)
    with pytest.raises(ReplyNeedsAcknowledgement):   # acknowledging something else does not do
        inbox.reply(comment, SHOUTING, actor=ALICE, acknowledge=["brand.banned"])
    assert inbox.get(comment).replies == ()

    item = inbox.reply(comment, SHOUTING, actor=ALICE, acknowledge=["a11y.all_caps"])
    assert item.replies[0].text == SHOUTING
    assert stored_replies(workspace, comment)[0]["acknowledged"] == ["a11y.all_caps"]
    event = list(workspace.audit.events())[-1]
    assert event["action"] == "inbox.reply" and "acknowledged a11y.all_caps" in event["summary"]


def test_an_error_cannot_be_acknowledged_away(workspace, items, checked):
    with pytest.raises(ReplyBlocked):
        workspace.inbox.reply(items[0], EMAIL + " " + SHOUTING, actor=ALICE,
                              acknowledge=["privacy.email", "a11y.all_caps"])


def test_acknowledgements_survive_later_replies_and_the_worker_marking_them_sent(workspace, items, checked):
    inbox, comment = workspace.inbox, items[0]
    inbox.reply(comment, SHOUTING, actor=ALICE, acknowledge=["a11y.all_caps"])
    # The worker rewrites replies as stored dicts; a later reply rewrites them from the record.
    record = workspace.store.get(INBOX, comment)
    sent = [dict(reply, status="sent") for reply in record["replies"]]
    with workspace.store.transaction(actor="worker") as tx:
        tx.update(INBOX, comment, {"replies": sent}, expected_version=record["_v"])
    inbox.reply(comment, "Thanks again!", actor=ALICE)
    first, second = stored_replies(workspace, comment)
    assert first["acknowledged"] == ["a11y.all_caps"] and first["status"] == "sent"
    assert second["acknowledged"] == []
    assert workspace.inbox.get(comment).replies[0].acknowledged == ("a11y.all_caps",)


def test_bulk_reply_checks_each_item(workspace, items, checked):
    comment, dm, mention, _ = items
    result = workspace.inbox.bulk([comment, dm, mention], "reply", actor=ALICE, text=PHONE)
    assert result.done == [dm]
    assert [item_id for item_id, _ in result.failed] == [comment, mention]
    assert all("privacy.phone" in reason for _, reason in result.failed)
    assert workspace.inbox.get(comment).replies == () and len(workspace.inbox.get(dm).replies) == 1


def test_bulk_reply_passes_the_acknowledgement_to_every_item(workspace, items, checked):
    comment, dm, _, _ = items
    refused = workspace.inbox.bulk([comment, dm], "reply", actor=ALICE, text=SHOUTING)
    assert refused.done == [] and len(refused.failed) == 2
    result = workspace.inbox.bulk([comment, dm], "reply", actor=ALICE, text=SHOUTING,
                                  acknowledge=("a11y.all_caps",))
    assert result.done == [comment, dm]
    assert all(stored_replies(workspace, key)[0]["acknowledged"] == ["a11y.all_caps"] for key in (comment, dm))


def test_brand_and_region_rules_apply_by_the_accounts_region(workspace, items, checked):
    checked.policy = policy_with(
        brand=BrandVoice(banned=(BannedPhrase("cheapest", "we compete on quality"),)),
        accounts={"sandbox:northwind_es": AccountPolicy("sandbox:northwind_es", region="LATAM")},
        regions={"LATAM": RegionRules("LATAM", banned=(BannedPhrase("gratis", "promotions need legal review",
                                                                    severity=WARNING),))},
    )
    inbox, comment_en, dm_en, _, comment_es = workspace.inbox, *items
    for item_id in (comment_en, dm_en):   # brand rules hold in DMs too
        with pytest.raises(ReplyBlocked) as refused:
            inbox.reply(item_id, "We are the cheapest!", actor=ALICE)
        assert [f.rule_id for f in refused.value.findings] == ["brand.banned"]
        assert "we compete on quality" in str(refused.value)
    inbox.reply(comment_en, "El envío es gratis.", actor=ALICE)   # not a LATAM account
    with pytest.raises(ReplyNeedsAcknowledgement) as refused:
        inbox.reply(comment_es, "El envío es gratis.", actor=ALICE)
    assert refused.value.rule_ids == ("region.LATAM.banned",)


def test_the_policy_in_force_at_each_reply_is_used(workspace, items, checked):
    workspace.inbox.reply(items[0], "Only the cheapest for you", actor=ALICE)
    checked.policy = policy_with(brand=BrandVoice(banned=(BannedPhrase("cheapest", "quality"),)))
    with pytest.raises(ReplyBlocked):
        workspace.inbox.reply(items[0], "Only the cheapest for you", actor=ALICE)


def test_the_governance_files_region_for_an_account_wins(workspace, items):
    item = workspace.inbox.get(items[0])
    policy = ContentPolicy(accounts={item.account_id: AccountPolicy(item.account_id, region="EU")})
    assert reply_target(item, policy, lambda account: "NA").region == "EU"
    assert reply_target(item, ContentPolicy(), lambda account: "NA").region == "NA"
    assert reply_target(item, ContentPolicy(), lambda account: "NA").platform == "sandbox"


def test_without_a_reply_check_replies_are_queued_as_before(workspace, items):
    inbox = InboxService(workspace.store, workspace.audit, assignee_for=workspace.inbox_assignee,
                         clock=workspace.clock)
    item = inbox.reply(items[0], EMAIL, actor=ALICE)
    assert item.replies[0].text == EMAIL
    assert inbox.check_reply(items[0], EMAIL, actor=ALICE) is None


def test_check_reply_gives_the_editor_the_services_answer(workspace, items, checked):
    result = workspace.inbox.check_reply(items[0], EMAIL, actor=ALICE)
    assert [f.rule_id for f in result.errors] == ["privacy.email"]
    assert workspace.inbox.check_reply(items[1], EMAIL, actor=ALICE).errors == ()
    viewer = RoleActor("vic", "viewer")
    with pytest.raises(PermissionDenied):
        workspace.inbox.check_reply(items[0], EMAIL, actor=viewer)


def test_the_workspace_checks_replies_with_the_governance_files_policy(workspace, items):
    """No content sections in the governance file: the privacy rules are on by default."""
    with pytest.raises(ReplyBlocked):
        workspace.inbox.reply(items[0], EMAIL, actor=ALICE)
    assert workspace.inbox.reply(items[1], EMAIL, actor=ALICE).replies[0].text == EMAIL


def test_a_reply_with_control_characters_is_never_queued(workspace, items):
    """The reply of the issue: ESC sequences, BEL and a right-to-left override. The
    workspace's own check (the governance file's defaults) refuses it; the refusal
    quotes what it found visibly, and nothing is queued or audited."""
    hostile = "Sorted \x1b]0;pwned\x07 \x1b[2J\u202eyadnoM yb"
    with pytest.raises(ReplyBlocked) as refused:
        workspace.inbox.reply(items[0], hostile, actor=ALICE)
    assert [f.rule_id for f in refused.value.findings] == ["text.control", "text.control"]
    message = str(refused.value)
    assert 'text.control "␛]0;pwned␇"' in message and 'text.control "␛[2J"' in message
    assert not any(ch in message for ch in "\x1b\x07\u202e")
    with pytest.raises(ReplyBlocked):                   # a DM too: controls are never text
        workspace.inbox.reply(items[1], hostile, actor=ALICE)
    assert workspace.inbox.get(items[0]).replies == () and workspace.inbox.get(items[1]).replies == ()
    assert workspace.audit.head() is None


def test_a_bidi_override_in_a_reply_needs_acknowledgement_and_is_kept_exactly(workspace, items):
    text = "Your refund of \u202e00.01$ is on its way"
    with pytest.raises(ReplyNeedsAcknowledgement) as asked:
        workspace.inbox.reply(items[0], text, actor=ALICE)
    assert asked.value.rule_ids == ("text.bidi",) and '"⟨U+202E⟩"' in str(asked.value)
    item = workspace.inbox.reply(items[0], text, actor=ALICE, acknowledge=["text.bidi"])
    assert item.replies[0].text == text and item.replies[0].acknowledged == ("text.bidi",)


# -- socops inbox reply ----------------------------------------------------------------------
def run(capsys, *argv):
    from console.cli.main import main
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_prints_findings_and_takes_ack(capsys, people, cli_clock, monkeypatch, workspace, items):
    people.owner("olivia")
    people.login("olivia")
    comment = items[0]

    act_as(monkeypatch, people, "olivia")
    code, out, err = run(capsys, "inbox", "reply", comment, EMAIL)
    assert code == 1 and out == ""
    assert "blocks this reply" in err and '  error privacy.email "care@northwind.example"' in err

    act_as(monkeypatch, people, "olivia")
    code, _, err = run(capsys, "inbox", "reply", comment, SHOUTING)
    assert code == 1 and "  warning a11y.all_caps" in err and "--ack a11y.all_caps" in err

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "inbox", "reply", comment, SHOUTING, "--ack", "a11y.all_caps")
    assert code == 0 and "queued a reply" in out
    workspace.store.refresh()
    assert stored_replies(workspace, comment)[0]["acknowledged"] == ["a11y.all_caps"]

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "inbox", "show", comment)
    assert code == 0 and "[acknowledged a11y.all_caps]" in out


def test_cli_reply_and_show_name_hidden_characters_and_never_print_them(capsys, people, cli_clock, monkeypatch,
                                                                         workspace, clock):
    people.owner("olivia")
    people.login("olivia")
    [item] = add_items(workspace.store, [
        inbound(9, minutes_ago(clock(), 5), text="Refund \u202e001$ please\x07 \x1b[31mnow\x1b[0m")],
        received=clock())

    act_as(monkeypatch, people, "olivia")
    code, out, err = run(capsys, "inbox", "reply", item, "On it \x1b[2J\x07")
    assert code == 1 and out == ""
    assert '  error text.control "␛[2J␇": a terminal control sequence (␛[2J␇) at line 1, column 7' in err
    assert "\x1b" not in err and "\x07" not in err

    act_as(monkeypatch, people, "olivia")
    code, out, _ = run(capsys, "inbox", "show", item)
    assert code == 0 and "Refund ⟨U+202E⟩001$ please␇ ␛[31mnow␛[0m" in out
    assert not any(ch in out for ch in "\x1b\x07\u202e")
