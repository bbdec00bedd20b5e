"""Sample holding statements the sandbox workspace starts with, one for each
playbook of the shipped crisis plan (``governance.example.toml``), so crisis
mode can be tried at once. They are demo content: the library adds them
approved by the system actor "sandbox", with titles that say they are
samples; a real team writes and approves its own (`socops library add
holding-statement`).

Their tags are the playbooks' ``holding_statement_tags``; they are in
English, for the sandbox's North American account.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SampleStatement:
    id: str
    title: str
    text: str
    tags: tuple[str, ...]
    kind: str = "holding_statement"


SAMPLE_STATEMENTS = (
    SampleStatement(
        "hld-sample-recall", "SAMPLE (sandbox demo): product recall holding statement",
        "We have learned of a possible safety issue with one of our products. We are looking into it with "
        "urgency and will share what to do here within the hour. If you own the product, please stop using "
        "it for now. Thank you for your patience.",
        ("recall", "sample")),
    SampleStatement(
        "hld-sample-outage", "SAMPLE (sandbox demo): outage holding statement",
        "Our online store and app are having problems right now, and some orders and messages may not go "
        "through. Our team is on it. We will post an update here within 30 minutes. Sorry for the trouble.",
        ("outage", "sample")),
    SampleStatement(
        "hld-sample-offensive-post", "SAMPLE (sandbox demo): offensive post by the brand",
        "Earlier today we published a post that was hurtful and wrong. We have taken it down. We are sorry, "
        "and we are reviewing how it was approved. We will share what we are changing.",
        ("offensive-post", "sample")),
    SampleStatement(
        "hld-sample-account-takeover", "SAMPLE (sandbox demo): account takeover holding statement",
        "Someone without permission gained access to this account and posted messages that did not come from "
        "us. We have secured the account. Please ignore those messages and do not click their links. We are "
        "sorry for the confusion.",
        ("account-takeover", "sample")),
)
