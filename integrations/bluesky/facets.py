"""Rich-text facets for Bluesky posts: @mentions (by DID) and links, UTF-8 byte offsets.

Offsets are UTF-8 byte positions, start inclusive and end exclusive. Mentions
follow the atproto handle syntax (domain-like, at least one dot); links are
``http(s)://`` URLs with trailing punctuation trimmed, as the official client does.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_MENTION = re.compile(
    r"(?:^|(?<=[\s(]))@((?:[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\.)+"
    r"[a-zA-Z](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)"
)
_URL = re.compile(r"(?:^|(?<=[\s(]))(https?://[^\s]+)")
_TRAILING = ".,;:!?\"')]}"


@dataclass(frozen=True)
class Span:
    start: int  # byte offsets
    end: int
    value: str  # the handle (without @) or the URL


def byte_offset(text: str, index: int) -> int:
    """The UTF-8 byte offset of code point ``index`` in ``text``."""
    return len(text[:index].encode("utf-8"))


def find_mentions(text: str) -> list[Span]:
    spans = []
    for m in _MENTION.finditer(text):
        handle = m.group(1).rstrip(".")
        start = m.start(1) - 1  # include the "@"
        end = m.start(1) + len(handle)
        spans.append(Span(byte_offset(text, start), byte_offset(text, end), handle.lower()))
    return spans


def find_links(text: str) -> list[Span]:
    spans = []
    for m in _URL.finditer(text):
        url = m.group(1)
        while url and url[-1] in _TRAILING:
            if url[-1] == ")" and url.count("(") >= url.count(")"):
                break
            url = url[:-1]
        if len(url) <= len("https://"):
            continue
        spans.append(Span(byte_offset(text, m.start(1)),
                          byte_offset(text, m.start(1) + len(url)), url))
    return spans


def build_facets(text: str, dids: dict[str, str]) -> list[dict]:
    """Facets for ``text``; ``dids`` maps lower-case handles to DIDs (unresolved ones get none)."""
    facets: list[dict] = []
    for span in find_mentions(text):
        did = dids.get(span.value)
        if did:
            facets.append({
                "$type": "app.bsky.richtext.facet",
                "index": {"byteStart": span.start, "byteEnd": span.end},
                "features": [{"$type": "app.bsky.richtext.facet#mention", "did": did}],
            })
    for span in find_links(text):
        facets.append({
            "$type": "app.bsky.richtext.facet",
            "index": {"byteStart": span.start, "byteEnd": span.end},
            "features": [{"$type": "app.bsky.richtext.facet#link", "uri": span.value}],
        })
    facets.sort(key=lambda f: f["index"]["byteStart"])
    # facets must not overlap: keep the earlier one
    kept: list[dict] = []
    for facet in facets:
        if kept and facet["index"]["byteStart"] < kept[-1]["index"]["byteEnd"]:
            continue
        kept.append(facet)
    return kept
