"""Where a key sits in a TOML text: the line numbers ``tomllib`` does not give.

``tomllib`` reports positions for syntax errors only. The governance checks
find their problems in the parsed values, and a person fixing the file needs
the line. :class:`TomlLocator` scans a text that ``tomllib`` already accepted
and remembers the line of every key path, e.g.
``("approval", "routes", 1, "stages", 0, "role")``: table names and keys as
strings, positions in arrays (and arrays of tables) as integers.

It is not a TOML parser: it reads no values, and it trusts the text to be
valid (on invalid text it records what it can and stops). The text is
scanned at the first question: a valid file, read at every start, asks none.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable

_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


class TomlLocator:
    """Line numbers (1-based) of the keys, tables and array items of one TOML text."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1
        self._lines: dict[tuple, int] = {}
        self._arrays: dict[tuple, int] = {}     # array-of-tables path -> its last index
        self._scanned = False

    def line_of(self, path: Iterable[str | int]) -> int | None:
        """The line of ``path``, or of its nearest enclosing key or table that
        the text names (a missing key is reported where its table starts)."""
        if not self._scanned:
            self._scanned = True
            try:
                self._document()
            except (IndexError, ValueError, tomllib.TOMLDecodeError):
                pass    # not valid TOML after all: keep the lines found so far
        path = tuple(path)
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path[:-1]
        return None

    # -- the scanner ------------------------------------------------------------------------
    def _peek(self, size: int = 1) -> str:
        return self._text[self._pos:self._pos + size]

    def _advance(self, size: int) -> None:
        self._line += self._text.count("\n", self._pos, self._pos + size)
        self._pos += size

    def _skip_blanks(self, *, newlines: bool) -> None:
        """Skip spaces and tabs; with ``newlines`` also line ends and comments."""
        while self._pos < len(self._text):
            char = self._text[self._pos]
            if char in " \t" or (newlines and char in "\r\n"):
                self._advance(1)
            elif newlines and char == "#":
                end = self._text.find("\n", self._pos)
                self._advance((len(self._text) if end < 0 else end) - self._pos)
            else:
                return

    def _record(self, path: tuple, *, exact: bool = False) -> None:
        """Remember where ``path`` (and any table it implies) is first named."""
        for size in range(1, len(path) + 1):
            self._lines.setdefault(path[:size], self._line)
        if exact:
            self._lines[path] = self._line

    def _document(self) -> None:
        table: tuple = ()
        while True:
            self._skip_blanks(newlines=True)
            if self._pos >= len(self._text):
                return
            if self._peek(2) == "[[":
                self._advance(2)
                parts = self._key()
                self._advance(2)                         # "]]"
                array = self._resolve(parts[:-1]) + (parts[-1],)
                index = self._arrays.get(array, -1) + 1
                self._arrays[array] = index
                table = array + (index,)
                self._record(table, exact=True)
            elif self._peek() == "[":
                self._advance(1)
                table = self._resolve(self._key())
                self._advance(1)                         # "]"
                self._record(table, exact=True)
            else:
                self._key_value(table)

    def _resolve(self, parts: list[str]) -> tuple:
        """A header's path, with the current index of each array of tables on the way."""
        resolved: tuple = ()
        for part in parts:
            resolved += (part,)
            if resolved in self._arrays:
                resolved += (self._arrays[resolved],)
        return resolved

    def _key(self) -> list[str]:
        parts: list[str] = []
        while True:
            self._skip_blanks(newlines=False)
            char = self._peek()
            if char in ("'", '"'):
                start = self._pos
                self._string()
                parts.append(tomllib.loads("k = " + self._text[start:self._pos])["k"])
            else:
                match = _BARE_KEY.match(self._text, self._pos)
                if match is None:
                    raise ValueError(f"no key at line {self._line}")
                parts.append(match.group())
                self._advance(match.end() - self._pos)
            self._skip_blanks(newlines=False)
            if self._peek() != ".":
                return parts
            self._advance(1)

    def _key_value(self, table: tuple) -> None:
        path = table + tuple(self._key())
        self._record(path, exact=True)
        self._skip_blanks(newlines=False)
        self._advance(1)                                 # "="
        self._skip_blanks(newlines=False)
        self._value(path)

    def _value(self, path: tuple) -> None:
        char = self._peek()
        if char in ("'", '"'):
            self._string()
        elif char == "[":
            self._advance(1)
            index = 0
            while True:
                self._skip_blanks(newlines=True)
                if self._peek() == "]":
                    self._advance(1)
                    return
                self._record(path + (index,), exact=True)
                self._value(path + (index,))
                index += 1
                self._skip_blanks(newlines=True)
                if self._peek() == ",":
                    self._advance(1)
        elif char == "{":
            self._advance(1)
            while True:
                self._skip_blanks(newlines=False)
                if self._peek() == "}":
                    self._advance(1)
                    return
                self._key_value(path)
                self._skip_blanks(newlines=False)
                if self._peek() == ",":
                    self._advance(1)
        else:                                            # number, boolean, date
            match = _SCALAR_END.search(self._text, self._pos)
            self._advance((match.start() if match else len(self._text)) - self._pos)

    def _string(self) -> None:
        """Skip one string of any of TOML's four kinds."""
        quote = self._peek()
        if self._peek(3) == quote * 3:
            self._advance(3)
            while self._peek(3) != quote * 3:
                if self._pos >= len(self._text):
                    raise ValueError("unterminated string")
                self._advance(2 if quote == '"' and self._peek() == "\\" else 1)
            self._advance(3)
            for _ in range(2):                           # """a "quoted" word"""" ends in quotes
                if self._peek() == quote:
                    self._advance(1)
            return
        self._advance(1)
        while self._peek() != quote:
            if self._pos >= len(self._text):
                raise ValueError("unterminated string")
            self._advance(2 if quote == '"' and self._peek() == "\\" else 1)
        self._advance(1)


_SYNTAX_POSITION = re.compile(r"\s*\(at line (\d+), column (\d+)\)|\s*\(at end of document\)")


def syntax_error_position(error: tomllib.TOMLDecodeError, text: str) -> tuple[int | None, str]:
    """``(line, message)`` of a syntax error: tomllib says "Invalid value (at line 3,
    column 9)"; the line goes first, like a compiler, and the message says the column."""
    message = str(error)
    match = _SYNTAX_POSITION.search(message)
    if match is None:
        return None, message
    line = int(match.group(1)) if match.group(1) else max(1, text.count("\n") + (not text.endswith("\n")))
    column = f" (column {match.group(2)})" if match.group(2) else " (at the end of the file)"
    return line, f"{message[:match.start()]}{column}"
