"""Running `invest` on hostile input the way the hardening issue bounds it: in a child process limited to 2 GiB of
address space and 60 s, with its time and peak memory measured, and what every refusal must look like (an error
line at its place, the right exit code, no traceback, no internal error).

Set INVEST_HOSTILE_LOG=file to have every bounded run append one line `name<TAB>seconds<TAB>peak MB<TAB>exit code`
(benchmarks/bench_hostile.py reads it for the worst case over the corpus)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from conftest import ROOT

ADDRESS_SPACE = 2 << 30  # bytes
SECONDS = 60

# the child's own peak resident set (VmHWM, KiB) at exit: ru_maxrss would include the parent's at the fork
_CHILD = ("import atexit, os, resource, sys; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit})); "
          "atexit.register(lambda: open(os.environ['INVEST_PEAK_FILE'], 'w').write(next("
          "line.split()[1] for line in open('/proc/self/status') if line.startswith('VmHWM:')))); "
          "sys.argv = ['invest', *sys.argv[1:]]; from invest.cli import main; main()")


@dataclass(frozen=True)
class Outcome:
    code: int
    stdout: str
    stderr: str
    seconds: float
    peak_mb: float

    @property
    def output(self) -> str:
        return self.stdout + self.stderr

    def errors(self) -> list[str]:
        return [line for line in self.output.splitlines() if ": fel: " in line]


def run_bounded(args: list[str], name: str = "", cwd: Path | None = None) -> Outcome:
    """`invest *args` in a child process under the address-space limit; fails the test past SECONDS."""
    with tempfile.TemporaryDirectory() as folder:
        peak_file = Path(folder) / "peak"
        start = time.perf_counter()
        try:
            done = subprocess.run([sys.executable, "-c", _CHILD.format(limit=ADDRESS_SPACE), *map(str, args)],
                                  cwd=cwd or ROOT, capture_output=True, text=True, timeout=SECONDS,
                                  env={**os.environ, "INVEST_DEBUG": "", "INVEST_PEAK_FILE": str(peak_file)})
        except subprocess.TimeoutExpired:
            raise AssertionError(f"invest {' '.join(map(str, args))} took longer than {SECONDS} s") from None
        seconds = time.perf_counter() - start
        peak = float(peak_file.read_text() or 0) / 1024 if peak_file.exists() else float("nan")
    outcome = Outcome(done.returncode, done.stdout, done.stderr, seconds, peak)
    log = os.environ.get("INVEST_HOSTILE_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as f:
            f.write(f"{name or ' '.join(map(str, args))}\t{seconds:.2f}\t{peak:.0f}\t{outcome.code}\n")
    return outcome


def assert_refused(outcome: Outcome, place: str, code: int = 2, texts: tuple[str, ...] = ()) -> str:
    """The run ended with `code`, printed no traceback and no internal error, and its first error line begins with
    `place` (e.g. "fil.xlsx:Objekt!G2" or "fil.yaml:4") and holds every text in `texts`. Returns that line."""
    assert "Traceback" not in outcome.output and "Internt fel" not in outcome.output, outcome.output[-2000:]
    assert outcome.code == code, (outcome.code, outcome.output[-2000:])
    errors = outcome.errors()
    assert errors, outcome.output[-2000:]
    assert errors[0].startswith(f"{place}") and errors[0][len(place):].startswith((":", "!", " ")), (place, errors[0])
    assert all(text in errors[0] for text in texts), (texts, errors[0])
    return errors[0]
