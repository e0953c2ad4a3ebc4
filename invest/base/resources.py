"""Where the bundled models/ and default plan live (inside the installed package, or the repository's top level),
and how a plan argument becomes one workbook."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from invest.base.findings import InputError, error

# In a wheel the build copies models/ and data/investeringsplan/ to invest/_data/ (see setup.py); in a source
# checkout (editable install, tests) they are read where the repository keeps them.
_REPOSITORY = Path(__file__).resolve().parents[2]
_IN_REPOSITORY = {"models": _REPOSITORY / "models", "investeringsplan": _REPOSITORY / "data" / "investeringsplan",
                  "riktlinjer": _REPOSITORY / "data" / "riktlinjer"}
DEFAULT_PLAN_NAME = "investeringsplan.xlsx"


def bundled(name: str) -> Path:
    """The directory `models`, `investeringsplan` or `riktlinjer` (the guideline presets) shipped with the program."""
    packaged = resources.files("invest").joinpath("_data", name)
    if packaged.is_dir():
        return Path(str(packaged))
    return _IN_REPOSITORY[name]


DEFAULT_MODELS_DIR = bundled("models")
DEFAULT_PLAN_DIR = bundled("investeringsplan")
PRESETS_DIR = bundled("riktlinjer")  # one folder of guideline rules per preset, e.g. kommun/


def resolve_plan(path: Path | None) -> Path:
    """A workbook path; a directory means the one plan in it (`investeringsplan.xlsx` if there are several);
    no path means the default plan."""
    path = Path(path) if path else DEFAULT_PLAN_DIR
    if not path.is_dir():
        return path
    books = sorted(p for p in path.glob("*.xlsx") if not p.name.startswith(("~$", ".")))
    if len(books) == 1:
        return books[0]
    if (path / DEFAULT_PLAN_NAME).exists():
        return path / DEFAULT_PLAN_NAME
    found = ", ".join(p.name for p in books) or "inga .xlsx-filer"
    raise InputError([error(str(path), f"katalogen ska innehålla en plan (.xlsx) eller {DEFAULT_PLAN_NAME}; hittade: {found}")])
