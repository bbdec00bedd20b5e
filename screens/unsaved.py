"""Nothing typed is lost: the app keeps what the logged-in person is writing.

The Compose panel's post and the Inbox's reply and note drafts (the open
editor's text included) are *sources*: each screen registers a function that
returns its unsaved work as plain data (None when there is none) and one that
takes back what an earlier session kept. The :class:`WorkKeeper` writes the
sources' data to disk (:class:`console.unsaved.UnsavedWork`) shortly after a
change, in a thread worker, and at once when the console quits or closes; at
login it reads back what the same person's earlier sessions kept and hands it
to the screens as they open (until then, it is kept as it was).
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from console.unsaved import COMPOSE, INBOX_DRAFTS, KINDS, KeptWork, UnsavedWork, merged_drafts

if TYPE_CHECKING:
    from textual.app import App

log = logging.getLogger("socops.screens")

#: Seconds after a change before the unsaved work is written (at most one write per interval).
AUTOSAVE_SECONDS = 1.0

Source = Callable[[], "dict | None"]
Restore = Callable[[dict, datetime], None]


@dataclass
class _Recovered:
    data: dict
    kept_at: datetime


class WorkKeeper:
    """Keeps the logged-in person's unsaved work on disk, and gives it back at their next login."""

    def __init__(self, app: "App", unsaved: UnsavedWork, *, delay: float | None = AUTOSAVE_SECONDS) -> None:
        """``delay`` None: written only when the console quits or closes (tests)."""
        self.app = app
        self.unsaved = unsaved
        self.delay = delay
        #: This console's name for its files (two consoles of one person keep apart).
        self.session = uuid.uuid4().hex[:12]
        self.username: str | None = None
        self._sources: dict[str, Source] = {}
        self._recovered: dict[str, _Recovered] = {}
        self._earlier: dict[str, list[KeptWork]] = {}    # removed once kept under this session
        self._written: dict[str, dict | None] = {}
        self._latest: dict[str, dict | None] = {}       # the newest snapshot, for whichever write runs next
        self._timer = None
        self._write_lock = threading.Lock()
        self._discarded = False

    # -- sessions and sources ------------------------------------------------------------
    def start(self, username: str) -> None:
        """``username`` logged in: read what their earlier sessions kept (small files)."""
        self.username = username
        for kind in KINDS:
            earlier = self.unsaved.kept(username, kind, besides=self.session)
            if not earlier:
                continue
            if kind == INBOX_DRAFTS:
                self._recovered[kind] = _Recovered(merged_drafts(earlier), earlier[0].kept_at)
                self._earlier[kind] = earlier
            else:   # Compose holds one post: the newest; an older one waits for a later login
                self._recovered[kind] = _Recovered(earlier[0].data, earlier[0].kept_at)
                self._earlier[kind] = earlier[:1]
        if self._recovered:
            self.changed()  # kept under this session soon, then the old files go

    def register(self, kind: str, source: Source, restore: Restore) -> None:
        """A screen holds ``kind`` of unsaved work from now on; it gets back (through
        ``restore``) what an earlier session kept, if anything."""
        self._sources[kind] = source
        recovered = self._recovered.pop(kind, None)
        if recovered is not None:
            restore(recovered.data, recovered.kept_at)

    def snapshot(self) -> dict[str, dict | None]:
        """Each kind's unsaved work now (None: nothing unsaved)."""
        work: dict[str, dict | None] = {}
        for kind in KINDS:
            source = self._sources.get(kind)
            if source is not None:
                try:
                    work[kind] = source()
                except Exception:  # noqa: BLE001 - a screen going away: keep what was written
                    log.exception("reading the unsaved %s failed", kind)
                    work[kind] = self._written.get(kind)
            else:
                recovered = self._recovered.get(kind)
                work[kind] = recovered.data if recovered is not None else None
        return work

    def describe(self) -> list[str]:
        """What is unsaved now, in words ("the post in Compose", "2 drafts in the Inbox")."""
        work = self.snapshot()
        parts = []
        post = work.get(COMPOSE)
        if post:
            name = post.get("post_id") or "a new post"
            images = len(post.get("images", []))
            parts.append(f"the post in Compose ({name}" + (f", {images} image{'s' if images != 1 else ''}"
                                                            if images else "") + ")")
        drafts = (work.get(INBOX_DRAFTS) or {}).get("drafts", [])
        if drafts:
            parts.append(f"{len(drafts)} draft{'s' if len(drafts) != 1 else ''} in the Inbox")
        return parts

    # -- writing -------------------------------------------------------------------------
    def changed(self) -> None:
        """Something was typed: write the unsaved work within ``delay`` seconds."""
        if self.delay is None or self._timer is not None or self.username is None or self._discarded:
            return
        self._timer = self.app.set_timer(self.delay, self._autosave)

    @property
    def pending(self) -> bool:
        """A write is due (tests wait on this)."""
        return self._timer is not None

    def _autosave(self) -> None:
        self._timer = None
        work = self.snapshot()
        if self._discarded or (all(self._written.get(k) == v for k, v in work.items()) and not self._earlier):
            return
        self._latest = work
        self.app.run_worker(self._write_latest, thread=True, group="unsaved-work", exit_on_error=False)

    def keep_now(self) -> None:
        """Write the unsaved work now (the console is quitting or closing)."""
        if self.username is None or self._discarded:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        self._latest = self.snapshot()
        self._write_latest()

    def _write_latest(self) -> None:
        """Write the newest snapshot (a worker that started earlier never writes an older one last)."""
        username = self.username
        if username is None:
            return
        with self._write_lock:
            if self._discarded:
                return
            for kind, data in self._latest.items():
                if self._written.get(kind) == data and kind not in self._earlier:
                    continue
                try:
                    if data:
                        self.unsaved.keep(username, self.session, kind, data)
                    else:
                        self.unsaved.forget(username, self.session, kind)
                except OSError:
                    log.exception("keeping the unsaved %s failed", kind)
                    continue
                self._written[kind] = data
                for earlier in self._earlier.pop(kind, []):
                    self.unsaved.remove(earlier)

    def discard(self) -> None:
        """Throw the unsaved work away (the person said so): this session's and what it took over."""
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        with self._write_lock:
            self._discarded = True
            if self.username is None:
                return
            for kind in KINDS:
                self.unsaved.forget(self.username, self.session, kind)
                for earlier in self._earlier.pop(kind, []):
                    self.unsaved.remove(earlier)
