"""Hand-computed cases for conventions the oracle does not vary: depreciation start, interest timing,
scheduled medfinansiering, spend after driftsättning, land."""

from __future__ import annotations

import shutil

import pytest

from conftest import MODELS_DIR, build_plan
from invest.engine.calculation import calculate
from invest.params.parameters import Models
from invest.excel.reader import read_plan


def _models(tmp_path, **changes) -> Models:
    directory = tmp_path / "models"
    shutil.copytree(MODELS_DIR, directory)
    for name, (old, new) in changes.items():
        f = directory / "konventioner" / f"{name}.yaml"
        f.write_text(f.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return Models.load(directory).with_flat_rate(0.02)


def _rows(tmp_path, models, obj, **sheets):
    path = build_plan(tmp_path / "p.xlsx", [obj], years=range(2026, 2031), outturn_year=None, **sheets)
    df = calculate(read_plan(path, models), models).per_object
    return {r["ar"]: r for r in df.iter_rows(named=True)}


IT = {"id": "IT", "tillgangsklass": "it", "driftsattning": "2026-11", "utgifter": {2026: 480}}


@pytest.mark.parametrize("start,expected_2026,expected_2027", [
    ("samma_manad", 480 / 48 * 2, 120),  # Nov + Dec
    ("nasta_manad", 480 / 48 * 1, 120),  # Dec
    ("nasta_ar", 0, 120),
])
def test_depreciation_start(tmp_path, start, expected_2026, expected_2027):
    rows = _rows(tmp_path, _models(tmp_path, avskrivningsstart=("samma_manad", start)), IT)
    assert rows[2026]["avskrivning"] == pytest.approx(expected_2026)
    assert rows[2027]["avskrivning"] == pytest.approx(expected_2027)
    assert sum(r["avskrivning"] for r in rows.values()) == pytest.approx(480)


def test_interest_on_opening_capital(tmp_path):
    rows = _rows(tmp_path, _models(tmp_path, rantetidpunkt=("varde: genomsnitt", "varde: ingaende")), IT)
    assert rows[2026]["ranta"] == 0
    assert rows[2027]["ranta"] == pytest.approx(0.02 * (480 - 20))


def test_spend_after_driftsattning_is_its_own_tranche(tmp_path, models):
    obj = {"id": "B", "tillgangsklass": "kollektivtrafik", "driftsattning": "2026-03", "utgifter": {2026: 300, 2028: 300}}
    rows = _rows(tmp_path, models.with_flat_rate(0.02), obj)
    assert rows[2026]["avskrivning"] == pytest.approx(300 / 300 * 10)  # March–December
    assert rows[2028]["pagaende"] == 0  # activated 1 July 2028
    assert rows[2028]["avskrivning"] == pytest.approx(12 + 300 / 300 * 6)


def test_scheduled_medfinansiering(tmp_path, models):
    obj = {"id": "M", "tillgangsklass": "kollektivtrafik", "driftsattning": "2028-01", "medfinansiering": 500,
           "utgifter": {2026: 500, 2027: 500}}
    cofinancing = [{"id": "M", "part": "Staten", "belopp": 300, "ar": 2026}, {"id": "M", "part": "Kommunen", "belopp": 200}]
    rows = _rows(tmp_path, models.with_flat_rate(0.02), obj, cofinancing=cofinancing)
    assert rows[2026]["medfinansiering_mottagen"] == pytest.approx(300 + 100)
    assert rows[2027]["medfinansiering_mottagen"] == pytest.approx(100)
    assert rows[2028]["intaktsford_medfinansiering"] == pytest.approx(1000 / 25 * 0.5)


def test_land_is_not_depreciated_and_keeps_its_interest(tmp_path, models):
    obj = {"id": "L", "tillgangsklass": "mark", "driftsattning": "2026", "utgifter": {2026: 100}}
    rows = _rows(tmp_path, models.with_flat_rate(0.02), obj)
    assert all(r["avskrivning"] == 0 for r in rows.values())
    assert rows[2030]["bokfort_varde"] == 100 and rows[2030]["ranta"] == pytest.approx(2.0)
