"""A report set is whole: a run that fails or is killed leaves the folder's earlier set as it was, two runs into one
folder never mix their files, the files honour the user's umask, what a killed run left behind is removed by the
next one, and the system's refusals (size limit, a folder where a file should be, a file where a folder should be)
are Swedish messages naming the user's path. Every run is a real `invest rapport` in a child process."""

from __future__ import annotations

import fcntl
import os
import resource
import signal
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT

STEM = "investeringsplan"
CODE = "import sys; sys.argv = ['invest', *sys.argv[1:]]; from invest.cli import main; main()"


def start(args, umask=None, file_size=None) -> subprocess.Popen:
    def limits():
        if umask is not None:
            os.umask(umask)
        if file_size is not None:
            resource.setrlimit(resource.RLIMIT_FSIZE, (file_size, file_size))
    return subprocess.Popen([sys.executable, "-c", CODE, *map(str, args)], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, preexec_fn=limits)


def rapport(folder: Path, *more, plan: Path | None = None, **limits) -> subprocess.CompletedProcess:
    child = start(["rapport", *([plan] if plan else []), "-o", folder, *more], **limits)
    out, err = child.communicate(timeout=120)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def rate_in_workbook(path: Path) -> str:
    """The flat rate on the workbook's summary sheet as the summary text writes it ("2,00")."""
    sheet = openpyxl.load_workbook(path, read_only=True)["Sammanfattning"]
    rate = next(row[1] for row in sheet.iter_rows(values_only=True) if row and row[0] == "Ränta")
    return f"{rate * 100:.2f}".replace(".", ",")


def rate_in_summary(path: Path) -> str:
    return next(line for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("Ränta:"))


@pytest.fixture(scope="module")
def earlier(tmp_path_factory) -> Path:
    """A folder holding a complete earlier report set."""
    folder = tmp_path_factory.mktemp("tidigare")
    done = rapport(folder)
    assert done.returncode == 0, done.stderr
    return folder


def copy_of(folder: Path, tmp_path: Path) -> Path:
    target = tmp_path / "rapport"
    target.mkdir()
    for name, data in snapshot(folder).items():
        (target / name).write_bytes(data)
    return target


def test_a_run_failing_at_its_last_file_leaves_the_earlier_set_as_it_was(earlier, tmp_path):
    """The summary, written last, cannot be written (a folder stands where it goes): the run fails after the
    workbook, the charts and the PDF were made, names the summary in Swedish, and every earlier file is as it was —
    no new workbook beside old charts."""
    folder = copy_of(earlier, tmp_path)
    summary = folder / f"{STEM}_sammanfattning.txt"
    summary.unlink()
    summary.mkdir()
    before = snapshot_files(folder)
    done = rapport(folder, "--skriv-over")
    assert done.returncode == 2, done.stderr
    assert f"{summary}: fel: är en katalog, inte en fil" in done.stderr, done.stderr
    assert snapshot_files(folder) == before


def test_a_size_limit_is_named_in_swedish_and_changes_nothing(earlier, tmp_path):
    """A file-size limit smaller than the workbook: the message names the user's file (not a temporary one) and the
    earlier set is untouched."""
    folder = copy_of(earlier, tmp_path)
    before = snapshot(folder)
    done = rapport(folder, "--skriv-over", file_size=150_000)
    assert done.returncode == 2, done.stderr
    assert f"{folder / STEM}_kapitalkostnader.xlsx: fel: kan inte skrivas: filen blir större än systemet tillåter" \
        in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and TEMP not in done.stderr
    assert snapshot(folder) == before


def snapshot_files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


TEMP = ".invest-"


@pytest.mark.parametrize("umask", [0o027, 0o002])
def test_files_honour_the_umask(tmp_path, umask):
    done = rapport(tmp_path / "ut", umask=umask)
    assert done.returncode == 0, done.stderr
    modes = {p.name: p.stat().st_mode & 0o777 for p in (tmp_path / "ut").iterdir()}
    assert len(modes) == 7 and set(modes.values()) == {0o666 & ~umask}, modes


def test_a_killed_run_leaves_a_whole_set_and_the_next_run_cleans_up(earlier, tmp_path):
    """Killed (SIGKILL) at several moments while it writes: every file in the folder is either all the earlier set
    or all the new one, nothing is truncated, no worker process it started lives on; the temporary files it left
    are removed by the next run."""
    folder = copy_of(earlier, tmp_path)
    before = snapshot(folder)
    left_behind = 0
    for delay in (0.8, 1.6, 2.4, 3.2):
        child = start(["rapport", "-o", folder, "--skriv-over", "--ranta", "0,031"])
        time.sleep(delay)
        child.send_signal(signal.SIGKILL)
        child.communicate(timeout=30)  # returns once no process holds its pipes: no chart worker outlived it
        now = {k: v for k, v in snapshot(folder).items() if not k.startswith(TEMP)}
        left_behind += len(snapshot(folder)) - len(now)
        assert set(now) == set(before)
        changed = {k for k in now if now[k] != before[k]}
        assert not changed or rate_in_summary(folder / f"{STEM}_sammanfattning.txt").endswith("3,10 % (--ranta)")
        assert not changed or changed >= {f"{STEM}_kapitalkostnader.xlsx", f"{STEM}_sammanfattning.txt",
                                          f"{STEM}_rapport.pdf"}, changed
    assert left_behind, "no run was killed while writing: the test proves nothing about cleaning up"
    done = rapport(folder, "--skriv-over")
    assert done.returncode == 0, done.stderr
    assert not [p for p in folder.iterdir() if p.name.startswith(TEMP)]


def test_a_run_puts_its_set_in_place_only_under_the_folders_lock(earlier, tmp_path):
    """While another run holds the folder's lock (flock on the folder), a run that has written all its files waits:
    nothing in the folder changes; once the lock is released its whole set is in place — so two runs into one
    folder take turns and never mix their files."""
    folder = copy_of(earlier, tmp_path)
    before = snapshot(folder)
    fd = os.open(folder, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        child = start(["rapport", "-o", folder, "--skriv-over", "--ranta", "0,031"])
        deadline = time.monotonic() + 60
        while len([p for p in folder.iterdir() if p.name.startswith(TEMP)]) < len(before):
            assert child.poll() is None and time.monotonic() < deadline, "the run ended or stalled before waiting"
            time.sleep(0.1)
        time.sleep(0.5)
        assert {k: v for k, v in snapshot(folder).items() if not k.startswith(TEMP)} == before
    finally:
        os.close(fd)
    child.communicate(timeout=60)
    assert child.returncode == 0
    after = snapshot(folder)
    assert set(after) == set(before) and all(after[k] != before[k] for k in before if not k.endswith(".png"))
    shown = rate_in_summary(folder / f"{STEM}_sammanfattning.txt")
    assert shown.endswith("3,10 % (--ranta)") and f"platt {rate_in_workbook(folder / f'{STEM}_kapitalkostnader.xlsx')} %" in shown


def test_a_folder_where_the_report_would_go_is_named(tmp_path):
    (tmp_path / f"{STEM}_rapport.pdf").mkdir()
    done = rapport(tmp_path, "--skriv-over")
    assert done.returncode == 2
    assert f"{tmp_path / STEM}_rapport.pdf: fel: är en katalog, inte en fil" in done.stderr, done.stderr
    assert [p.name for p in tmp_path.iterdir()] == [f"{STEM}_rapport.pdf"]


def test_a_file_where_the_folder_should_be_is_named(tmp_path):
    (tmp_path / "fil").write_text("x")
    done = rapport(tmp_path / "fil" / "ut")
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert f"{tmp_path / 'fil' / 'ut'}: fel: en del av sökvägen är en fil, inte en katalog" in done.stderr, done.stderr


def test_files_of_an_earlier_report_this_one_does_not_write_are_removed_with_the_set(earlier, tmp_path):
    """The same plan without its Region sheet has no figures for the share and debt charts: reported into a folder
    holding the earlier report, those two charts go with the new set (with --skriv-over; without it the run is
    refused and the folder left as it was), so the folder holds one report, the one its summary lists."""
    plan = tmp_path / "plan" / f"{STEM}.xlsx"
    plan.parent.mkdir()
    book = openpyxl.load_workbook(ROOT / "data" / "investeringsplan" / f"{STEM}.xlsx")
    del book["Region"]
    book.save(plan)
    folder = copy_of(earlier, tmp_path)
    before = snapshot(folder)
    refused = rapport(folder, plan=plan)
    assert refused.returncode == 2 and "--skriv-over" in refused.stderr and snapshot(folder) == before
    done = rapport(folder, "--skriv-over", plan=plan)
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in folder.iterdir())
    assert f"{STEM}_andel.png" not in names and f"{STEM}_skuld.png" not in names, names
    listed = (folder / f"{STEM}_sammanfattning.txt").read_text(encoding="utf-8").split("Skrivet:")[1].split()
    assert sorted(listed) == names


@pytest.fixture
def small_disk(tmp_path):
    """A 300 KB file system (tmpfs), where mounting one is allowed (as root); skipped elsewhere."""
    disk = tmp_path / "liten"
    disk.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=300k", "tmpfs", str(disk)],
                      capture_output=True).returncode:
        pytest.skip("cannot mount a small file system here")
    yield disk
    subprocess.run(["umount", str(disk)], check=True)


def test_a_full_disk_is_said_in_swedish_without_a_traceback(small_disk):
    """The report does not fit: the message names the file and says the disk is full; nothing of Python's own
    (a traceback, an 'Exception ignored' from a library's zip file closed at exit) reaches the user, and the
    folder is left without any of the report's files or temporary files."""
    done = rapport(small_disk / "rapport")
    assert done.returncode == 2, done.stderr
    assert ": fel: kan inte skrivas: disken är full" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "Exception ignored" not in done.stderr, done.stderr
    assert not list((small_disk / "rapport").iterdir())
