"""The library's image files: what a file really is, and keeping it safely.

An image is recognised by its first bytes (its "magic"), never by its name:
a ``.png`` that holds text is refused, and a JPEG named ``.png`` is kept as
the JPEG it is. Width and height are read from the header when that is cheap
(PNG, GIF, JPEG); WEBP images are accepted without them.

Files are stored content-addressed, as ``<sha256>.<ext>`` in the library's
folder: the same bytes always land in the same file, so a file never changes
under a record that names it. Writing goes through a temporary file in the
same folder that is fsync'd and then renamed over the final name (and the
folder fsync'd), so a crash leaves either no file or the whole file.
"""

from __future__ import annotations

import hashlib
import stat
import struct
from dataclasses import dataclass
from pathlib import Path

from console.errors import ConsoleError
from data import write_file_atomically

MAX_IMAGE_BYTES = 8 * 1024 * 1024


class LibraryError(ConsoleError):
    """A library asset that cannot be added, changed or used as asked; the message says why."""


@dataclass(frozen=True)
class ImageInfo:
    mime_type: str
    extension: str
    width: int | None = None
    height: int | None = None


def read_image(path: Path) -> tuple[bytes, ImageInfo]:
    """The bytes of the image at ``path`` and what they are; LibraryError when the
    file is missing, unreadable, too big or not a PNG, JPEG, GIF or WEBP image."""
    shown = str(path)
    try:
        status = path.stat()
        if stat.S_ISDIR(status.st_mode):
            raise LibraryError(f"{shown} is a folder; give the path of an image file")
        if not stat.S_ISREG(status.st_mode):
            raise LibraryError(f"{shown} is not a regular file; give the path of an image file")
        if status.st_size > MAX_IMAGE_BYTES:
            raise _too_big(shown)
        with open(path, "rb") as handle:
            data = handle.read(MAX_IMAGE_BYTES + 1)
    except FileNotFoundError:
        raise LibraryError(f"no file at {shown}; check the path") from None
    except PermissionError:
        raise LibraryError(f"cannot read {shown}: permission denied") from None
    except OSError as error:
        raise LibraryError(f"cannot read {shown}: {error.strerror or error}") from None
    if len(data) > MAX_IMAGE_BYTES:          # it grew while we looked
        raise _too_big(shown)
    info = sniff_image(data)
    if info is None:
        raise LibraryError(f"{shown} is not a PNG, JPEG, GIF or WEBP image (judged by its content, "
                           "not its name)")
    return data, info


def _too_big(shown: str) -> LibraryError:
    return LibraryError(f"{shown} is larger than {MAX_IMAGE_BYTES // (1024 * 1024)} MB; "
                        "resize or compress it first")


def sniff_image(data: bytes) -> ImageInfo | None:
    """What kind of image ``data`` is, from its first bytes; None if none we accept."""
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        width = height = None
        if len(data) >= 24 and data[12:16] == b"IHDR":
            width, height = struct.unpack(">II", data[16:24])
        return ImageInfo("image/png", "png", width, height)
    if data.startswith(b"\xff\xd8\xff"):
        return ImageInfo("image/jpeg", "jpg", *_jpeg_size(data))
    if data[:6] in (b"GIF87a", b"GIF89a"):
        width = height = None
        if len(data) >= 10:
            width, height = struct.unpack("<HH", data[6:10])
        return ImageInfo("image/gif", "gif", width, height)
    if len(data) >= 12 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return ImageInfo("image/webp", "webp")
    return None


# Start-of-frame markers carry the size; C4 (Huffman tables), C8 (reserved) and
# CC (arithmetic coding) share the range but are not frames.
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
# Markers without a length field: TEM, RST0-7 (and SOI/EOI).
_STANDALONE = frozenset({0x01, 0xD8, 0xD9, *range(0xD0, 0xD8)})


def _jpeg_size(data: bytes) -> tuple[int | None, int | None]:
    """Width and height from the first start-of-frame segment, walking the
    segment headers only (never the compressed data); (None, None) if not found."""
    position = 2
    while position + 4 <= len(data):
        if data[position] != 0xFF:
            return None, None
        marker = data[position + 1]
        if marker == 0xFF:                 # fill byte
            position += 1
            continue
        if marker in _STANDALONE:
            position += 2
            continue
        if marker == 0xDA:                 # start of scan: compressed data follows
            return None, None
        (length,) = struct.unpack(">H", data[position + 2:position + 4])
        if marker in _SOF_MARKERS and position + 9 <= len(data):
            height, width = struct.unpack(">HH", data[position + 5:position + 9])
            return width, height
        if length < 2:
            return None, None
        position += 2 + length
    return None, None


def content_hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def store_file(folder: Path, name: str, data: bytes) -> bool:
    """Write ``data`` as ``folder/name`` atomically; True if this call created the
    file, False if a file with the same bytes was already there (content-addressed:
    the name is the hash, so it is kept as it is)."""
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    target = folder / name
    try:
        if target.is_file() and content_hash(target.read_bytes()) == content_hash(data):
            return False
    except OSError:
        pass                              # unreadable: write it afresh below
    write_file_atomically(folder, target, data)
    return True
