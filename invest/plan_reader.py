"""Reads a plan in the template format (sheet Objekt and optional sheets) into a Plan, or every problem."""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import replace
from pathlib import Path

from .cells import CellError, parse_text, read_table, value_at
from .findings import Finding, InputError, error, errors
from .headers import FIRST_YEAR, LAST_YEAR, classify_header
from .parameters import Models
from .plan import CoFinancing, Driftsattning, InvestmentObject, Plan, Source
from .sheet_records import columns, find_sheet, number
from .side_sheets import read_cofinancing, read_components, read_dependencies, read_region
from . import vocabulary as v
from .validation import check_plan

_DRIFT = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")


def parse_driftsattning(value) -> Driftsattning:
    expected = "väntat ÅÅÅÅ, ÅÅÅÅ-MM eller löpande"
    if value is None or str(value).strip() == "":
        raise CellError(f"driftsättning saknas ({expected})")
    if isinstance(value, (dt.datetime, dt.date)):
        return Driftsattning(value.year, value.month)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
    text = str(value).strip()
    if v.normalize(text) in ("lopande", "lopande_pott"):
        return Driftsattning(None, None, lopande=True)
    m = _DRIFT.match(text)
    if not m:
        raise CellError(f'driftsättning "{text}" är inget giltigt datum ({expected})')
    year, month = int(m.group(1)), m.group(2)
    if not FIRST_YEAR <= year <= LAST_YEAR or (month is not None and not 1 <= int(month) <= 12):
        raise CellError(f'driftsättning "{text}" är inget giltigt datum ({expected})')
    return Driftsattning(year, int(month) if month else None)


def read_plan(path: Path, models: Models) -> Plan:
    """The plan in `path`; raises InputError listing every error (warnings travel on Plan.warnings)."""
    from .workbook import open_workbook

    path = Path(path)
    workbook = open_workbook(path)
    file = path.name
    try:
        return _read(workbook, file, models)
    finally:
        workbook.close()


def _read(workbook, file: str, models: Models) -> Plan:
    problems: list[Finding] = []
    ws = find_sheet(workbook, v.OBJECT_SHEET)
    if ws is None:
        raise InputError([error(file, f'bladet "{v.OBJECT_SHEET}" saknas (hittade: {", ".join(workbook.sheetnames)}); '
                                      "skapa en mall med `invest mall`")])
    table = read_table(ws, file, ws.title)
    cols = columns(table, v.OBJECT_COLUMNS, ("id", "driftsattning"), problems)
    year_cols: list[tuple[int, int, str]] = []  # (year, column index, letter)
    outturn: list[tuple[int, int, str]] = []
    for index, letter, raw in table.headers:
        kind = classify_header(raw)
        if kind:
            (year_cols if kind[0] == "ar" else outturn).append((kind[1], index, letter))
    if not year_cols:
        problems.append(error(table.where(row=table.header_row),
                              "inga årskolumner i rubrikraden (väntat rubriker som 2026, 2027, … och ev. \"t.o.m. 2025\")"))
    for y in sorted(y for y, count in Counter(y for y, _, _ in year_cols).items() if count > 1):
        problems.append(error(table.where(row=table.header_row), f"året {y} har flera kolumner"))
    if len(outturn) > 1:
        problems.append(error(table.where(outturn[1][2]), "flera kolumner med utfall före planperioden (t.o.m. ÅÅÅÅ)"))
    plan_years = tuple(sorted({y for y, _, _ in year_cols}))
    outturn_year = outturn[0][0] if outturn else None
    if outturn_year is not None and plan_years and outturn_year >= plan_years[0]:
        problems.append(error(table.where(outturn[0][2]),
                              f"utfall t.o.m. {outturn_year} överlappar planens första år {plan_years[0]}"))
    if problems:
        raise InputError(problems)

    side = {}
    for sheet_name, reader in ((v.COMPONENT_SHEET, read_components), (v.COFINANCING_SHEET, read_cofinancing),
                               (v.DEPENDENCY_SHEET, read_dependencies)):
        sws = find_sheet(workbook, sheet_name)
        side[sheet_name] = reader(read_table(sws, file, sws.title), problems) if sws is not None else {}
    components, cofinancing, dependencies = side[v.COMPONENT_SHEET], side[v.COFINANCING_SHEET], side[v.DEPENDENCY_SHEET]

    spend_cols = [(y, i, letter) for y, i, letter in outturn] + year_cols
    cell_cols = tuple((str(y), letter) for y, _, letter in spend_cols)
    objects = []
    row_ids = set()
    for row_number, values in table.rows:
        src = Source(file, table.sheet, row_number, tuple((n, letter) for n, (_, letter) in cols.items()) + cell_cols)
        raw = {n: value_at(values, i) for n, (i, _) in cols.items()}
        oid = parse_text(raw["id"])
        row_ids.add(oid)
        try:
            drift = parse_driftsattning(raw["driftsattning"])
        except CellError as exc:
            problems.append(error(src.at("driftsattning"), str(exc)))
            drift = Driftsattning(None, None, lopande=True)  # placeholder: the error stops the plan, other checks still run
        spend = []
        for year, index, _ in spend_cols:
            amount = number(value_at(values, index), src, str(year), problems)
            if amount:
                spend.append((year, amount))
        medfin_col = number(raw.get("medfinansiering"), src, "medfinansiering", problems)
        parts = [c for c, _ in cofinancing.get(oid, [])]
        if parts and medfin_col is not None and abs(sum(c.amount for c in parts) - medfin_col) > 1e-6:
            problems.append(error(src.at("medfinansiering"),
                                  f"medfinansiering {medfin_col:g} mnkr skiljer sig från summan {sum(c.amount for c in parts):g} "
                                  f"mnkr på bladet {v.COFINANCING_SHEET}"))
        if not parts and medfin_col:
            parts = [CoFinancing("ej angiven", medfin_col)]
        deps = [d.strip() for d in re.split(r"[,;]", parse_text(raw.get("beroenden"))) if d.strip()]
        deps += [d for d, _ in dependencies.get(oid, []) if d not in deps]
        comps = components.get(oid)
        objects.append(InvestmentObject(
            id=oid, namn=parse_text(raw.get("namn")), organisation=parse_text(raw.get("organisation")),
            verksamhetsomrade=parse_text(raw.get("verksamhetsomrade")), kategori=parse_text(raw.get("kategori")),
            investeringstyp=parse_text(raw.get("investeringstyp")), skede=parse_text(raw.get("skede")),
            tillgangsklass=v.normalize(parse_text(raw.get("tillgangsklass"))), driftsattning=drift,
            utgifter=tuple(spend), medfinansiering=tuple(parts),
            komponenter=tuple(c for c, _ in comps) if comps else None, beroenden=tuple(deps), source=src))

    region = read_region(workbook, file, problems)
    for sheet_name, by_id in side.items():
        for oid, entries in by_id.items():
            if oid not in row_ids and oid:
                problems.append(error(entries[0][1].at("id"), f'id "{oid}" finns inte på bladet {v.OBJECT_SHEET}'))
    plan = Plan(file, tuple(objects), plan_years, outturn_year, region)
    problems.extend(check_plan(plan, models))
    if errors(problems):
        raise InputError(problems)
    return replace(plan, warnings=tuple(problems))
