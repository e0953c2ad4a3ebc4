"""One broken workbook per validation error: one message per problem with sheet and cell, the right exit code,
no traceback."""

from __future__ import annotations

import openpyxl
import pytest
from click.testing import CliRunner

from invest.cli import main
from conftest import build_plan

GOOD = [
    {"id": "A", "namn": "Depå", "tillgangsklass": "kollektivtrafik", "driftsattning": "2028-07", "medfinansiering": 100,
     "utgifter": {2025: 100, 2026: 200, 2027: 300}},
    {"id": "B", "namn": "Vagnar", "tillgangsklass": "kollektivtrafik", "driftsattning": "2029", "beroenden": "A",
     "utgifter": {2027: 100, 2028: 400}},
    {"id": "C", "namn": "It-pott", "tillgangsklass": "it", "driftsattning": "löpande", "utgifter": {2026: 10, 2027: 10}},
]
# Columns: A id … I driftsättning, J medfinansiering, K beroenden, L t.o.m. 2025, M 2026, N 2027, O 2028


def edit(**cells):
    def apply(wb):
        for ref, value in cells.items():
            sheet, cell = ref.split("_")
            wb[sheet][cell] = value
    return apply


def add_components(rows):
    def apply(wb):
        ws = wb.create_sheet("Komponenter")
        ws.append(["id", "komponent", "andel", "nyttjandeperiod"])
        for r in rows:
            ws.append(r)
    return apply


def rename_years(wb):
    for col in "LMNOPQ":
        wb["Objekt"][f"{col}1"] = f"kolumn {col}"


CASES = {
    "dubblett-id": (edit(Objekt_A3="A"), ["Objekt!A3", 'id "A" finns redan på', "Objekt!A2"]),
    "okand-tillgangsklass": (edit(Objekt_H2="rymdskepp"), ["Objekt!H2", 'okänd tillgångsklass "rymdskepp"']),
    "medfinansiering-over-utgift": (edit(Objekt_J2=9999), ["Objekt!J2", "överstiger objektets totala utgift 600"]),
    "negativ-utgift": (edit(Objekt_M2=-5), ["Objekt!M2", "2026 är -5, väntat ett belopp ≥ 0"]),
    "manad-13": (edit(Objekt_I2="2028-13"), ["Objekt!I2", 'driftsättning "2028-13" är inget giltigt datum']),
    "driftsattning-text": (edit(Objekt_I3="sommar 2029"), ["Objekt!I3", 'driftsättning "sommar 2029" är inget giltigt']),
    "komponentandelar": (add_components([["A", "stomme", 0.5, 50], ["A", "installationer", 0.3, 20]]),
                         ["Komponenter!C2", 'andelar för "A" summerar till 0.8', "väntat 1"]),
    "inga-arskolumner": (rename_years, ["Objekt!rad 1", "inga årskolumner"]),
    "text-i-beloppscell": (edit(Objekt_N2="mycket"), ["Objekt!N2", 'texten "mycket" (väntat ett belopp']),
    "okant-beroende": (edit(Objekt_K3="X"), ["Objekt!K3", 'beror på "X", som inte finns']),
    "komponent-okant-id": (add_components([["Z", "stomme", 1, 50]]), ["Komponenter!A2", 'id "Z" finns inte']),
}


def broken(tmp_path, mutate):
    path = build_plan(tmp_path / "plan.xlsx", GOOD, years=range(2026, 2031))
    wb = openpyxl.load_workbook(path)
    mutate(wb)
    wb.save(path)
    return path


@pytest.mark.parametrize("case", sorted(CASES))
def test_each_error_gives_a_located_message(tmp_path, case):
    mutate, expected = CASES[case]
    path = broken(tmp_path, mutate)
    runner = CliRunner()
    result = runner.invoke(main, ["berakna", str(path), "--format", "csv"])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and result.exception is None or isinstance(result.exception, SystemExit)
    errors = [line for line in result.stderr.splitlines() if ": fel: " in line]
    assert len(errors) == 1, result.stderr
    for text in expected:
        assert text in errors[0], (text, errors[0])
    assert result.stdout == ""
    checked = runner.invoke(main, ["validera", str(path)])
    assert checked.exit_code == 1 and expected[0] in checked.output


def test_missing_values_get_defaults_and_say_so(tmp_path):
    """An empty id or driftsättning, or a missing column, is filled by the rule in models/import/ with a warning."""
    path = broken(tmp_path, edit(Objekt_A3=None, Objekt_I2=None, Objekt_H4=None))
    result = CliRunner().invoke(main, ["validera", str(path)])
    assert result.exit_code == 0, result.output
    assert 'Objekt!rad 3: varning: id saknas; satt till "objekt-<rad>"' in result.output
    assert "Objekt!rad 2: varning: driftsättning saknas; satt till sista utgiftsåret" in result.output
    assert 'Objekt!rad 4: varning: tillgångsklass saknas; satt till "it" (ur radens benämning)' in result.output
    from invest.excel.reader import read_plan
    from invest.params.parameters import Models
    from conftest import MODELS_DIR
    plan = read_plan(path, Models.load(MODELS_DIR))
    assert [o.id for o in plan.objects] == ["A", "objekt-3", "C"]
    assert str(plan.objects[0].driftsattning) == "2027"  # last spend year of A (2025–2027)
    moved = broken(tmp_path, edit(Objekt_I1="start"))
    result = CliRunner().invoke(main, ["validera", str(moved)])
    assert result.exit_code == 0 and 'Objekt!I1: varning: kolumnen "start" känns inte igen' in result.output


def test_every_problem_reported_at_once(tmp_path):
    path = broken(tmp_path, edit(Objekt_A3="A", Objekt_H4="rymdskepp", Objekt_M2=-5, Objekt_I2="2028-13"))
    result = CliRunner().invoke(main, ["validera", str(path), "--format", "json"])
    assert result.exit_code == 1
    import json
    found = json.loads(result.stdout)
    places = sorted(f["plats"].split(":")[-1] for f in found["fynd"] if f["niva"] == "fel")
    assert places == ["Objekt!A3", "Objekt!H4", "Objekt!I2", "Objekt!M2"]


def test_good_plan_validates(tmp_path):
    path = build_plan(tmp_path / "plan.xlsx", GOOD, years=range(2026, 2031))
    result = CliRunner().invoke(main, ["validera", str(path)])
    assert result.exit_code == 0, result.output
    assert "0 fel" in result.output


@pytest.mark.parametrize("content,expected", [
    (b"", "filen är tom"),
    (b"id;namn\n1;tunnelbana\n", "är ingen Excel-arbetsbok"),
])
def test_unusable_files_exit_2(tmp_path, content, expected):
    path = tmp_path / "plan.xlsx"
    path.write_bytes(content)
    for command in ("berakna", "validera", "rapport"):
        result = CliRunner().invoke(main, [command, str(path)])
        assert result.exit_code == 2, (command, result.output)
        assert expected in result.stderr and "Traceback" not in result.output


def test_wrong_suffix_and_missing_file(tmp_path):
    text = tmp_path / "plan.csv"
    text.write_text("id\n")
    assert "filtypen .csv stöds inte" in CliRunner().invoke(main, ["berakna", str(text)]).stderr
    result = CliRunner().invoke(main, ["berakna", str(tmp_path / "saknas.xlsx")])
    assert result.exit_code == 2 and "filen finns inte" in result.stderr


def test_inputs_are_not_modified(tmp_path):
    path = build_plan(tmp_path / "plan.xlsx", GOOD, years=range(2026, 2031))
    before = path.read_bytes()
    CliRunner().invoke(main, ["rapport", str(path), "--utdata", str(tmp_path / "ut")])
    assert path.read_bytes() == before
