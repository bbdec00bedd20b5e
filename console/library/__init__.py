"""The content library: approved, reusable content for posts, replies and crises.

- ``service.py``: :class:`LibraryService`: add, approve, retire, list, and
  what may be used now (approved, not retired, not expired).
- ``assets.py``: the :class:`Asset` record, kinds, states, templates' placeholders.
- ``files.py``: images: recognised by their bytes, stored by content hash, written atomically.
"""
