"""Benchmark of `invest risk` on the default plan, beside the start-up floor and the engine's own floor.

Run: python benchmarks/bench_risk.py
Prints, best of 3: the floor (`python -c "import polars, numpy, openpyxl, matplotlib"`); in process on a computed
plan, 10 000 and 100 000 draws without the drivers and 10 000 with them; the whole `invest risk` command (fresh
process, table output, 10 000 and 100 000 draws); and for the engine, one `compute_objects` of the plan against one numpy pass
over the same grid (the ratio the issue asks to bring toward 10×). Reports, does not assert."""

from __future__ import annotations

import numpy as np

from bench_engine import best_of as best
from bench_rapport import floor
from timing import cli_run

from invest.analyses.risk import Risk
from invest.engine.calculation import object_rate
from invest.engine.object_grid import compute_objects
from invest.pipeline import Inputs, calculate_plan


def main() -> None:
    print(f"Golv (python -c \"import polars, numpy, openpyxl, matplotlib\"): {floor():.2f} s")
    calc = calculate_plan(Inputs())
    risk = Risk(calc)
    risk.run(100, 1, drivers=0)  # the per-object tables of the shifts the draws need
    print(f"10 000 dragningar i processen: {best(lambda: risk.run(10_000, 1, drivers=0)):.2f} s")
    print(f"100 000 dragningar i processen: {best(lambda: risk.run(100_000, 1, drivers=0), 1):.2f} s")
    print(f"10 000 dragningar med drivande objekt: {best(lambda: risk.run(10_000, 1)):.2f} s")
    seconds, rss = cli_run(["risk"], n=3)
    print(f"invest risk, hela kommandot (10 000 dragningar): {seconds:.2f} s, högst {rss:.0f} MB minne")
    seconds, rss = cli_run(["risk", "--dragningar", "100000"], n=2)
    print(f"invest risk, hela kommandot (100 000 dragningar): {seconds:.2f} s, högst {rss:.0f} MB minne")
    years = calc.region.table["ar"].to_numpy()
    engine = best(lambda: compute_objects(calc.arrays, calc.conventions, object_rate(calc.models), int(years[0]),
                                          int(years[-1])), 5)
    grid = compute_objects(calc.arrays, calc.conventions, object_rate(calc.models), int(years[0]), int(years[-1]))
    one_pass = best(lambda: np.cumsum(grid.spend * 1.0001, axis=1), 20)
    print(f"Motorn: compute_objects {engine * 1000:.1f} ms, en numpy-passage över samma rutnät "
          f"{grid.spend.shape[0]}×{grid.spend.shape[1]} {one_pass * 1000:.3f} ms ({engine / one_pass:.0f}×)")


if __name__ == "__main__":
    main()
