"""Shared fixtures: the project's models/, and plans built as real workbooks inside the tests (tests/inmemory.py
builds the same plans as records, for the tests that call the engine directly)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from invest.params.parameters import Models  # noqa: E402
from invest.excel.template import write_plan_workbook  # noqa: E402

MODELS_DIR = ROOT / "models"


@pytest.fixture(scope="session")
def models() -> Models:
    return Models.load(MODELS_DIR)


def build_plan(path: Path, objects: list[dict], years=range(2026, 2031), outturn_year: int | None = 2025, **sheets) -> Path:
    """A template workbook; objects are dicts with template keys and `utgifter` {year: mnkr}."""
    write_plan_workbook(path, list(years), outturn_year, objects, **sheets)
    return path


@pytest.fixture
def plan_file(tmp_path):
    def make(objects, name="plan.xlsx", **kwargs):
        return build_plan(tmp_path / name, objects, **kwargs)
    return make
