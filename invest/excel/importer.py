"""The one importer every command reads plans through: from the template's `Objekt` sheet, or from every visible
sheet of a nämnd's workbook in its own layout, to investment objects in mnkr with their cells' locations. Each
sheet goes scan → header band and layout → rows → objects (invest.excel.sheet_objects) → varav checks."""

from __future__ import annotations

from dataclasses import dataclass

from invest.base.findings import error, errors, warning
from invest.excel.archive import unreadable
from invest.excel.import_defaults import Defaults
from invest.excel.mapping import ColumnMapping
from invest.excel.sheet_layout import HEADER_SEARCH_ROWS, find_layout
from invest.excel.sheet_objects import build_objects
from invest.excel.sheet_reading import sheet_reading, skipped
from invest.excel.sheet_rows import read_rows
from invest.excel.sheet_scan import scan_sheet
from invest.excel.varav import check_varav
from invest.excel.workbook import SheetUnreadable
from invest.plan import vocabulary as v
from invest.plan.records import InvestmentObject

SIDE_SHEETS = {v.normalize(s) for s in (v.COMPONENT_SHEET, v.COFINANCING_SHEET, v.DEPENDENCY_SHEET, v.REGION_SHEET,
                                        v.REGION_BALANCE_SHEET, v.EXISTING_SHEET, v.PUBLISHED_SHEET,
                                        "Instruktioner", "Listor", "Antaganden")}


@dataclass(frozen=True)
class ImportedObjects:
    objects: tuple[InvestmentObject, ...]
    plan_years: tuple[int, ...]
    outturn_year: int | None


# the sheets found by their normalised name (invest.excel.sheet_records.find_sheet, and Objekt here): two sheets
# with one of these names would leave one of them unread
ROLE_SHEETS = (v.OBJECT_SHEET, v.COMPONENT_SHEET, v.COFINANCING_SHEET, v.DEPENDENCY_SHEET, v.REGION_SHEET,
               v.REGION_BALANCE_SHEET, v.EXISTING_SHEET, v.PUBLISHED_SHEET)


def same_role(workbook, file: str) -> list:
    """An error for each pair of sheets whose names are one of ROLE_SHEETS once normalised (`Objekt` and `OBJEKT`,
    `Region` and `region `): only one of them would be read."""
    roles = {v.normalize(r): r for r in ROLE_SHEETS}
    seen: dict[str, str] = {}
    found = []
    for title in workbook.sheetnames:
        key = v.normalize(title)
        if key in roles and key in seen:
            found.append(error(f"{file}:{title}", f'bladen "{seen[key]}" och "{title}" har samma namn för invest '
                                                  f"({roles[key]}; stora och små bokstäver och mellanslag räknas inte) "
                                                  "och bara det ena skulle läsas; byt namn på eller ta bort det ena"))
        seen.setdefault(key, title)
    return found


def object_sheets(workbook, file: str, problems: list, readings: list) -> tuple[list, bool]:
    """The sheets holding objects and whether the workbook is in the template format (it has an Objekt sheet)."""
    problems.extend(same_role(workbook, file))
    titles = {v.normalize(t): t for t in reversed(workbook.sheetnames)}  # the first of a name, as find_sheet
    template = titles.get(v.normalize(v.OBJECT_SHEET))
    chosen = []
    for title in ([template] if template else workbook.sheetnames):
        ws = workbook[title]
        if not template and v.normalize(title) in SIDE_SHEETS:
            readings.append(skipped(title, "ett av mallens sidoblad (läses för sig)"))
            continue
        if not hasattr(ws, "iter_rows"):
            problems.append(warning(f"{file}:{title}", "bladet är ett diagramblad och läses inte"))
            readings.append(skipped(title, "diagramblad"))
        elif ws.sheet_state != "visible":
            problems.append(warning(f"{file}:{title}", "bladet är dolt och läses inte (visa bladet i Excel om det "
                                                        "ska importeras)"))
            readings.append(skipped(title, "dolt blad"))
        else:
            chosen.append(ws)
    return chosen, template is not None


def import_objects(workbook, file: str, defaults: Defaults, mapping: ColumnMapping, side: dict,
                   problems: list, readings: list | None = None) -> ImportedObjects:
    """Every object sheet's objects; `readings` (when given) gets how each sheet was read (--forklara)."""
    readings = [] if readings is None else readings
    sheets, template = object_sheets(workbook, file, problems, readings)
    objects, years, outturn, tables = [], set(), {}, 0
    for ws in sheets:
        where = f"{file}:{ws.title}"
        try:
            rows = list(ws.iter_rows(values_only=True))
            scan = scan_sheet(ws)
        except Exception as exc:  # reading a sheet raises SheetUnreadable, its finding at the sheet or cell
            problems.extend(exc.findings if isinstance(exc, SheetUnreadable) else [error(where, unreadable(exc))])
            readings.append(skipped(ws.title, "bladet kan inte läsas"))
            continue
        layout = find_layout(rows, scan, where, mapping, problems, 1 if template else HEADER_SEARCH_ROWS)
        if layout is None:
            if template or not rows:
                problems.append(error(f"{where}!rad 1", "inga årskolumner i rubrikraden (väntat rubriker som 2026, "
                                                         "2027, … och ev. \"t.o.m. 2025\")" if rows else
                                      "bladet är tomt (väntat en rubrikrad med år och en rad per objekt)"))
            else:
                problems.append(warning(where, "bladet har ingen tabell med årskolumner och läses inte"))
            readings.append(skipped(ws.title, "ingen rad med årskolumner bland de första "
                                              f"{1 if template else HEADER_SEARCH_ROWS} raderna" if rows else "tomt"))
            continue
        if not layout.unit_given and not template:
            problems.append(warning(f"{where}!rad {layout.header_row}", "ingen enhet anges (tkr, mnkr eller mdkr) i "
                                                                         "rubriker eller rubrikrader; beloppen antas vara mnkr"))
        elif layout.unit != "mnkr":
            problems.append(warning(f"{where}!rad {layout.header_row}",
                                    f"beloppen är i {layout.unit} och räknas om till mnkr (× {layout.factor:g})".replace(".", ",")))
        if not any(a.kind.kind != "utfall" for a in layout.amounts):
            problems.append(error(f"{where}!rad {layout.header_row}", "bara utfall före planperioden, inga årskolumner "
                                                                       "(väntat rubriker som 2026, 2027, …)"))
            continue
        tables += 1
        sheet_rows = read_rows(rows, scan, layout, where, problems)
        built = build_objects(sheet_rows, layout, ws.title, file, template, defaults, mapping, side, problems)
        readings.append(sheet_reading(ws.title, layout, sheet_rows, defaults))
        check_varav(sheet_rows, built, layout, where, problems)
        objects.extend(built)
        years.update(y for a in layout.amounts if a.kind.kind != "utfall" for y in a.years)
        for a in layout.amounts:
            if a.kind.kind == "utfall":
                outturn.setdefault(a.kind.first, f"{where}!{a.letter}{layout.header_row}")
    if not tables and not errors(problems):
        problems.append(error(file, "arbetsboken har ingen tabell med objekt (väntat ett blad med en rubrikrad med år "
                                    "och en rad per objekt; `invest mall` skriver en mall)"))
    elif not objects and not errors(problems):
        problems.append(warning(file, "planen har inga objekt; bara regionens befintliga kapitalkostnader räknas"))
    if len(outturn) > 1:
        problems.append(error(file, "bladen har utfall till olika år: " + ", ".join(f"t.o.m. {y} i {w}"
                                                                                    for y, w in sorted(outturn.items()))))
    return ImportedObjects(tuple(objects), tuple(sorted(years)), min(outturn) if outturn else None)
