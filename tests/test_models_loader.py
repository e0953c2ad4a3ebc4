"""The strict models/ loader: one tiny broken file per failure mode, each named by file and line."""

from __future__ import annotations

import shutil

import pytest
from click.testing import CliRunner

from invest.cli import main
from conftest import MODELS_DIR
from invest.base.findings import InputError
from invest.params.loader import load_models

GOOD = """beskrivning: Internränta.
enhet: andel
varden:
  2024-01-01:
    varde: 0.025
    kalla: SKR.
"""

BROKEN = {
    "okand-nyckel": (GOOD.replace("    kalla: SKR.", "    kalla: SKR.\n    kommentar: x"), 7, 'okänd nyckel "kommentar"'),
    "felaktigt-datum": (GOOD.replace("2024-01-01", "2024-13-01"), 4, '"2024-13-01" är inget datum'),
    "inte-datum": (GOOD.replace("2024-01-01", "snart"), 4, '"snart" är inget datum'),
    "fel-typ": (GOOD.replace("0.025", "tva procent"), 5, "varde ska vara ett tal"),
    "saknar-kalla": (GOOD.replace("    kalla: SKR.\n", ""), 5, "saknar källa"),
    "okand-toppnyckel": ("enhetx: andel\n" + GOOD, 1, 'okänd nyckel "enhetx"'),
    "okant-val": ("beskrivning: x\nenhet: val\ntillatna: [a, b]\nvarden:\n  2024-01-01:\n    varde: c\n    kalla: y\n",
                  6, "värdet 'c' är inte tillåtet"),
    "komponentandelar": ("beskrivning: x\nenhet: komponenter\nvarden:\n  2024-01-01:\n    varde:\n"
                         "      - {komponent: a, andel: 0.5, nyttjandeperiod: 10}\n    kalla: y\n",
                         6, "summerar till 0.5, väntat 1"),
    "ogiltig-yaml": ("beskrivning: [x\n", 2, "ogiltig YAML"),
    "lista-tom": ("beskrivning: x\nenhet: lista\nvarden:\n  2024-01-01:\n    varde: []\n    kalla: y\n",
                  5, "varde ska vara en lista med namn"),
    "lista-inte-text": ("beskrivning: x\nenhet: lista\nvarden:\n  2024-01-01:\n    varde:\n      - Skola\n      - 3\n"
                        "    kalla: y\n", 7, "varje namn i listan ska vara en text, fick 3"),
    "lista-dubblett": ("beskrivning: x\nenhet: lista\nvarden:\n  2024-01-01:\n    varde:\n      - Skola\n      - Skola\n"
                       "    kalla: y\n", 7, 'namnet "Skola" förekommer två gånger i listan'),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_broken_parameter_file(tmp_path, case):
    text, line, message = BROKEN[case]
    (tmp_path / "p.yaml").write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        load_models(tmp_path)
    assert any(f.location == f"{tmp_path / 'p.yaml'}:{line}" and message in f.message for f in exc.value.findings), \
        [str(f) for f in exc.value.findings]


def test_good_file_loads(tmp_path):
    (tmp_path / "internranta.yaml").write_text(GOOD, encoding="utf-8")
    p = load_models(tmp_path)["internranta"]
    assert p.at(2030).value == 0.025 and p.at(2030).source == "SKR."


def test_project_models_have_a_source_on_every_value():
    params = load_models(MODELS_DIR)
    assert {"tillgangsklasser/it", "tillgangsklasser/medicinteknik", "tillgangsklasser/kollektivtrafik",
            "tillgangsklasser/fastighet", "tillgangsklasser/mark"} <= set(params)
    lives = {n: p.values[-1].value for n, p in params.items() if n.startswith("tillgangsklasser/")}
    assert [c[2] for c in lives["tillgangsklasser/it"]] == [4]
    assert [c[2] for c in lives["tillgangsklasser/medicinteknik"]] == [7]
    assert [c[2] for c in lives["tillgangsklasser/kollektivtrafik"]] == [25]
    assert [c[2] for c in lives["tillgangsklasser/fastighet"]] == [35]
    assert [c[2] for c in lives["tillgangsklasser/mark"]] == [0]
    assert params["riktlinjer/kapitalkostnadsandel"].at(2026).value == 0.08
    assert params["riktlinjer/skuldandel"].at(2026).value == 0.5
    assert params["ranta/internranta"].at(2024).value == 0.025 and params["ranta/internranta"].at(2025).value == 0.025
    for p in params.values():
        assert all(v.source or v.assumption for v in p.values), p.name


def test_cli_reports_broken_models_with_exit_2(tmp_path):
    models = tmp_path / "models"
    shutil.copytree(MODELS_DIR, models)
    (models / "ranta" / "internranta.yaml").write_text(GOOD.replace("0.025", "hög"), encoding="utf-8")
    result = CliRunner().invoke(main, ["berakna", "--models", str(models)])
    assert result.exit_code == 2
    assert f"{models / 'ranta' / 'internranta.yaml'}:5" in result.stderr and "Traceback" not in result.output
