"""The verksamhetsområden come from models/import/verksamhetsomraden.yaml, not from code: a kommun's own areas are
checked, listed in the template's drop-down, order the report's table and get the drawing's colours; an object
without an area is a warning at its cell and its own group in the report."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import MODELS_DIR, build_plan
from inmemory import make_plan, with_parameter
from invest.analyses.breakdown import budget_shape
from invest.cli import main
from invest.engine.calculation import calculate
from invest.outputs.dependency_layout import OTHER_COLOUR, PALETTE, area_colours
from invest.plan.checks import check_plan
from invest.plan.vocabulary import NO_AREA

KOMMUN = ("Skola", "Vård och omsorg", "Samhällsbyggnad")
KOMMUN_YAML = """beskrivning: Kommunens verksamhetsområden.
enhet: lista
varden:
  2024-01-01:
    varde: [Skola, Vård och omsorg, Samhällsbyggnad]
    kalla: Kommunens budget, investeringsplanen.
"""
OBJECTS = [  # rows 2, 3, 4 of the Objekt sheet; column D is verksamhetsområde
    {"id": "S1", "namn": "Ny skola", "verksamhetsomrade": "Skola", "tillgangsklass": "fastighet",
     "driftsattning": "2028", "utgifter": {2026: 50, 2027: 50}},
    {"id": "K1", "namn": "Depå", "verksamhetsomrade": "Kollektivtrafik", "tillgangsklass": "kollektivtrafik",
     "driftsattning": "2029", "beroenden": "S1", "utgifter": {2027: 20, 2028: 20}},
    {"id": "X1", "namn": "Okänt objekt", "tillgangsklass": "inventarier", "driftsattning": "2027",
     "utgifter": {2026: 5}},
]


@pytest.fixture
def kommun_models(tmp_path):
    """A copy of models/ with the kommun's own verksamhetsområden."""
    folder = tmp_path / "kommun_models"
    shutil.copytree(MODELS_DIR, folder)
    (folder / "import" / "verksamhetsomraden.yaml").write_text(KOMMUN_YAML, encoding="utf-8")
    return folder


def test_the_bundled_areas_are_region_stockholms_with_a_source(models):
    assert models.areas(2026) == ("Hälso- och sjukvård", "Kollektivtrafik", "Fastigheter", "Service", "Övrig verksamhet")
    assert "Tabell 20" in models.params["import/verksamhetsomraden"].at(2026).source


def test_a_kommuns_areas_are_checked_and_a_missing_area_is_a_warning_at_its_cell(tmp_path, kommun_models):
    plan = build_plan(tmp_path / "plan.xlsx", OBJECTS)
    result = CliRunner().invoke(main, ["validera", str(plan), "--models", str(kommun_models)])
    assert result.exit_code == 0, result.output
    assert '"Skola"' not in result.output
    assert ('plan.xlsx:Objekt!D3: varning: verksamhetsomrade "Kollektivtrafik" är okänt (väntat en av Skola, '
            "Vård och omsorg, Samhällsbyggnad)") in result.output
    assert ('plan.xlsx:Objekt!D4: varning: verksamhetsområde saknas för "X1" (väntat en av Skola, Vård och omsorg, '
            f'Samhällsbyggnad); objektet redovisas som "{NO_AREA}" i rapporten') in result.output
    # the bundled models: Kollektivtrafik is one of the region's areas, Skola is not
    bundled = CliRunner().invoke(main, ["validera", str(plan)]).output
    assert 'verksamhetsomrade "Skola" är okänt' in bundled and '"Kollektivtrafik" är okänt' not in bundled


def test_the_check_reads_the_models_list(models):
    kommun = with_parameter(models, "import/verksamhetsomraden", KOMMUN)
    found = [f.message for f in check_plan(make_plan(OBJECTS), kommun)]
    assert not any('"Skola"' in m for m in found)
    assert sum('verksamhetsomrade "Kollektivtrafik" är okänt' in m for m in found) == 1
    assert sum('verksamhetsområde saknas för "X1"' in m for m in found) == 1


def test_the_template_lists_the_kommuns_areas(tmp_path, kommun_models):
    target = tmp_path / "investeringsplan_mall.xlsx"
    result = CliRunner().invoke(main, ["mall", "-o", str(tmp_path), "--models", str(kommun_models)])
    assert result.exit_code == 0, result.output
    wb = openpyxl.load_workbook(target)
    lists = {str(dv.sqref).split(":")[0][0]: dv.formula1 for dv in wb["Objekt"].data_validations.dataValidation}
    assert lists["D"] == '"Skola,Vård och omsorg,Samhällsbyggnad"'
    instructions = {r[0]: r[1] for r in wb["Instruktioner"].iter_rows(values_only=True)}
    assert "Skola, Vård och omsorg, Samhällsbyggnad" in instructions["verksamhetsområde"]
    assert "Kollektivtrafik" not in instructions["verksamhetsområde"]


def test_the_report_orders_by_the_models_list_and_shows_objects_without_an_area_last(models):
    kommun = with_parameter(models, "import/verksamhetsomraden", KOMMUN)
    objects = [{**o, "beroenden": ""} for o in OBJECTS] + [
        {"id": "V1", "namn": "Äldreboende", "verksamhetsomrade": "Vård och omsorg", "tillgangsklass": "fastighet",
         "driftsattning": "2029", "utgifter": {2028: 10}}]
    _, rows = budget_shape(calculate(make_plan(objects), kommun))
    assert [r[0] for r in rows][:5] == ["Skola", "Vård och omsorg", "Kollektivtrafik", NO_AREA, "TOTALT"]
    assert rows[3][-1] == pytest.approx(5)  # X1's spend, in its own visible group


def test_the_drawing_colours_the_kommuns_areas_in_their_order(tmp_path, kommun_models):
    assert area_colours(KOMMUN) == dict(zip(KOMMUN, PALETTE))
    assert len(set(area_colours(tuple(f"Område {i}" for i in range(len(PALETTE)))).values())) == len(PALETTE)
    plan = build_plan(tmp_path / "plan.xlsx", OBJECTS)
    dot = CliRunner().invoke(main, ["beroenden", str(plan), "--format", "dot", "--models", str(kommun_models)]).output
    assert f'"S1" [label="S1 2028", fillcolor="{PALETTE[0]}"' in dot
    assert f'"K1" [label="K1 2029", fillcolor="{OTHER_COLOUR}"' in dot
    result = CliRunner().invoke(main, ["beroenden", str(plan), "--format", "png", "--utdata", str(tmp_path / "ut"),
                                       "--models", str(kommun_models)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "ut" / "beroenden.png").stat().st_size > 0
