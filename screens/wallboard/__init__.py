"""The crisis room's wallboard (``socops wallboard``): its own read-only Textual
app, not a panel of the console.

- ``app.py``: :class:`WallboardApp`: logs in once, polls the store, rotates the
  scenes, lets a declared crisis take over; the keys (quit, scenes, pause,
  theme) change nothing in the store.
- ``screen.py``: :class:`WallboardScreen`: the header, the scenes, the footer.
- ``scenes.py``: the scenes, one widget each: overview, inbound, publishing, crisis.
- ``wallboard.tcss``: the look, with a compact layout for small terminals.

What it shows is ``console.wallboard``'s :class:`BoardSnapshot`.
"""
