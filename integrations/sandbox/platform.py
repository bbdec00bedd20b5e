"""The sandbox platform's own memory: the posts published on it, shared by every process.

A real platform keeps what was posted on it whatever happens to the client:
the worker may be killed with ``kill -9`` between sending a post and
recording the answer, and the platform must still hold that post (and tell
how many times it was created). So, given a folder, :class:`SandboxPlatform`
keeps its posts in one JSON Lines file there (``sandbox-platform.jsonl``)
that every process appends to under an ``flock``, each line written in one
``write`` and ``fsync``'d before the create answers. Without a folder it
keeps them in memory (unit tests).

Lines, each one JSON object:

* ``{"type": "post", "n", "account", "key", "text", ...}``: a post was created.
  ``n`` numbers posts across the platform; the remote id is ``sandbox-post-N``.
* ``{"type": "delete", "remote_id", "at"}``: a post was deleted.
* ``{"type": "attempt", "account", "key"}``: a create request arrived (written
  only while faults are injected: the fault of attempt ``k`` of a key is drawn
  from the seed, the key and ``k``, so a retry after a restart draws anew).

A line torn by a crash (no newline at the end of the file) is ended by the
next writer and skipped by every reader: it never became a post.
"""

from __future__ import annotations

import fcntl
import json
import os
import threading
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from .accounts import SANDBOX_HOST

FILE_NAME = "sandbox-platform.jsonl"


@dataclass(frozen=True)
class SandboxPost:
    """One post published on the sandbox platform."""

    number: int
    account_id: str
    key: str                    # the idempotency key it was created with
    text: str
    published_at: datetime
    handle: str = ""
    language: str = ""
    alt_texts: tuple[str, ...] = ()
    deleted_at: datetime | None = None

    @property
    def remote_id(self) -> str:
        return f"sandbox-post-{self.number}"

    @property
    def url(self) -> str:
        return f"{SANDBOX_HOST}/{self.handle or '@' + self.account_id.split(':', 1)[-1]}/{self.number}"


def _post_line(post: SandboxPost) -> dict[str, Any]:
    return {"type": "post", "n": post.number, "account": post.account_id, "key": post.key, "text": post.text,
            "at": post.published_at.isoformat(), "handle": post.handle, "language": post.language,
            "alt_texts": list(post.alt_texts)}


def _post_from_line(line: dict[str, Any]) -> SandboxPost:
    return SandboxPost(number=int(line["n"]), account_id=str(line["account"]), key=str(line["key"]),
                       text=str(line["text"]), published_at=datetime.fromisoformat(line["at"]),
                       handle=str(line.get("handle") or ""), language=str(line.get("language") or ""),
                       alt_texts=tuple(str(a) for a in line.get("alt_texts") or ()))


class SandboxPlatform:
    """The published posts of the sandbox, in ``folder`` (shared) or in memory."""

    def __init__(self, folder: Path | None = None) -> None:
        self.path = Path(folder) / FILE_NAME if folder is not None else None
        self._offset = 0                      # bytes of the file already read
        self._posts: list[SandboxPost] = []   # by number - 1
        self._by_key: dict[tuple[str, str], list[SandboxPost]] = {}
        self._attempts: dict[tuple[str, str], int] = {}
        self._fd = -1                         # the file, open while writing
        # The adapters call in from worker threads (``asyncio.to_thread``): one at a time.
        self._lock = threading.Lock()

    # -- reading -------------------------------------------------------------------------
    def posts(self, account_id: str | None = None) -> list[SandboxPost]:
        """Every post (of one account), oldest first, deleted ones included."""
        with self._lock:
            self._catch_up()
            return [p for p in self._posts if account_id is None or p.account_id == account_id]

    def post(self, remote_id: str) -> SandboxPost | None:
        number = _number_of(remote_id)
        with self._lock:
            self._catch_up()
            return self._posts[number - 1] if number is not None and 0 < number <= len(self._posts) else None

    def attempts(self, account_id: str, key: str) -> int:
        """How many create requests with ``key`` arrived (counted only while faults are injected)."""
        with self._lock:
            self._catch_up()
            return self._attempts.get((account_id, key), 0)

    # -- writing -------------------------------------------------------------------------
    def record_attempt(self, account_id: str, key: str) -> int:
        """Count one create request with ``key``; its number (1 for the first)."""
        with self._writing():
            self._append({"type": "attempt", "account": account_id, "key": key})
            return self._attempts[(account_id, key)]

    def create(self, account_id: str, key: str, text: str, at: datetime, *, handle: str = "", language: str = "",
               alt_texts: tuple[str, ...] = (), idempotent: bool = True) -> tuple[SandboxPost, bool]:
        """The post for ``key``: ``(post, True)`` when made now, ``(existing, False)``
        when ``idempotent`` and a create with ``key`` already made one."""
        with self._writing():
            made = self._by_key.get((account_id, key))
            if idempotent and made:
                return made[0], False
            post = SandboxPost(len(self._posts) + 1, account_id, key, text, at, handle, language, alt_texts)
            self._append(_post_line(post))
            return self._posts[-1], True

    def delete(self, remote_id: str, at: datetime) -> SandboxPost | None:
        """Mark a post deleted (once: deleting it again changes nothing)."""
        with self._writing():
            number = _number_of(remote_id)
            if number is None or not 0 < number <= len(self._posts):
                return None
            post = self._posts[number - 1]
            if post.deleted_at is None:
                self._append({"type": "delete", "remote_id": remote_id, "at": at.isoformat()})
            return self._posts[number - 1]

    # -- the file ------------------------------------------------------------------------
    def _writing(self):
        return _Writing(self)

    def _append(self, line: dict[str, Any]) -> None:
        """Write one line (under the lock the caller holds) and apply it."""
        if self.path is not None:
            data = json.dumps(line, ensure_ascii=False, separators=(",", ":")).encode() + b"\n"
            fd = self._fd
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                data = b"\n" + data         # end a line torn by a crash: it is skipped, never a post
            os.write(fd, data)
            os.fsync(fd)
            self._catch_up()
        else:
            self._apply(line)

    def _catch_up(self) -> None:
        """Apply the complete lines other processes (or this one) appended since the last read."""
        if self.path is None:
            return
        try:
            with open(self.path, "rb") as handle:
                handle.seek(self._offset)
                chunk = handle.read()
        except FileNotFoundError:
            return
        end = chunk.rfind(b"\n")
        if end < 0:
            return
        for raw in chunk[:end].split(b"\n"):
            try:
                line = json.loads(raw)
            except ValueError:
                continue                    # a line torn by a crash
            if isinstance(line, dict):
                self._apply(line)
        self._offset += end + 1

    def _apply(self, line: dict[str, Any]) -> None:
        kind = line.get("type")
        try:
            if kind == "post":
                post = _post_from_line(line)
                if post.number != len(self._posts) + 1:
                    return                  # numbers are given under the lock: never out of order
                self._posts.append(post)
                self._by_key.setdefault((post.account_id, post.key), []).append(post)
            elif kind == "delete":
                number = _number_of(str(line.get("remote_id")))
                if number is not None and 0 < number <= len(self._posts):
                    post = self._posts[number - 1]
                    if post.deleted_at is None:
                        deleted = replace(post, deleted_at=datetime.fromisoformat(line["at"]))
                        self._posts[number - 1] = deleted
                        same = self._by_key[(post.account_id, post.key)]
                        same[same.index(post)] = deleted
            elif kind == "attempt":
                pair = (str(line.get("account")), str(line.get("key")))
                self._attempts[pair] = self._attempts.get(pair, 0) + 1
        except (KeyError, TypeError, ValueError):
            return                          # a line this version cannot read: not a post


class _Writing:
    """The in-process lock, plus the file's ``flock`` that every process takes to append."""

    def __init__(self, platform: SandboxPlatform) -> None:
        self.platform = platform

    def __enter__(self) -> None:
        platform = self.platform
        platform._lock.acquire()
        if platform.path is None:
            return
        try:
            platform.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(platform.path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o600)
            fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            platform._lock.release()
            raise
        platform._fd = fd
        platform._catch_up()               # what others appended before we took the lock

    def __exit__(self, *exc_info) -> None:
        platform = self.platform
        try:
            if platform.path is not None:
                os.close(platform._fd)     # closing releases the flock
        finally:
            platform._lock.release()


def _number_of(remote_id: str) -> int | None:
    prefix = "sandbox-post-"
    if not isinstance(remote_id, str) or not remote_id.startswith(prefix):
        return None
    digits = remote_id[len(prefix):]
    return int(digits) if digits.isdigit() and len(digits) <= 12 else None
