"""Bounds for a process that reads untrusted documents: its address space, and when it should be replaced.

A document can be a bomb (a flate stream or a zip entry that inflates to gigabytes, a page that loops):
the process that reads it is capped (RLIMIT_AS, so an allocation past the cap fails as MemoryError instead
of the machine swapping) and watched (a worker whose resident size grew past the recycle mark after a job
is replaced; the allocator does not hand every freed page back).
"""

from __future__ import annotations

import os
import resource

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096


def cap_address_space(mb: int) -> None:
    """Let this process's address space grow by at most `mb` MiB beyond what it maps now (0: no cap); never
    above the hard limit it has. Relative, because a forked child starts with its parent's mappings (a
    parent that loaded Arrow or DuckDB maps gigabytes it never touches)."""
    if mb <= 0:
        return
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    want = _mapped_bytes() + mb * 1024 * 1024
    if hard != resource.RLIM_INFINITY:
        want = min(want, hard)
    resource.setrlimit(resource.RLIMIT_AS, (want, hard))


def _mapped_bytes() -> int:
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[0]) * _PAGE
    except (OSError, ValueError, IndexError):
        return 0


def rss_mb() -> float:
    """This process's resident size now, in MiB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * _PAGE / (1024 * 1024)
    except (OSError, ValueError, IndexError):
        return 0.0
