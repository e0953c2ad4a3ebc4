"""A finding is one line: text from the input (an id with a line break, an escape sequence) cannot start a line of
its own that reads as another finding or colours the terminal."""

from __future__ import annotations

import openpyxl

from hostile import run_bounded
from invest.base.findings import error, visible

FORGED = "A\nfalsk.xlsx:Objekt!Z9: fel: förfalskat meddelande"  # a sheet cannot hold an escape character


def test_control_characters_are_shown_as_escapes():
    assert visible("A\nB\r\tC\x1b[31m\u2028") == "A\\nB\\r\\tC\\x1b[31m\\u2028"
    assert str(error("f.xlsx:Objekt!A3", f'id "{FORGED}\x1b[2J"')).count("\n") == 0


def test_an_id_with_a_line_break_cannot_forge_a_finding(tmp_path):
    path = tmp_path / "plan.xlsx"
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Objekt"
    sheet.append(["id", "namn", "tillgångsklass", "driftsättning", "2026", "2027"])
    sheet.append([FORGED, "Depå", "kollektivtrafik", "2027", 100, 100])
    sheet.append([FORGED, "Vagnar", "kollektivtrafik", "2027", 100, 100])
    book.save(path)
    outcome = run_bounded(["validera", path], name="id med radbrytning")
    assert outcome.code == 1, outcome.output
    assert not [line for line in outcome.output.splitlines() if line.startswith("falsk.xlsx")], outcome.output
    assert any(line.startswith("plan.xlsx:Objekt!A3: fel: ") and "\\nfalsk.xlsx" in line
               for line in outcome.output.splitlines()), outcome.output
