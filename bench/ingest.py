"""Ingest benchmark: N inbound items through the adapter path into the store.

    python -m bench.ingest --items 10000 [--platform mastodon|bluesky|both]

For each platform, in a fresh temporary SOCOPS_HOME: an ``httpx.MockTransport``
serves N notifications in the platform's documented JSON shape with its real
pagination (bodies generated and serialised once, before timing); the real
adapter is built on that client; the worker's real inbound job
(:class:`console.inbox.SyncInbound`) runs until a round fetches nothing new.
Timed: those rounds only (HTTP via the mock, JSON and HTML parsing, records,
store transactions).

* Mastodon: mention notifications paged forward with ``min_id`` (the adapter
  asks 80 at a time, newest first in each page, ``Link: rel="prev"``); an
  empty conversations stream. A first sync starts at ``min_id=0``, so the whole
  backlog comes in.
* Bluesky: ``listNotifications`` pages of 100, newest first, with the
  platform's ``cursor``. A first Bluesky fetch takes only the newest ``limit``
  items (no back-fill), so the account's stored cursor is set, untimed, to just
  before the oldest item (the N items arrived after the account was synced),
  and the adapter gets ``max_pages`` large enough to reach it (default 50
  pages = 5000 items would truncate).

Prints one JSON object. Target (issue 4): 10k items ingested <= 2.0 s.
"""

from __future__ import annotations

import argparse
import asyncio
import bisect
import json
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import httpx

TARGET_S = 2.0
_LANGS = ("en", "es", "fr", "de", "ja")
_TEXTS = (
    "where is my order #{n}? it was due on monday",
    "the zipper broke after two days, can I get a replacement? (order {n})",
    "thanks, that fixed it! \U0001F64F",
    "¿podéis ayudarme con la devolución del pedido {n}?",
    "返品したいのですが、注文番号 {n} です",
    "Lieferung {n} ist nicht angekommen",
)


def _iso_z(when: datetime) -> str:
    return when.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


# -- Mastodon ------------------------------------------------------------------------
MASTODON_BASE = "https://mastodon.example"
MASTODON_OWN_ID = "14715"


def mastodon_notification(n: int, start: datetime) -> dict:
    created = _iso_z(start + timedelta(seconds=n))
    sid = str(103186200000000000 + n)
    user = f"user{n % 997}"
    acct = f"{user}@instance{n % 13}.example"
    account = {"id": str(482000 + n % 997), "username": user, "acct": acct,
               "display_name": f"User {n % 997}", "locked": False, "bot": False,
               "url": f"https://instance{n % 13}.example/@{user}"}
    reply = n % 3 == 0  # a third reply to one of our statuses (comments)
    text = _TEXTS[n % len(_TEXTS)].format(n=n)
    content = ('<p><span class="h-card"><a href="https://mastodon.example/@acme" '
               'class="u-url mention">@<span>acme</span></a></span> '
               + text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
               + "</p><p>line 2<br />line 3</p>")
    return {
        "id": str(34975000 + n),
        "type": "mention",
        "created_at": created,
        "account": account,
        "status": {
            "id": sid,
            "created_at": created,
            "in_reply_to_id": str(103000000000000000 + n % 50) if reply else None,
            "in_reply_to_account_id": MASTODON_OWN_ID if reply else None,
            "sensitive": False,
            "spoiler_text": "",
            "visibility": "public",
            "language": _LANGS[n % len(_LANGS)],
            "uri": f"https://instance{n % 13}.example/users/{user}/statuses/{sid}",
            "url": f"https://instance{n % 13}.example/@{user}/{sid}",
            "replies_count": 0, "reblogs_count": 0, "favourites_count": 0,
            "content": content,
            "account": account,
            "media_attachments": [],
            "mentions": [{"id": MASTODON_OWN_ID, "username": "acme", "acct": "acme",
                          "url": "https://mastodon.example/@acme"}],
            "tags": [], "emojis": [], "card": None, "poll": None,
        },
    }


class MastodonServer:
    """``/api/v1/notifications`` with ``min_id`` paging, over pre-serialised items."""

    def __init__(self, items: int, start: datetime) -> None:
        notes = [mastodon_notification(n, start) for n in range(items)]
        self.ids = [int(note["id"]) for note in notes]  # ascending
        self.bodies = [json.dumps(note).encode() for note in notes]
        self.credentials = json.dumps({"id": MASTODON_OWN_ID, "username": "acme",
                                       "acct": "acme", "display_name": "Acme"}).encode()
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        headers = {"content-type": "application/json"}
        path = request.url.path
        if path == "/api/v1/notifications":
            params = request.url.params
            limit = min(int(params.get("limit", "40")), 80)
            min_id = int(params.get("min_id") or 0)
            lo = bisect.bisect_right(self.ids, min_id)
            chunk = list(range(lo, min(lo + limit, len(self.ids))))
            if chunk:
                newest, oldest = self.ids[chunk[-1]], self.ids[chunk[0]]
                headers["link"] = (f'<{MASTODON_BASE}/api/v1/notifications?max_id={oldest}>; rel="next", '
                                   f'<{MASTODON_BASE}/api/v1/notifications?min_id={newest}>; rel="prev"')
            body = b"[" + b",".join(self.bodies[i] for i in reversed(chunk)) + b"]"
            return httpx.Response(200, content=body, headers=headers)
        if path == "/api/v1/conversations":
            return httpx.Response(200, content=b"[]", headers=headers)
        if path == "/api/v1/accounts/verify_credentials":
            return httpx.Response(200, content=self.credentials, headers=headers)
        return httpx.Response(404, json={"error": "Record not found"})


def mastodon_adapter(server: MastodonServer, account_id: str):
    from integrations.base import AccountRef
    from integrations.mastodon import MastodonAdapter

    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    ref = AccountRef(platform="mastodon", account_id=account_id, handle="@acme")
    return MastodonAdapter(ref, base_url=MASTODON_BASE, token="bench-token", client=client), client


# -- Bluesky -------------------------------------------------------------------------
BLUESKY_PAGE = 100
BLUESKY_SESSION = {
    "accessJwt": "ACCESS-1.jwt.sig", "refreshJwt": "REFRESH-1.jwt.sig",
    "handle": "acme.test", "did": "did:plc:acme", "email": "ops@acme.test",
    "emailConfirmed": True, "active": True,
    "didDoc": {"@context": ["https://www.w3.org/ns/did/v1"], "id": "did:plc:acme",
               "alsoKnownAs": ["at://acme.test"],
               "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                            "serviceEndpoint": "https://pds.example.test"}]},
}


def bluesky_notification(n: int, start: datetime) -> dict:
    indexed = start + timedelta(seconds=n)
    did = f"did:plc:user{n % 997:05d}"
    rkey = f"3lmn{n:09d}"
    reason = ("mention", "reply", "quote")[n % 3]
    record = {"$type": "app.bsky.feed.post",
              "text": "@acme.test " + _TEXTS[n % len(_TEXTS)].format(n=n),
              "createdAt": _iso_z(indexed - timedelta(seconds=1)),
              "langs": [_LANGS[n % len(_LANGS)]]}
    if reason == "reply":
        record["reply"] = {
            "root": {"uri": "at://did:plc:acme/app.bsky.feed.post/3kroot0000000", "cid": "bafyroot"},
            "parent": {"uri": f"at://did:plc:acme/app.bsky.feed.post/3kparent{n % 50:05d}",
                       "cid": f"bafyparent{n % 50}"},
        }
    return {
        "uri": f"at://{did}/app.bsky.feed.post/{rkey}",
        "cid": f"bafy{n:09d}",
        "author": {"did": did, "handle": f"user{n % 997}.bsky.social",
                   "displayName": f"User {n % 997}",
                   "avatar": "https://cdn.bsky.app/img/avatar/plain/x", "labels": [],
                   "viewer": {"muted": False, "blockedBy": False}},
        "reason": reason,
        "reasonSubject": None,
        "record": record,
        "isRead": False,
        "indexedAt": _iso_z(indexed),
        "labels": [],
    }


class BlueskyServer:
    """A PDS: ``createSession`` and ``listNotifications`` paged newest first by cursor."""

    def __init__(self, items: int, start: datetime) -> None:
        notes = [bluesky_notification(n, start) for n in range(items)]
        notes.reverse()  # the platform lists newest first
        self.pages: dict[str | None, bytes] = {}
        cursor = None
        for at in range(0, len(notes), BLUESKY_PAGE):
            chunk = notes[at:at + BLUESKY_PAGE]
            following = chunk[-1]["indexedAt"] if at + BLUESKY_PAGE < len(notes) else None
            page = {"notifications": chunk, "priority": False, "seenAt": _iso_z(start)}
            if following:
                page["cursor"] = following
            self.pages[cursor] = json.dumps(page).encode()
            cursor = following
        self.empty = json.dumps({"notifications": []}).encode()
        self.session = json.dumps(BLUESKY_SESSION).encode()
        self.oldest = start
        self.requests = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        headers = {"content-type": "application/json"}
        nsid = request.url.path.removeprefix("/xrpc/")
        if nsid == "com.atproto.server.createSession":
            return httpx.Response(200, content=self.session, headers=headers)
        if nsid == "app.bsky.notification.listNotifications":
            body = self.pages.get(request.url.params.get("cursor"), self.empty)
            return httpx.Response(200, content=body, headers=headers)
        return httpx.Response(400, json={"error": "MethodNotImplemented", "message": nsid})


def bluesky_adapter(server: BlueskyServer, account_id: str, items: int):
    from integrations.base import AccountRef
    from integrations.bluesky import BlueskyAdapter

    client = httpx.AsyncClient(transport=httpx.MockTransport(server))
    ref = AccountRef(platform="bluesky", account_id=account_id, handle="@acme.test")
    adapter = BlueskyAdapter(ref, base_url="https://entryway.example.test", identifier="acme.test",
                             app_password="abcd-efgh-ijkl-mnop", client=client,
                             max_pages=max(50, items // BLUESKY_PAGE + 2))
    return adapter, client


# -- one platform ----------------------------------------------------------------------
def run_platform(platform: str, items: int, home: Path) -> dict:
    from console.paths import workspace_paths
    from console.inbox import INBOX
    from console.accounts import SYNC
    from console.accounts import AccountAdapters
    from console.inbox import SyncInbound
    from console.worker import WORKER_ACTOR
    from console.workspace import Workspace

    account_id = f"{platform}:bench"
    start = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(seconds=items + 60)
    generated = time.perf_counter()
    if platform == "mastodon":
        server = MastodonServer(items, start)
        adapter, client = mastodon_adapter(server, account_id)
    else:
        server = BlueskyServer(items, start)
        adapter, client = bluesky_adapter(server, account_id, items)
    generate_s = time.perf_counter() - generated

    with Workspace.open(workspace_paths({"SOCOPS_HOME": str(home)})) as ws:
        before = ws.store.count(INBOX)
        if platform == "bluesky":  # synced before the N items arrived (untimed)
            cursor = "bsky1:" + (start - timedelta(seconds=1)).isoformat()
            ws.store.update(SYNC, account_id, {"cursor": cursor}, expected_version=None,
                            actor=WORKER_ACTOR)
        adapters = AccountAdapters(ws.platform_accounts, ws.store, builtin=lambda: {account_id: adapter})
        sync = SyncInbound(ws.store, ws.inbox, adapters, sla=ws.config.sla)
        passes, fetched, stored, problems = [], 0, 0, []
        started = time.perf_counter()
        while True:
            t0 = time.perf_counter()
            report = asyncio.run(sync.pull(ws.clock()))
            passes.append(round(time.perf_counter() - t0, 4))
            fetched += report.fetched
            stored += report.stored
            problems += report.problems
            if report.fetched == 0 or report.problems or len(passes) > 10_000:
                break
        seconds = time.perf_counter() - started
        in_store = ws.store.count(INBOX) - before
        asyncio.run(client.aclose())

    return {
        "items": items,
        "stored": stored,
        "in_store": in_store,
        "store_count_ok": in_store == items,
        "fetched": fetched,
        "seconds": round(seconds, 3),
        "items_per_s": round(in_store / seconds) if seconds else None,
        "passes": len(passes),
        "pass_s": passes,
        "http_requests": server.requests,
        "problems": problems,
        "meets_target": in_store == items and seconds <= TARGET_S,
        "generate_s_untimed": round(generate_s, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--platform", choices=("mastodon", "bluesky", "both"), default="both")
    args = parser.parse_args()
    platforms = ("mastodon", "bluesky") if args.platform == "both" else (args.platform,)
    results = {}
    with tempfile.TemporaryDirectory(prefix="socops-bench-ingest-") as scratch:
        for platform in platforms:
            results[platform] = run_platform(platform, args.items, Path(scratch) / platform)
    report = {
        "items": args.items,
        "platforms": results,
        "target_s": TARGET_S,
        "meets_target": all(r["meets_target"] for r in results.values()),
    }
    print(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
