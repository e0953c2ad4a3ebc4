"""`invest importera` never writes a plan the other commands reject: the written plan is read back with the reader
every command uses and computed before it is put in place; its errors are printed at the source cell, exit 2, and
nothing is left in the output folder. Texts a workbook cannot hold as they are refuse the import at their cell."""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from conftest import ROOT
from hostile import assert_refused, run_bounded

PLAN = ROOT / "data" / "investeringsplan" / "investeringsplan.xlsx"
TITLE = ["Kulturnämnden, investeringar (mnkr)"]


def _workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    """A nämnd's workbook; texts always stored as texts (xlsxwriter keeps a control character, as _x000B_)."""
    book = xlsxwriter.Workbook(path)
    for title, rows in sheets.items():
        ws = book.add_worksheet(title)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, str):
                    ws.write_string(r, c, value)
                elif value is not None:
                    ws.write_number(r, c, value)
    book.close()
    return path


def _nothing_written(folder: Path) -> None:
    assert not folder.exists() or not any(folder.iterdir()), sorted(folder.iterdir())


def test_an_id_with_a_semicolon_that_another_object_depends_on_is_refused_at_the_source(tmp_path):
    """The Beroenden sheet may name any id, but the template's beroenden column splits at , and ; — the written plan
    would depend on "A" and "B", which do not exist, and every command would refuse it."""
    source = _workbook(tmp_path / "kultur.xlsx", {
        "Investeringar": [TITLE, ["id", "Projekt", "Typ av tillgång", "Klart år", 2026, 2027],
                          ["A;B", "Konsthall", "Fordon", 2027, 10, 10],
                          ["C", "Bokbuss", "Fordon", 2027, 10, 10]],
        "Beroenden": [["id", "beror_pa", "fordrojning_manader"], ["C", "A;B", 0]],
    })
    outcome = run_bounded(["importera", source, "-o", tmp_path / "ut"], name="importera-semikolon-i-id")
    line = assert_refused(outcome, "kultur.xlsx:Investeringar!rad 4", 2, ("beror på", "importerade innehållet"))
    assert "skrivna planen Objekt!K3" in line
    _nothing_written(tmp_path / "ut")


def test_a_control_character_in_a_name_is_refused_at_its_cell(tmp_path):
    source = _workbook(tmp_path / "kultur.xlsx", {
        "Investeringar": [TITLE, ["Projekt", "Typ av tillgång", "Klart år", 2026, 2027],
                          ["Konsthall\x0bnorr", "Fordon", 2027, 10, 10]],
    })
    outcome = run_bounded(["importera", source, "-o", tmp_path / "ut"], name="importera-styrtecken")
    assert_refused(outcome, "kultur.xlsx:Investeringar!A3", 2, ("styrtecknet U+000B",))
    _nothing_written(tmp_path / "ut")


def test_a_text_longer_than_an_excel_cell_is_refused_at_its_cell(tmp_path):
    """A mapping file's word may make a text longer than Excel's 32 767 characters per cell."""
    source = _workbook(tmp_path / "kultur.xlsx", {
        "Investeringar": [TITLE, ["Projekt", "Typ av tillgång", "Klart år", 2026, 2027],
                          ["Konsthall", "Fordon", 2027, 10, 10]],
    })
    mapping = tmp_path / "ord.yaml"
    mapping.write_text(f'varden:\n  namn:\n    Konsthall: "{"x" * 40_000}"\n', encoding="utf-8")
    outcome = run_bounded(["importera", source, "-o", tmp_path / "ut", "--mapping", mapping],
                          name="importera-for-lang-text")
    assert_refused(outcome, "kultur.xlsx:Investeringar!A3", 2, ("40\u00a0000 tecken", "32\u00a0767"))
    _nothing_written(tmp_path / "ut")


def test_the_default_plan_imports_reads_back_and_computes(tmp_path):
    """The read-back passes a real plan (and what it costs shows in the time)."""
    outcome = run_bounded(["importera", PLAN, "-o", tmp_path / "ut"], name="importera-standardplanen")
    assert outcome.code == 0, outcome.output[-2000:]
    assert [p.name for p in (tmp_path / "ut").iterdir()] == ["investeringsplan_plan.xlsx"]
    again = run_bounded(["berakna", tmp_path / "ut" / "investeringsplan_plan.xlsx", "--format", "csv"],
                        name="berakna-importerad-standardplan")
    assert again.code == 0, again.output[-2000:]


def test_an_object_that_does_not_come_back_is_refused_at_its_source_row(tmp_path, monkeypatch):
    """The read-back also compares: a writer that lost an object (here made to) is caught, at that object's row."""
    from dataclasses import replace

    from click.testing import CliRunner

    import invest.excel.template as template
    from invest.cli import main

    source = _workbook(tmp_path / "kultur.xlsx", {
        "Investeringar": [TITLE, ["id", "Projekt", "Typ av tillgång", "Klart år", 2026, 2027],
                          ["A", "Konsthall", "Fordon", 2027, 10, 10], ["B", "Bokbuss", "Fordon", 2027, 10, 10]],
    })
    writes = template.plan_to_workbook
    monkeypatch.setattr(template, "plan_to_workbook",
                        lambda plan, *args, **kwargs: writes(replace(plan, objects=plan.objects[:1]), *args, **kwargs))
    result = CliRunner().invoke(main, ["importera", str(source), "-o", str(tmp_path / "ut")])
    assert result.exit_code == 2, result.output
    assert 'kultur.xlsx:Investeringar!A4: fel: objektet "B" kom inte tillbaka likadant' in result.output, result.output
    _nothing_written(tmp_path / "ut")
