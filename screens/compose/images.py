"""Images on the post being written, and the picker that attaches one from the library.

Only library images that are usable now (approved, not retired, not
expired) can be picked; the picker lists just those, with their alt text,
because an image without alt text shuts out screen-reader users and the
policy checks refuse it anyway. Titles and alt texts are typed by people:
shown as plain text.
"""

from __future__ import annotations

from rich.style import Style
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.screen import ModalScreen
from textual.widgets import Static

from console.untrusted import one_line
from screens.compose.form import AttachedImage
from screens.widgets.prompts import PROMPT_CSS
from screens.widgets.row_list import Column, RowList, cursor_bindings, row_text


def image_columns(width: int, heading: str, note: str = "") -> list[Column]:
    ident, name = 12, max(min(28, width // 3), 10)
    return [Column("id", heading, ident), Column("title", note, name),
            Column("alt", "", max(width - ident - name - 2, 8))]


def image_values(image: AttachedImage) -> dict[str, str]:
    alt = one_line(image.alt_text)
    return {"id": image.asset_id, "title": one_line(image.title),
            "alt": f"alt: {alt}" if alt else "no alt text"}


class AttachedImages(RowList):
    """The post's images, one line each; Delete (or x) detaches the one under the cursor."""

    BINDINGS = [
        *cursor_bindings("compose.images"),
        Binding("delete,x,backspace", "detach", "Detach image", show=False, id="compose.images.detach"),
    ]

    class Detached(Message):
        def __init__(self, asset_id: str) -> None:
            super().__init__()
            self.asset_id = asset_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(empty_text="", id=id)
        self._images: list[AttachedImage] = []

    def show(self, images: list[AttachedImage]) -> None:
        self._images = list(images)
        self.set_row_count(len(self._images), min(self.cursor, max(len(self._images) - 1, 0)))
        # No images: the header line alone says so (the form is short of rows at 80x24).
        self.styles.height = 1 + min(len(self._images), 3)

    def action_detach(self) -> None:
        if 0 <= self.cursor < len(self._images):
            self.post_message(self.Detached(self._images[self.cursor].asset_id))

    def columns_for(self, width: int) -> list[Column]:
        if not self._images:
            return [Column("id", "Images: none · Ctrl+G attaches an approved image from the library", width)]
        return image_columns(width, "Images", "(x detaches)")

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        return row_text(columns, image_values(self._images[row])), base


class LibraryImageList(RowList):
    """The usable library images in the picker."""

    BINDINGS = cursor_bindings("compose.picker")

    def __init__(self, images: list[AttachedImage]) -> None:
        super().__init__(empty_text="No approved images: add one with `socops library add image`.")
        self.images = images

    def on_mount(self) -> None:
        self.set_row_count(len(self.images), 0)

    def columns_for(self, width: int) -> list[Column]:
        return image_columns(width, "Image")

    def render_row(self, row: int, columns: list[Column], base: Style) -> tuple[Text, Style]:
        return row_text(columns, image_values(self.images[row])), base


class ImagePicker(ModalScreen[AttachedImage | None]):
    """Choose one usable library image: Enter attaches it, Escape cancels."""

    DEFAULT_CSS = "ImagePicker {" + PROMPT_CSS + """
        & > Vertical { width: 100; }
        LibraryImageList { height: auto; max-height: 14; min-height: 3; }
    }"""

    BINDINGS = [
        Binding("enter", "choose", "Attach", id="picker.choose", priority=True),
        Binding("escape", "cancel", "Cancel", id="picker.cancel"),
    ]

    def __init__(self, images: list[AttachedImage], attached: tuple[str, ...] = ()) -> None:
        super().__init__()
        self.images = [image for image in images if image.asset_id not in attached]
        self.already = len(images) - len(self.images)

    def compose(self) -> ComposeResult:
        with Vertical() as box:
            box.border_title = "Attach an image from the library"
            yield LibraryImageList(self.images)
            hint = "Enter attaches · Escape cancels · only approved, unexpired images are listed"
            if self.already:
                hint += f" · {self.already} already attached"
            yield Static(Text(hint), classes="prompt--hint")

    def on_mount(self) -> None:
        self.query_one(LibraryImageList).focus()

    def action_choose(self) -> None:
        listing = self.query_one(LibraryImageList)
        if 0 <= listing.cursor < len(self.images):
            self.dismiss(self.images[listing.cursor])

    def action_cancel(self) -> None:
        self.dismiss(None)
