"""Atomic file output, one file or a whole set.

`atomic_path` writes to a temporary file beside the target (named `.invest-<pid>-…`) with the mode a plain `open()`
would give (the user's umask), not the private mode of a temporary file. Outside an `output_guard` the file then
replaces its target in one rename. Within an `output_guard` (every command that writes) the files wait until the
command has succeeded and are then put in place together, under a lock on each folder, so that a report set is
whole: a run that fails leaves the folder as it was (no new file beside old ones), two runs into one folder never mix
their files, an existing file is replaced only when overwriting was asked for and an input file never. A run killed
outright leaves only its temporary files, which the next run into that folder removes. A refusal of the operating
system (full disk, size limit, read-only folder, a folder where a file should be) becomes a Swedish message naming
the user's path (OutputFault)."""

from __future__ import annotations

import os
import re
import tempfile
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path

from invest.base.findings import InputError, error
from invest.base.os_errors import os_error_in, said

try:
    import fcntl
except ImportError:  # not on Windows: there a second run into the same folder is not kept apart
    fcntl = None

OVERWRITE_FLAG = "--skriv-over"
TEMP_PREFIX = ".invest-"
_OURS = re.compile(r"^\.invest-(\d+)-")


class OutputProblem(InputError):
    """A file a command would write cannot be written; nothing about the input is wrong."""


class OutputExists(OutputProblem):
    """A file a command would write already exists (or is one of its inputs)."""


class OutputFault(OutputProblem):
    """The operating system refused to write (full disk, size limit, no permission, wrong kind of path)."""


@dataclass
class _Guard:
    overwrite: bool
    inputs: frozenset[Path]
    pending: dict[Path, Path] = field(default_factory=dict)  # target -> its finished temporary file, in order
    retired: list[Path] = field(default_factory=list)  # files of an earlier set that this set no longer has

    def check(self, target: Path) -> None:
        if _resolved(target) in self.inputs:
            raise OutputExists([error(str(target), "är en av indatafilerna och skrivs aldrig över; välj en annan "
                                                   "katalog med -o/--utdata")])
        if target.is_dir():
            raise OutputFault([error(str(target), "är en katalog, inte en fil; välj en annan katalog med -o/--utdata")])
        if target.exists() and not self.overwrite:
            raise OutputExists([error(str(target), f"filen finns redan och skrivs inte över; ange {OVERWRITE_FLAG} "
                                                   "för att ersätta den eller välj en annan katalog med -o/--utdata")])


_GUARD: ContextVar[_Guard | None] = ContextVar("invest_output_guard", default=None)


def _resolved(path: Path) -> Path:
    return Path(path).expanduser().resolve()


@contextmanager
def output_guard(overwrite: bool = False, inputs=()):
    """Every `atomic_path` within is put in place only when the block succeeds, all together (see the module); an
    existing target is refused (OutputExists) unless `overwrite`, a target that is one of `inputs` always."""
    guard = _Guard(overwrite, frozenset(_resolved(p) for p in inputs if p is not None))
    token = _GUARD.set(guard)
    try:
        yield guard
        _commit(guard)
    finally:
        _GUARD.reset(token)
        for tmp in guard.pending.values():  # after a failure: the files that were never put in place
            tmp.unlink(missing_ok=True)


def pending(target: Path) -> Path:
    """Where the file written to `target` within the current output_guard is until the command succeeds (the target
    itself outside a guard or when nothing was written to it): for reading back what was just written."""
    guard = _GUARD.get()
    return guard.pending.get(Path(target), Path(target)) if guard is not None else Path(target)


def retire(target: Path) -> None:
    """Within an output_guard: the file at `target`, of an earlier run's set, is not part of this one and is removed
    when this set is put in place (refused like an existing file without overwriting; nothing when it is absent)."""
    guard = _GUARD.get()
    target = Path(target)
    if guard is None or not target.exists():
        return
    guard.check(target)
    guard.retired.append(target)


@contextmanager
def atomic_path(target: Path):
    """Yields a temporary path beside `target`; once the block succeeds it becomes `target` (at once, or with the rest
    of its output_guard's files). On failure it is removed."""
    target = Path(target)
    guard = _GUARD.get()
    if guard is not None:
        guard.check(target)
    tmp = None
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        remove_stale(target.parent)
        fd, name = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{os.getpid()}-{target.stem[:40]}-", suffix=target.suffix,
                                    dir=target.parent)
        os.close(fd)
        tmp = Path(name)
        yield tmp
        os.chmod(tmp, 0o666 & ~_umask())
        if guard is None:
            os.replace(tmp, target)
            return
        earlier = guard.pending.pop(target, None)
        if earlier is not None:
            earlier.unlink(missing_ok=True)
        guard.pending[target] = tmp
        tmp = None
    except BaseException as exc:
        if tmp is not None:
            tmp.unlink(missing_ok=True)
        _raise_fault(exc, target)
        raise


def _raise_fault(exc: BaseException, target: Path) -> None:
    """An OS refusal while writing `target` raised as an OutputFault naming it; anything else is left to the caller
    to raise as it was."""
    cause = None if isinstance(exc, InputError) else os_error_in(exc)
    if cause is not None:
        raise OutputFault([error(str(target), f"kan inte skrivas: {said(cause)}")]) from exc


def _commit(guard: _Guard) -> None:
    """Puts every pending file in place and removes the retired ones: under an exclusive lock on each folder, every
    target is checked again (a file may have appeared meanwhile), then each retired file is removed and each pending
    one renamed over its target; should a step fail, the steps already taken are undone (the previous files
    restored from hard links) before the error is raised."""
    if not guard.pending and not guard.retired:
        return
    with ExitStack() as locks:
        for folder in sorted({t.parent for t in [*guard.pending, *guard.retired]}):
            locks.enter_context(_locked(folder))
        for target in [*guard.pending, *guard.retired]:
            guard.check(target)
        done: list[tuple[Path, Path | None]] = []  # (target, the previous file kept as a hard link)
        target = None
        try:
            for target in guard.retired:
                kept = _keep(target)
                target.unlink(missing_ok=True)
                done.append((target, kept))
            for target, tmp in list(guard.pending.items()):
                kept = _keep(target)
                try:
                    os.replace(tmp, target)
                except BaseException:
                    if kept is not None:
                        kept.unlink(missing_ok=True)
                    raise
                done.append((target, kept))
                del guard.pending[target]
        except BaseException as exc:
            for placed, kept in reversed(done):
                if kept is not None:
                    os.replace(kept, placed)
                else:
                    placed.unlink(missing_ok=True)
            _raise_fault(exc, target)
            raise
        for _, kept in done:
            if kept is not None:
                kept.unlink(missing_ok=True)


def _keep(target: Path) -> Path | None:
    """A hard link to the file at `target` (to restore it), or None when there is none or links are not possible."""
    if not target.exists():
        return None
    link = target.parent / f"{TEMP_PREFIX}{os.getpid()}-kvar-{os.urandom(4).hex()}{target.suffix}"
    try:
        os.link(target, link)
    except OSError:
        return None
    return link


@contextmanager
def _locked(folder: Path):
    """An exclusive lock on `folder` (flock on the folder itself: no lock file is left behind) while the block runs;
    another run committing into the same folder waits."""
    if fcntl is None:
        yield
        return
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def remove_stale(folder: Path) -> list[Path]:
    """Removes the temporary files that runs no longer alive left in `folder` (killed before they could clean up);
    returns them. Files of this process and of live processes are left alone."""
    removed = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        match = _OURS.match(name)
        if match is None or _alive(int(match.group(1))):
            continue
        path = Path(folder) / name
        try:
            if path.is_file() and not path.is_symlink():
                path.unlink()
                removed.append(path)
        except OSError:
            pass
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError, OSError):
        return True  # someone else's process, or a number we cannot test: leave its files alone
    return True


def _umask() -> int:
    """The process's umask (reading it means setting it; it is put straight back)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
