"""Typed reads of a hand-edited TOML file that collect problems instead of stopping.

A person fixing ``governance.toml`` wants every mistake at once, each with its
line. :class:`TableReader` reads a setting of the parsed file, records a
:class:`PolicyProblem` on the setting's line (through a ``locate`` function,
usually :meth:`TomlLocator.line_of`) when the value is wrong, and returns a
usable default so the reading can go on. Messages say what would be valid.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from console.policy.model import SEVERITIES

Locate = Callable[[tuple], "int | None"]


@dataclass(frozen=True)
class PolicyProblem:
    """One thing wrong in the file; ``line`` is 1-based (None: the file as a whole)."""

    line: int | None
    message: str


class Problems:
    """Collects problems, each placed on the line of the key path it is about."""

    def __init__(self, locate: Locate) -> None:
        self.locate = locate
        self.found: list[PolicyProblem] = []

    def add(self, path: Iterable[str | int], message: str) -> None:
        self.found.append(PolicyProblem(self.locate(tuple(path)), message))


def section_name(path: tuple) -> str:
    """``("accounts", "sandbox:x", 2)`` -> ``accounts."sandbox:x"``: the name as written in a header."""
    parts = [part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else f'"{part}"'
             for part in path if isinstance(part, str)]
    return ".".join(parts)


class TableReader:
    """Typed reads: each returns a usable value and records a problem when the file is wrong."""

    def __init__(self, problems: Problems) -> None:
        self.problems = problems

    def add(self, path: tuple, message: str) -> None:
        self.problems.add(path, message)

    def table(self, value: object, path: tuple, known: Iterable[str], header: str) -> dict:
        if not isinstance(value, dict):
            self.add(path, f"{header} must be a table of settings, not {kind_of(value)}")
            return {}
        known = tuple(known)
        for key in value:
            if key not in known:
                self.add(path + (key,), f"unknown setting {key!r} in {header}; known: {', '.join(known)}")
        return value

    def entries(self, value: object, path: tuple, what: str) -> list[tuple[tuple, dict]]:
        """The entries of an array of tables (``[[brand.banned]]``), with their paths;
        an entry that is not a table is reported and left out."""
        if not isinstance(value, list):
            self.add(path, f"{what} must be a list of entries, each written as [[{section_name(path)}]]")
            return []
        entries = []
        for index, entry in enumerate(value):
            if isinstance(entry, dict):
                entries.append((path + (index,), entry))
            else:
                self.add(path + (index,), f"each entry of {what} must be a table of settings, not {kind_of(entry)}; "
                         f"write it as [[{section_name(path)}]] followed by key = value lines")
        return entries

    def text(self, table: dict, path: tuple, key: str, header: str, *, required: bool = False,
             default: str = "") -> str:
        value = table.get(key)
        if value is None:
            if required:
                self.add(path, f'{header} needs {key} = "..."')
            return default
        if not isinstance(value, str) or (required and not value.strip()):
            self.add(path + (key,), f"{header} {key} = {value!r} is not valid; write a non-empty text in quotes")
            return default
        return value.strip()

    def flag(self, table: dict, path: tuple, key: str, header: str, default: bool) -> bool:
        value = table.get(key, default)
        if not isinstance(value, bool):
            self.add(path + (key,), f"{header} {key} = {value!r} is not valid; use true or false")
            return default
        return value

    def number(self, table: dict, path: tuple, key: str, header: str, default: int | None, *,
               minimum: int, off: str = "") -> int | None:
        """A whole number of at least ``minimum``; ``false`` means None when ``off`` says what that means."""
        value = table.get(key, default)
        if value is False and off:
            return None
        if value is None and default is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            also = f", or false for {off}" if off else ""
            self.add(path + (key,), f"{header} {key} = {value!r} is not valid; "
                     f"use a whole number of at least {minimum}{also}")
            return default
        return value

    def words(self, table: dict, path: tuple, key: str, header: str, *, required: bool = False) -> tuple[str, ...]:
        """A list of non-empty texts (a single text is taken as a list of one)."""
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.add(path + (key,), f'{header} {key} must be a list of non-empty texts, e.g. {key} = ["a", "b"]')
            return ()
        if required and not value:
            self.add(path + (key,) if key in table else path, f'{header} needs at least one entry in {key} = [...]')
        return tuple(v.strip() for v in value)

    def choices(self, table: dict, path: tuple, key: str, header: str, allowed: Iterable[str]) -> tuple[str, ...]:
        allowed = tuple(allowed)
        values = self.words(table, path, key, header)
        for index, value in enumerate(values):
            if value not in allowed:
                self.add(path + (key, index), f"{header} {key} names {value!r}; use {one_of(allowed)}")
        return tuple(v for v in values if v in allowed)

    def severity(self, table: dict, path: tuple, header: str, default: str, key: str = "severity") -> str:
        value = table.get(key, default)
        if value not in SEVERITIES:
            self.add(path + (key,), f"{header} {key} = {value!r} is not valid; use {one_of(SEVERITIES)}")
            return default
        return value

    def hashtags(self, table: dict, path: tuple, key: str, header: str) -> tuple[str, ...]:
        tags = []
        for index, text in enumerate(self.words(table, path, key, header)):
            tag = hashtag(text)
            if tag is None:
                self.add(path + (key, index), f"{header} {key}: {text!r} is not a hashtag; "
                         "write one word, with or without '#'")
            else:
                tags.append(tag)
        return tuple(tags)

    def patterns(self, table: dict, path: tuple, key: str, header: str) -> tuple[str, ...]:
        return tuple(pattern for index, pattern in enumerate(self.words(table, path, key, header))
                     if self.compiles(pattern, path + (key, index), f"{header} {key}"))

    def compiles(self, pattern: str, path: tuple, where: str) -> bool:
        try:
            re.compile(pattern, re.IGNORECASE)
        except re.error as error:
            self.add(path, f"{where}: {pattern!r} is not a valid regular expression ({error}); "
                     "in TOML, write patterns in 'single quotes' so backslashes stay as typed")
            return False
        return True


def kind_of(value: object) -> str:
    return {str: "a text", int: "a number", float: "a number", bool: "true/false", list: "a list"}.get(
        type(value), type(value).__name__)


def one_of(values: Iterable[str]) -> str:
    values = list(values)
    return " or ".join(values) if len(values) <= 2 else ", ".join(values[:-1]) + " or " + values[-1]


def hashtag(text: str) -> str | None:
    """``#Northwind`` or ``Northwind`` -> ``Northwind``; None when it is not one word."""
    tag = text.strip().removeprefix("#")
    return tag if tag and not re.search(r"[\s#]", tag) else None
