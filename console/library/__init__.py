"""The content library: approved, reusable content for posts, replies and crises.

- ``service.py``: :class:`LibraryService`: add, approve, retire, list, and
  what may be used now (approved, not retired, not expired).
- ``assets.py``: the :class:`Asset` record, kinds, states, templates' placeholders.
- ``files.py``: images: recognised by their bytes, stored by content hash, written atomically.
"""

from console.library.assets import (
    APPROVED,
    EXPIRED,
    HOLDING_STATEMENT,
    IMAGE,
    KINDS,
    PENDING,
    RETIRED,
    SAVED_REPLY,
    SNIPPET,
    STATES,
    TEMPLATE,
    TEXT_KINDS,
    Asset,
    fill_template,
    kind_label,
    template_placeholders,
)
from console.library.files import LibraryError, read_image
from console.library.service import LIBRARY, LIBRARY_COLLECTIONS, LibraryService, describe_moment

__all__ = [
    "APPROVED", "EXPIRED", "HOLDING_STATEMENT", "IMAGE", "KINDS", "LIBRARY", "LIBRARY_COLLECTIONS", "PENDING",
    "RETIRED", "SAVED_REPLY", "SNIPPET", "STATES", "TEMPLATE", "TEXT_KINDS", "Asset", "LibraryError",
    "LibraryService", "describe_moment", "fill_template", "kind_label", "read_image", "template_placeholders",
]
