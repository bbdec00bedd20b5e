"""A fake Bluesky PDS behind httpx.MockTransport, answering from the fixtures."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import httpx

from integrations.base import AccountRef
from integrations.bluesky import BlueskyAdapter

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
NOW = datetime(2026, 5, 4, 12, 0, tzinfo=timezone.utc)
PASSWORD = "abcd-efgh-ijkl-mnop"
ACCOUNT = AccountRef(platform="bluesky", account_id="bluesky:acme", handle="@acme.test",
                     language="en")


def fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


class FakeBluesky:
    def __init__(self) -> None:
        self.requests: list[httpx.Request] = []
        self.valid_access = {"ACCESS-1.jwt.sig", "ACCESS-2.jwt.sig"}
        self.valid_refresh = {"REFRESH-1.jwt.sig"}
        self.password = PASSWORD
        self.pages = {None: "notifications_page1.json",
                      "2026-05-04T10:18:00.000Z": "notifications_page2.json"}
        self.records: dict[str, dict] = {}
        self.handles = {"alice.bsky.social": "did:plc:alice123", "bob.test": "did:plc:bob456"}
        self.posts = {p["uri"]: p for p in fixture("get_posts.json")["posts"]}
        # nsid -> queued answers (status, body (dict|str|bytes), headers), used first
        self.script: dict[str, list[tuple[int, Any, dict]]] = {}
        self.lose_create_response = False  # commit the record, then fail like a timeout
        self.blobs: list[tuple[str, bytes]] = []  # (content type, bytes) uploaded
        self.search_pages: dict[str | None, Any] = {None: "search_posts.json"}
        self.feed_pages: dict[str | None, Any] = {None: "author_feed_page1.json",
                                                  "2026-05-04T11:50:00.000Z": "author_feed_page2.json"}

    def queue(self, nsid: str, status: int, body: Any, headers: dict | None = None) -> None:
        self.script.setdefault(nsid, []).append((status, body, headers or {}))

    def calls(self, nsid: str) -> list[httpx.Request]:
        return [r for r in self.requests if r.url.path == f"/xrpc/{nsid}"]

    @staticmethod
    def _answer(status: int, body: Any, headers: dict | None = None) -> httpx.Response:
        if isinstance(body, str) and body.endswith(".json"):
            body = fixture(body)
        if isinstance(body, (dict, list)):
            return httpx.Response(status, json=body, headers=headers)
        content = body.encode() if isinstance(body, str) else body
        return httpx.Response(status, content=content, headers=headers)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        nsid = request.url.path.removeprefix("/xrpc/")
        if self.script.get(nsid):
            return self._answer(*self.script[nsid].pop(0))
        auth = request.headers.get("authorization", "").removeprefix("Bearer ")
        if nsid == "com.atproto.repo.uploadBlob":
            if auth not in self.valid_access:
                return self._answer(400, "error_expired_token.json")
            self.blobs.append((request.headers.get("content-type", ""), request.content))
            return self._answer(200, {"blob": {"$type": "blob", "ref": {"$link": f"bafkblob{len(self.blobs)}"},
                                               "mimeType": request.headers.get("content-type", ""),
                                               "size": len(request.content)}})
        body = json.loads(request.content) if request.content else {}
        if nsid == "com.atproto.server.createSession":
            if body.get("password") != self.password:
                return self._answer(401, "error_auth_required.json")
            return self._answer(200, "create_session.json")
        if nsid == "com.atproto.server.refreshSession":
            if auth not in self.valid_refresh:
                return self._answer(400, "error_expired_token.json")
            return self._answer(200, "refresh_session.json")
        if auth not in self.valid_access:
            return self._answer(400, "error_expired_token.json")
        params = request.url.params
        if nsid == "app.bsky.notification.listNotifications":
            return self._answer(200, self.pages.get(params.get("cursor"), "notifications_empty.json"))
        if nsid == "com.atproto.identity.resolveHandle":
            did = self.handles.get(params["handle"])
            if did is None:
                return self._answer(400, "error_unresolvable_handle.json")
            return self._answer(200, {"did": did})
        if nsid == "app.bsky.feed.getPosts":
            found = [self.posts[u] for u in params.get_list("uris") if u in self.posts]
            return self._answer(200, {"posts": found})
        if nsid == "com.atproto.repo.getRecord":
            rec = self.records.get(params["rkey"])
            if rec is None:
                return self._answer(400, "error_record_not_found.json")
            return self._answer(200, rec)
        if nsid == "com.atproto.repo.createRecord":
            rkey = body["rkey"]
            if rkey in self.records:
                # what the reference PDS (dev-env 0.3.215) answers for a taken rkey
                return self._answer(500, "error_internal.json")
            uri = f"at://{body['repo']}/{body['collection']}/{rkey}"
            self.records[rkey] = {"uri": uri, "cid": f"bafy-{rkey}", "value": body["record"]}
            if self.lose_create_response:
                self.lose_create_response = False
                raise httpx.ReadTimeout("timed out", request=request)
            answer = fixture("create_record.json")
            answer["uri"], answer["cid"] = uri, self.records[rkey]["cid"]
            return self._answer(200, answer)
        if nsid == "com.atproto.repo.deleteRecord":
            self.records.pop(body["rkey"], None)
            return self._answer(200, {})
        if nsid == "app.bsky.feed.getAuthorFeed":
            return self._answer(200, self.feed_pages.get(params.get("cursor"), {"feed": []}))
        if nsid == "app.bsky.feed.searchPosts":
            return self._answer(200, self.search_pages.get(params.get("cursor"), {"posts": []}))
        return self._answer(400, {"error": "MethodNotImplemented", "message": nsid})


def make_adapter(fake: FakeBluesky, *, password: str = PASSWORD, **kw: Any) -> BlueskyAdapter:
    client = httpx.AsyncClient(transport=httpx.MockTransport(fake))
    return BlueskyAdapter(ACCOUNT, base_url="https://entryway.example.test",
                          identifier="acme.test", app_password=password, client=client,
                          clock=lambda: NOW, **kw)
