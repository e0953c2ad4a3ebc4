"""Property tests over random plans (docs/berakningsmodell.md §6): the engine equals an independent month-by-month
oracle, and the accounting identities hold for every object and year. The plans are records (tests/strategies.py)
given to the engine; one property goes through a workbook and `invest berakna --per-objekt`."""

from __future__ import annotations

import csv
import io
import random

import numpy as np
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from invest.cli import main
from invest.engine.calculation import calculate
from invest.excel.template import plan_to_workbook
from invest.params.parameters import Models
from invest.plan.records import InvestmentObject
from oracle import object_schedule
from strategies import as_plan, objects as random_objects

FLAT = 0.025
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=60, deadline=None)


@pytest.fixture(scope="module")
def flat_models(models) -> Models:
    return models.with_flat_rate(FLAT)


def _components(obj: InvestmentObject, models: Models) -> list[tuple[float, float]]:
    if obj.komponenter:
        return [(c.share, c.life) for c in obj.komponenter]
    return [(s, life) for _, s, life in models.asset_class_at(obj.tillgangsklass, 2026)]


def _expected(obj: InvestmentObject, models: Models, horizon: int) -> dict:
    d = obj.driftsattning
    drift = None if d.lopande else (d.year, d.month)
    return object_schedule(dict(obj.utgifter), drift, _components(obj, models), obj.total_medfinansiering, FLAT, horizon,
                           lag=d.lag, bidrag=obj.tillgangsklass in models.conventions(2026).bidragsklasser)


@SLOW
@given(objects=random_objects())
def test_cli_per_object_csv_matches_oracle(tmp_path, models, objects):
    """The one property that goes through a workbook and the CLI: the plan written in the template format, read back
    by `invest berakna --per-objekt` and printed as CSV, equals the oracle."""
    path = tmp_path / "plan.xlsx"
    plan_to_workbook(as_plan(objects), path, asset_classes=())
    result = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv", "--ranta", str(FLAT)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    by_key = {(r["id"], int(r["ar"])): r for r in rows}
    horizon = max(int(r["ar"]) for r in rows)
    for obj in objects:
        expected = _expected(obj, models, horizon)
        got_years = sorted(y for (i, y) in by_key if i == obj.id)
        assert got_years[0] == min(expected)  # the first spend, or an earlier decision on a bidrag
        for year, values in expected.items():
            row = by_key.get((obj.id, year))
            if row is None:  # after the object's last non-zero year every value must be zero
                assert year > got_years[-1] and all(abs(v) < 1e-6 for v in values.values()), (obj.id, year, values)
                continue
            for column, value in values.items():
                assert abs(float(row[column]) - value) <= 1e-6, (obj.id, year, column, row[column], value)


@FAST
@given(objects=random_objects())
def test_identities(flat_models, objects):
    calc = calculate(as_plan(objects), flat_models, until_year=2120)
    g = calc.grid
    # PA + bokfört värde − bidragsskuld = Σ utgifter hittills − Σ avskrivningar hittills, per object and year
    np.testing.assert_allclose(g.pagaende + g.book_value - g.commitment,
                               np.cumsum(g.spend, 1) - np.cumsum(g.depreciation, 1), atol=1e-6)
    assert (g.commitment > -1e-9).all()
    assert g.ids == tuple(o.id for o in objects)
    for i, obj in enumerate(objects):
        depreciable = sum(s for s, life in _components(obj, flat_models) if round(life * 12) > 0)
        total = obj.total_spend
        medfin = obj.total_medfinansiering
        # Σ avskrivningar over life = Σ utgifter (less land); Σ release = M (less its land share)
        assert abs(g.depreciation[i].sum() - total * depreciable) < 1e-6 * max(1, total)
        assert abs(g.release[i].sum() - medfin * depreciable) < 1e-6 * max(1, total)
        assert abs(g.received[i].sum() - medfin) < 1e-6 * max(1, total)
        assert (g.pagaende[i] > -1e-6).all() and (g.book_value[i] > -1e-6).all()
        if not calc.arrays.bidrag[i]:  # a bidrag dissolves from its decision: co-financing paid later is owed to it
            assert (g.liability[i] > -1e-6).all()
    # region table without Region sheet: räntekostnader are the objects' interest on bundet kapital
    t = calc.region.table
    assert np.allclose(t["rantekostnader"].to_numpy(), t["objektens_ranta"].to_numpy())


@SLOW
@given(objects=random_objects())
def test_chunks_on_threads_equal_one_pass(flat_models, objects, monkeypatch):
    """The engine computes a few objects at a time, chunks side by side on threads: with a chunk of one object, or a
    few, on four threads every figure is bit for bit what one chunk on one thread gives, and each object's figures
    are the oracle's. Whether a chunk's running totals go a year at a time or by np.cumsum, and whether a life's end
    steps are shifted over all objects of a chunk or gathered for those with it, the figures are the same."""
    from invest.engine import object_grid, tranches

    plan = as_plan(objects)
    whole = calculate(plan, flat_models, until_year=2120).per_object.sort("id", "ar")
    by_year_and_gathered = 0  # objects from which a chunk's totals go a year at a time and its lives are gathered
    for cells, threads, wide in ((1, 4, 64), (3 * 100, 4, by_year_and_gathered), (7 * 100, 2, 64),
                                 (10 ** 6, 1, by_year_and_gathered)):
        with monkeypatch.context() as patch:  # undone before the next example's `whole`
            patch.setattr(object_grid, "CHUNK_CELLS", cells)
            patch.setattr(object_grid, "ENGINE_THREADS", threads)
            patch.setattr(object_grid, "usable_cores", lambda: threads)
            patch.setattr(object_grid, "LOOP_FROM_OBJECTS", wide)
            patch.setattr(tranches, "GATHER_FROM_OBJECTS", wide)
            patch.setattr(tranches, "GATHER_SHARE", 1.0 if wide == by_year_and_gathered else 1 / 8)
            parts = calculate(plan, flat_models, until_year=2120).per_object.sort("id", "ar")
        assert parts.equals(whole), (cells, threads, wide)
    horizon = int(whole["ar"].max())
    for obj in objects:
        rows = {r["ar"]: r for r in whole.filter(whole["id"] == obj.id).iter_rows(named=True)}
        for year, values in _expected(obj, flat_models, horizon).items():
            for column, value in values.items():
                assert abs(rows.get(year, {}).get(column, 0.0) - value) <= 1e-6, (obj.id, year, column)


@FAST
@given(objects=random_objects(), seed=...)
def test_results_independent_of_object_order(flat_models, objects, seed: int):
    shuffled = objects[:]
    random.Random(seed).shuffle(shuffled)
    a = calculate(as_plan(objects), flat_models, until_year=2120)
    b = calculate(as_plan(shuffled), flat_models, until_year=2120)
    per_a, per_b = a.per_object.sort("id", "ar"), b.per_object.sort("id", "ar")
    assert per_a.select("id", "ar").equals(per_b.select("id", "ar"))
    np.testing.assert_allclose(per_a.drop("id").to_numpy(), per_b.drop("id").to_numpy(), rtol=1e-5, atol=1e-8)
    assert np.allclose(a.region.table["kapitalkostnader"].to_numpy(), b.region.table["kapitalkostnader"].to_numpy())
