"""The process's footprint on the system: the C library's memory arenas kept few, so that the address space the
process reserves stays close to what it uses; freed memory kept for reuse rather than given back and asked for again;
the cores it may use; and a helper process that dies with the one that started it.

glibc gives each thread that allocates its own arena and reserves 64 MiB of address space for it; with polars' and
numpy's worker threads a large plan's report reserved some 570 MB it never used, and under a 2 GiB address-space
limit (`ulimit -v`, as on shared machines and in the hardening tests) a valid 50 000-object plan could not be
reported although it used about 1 GB. Two arenas (M_ARENA_MAX = 2, as MALLOC_ARENA_MAX=2 would set) cost nothing
measurable here.

glibc starts by mapping every block from 128 KiB up afresh and giving it back when freed, and gives back the heap's
free top beyond 128 KiB; it raises both thresholds as it sees such blocks freed, to at most 32 MiB and 64 MiB. The
engine computes a plan in chunks whose temporaries are a few MiB each: freed and asked for again chunk after chunk,
each time as fresh pages the system must map and zero (0,6–0,9 ms per MiB on the machine measured). Set from the
start to glibc's own upper values, the temporaries reuse the memory the last chunk freed: the engine on 10 000
objects (benchmarks/bench_engine.py's plan, one thread, best of 11 calls in a row) went from 61–75 ms to 37–46 ms
in three runs each, with the same peak memory (168 MB).
Blocks from 32 MiB up (an engine grid) are still mapped and given back at once. Elsewhere (another C library,
another system) nothing is done."""

from __future__ import annotations

import ctypes
import os
import sys

M_ARENA_MAX = -8  # mallopt's parameter numbers in glibc's malloc.h
M_MMAP_THRESHOLD = -3
M_TRIM_THRESHOLD = -1
ARENAS = 2
MMAP_THRESHOLD = 32 << 20  # glibc's DEFAULT_MMAP_THRESHOLD_MAX on 64-bit systems: where its own rule stops
TRIM_THRESHOLD = 2 * MMAP_THRESHOLD  # glibc's own rule: twice the mapping threshold


def tune_malloc() -> bool:
    """Sets glibc's arena limit and its thresholds for mapping and giving back memory for this process; True when
    they were set. Must run before threads allocate."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        mallopt = ctypes.CDLL(None).mallopt
        return all([mallopt(M_ARENA_MAX, ARENAS), mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD),
                    mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD)])
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
