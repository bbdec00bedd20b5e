"""Errors the services raise; each message says what happened and what to do."""

from __future__ import annotations


class ConsoleError(Exception):
    """Base of every error a service raises for a user to read."""


class ConfigError(ConsoleError):
    """The workspace configuration is invalid; the message names file and line."""


class ItemNotFound(ConsoleError):
    """No inbox item has that id."""


class InvalidAction(ConsoleError):
    """The action cannot be done as asked (empty reply, snooze into the past...)."""


class ActionConflict(ConsoleError):
    """Someone else changed the item since it was shown; nothing was overwritten."""


class WorkerLockHeld(ConsoleError):
    """Another process already runs the worker."""


class StorageProblem(ConsoleError):
    """The store could not do what was asked (disk full, unreadable file...)."""
