"""Benchmark of `invest rapport` at scale: the default plan beside a plan of 50 000 objects (benchmarks/
make_large_plan.py, made into build/stor_plan.xlsx when it is not there), each in a fresh process under the bounds
of the hardening issue (tests/hostile.py: 2 GiB of address space, 60 s).

Run: python benchmarks/bench_large_rapport.py [--objekt N]
Prints the time and the peak memory of each run; the goal is the 50 000-object report within 60 s and 2 GiB, and
the default plan no slower than before. This script reports, it does not assert."""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

from make_large_plan import make_large_plan
from timing import ROOT

sys.path.insert(0, str(ROOT / "tests"))
from hostile import run_bounded  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objekt", type=int, default=50_000)
    args = parser.parse_args()
    large = ROOT / "build" / ("stor_plan.xlsx" if args.objekt == 50_000 else f"stor_plan_{args.objekt}.xlsx")
    if not large.exists():
        print(f"Skapar {large.relative_to(ROOT)} ({args.objekt} objekt) …", flush=True)
        make_large_plan(large, args.objekt)
    for name, plan in (("standardplanen", None), (f"{args.objekt} objekt", large)):
        with tempfile.TemporaryDirectory() as folder:
            outcome = run_bounded(["rapport", *([str(plan)] if plan else []), "-o", folder, "--skriv-over"],
                                  name=f"rapport {name}")
            files = sorted(p.name for p in Path(folder).iterdir())
        state = "klar" if outcome.code == 0 else f"slutkod {outcome.code}: {outcome.output.strip()[-300:]}"
        print(f"invest rapport, {name}: {outcome.seconds:.1f} s, högst {outcome.peak_mb:.0f} MB minne ({state}); "
              f"{len(files)} filer")


if __name__ == "__main__":
    main()
