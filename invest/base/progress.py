"""A status line on stderr while a command works ("⠹ Läser plan.xlsx … 3 s"), only when stderr is a terminal:
never in a pipe, a test or beside JSON. The command opens it (`status`); any layer names its current step (`step`),
which costs nothing when no status line is shown."""

from __future__ import annotations

import os
import sys
import threading
import time
from contextlib import contextmanager
from contextvars import ContextVar

FRAMES = "⠋⠙⠹⠸⠼⠴⠦⠧⠇⠏"
DELAY = 0.8  # seconds before the line appears: a quick command shows nothing
TICK = 0.1


class StatusLine:
    """The line itself: a thread redraws the current step with a spinner and the seconds elapsed."""

    def __init__(self, stream, text: str, delay: float = DELAY):
        self.stream, self.text, self.delay = stream, text, delay
        self.started = time.monotonic()
        self.shown = False
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> StatusLine:
        self._thread.start()
        return self

    def set(self, text: str) -> None:
        self.text = text

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        frame = 0
        while not self._stop.is_set():
            self.draw(FRAMES[frame % len(FRAMES)])
            frame += 1
            self._stop.wait(TICK)

    def draw(self, spinner: str) -> None:
        seconds = int(time.monotonic() - self.started)
        try:
            width = os.get_terminal_size(self.stream.fileno()).columns or 80
        except (OSError, ValueError, AttributeError):
            width = 80
        line = f"{spinner} {self.text} … {seconds} s"[: max(width - 1, 20)]
        with self._lock:
            self.stream.write("\r\x1b[K" + line)
            self.stream.flush()
            self.shown = True

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        with self._lock:
            if self.shown:
                self.stream.write("\r\x1b[K")
                self.stream.flush()


_CURRENT: ContextVar[StatusLine | None] = ContextVar("invest_status_line", default=None)


def on_terminal(stream=None) -> bool:
    stream = sys.stderr if stream is None else stream
    try:
        return bool(stream.isatty()) and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False


@contextmanager
def status(text: str, enabled: bool = True, stream=None, delay: float = DELAY):
    """A status line for the block, shown on `stream` (stderr) only if it is a terminal and `enabled`; cleared when
    the block ends, before the command prints anything."""
    stream = sys.stderr if stream is None else stream
    if not (enabled and on_terminal(stream)):
        yield None
        return
    line = StatusLine(stream, text, delay).start()
    token = _CURRENT.set(line)
    try:
        yield line
    finally:
        _CURRENT.reset(token)
        line.stop()


def step(text: str) -> None:
    """Names what the command is doing now, on the status line if one is shown."""
    line = _CURRENT.get()
    if line is not None:
        line.set(text)
