"""The hostile-input corpus measured: runs the hardening tests (tests/test_hostile_*.py), each hostile file through
`invest` in a child process limited to 2 GiB of address space and 60 s (tests/hostile.py), and prints how many runs
there were, the worst time and the worst peak memory, beside the floor of one `invest berakna` on the default plan
measured the same way.

Run: python benchmarks/bench_hostile.py
It reports; the tests themselves assert the bounds."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TESTS = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "tests").glob("test_hostile_*.py"))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        log = Path(folder) / "korningar.tsv"
        env = {**os.environ, "INVEST_HOSTILE_LOG": str(log)}
        floor = ("import sys; sys.path.insert(0, 'tests'); from hostile import run_bounded; "
                 "run_bounded(['berakna', '--format', 'csv'], name='golv: berakna standardplanen')")
        subprocess.run([sys.executable, "-c", floor], cwd=ROOT, env=env, check=True)
        done = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *TESTS],
                              cwd=ROOT, env=env, capture_output=True, text=True)
        print(done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr[-2000:])
        rows = [line.split("\t") for line in log.read_text(encoding="utf-8").splitlines()]
    runs = [(name, float(s), float(mb), int(code)) for name, s, mb, code in rows]
    floor_run, hostile = runs[0], runs[1:]
    print(f"Golv ({floor_run[0]}): {floor_run[1]:.2f} s, {floor_run[2]:.0f} MB")
    print(f"Fientliga körningar: {len(hostile)} (testfiler: {', '.join(TESTS)})")
    for what, runs_of in (("alla", hostile), ("avvisade (slutkod 1 eller 2)", [r for r in hostile if r[3]])):
        if not runs_of:
            continue
        slow = max(runs_of, key=lambda r: r[1])
        big = max(runs_of, key=lambda r: r[2])
        print(f"{what}: {len(runs_of)} körningar; längst tid {slow[1]:.2f} s ({slow[0]}); "
              f"mest minne {big[2]:.0f} MB ({big[0]})")
    print(f"Slutkoder: {', '.join(map(str, sorted({r[3] for r in hostile})))}")


if __name__ == "__main__":
    main()
