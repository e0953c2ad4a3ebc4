"""The budget charts drawn by a second process while the report's own process reads the plan, computes it and writes
the workbook.

`invest rapport` spends about as long importing and drawing with matplotlib as on everything else, and both can run
at once on a machine with two cores or more. The chart process is started first (`with ChartProcess() as charts:`),
before the report's process has read its plan; it imports matplotlib and the drawing code meanwhile, gets the plan's
BudgetFigures when they are known (`charts.draw(figures)`), and draws one chart after the other. The report's process
takes each chart as it comes once its workbook is written (`charts.result()`) and makes its PNG file's bytes while
the next is drawn.

The chart process is a fresh Python started with the report's own import path (not a fork: nothing of the report's
process, its threads least of all, is copied into it), so it imports the same invest. The figures reach it pickled
on its input; each chart's pixels go to a file of their own in a folder made for this report, and a line on its
output says which, so that drawing never waits for the report to read. Should it fail to start, stop, or say
something else, the charts it did not deliver are drawn in the report's process; leaving the block stops it and
removes the folder, and it stops by itself when the report's process ends (its input closes; on Linux it is killed
with its parent).

Only the standard library is imported here at first: the report's process imports this module before it has loaded
anything heavy."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from invest.base.memory import die_with_parent

BOOT = ("import sys, json; sys.path[:] = json.loads(sys.argv[1]); "
        "from invest.outputs.chart_process import serve; serve()")


def serve() -> None:
    """The chart process: imports the drawing code, reads one BudgetFigures from its input, and draws each chart the
    plan shows into the folder named by its second argument, a line "name rows columns" on its output after each. An
    input closed before any figures came (the report stopped at an error in its plan) ends it quietly."""
    die_with_parent()
    from invest.outputs.budget_charts import pixels  # matplotlib: loaded here while the report reads its plan

    folder = Path(sys.argv[2])
    try:
        figures = pickle.load(sys.stdin.buffer)
    except EOFError:
        return
    for name in figures.shown:
        drawn = pixels(figures, name)
        drawn.tofile(folder / name)
        print(name, *drawn.shape[:2], flush=True)


class ChartProcess:
    """The chart process of one report (see the module's text). On a single core nothing is started and every chart
    is drawn in the report's process; `started` says whether a process was started, `received` which charts it
    delivered."""

    def __init__(self):
        self.process: subprocess.Popen | None = None
        self.folder: str | None = None
        self.started = False
        self.figures = None
        self.received: list[str] = []

    def __enter__(self) -> ChartProcess:
        if (os.cpu_count() or 1) < 2:
            return self
        try:
            self.folder = tempfile.mkdtemp(prefix="invest-diagram-")
            self.process = subprocess.Popen([sys.executable, "-c", BOOT, json.dumps(sys.path), self.folder],
                                            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                            stderr=subprocess.DEVNULL, text=False)
            self.started = True
        except OSError:  # no process or folder to be had: everything is drawn here
            self._stop()
        return self

    def draw(self, figures) -> None:
        """Hands the plan's BudgetFigures to the chart process (or keeps them, to be drawn here)."""
        self.figures = figures
        if self.process is None:
            return
        try:
            pickle.dump(figures, self.process.stdin, protocol=pickle.HIGHEST_PROTOCOL)
            self.process.stdin.close()
        except OSError:  # it has stopped already: drawn here
            self._stop()

    def result(self) -> dict:
        """Every chart of the figures given to `draw`, by name, in the order the plan shows them (name → Drawn)."""
        import numpy as np

        from invest.outputs.budget_figures import Drawn

        shown, done = self.figures.shown, {}
        if self.process is not None:
            try:
                for line in self.process.stdout:
                    name, rows, columns = line.decode("ascii").split()
                    pixels = np.fromfile(Path(self.folder) / name, np.uint8).reshape(int(rows), int(columns), 3)
                    done[name] = Drawn.of(pixels)  # its PNG made here while the next chart is drawn there
                    if len(done) == len(shown):
                        break
            except (OSError, ValueError):  # it said something else, or its file is not what it said: drawn here
                pass
            self._stop()
        self.received = [name for name in shown if name in done]
        if len(done) < len(shown):
            from invest.outputs.budget_charts import pixels  # matplotlib's drawing code: only to draw here

            done.update({name: Drawn.of(pixels(self.figures, name)) for name in shown if name not in done})
        return {name: done[name] for name in shown}

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
        if self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)
            self.folder = None

    def __exit__(self, *exc) -> None:
        self._stop()
