"""Standing conditions: what stays wrong until someone mends it.

A broken governance file, secrets kept outside a keyring, a store that
reported damage or cannot be read, a worker that stopped. A toast would
cover the form being filled for half a minute and then be gone while the
problem stays; so each condition is a short flag in the status bar for as
long as it stands (``policy!``), errors also a line in the
:class:`ConditionBanner` under it, and F1 lists every condition in full.
The login screen, which has no status bar, shows them all in its banner.

The app holds the conditions (``SocopsApp.conditions``); toasts remain for
one-off events.
"""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.widget import Widget

from console.untrusted import one_line

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Condition:
    """One standing condition, by ``key`` (one of each kind at a time)."""

    key: str
    title: str
    #: What is wrong and what to do about it (plain text).
    text: str
    severity: str = WARNING
    #: The status bar's flag, short form (``""``: the bar shows it another way).
    flag: str = ""
    #: The flag where there is room (``policy file broken``).
    long_flag: str = ""


def with_condition(conditions: tuple[Condition, ...], condition: Condition) -> tuple[Condition, ...]:
    """``conditions`` with ``condition`` in place of any of its key (errors first)."""
    kept = [c for c in conditions if c.key != condition.key] + [condition]
    return tuple(sorted(kept, key=lambda c: c.severity != ERROR))


def without_condition(conditions: tuple[Condition, ...], key: str) -> tuple[Condition, ...]:
    return tuple(c for c in conditions if c.key != key)


class ConditionBanner(Widget):
    """The standing conditions, a line each, under the status bar; hidden when none stand.

    On a panel it shows errors only, each on one line (F1 has the whole text);
    with ``everything`` (the login screen) it shows every condition in full.
    """

    DEFAULT_CSS = """
    ConditionBanner {
        height: auto;
        max-height: 4;
        background: $panel;
        padding: 0 1;
        text-wrap: nowrap;
        text-overflow: ellipsis;
    }
    ConditionBanner.-everything { text-wrap: wrap; }
    ConditionBanner.-empty { display: none; }
    ConditionBanner > .condition-banner--error { color: $text-error; text-style: bold; }
    ConditionBanner > .condition-banner--warning { color: $text-warning; }
    """

    COMPONENT_CLASSES = {"condition-banner--error", "condition-banner--warning"}

    def __init__(self, *, everything: bool = False, id: str | None = None) -> None:
        super().__init__(id=id, classes="-empty -everything" if everything else "-empty")
        self.everything = everything

    def on_mount(self) -> None:
        self.watch(self.app, "conditions", self._changed)

    def shown(self) -> tuple[Condition, ...]:
        conditions: tuple[Condition, ...] = getattr(self.app, "conditions", ())
        return conditions if self.everything else tuple(c for c in conditions if c.severity == ERROR)

    def _changed(self, _conditions: object) -> None:
        self.set_class(not self.shown(), "-empty")
        self.refresh(layout=True)

    def render(self) -> Text:
        text = Text(end="")
        for index, condition in enumerate(self.shown()):
            if index:
                text.append("\n")
            style = self.get_component_rich_style(f"condition-banner--{condition.severity}", partial=True)
            text.append(f"{condition.title}: ", style)
            text.append(one_line(condition.text), style if condition.severity == ERROR else "")
        return text
