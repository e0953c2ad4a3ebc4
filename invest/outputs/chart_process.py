"""The budget charts drawn by a second process while the report's own process reads the plan, computes it and writes
the workbook.

`invest rapport` spends about as long importing and drawing with matplotlib as on everything else, and both can run
at once on a machine with two cores or more. The chart process is started first (`with ChartProcess() as charts:`),
before the report's process has read its plan; it imports matplotlib and the drawing code meanwhile, gets the plan's
BudgetFigures when they are known (`charts.draw(figures)`), and draws one chart after the other. The report's process
takes each chart as it comes once its workbook is written (`charts.result()`) and makes its PNG file's bytes while
the next is drawn.

The chart process is a fresh, isolated Python (`-I`: nothing from the current folder or the environment's PYTHON*
variables) given the report's own import path, so it imports the same invest; it is not a fork, so nothing of the
report's process, its threads least of all, is copied into it. The figures reach it pickled on its input. Each
chart's pixels go into a temporary file that has no name on disk (the two processes share its descriptor), so that
drawing never waits for the report to read and nothing is left behind however either process ends; a line on its
output says where each chart lies. Should it fail to start, stop, say something else or take longer than TIMEOUT,
the charts it did not deliver are drawn in the report's process, pixel for pixel the same; leaving the block stops
it, and it stops by itself when the report's process ends (its input closes; on Linux it is killed with the thread
that started it, which for the command is the main thread). INVEST_DEBUG=1 shows its error output.

Where a descriptor cannot be handed to a process (Windows), or on a single core, nothing is started and the charts
are drawn in the report's process.

Only the standard library is imported here at first: the report's process imports this module before it has loaded
anything heavy."""

from __future__ import annotations

import json
import os
import pickle
import selectors
import subprocess
import sys
import tempfile
import time

from invest.base.memory import die_with_parent, usable_cores

BOOT = ("import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
        "from invest.outputs.chart_process import serve; serve()")
TIMEOUT = 60.0  # seconds from the figures to the last chart before the rest is drawn here (normally about 1,5 s)
HANDS_ON_DESCRIPTORS = os.name == "posix"  # subprocess's pass_fds


def serve() -> None:
    """The chart process: imports the drawing code, reads one BudgetFigures from its input, and writes each chart's
    pixels into the shared file whose descriptor is its second argument, a line "name offset rows columns" on its
    output after each. An input closed before any figures came (the report stopped at an error in its plan) ends it
    quietly."""
    die_with_parent()
    from invest.outputs.budget_charts import pixels  # matplotlib: loaded here while the report reads its plan

    shared = int(sys.argv[2])
    try:
        figures = pickle.load(sys.stdin.buffer)
    except EOFError:
        return
    offset = 0
    for name in figures.shown:
        drawn = pixels(figures, name)
        data = memoryview(drawn).cast("B")
        written = 0
        while written < len(data):
            written += os.pwrite(shared, data[written:], offset + written)
        print(name, offset, *drawn.shape[:2], flush=True)
        offset += len(data)


class ChartProcess:
    """The chart process of one report (see the module's text); `started` says whether a process was started,
    `received` which charts it delivered."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.shared = None  # the nameless file the charts' pixels are written to
        self.started = False
        self.figures = None
        self.handed_at = 0.0
        self.received: list[str] = []
        self.charts: dict | None = None

    def __enter__(self) -> ChartProcess:
        if not HANDS_ON_DESCRIPTORS or usable_cores() < 2:
            return self
        try:
            self.shared = tempfile.TemporaryFile()  # no name on disk: freed with the last process that holds it
            descriptor = self.shared.fileno()
            self.process = subprocess.Popen(
                [sys.executable, "-I", "-c", BOOT, json.dumps(sys.path), str(descriptor)], pass_fds=(descriptor,),
                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                stderr=None if os.environ.get("INVEST_DEBUG") else subprocess.DEVNULL)
            self.started = True
        except Exception:  # noqa: BLE001 - no file, interpreter or process to be had: everything is drawn here
            self._stop()
        return self

    def draw(self, figures) -> None:
        """Hands the plan's BudgetFigures to the chart process (or keeps them, to be drawn here)."""
        self.figures, self.handed_at = figures, time.monotonic()
        if self.process is None:
            return
        try:
            pickle.dump(figures, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except Exception:  # noqa: BLE001 - it has stopped already, or the figures would not go: drawn here
            self._stop()

    def result(self) -> dict:
        """Every chart of the figures given to `draw`, by name, in the order the plan shows them (name → Drawn)."""
        if self.figures is None:
            raise ValueError("ChartProcess.result() before draw()")
        if self.charts is not None:
            return self.charts
        import numpy as np

        from invest.outputs.budget_figures import Drawn

        shown, done = self.figures.shown, {}
        if self.process is not None:
            try:
                for line in self._lines(self.handed_at + TIMEOUT):
                    name, offset, rows, columns = line.decode("ascii").split()
                    size = int(rows) * int(columns) * 3
                    data = os.pread(self.shared.fileno(), size, int(offset))
                    if name not in shown or len(data) != size:
                        raise ValueError(f"{name}: {len(data)} of {size} bytes")
                    done[name] = Drawn.of(np.frombuffer(data, np.uint8).reshape(int(rows), int(columns), 3))
                    if len(done) == len(shown):
                        break
            except (OSError, ValueError):  # it said something else, or its pixels are not what it said: drawn here
                pass
            self._stop()
        self.received = [name for name in shown if name in done]
        if len(done) < len(shown):
            from invest.outputs.budget_charts import pixels  # matplotlib's drawing code: only to draw here

            done.update({name: Drawn.of(pixels(self.figures, name)) for name in shown if name not in done})
        self.charts = {name: done[name] for name in shown}
        return self.charts

    def _lines(self, deadline: float):
        """The chart process's output line by line, until it ends or the deadline passes."""
        out = self.process.stdout.fileno()
        pending = b""
        with selectors.DefaultSelector() as waiting:
            waiting.register(out, selectors.EVENT_READ)
            while True:
                while b"\n" in pending:
                    line, pending = pending.split(b"\n", 1)
                    yield line
                left = deadline - time.monotonic()
                if left <= 0 or not waiting.select(left):
                    return  # too slow: what is missing is drawn here
                chunk = os.read(out, 65536)
                if not chunk:
                    return
                pending += chunk

    def _stop(self) -> None:
        if self.process is not None:
            for pipe in (self.process.stdin, self.process.stdout):
                if pipe is not None and not pipe.closed:
                    try:
                        pipe.close()
                    except OSError:
                        pass
            self.process.kill()
            self.process.wait()
            self.process = None
        if self.shared is not None:
            self.shared.close()
            self.shared = None

    def __exit__(self, *exc) -> None:
        self._stop()
