"""Benchmark of `invest kanslighet` and `invest scenario` on the default plan, beside the start-up floor.

Run: python benchmarks/bench_kanslighet.py
Prints, best of 5: the floor (`python -c "import polars, numpy, openpyxl, matplotlib"`), the känslighetsanalys in
process (every driver at its steps and every break-even, on a computed plan), the whole `invest kanslighet` and
`invest scenario` commands (fresh processes, table output), and the number of engine runs. The issue's goal is the
full känslighetsanalys under 2 s; this script reports, it does not assert."""

from __future__ import annotations

import time
from pathlib import Path

from bench_rapport import floor
from timing import ROOT, cli_run

from invest.analyses import changes
from invest.analyses.sensitivity import sensitivity
from invest.pipeline import Inputs, calculate_plan


def in_process(n: int = 5) -> tuple[float, int, int, int]:
    calc = calculate_plan(Inputs())
    runs, evaluated = 0, 0
    original = changes.Changes.evaluate

    def counted(self, batch, *args, **kwargs):
        nonlocal runs, evaluated
        runs, evaluated = runs + 1, evaluated + len(batch)
        return original(self, batch, *args, **kwargs)
    changes.Changes.evaluate = counted
    best = float("inf")
    for _ in range(n):
        runs = evaluated = 0
        start = time.perf_counter()
        result = sensitivity(calc)
        best = min(best, time.perf_counter() - start)
    changes.Changes.evaluate = original
    return best, runs, evaluated, len(result.drivers)


def main() -> None:
    print(f"Golv (python -c \"import polars, numpy, openpyxl, matplotlib\"): {floor():.2f} s")
    seconds, runs, evaluated, drivers = in_process()
    print(f"Känslighetsanalysen i processen: {seconds:.2f} s ({drivers} drivare, {evaluated} ändringar i {runs} "
          "körningar av motorn)")
    seconds, rss = cli_run(["kanslighet"], n=5)
    print(f"invest kanslighet, hela kommandot: {seconds:.2f} s, högst {rss:.0f} MB minne")
    example = Path(ROOT) / "data" / "scenarier" / "exempel_scenarier.yaml"
    seconds, rss = cli_run(["scenario", str(example)], n=5)
    print(f"invest scenario (exemplets 7 scenarier), hela kommandot: {seconds:.2f} s, högst {rss:.0f} MB minne")


if __name__ == "__main__":
    main()
