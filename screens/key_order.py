"""Typed keys are handled one after another, each where the focus is once the
key before it was handled.

Textual routes a key to the focused widget the moment the app takes it from
its queue; the widget handles it later, in its own queue. A binding that is
not a priority binding (Tab and Shift+Tab, Escape, Enter in a field) runs only
when the key has bubbled back up to the app, and ``Widget.focus()`` moves the
focus later still (``call_later``). Keys that arrive together, as they do
when typing ahead over a slow SSH link, were therefore all routed to the
widget that had the focus *before* the Tab: "nosuchuser", Tab, "123456" gave
the user name "nosuchuser123456", and the digits of "10:00" typed after Tabs
from a list went to the list and switched panels.

So the app holds typed keys (and pastes) in arrival order and routes one at a
time. After routing one, it sends a :class:`KeyHandled` up from the widget
that got it: the message bubbles behind the key through the same queues, so
when it is back at the app, the key has been handled all the way up. It goes
round once more from the focused widget, behind the messages the key's action
posted (an Input's ``Submitted``, whose handler moves the focus), and each
round ends with ``call_later``, behind the focus changes queued meanwhile.
Only then is the next key routed, to the widget that has the focus now. A
screen pushed, popped or switched to meanwhile starts the round again from the
new screen's focus (the old path may be gone), and a round that does not come
back in time lets the next key go on as Textual alone would route it.
"""

from __future__ import annotations

import itertools
from collections import deque

from textual import events
from textual.message import Message
from textual.timer import Timer

#: Rounds up the focus path before the next key: the key itself, then the
#: messages its action posted (their handlers move the focus).
ROUNDS = 2
#: A round whose message was lost on the way (a widget on the path was removed),
#: or waits behind a busy widget, holds the keys behind it this long at most.
LOST_SECONDS = 0.5


class KeyHandled(Message):
    """Sent up from the focused widget behind a typed key; back at the app, what
    was queued on the way before it has been handled."""

    def __init__(self, probe: int) -> None:
        super().__init__()
        self.probe = probe


class OrderedKeys:
    """Mixed into the App (before ``App`` in its bases): typed keys are routed one
    at a time, each once the one before it was handled."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._typed_ahead: deque[events.Event] = deque()
        self._probes = itertools.count(1)
        self._probe = 0               # the KeyHandled on its way (0: no key being handled)
        self._round = 0
        self._lost_timer: Timer | None = None

    @property
    def keys_waiting(self) -> int:
        """Typed keys not yet routed, counting the one being handled (tests wait on this)."""
        return len(self._typed_ahead) + (1 if self._probe else 0)

    def on_mount(self) -> None:
        # A screen pushed, popped or switched to takes the path the round went up
        # with it; the round starts again from the focus on the new screen.
        self.screen_change_signal.subscribe(self, self._screen_changed, immediate=True)  # type: ignore[attr-defined]

    async def on_event(self, event: events.Event) -> None:
        # A key bubbling back up from a widget is "forwarded"; only fresh input waits its turn.
        if isinstance(event, (events.Key, events.Paste)) and not event.is_forwarded:
            self._typed_ahead.append(event)
            if not self._probe:
                await self._route_next()
            return
        await super().on_event(event)  # type: ignore[misc]

    async def _route_next(self) -> None:
        if self._probe or not self._typed_ahead:
            return
        event = self._typed_ahead.popleft()
        # Where Textual sends it: the focused widget, else the screen.
        target = self.focused or self.screen  # type: ignore[attr-defined]
        self._probe = next(self._probes)
        probe = self._probe
        await super().on_event(event)  # type: ignore[misc]  # priority bindings, or to the target
        if self._probe != probe:
            return  # the screen changed meanwhile: a round is already on its way
        self._lost_timer = self.set_timer(LOST_SECONDS, self._give_up)  # type: ignore[attr-defined]
        self._follow(target, 1)

    def _follow(self, target, round_: int) -> None:
        self._round = round_
        self._probe = probe = next(self._probes)
        if not target.post_message(KeyHandled(probe)):  # the widget is going away
            self.call_later(self._handled, probe)  # type: ignore[attr-defined]

    def _follow_focus(self, probe: int, round_: int) -> None:
        if probe == self._probe:
            self._follow(self.focused or self.screen, round_)  # type: ignore[attr-defined]

    def _screen_changed(self, _screen) -> None:
        if self._probe:
            self._probe = probe = next(self._probes)
            self.call_later(self._follow_focus, probe, self._round or 1)  # type: ignore[attr-defined]

    def on_key_handled(self, message: KeyHandled) -> None:
        message.stop()
        if message.probe != self._probe:
            return  # a round given up on, or started again on another screen
        # call_later: after the callbacks queued meanwhile, a focus change among them.
        if self._round < ROUNDS:
            self.call_later(self._follow_focus, message.probe, self._round + 1)  # type: ignore[attr-defined]
        else:
            self.call_later(self._handled, message.probe)  # type: ignore[attr-defined]

    async def _give_up(self) -> None:
        await self._handled(self._probe)

    async def _handled(self, probe: int) -> None:
        if not probe or probe != self._probe:
            return
        self._probe = self._round = 0
        if self._lost_timer is not None:
            self._lost_timer.stop()
            self._lost_timer = None
        await self._route_next()
