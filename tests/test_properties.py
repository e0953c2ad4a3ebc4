"""Property tests over random plans (berakningsmodell.md §6): the engine equals an independent month-by-month
oracle, and the accounting identities hold for every object and year."""

from __future__ import annotations

import csv
import io
import random

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from invest.cli import main
from conftest import MODELS_DIR, build_plan
from invest.engine.calculation import calculate
from invest.params.parameters import Models
from invest.excel.reader import read_plan
from oracle import object_schedule
from strategies import component_rows, plans, template_rows

FLAT = 0.025
SLOW = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _write(tmp_path, objects, name="plan.xlsx"):
    outturn = [o for o in objects if min(o["utgifter"]) < 2026]
    objs = []
    for o in objects:  # spend before 2026 goes to the "t.o.m. 2025" column, as a planner's outturn
        early = {y: a for y, a in o["utgifter"].items() if y < 2026}
        late = {y: a for y, a in o["utgifter"].items() if y >= 2026}
        objs.append({**o, "utgifter": {**late, **({2025: sum(early.values())} if early else {})}})
    path = build_plan(tmp_path / name, template_rows(objs), years=range(2026, 2041),
                      outturn_year=2025 if outturn else None, components=component_rows(objs))
    return path, objs


def _expected(obj: dict, models: Models, horizon: int) -> dict:
    comps = obj["komponenter"] or [(s, life) for _, s, life in models.asset_class_at(obj["tillgangsklass"], 2026)]
    d = obj["driftsattning"]
    lopande = d.startswith("löpande")
    drift = None if lopande else (int(d[:4]), int(d[5:7]) if len(d) > 4 else None)
    lag = int(d.split("+")[1]) if lopande and "+" in d else 0
    return object_schedule(obj["utgifter"], drift, comps, obj["medfinansiering"] or 0.0, FLAT, horizon, lag=lag)


@SLOW
@given(objects=plans())
def test_cli_per_object_csv_matches_oracle(tmp_path, models, objects):
    path, objs = _write(tmp_path, objects)
    result = CliRunner().invoke(main, ["berakna", str(path), "--per-objekt", "--format", "csv", "--ranta", str(FLAT)])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.output)))
    by_key = {(r["id"], int(r["ar"])): r for r in rows}
    horizon = max(int(r["ar"]) for r in rows)
    for obj in objs:
        expected = _expected(obj, models, horizon)
        got_years = sorted(y for (i, y) in by_key if i == obj["id"])
        assert got_years[0] == min(obj["utgifter"])
        for year, values in expected.items():
            row = by_key.get((obj["id"], year))
            if row is None:  # after the object's last non-zero year every value must be zero
                assert year > got_years[-1] and all(abs(v) < 1e-6 for v in values.values()), (obj["id"], year, values)
                continue
            for column, value in values.items():
                assert abs(float(row[column]) - value) <= 1e-6, (obj["id"], year, column, row[column], value)


def _calc(tmp_path, objects, models, name="plan.xlsx"):
    path, objs = _write(tmp_path, objects, name)
    return calculate(read_plan(path, models), models, until_year=2120), objs


@FAST
@given(objects=plans())
def test_identities(tmp_path, objects):
    models = Models.load(MODELS_DIR).with_flat_rate(FLAT)
    calc, objs = _calc(tmp_path, objects, models)
    g = calc.grid
    # PA + bokfört värde = Σ utgifter hittills − Σ avskrivningar hittills, per object and year
    np.testing.assert_allclose(g.pagaende + g.book_value, np.cumsum(g.spend, 1) - np.cumsum(g.depreciation, 1), atol=1e-6)
    for i, obj in enumerate(objs):
        comps = obj["komponenter"] or [(s, life) for _, s, life in models.asset_class_at(obj["tillgangsklass"], 2026)]
        depreciable = sum(s for s, life in comps if round(life * 12) > 0)
        total = sum(obj["utgifter"].values())
        medfin = obj["medfinansiering"] or 0.0
        # Σ avskrivningar over life = Σ utgifter (less land); Σ release = M (less its land share)
        assert abs(g.depreciation[i].sum() - total * depreciable) < 1e-6 * max(1, total)
        assert abs(g.release[i].sum() - medfin * depreciable) < 1e-6 * max(1, total)
        assert abs(g.received[i].sum() - medfin) < 1e-6 * max(1, total)
        assert (g.pagaende[i] > -1e-6).all() and (g.book_value[i] > -1e-6).all() and (g.liability[i] > -1e-6).all()
    # region table without Region sheet: räntekostnader are the objects' interest on bundet kapital
    t = calc.region.table
    assert np.allclose(t["rantekostnader"].to_numpy(), t["objektens_ranta"].to_numpy())


@FAST
@given(objects=plans(), seed=...)
def test_results_independent_of_object_order(tmp_path, objects, seed: int):
    models = Models.load(MODELS_DIR).with_flat_rate(FLAT)
    shuffled = objects[:]
    random.Random(seed).shuffle(shuffled)
    a, _ = _calc(tmp_path, objects, models, "a.xlsx")
    b, _ = _calc(tmp_path, shuffled, models, "b.xlsx")
    assert a.per_object.sort("id", "ar").equals(b.per_object.sort("id", "ar")) or np.allclose(
        a.per_object.sort("id", "ar").drop("id").to_numpy(), b.per_object.sort("id", "ar").drop("id").to_numpy())
    assert np.allclose(a.region.table["kapitalkostnader"].to_numpy(), b.region.table["kapitalkostnader"].to_numpy())
