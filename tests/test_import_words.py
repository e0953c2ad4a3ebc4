"""A planner's own words, as a reviewer's unseen workbooks had them: class words in the tillgångsklass column
("Byggnad", "Spåranläggning"), a mapping file that translates values, "Ack. utfall 2025", extern finansiering
written as income (minus), a section heading that names the class, and the year row under a merged outturn."""

from __future__ import annotations

import openpyxl
import pytest

from conftest import MODELS_DIR
from invest.base.findings import InputError
from invest.excel.mapping import load_mapping
from invest.excel.reader import read_plan
from invest.params.parameters import Models


@pytest.fixture(scope="module")
def models():
    return Models.load(MODELS_DIR)


def _workbook(path, rows):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Investeringar"
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


HEADER = ["Projekt", "Typ av tillgång", "Klart år", "Ack. utfall 2025", 2026, 2027, "Extern finansiering"]


def test_class_words_in_the_class_column_are_translated_with_a_warning(tmp_path, models):
    path = _workbook(tmp_path / "p.xlsx", [
        ["Kulturnämndens investeringsplan (mnkr)"], HEADER,
        ["Nytt kulturhus", "Byggnad", 2027, 10, 50, 40, -20],
        ["Spårväg City, förlängning", "Spåranläggning", 2027, 0, 30, 30, None],
        ["Tjänstebilar", "Fordon", 2026, 0, 2, 0, None],
    ])
    plan = read_plan(path, models)
    got = {o.namn: o for o in plan.objects}
    assert {n: o.tillgangsklass for n, o in got.items()} == {
        "Nytt kulturhus": "fastighet", "Spårväg City, förlängning": "kollektivtrafik", "Tjänstebilar": "fordon"}
    warnings = "\n".join(map(str, plan.warnings))
    assert 'tillgångsklass "Byggnad" tolkad som "fastighet"' in warnings
    assert dict(got["Nytt kulturhus"].utgifter)[2025] == pytest.approx(10)  # "Ack. utfall 2025" is the outturn
    assert plan.outturn_year == 2025
    assert got["Nytt kulturhus"].total_medfinansiering == pytest.approx(20)  # written as income, read as an amount
    assert "medfinansieringen står med minustecken" in warnings


def test_an_unknown_class_word_names_the_object_and_a_mapping_file_translates_it(tmp_path, models):
    path = _workbook(tmp_path / "p.xlsx", [
        ["Kulturnämnden – investeringar"], HEADER,
        ["Offentlig konst, Slussen", "Konst", 2026, 0, 5, 0, None],
    ])
    with pytest.raises(InputError) as exc:
        read_plan(path, models)
    message = "\n".join(map(str, exc.value.findings))
    assert 'okänd tillgångsklass "Konst" för "Offentlig konst, Slussen"' in message and "varden:" in message
    mapping = tmp_path / "kolumner.yaml"
    mapping.write_text('varden:\n  tillgangsklass:\n    "Konst": inventarier\n', encoding="utf-8")
    plan = read_plan(path, models, load_mapping(mapping))
    assert plan.objects[0].tillgangsklass == "inventarier"


def test_a_section_heading_that_names_a_class_gives_it(tmp_path, models):
    path = _workbook(tmp_path / "p.xlsx", [
        ["Regionstyrelsens investeringar, mnkr"], ["Objekt", 2026, 2027],
        ["Medicinteknisk utrustning"], ["MR-kamera Visby", 12, 0],
        ["Fastigheter"], ["Tandvårdsklinik Visby", 5, 20],
    ])
    plan = read_plan(path, models)
    assert {o.namn: o.tillgangsklass for o in plan.objects} == {"MR-kamera Visby": "medicinteknik",
                                                                 "Tandvårdsklinik Visby": "fastighet"}
    assert any('ur avsnittets rubrik "Medicinteknisk utrustning"' in str(w) for w in plan.warnings)


def test_the_year_row_is_the_row_naming_most_years(tmp_path):
    """"Utfall t.o.m. 2025" merged over both header rows, the years in the lower one: the lower is the year row."""
    from click.testing import CliRunner

    from invest.cli import main

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["Trafiknämndens investeringsplan, mnkr"])
    ws.append(["Objekt", "Tillgångsklass", "Utfall t.o.m. 2025", "Budget", "Plan"])
    ws.append([None, None, None, 2026, 2027])
    for c in "ABC":
        ws.merge_cells(f"{c}2:{c}3")
    ws.append(["Depå", "kollektivtrafik", 5, 10, 20])
    wb.save(tmp_path / "p.xlsx")
    result = CliRunner().invoke(main, ["importera", str(tmp_path / "p.xlsx"), "-o", str(tmp_path / "u"),
                                       "--forklara"])
    assert result.exit_code == 0, result.output
    assert "Rubrikområde: rad 2–3 (åren på rad 3)" in result.stdout
