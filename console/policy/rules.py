"""The rules that read one text on their own: privacy (emails, phone numbers,
order numbers), accessibility (hashtag count, CamelCase hashtags, all caps) and
hidden characters (controls, bidirectional controls, invisible characters).

Each function takes a :class:`~console.policy.text.TextScan` and the label of
the text it reads ("" for the main text, else the platform of a variant) and
returns findings with spans into that text. :mod:`console.policy.check`
decides which texts and which contexts they run on.
"""

from __future__ import annotations

import re
from datetime import date

from console.hidden_text import BIDI, CONTROL, HiddenRun, character_name, hidden_kind, hidden_runs, reveal
from console.policy.model import ERROR, AccessibilityRules, Finding, HiddenCharacterRules, PrivacyRules
from console.policy.text import WORD, WORD_TOKEN, SpanSet, TextScan, is_word_char

# -- privacy -----------------------------------------------------------------------------------
# An address whose local part does not start right after another '@' (so
# "@user@mastodon.social" is a mention, not an email) and whose domain has a TLD.
EMAIL = re.compile(
    r"(?<![\w.+@-])[\w+-](?:[\w.+-]*[\w+-])?@(?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}(?![\w@])"
)
_LOCAL_PART = re.compile(r"[\w.+-]")


def find_emails(text: str) -> list[tuple[int, int]]:
    """Spans of :data:`EMAIL`, looked for only around each '@' (from the start of
    the local part before it) rather than at every position of the text."""
    spans: list[tuple[int, int]] = []
    at = text.find("@")
    while at >= 0:
        start = at
        while start and _LOCAL_PART.match(text, start - 1):
            start -= 1
        m = EMAIL.match(text, start) if start < at else None
        if m is not None:
            spans.append(m.span())
        at = text.find("@", max(at + 1, m.end() if m else 0))
    return spans

# 8-15 digits with '+', spaces, dots, dashes and parentheses between them. The
# look-arounds keep out prices ($1,299.00), paths and ids (/123…, #123…, ABC-123…),
# decimals and times (12:30), and the middle of longer digit groups.
# The pattern starts with the character class and looks behind it only then, so
# ``re`` skips straight to '+', '(' and digits instead of trying every position.
PHONE = re.compile(
    r"[+(\d](?<![\w$€£¥₹#@/.,+=\-][+(\d])"
    r"(?:(?<=\+)\(?\d|(?<=\()\d|(?<=\d))"
    r"(?:(?:[ .\-]|\)[ .\-]?|[ .\-]?\()?\d){7,14}\)?"
    r"(?![\w@/%:€$£¥₹]|[ .,\-]?\d)"
)
_DATE_SHAPES = re.compile(
    r"\d{4}[-./ ]\d{1,2}[-./ ]\d{1,2}|\d{1,2}[-./ ]\d{1,2}[-./ ]\d{2,4}"
)
_CURRENCY = set("$€£¥₹")
_CURRENCY_CODE = re.compile(r"\s?(?:USD|EUR|GBP|JPY|CHF|CAD|AUD)\b", re.IGNORECASE)
_DIGIT = re.compile(r"\d")


def compile_order_pattern(pattern: str) -> re.Pattern | None:
    """The governance file's order-number pattern; ``None`` if it does not compile
    (the file's validator reports that; the checks must not crash on it)."""
    try:
        return re.compile(pattern, re.IGNORECASE)
    except (re.error, TypeError):
        return None


def _is_compact_date(digits: str) -> bool:
    if len(digits) != 8:
        return False
    try:
        date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        return False
    return 1900 <= int(digits[:4]) <= 2100


def _looks_like_phone(text: str, start: int, end: int) -> bool:
    """The candidate's shape and surroundings: not a date, a decimal or an amount."""
    candidate = text[start:end]
    digits = "".join(_DIGIT.findall(candidate))
    if not 8 <= len(digits) <= 15:
        return False
    if _DATE_SHAPES.fullmatch(candidate.strip("()")) or _is_compact_date(digits):
        return False
    if candidate.count(".") == 1 and not any(sep in candidate for sep in " -()+"):
        return False                                   # 3.14159265, 1234.5678
    before = text[max(0, start - 2):start].strip()
    if before and before[-1] in _CURRENCY:
        return False                                   # € 12 345 678
    after = text[end:end + 5]
    if after[:2].strip()[:1] in _CURRENCY or _CURRENCY_CODE.match(after):
        return False                                   # 12 345 678 €, 12345678 EUR
    return True


def privacy_findings(scan: TextScan, label: str, rules: PrivacyRules,
                     order_pattern: re.Pattern | None) -> list[Finding]:
    """Emails, phone numbers and order numbers in ``scan``: one finding each."""
    text, found = scan.text, []
    severity = rules.severity
    orders: list[tuple[int, int]] = []
    if rules.order_numbers and order_pattern is not None:
        for m in order_pattern.finditer(text):
            # An order number has a digit; without this "order today" would match.
            if m.end() > m.start() and _DIGIT.search(m.group()):
                orders.append(m.span())
                found.append(Finding(
                    "privacy.order_number", severity, "an order number in public text",
                    "remove it; ask the customer to send it in a private message",
                    m.start(), m.end(), label))
    emails: list[tuple[int, int]] = []
    if rules.emails and "@" in text:
        for start, end in find_emails(text):
            emails.append((start, end))
            found.append(Finding(
                "privacy.email", severity, "an email address in public text",
                "remove it; move the conversation to a private message",
                start, end, label))
    if rules.phone_numbers:
        taken = orders + emails
        for m in PHONE.finditer(text):
            start, end = m.span()
            if text[start] == "(" and ")" not in text[start:end]:
                start += 1                             # "(see 0612…" is no area code
            if any(s < end and start < e for s, e in taken) or scan.links.overlaps(start, end):
                continue
            if _looks_like_phone(text, start, end):
                found.append(Finding(
                    "privacy.phone", severity, "a phone number in public text",
                    "remove it; move the conversation to a private message",
                    start, end, label))
    return found


# -- accessibility -----------------------------------------------------------------------------
_LATIN_LETTERS = re.compile(r"[A-Za-z\u00C0-\u00D6\u00D8-\u00F6\u00F8-\u024F\u1E00-\u1EFF]+")


def hashtag_findings(scan: TextScan, label: str, rules: AccessibilityRules) -> list[Finding]:
    """Too many hashtags; long Latin hashtags a screen reader cannot split into words."""
    found = []
    tags = scan.hashtags
    limit = rules.max_hashtags
    if limit is not None and len(tags) > limit:
        first_extra = tags[limit] if limit >= 0 else tags[0]
        found.append(Finding(
            "a11y.hashtag_limit", rules.severity,
            f"{len(tags)} hashtags; the policy allows {limit}",
            "keep the hashtags that matter most; long runs of hashtags are read out one by one",
            first_extra.start, tags[-1].end, label))
    if rules.camel_case_hashtags:
        for tag in tags:
            if (len(tag.tag) >= 8 and _LATIN_LETTERS.fullmatch(tag.tag)
                    and (tag.tag.islower() or tag.tag.isupper())):
                found.append(Finding(
                    "a11y.camel_case", rules.severity,
                    f"#{tag.tag} is one long word to a screen reader",
                    "write it in CamelCase, e.g. #SummerSale, so screen readers read the words",
                    tag.start, tag.end, label))
    return found


def _capitals_of(*blocks: tuple[int, int]) -> str:
    """A character class body of the upper-case letters in ``blocks``."""
    ranges: list[list[int]] = []
    for low, high in blocks:
        for cp in range(low, high + 1):
            if chr(cp).isupper():
                if ranges and ranges[-1][1] == cp - 1:
                    ranges[-1][1] = cp
                else:
                    ranges.append([cp, cp])
    return "".join(re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
                   for a, b in ranges)


# Capitals of the Latin, Greek and Cyrillic blocks (basic, supplements, extended,
# fullwidth): the scripts where capitals read as shouting.
_CAPITALS = _capitals_of((0x41, 0x52F), (0x1C80, 0x1C8F), (0x1D00, 0x1FFF), (0x2C60, 0x2C7F),
                         (0xA640, 0xA69F), (0xA720, 0xA7FF), (0xFF21, 0xFF3A))
_CAPITAL = re.compile(f"[{_CAPITALS}]")
# Where a word with two such capitals starts to show: the only places a caps run can be.
_TWO_CAPITALS = re.compile(f"[{_CAPITALS}]{WORD}*?[{_CAPITALS}]")


def _is_shouting(word: str) -> bool:
    """An all-capitals word (the caller checked) with two or more capitals, all of
    them Latin, Greek or Cyrillic."""
    capitals = [ch for ch in word if ch.isupper()]
    return len(capitals) >= 2 and all(_CAPITAL.match(ch) for ch in capitals)


def _has_lower_word(text: str, start: int, end: int, skip: SpanSet) -> bool:
    """Whether ``text[start:end]`` holds a word with a lower-case letter outside ``skip``."""
    gap = text[start:end]
    if gap.upper() == gap:
        return False
    for m in WORD_TOKEN.finditer(text, start, end):
        word = m.group()
        if word.upper() != word and not (skip and skip.overlaps(*m.span())):
            return True
    return False


def caps_findings(scan: TextScan, label: str, rules: AccessibilityRules) -> list[Finding]:
    """Runs of ``all_caps_min_words`` or more all-caps words. Hashtags, mentions and
    links are skipped; so are words with fewer than two capitals ("I", "A") and
    words without case (numbers, CJK, Arabic): they neither count nor end a run.
    A word with a lower-case letter ends it.

    Only words with two capitals can shout, so the text is searched for those
    (rare in ordinary text) rather than walked word by word."""
    text = scan.text
    if not rules.no_all_caps or text.islower():
        return []
    skip = SpanSet([*((tag.start, tag.end) for tag in scan.hashtags), *scan.shielded.spans])
    found: list[Finding] = []
    run: list[tuple[int, int]] = []

    def close() -> None:
        if len(run) >= max(rules.all_caps_min_words, 1):
            found.append(Finding(
                "a11y.all_caps", rules.severity,
                f"{len(run)} words in capitals in a row",
                "write it in sentence case; screen readers may spell capitals out letter by letter",
                run[0][0], run[-1][1], label))
        run.clear()

    pos = 0
    while (m := _TWO_CAPITALS.search(text, pos)) is not None:
        start = m.start()
        while start and is_word_char(text[start - 1]):
            start -= 1
        end = WORD_TOKEN.match(text, start).end()
        pos = end
        if skip and skip.overlaps(start, end):
            continue                                  # a hashtag, mention or link
        if run and _has_lower_word(text, run[-1][1], start, skip):
            close()
        word = text[start:end]
        if not word.isupper():
            close()                                   # "SuperSALE": has lower case
        elif _is_shouting(word):
            run.append((start, end))
    close()
    return found


# -- hidden characters -------------------------------------------------------------------------
#: Longest quote of hidden characters in a finding's message (characters as shown).
_SHOWN_CHARS = 40


def hidden_findings(text: str, label: str, rules: HiddenCharacterRules) -> list[Finding]:
    """One finding per run of hidden characters (``console/hidden_text.py``), the
    run shown as review screens show it (``␇``, ``⟨U+202E⟩``) and placed by line
    and column, so the writer can find what they cannot see."""
    found = []
    for run in hidden_runs(text):
        if run.kind == CONTROL:
            found.append(_hidden_finding(text, run, label, "text.control", ERROR))
        elif run.kind == BIDI:
            found.append(_hidden_finding(text, run, label, "text.bidi", rules.bidi))
        else:
            found.append(_hidden_finding(text, run, label, "text.invisible", rules.invisible))
    return found


def _position(text: str, index: int) -> str:
    line = text.count("\n", 0, index) + 1
    column = index - text.rfind("\n", 0, index)
    return f"line {line}, column {column}"


def _hidden_finding(text: str, run: HiddenRun, label: str, rule_id: str, severity: str) -> Finding:
    hidden = [ch for i, ch in enumerate(text[run.start:run.end], run.start) if hidden_kind(text, i)]
    count = len(hidden)
    shown = reveal(text, run.start, run.end)
    if len(shown) > _SHOWN_CHARS:
        shown = shown[:_SHOWN_CHARS - 1] + "…"
    where = _position(text, run.start)
    remove = f"remove the hidden character{'s' if count != 1 else ''} at {where}"
    if run.kind == CONTROL:
        if count < run.end - run.start:
            what, remove = f"a terminal control sequence ({shown})", f"remove the control sequence at {where}"
        elif count == 1:
            what = f"a control character ({shown} {character_name(hidden[0])})"
        else:
            what = f"{count} control characters ({shown})"
        message = f"{what} at {where}: control characters are not text, and a screen showing them may act on them"
    else:
        names = list(dict.fromkeys(character_name(ch) for ch in hidden))
        what = f"a hidden {names[0]}" if count == 1 else f"{count} hidden characters ({', '.join(names[:3])})"
        it, they = ("it", "it") if count == 1 else ("they", "them")
        effect = (f"{it} can make the text read differently from how it is sent" if run.kind == BIDI
                  else f"readers cannot see {they}, and {it} can split words the checks look for")
        message = f"{what}, {shown}, at {where}: {effect}"
    return Finding(rule_id, severity, message, remove, run.start, run.end, label)
