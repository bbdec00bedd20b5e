"""Panels that follow the store: reload when what they show changes, here or in
another process, and when time passes; never while hidden.

A panel mixes :class:`FollowsStore` in before :class:`~screens.panel.PanelScreen`,
names the collections it shows in ``FOLLOWED``, calls :meth:`follow_store` on
mount and :meth:`stop_following_store` on unmount, and has a
``load(background=True)`` that reloads in a worker. Changes come in bursts (a
worker pass writes many records), so a reload waits ``RELOAD_DELAY`` and takes
the whole burst at once; a hidden panel only notes that it is stale and reloads
when it is shown again.
"""

from __future__ import annotations

from collections.abc import Callable

from textual.message import Message
from textual.timer import Timer


class FollowedChanged(Message):
    """Something a panel shows changed in the store (posted from any thread)."""

    def can_replace(self, message: Message) -> bool:
        return isinstance(message, FollowedChanged)


class FollowsStore:
    """Reload on store changes, clock ticks and being shown again (see the module)."""

    #: The store collections whose changes make the panel reload.
    FOLLOWED: tuple[str, ...] = ()
    #: Seconds a reload waits, to take a burst of changes at once.
    RELOAD_DELAY = 0.2

    _stale = False
    _reload_timer: Timer | None = None
    _stop_following: Callable[[], None] = staticmethod(lambda: None)

    def follow_store(self) -> None:
        app = self.app  # type: ignore[attr-defined]
        app.clock_ticked_signal.subscribe(self, self._clock_ticked)
        app.mode_change_signal.subscribe(self, self._mode_changed)
        self._stop_following = self.workspace.store.on_change(self._store_changed)  # type: ignore[attr-defined]

    def stop_following_store(self) -> None:
        self._stop_following()

    def load(self, *, background: bool = False) -> None:
        raise NotImplementedError

    @property
    def reload_pending(self) -> bool:
        return self._reload_timer is not None

    def _store_changed(self, changes: list) -> None:
        """Store listener: runs on any thread, so it only posts a message."""
        if any(change.collection in self.FOLLOWED for change in changes):
            self.post_message(FollowedChanged())  # type: ignore[attr-defined]

    @property
    def _shown(self) -> bool:
        return self.app.screen is self  # type: ignore[attr-defined]

    def on_followed_changed(self, _message: FollowedChanged) -> None:
        if not self._shown:
            self._stale = True
        elif self._reload_timer is None:
            self._reload_timer = self.set_timer(self.RELOAD_DELAY, self._reload_now)  # type: ignore[attr-defined]

    def _reload_now(self) -> None:
        self._reload_timer = None
        self.load(background=True)

    def _clock_ticked(self, _now: object) -> None:
        # Relative times move, posts fall due and expire, even when nobody wrote anything.
        if self._shown:
            self.load(background=True)
        else:
            self._stale = True

    def _mode_changed(self, _mode: str) -> None:
        if self._shown and self._stale:
            self.load(background=True)
