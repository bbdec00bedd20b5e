"""What several benches measure the same way: this process's memory, and progress lines."""

from __future__ import annotations

import sys


def log(message: str) -> None:
    """A progress line on stderr (stdout carries the JSON figures)."""
    print(message, file=sys.stderr, flush=True)


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory in MB (``VmHWM``: its peak), from /proc (0 where there is none)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
