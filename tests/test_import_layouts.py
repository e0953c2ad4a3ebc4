"""Each layout planners send imports to the expected objects and amounts; sums, varav rows and total columns are
cross-checked; `invest mall` → filled → `invest importera` gives the same workbook back."""

from __future__ import annotations

import csv
import io
import json

import openpyxl
import pytest
from click.testing import CliRunner

from invest.cli import main
from conftest import MODELS_DIR
from invest.params.parameters import Models
from invest.excel.reader import read_plan
from invest.excel.mapping import load_mapping
from workbooks import (OBJECT_LIST_ROWS, OBJECT_LIST_SUM, OBJECT_LIST_VARAV, cache_formula_values, object_list_workbook,
                       utrymme_workbook)


@pytest.fixture(scope="module")
def models():
    return Models.load(MODELS_DIR)


def by_id(plan):
    return {o.id: o for o in plan.objects}


def yearly_investeringar(path, *args) -> dict[int, float]:
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv", *args])
    assert result.exit_code == 0, result.output
    return {int(r["ar"]): float(r["investeringar"]) for r in csv.DictReader(io.StringIO(result.stdout))}


def errors_of(path, *args) -> list[str]:
    result = CliRunner().invoke(main, ["berakna", str(path), "--format", "csv", *args])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    return [line for line in result.stderr.splitlines() if ": fel: " in line]


# Layout 1: the template itself -------------------------------------------------------------------------------

def test_mall_filled_importera_round_trip_is_identical(tmp_path, models):
    template = tmp_path / "investeringsplan_mall.xlsx"
    assert CliRunner().invoke(main, ["mall", "-o", str(tmp_path)]).exit_code == 0
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["Instruktioner", "Objekt"]
    ws = wb["Objekt"]
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    assert set(lists) == {"D", "E", "F", "G", "H"} and "kollektivtrafik" in lists["H"] and "pott" in lists["E"]
    header = [c.value for c in ws[1]]
    assert header[:11] == ["id", "namn", "organisation", "verksamhetsområde", "kategori", "investeringstyp", "skede",
                           "tillgångsklass", "driftsättning", "medfinansiering", "beroenden"]
    assert header[11:] == ["t.o.m. 2025"] + [str(y) for y in range(2026, 2036)]
    filled_rows = [
        ["D1", "Depå Högdalen", "Trafiknämnden", "Kollektivtrafik", "beslutad", "ny", "genomförande", "kollektivtrafik",
         "2028-06", 300, None, 800, 400, 300, 200] + [None] * 7,
        ["V1", "Vagnar C30", "Trafiknämnden", "Kollektivtrafik", "planerad", "ny", "planering", "kollektivtrafik",
         "2030", None, "D1", None, None, None, 500, 700, 900] + [None] * 5,
        ["IT", "It-pott", "Regionstyrelsen", "Övrig verksamhet", "pott", "ersättning", "driftsatt", "it", "löpande",
         None, None, None] + [12.5] * 10,
    ]
    for row in filled_rows:
        ws.append(row)
    filled = tmp_path / "ifylld.xlsx"
    wb.save(filled)
    out = tmp_path / "ifylld_plan.xlsx"
    result = CliRunner().invoke(main, ["importera", str(filled), "-o", str(tmp_path)])
    assert result.exit_code == 0, result.output
    back = openpyxl.load_workbook(out)["Objekt"]
    norm = lambda x: None if x in (None, "") else float(x) if isinstance(x, (int, float)) else x  # noqa: E731
    assert [[norm(c) for c in r] for r in back.iter_rows(values_only=True)] == \
           [[norm(c) for c in r] for r in openpyxl.load_workbook(filled)["Objekt"].iter_rows(values_only=True)]
    first, second = read_plan(filled, models), read_plan(out, models)
    assert [o.__class__(**{**o.__dict__, "source": None}) for o in first.objects] == \
           [o.__class__(**{**o.__dict__, "source": None}) for o in second.objects]
    assert second.warnings == ()


# Layout 2: a nämnd's object list -------------------------------------------------------------------------------

def test_object_list_in_tkr_with_outturn_range_and_text_numbers(tmp_path, models):
    plan = read_plan(object_list_workbook(tmp_path / "lista.xlsx"), models)
    objects = by_id(plan)
    assert sorted(objects) == ["F1", "F2", "F3"]
    f1, f2, f3 = objects["F1"], objects["F2"], objects["F3"]
    assert dict(f1.utgifter) == pytest.approx({2025: 12.5, 2026: 1017.4, 2027: 869.5})
    assert dict(f2.utgifter) == pytest.approx({2026: 200, 2027: 300, 2028: 400, 2029: 100, **{y: 10 for y in range(2031, 2036)}})
    assert dict(f3.utgifter)[2033] == pytest.approx(50)
    assert plan.outturn_year == 2025 and plan.plan_years == tuple(range(2026, 2036))
    assert (str(f1.driftsattning), str(f2.driftsattning), str(f3.driftsattning)) == ("2027", "2030-09", "2035")
    assert (f1.investeringstyp, f2.investeringstyp) == ("ny", "ersättning")
    assert f1.tillgangsklass == "fastighet" and f1.organisation == "Fastighets- och servicenämnden"  # from the title, not the tab
    warnings = "\n".join(map(str, plan.warnings))
    assert "beloppen är i tkr och räknas om till mnkr" in warnings
    assert "Fastighetsnämnden!rad 8: varning: driftsättning saknas; satt till sista utgiftsåret" in warnings
    assert "tillgångsklass saknas; satt till \"fastighet\" (ur radens benämning)" in warnings


def test_sheet_totals_equal_berakna_investeringar(tmp_path):
    path = object_list_workbook(tmp_path / "lista.xlsx")
    got = yearly_investeringar(path)
    for k, year in enumerate(range(2026, 2031)):
        assert got[year] == pytest.approx(OBJECT_LIST_SUM[4 + k] / 1000, abs=1e-9)
    assert sum(got[y] for y in range(2031, 2036)) == pytest.approx(OBJECT_LIST_SUM[9] / 1000)


@pytest.mark.parametrize("unit,factor", [("Belopp i tkr", 1e-3), ("Mnkr", 1.0), ("Miljarder kronor", 1e3)])
def test_unit_from_the_unit_row(tmp_path, models, unit, factor):
    plan = read_plan(object_list_workbook(tmp_path / "lista.xlsx", unit_row=unit), models)
    assert dict(by_id(plan)["F2"].utgifter)[2028] == pytest.approx(400000 * factor)


def test_wrong_sum_row_is_caught_with_the_cells(tmp_path):
    wrong = list(OBJECT_LIST_SUM)
    wrong[5] += 1000  # 2027
    found = errors_of(object_list_workbook(tmp_path / "lista.xlsx", sum_row=wrong))
    assert len(found) == 2  # the sum row against the objects, and its own Totalt cell against its years
    assert "Fastighetsnämnden!F9" in found[1] and 'summaraden "Summa" stämmer inte' in found[1]
    assert "F9 (2027) är 1 180 500,0, raderna summerar till 1 179 500,0" in found[1] and "rad 6–8" in found[1]
    assert "Fastighetsnämnden!K9" in found[0] and "summerar till 3 552 900,0" in found[0]


def test_wrong_varav_row_is_caught(tmp_path):
    wrong = list(OBJECT_LIST_VARAV)
    wrong[6] = 90000  # 2028: the ny objects have 80 000
    found = errors_of(object_list_workbook(tmp_path / "lista.xlsx", varav_row=wrong))
    assert any("Fastighetsnämnden!G10" in f and '"varav nyinvesteringar" är 90 000,0 i 2028' in f and "ger 80 000,0" in f
               for f in found), found


def test_wrong_total_column_is_caught(tmp_path):
    rows = [list(r) for r in OBJECT_LIST_ROWS]
    rows[1][10] = 1060000
    found = errors_of(object_list_workbook(tmp_path / "lista.xlsx", rows=rows))
    assert any("Fastighetsnämnden!K7" in f and '"Totalt 2026–2035" är 1 060 000,0' in f and "1 050 000,0" in f
               for f in found), found


# Layout 3 and 4: investeringsutrymme, one sheet per nämnd -------------------------------------------------------

def test_investeringsutrymme_tables_become_pot_objects(tmp_path, models):
    plan = read_plan(utrymme_workbook(tmp_path / "utrymme.xlsx", hidden=True), models)
    tn = [o for o in plan.objects if o.source.sheet == "Trafiknämnden"]
    assert [o.id for o in tn] == ["trafiknamnden-6", "trafiknamnden-7", "trafiknamnden-8", "trafiknamnden-11"]
    assert [o.organisation for o in tn] == ["Trafikförvaltningen"] * 3 + ["Förvaltning av utbyggd tunnelbana"]
    assert all(o.driftsattning.lopande and o.tillgangsklass == "kollektivtrafik" for o in tn)
    assert [o.kategori for o in tn] == ["beslutad", "planerad", "pott", "beslutad"]
    assert dict(tn[0].utgifter) == pytest.approx({2026: 3993.4, 2027: 3831.9, 2028: 3393.6,
                                                  **{y: 2868.4 / 7 for y in range(2029, 2036)}})
    fs = [o for o in plan.objects if o.source.sheet == "Fastighets- och servicenämnd"]
    assert len(fs) == 5 and sum(o.total_spend for o in fs) == pytest.approx(29573.4, abs=0.2)
    assert [o.verksamhetsomrade for o in fs] == ["Fastigheter"] * 3 + ["Service"] * 2
    assert [o.tillgangsklass for o in fs] == ["fastighet"] * 3 + ["it"] * 2
    warnings = "\n".join(map(str, plan.warnings))
    assert "utrymme.xlsx:Arbetsblad: varning: bladet är dolt och läses inte" in warnings
    assert '"varav medfinansiering" (40 761,4 mnkr) anger inte vilka objekt' in warnings


def test_investeringsutrymme_yearly_totals(tmp_path):
    path = utrymme_workbook(tmp_path / "utrymme.xlsx")
    got = yearly_investeringar(path)
    totals = {2026: 14210.1 + 3161.5, 2027: 15792.3 + 3859.9, 2028: 14375.0 + 4212.8}
    for year, total in totals.items():
        assert got[year] == pytest.approx(total, abs=0.25)  # the budget rounds rows and totals to 0,1 mnkr each
    assert sum(got[y] for y in range(2029, 2036)) == pytest.approx(55429.0 + 18339.3, abs=0.25)


def utrymme_with(tmp_path, **cells):
    """The Tabell 52/61 workbook with cells of the Trafiknämnden sheet changed."""
    path = utrymme_workbook(tmp_path / "utrymme.xlsx")
    wb = openpyxl.load_workbook(path)
    for ref, value in cells.items():
        wb["Trafiknämnden"][ref] = value
    wb.save(path)
    return path


def test_wrong_totalt_in_budget_table_is_caught(tmp_path):
    found = errors_of(utrymme_with(tmp_path, C13=15892.3))
    assert len(found) == 2 and "Trafiknämnden!F13" in found[0] and "Trafiknämnden!C13" in found[1]
    assert 'summaraden "Totalt"' in found[1] and "raderna summerar till 15 792,4" in found[1]


def test_unlabelled_subtotal_is_checked(tmp_path):
    found = errors_of(utrymme_with(tmp_path, B9=6800))
    assert any("Trafiknämnden!B9" in f and "(utan rubrik)" in f and "rad 6–8" in f for f in found), found


# Headers, mapping, formulas, merged cells ----------------------------------------------------------------------

def test_english_headers_and_mapping_file(tmp_path, models):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Project", "Asset class", "In service", "Budget 2026 (MSEK)", "2027", "Ansvarig förvaltare", "Klart"])
    ws.append(["Ny akutmottagning", "fastighet", "2027-03", 40, 60, "Locum", "2027"])
    path = tmp_path / "english.xlsx"
    wb.save(path)
    plan = read_plan(path, models)
    obj = plan.objects[0]
    assert (obj.namn, obj.tillgangsklass, str(obj.driftsattning), dict(obj.utgifter)) == \
           ("Ny akutmottagning", "fastighet", "2027-03", {2026: 40.0, 2027: 60.0})
    assert any('kolumnen "Ansvarig förvaltare" känns inte igen' in str(w) for w in plan.warnings)
    mapping = tmp_path / "kolumner.yaml"
    mapping.write_text('kolumner:\n  "Ansvarig förvaltare": organisation\n  "Klart": ignorera\n', encoding="utf-8")
    plan = read_plan(path, models, load_mapping(mapping))
    assert plan.objects[0].organisation == "Locum" and not any("känns inte igen" in str(w) for w in plan.warnings)
    mapping.write_text('kolumner:\n  "Ansvarig förvaltare": chef\n', encoding="utf-8")
    result = CliRunner().invoke(main, ["importera", str(path), "-o", str(tmp_path / "ut"), "--mapping", str(mapping)])
    assert result.exit_code == 2 and 'kolumner.yaml:2: fel: "Ansvarig förvaltare" mappas till "chef"' in result.stderr


def test_formulas_use_cached_values_and_refuse_missing_ones(tmp_path, models):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "namn", "tillgångsklass", "driftsättning", "2026", "2027"])
    ws.append(["A", "Depå", "kollektivtrafik", "2027", 100, "=E2*2"])
    ws.append(["B", "Spår", "kollektivtrafik", "2027", 50, 50])
    ws.append(["Summa", None, None, None, "=SUM(E2:E3)", "=SUM(F2:F3)"])
    path = tmp_path / "formler.xlsx"
    wb.save(path)
    found = errors_of(path)
    assert len(found) == 1 and "Blad!F2" not in found[0] and "!F2: fel: cellen har en formel utan sparat värde" in found[0]
    assert "öppna och spara den i Excel" in found[0]
    cache_formula_values(path, {"F2": 200, "E4": 150, "F4": 250})
    plan = read_plan(path, models)
    assert dict(by_id(plan)["A"].utgifter) == {2026: 100.0, 2027: 200.0}
    cache_formula_values(path, {"F4": 260})
    assert "F4 (2027) är 260,0, raderna summerar till 250,0" in errors_of(path)[0]


def test_merged_cells_among_amounts_are_an_error(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["id", "namn", "tillgångsklass", "driftsättning", "2026", "2027"])
    ws.append(["A", "Depå", "kollektivtrafik", "2027", 100, None])
    ws.merge_cells("E2:F2")
    path = tmp_path / "sammanfogad.xlsx"
    wb.save(path)
    found = errors_of(path)
    assert len(found) == 1 and "!E2:F2: fel: sammanfogade celler E2:F2 bland beloppen" in found[0]


def test_importera_json_and_nothing_written_on_errors(tmp_path):
    path = utrymme_with(tmp_path, B6="okänt", C7=-5)
    out = tmp_path / "ut"
    result = CliRunner().invoke(main, ["importera", str(path), "-o", str(out), "--format", "json"])
    assert result.exit_code == 2 and not out.exists()
    report = json.loads(result.stdout)
    assert report["skrivet"] is False and report["fel"] >= 2
    places = {f["plats"].split(":")[-1]: f["meddelande"] for f in report["fynd"] if f["niva"] == "fel"}
    assert {"Trafiknämnden!B6", "Trafiknämnden!C7"} <= set(places)
    # row 6 is "Beslutade investeringar >100 mkr" (B its 2026 cell), row 7 the planned ones (C 2027)
    assert places["Trafiknämnden!B6"].startswith('2026: texten "okänt"')
    assert places["Trafiknämnden!C7"].startswith("2027 är -5, väntat ett belopp ≥ 0")
