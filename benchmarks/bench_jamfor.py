"""Benchmark of `invest jamfor` on the example pair (data/jamforelse/: an earlier version of the default plan against
the default plan), beside the start-up floor.

Run: python benchmarks/bench_jamfor.py
Prints, best of 5: the floor, the comparison in process (both plans read and computed, the engine run for every
changed object's 16 variants, the region of 512 mixes, the Shapley values and each changed object's own Δ), and the
whole command in a fresh process (table output). The script reports, it does not assert."""

from __future__ import annotations

from bench_rapport import floor
from timing import ROOT, best, cli_run

from invest.analyses.plan_versions import compare
from invest.excel.reader import read_plan
from invest.pipeline import load_models

A = ROOT / "data" / "jamforelse" / "investeringsplan_foregaende.xlsx"
B = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"


def main() -> None:
    print(f"Golv (python -c \"import polars, numpy, openpyxl, matplotlib\"): {floor():.2f} s")
    models = load_models()
    plan_a, plan_b = read_plan(A, models), read_plan(B, models)
    seconds, result = best(lambda: compare(plan_a, plan_b, models))
    print(f"jämförelsen (två planer räknade, 512 blandningar, Shapleyvärden): {seconds:.2f} s, "
          f"{len(result.objects)} ändrade objekt")
    seconds, rss = cli_run(["jamfor", str(A), str(B)], n=5)
    print(f"invest jamfor, hela kommandot: {seconds:.2f} s, högst {rss:.0f} MB minne")


if __name__ == "__main__":
    main()
