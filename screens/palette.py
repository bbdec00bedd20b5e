"""The command palette's shared shape: a command is (name, callback, help),
and a provider over a plain list of them that says which fit now.

Each panel's provider lives with its screen; the app-wide commands (go to a
panel, show the keys) are ``screens/commands.py``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.command import DiscoveryHit, Hit, Hits, Provider

Command = tuple[str, Callable[[], object], str]  # name, callback, help


class CommandListProvider(Provider):
    """A provider over a plain list of commands; subclasses say which ones fit now."""

    def _commands(self) -> Iterable[Command]:
        raise NotImplementedError

    async def discover(self) -> Hits:
        for name, callback, help_text in self._commands():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, callback, help_text in self._commands():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
