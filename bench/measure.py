"""What several benches measure the same way: this process's memory, and progress lines."""

from __future__ import annotations

import resource
import sys


def log(message: str) -> None:
    """A progress line on stderr (stdout carries the JSON figures)."""
    print(message, file=sys.stderr, flush=True)


def rss_mb(field: str = "VmRSS") -> float:
    """This process's resident memory in MB (``VmHWM``: its peak), from /proc.

    Without /proc, ru_maxrss: the peak (which, unlike VmHWM, keeps the parent's
    peak across fork+exec on Linux)."""
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB."""
    return rss_mb("VmHWM")
