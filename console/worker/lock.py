"""The worker lock: exactly one worker runs per workspace.

It is an ``flock`` on a file in the state folder, so a second ``socops
worker``, or a console whose workspace already has a worker, does not sync,
send or publish twice. The holder writes who it is into the file, for
``socops doctor`` and the status bar.
"""

from __future__ import annotations

import fcntl
import os
import socket
from datetime import datetime, timezone


class WorkerLock:
    """An exclusive, non-blocking lock that the one running worker holds."""

    def __init__(self, path: os.PathLike) -> None:
        self.path = os.fspath(path)
        self._fd: int | None = None

    def acquire(self) -> bool:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        os.ftruncate(fd, 0)
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.write(fd, f"pid {os.getpid()} on {socket.gethostname()} since {started}\n".encode())
        self._fd = fd
        return True

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def holder(self) -> str | None:
        """Who holds the lock (e.g. "pid 123 on ops1 since ..."), or None if free."""
        if self._fd is not None:
            return f"this process (pid {os.getpid()})"
        try:
            fd = os.open(self.path, os.O_RDONLY)
        except FileNotFoundError:
            return None
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return os.read(fd, 200).decode(errors="replace").strip() or "another process"
            fcntl.flock(fd, fcntl.LOCK_UN)
            return None
        finally:
            os.close(fd)
