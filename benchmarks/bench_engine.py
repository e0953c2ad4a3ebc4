"""Benchmark of the engine: 10 000 objects × 40 spend years, mixed classes, explicit components, medfinansiering.

Run: python benchmarks/bench_engine.py [--objekt 10000] [--ar 40]
Prints wall time (best of 5) and peak memory for the engine (on its threads, and on one), and for one numpy pass
over arrays of the same size as the baseline the issue asks to compare against. The baseline is unchanged; one more
line gives the time to allocate and write once as many fresh grid-sized arrays as the engine returns (its output
alone): the baseline's two arrays are recycled by the allocator from one run to the next, the engine's are handed to
the caller, so each run maps and zeroes new memory, which no computation can avoid."""

from __future__ import annotations

import argparse
import dataclasses
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from invest.base.memory import usable_cores  # noqa: E402
from invest.engine import object_grid  # noqa: E402
from invest.engine.object_grid import compute_objects, per_object_frame  # noqa: E402
from invest.params.parameters import Models  # noqa: E402
from invest.engine.plan_arrays import PlanArrays  # noqa: E402

CLASS_LIVES = [[(1.0, 4)], [(1.0, 7)], [(1.0, 25)], [(1.0, 35)], [(1.0, 0)],
               [(0.5, 60), (0.1, 30), (0.1, 40), (0.2, 25), (0.1, 15)], [(0.7, 50), (0.2, 25), (0.1, 15)]]


def synthetic(n: int, years: int, seed: int = 1) -> PlanArrays:
    rng = np.random.default_rng(seed)
    first = 2026
    spend_obj = np.repeat(np.arange(n), years)
    spend_year = np.tile(np.arange(first, first + years), n)
    spend_amount = rng.uniform(0, 100, n * years) * (rng.random(n * years) < 0.6)
    keep = spend_amount > 0
    lopande = rng.random(n) < 0.3
    kinds = rng.integers(0, len(CLASS_LIVES), n)
    comp_obj, comp_share, comp_life = [], [], []
    for k in range(len(CLASS_LIVES)):  # loop over 7 class shapes, not over objects
        idx = np.nonzero(kinds == k)[0]
        for share, life in CLASS_LIVES[k]:
            comp_obj.append(idx), comp_share.append(np.full(len(idx), share)), comp_life.append(np.full(len(idx), life))
    comp_obj = np.concatenate(comp_obj)
    order = np.argsort(comp_obj, kind="stable")
    totals = np.bincount(spend_obj[keep], weights=spend_amount[keep], minlength=n)
    return PlanArrays(
        ids=tuple(f"O{i}" for i in range(n)),
        drift_year=rng.integers(first, first + years, n), drift_month=rng.integers(0, 13, n), lopande=lopande,
        lopande_lag=np.where(lopande, rng.integers(0, 4, n), 0),
        medfinansiering=totals * rng.choice([0, 0, 0.25, 0.5], n), bidrag=rng.random(n) < 0.02,
        spend_obj=spend_obj[keep], spend_year=spend_year[keep], spend_amount=spend_amount[keep],
        comp_obj=comp_obj[order], comp_share=np.concatenate(comp_share)[order],
        comp_months=np.rint(np.concatenate(comp_life)[order] * 12).astype(np.int64),
        sched_obj=np.zeros(0, np.int64), sched_year=np.zeros(0, np.int64), sched_amount=np.zeros(0),
    )


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--objekt", type=int, default=10_000)
    parser.add_argument("--ar", type=int, default=40)
    args = parser.parse_args()
    models = Models.load(Path(__file__).resolve().parents[1] / "models")
    conv = models.conventions(2026)
    rates = lambda ys: models.yearly("ranta/internranta", ys)  # noqa: E731
    arrays = synthetic(args.objekt, args.ar)

    grid = compute_objects(arrays, conv, rates)
    n, width = grid.spend.shape
    engine = best_of(lambda: compute_objects(arrays, conv, rates))
    threads = min(object_grid.ENGINE_THREADS, usable_cores())
    object_grid.ENGINE_THREADS = 1
    one_thread = best_of(lambda: compute_objects(arrays, conv, rates))
    object_grid.ENGINE_THREADS = threads
    frame = best_of(lambda: per_object_frame(compute_objects(arrays, conv, rates)), 3)

    tracemalloc.start()
    compute_objects(arrays, conv, rates)
    _, engine_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    spend_grid = grid.spend.copy()
    r = np.full(width, 0.025)
    baseline = best_of(lambda: np.cumsum(spend_grid, axis=1) * r)  # one vectorised pass over the same grid
    figures = (getattr(grid, f.name) for f in dataclasses.fields(grid))
    outputs = len({a.__array_interface__["data"][0] for a in figures  # distinct memory: a figure may be another
                   if isinstance(a, np.ndarray) and a.shape == (n, width)})
    output_floor = best_of(lambda: np.zeros((outputs, n, width)).fill(1.0))
    small = np.ascontiguousarray(spend_grid[:, :args.ar])
    baseline_plan = best_of(lambda: np.cumsum(small, axis=1) * r[:args.ar])

    print(f"objekt: {n}, utgiftsrader: {len(arrays.spend_amount)}, komponentrader: {len(arrays.comp_obj)}, "
          f"rutnät: {n} × {width} år ({grid.years[0]}–{grid.years[-1]})")
    print(f"motorn (compute_objects), bästa av 5: {engine * 1000:.0f} ms på {threads} trådar, "
          f"{one_thread * 1000:.0f} ms på en tråd = {one_thread / baseline:.1f} × baslinjen")
    print(f"motorn + tabell per objekt och år ({per_object_frame(grid).height} rader), bästa av 3: {frame * 1000:.0f} ms")
    print(f"en numpy-passage (cumsum × ränta) över samma rutnät {n} × {width}: {baseline * 1000:.1f} ms "
          f"-> motorn = {engine / baseline:.1f} × baslinjen")
    print(f"att bara allokera och skriva motorns {outputs} utdatamatriser {n} × {width} en gång: "
          f"{output_floor * 1000:.1f} ms = {output_floor / baseline:.1f} × baslinjen")
    print(f"en numpy-passage över {n} × {args.ar} (planens år): {baseline_plan * 1000:.1f} ms "
          f"-> motorn = {engine / baseline_plan:.1f} ×")
    print(f"toppminne i motorn (tracemalloc, numpy): {engine_peak / 1e6:.0f} MB; "
          f"processens max RSS: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


if __name__ == "__main__":
    main()
