"""berakningsmodell.md §7: the reference object R1, exactly, through the workbook and the CLI."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import yaml
from click.testing import CliRunner

from invest.cli import main

CASE = yaml.safe_load((Path(__file__).parent / "cases" / "r1.yaml").read_text(encoding="utf-8"))
COLUMNS = ["avskrivning", "intaktsford_medfinansiering", "pagaende", "bokfort_varde", "medfinansieringsskuld",
           "bundet_kapital", "ranta", "kapitalkostnad"]


def _rows(plan_file):
    obj = dict(CASE["objekt"], utgifter={int(k): v for k, v in CASE["objekt"]["utgifter"].items()})
    path = plan_file([obj], years=range(2026, 2036), outturn_year=None)
    result = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv",
                                       "--ranta", str(CASE["ranta"])])
    assert result.exit_code == 0, result.output
    return {int(r["ar"]): r for r in csv.DictReader(io.StringIO(result.output))}


def test_r1_table_exactly(plan_file):
    rows = _rows(plan_file)
    for year, expected in CASE["forvantat"].items():
        for column, value in zip(COLUMNS, expected):
            assert abs(float(rows[year][column]) - value) <= CASE["tolerans"], (year, column, rows[year][column], value)


def test_r1_life_totals_and_span(plan_file):
    rows = _rows(plan_file)
    assert min(rows) == 2026 and max(rows) == 2053
    for column, total in CASE["livstid"].items():
        assert abs(sum(float(r[column]) for r in rows.values()) - total) <= CASE["tolerans"]
