"""Benchmark of `invest forsening --rangordna`: every object of the default plan delayed one year, ranked.

Run: python benchmarks/bench_delay.py [--kopior 20]
Prints, best of 5: reading and computing the plan, the ranking alone (one engine run for all delays), and the
whole CLI command in a fresh process with its peak memory; then the ranking on the plan copied --kopior times
(ids suffixed, beroenden kept within each copy) to show how it scales."""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from invest.calculation import calculate, run  # noqa: E402
from invest.delay import Delays  # noqa: E402
from invest.paths import DEFAULT_MODELS_DIR, resolve_plan  # noqa: E402


def best(fn, n=5):
    times = []
    for _ in range(n):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def copied(calc, k: int):
    plan = calc.plan
    objects = tuple(replace(o, id=f"{o.id}#{c}", beroenden=tuple(replace(d, pa=f"{d.pa}#{c}") for d in o.beroenden))
                    for c in range(k) for o in plan.objects)
    return calculate(replace(plan, objects=objects), calc.plan_path, calc.models)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kopior", type=int, default=20)
    args = parser.parse_args()
    plan_path = resolve_plan(None)
    t_calc, calc = best(lambda: run(plan_path, DEFAULT_MODELS_DIR))
    t_rank, (ranking, _) = best(lambda: Delays(calc).rank())
    print(f"Standardplanen ({len(calc.plan.objects)} objekt): läsa och beräkna {t_calc:.2f} s, "
          f"rangordna {t_rank * 1000:.0f} ms ({ranking.height} förseningar)")
    cli = []
    for _ in range(3):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", "from cli import main; main()", "forsening", "--rangordna"], cwd=ROOT,
                       check=True, capture_output=True)
        cli.append(time.perf_counter() - start)
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"invest forsening --rangordna, hela kommandot: {min(cli):.2f} s, högst {rss:.0f} MB minne")
    big = copied(calc, args.kopior)
    t_big, (ranking, _) = best(lambda: Delays(big).rank(), n=3)
    print(f"{args.kopior} kopior ({len(big.plan.objects)} objekt): rangordna {t_big:.2f} s ({ranking.height} förseningar)")


if __name__ == "__main__":
    main()
