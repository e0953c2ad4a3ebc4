"""The process's footprint on the system: the C library's memory arenas kept few, so that the address space the
process reserves stays close to what it uses; the cores it may use; and a helper process that dies with the one that
started it.

glibc gives each thread that allocates its own arena and reserves 64 MiB of address space for it; with polars' and
numpy's worker threads a large plan's report reserved some 570 MB it never used, and under a 2 GiB address-space
limit (`ulimit -v`, as on shared machines and in the hardening tests) a valid 50 000-object plan could not be
reported although it used about 1 GB. Two arenas (M_ARENA_MAX = 2, as MALLOC_ARENA_MAX=2 would set) cost nothing
measurable here. Elsewhere (another C library, another system) nothing is done."""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # mallopt's parameter number in glibc's malloc.h
ARENAS = 2


def limit_arenas() -> bool:
    """Sets glibc's arena limit for this process; True when it was set. Must run before threads allocate."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, ARENAS))
    except (OSError, AttributeError):
        return False


def usable_cores() -> int:
    """The cores this process may run on: its CPU affinity where the system tells it (taskset, a container's cpuset),
    else the machine's count; at least 1."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


PR_SET_PDEATHSIG = 1  # prctl's option number in linux/prctl.h
SIGKILL = 9


def die_with_parent() -> None:
    """In a helper process (the report's chart process): asks Linux to kill it when its parent dies, so that a run
    killed outright (kill -9) leaves no helper behind. Elsewhere nothing is done."""
    if not sys.platform.startswith("linux"):
        return
    try:
        ctypes.CDLL(None).prctl(PR_SET_PDEATHSIG, SIGKILL)
    except (OSError, AttributeError):
        pass
