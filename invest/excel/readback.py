"""What `importera` needs to trust the plan it wrote: the imported texts a workbook cannot hold exactly, and where a
finding in the written plan comes from in the nämnd's workbook (the source cell a planner can correct)."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import openpyxl
from openpyxl.utils import column_index_from_string

from invest.base.findings import Finding, error
from invest.excel.template import OBJECT_HEADERS
from invest.excel.writer import text_problem
from invest.plan import vocabulary as v
from invest.plan.records import Plan

READ_BACK_NOTE = "felet kommer från det importerade innehållet; ingen plan skrevs"
_WRITTEN_PLACE = re.compile(r"^[^:]*:(?P<sheet>[^!]+)!(?:(?P<col>[A-Z]+)(?P<row>\d+)|rad (?P<line>\d+))")

_TEXT_FIELDS = ("id", "namn", "organisation", "verksamhetsomrade", "kategori", "investeringstyp", "skede",
                "tillgangsklass")


def unstorable_texts(plan: Plan) -> list[Finding]:
    """The imported texts a workbook cannot hold as they are (longer than Excel's cell, or a control character), at
    their source cells: the written plan must say exactly what the nämnd's workbook says."""
    found = []
    for o in plan.objects:
        texts = [(name, getattr(o, name)) for name in _TEXT_FIELDS]
        texts += [("beroenden", d.pa) for d in o.beroenden] + [("komponent", c.name) for c in o.komponenter or ()]
        texts += [("medfinansiering", c.part) for c in o.medfinansiering]
        for name, text in texts:
            if isinstance(text, str) and (problem := text_problem(text)):
                found.append(error(o.source.at(name), f"{name}: {problem}; planen skrevs inte"))
    return found


def at_sources(findings: list[Finding], written: Path, plan: Plan) -> list[Finding]:
    """Each finding in the written plan (`<tmp>.xlsx:Objekt!K3`) moved to the source cell its value came from
    (`namnd.xlsx:Investeringar!G4`), or to the source file when no object is known; the written place is kept in
    the message. The written workbook is opened once, and only when a finding is on a side sheet."""
    sources = {o.id: o.source.at("id") for o in plan.objects}
    side_ids: list[dict[str, dict[int, object]]] = []  # sheet -> row -> the id in column A, read once if needed

    def side_source(sheet: str, row: int) -> str | None:
        if not side_ids:
            side_ids.append(_side_sheet_ids(written))
        return sources.get(side_ids[0].get(sheet, {}).get(row))

    return [_at_source(f, written, plan, side_source) for f in findings]


def _at_source(finding: Finding, written: Path, plan: Plan, side_source) -> Finding:
    found = _WRITTEN_PLACE.match(finding.location)
    place, where = plan.file, finding.location.removeprefix(written.name).lstrip(":") or "hela filen"
    if found:
        row = int(found["row"] or found["line"])
        if found["sheet"] == v.OBJECT_SHEET and 0 <= row - 2 < len(plan.objects):
            obj, field = plan.objects[row - 2], None
            if found["col"]:
                index = column_index_from_string(found["col"]) - 1
                spend = [str(y) for y in ([plan.outturn_year] if plan.outturn_year else []) + list(plan.plan_years)]
                names = [v.normalize(h) for h in OBJECT_HEADERS] + spend
                field = names[index] if index < len(names) else None
            place = obj.source.at(field)
        elif found["sheet"] != v.OBJECT_SHEET:
            place = side_source(found["sheet"], row) or place
    return replace(finding, location=place,
                   message=f"{finding.message} (i den skrivna planen {where}; {READ_BACK_NOTE})")


def _side_sheet_ids(written: Path) -> dict[str, dict[int, object]]:
    """Column A of every side sheet of the written plan, by sheet and row (the id each row belongs to)."""
    book = openpyxl.load_workbook(written, read_only=True)
    try:
        return {name: {row: values[0] for row, values in enumerate(book[name].iter_rows(max_col=1, values_only=True),
                                                                   start=1)}
                for name in book.sheetnames if name != v.OBJECT_SHEET}
    finally:
        book.close()
