"""The header as a band: field labels above the years or below them, merged over rows and columns; the nämnd named
only in the title; a per-object "varav medfinansiering" column; the words planners use; and `--forklara`, which
says how each column and row was read."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import MODELS_DIR
from invest.cli import main
from invest.excel.reader import read_plan
from invest.params.parameters import Models

ROWS = [  # mnkr: name, driftsättning, tillgångsklass, varav medfinansiering, 2026, 2027, 2028, 2029–2035, totalt
    ["Depå Rissne", "2029-06", "Kollektivtrafik", 120, 100, 250, 300, 350, 1000],
    ["Signalsystem Röda linjen", "2032", "Kollektivtrafik", None, 40, 60, 80, 820, 1000],
    ["Nya bussar", "löpande", "Fordon", None, 55.5, 60, 60, 420, 595.5],
]


@pytest.fixture(scope="module")
def models():
    return Models.load(MODELS_DIR)


def labels_above_years(path):
    """Title names the nämnd only; "Objekt", "Idrifttagande", "Typ av tillgång" and "Varav medfinansiering" merged
    over two rows; "Budget" over 2026 and "Plan" merged over 2027, 2028 and 2029–2035 in the row above the years."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Blad1"
    ws.append(["Trafiknämndens investeringsutrymme 2026–2035"])
    ws.append(["Belopp i mnkr"])
    ws.append(["Objekt", "Idrifttagande", "Typ av tillgång", "Varav medfinansiering", "Budget", "Plan", None, None,
               "Totalt"])
    ws.append([None, None, None, None, 2026, 2027, 2028, "2029–2035", "2026–2035"])
    for c in "ABCD":
        ws.merge_cells(f"{c}3:{c}4")
    ws.merge_cells("F3:H3")
    for row in ROWS:
        ws.append(row)
    ws.append(["Summa", None, None, 120, *(sum(r[k] for r in ROWS) for k in range(4, 9))])
    wb.save(path)
    return path


def years_above_labels(path):
    """The years in the upper row, the labels below them; the table starts in C4 with a note beside it."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Investeringar"
    ws["C1"] = "Akutsjukhusnämnden – investeringsplan (tkr)"
    ws.append([])
    ws.append([])
    ws.append([None, None, None, None, None, None, "2026", "2027", "2028", "2029–2035"])
    ws.append([None, None, "Investeringsobjekt", "Klart år", "Typ av tillgång", "Medfinansiering", "Budget", "Plan",
               "Plan", "Plan", None, "Uppgifterna är preliminära"])
    for row in ROWS:
        ws.append([None, None, row[0], row[1], row[2], row[3] * 1000 if row[3] else None,
                   *(f"{x * 1000:,.0f}".replace(",", "\u00a0") for x in row[4:8])])
    wb.save(path)
    return path


def _yearly(path) -> dict[int, dict[str, float]]:
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv"])
    assert result.exit_code == 0, result.output
    return {int(r["ar"]): {k: float(r[k]) for k in ("investeringar", "medfinansiering_mottagen")}
            for r in csv.DictReader(io.StringIO(result.stdout))}


@pytest.mark.parametrize("build", [labels_above_years, years_above_labels])
def test_the_band_is_read_whichever_row_holds_the_labels(tmp_path, models, build):
    path = build(tmp_path / "plan.xlsx")
    plan = read_plan(path, models)
    objects = {o.namn: o for o in plan.objects}
    assert sorted(objects) == sorted(r[0] for r in ROWS)
    depa = objects["Depå Rissne"]
    assert dict(depa.utgifter)[2026] == pytest.approx(100) and dict(depa.utgifter)[2033] == pytest.approx(50)
    assert str(depa.driftsattning) == "2029-06" and depa.tillgangsklass == "kollektivtrafik"
    assert depa.total_medfinansiering == pytest.approx(120)  # the column, not ignored
    assert objects["Nya bussar"].driftsattning.lopande and objects["Nya bussar"].tillgangsklass == "fordon"
    expected = "Trafiknämnden" if build is labels_above_years else "Akutsjukhusnämnden"
    assert {o.organisation for o in plan.objects} == {expected}  # named only in the title
    yearly = _yearly(path)
    for k, year in enumerate((2026, 2027, 2028)):
        assert yearly[year]["investeringar"] == pytest.approx(sum(r[4 + k] for r in ROWS), abs=0.05)
    period = sum(yearly[y]["investeringar"] for y in range(2029, 2036))
    assert period == pytest.approx(sum(r[7] for r in ROWS), abs=0.05)
    assert sum(y["medfinansiering_mottagen"] for y in yearly.values()) == pytest.approx(120, abs=0.05)


def test_a_second_organisation_source_is_named_in_the_warning(tmp_path, models):
    plan = read_plan(labels_above_years(tmp_path / "plan.xlsx"), models)
    assert any('organisation saknas; satt till "Trafiknämnden" (titeln på rad 1)' in str(w) for w in plan.warnings)


def test_forklara_names_each_columns_reading_and_each_row(tmp_path):
    path = labels_above_years(tmp_path / "plan.xlsx")
    result = CliRunner().invoke(main, ["importera", str(path), "-o", str(tmp_path / "ut"), "--forklara",
                                       "--format", "json"])
    assert result.exit_code == 0, result.output
    sheet = json.loads(result.stdout)["forklaring"][0]
    assert sheet["rubrikomrade"] == {"fran_rad": 3, "till_rad": 4, "arsrad": 4}
    assert sheet["enhet"] == "mnkr" and "Belopp i mnkr" in sheet["enhet_fran"]
    uses = {c["kolumn"]: c["lases_som"] for c in sheet["kolumner"]}
    assert uses == {"A": "fältet namn", "B": "fältet driftsattning", "C": "fältet tillgangsklass",
                    "D": "fältet medfinansiering", "E": "år 2026", "F": "år 2027", "G": "år 2028",
                    "H": "period 2029–2035 (fördelas jämnt över åren)",
                    "I": "kontrollsumma 2026–2035 (läses inte in, jämförs med raden)"}
    assert [r["typ"] for r in sheet["rader"]] == ["objekt", "objekt", "objekt", "summarad"]
    assert any("organisation saknas" in d["vad"] for d in sheet["standardvarden"])
    text = CliRunner().invoke(main, ["importera", str(path), "-o", str(tmp_path / "ut2"), "--forklara"])
    assert 'H   "Plan / 2029–2035"' in text.stdout and "Rubrikområde: rad 3–4" in text.stdout


def test_forklara_explains_a_sheet_that_fails(tmp_path):
    """The explanation is there when import goes wrong — that is when the planner needs it."""
    path = labels_above_years(tmp_path / "plan.xlsx")
    wb = openpyxl.load_workbook(path)
    wb.active["E5"] = "ett hundra"
    wb.save(path)
    result = CliRunner().invoke(main, ["importera", str(path), "-o", str(tmp_path / "ut"), "--forklara"])
    assert result.exit_code == 2
    assert "Rubrikområde: rad 3–4" in result.stdout and "E5" in result.stderr


def test_a_kategori_column_with_the_rows_wording_is_their_label(tmp_path, models):
    """The budget prints its rows under "Kategori" ("Nyinvesteringar <100 mkr"): words, not categories, so the
    column is the rows' label — not an unlabelled sum row each."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Tabell 34. Hälso- och sjukvårdsnämndens investeringsutrymme"])
    ws.append(["Kategori", "2026", "2027", "2028", "2029–2035", "Totalt 2026–2035"])
    ws.append(["Nyinvesteringar <100 mkr", 5, 6, 7, 8, 26])
    ws.append(["Ersättningsinvesteringar <100 mkr", 1, 2, 3, 4, 10])
    ws.append(["Summa", 6, 8, 10, 12, 36])
    wb.save(tmp_path / "k.xlsx")
    plan = read_plan(tmp_path / "k.xlsx", models)
    assert [o.namn for o in plan.objects] == ["Nyinvesteringar <100 mkr", "Ersättningsinvesteringar <100 mkr"]
    assert {o.organisation for o in plan.objects} == {"Hälso- och sjukvårdsnämnden"}
    assert [o.kategori for o in plan.objects] == ["pott", "pott"]  # from the wording, a default with a warning
