"""Atomic file output: write to a temporary file in the target directory, then rename over the target, with the
mode a plain `open()` would give (the user's umask), not the private mode of a temporary file. Within an
`output_guard` (every command that writes), an existing file is replaced only when overwriting was asked for, an
input file never, and a command that fails leaves none of the files it had written."""

from __future__ import annotations

import os
import tempfile
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from invest.base.findings import InputError, error

OVERWRITE_FLAG = "--skriv-over"


class OutputExists(InputError):
    """A file a command would write already exists (or is one of its inputs)."""


@dataclass
class _Guard:
    overwrite: bool
    inputs: frozenset[Path]
    created: list[Path] = field(default_factory=list)

    def check(self, target: Path) -> None:
        if _resolved(target) in self.inputs:
            raise OutputExists([error(str(target), "är en av indatafilerna och skrivs aldrig över; välj en annan "
                                                   "katalog med -o/--utdata")])
        if target.exists() and not self.overwrite:
            raise OutputExists([error(str(target), f"filen finns redan och skrivs inte över; ange {OVERWRITE_FLAG} "
                                                   "för att ersätta den eller välj en annan katalog med -o/--utdata")])


_GUARD: ContextVar[_Guard | None] = ContextVar("invest_output_guard", default=None)


def _resolved(path: Path) -> Path:
    return Path(path).expanduser().resolve()


@contextmanager
def output_guard(overwrite: bool = False, inputs=()):
    """Every `atomic_path` within: an existing target is refused (OutputExists) unless `overwrite`, a target that is
    one of `inputs` always; on any failure the files created within are removed again (all or nothing)."""
    guard = _Guard(overwrite, frozenset(_resolved(p) for p in inputs if p is not None))
    token = _GUARD.set(guard)
    try:
        yield guard
    except BaseException:
        for path in guard.created:
            path.unlink(missing_ok=True)
        raise
    finally:
        _GUARD.reset(token)


@contextmanager
def atomic_path(target: Path):
    """Yields a temporary path; on success it replaces `target` in one rename, on failure it is removed."""
    target = Path(target)
    guard = _GUARD.get()
    if guard is not None:
        guard.check(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.stem}-", suffix=target.suffix, dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, 0o666 & ~_umask())
        existed = target.exists()
        if guard is not None:
            guard.check(target)  # again: a file may have appeared while this one was computed
        os.replace(tmp, target)
        if guard is not None and not existed:
            guard.created.append(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
