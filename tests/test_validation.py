"""`invest validera` on plans that can be read: defaults filled with a warning, every problem reported at once with
its cell, a good plan passes, wrong or missing files, and inputs are never modified. (One broken workbook per
failure mode, with its message and exit codes, is in tests/test_malformed.py.)"""

from __future__ import annotations

import openpyxl
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


def broken(tmp_path, mutate):
    path = build_plan(tmp_path / "plan.xlsx", GOOD, years=range(2026, 2031))
    wb = openpyxl.load_workbook(path)
    mutate(wb)
    wb.save(path)
    return path


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


def test_wrong_suffix_and_missing_file(tmp_path):
    text = tmp_path / "plan.csv"
    text.write_text("id\n")
    result = CliRunner().invoke(main, ["berakna", str(text)])
    assert result.exit_code == 2 and "filtypen .csv stöds inte" in result.stderr
    result = CliRunner().invoke(main, ["berakna", str(tmp_path / "saknas.xlsx")])
    assert result.exit_code == 2 and "filen finns inte" in result.stderr


def test_inputs_are_not_modified(tmp_path):
    path = build_plan(tmp_path / "plan.xlsx", GOOD, years=range(2026, 2031))
    before = path.read_bytes()
    result = CliRunner().invoke(main, ["rapport", str(path), "--utdata", str(tmp_path / "ut")])
    assert result.exit_code == 0, result.output  # the report was written: the plan was read, not just left alone
    assert path.read_bytes() == before
