"""Hand-computed cases for conventions the oracle does not vary: depreciation start, interest timing,
scheduled medfinansiering, spend after driftsättning, land. On plans built in memory (tests/inmemory.py); the first
test checks that those are the records the reader gives for the same workbook."""

from __future__ import annotations

from dataclasses import fields, is_dataclass, replace

import pytest

from conftest import build_plan
from inmemory import make_plan, with_parameter
from invest.engine.calculation import calculate
from invest.excel.reader import read_plan


def _rows(models, obj, **sheets):
    df = calculate(make_plan([obj], years=range(2026, 2031), outturn_year=None, **sheets), models).per_object
    return {r["ar"]: r for r in df.iter_rows(named=True)}


def _without_sources(value):
    """Records with every `source` (file, sheet, row) blanked, for comparing what was read with what was built."""
    if isinstance(value, tuple):
        return tuple(_without_sources(v) for v in value)
    if is_dataclass(value):
        return replace(value, **{f.name: None if f.name == "source" else _without_sources(getattr(value, f.name))
                                 for f in fields(value)})
    return value


def _types(value):
    """The type of every field, recursively (an int where the reader gives a float is a different plan to numpy)."""
    if isinstance(value, tuple):
        return tuple(_types(v) for v in value)
    if is_dataclass(value):
        return tuple(_types(getattr(value, f.name)) for f in fields(value) if f.name != "source")
    return type(value).__name__


def test_plans_built_in_memory_are_what_the_reader_reads(tmp_path, models):
    """Every side sheet, defaults left to the reader (part, komponent, lag, region columns), mixed case, zero spend."""
    objects = [
        {"id": "A", "namn": "Depå", "organisation": "Trafiknämnden", "verksamhetsomrade": "Kollektivtrafik",
         "kategori": "beslutad", "investeringstyp": "ny", "skede": "genomförande", "tillgangsklass": "Kollektivtrafik",
         "driftsattning": "2028-07", "medfinansiering": 100, "utgifter": {2025: 100, 2026: 200, 2027: 300.5}},
        {"id": "B", "namn": "Vagnar", "organisation": "Trafiknämnden", "verksamhetsomrade": "Kollektivtrafik",
         "kategori": "planerad", "investeringstyp": "ny", "skede": "planering", "tillgangsklass": "fordon",
         "driftsattning": "2029", "beroenden": "A, C", "medfinansiering": 50, "utgifter": {2027: 100, 2028: 400}},
        {"id": "C", "namn": "It-pott", "organisation": "Regionstyrelsen", "verksamhetsomrade": "Övrig verksamhet",
         "kategori": "pott", "investeringstyp": "ersättning", "skede": "driftsatt", "tillgangsklass": "it",
         "driftsattning": "löpande +2", "utgifter": {2026: 10, 2027: 0, 2028: 10}},
        {"id": "D", "namn": "Sjukhus", "organisation": "Fastighetsnämnden", "verksamhetsomrade": "Fastigheter",
         "kategori": "beslutad", "investeringstyp": "ny", "skede": "genomförande", "tillgangsklass": "fastighet",
         "driftsattning": "löpande", "utgifter": {2029: 70}},
    ]
    sheets = dict(
        components=[{"id": "D", "komponent": "stomme", "andel": 0.6, "nyttjandeperiod": 50},
                    {"id": "D", "komponent": None, "andel": 0.4, "nyttjandeperiod": 2.5}],
        cofinancing=[{"id": "B", "part": "Staten", "belopp": 30, "ar": 2027}, {"id": "B", "part": None, "belopp": 20}],
        dependencies=[{"id": "B", "beror_pa": "A", "fordrojning_manader": 6}, {"id": "D", "beror_pa": "A"}],
        region=[{"ar": 2027, "totala_intakter": 1100, "resultat": 5},
                {"ar": 2026, "totala_intakter": 1000, "befintliga_avskrivningar": 20,
                 "befintlig_intaktsford_medfinansiering": 3, "ovriga_ej_likviditetspaverkande": 1, "rantekostnader": 12.5,
                 "likvida_medel": 40}],
        balance={"ingaende_rantebarande_skuld": 500, "genomsnittsranta_befintlig_skuld": 0.03,
                 "ingaende_materiella_anlaggningstillgangar": 900},
        existing=[{"tillgangsklass": "Kollektivtrafik", "bokfort_varde": 1000, "aterstaende_nyttjandeperiod": 12.5},
                  {"tillgangsklass": "mark", "bokfort_varde": 5000}],
    )
    read = read_plan(build_plan(tmp_path / "p.xlsx", objects, **sheets), models)
    built = make_plan(objects, **sheets)
    assert _without_sources(built.objects) == _without_sources(read.objects)
    assert _without_sources(built.region) == _without_sources(read.region)
    assert _types((built.objects, built.region)) == _types((read.objects, read.region))
    assert (built.plan_years, built.outturn_year, built.published) == (read.plan_years, read.outturn_year, read.published)


IT = {"id": "IT", "tillgangsklass": "it", "driftsattning": "2026-11", "utgifter": {2026: 480}}


@pytest.mark.parametrize("start,expected_2026,expected_2027", [
    ("samma_manad", 480 / 48 * 2, 120),  # Nov + Dec
    ("nasta_manad", 480 / 48 * 1, 120),  # Dec
    ("nasta_ar", 0, 120),
])
def test_depreciation_start(models, start, expected_2026, expected_2027):
    rows = _rows(with_parameter(models, "konventioner/avskrivningsstart", start).with_flat_rate(0.02), IT)
    assert rows[2026]["avskrivning"] == pytest.approx(expected_2026)
    assert rows[2027]["avskrivning"] == pytest.approx(expected_2027)
    assert sum(r["avskrivning"] for r in rows.values()) == pytest.approx(480)


def test_interest_on_opening_capital(models):
    rows = _rows(with_parameter(models, "konventioner/rantetidpunkt", "ingaende").with_flat_rate(0.02), IT)
    assert rows[2026]["ranta"] == 0
    assert rows[2027]["ranta"] == pytest.approx(0.02 * (480 - 20))


def test_spend_after_driftsattning_is_its_own_tranche(models):
    obj = {"id": "B", "tillgangsklass": "kollektivtrafik", "driftsattning": "2026-03", "utgifter": {2026: 300, 2028: 300}}
    rows = _rows(models.with_flat_rate(0.02), obj)
    assert rows[2026]["avskrivning"] == pytest.approx(300 / 300 * 10)  # March–December
    assert rows[2028]["pagaende"] == 0  # activated 1 July 2028
    assert rows[2028]["avskrivning"] == pytest.approx(12 + 300 / 300 * 6)


def test_bidrag_till_statlig_infrastruktur_is_recognised_at_its_decision(models):
    """LKBR: 250 mnkr decided in March 2026, paid 100 in 2026 and 150 in 2028, dissolved over 25 years from the month
    of the decision (10 mnkr a year, March 2026–February 2051) — also the part paid later. The unpaid part is a
    bidragsskuld without interest, never pågående arbete; the capital the region finances is paid − dissolved."""
    obj = {"id": "S", "tillgangsklass": "bidrag_statlig_infrastruktur", "driftsattning": "2026-03",
           "utgifter": {2026: 100, 2028: 150}}
    rows = _rows(models.with_flat_rate(0.02), obj)
    assert [rows[y]["avskrivning"] for y in (2026, 2027, 2028)] == pytest.approx([10 * 10 / 12, 10, 10])
    assert [rows[y]["bidragsskuld"] for y in (2026, 2027, 2028)] == pytest.approx([150, 150, 0])
    assert all(rows[y]["pagaende"] == 0 for y in (2026, 2027, 2028))
    assert rows[2027]["bokfort_varde"] == pytest.approx(250 - 10 * 10 / 12 - 10)
    assert rows[2027]["bundet_kapital"] == pytest.approx(100 - 10 * 10 / 12 - 10)  # paid − dissolved
    assert rows[2027]["ranta"] == pytest.approx(0.02 * (rows[2026]["bundet_kapital"] + rows[2027]["bundet_kapital"]) / 2)
    assert sum(r["avskrivning"] for r in rows.values()) == pytest.approx(250)
    assert max(rows) == 2051 and rows[2051]["avskrivning"] == pytest.approx(10 * 2 / 12)


@pytest.mark.parametrize("drift, life, message", [
    ("löpande", None, "driftsättning ska vara datumet då bidraget beslutas"),
    ("2026-03", 30, "högst 25 år (LKBR), fick 30 år"),
])
def test_a_bidrag_needs_a_decision_date_and_at_most_25_years(models, drift, life, message):
    from invest.plan.checks import check_plan

    obj = {"id": "S", "tillgangsklass": "bidrag_statlig_infrastruktur", "driftsattning": drift, "utgifter": {2026: 100}}
    components = [{"id": "S", "komponent": "bidrag", "andel": 1, "nyttjandeperiod": life}] if life else []
    found = check_plan(make_plan([obj], years=range(2026, 2031), outturn_year=None, components=components), models)
    assert [f.message for f in found if message in f.message], [f.message for f in found]


def test_scheduled_medfinansiering(models):
    obj = {"id": "M", "tillgangsklass": "kollektivtrafik", "driftsattning": "2028-01", "medfinansiering": 500,
           "utgifter": {2026: 500, 2027: 500}}
    cofinancing = [{"id": "M", "part": "Staten", "belopp": 300, "ar": 2026}, {"id": "M", "part": "Kommunen", "belopp": 200}]
    rows = _rows(models.with_flat_rate(0.02), obj, cofinancing=cofinancing)
    assert rows[2026]["medfinansiering_mottagen"] == pytest.approx(300 + 100)
    assert rows[2027]["medfinansiering_mottagen"] == pytest.approx(100)
    assert rows[2028]["intaktsford_medfinansiering"] == pytest.approx(1000 / 25 * 0.5)


def test_land_is_not_depreciated_and_keeps_its_interest(models):
    obj = {"id": "L", "tillgangsklass": "mark", "driftsattning": "2026", "utgifter": {2026: 100}}
    rows = _rows(models.with_flat_rate(0.02), obj)
    assert all(r["avskrivning"] == 0 for r in rows.values())
    assert rows[2030]["bokfort_varde"] == 100 and rows[2030]["ranta"] == pytest.approx(2.0)
