"""docs/berakningsmodell.md §7: the reference object R1, exactly, on the engine."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from inmemory import make_plan
from invest.engine.calculation import calculate

CASE = yaml.safe_load((Path(__file__).parent / "cases" / "r1.yaml").read_text(encoding="utf-8"))
COLUMNS = ["avskrivning", "intaktsford_medfinansiering", "pagaende", "bokfort_varde", "medfinansieringsskuld",
           "bundet_kapital", "ranta", "kapitalkostnad"]


@pytest.fixture(scope="module")
def rows(models):
    obj = dict(CASE["objekt"], utgifter={int(k): v for k, v in CASE["objekt"]["utgifter"].items()})
    plan = make_plan([obj], years=range(2026, 2036), outturn_year=None)
    per_object = calculate(plan, models.with_flat_rate(CASE["ranta"])).per_object
    assert set(per_object["id"]) == {"R1"}
    return {r["ar"]: r for r in per_object.iter_rows(named=True)}


def test_r1_table_exactly(rows):
    for year, expected in CASE["forvantat"].items():
        for column, value in zip(COLUMNS, expected, strict=True):
            assert abs(rows[year][column] - value) <= CASE["tolerans"], (year, column, rows[year][column], value)


def test_r1_life_totals_and_span(rows):
    assert min(rows) == 2026 and max(rows) == 2053
    for column, total in CASE["livstid"].items():
        assert abs(sum(r[column] for r in rows.values()) - total) <= CASE["tolerans"]
