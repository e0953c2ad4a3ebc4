"""The program as a user installs it: the wheel, in a fresh virtual environment, run from an unrelated folder.

Slow (it builds the wheel and installs it with its dependencies); CI runs it. `pytest -m "not slow"` skips it."""

from __future__ import annotations

import os
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.slow


def _run(args, cwd, **kw):
    done = subprocess.run(args, cwd=cwd, capture_output=True, text=True, preexec_fn=lambda: os.umask(0o022), **kw)
    assert done.returncode == 0, f"{args}: {done.returncode}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(wheel, python and invest of a fresh virtual environment with the wheel installed)."""
    base = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(base / "dist"),
          str(ROOT)], cwd=base)
    wheel = next((base / "dist").glob("invest-*.whl"))
    env_dir = base / "venv"
    venv.EnvBuilder(with_pip=True).create(env_dir)
    _run([str(env_dir / "bin" / "python"), "-m", "pip", "install", "-q", str(wheel)], cwd=base)
    return wheel, env_dir / "bin" / "python", env_dir / "bin" / "invest"


def test_wheel_holds_one_package_with_its_models_and_default_plan(installed):
    wheel = installed[0]
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"invest", wheel.name.split("-py3")[0] + ".dist-info"}
    assert "invest/_data/investeringsplan/investeringsplan.xlsx" in names
    assert "invest/_data/models/ranta/internranta.yaml" in names
    assert not [n for n in names if n.startswith("invest/_data/") and n.endswith(".py")]  # no build script


def test_no_top_level_cli_module(installed):
    python = installed[1]
    done = _run([str(python), "-c", "import importlib.util, invest, sys; "
                 "print(importlib.util.find_spec('cli') is None, invest.__file__)"], cwd=installed[0].parent)
    absent, where = done.stdout.split()
    assert absent == "True"
    assert "site-packages" in where  # the installed copy, not the checkout


def _machine_paths(tmp: Path, python: Path) -> list[str]:
    site = subprocess.run([str(python), "-c", "import invest, pathlib; print(pathlib.Path(invest.__file__).parent)"],
                          capture_output=True, text=True).stdout.strip()
    return [str(tmp), site, str(ROOT), "site-packages", str(Path.home()) + "/"]


def _contents(path: Path) -> bytes:
    if path.suffix == ".xlsx":
        with zipfile.ZipFile(path) as z:
            return b"".join(z.read(n) for n in z.namelist())
    return path.read_bytes()


def test_report_and_template_from_an_unrelated_folder(installed, tmp_path):
    _, python, invest = installed
    work = tmp_path / "planerare"
    work.mkdir()
    report = _run([str(invest), "rapport"], cwd=work)
    assert "Kapitalkostnader mot riktvärdet" in report.stdout
    _run([str(invest), "mall"], cwd=work)  # into reports/ too: -o/--utdata is the same folder in every command
    written = sorted((work / "reports").iterdir())
    assert {p.name for p in written} == {"investeringsplan_kapitalkostnader.xlsx", "investeringsplan_rapport.pdf",
                                         "investeringsplan_andel.png", "investeringsplan_kapitalkostnader.png",
                                         "investeringsplan_investeringar.png", "investeringsplan_skuld.png",
                                         "investeringsplan_sammanfattning.txt", "investeringsplan_mall.xlsx"}
    for path in written:
        assert path.stat().st_mode & 0o777 == 0o644, f"{path.name}: {oct(path.stat().st_mode & 0o777)}"
        text = _contents(path)
        for machine_path in _machine_paths(tmp_path, python):
            assert machine_path.encode() not in text, f"{path.name} names {machine_path}"


def test_installed_program_computes_what_the_checkout_computes(installed, tmp_path):
    """The bundled plan and models are the repository's: the same figures, byte for byte."""
    invest = installed[2]
    from_wheel = _run([str(invest), "berakna", "--format", "csv"], cwd=tmp_path).stdout
    from_checkout = _run([sys.executable, "-m", "invest.cli", "berakna", "--format", "csv"], cwd=ROOT).stdout
    assert from_wheel == from_checkout and from_wheel.count("\n") > 10
