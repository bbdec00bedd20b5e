"""The detail pane of the Approvals panel: everything an approver decides on.

The post's header, its text, the route with every stage marked done /
current / waiting (and who approved), what changed since the approvers last
looked (the revision diff, red and green), the policy findings at submission
and who acknowledged the warnings, each platform's text with its length
counter, the images with their alt text, and the history.

:func:`load_post_detail` gathers what needs the store or the policy checker
(run it in a thread worker); :func:`post_detail_renderable` only formats.
Every piece of text people wrote goes into a ``rich.text.Text``, never markup:
the texts the approver decides on (the post, each platform's version, the
changes) with their hidden characters shown (``⟨U+202E⟩``, ``␇``, see
``screens.formatting.revealed_text``), so what is approved is what is sent;
names and notes through ``console.untrusted``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.style import Style
from rich.text import Text
from textual.containers import VerticalScroll
from textual.widgets import Static

from console.policy import Attachment, CheckResult, Finding
from console.errors import ConsoleError
from console.posts import (
    CHANGES_REQUESTED,
    CURRENT,
    DONE,
    DRAFT,
    EXPIRED,
    NOT_REACHED,
    REJECTED,
    Post,
    StageState,
    last_seen_revision,
    stage_states,
)
from console.untrusted import one_line
from screens.formatting import clock_text, revealed_text
from screens.approvals.post_format import relative_time, status_label

if TYPE_CHECKING:
    from console.workspace import Workspace

#: How each stage state reads: a glyph and a word, so it reads without colour too.
_STAGE_MARKS = {DONE: ("✓", "done"), CURRENT: ("▶", "now"), "waiting": ("·", "waiting"),
               "rejected": ("✗", "rejected here"), "changes requested": ("↩", "changes requested"),
               "expired": ("✗", "expired here"), NOT_REACHED: ("·", "not reached")}


@dataclass(frozen=True)
class ImageInfo:
    asset_id: str
    attachment: Attachment | None
    problem: str = ""


@dataclass(frozen=True)
class AccountInfo:
    """What the pane says about a target account: its handle, platform and time zone."""

    handle: str
    platform: str
    timezone: str = "UTC"


@dataclass(frozen=True)
class PostDetail:
    """What the pane shows about one post, gathered off the UI thread."""

    post: Post
    diff: list[str]
    since: int                         # the revision the diff starts from
    check: CheckResult | None          # the policy check now (for counters; findings of drafts)
    check_problem: str = ""
    images: list[ImageInfo] = field(default_factory=list)
    accounts: Mapping[str, AccountInfo] = field(default_factory=dict)


def load_post_detail(workspace: "Workspace", post: Post) -> PostDetail:
    """Run the checks the pane needs (in a thread worker: it reads the store and the library)."""
    check, problem = None, ""
    try:
        check = workspace.posts.check(post)
    except ConsoleError as error:
        problem = str(error)
    images = []
    for asset_id in post.assets:
        try:
            images.append(ImageInfo(asset_id, workspace.posts.attachment_for(asset_id)))
        except ConsoleError as error:
            images.append(ImageInfo(asset_id, None, str(error)))
    accounts = {ref.account_id: AccountInfo(ref.handle, ref.platform, ref.timezone) for ref in workspace.accounts}
    return PostDetail(post, workspace.approvals.revision_diff(post), last_seen_revision(post), check, problem,
                      images, accounts)


def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _account(detail: PostDetail, account_id: str) -> str:
    ref = detail.accounts.get(account_id)
    return one_line(ref.handle if ref else account_id)


def _local_time(detail: PostDetail, account_id: str) -> str:
    """The proposed time where the account's audience is (its time zone)."""
    ref = detail.accounts.get(account_id)
    moment = detail.post.proposed_at
    zone = _zone(ref.timezone) if ref else None
    if moment is None or zone is None:
        return ""
    local = moment.astimezone(zone)
    return f"{local.strftime('%a')} {local.strftime('%H:%M')} {local.tzname()}"


def post_detail_renderable(detail: PostDetail, *, now: datetime, tz: tzinfo | None,
                           styles: dict[str, Style], reviewer: str = "") -> RenderableType:
    """The whole pane as Rich renderables built only from ``Text``."""
    post = detail.post
    parts: list[RenderableType] = [_header(detail, now, tz, styles)]
    decision = _decision(post, now, tz, styles)
    if decision is not None:
        parts.append(decision)
    parts.append(Text(""))
    parts.append(revealed_text(post.text) if post.text else Text("(no text)"))
    parts += _route(post, now, tz, styles, reviewer)
    parts += _changes(detail, styles)
    parts += _findings(detail, now, tz, styles)
    parts += _platforms(detail, styles)
    parts += _images(detail, styles)
    parts += _history(post, now, tz, styles)
    return Group(*parts)


def _section(title: str, styles: dict[str, Style], extra: str = "") -> list[RenderableType]:
    heading = Text(title, styles["heading"])
    if extra:
        heading.append(f"  {extra}", styles["muted"])
    return [Text(""), heading]


def _indent(renderable: RenderableType, cells: int = 2) -> Padding:
    return Padding(renderable, (0, 0, 0, cells))


def _header(detail: PostDetail, now: datetime, tz: tzinfo | None, styles: dict[str, Style]) -> Text:
    post = detail.post
    text = Text()
    text.append(post.id, styles["heading"])
    text.append(" · ")
    text.append(status_label(post.status), styles["heading"])
    text.append(" · ")
    risk = f"{post.risk} risk"
    if post.risk_reasons:
        risk += f" ({', '.join(one_line(r, 40) for r in post.risk_reasons)})"
    text.append(risk, styles.get(f"risk_{post.risk}", styles["muted"]))
    text.append(f" · by {one_line(post.author, 40)}")
    others = [one_line(a, 40) for a in post.authors if a != post.author]
    if others:
        text.append(f" (edited by {', '.join(others)})")
    text.append(f" · revision {post.revision}\n")
    when = (f"{clock_text(post.proposed_at, now, tz)} ({relative_time(post.proposed_at, now)})"
            if post.proposed_at else "no time proposed")
    text.append(f"Proposed {when} · to ")
    text.append(", ".join(f"{_account(detail, a)}" + (f" {_local_time(detail, a)}" if _local_time(detail, a) else "")
                          for a in post.targets) or "-")
    if post.tags:
        text.append(" · tags " + ", ".join(one_line(t, 30) for t in post.tags))
    return text


#: For a post sent back, turned down or expired: the history action that did it, and how it reads.
_DECISIONS = {CHANGES_REQUESTED: ("changes", "asked for changes"), REJECTED: ("reject", "rejected it"),
              EXPIRED: ("expire", "expired it")}


def _decision(post: Post, now: datetime, tz: tzinfo | None, styles: dict[str, Style]) -> Text | None:
    """Why the post is where it is, in the decider's words (the note), for the authors."""
    action, verb = _DECISIONS.get(post.status, ("", ""))
    entry = next((h for h in reversed(post.history) if h.action == action), None) if action else None
    if entry is None:
        return None
    line = Text(f"{one_line(entry.by, 30)} {verb} at {clock_text(entry.at, now, tz)}",
                styles["warning"] if post.status == CHANGES_REQUESTED else styles["removed"])
    if entry.note:
        line.append(": ")
        line.append(one_line(entry.note, 500))
    return line


def _route(post: Post, now: datetime, tz: tzinfo | None, styles: dict[str, Style],
           reviewer: str) -> list[RenderableType]:
    if post.route is None:
        return _section("Route", styles, "chosen when the post is submitted")
    parts = _section(f"Route {one_line(post.route.name, 40)}", styles, one_line(post.route.describe(), 80))
    for state in stage_states(post):
        parts.append(_indent(_stage_line(post, state, now, tz, styles, reviewer)))
    return parts


def _stage_line(post: Post, state: StageState, now: datetime, tz: tzinfo | None, styles: dict[str, Style],
                reviewer: str) -> Text:
    glyph, word = _STAGE_MARKS.get(state.state, ("·", state.state))
    style = styles["done"] if state.state == DONE else styles["current"] if state.state == CURRENT else styles["muted"]
    line = Text()
    line.append(f"{glyph} {state.number} {state.stage.mode} {state.stage.role.replace('_', ' ')}", style)
    line.append(f" — {word}", style)
    approvals = post.stage_approvals(state.number - 1)
    if approvals:
        line.append(" · approved by ")
        line.append(", ".join(f"{one_line(a.by, 30)} {clock_text(a.at, now, tz)}" for a in approvals))
        notes = [f"{one_line(a.by, 30)}: {one_line(a.note, 200)}" for a in approvals if a.note]
        if notes:
            line.append(" (" + "; ".join(notes) + ")", styles["muted"])
    if state.state == CURRENT and reviewer and reviewer not in post.authors \
            and all(a.by != reviewer for a in approvals):
        line.append(" · waits for you", styles["current"])
    return line


def _changes(detail: PostDetail, styles: dict[str, Style]) -> list[RenderableType]:
    post = detail.post
    if post.revision <= 1:
        return []
    if not detail.diff:
        return _section("Changes", styles, f"none since revision {detail.since}")
    parts = _section("Changes since the approvers last looked", styles,
                     f"revision {detail.since} → {post.revision}")
    for line in detail.diff:
        if line.startswith(("---", "+++")):
            style = styles["muted"]
        elif line.startswith("@@"):
            style = styles["muted"]
        elif line.startswith("+"):
            style = styles["added"]
        elif line.startswith("-"):
            style = styles["removed"]
        else:
            style = Style()
        parts.append(_indent(revealed_text(line, style)))
    return parts


def _finding_line(finding: Finding, styles: dict[str, Style]) -> Text:
    error = finding.blocks
    line = Text()
    line.append("! error  " if error else "~ warning ", styles["removed"] if error else styles["warning"])
    where = f" ({finding.platform})" if finding.platform else ""
    line.append(f"{one_line(finding.rule_id, 60)}{where}: ", styles["heading"])
    line.append(one_line(finding.message, 300))
    if finding.hint:
        line.append(f" — {one_line(finding.hint, 300)}", styles["muted"])
    return line


def _findings(detail: PostDetail, now: datetime, tz: tzinfo | None, styles: dict[str, Style]) -> list[RenderableType]:
    post = detail.post
    if post.status == DRAFT or (not post.findings and post.route is None):
        findings = detail.check.findings if detail.check else ()
        parts = _section("Policy check now", styles, "not submitted yet")
    else:
        findings = post.findings
        parts = _section("Policy findings at submission", styles)
    if detail.check_problem:
        parts.append(_indent(Text(f"could not check: {one_line(detail.check_problem, 300)}", styles["removed"])))
    if not findings:
        parts.append(_indent(Text("none", styles["muted"])))
    for finding in findings:
        parts.append(_indent(_finding_line(finding, styles)))
    for ack in post.acknowledgements:
        line = Text("✓ acknowledged ", styles["done"])
        line.append(", ".join(one_line(rule, 60) for rule in ack.rules))
        line.append(f" by {one_line(ack.by, 30)} · {clock_text(ack.at, now, tz)} · revision {ack.revision}",
                    styles["muted"])
        parts.append(_indent(line))
    return parts


def _platforms(detail: PostDetail, styles: dict[str, Style]) -> list[RenderableType]:
    post = detail.post
    by_platform: dict[str, list[str]] = {}
    for account_id in post.targets:
        ref = detail.accounts.get(account_id)
        platform = ref.platform if ref else account_id.split(":", 1)[0]
        by_platform.setdefault(platform, []).append(account_id)
    if not by_platform:
        return []
    counters = {c.platform: c for c in detail.check.counters} if detail.check else {}
    parts = _section("Per platform", styles)
    for platform, accounts in by_platform.items():
        heading = Text()
        heading.append(one_line(platform, 20), styles["heading"])
        counter = counters.get(platform)
        if counter is not None:
            heading.append(f" {counter.used}/{counter.limit}",
                           styles["removed"] if counter.over else styles["muted"])
            if counter.over:
                heading.append(" too long", styles["removed"])
        heading.append(" → " + ", ".join(_account(detail, a) for a in accounts), styles["muted"])
        variant = post.variants.get(platform)
        if variant is not None and variant.strip():
            heading.append(" · own text", styles["muted"])
        parts.append(_indent(heading))
        body = variant if variant is not None and variant.strip() else post.text
        parts.append(_indent(revealed_text(body) if body else Text("(no text)"), 4))
    return parts


def _images(detail: PostDetail, styles: dict[str, Style]) -> list[RenderableType]:
    if not detail.images:
        return []
    parts = _section("Images", styles)
    for image in detail.images:
        line = Text(one_line(image.asset_id, 40), styles["heading"])
        if image.attachment is None:
            line.append(f" · cannot be used: {one_line(image.problem, 200)}", styles["removed"])
        elif image.attachment.alt_text.strip():
            line.append(" · alt: ")
            # Published with the image: shown with its hidden characters, on one line.
            line.append(revealed_text(image.attachment.alt_text, line_limit=400))
        else:
            line.append(" · NO ALT TEXT", styles["removed"])
        parts.append(_indent(line))
    return parts


def _history(post: Post, now: datetime, tz: tzinfo | None, styles: dict[str, Style]) -> list[RenderableType]:
    if not post.history:
        return []
    parts = _section("History", styles)
    for entry in post.history:
        line = Text()
        line.append(f"{clock_text(entry.at, now, tz)} ", styles["muted"])
        line.append(f"{one_line(entry.by, 30)} {one_line(entry.action, 30)}")
        if entry.note:
            line.append(f" — {one_line(entry.note, 300)}", styles["muted"])
        parts.append(_indent(line))
    return parts


class PostDetailView(VerticalScroll):
    """Scrollable detail of one post."""

    DEFAULT_CSS = """
    PostDetailView {
        background: $surface;
        padding: 0 1;
        scrollbar-size-vertical: 1;
    }
    PostDetailView > Static { width: 1fr; }
    PostDetailView > .post-detail--heading { text-style: bold; }
    PostDetailView > .post-detail--muted { color: $text-muted; }
    PostDetailView > .post-detail--done { color: $text-success; }
    PostDetailView > .post-detail--current { color: $text-primary; text-style: bold; }
    PostDetailView > .post-detail--added { color: $text-success; }
    PostDetailView > .post-detail--removed { color: $text-error; }
    PostDetailView > .post-detail--warning { color: $text-warning; }
    PostDetailView > .post-detail--risk-low { color: $text-success; }
    PostDetailView > .post-detail--risk-medium { color: $text-warning; }
    PostDetailView > .post-detail--risk-high { color: $text-error; text-style: bold; }
    """

    STYLE_NAMES = ("heading", "muted", "done", "current", "added", "removed", "warning",
                   "risk_low", "risk_medium", "risk_high")
    COMPONENT_CLASSES = {f"post-detail--{name.replace('_', '-')}" for name in STYLE_NAMES}

    can_focus = False

    def compose(self):
        yield Static(Text("Loading…"), id="post-detail-body")

    def component_styles(self) -> dict[str, Style]:
        return {name: self.get_component_rich_style(f"post-detail--{name.replace('_', '-')}", partial=True)
                for name in self.STYLE_NAMES}

    def show(self, renderable: RenderableType, *, scroll_home: bool) -> None:
        self.query_one("#post-detail-body", Static).update(renderable)
        if scroll_home:
            self.scroll_home(animate=False)


__all__ = ["AccountInfo", "ImageInfo", "PostDetail", "PostDetailView", "load_post_detail", "post_detail_renderable"]

