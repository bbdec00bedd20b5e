"""``socops library``: add, list, approve, retire and show content library assets.

Every sub-command acts as the logged-in console user (``acting_session``), so
the service's permission checks and the no-self-approval rule hold here too.
Titles, texts, tags and alt texts are typed by people: rows show them through
``one_line``, and ``show`` prints a text asset through ``reveal`` (``␛[31m``,
``⟨U+202E⟩``: an approver must see what a holding statement holds), so a
control sequence in an asset can never reach the terminal; ``--json`` keeps
them exact but writes every hidden character as a ``\\u`` escape.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date
from pathlib import Path

from console.cli import common
from console.cli.acting import acting_session
from console.cli.common import CommandFailed, print_json
from console.library import (
    EXPIRED,
    IMAGE,
    KINDS,
    STATES,
    TEXT_KINDS,
    Asset,
    LibraryService,
    describe_moment,
    kind_label,
)
from console.records import format_time
from console.hidden_text import reveal
from console.untrusted import one_line

KIND_CHOICES = tuple(kind.replace("_", "-") for kind in KINDS)
TEXT_FILE_LIMIT = 1_000_000     # read no more than this; the service's own limit is far lower


def register(commands: argparse._SubParsersAction) -> None:
    library = commands.add_parser("library", help="the content library: approved images, snippets, "
                                  "templates, saved replies and holding statements")
    actions = library.add_subparsers(dest="library_command", metavar="ACTION", required=True)

    add = actions.add_parser("add", help="add an asset; it waits for approval by someone other than you")
    add.add_argument("kind", choices=KIND_CHOICES)
    add.add_argument("--title", required=True)
    source = add.add_mutually_exclusive_group(required=True)
    source.add_argument("--file", help="the image file (PNG, JPEG, GIF or WEBP; at most 8 MB)")
    source.add_argument("--text", help="the text (for the text kinds)")
    source.add_argument("--text-file", help="read the text from this UTF-8 file ('-': standard input)")
    add.add_argument("--alt", help="the image's alt text (required for images)")
    add.add_argument("--tag", action="append", default=[], help="a tag (repeat for several)")
    add.add_argument("--expires", help="first day it may no longer be used, YYYY-MM-DD")
    add.set_defaults(handler=add_asset)

    listing = actions.add_parser("list", help="list assets, newest first")
    listing.add_argument("--kind", choices=KIND_CHOICES)
    listing.add_argument("--state", choices=(*STATES, EXPIRED))
    listing.add_argument("--usable", action="store_true", help="only approved, unexpired assets")
    listing.add_argument("--tag")
    listing.add_argument("--json", action="store_true", help="JSON Lines, one asset a line")
    listing.set_defaults(handler=list_assets)

    approve = actions.add_parser("approve", help="approve a pending asset (needs post.approve; not your own)")
    approve.add_argument("asset_id", metavar="ID")
    approve.add_argument("--expires", help="first day it may no longer be used, YYYY-MM-DD "
                         "(replaces the expiry given when it was added)")
    approve.set_defaults(handler=approve_asset)

    retire = actions.add_parser("retire", help="take an asset out of use (its record and file are kept)")
    retire.add_argument("asset_id", metavar="ID")
    retire.add_argument("--reason", default="")
    retire.set_defaults(handler=retire_asset)

    show = actions.add_parser("show", help="one asset in full")
    show.add_argument("asset_id", metavar="ID")
    show.add_argument("--json", action="store_true")
    show.set_defaults(handler=show_asset)


def _usage(message: str) -> CommandFailed:
    return CommandFailed(f"usage error: {message} (see `socops library add --help`)", exit_code=2)


def _date(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise _usage(f"--expires {text!r} is not a date; use YYYY-MM-DD") from None


def _read_text(path: str) -> str:
    try:
        if path == "-":
            return sys.stdin.read(TEXT_FILE_LIMIT)
        with open(path, encoding="utf-8") as handle:
            return handle.read(TEXT_FILE_LIMIT)
    except UnicodeDecodeError:
        raise CommandFailed(f"{path} is not UTF-8 text") from None
    except OSError as error:
        raise CommandFailed(f"cannot read {path}: {error.strerror or error}") from None


def add_asset(args: argparse.Namespace) -> int:
    kind = args.kind.replace("-", "_")
    expires = _date(args.expires)
    if kind == IMAGE:
        if not args.file:
            raise _usage("an image is added with --file PATH --alt TEXT")
        if not (args.alt or "").strip():
            raise _usage("an image needs --alt TEXT: what it shows, for people who cannot see it")
    else:
        if args.file or args.alt is not None:
            raise _usage(f"a {kind_label(kind)} is text: give --text or --text-file, not --file/--alt")
    text = _read_text(args.text_file) if args.text_file else args.text
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        if kind == IMAGE:
            asset = workspace.library.add_image(session, Path(args.file), title=args.title, alt_text=args.alt,
                                                tags=args.tag, expires_at=expires)
        else:
            asset = workspace.library.add_text(session, kind, title=args.title, text=text,
                                               tags=args.tag, expires_at=expires)
    print(f"added {asset.id} ({kind_label(asset.kind)} {one_line(asset.title, 60)!r}): "
          "pending approval by someone other than you")
    return 0


def list_assets(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        library = workspace.library
        assets = library.list(session, kind=args.kind, state=args.state, usable_only=args.usable, tag=args.tag)
        for asset in assets:
            if args.json:
                print_json(asset_to_json(library, asset))
                continue
            expires = describe_moment(asset.expires_at) if asset.expires_at else "-"
            tags = one_line(",".join(asset.tags)) or "-"
            print("\t".join((asset.id, asset.kind.replace("_", "-"), library.status(asset), asset.owner,
                             expires, tags, one_line(asset.title, 60))))
    return 0


def approve_asset(args: argparse.Namespace) -> int:
    expires = _date(args.expires)
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        asset = workspace.library.approve(session, args.asset_id, expires_at=expires)
    until = f"until {describe_moment(asset.expires_at)}" if asset.expires_at else "with no expiry"
    print(f"approved {asset.id} ({kind_label(asset.kind)} {one_line(asset.title, 60)!r}): usable {until}")
    return 0


def retire_asset(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        asset = workspace.library.retire(session, args.asset_id, args.reason)
    print(f"retired {asset.id} ({kind_label(asset.kind)} {one_line(asset.title, 60)!r})")
    return 0


def show_asset(args: argparse.Namespace) -> int:
    with common.open_workspace() as workspace:
        session = acting_session(workspace)
        library = workspace.library
        asset = library.show(session, args.asset_id)
        if args.json:
            print_json(asset_to_json(library, asset))
            return 0
        for label, value in _show_lines(library, asset):
            print(f"{label:<11} {value}")
        if asset.kind in TEXT_KINDS:
            # The text an approver decides on (a holding statement is published as it
            # is): hidden characters shown where they are, not dropped.
            print("text:")
            print(reveal(asset.text))
    return 0


def _show_lines(library: LibraryService, asset: Asset) -> list[tuple[str, str]]:
    status = library.status(asset)
    lines = [("id", asset.id), ("kind", kind_label(asset.kind)), ("title", one_line(asset.title)),
             ("state", status + (" (usable)" if library.usable(asset) else " (not usable)")),
             ("owner", asset.owner), ("created", describe_moment(asset.created_at))]
    if asset.approved_at:
        lines.append(("approved", f"by {asset.approved_by} on {describe_moment(asset.approved_at)}"))
    lines.append(("expires", describe_moment(asset.expires_at) if asset.expires_at else "never"))
    if asset.retired_at:
        reason = f": {one_line(asset.retire_reason)}" if asset.retire_reason else ""
        lines.append(("retired", f"by {asset.retired_by} on {describe_moment(asset.retired_at)}{reason}"))
    lines.append(("tags", one_line(", ".join(asset.tags)) or "-"))
    if asset.is_image:
        size = f", {asset.width}x{asset.height}" if asset.width and asset.height else ""
        lines += [("file", f"{library.file_path(asset)} ({asset.mime_type}, {asset.size:,} bytes{size})"),
                  ("sha256", asset.sha256), ("alt text", one_line(asset.alt_text))]
    return lines


def asset_to_json(library: LibraryService, asset: Asset) -> dict:
    data = asset.to_dict()
    data["status"] = library.status(asset)
    data["usable"] = library.usable(asset)
    data["file_path"] = str(library.file_path(asset)) if asset.is_image else None
    data["as_of"] = format_time(library.clock())
    return data
