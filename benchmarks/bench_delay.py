"""Benchmark of `invest forsening --rangordna`: every object of the default plan delayed one year, ranked.

Run: python benchmarks/bench_delay.py [--kopior 20]
Prints, best of 5: reading and computing the plan, the ranking alone (one engine run for all delays), and the
whole CLI command in a fresh process with its peak memory; then the ranking on the plan copied --kopior times
(ids suffixed, beroenden kept within each copy) to show how it scales."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from invest.engine.calculation import calculate  # noqa: E402
from invest.pipeline import Inputs, calculate_plan  # noqa: E402
from invest.analyses.delay import Delays  # noqa: E402
from invest.base.resources import resolve_plan  # noqa: E402
from timing import best, cli_run  # noqa: E402


def copied(calc, k: int):
    plan = calc.plan
    objects = tuple(replace(o, id=f"{o.id}#{c}", beroenden=tuple(replace(d, pa=f"{d.pa}#{c}") for d in o.beroenden))
                    for c in range(k) for o in plan.objects)
    return calculate(replace(plan, objects=objects), calc.models)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--kopior", type=int, default=20)
    args = parser.parse_args()
    plan_path = resolve_plan(None)
    t_calc, calc = best(lambda: calculate_plan(Inputs(plan_path)))
    t_rank, (ranking, _) = best(lambda: Delays(calc).rank())
    print(f"Standardplanen ({len(calc.plan.objects)} objekt): läsa och beräkna {t_calc:.2f} s, "
          f"rangordna {t_rank * 1000:.0f} ms ({ranking.height} förseningar)")
    seconds, rss = cli_run(["forsening", "--rangordna"])
    print(f"invest forsening --rangordna, hela kommandot: {seconds:.2f} s, högst {rss:.0f} MB minne")
    big = copied(calc, args.kopior)
    t_big, (ranking, _) = best(lambda: Delays(big).rank(), n=3)
    print(f"{args.kopior} kopior ({len(big.plan.objects)} objekt): rangordna {t_big:.2f} s ({ranking.height} förseningar)")


if __name__ == "__main__":
    main()
