"""The report workbook as a controller opens it: formulas where arithmetic is checked, with the computed values
cached beside them; sums that are sums; Swedish names only; no machine path; text from a plan never a formula;
tables with filters; print set-up; the user's umask. LibreOffice opens, renders and recalculates it (slow)."""

from __future__ import annotations

import os
import re
import zipfile
from dataclasses import replace
from pathlib import Path

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from inmemory import make_plan, with_parameter
from invest.analyses.calibration import comparison
from invest.base.findings import warning
from invest.engine.calculation import calculate
from invest.outputs import labels
from invest.outputs.report import _summary_lines, write_workbook
from invest.pipeline import Inputs, calculate_plan
import lo_check

REGION = [{"ar": y, "totala_intakter": 1000 + 40 * i, "befintliga_avskrivningar": 30, "resultat": 5}
          for i, y in enumerate(range(2026, 2031))]
EVIL = '=HYPERLINK("x")'


def _write(calc, directory: Path, name: str = "rapport.xlsx", umask: int = 0o022) -> Path:
    calibration = comparison(calc.plan.published, calc.region.table)
    target = directory / name
    old = os.umask(umask)
    try:
        write_workbook(calc, calibration, target, _summary_lines(calc, calibration))
    finally:
        os.umask(old)
    return target


@pytest.fixture(scope="module")
def default_calc():
    return calculate_plan(Inputs())


@pytest.fixture(scope="module")
def default_book(default_calc, tmp_path_factory):
    path = _write(default_calc, tmp_path_factory.mktemp("rapport"))
    return path, openpyxl.load_workbook(path), openpyxl.load_workbook(path, data_only=True)


def _row(ws, label: str) -> int:
    return next(c.row for c in ws["A"] if c.value == label)


def _evaluate(formula: str, values) -> float:
    """A formula of cell references, numbers and + − * / ( ) on one sheet, computed from the cached values."""
    expression = re.sub(r"\$?([A-Z]{1,3})\$?(\d+)", lambda m: repr(float(values[f"{m.group(1)}{m.group(2)}"].value)),
                        formula.lstrip("="))
    assert re.fullmatch(r"[0-9eE.+\-*/() ]+", expression), expression
    return eval(expression)  # noqa: S307 - digits and operators only, checked above


def test_region_has_formulas_with_cached_values(default_calc, default_book):
    _, formulas, values = default_book
    ws, cached = formulas["Region"], values["Region"]
    table = default_calc.region.table
    years = table["ar"].to_list()
    assert [c.value for c in ws[1]][1:len(years) + 1] == [str(y) for y in years]
    rows = {item: _row(ws, labels.column(item)) for item in ("avskrivningar", "rantekostnader", "kapitalkostnader",
                                                                "totala_intakter", "andel", "riktvarde", "marginal")}
    for j, year in enumerate(years):
        col = openpyxl.utils.get_column_letter(j + 2)
        kk, dep, rate = (f"{col}{rows[i]}" for i in ("kapitalkostnader", "avskrivningar", "rantekostnader"))
        assert ws[kk].value == f"={dep}+{rate}"
        assert ws[f"{col}{rows['andel']}"].value == f"={kk}/{col}{rows['totala_intakter']}"  # brutto
        assert ws[f"{col}{rows['marginal']}"].value == f"={col}{rows['riktvarde']}*{col}{rows['totala_intakter']}-{kk}"
        for item in ("kapitalkostnader", "andel", "marginal"):
            cell = f"{col}{rows[item]}"
            assert ws[cell].data_type == "f"
            expected = table[item][j]
            assert cached[cell].value == pytest.approx(expected, abs=1e-9, rel=1e-12), (item, year)
            assert _evaluate(ws[cell].value, cached) == pytest.approx(expected, abs=1e-9, rel=1e-12), (item, year)
    # breach years (andel ≥ riktvärde) are marked by a conditional format on the share row
    ranges = [str(r.sqref) for r in ws.conditional_formatting]
    assert any(f"B{rows['andel']}:" in r for r in ranges)


def test_share_follows_the_netto_method(models, tmp_path):
    netto = with_parameter(models, "konventioner/riktvardesmetod", "netto")
    objects = [{"id": "A", "tillgangsklass": "kollektivtrafik", "driftsattning": "2027-01", "medfinansiering": 300,
                "utgifter": {2026: 600, 2027: 400}}]
    calc = calculate(make_plan(objects, years=range(2026, 2031), outturn_year=None, region=REGION), netto)
    assert calc.conventions.riktvardesmetod == "netto"
    path = _write(calc, tmp_path)
    ws, cached = openpyxl.load_workbook(path)["Region"], openpyxl.load_workbook(path, data_only=True)["Region"]
    release = _row(ws, labels.column("intaktsford_medfinansiering"))
    andel, marginal = _row(ws, labels.column("andel")), _row(ws, labels.column("marginal"))
    table = calc.region.table
    assert max(table["intaktsford_medfinansiering"]) > 0  # the methods differ here
    for j in range(table.height):
        col = openpyxl.utils.get_column_letter(j + 2)
        assert f"{col}{release}" in ws[f"{col}{andel}"].value and f"{col}{release}" in ws[f"{col}{marginal}"].value
        for row, item in ((andel, "andel"), (marginal, "marginal")):
            assert _evaluate(ws[f"{col}{row}"].value, cached) == pytest.approx(table[item][j], rel=1e-12, abs=1e-9)
            assert cached[f"{col}{row}"].value == pytest.approx(table[item][j], rel=1e-12, abs=1e-9)


def test_every_sum_is_the_sum_of_its_cells(default_book):
    _, formulas, values = default_book
    sums = 0
    for ws in formulas:
        for row in ws.iter_rows():
            for cell in row:
                match = re.fullmatch(r"=SUM\(([A-Z]+\d+):([A-Z]+\d+)\)", str(cell.value)) if cell.data_type == "f" \
                    else None
                if not match:
                    continue
                first_col, first_row, last_col, last_row = range_boundaries(f"{match.group(1)}:{match.group(2)}")
                parts = [values[ws.title].cell(r, c).value or 0.0 for r in range(first_row, last_row + 1)
                         for c in range(first_col, last_col + 1)]
                total = values[ws.title][cell.coordinate].value
                assert total == pytest.approx(sum(parts), rel=1e-9, abs=1e-9), (ws.title, cell.coordinate)
                sums += 1
    assert sums > 100  # Investeringsplan, Per organisation, Per verksamhetsområde
    plan = formulas["Investeringsplan"]
    total_row = _row(plan, "TOTALT")
    assert plan.cell(total_row, plan.max_column).value.startswith("=SUM(")


def test_summary_holds_numbers_and_swedish_conventions(default_calc, default_book):
    _, formulas, values = default_book
    ws, cached = formulas["Sammanfattning"], values["Sammanfattning"]
    by_key = {row[0].value: row[1] for row in ws.iter_rows(min_row=1, max_col=2) if row[0].value}
    assert by_key["Antal objekt"].value == len(default_calc.plan.objects)
    assert by_key["Riktvärde"].value == pytest.approx(0.08)
    assert by_key["Genomsnittlig andel"].value.startswith("=AVERAGE(Region!")
    assert cached[by_key["Genomsnittlig andel"].coordinate].value == pytest.approx(default_calc.average_share())
    assert by_key["Högsta andel"].value.startswith("=MAX(Region!")
    assert by_key["Räntebas"].value == labels.value(default_calc.conventions.rantebas)
    assert by_key["Avskrivningsstart"].value == labels.value(default_calc.conventions.avskrivningsstart)
    assert by_key["Plan"].value == "investeringsplan.xlsx"
    sources = ws.tables["KallorTabell"]
    headers = [c.value for c in ws[range_boundaries(sources.ref)[1]]][:5]
    assert headers == ["Dokument", "Tabell eller avsnitt", "År", "Post", "Rad i källan"]
    assert any(c.value == "Tabell 8" for c in ws["B"])


def _texts(wb):
    """Every cell's text (formulas as written), with the sheet and the heading of its column."""
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    yield ws, cell


def _internal_names() -> set[str]:
    return {key for catalogue in (labels.COLUMNS, labels.CONVENTION_VALUES, labels.ASSET_CLASSES,
                                  labels.PARAMETER_COLUMNS) for key in catalogue if "_" in key}


def _check_no_paths_or_internal_names(path: Path, machine_paths: list[str]) -> None:
    wb = openpyxl.load_workbook(path)
    names = _internal_names()
    assert {"bundet_kapital", "samma_manad", "galler_fran", "fastighet_komponenter"} <= names
    file_column = [c.value for c in wb["Parametrar"][1]].index(labels.PARAMETER_COLUMNS["fil"]) + 1
    for ws, cell in _texts(wb):
        for machine in machine_paths:
            assert machine not in cell.value, (ws.title, cell.coordinate, cell.value)
        if ws.title == "Parametrar" and cell.column == file_column and cell.row > 1:
            # the file a value is in, named inside models/ ("ranta/internranta.yaml:3"): a file name, never a path
            assert re.fullmatch(r"[a-z0-9_]+/[a-z0-9_]+\.yaml:\d+", cell.value), cell.value
            continue
        found = [n for n in names if re.search(rf"(?<![A-Za-z0-9_]){n}(?![A-Za-z0-9_])", cell.value)]
        assert not found, (ws.title, cell.coordinate, cell.value, found)
    with zipfile.ZipFile(path) as z:  # document properties and every other part too ("/xl/worksheets" is no path)
        text = b"".join(z.read(n) for n in z.namelist())
    for machine in [str(path.parent), str(Path.cwd()) + "/", str(Path.home()) + "/", "/tmp/"]:
        assert machine.encode() not in text, machine


def test_no_machine_path_and_no_internal_name(default_book, tmp_path_factory):
    path = default_book[0]
    _check_no_paths_or_internal_names(path, [str(path.parent), "/home", "/tmp", "/work", "/root", str(Path.cwd())])
    wb = default_book[1]
    assert [c.value for c in wb["Parametrar"][1]] == list(labels.PARAMETER_COLUMNS.values())


def _evil_calc(models):
    objects = [
        {"id": "=1+1", "namn": EVIL, "organisation": "@SUM(A1)", "verksamhetsomrade": "=A1",
         "tillgangsklass": "fastighet_komponenter", "driftsattning": "2027", "utgifter": {2026: 50, 2027: 50}},
        {"id": "B", "namn": "Bidrag", "tillgangsklass": "bidrag_statlig_infrastruktur", "driftsattning": "2026",
         "utgifter": {2026: 20}},
    ]
    plan = make_plan(objects, years=range(2026, 2031), outturn_year=None, region=REGION)
    plan = replace(plan, warnings=(warning("=cmd|' /C calc'!A0", "=2+2"),))
    return calculate(plan, models)


def test_text_from_a_plan_is_text_never_a_formula(models, tmp_path):
    path = _write(_evil_calc(models), tmp_path)
    wb = openpyxl.load_workbook(path)
    stored = {(ws.title, cell.value, cell.data_type) for ws, cell in _texts(wb)}
    assert ("Per objekt", EVIL, "s") in stored and ("Per objekt", "=1+1", "s") in stored
    assert ("Per organisation", "@SUM(A1)", "s") in stored and ("Per verksamhetsområde", "=A1", "s") in stored
    assert ("Fynd", "=cmd|' /C calc'!A0", "s") in stored and ("Fynd", "=2+2", "s") in stored
    assert not [v for _, v, kind in stored if kind == "f" and ("HYPERLINK" in v or "cmd" in v or v in ("=1+1", "=A1"))]
    with zipfile.ZipFile(path) as z:
        sheets = b"".join(z.read(n) for n in z.namelist() if n.startswith("xl/worksheets/sheet"))
    assert b"<f>HYPERLINK" not in sheets and b"<f>1+1" not in sheets
    # the asset classes and conventions in Swedish here too
    _check_no_paths_or_internal_names(path, [str(tmp_path)])
    classes = {c.value for c in wb["Per objekt"]["E"]}
    assert labels.ASSET_CLASSES["fastighet_komponenter"] in classes


def test_tables_filters_print_setup_and_properties(default_book):
    path, wb, _ = default_book
    per_object = wb["Per objekt"]
    assert "PerObjektTabell" in per_object.tables
    table = per_object.tables["PerObjektTabell"]
    assert table.autoFilter is not None
    assert range_boundaries(table.ref)[3] == per_object.max_row  # every row inside the table
    assert per_object.page_setup.orientation == "landscape" and per_object.page_setup.paperSize in (9, "9")
    assert per_object.sheet_properties.pageSetUpPr.fitToPage
    assert per_object.page_setup.fitToWidth in (1, None) and per_object.page_setup.fitToHeight == 0
    assert per_object.print_title_rows.replace("$", "") == "1:1" and per_object.freeze_panes == "C2"
    for name in ("Parametrar", "Fynd", "Kalibrering"):
        assert wb[name].tables, name
    for ws in wb:
        assert "Sida &P av &N" in ws.oddFooter.right.text, ws.title
        assert "investeringsplan.xlsx" in ws.oddHeader.right.text, ws.title
    assert wb.properties.creator == "invest" and "investeringsplan.xlsx" in wb.properties.title
    with zipfile.ZipFile(path) as z:
        app = z.read("docProps/app.xml").decode()
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert "<Company>" not in app or "<Company></Company>" in app
    assert len(charts) == 4  # share, kapitalkostnader vs intäkter, investeringar per område, skuldandel


def test_without_revenue_no_revenue_chart(models, tmp_path):
    objects = [{"id": "A", "tillgangsklass": "it", "driftsattning": "2026", "utgifter": {2026: 40}}]
    calc = calculate(make_plan(objects, years=range(2026, 2029), outturn_year=None), models)
    assert not calc.region.has_share
    path = _write(calc, tmp_path)
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 and not any("Totala intäkter" in c or "riktvärdet" in c for c in charts)
    region = openpyxl.load_workbook(path)["Region"]
    assert labels.column("andel") not in [c.value for c in region["A"]]


@pytest.mark.parametrize("umask, mode", [(0o022, 0o644), (0o027, 0o640)])
def test_file_mode_honours_umask(default_calc, tmp_path, umask, mode):
    path = _write(default_calc, tmp_path, umask=umask)
    assert path.stat().st_mode & 0o777 == mode
    assert [p.name for p in tmp_path.iterdir()] == [path.name]  # no temporary file left


@pytest.mark.slow
@pytest.mark.skipif(lo_check.soffice() is None, reason="LibreOffice (soffice) saknas")
def test_libreoffice_renders_and_recalculates(default_book, tmp_path):
    """LibreOffice renders every sheet to PDF without trouble, and computes every formula to our cached value."""
    path = default_book[0]
    profile = lo_check._profile(tmp_path / "profil")
    pdf = lo_check.render_pdf(path, tmp_path / "pdf", profile)
    assert pdf.read_bytes()[:5] == b"%PDF-"
    compared, differences = lo_check.compare(path, lo_check.recalculated(path, tmp_path / "xlsx", profile))
    assert compared > 500 and not differences, differences[:10]


def test_lo_check_catches_a_damaged_workbook(default_book, tmp_path):
    """The check's own test: a truncated sheet (which LibreOffice would repair silently) is reported."""
    damaged = tmp_path / "trasig.xlsx"
    with zipfile.ZipFile(default_book[0]) as src, zipfile.ZipFile(damaged, "w") as dst:
        for name in src.namelist():
            data = src.read(name)
            dst.writestr(name, data[: len(data) // 2] if name == "xl/worksheets/sheet2.xml" else data)
    assert lo_check.well_formed(damaged) and not lo_check.well_formed(default_book[0])
    with pytest.raises(lo_check.LibreOfficeProblem):
        lo_check.render_pdf(damaged, tmp_path / "pdf")
