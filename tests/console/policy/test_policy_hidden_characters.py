"""The hidden-character rules: control characters block, bidirectional controls and
invisible characters warn, ordinary writing in any script does not trip them,
and the governance file can make the warnings errors (never the reverse)."""

from __future__ import annotations

from pathlib import Path

import pytest

from console.governance import check_governance_text
from console.policy import (
    CONTEXTS,
    ERROR,
    WARNING,
    ContentPolicy,
    Draft,
    HiddenCharacterRules,
    Target,
    check_draft,
    check_reply,
)

TARGETS = (Target("m", "mastodon"), Target("x", "x"))
HIDDEN_RULES = {"text.control", "text.bidi", "text.invisible"}


def hidden(text: str, policy: ContentPolicy = ContentPolicy(), context: str = "post",
           variants: dict | None = None) -> list[tuple[str, str, str]]:
    """(rule, severity, the span's text) of the hidden-character findings."""
    draft = Draft(text, TARGETS, variants or {}, context=context)
    result = check_draft(policy, draft)
    return [(f.rule_id, f.severity, draft.text_for(f.platform)[f.start:f.end]) for f in result.findings
            if f.rule_id in HIDDEN_RULES]


@pytest.mark.parametrize("text, found", [
    ("Sale now \x1b[2J\x1b[H on", [("text.control", ERROR, "\x1b[2J\x1b[H")]),
    ("Title \x1b]0;pwned\x07 here", [("text.control", ERROR, "\x1b]0;pwned\x07")]),
    ("Ding\x07 dong", [("text.control", ERROR, "\x07")]),
    ("8-bit \x9b31m red", [("text.control", ERROR, "\x9b31m")]),
    ("nul\x00 and del\x7f", [("text.control", ERROR, "\x00"), ("text.control", ERROR, "\x7f")]),
    ("Refund: \u202e001$ \u202c", [("text.bidi", WARNING, "\u202e"), ("text.bidi", WARNING, "\u202c")]),
    ("isolate \u2067x\u2069", [("text.bidi", WARNING, "\u2067"), ("text.bidi", WARNING, "\u2069")]),
    ("free\u200bmoney", [("text.invisible", WARNING, "\u200b")]),
    ("\ufeffHello", [("text.invisible", WARNING, "\ufeff")]),
    ("pass\u200d\u200dword", [("text.invisible", WARNING, "\u200d\u200d")]),
])
def test_hidden_characters_are_found_with_their_span(text, found):
    assert hidden(text) == found


def test_errors_come_first_and_say_where_and_what():
    text = "Hello\nworld \u202eevil\x07"
    result = check_draft(ContentPolicy(), Draft(text, TARGETS))
    control, bidi = result.findings
    assert (control.rule_id, control.severity, control.start) == ("text.control", ERROR, text.index("\x07"))
    assert "␇ BEL" in control.message and "line 2, column 12" in control.message
    assert control.hint == "remove the hidden character at line 2, column 12"
    assert "right-to-left override, ⟨U+202E⟩, at line 2, column 7" in bidi.message
    assert bidi.hint == "remove the hidden character at line 2, column 7"
    assert result.errors == (control,) and result.warnings == (bidi,)


@pytest.mark.parametrize("text", [
    "Family day 👨\u200d👩\u200d👧 at the lake #Northwind",
    "Heart on fire ❤️\u200d🔥 · pride 🏳️\u200d🌈 · 👩🏽\u200d💻 · 🏃\u200d♀️ · 🐻\u200d❄️ · 🧑\u200d🤝\u200d🧑",
    "Go Scotland 🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f!",
    "می\u200cخواهم این کاپشن را بخرم. کی\u200cها تخفیف دارید؟",
    "हमारी नई जैकेट क्\u200dष और क्\u200cष",
    "അവന്\u200d പോയി",
    "ශ්\u200dරී ලංකා",
    "مرحبا بالعالم، كيف حالك؟",
    "שלום עולם!\u200f המחיר 100 ₪",
    "Line one\nline two\twith a tab\r\nand a Windows line end",
])
def test_ordinary_writing_in_any_script_has_no_hidden_findings(text):
    for context in CONTEXTS:
        assert hidden(text, context=context) == []


def test_every_text_a_post_publishes_is_checked_and_replies_too():
    found = hidden("Clean main text", variants={"x": "X text \x1b[5m"})
    assert found == [("text.control", ERROR, "\x1b[5m")]
    result = check_draft(ContentPolicy(), Draft("Clean", TARGETS, {"x": "X \u202e"}))
    assert [(f.rule_id, f.platform) for f in result.findings if f.rule_id in HIDDEN_RULES] == [("text.bidi", "x")]
    for public in (True, False):
        reply = check_reply(ContentPolicy(), "Thanks!\x07", Target("m", "mastodon"), public=public)
        assert [f.rule_id for f in reply.errors] == ["text.control"]


def test_the_policy_can_make_bidi_and_invisible_errors():
    strict = ContentPolicy(hidden=HiddenCharacterRules(bidi=ERROR, invisible=ERROR))
    assert hidden("a\u202eb c\u200bd", strict) == [("text.bidi", ERROR, "\u202e"), ("text.invisible", ERROR, "\u200b")]


def test_the_governance_file_sets_the_severities_and_reports_mistakes_on_their_line():
    policy, problems = check_governance_text('version = 1\n[hidden_characters]\nbidi = "error"\n', Path("g.toml"))
    assert problems == [] and policy.content.hidden == HiddenCharacterRules(bidi=ERROR, invisible=WARNING)
    policy, problems = check_governance_text(
        'version = 1\n[hidden_characters]\ncontrol = "warning"\ninvisible = "off"\n', Path("g.toml"))
    assert policy is None
    assert [(p.line, p.message) for p in problems] == [
        (3, "unknown setting 'control' in [hidden_characters]; known: bidi, invisible"),
        (4, "[hidden_characters] invisible = 'off' is not valid; use error or warning"),
    ]
