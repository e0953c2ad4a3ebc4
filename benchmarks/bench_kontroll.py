"""Benchmark of `invest kontroll`: the example proposals (data/forslag/) on the default plan, and many proposals.

Run: python benchmarks/bench_kontroll.py [--forslag 200]
Prints, best of 5: reading the proposal, the check itself (Δ of every proposal in one engine run, every shifted
start of every proposal and of all together in one more, the greedy admission), and the whole CLI command in a
fresh process with its peak memory; then the check of --forslag proposals (the example's objects repeated with
new ids) on the plan at a flat 2 % (where it passes, so the admission has work to do) to show how it scales."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from invest.pipeline import Inputs, calculate_plan  # noqa: E402
from timing import best, cli_run  # noqa: E402
from invest.excel.reader import read_proposal  # noqa: E402
from invest.analyses.proposals import ProposalCheck  # noqa: E402

EXAMPLE = ROOT / "data" / "forslag" / "exempel_forslag.xlsx"


def check(calc, objects):
    c = ProposalCheck(calc, objects)
    return c.verdicts(), c.admission()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--forslag", type=int, default=200)
    args = parser.parse_args()
    calc = calculate_plan(Inputs())
    t_read, (objects, _) = best(lambda: read_proposal([EXAMPLE], calc.plan, calc.models))
    t_check, (verdicts, admission) = best(lambda: check(calc, objects))
    print(f"Exemplet ({len(objects)} objekt, {len(verdicts) - 1} förslag) på standardplanen: läsa förslaget "
          f"{t_read * 1000:.0f} ms, kontrollen {t_check * 1000:.0f} ms")
    seconds, rss = cli_run(["kontroll", "--forslag", str(EXAMPLE), "-o", "/tmp/invest-bench-kontroll", "--skriv-over"],
                           exit_codes=(0, 1))  # 1: the default plan is over the riktvärde
    print(f"invest kontroll, hela kommandot (med xlsx och diagram): {seconds:.2f} s, högst {rss:.0f} MB minne")
    # standalone copies: no beroenden, so every copy is its own proposal
    many = tuple(replace(o, id=f"{o.id}#{k}", beroenden=()) for k in range(args.forslag) for o in objects)[:args.forslag]
    roomy = calculate_plan(Inputs(flat_rate=0.02))  # under 8 % every year: admissions happen
    t_many, (verdicts, admission) = best(lambda: check(roomy, many), n=3)
    print(f"{len(many)} förslag (--ranta 0.02, så att planen klarar riktvärdet): kontrollen {t_many:.2f} s "
          f"({len(admission.admitted)} antagna, {len(admission.left_out)} ryms inte)")


if __name__ == "__main__":
    main()
