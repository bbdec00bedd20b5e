"""What the content library holds: assets, their kinds and states, and templates.

An asset is reusable content a team has approved once so that nobody has to
write it again under pressure: an image (with its alt text), a text snippet,
a template with ``{{placeholders}}``, a saved reply for the inbox, or a
pre-approved holding statement for a crisis. It is added *pending*, becomes
*approved* when someone other than its owner approves it, and is *retired*
when it must no longer be used (the record stays, for history).

Titles, texts, tags and alt texts are typed by people and may hold anything
(control characters, Rich markup): they are stored exactly as given and made
safe only where they are displayed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime, timezone

from console.errors import InvalidAction
from console.library.files import LibraryError
from console.policy import Attachment
from console.records import format_time, parse_time
from console.tags import clean_tag

IMAGE = "image"
SNIPPET = "snippet"
TEMPLATE = "template"
SAVED_REPLY = "saved_reply"
HOLDING_STATEMENT = "holding_statement"
#: Kind -> the prefix of its ids (``img-3fa9c2d1``): short, typable, and telling.
ID_PREFIXES = {IMAGE: "img", SNIPPET: "snp", TEMPLATE: "tpl", SAVED_REPLY: "rpl", HOLDING_STATEMENT: "hld"}
KINDS = tuple(ID_PREFIXES)
TEXT_KINDS = tuple(kind for kind in KINDS if kind != IMAGE)

PENDING = "pending"
APPROVED = "approved"
RETIRED = "retired"
STATES = (PENDING, APPROVED, RETIRED)
EXPIRED = "expired"     # not stored: an approved (or pending) asset past its expiry

MAX_TITLE_CHARS = 200
MAX_TEXT_CHARS = 5_000
MAX_ALT_CHARS = 1_500
MAX_TAGS = 20

# ``{{name}}``: letters, digits and underscores (ASCII), nothing else inside.
PLACEHOLDER = re.compile(r"\{\{([A-Za-z0-9_]+)\}\}")


def kind_label(kind: str) -> str:
    """``saved_reply`` -> ``saved reply`` (for messages)."""
    return kind.replace("_", " ")


@dataclass(frozen=True)
class Asset:
    """One library asset as stored; ``state`` is the stored state (expiry is
    judged at a moment: see ``LibraryService.usable`` / ``status``)."""

    id: str
    kind: str
    title: str
    owner: str
    state: str
    created_at: datetime
    text: str = ""
    tags: tuple[str, ...] = ()
    approved_by: str = ""
    approved_at: datetime | None = None
    expires_at: datetime | None = None
    retired_by: str = ""
    retired_at: datetime | None = None
    retire_reason: str = ""
    # images only
    sha256: str = ""
    file_name: str = ""
    mime_type: str = ""
    size: int = 0
    alt_text: str = ""
    width: int | None = None
    height: int | None = None
    version: int = 0

    @property
    def is_image(self) -> bool:
        return self.kind == IMAGE

    def expired_at(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def attachment(self) -> Attachment:
        """This image as the policy checks see an attached image."""
        return Attachment(self.id, self.alt_text, self.mime_type)

    def to_dict(self) -> dict:
        """A JSON-ready dict (times as ISO UTC text, tags as a list)."""
        data = asdict(self)
        for name in ("created_at", "approved_at", "expires_at", "retired_at"):
            data[name] = format_time(data[name])
        data["tags"] = list(self.tags)
        return data


def asset_from_record(raw: dict) -> Asset:
    return Asset(
        id=raw["_key"], kind=raw["kind"], title=raw.get("title", ""), owner=raw.get("owner", ""),
        state=raw.get("state", PENDING), created_at=parse_time(raw.get("created_at")) or _EPOCH,
        text=raw.get("text", ""), tags=tuple(raw.get("tags") or ()),
        approved_by=raw.get("approved_by") or "", approved_at=parse_time(raw.get("approved_at")),
        expires_at=parse_time(raw.get("expires_at")), retired_by=raw.get("retired_by") or "",
        retired_at=parse_time(raw.get("retired_at")), retire_reason=raw.get("retire_reason") or "",
        sha256=raw.get("sha256") or "", file_name=raw.get("file_name") or "",
        mime_type=raw.get("mime_type") or "", size=raw.get("size") or 0,
        alt_text=raw.get("alt_text") or "", width=raw.get("width"), height=raw.get("height"),
        version=raw.get("_v", 0),
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)


# -- checking what people type ------------------------------------------------------------
def check_kind(kind: str, allowed: Iterable[str] = KINDS) -> str:
    """``kind`` in its stored spelling (``saved-reply`` is accepted for ``saved_reply``)."""
    allowed = tuple(allowed)
    normal = (kind or "").strip().lower().replace("-", "_").replace(" ", "_")
    if normal not in allowed:
        raise LibraryError(f"{kind!r} is not a library kind; use one of "
                           f"{', '.join(k.replace('_', '-') for k in allowed)}")
    return normal


def check_title(title: str) -> str:
    if not (title or "").strip():
        raise LibraryError("give the asset a title (what it is, so others can find it)")
    if len(title) > MAX_TITLE_CHARS:
        raise LibraryError(f"the title has {len(title)} characters; keep it to {MAX_TITLE_CHARS}")
    return title


def check_text(text: str, what: str = "the text") -> str:
    if not (text or "").strip():
        raise LibraryError(f"{what} is empty; write what the asset says")
    if len(text) > MAX_TEXT_CHARS:
        raise LibraryError(f"{what} has {len(text):,} characters; the limit is {MAX_TEXT_CHARS:,}")
    return text


def check_alt_text(alt_text: str) -> str:
    if not (alt_text or "").strip():
        raise LibraryError("an image needs alt text (what it shows, for people who cannot see it); "
                           "give it with --alt")
    if len(alt_text) > MAX_ALT_CHARS:
        raise LibraryError(f"the alt text has {len(alt_text):,} characters; keep it to {MAX_ALT_CHARS:,}")
    return alt_text


def clean_tags(tags: Iterable[str]) -> tuple[str, ...]:
    """Tags as one lower-case word each (a leading ``#`` dropped), without repeats, sorted."""
    try:
        cleaned = {clean_tag(tag) for tag in tags}
    except InvalidAction as error:
        raise LibraryError(str(error)) from None
    if len(cleaned) > MAX_TAGS:
        raise LibraryError(f"{len(cleaned)} tags; keep it to {MAX_TAGS}")
    return tuple(sorted(cleaned))


# -- templates ----------------------------------------------------------------------------
def template_placeholders(text: str) -> list[str]:
    """The placeholder names in ``text``, each once, in order of first appearance."""
    return list(dict.fromkeys(PLACEHOLDER.findall(text)))


def check_template(text: str) -> None:
    """A template must have at least one placeholder, and every ``{{`` or ``}}`` must
    belong to a well-formed one: a typo such as ``{{first name}}`` would otherwise
    be published as written."""
    if not template_placeholders(text):
        raise LibraryError("a template needs at least one {{placeholder}} (letters, digits, _); "
                           "add text without placeholders as a snippet")
    rest = PLACEHOLDER.sub("", text)
    for brace in ("{{", "}}"):
        at = rest.find(brace)
        if at >= 0:
            near = rest[max(at - 10, 0):at + 20]
            raise LibraryError(f"malformed placeholder near {near!r}: write {{{{name}}}} with letters, "
                               "digits and _ only")


def fill_template(text: str, values: Mapping[str, str]) -> str:
    """``text`` with every ``{{name}}`` replaced by ``values[name]``, taken literally
    (a value that itself looks like a placeholder stays as it is)."""
    names = template_placeholders(text)
    missing = [name for name in names if name not in values]
    unknown = sorted(set(values) - set(names))
    problems = []
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    if unknown:
        problems.append(f"not in the template: {', '.join(unknown)}")
    if problems:
        raise LibraryError(f"cannot fill the template ({'; '.join(problems)}); "
                           f"its placeholders are {', '.join(names)}")
    return PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), text)
