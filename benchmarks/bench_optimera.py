"""Benchmark of `invest optimera`: 20, 50 and 200 invented proposals with 10 start years each (2026–2035) on the
default plan, the time to the stated MIP gap, beside the greedy order and the start-up floor.

Run: python benchmarks/bench_optimera.py [--ranta 0.02]
Each proposal is one object of 1–4 spend years starting 2026, of a random asset class, value = its spend × a
random factor 0,5–2 (so that the choice matters). Prints per size: the engine run for all (proposal, start) choices
and the constraints, the greedy set, the MILP to gap 1 %, 0,5 % (the default) and 0,01 % (each with its status,
gap reached and value), and the whole command in a fresh process. The default plan breaches 2030–2031 on its own;
with `--ranta 0.02` it meets the riktvärde every year, which leaves the optimiser more room (a harder
instance). The script reports, it does not assert."""

from __future__ import annotations

import argparse
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

from bench_rapport import floor
from timing import cli_run

from invest.analyses.optimizer import Optimisation
from invest.excel.reader import read_proposal
from invest.excel.template import write_plan_workbook
from invest.pipeline import Inputs, calculate_plan

CLASSES = [("it", "Övrig verksamhet"), ("fordon", "Kollektivtrafik"), ("fastighet", "Fastigheter"),
           ("medicinteknik", "Hälso- och sjukvård"), ("kollektivtrafik", "Kollektivtrafik")]


def proposals(n: int, seed: int = 7) -> list[dict]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n):
        klass, area = CLASSES[rng.integers(len(CLASSES))]
        years = int(rng.integers(1, 5))
        spend = {2026 + k: float(round(rng.uniform(50, 900), 1)) for k in range(years)}
        out.append({"id": f"B-{i:03d}", "namn": f"Förslag {i}", "organisation": "Regionstyrelsen",
                    "verksamhetsomrade": area, "kategori": "planerad", "investeringstyp": "ny", "skede": "inriktning",
                    "tillgangsklass": klass, "driftsattning": f"{2026 + years - 1}-12", "utgifter": spend,
                    "varde": float(round(sum(spend.values()) * rng.uniform(0.5, 2.0), 1))})
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--ranta", type=float, default=None)
    args = parser.parse_args()
    print(f"Golv (python -c \"import polars, numpy, openpyxl, matplotlib\"): {floor():.2f} s")
    calc = calculate_plan(Inputs(flat_rate=args.ranta))
    with tempfile.TemporaryDirectory() as folder:
        for n in (20, 50, 200):
            path = Path(folder) / f"forslag_{n}.xlsx"
            write_plan_workbook(path, list(range(2026, 2036)), None, proposals(n))
            objects, _ = read_proposal([path], calc.plan, calc.models)
            start = time.perf_counter()
            opt = Optimisation(calc, objects)
            cons = opt.constraints()
            built = time.perf_counter() - start
            start = time.perf_counter()
            greedy = opt.greedy(cons)
            greedy_time = time.perf_counter() - start
            print(f"{n} förslag, {len(opt.choice_of)} val, {len(cons.rows)} villkor: motor och villkor {built:.2f} s; "
                  f"girig {greedy_time:.2f} s, värde {greedy.value:,.0f}")
            for gap in (0.01, 0.005, 0.0001):
                start = time.perf_counter()
                s = opt.solve(cons, greedy, gap, 120.0)
                print(f"  gap {gap:.2%}: {time.perf_counter() - start:.2f} s, status {s.status}, gap nått "
                      f"{s.gap:.3%}, värde {s.value:,.0f} ({s.value / greedy.value - 1:+.1%} mot girig), "
                      f"{len(s.chosen)} valda")
            extra = ["--ranta", str(args.ranta)] if args.ranta is not None else []
            seconds, rss = cli_run(["optimera", "--forslag", str(path), "--format", "json", *extra], n=1)
            print(f"  hela kommandot (med gränskurvan, 11 optimeringar till 0,5 %): {seconds:.2f} s, {rss:.0f} MB")


if __name__ == "__main__":
    main()
