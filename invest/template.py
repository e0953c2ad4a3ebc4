"""Writing a plan workbook in the template format (the format every command reads)."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from .atomic import atomic_path
from . import vocabulary as v
from .xlsx_writer import write_table

OBJECT_HEADERS = ["id", "namn", "organisation", "verksamhetsområde", "kategori", "investeringstyp", "skede",
                  "tillgångsklass", "driftsättning", "medfinansiering", "beroenden"]


def write_plan_workbook(path: Path, years: list[int], outturn_year: int | None, objects: list[dict],
                        components: list[dict] = (), cofinancing: list[dict] = (), dependencies: list[dict] = (),
                        region: list[dict] = (), balance: dict | None = None, existing: list[dict] = ()) -> None:
    """`objects`: dicts with the OBJECT_HEADERS keys in ASCII (verksamhetsomrade, …) and `utgifter` {year: mnkr}."""
    wb = Workbook()
    ws = wb.active
    ws.title = v.OBJECT_SHEET
    spend_headers = ([f"t.o.m. {outturn_year}"] if outturn_year else []) + [str(y) for y in years]
    spend_keys = ([outturn_year] if outturn_year else []) + list(years)
    keys = [v.normalize(h) for h in OBJECT_HEADERS]
    rows = [[o.get(k) for k in keys] + [o.get("utgifter", {}).get(y) for y in spend_keys] for o in objects]
    write_table(ws, OBJECT_HEADERS + spend_headers, rows,
                ["text"] * 9 + ["mnkr", "text"] + ["mnkr"] * len(spend_keys))
    for title, headers, data, formats in (
        (v.COMPONENT_SHEET, ["id", "komponent", "andel", "nyttjandeperiod"], components, ["text", "text", "tal", "tal"]),
        (v.COFINANCING_SHEET, ["id", "part", "belopp", "ar"], cofinancing, ["text", "text", "mnkr", "ar"]),
        (v.DEPENDENCY_SHEET, ["id", "beror_pa", "fordrojning_manader"], dependencies, ["text", "text", "tal"]),
        (v.REGION_SHEET, list(v.REGION_COLUMNS), region, ["ar"] + ["mnkr"] * (len(v.REGION_COLUMNS) - 1)),
        (v.EXISTING_SHEET, ["tillgangsklass", "bokfort_varde", "aterstaende_nyttjandeperiod"], existing,
         ["text", "mnkr", "tal"]),
    ):
        if data:
            write_table(wb.create_sheet(title), headers, [[d.get(h) for h in headers] for d in data], formats)
    if balance:
        write_table(wb.create_sheet(v.REGION_BALANCE_SHEET), ["post", "belopp", "kalla"],
                    [[k, val, (balance.get("kallor") or {}).get(k, "")] for k, val in balance.items() if k != "kallor"],
                    ["text", "tal", "text"])
    with atomic_path(Path(path)) as tmp:
        wb.save(tmp)
