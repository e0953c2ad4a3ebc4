"""CliRunner tests per command: output contract, exit codes, the report workbook and chart."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys

import openpyxl
from click.testing import CliRunner

from invest.cli import main
from conftest import build_plan
from invest.engine.object_grid import PER_OBJECT_COLUMNS
from invest.engine.region_model import REGION_COLUMNS

runner = CliRunner()


def test_berakna_table_on_default_plan():
    result = runner.invoke(main, ["berakna"])
    assert result.exit_code == 0, result.output
    assert "Genomsnittlig andel 2026–2035" in result.stdout
    assert "Kapitalkostnader" in result.stdout and "2035" in result.stdout


def test_berakna_csv_contract():
    result = runner.invoke(main, ["berakna", "--format", "csv"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert list(rows[0].keys())[:len(REGION_COLUMNS)] == list(REGION_COLUMNS)
    assert [int(r["ar"]) for r in rows] == list(range(2026, 2036))
    for r in rows:
        kk = float(r["avskrivningar"]) + float(r["rantekostnader"])
        assert abs(float(r["kapitalkostnader"]) - kk) < 1e-9
        assert abs(float(r["andel"]) - kk / float(r["totala_intakter"])) < 1e-12
        assert abs(float(r["marginal"]) - (0.08 * float(r["totala_intakter"]) - kk)) < 1e-6
        assert float(r["riktvarde"]) == 0.08
    assert abs(float(rows[0]["totala_intakter"]) - (29734 + 110644)) < 1e-6  # Budget 2026 Tabell 8, reproduced


def test_berakna_csv_has_no_binary_residue_and_equals_the_json():
    """The CSV writes each number in its shortest form at 15 significant digits: Budget 2026's totala intäkter
    140 378 and medfinansiering 6 273,9 are written so, not as 140377.99999999997 and 6273.900000000001; every
    figure equals the JSON's (full float) to 1e-13 relative or 1e-9 absolute."""
    text = runner.invoke(main, ["berakna", "--format", "csv"]).stdout
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["totala_intakter"] == "140378.0" and rows[0]["medfinansiering_mottagen"] == "6273.9"
    assert not re.search(r"\d(?:0{6,}|9{6,})\d*(?:[,\n]|$)", text.split("\n", 1)[1]), "binary residue in the CSV"
    full = {row["ar"]: row for row in json.loads(runner.invoke(main, ["berakna", "--format", "json"]).stdout)["ar"]}
    for r in rows:
        for name, value in r.items():
            exact = full[int(r["ar"])][name]
            if isinstance(exact, float):
                assert abs(float(value) - exact) <= max(1e-9, 1e-13 * abs(exact)), (r["ar"], name, value, exact)


def test_berakna_json_and_per_object():
    result = runner.invoke(main, ["berakna", "--format", "json"])
    data = json.loads(result.stdout)
    assert len(data["ar"]) == 10 and data["enhet"] == "mnkr" and 0 < data["genomsnittlig_andel"] < 0.2
    per = runner.invoke(main, ["berakna", "--per-objekt", "--format", "csv"])
    header = per.stdout.splitlines()[0].split(",")
    assert header[:len(PER_OBJECT_COLUMNS)] == list(PER_OBJECT_COLUMNS)
    per_json = json.loads(runner.invoke(main, ["berakna", "--per-objekt", "--format", "json"]).stdout)
    assert {"id", "ar", "kapitalkostnad"} <= set(per_json["objekt"][0])


def test_ranta_zero_removes_all_interest():
    result = runner.invoke(main, ["berakna", "--format", "csv", "--ranta", "0"])
    assert result.exit_code == 0, result.output
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [int(r["ar"]) for r in rows] == list(range(2026, 2036))
    assert all(float(r["rantekostnader"]) == 0 for r in rows)
    assert all(float(r["kapitalkostnader"]) == float(r["avskrivningar"]) for r in rows)


def test_plan_without_region_sheet_has_no_share(tmp_path):
    path = build_plan(tmp_path / "p.xlsx", [{"id": "A", "tillgangsklass": "it", "driftsattning": "löpande",
                                               "utgifter": {2026: 400}}], years=range(2026, 2029), outturn_year=None)
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["berakna", str(path), "--format", "csv"]).stdout)))
    assert [r["andel"] for r in rows] == ["", "", ""]
    # 400 activated 1 July 2026 over 4 years: 6 months in 2026, then 100 per year
    assert [float(r["avskrivningar"]) for r in rows] == [50.0, 100.0, 100.0]


def test_validera_default_plan_ok():
    result = runner.invoke(main, ["validera"])
    assert result.exit_code == 0 and "0 fel" in result.stdout


def test_rapport_writes_workbook_and_charts(tmp_path):
    out = tmp_path / "rapporter"
    result = runner.invoke(main, ["rapport", "--utdata", str(out)])
    assert result.exit_code == 0, result.output
    xlsx = out / "investeringsplan_kapitalkostnader.xlsx"
    assert (out / "investeringsplan_andel.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert (out / "investeringsplan_rapport.pdf").read_bytes()[:5] == b"%PDF-"
    assert {p.name for p in out.iterdir()} == {
        "investeringsplan_kapitalkostnader.xlsx", "investeringsplan_rapport.pdf", "investeringsplan_andel.png",
        "investeringsplan_kapitalkostnader.png", "investeringsplan_investeringar.png", "investeringsplan_skuld.png",
        "investeringsplan_sammanfattning.txt"}
    assert not [p for p in out.iterdir() if p.name.startswith(".")]  # no temp files left
    wb = openpyxl.load_workbook(xlsx)
    values = openpyxl.load_workbook(xlsx, data_only=True)  # the values cached beside the formulas
    assert wb.sheetnames == ["Sammanfattning", "Region", "Diagram", "Investeringsplan", "Kalibrering",
                             "Per organisation", "Per verksamhetsområde", "Per objekt", "Parametrar", "Fynd"]
    region = wb["Region"]
    assert region.freeze_panes == "B2"
    assert [c.value for c in region[1]][:11] == ["Mnkr"] + [str(y) for y in range(2026, 2036)]
    labels = [c.value for c in region["A"]]
    andel, avskr = labels.index("Andel av totala intäkter") + 1, labels.index("Avskrivningar") + 1
    assert region.cell(andel, 2).number_format == "0.00%" and 0 < values["Region"].cell(andel, 2).value < 0.2
    assert region.cell(avskr, 2).number_format == "#,##0.0"
    params = [r for r in wb["Parametrar"].iter_rows(values_only=True)]
    assert any(r[0] == "riktlinjer/kapitalkostnadsandel" and "Budget 2026" in r[5] for r in params)
    plan_sheet = list(values["Investeringsplan"].iter_rows(values_only=True))
    total = next(r for r in plan_sheet if r[0] == "TOTALT")
    assert plan_sheet[0][1:3] == ("Utfall 2024", "Budget 2025")
    assert abs(total[-1] - sum(total[3:-1])) < 1e-6  # Totalt 2026–2035 excludes 2024 and 2025


def test_text_from_sheets_never_becomes_a_formula(tmp_path):
    evil = '=HYPERLINK("http://example.invalid","klicka")'
    path = build_plan(tmp_path / "p.xlsx", [{"id": "=1+1", "namn": evil, "organisation": "@SUM(A1)",
                                               "tillgangsklass": "it", "driftsattning": "2026", "utgifter": {2026: 10}}],
                      years=range(2026, 2028), outturn_year=None)
    out = tmp_path / "ut"
    assert runner.invoke(main, ["rapport", str(path), "--utdata", str(out)]).exit_code == 0
    xlsx = out / "p_kapitalkostnader.xlsx"
    wb = openpyxl.load_workbook(xlsx)
    for ws in wb:  # the report's own formulas are there (sums, kapitalkostnad); no text of the plan is one
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    assert "HYPERLINK" not in str(cell.value) and "1+1" not in str(cell.value), (ws.title, cell)
    ws = wb["Per objekt"]
    names = [c for c in ws.iter_rows(min_row=2, max_row=2, values_only=True)][0]
    assert evil in names and "=1+1" in names
    organisations = [c.value for c in wb["Per organisation"]["A"]]
    assert "@SUM(A1)" in organisations
    assert all(c.data_type == "s" for c in wb["Per organisation"]["A"] if c.value == "@SUM(A1)")


def test_help_is_swedish_with_examples():
    result = runner.invoke(main, ["berakna", "--help"])
    assert result.exit_code == 0 and "Exempel:" in result.stdout and "--per-objekt" in result.stdout


def test_breach_is_a_warning_in_validera_and_marked_in_the_report(tmp_path):
    objects = [{"id": "TB", "namn": "Tunnelbana", "tillgangsklass": "kollektivtrafik", "driftsattning": "2027-01",
                "utgifter": {2026: 2000}}]
    region = [{"ar": y, "totala_intakter": 1000, "befintliga_avskrivningar": 30} for y in range(2026, 2029)]
    path = build_plan(tmp_path / "p.xlsx", objects, years=range(2026, 2029), outturn_year=None, region=region)
    checked = runner.invoke(main, ["validera", str(path), "--ranta", "0"])
    assert checked.exit_code == 0, checked.output
    # 2027: 30 + 2000/25 = 110 mnkr of 1 000 = 11 %, 3 procentenheter (30 mnkr) above 8 %
    assert "Kapitalkostnaderna är 11,00 % av totala intäkter 2027, 3,00 procentenheter (30,0 mnkr) över riktvärdet 8 %" \
        in checked.stdout
    assert re.findall(r"Region!(\d{4}): varning: Kapitalkostnaderna", checked.stdout) == ["2027", "2028"]  # not 2026
    out = tmp_path / "ut"
    report = runner.invoke(main, ["rapport", str(path), "--ranta", "0", "--utdata", str(out)])
    assert report.exit_code == 0 and "År över riktvärdet: 2027, 2028" in report.stdout


def test_till_ar_extends_region_table():
    rows = list(csv.DictReader(io.StringIO(runner.invoke(main, ["berakna", "--format", "csv", "--till-ar", "2040"]).stdout)))
    assert [int(r["ar"]) for r in rows] == list(range(2026, 2041))


def test_forsening_diagram_draws_the_share_before_and_after(tmp_path):
    """`--diagram`: the share before and after the delay as a PNG in -o/--utdata; a second run needs --skriv-over."""
    args = ["forsening", "--objekt", "TB-NSO", "--ar", "2", "--diagram", "-o", str(tmp_path)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    drawing = tmp_path / "forsening_TB-NSO_+2_ar.png"
    assert drawing.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and f"Skrev {drawing}." in result.output
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "--skriv-over" in again.output
    assert runner.invoke(main, [*args, "--skriv-over"]).exit_code == 0


def test_the_report_loads_what_it_needs_when_it_needs_it():
    """`invest rapport` starts its chart process before it loads polars (the CLI loads the pipeline at its first
    use, and `invest.pipeline` then names it as an import would), and the report's own process never loads
    matplotlib's drawing code: the workbook, the PNG files and the PDF are written without it."""
    code = """
import sys
import invest.cli
assert "polars" not in sys.modules and "matplotlib" not in sys.modules, "loaded before a command runs"
import invest.pipeline
assert invest.pipeline.Inputs and "polars" in sys.modules
import invest.outputs.report, invest.outputs.pdf_report
invest.outputs.pdf_report.write_pdf_report
assert "matplotlib.figure" not in sys.modules and "matplotlib.axes" not in sys.modules, "drawing code loaded"
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
