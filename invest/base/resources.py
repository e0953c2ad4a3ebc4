"""Where the project's default plan and models live, and how a plan argument becomes one workbook."""

from __future__ import annotations

from pathlib import Path

from invest.base.findings import InputError, error

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_PLAN_DIR = PROJECT_ROOT / "data" / "investeringsplan"
DEFAULT_MODELS_DIR = PROJECT_ROOT / "models"
DEFAULT_PLAN_NAME = "investeringsplan.xlsx"


def resolve_plan(path: Path | None) -> Path:
    """A workbook path; a directory means the one plan in it (`investeringsplan.xlsx` if there are several)."""
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
