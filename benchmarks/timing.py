"""Timing helpers shared by the benchmark scripts: best of n runs, and a CLI command in a fresh process."""

from __future__ import annotations

import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def best(fn, n=5):
    """The shortest of n runs of fn() in seconds, and fn's result."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def cli_run(args: list[str], n: int = 3, exit_codes=(0,)) -> tuple[float, float]:
    """`invest ARGS` in a fresh Python process, best of n: seconds, and the peak memory (MB) of any child so far."""
    times = []
    for _ in range(n):
        start = time.perf_counter()
        done = subprocess.run([sys.executable, "-c", "from invest.cli import main; main()", *args], cwd=ROOT, capture_output=True)
        times.append(time.perf_counter() - start)
        if done.returncode not in exit_codes:
            raise SystemExit(f"invest {' '.join(args)} gav slutkod {done.returncode}:\n{done.stderr.decode()}")
    return min(times), resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
