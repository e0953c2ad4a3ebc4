"""Reads a plan in the template format (sheet Objekt and optional sheets) into a Plan, or every problem."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from .cells import CellError, Table, parse_number, parse_text, read_table, value_at
from .findings import Finding, InputError, error, errors
from .parameters import Models
from .plan import (CoFinancing, Component, Driftsattning, ExistingAssets, InvestmentObject, Plan, RegionInputs,
                   RegionYear, Source)
from . import vocabulary as v
from .validation import check_plan

_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_OUTTURN = re.compile(r"^(?:utfall\s*)?t\.?\s*o\.?\s*m\.?\s*(\d{4})$", re.IGNORECASE)
_DRIFT = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
FIRST_YEAR, LAST_YEAR = 1900, 2200


def classify_header(raw) -> tuple[str, int] | None:
    """("ar", 2026) for a year column, ("utfall", 2025) for `t.o.m. 2025`, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)) and float(raw).is_integer() and FIRST_YEAR <= raw <= LAST_YEAR:
        return "ar", int(raw)
    text = str(raw).strip()
    if (m := _YEAR.match(text)) and FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        return "ar", int(m.group(1))
    if m := _OUTTURN.match(text):
        return "utfall", int(m.group(1))
    return None


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


def _columns(table: Table, spec: dict, required: tuple[str, ...], problems: list) -> dict[str, tuple[int, str]]:
    found = {name: pos for name, aliases in spec.items() if (pos := table.find(aliases))}
    for name in required:
        if name not in found:
            problems.append(error(table.where(row=table.header_row),
                                  f'kolumnen "{name}" saknas i rubrikraden (hittade: '
                                  f'{", ".join(str(h[2]) for h in table.headers) or "inga rubriker"})'))
    return found


def _records(table: Table, cols: dict[str, tuple[int, str]]):
    for number, values in table.rows:
        source = Source(table.file, table.sheet, number, tuple((name, letter) for name, (_, letter) in cols.items()))
        yield {name: value_at(values, index) for name, (index, _) in cols.items()}, source


def _number(raw, source: Source, name: str, problems: list, *, minimum: float | None = 0.0) -> float | None:
    try:
        value = parse_number(raw)
    except CellError as exc:
        problems.append(error(source.at(name), f"{name}: {exc}"))
        return None
    if value is not None and minimum is not None and value < minimum:
        problems.append(error(source.at(name), f"{name} är {value:g}, väntat ett belopp ≥ {minimum:g}"))
        return None
    return value


def _sheet(workbook, name: str):
    for title in workbook.sheetnames:
        if v.normalize(title) == v.normalize(name):
            return workbook[title]
    return None


def _read_components(table: Table, problems: list) -> dict[str, list[tuple[Component, Source]]]:
    cols = _columns(table, v.COMPONENT_COLUMNS, tuple(v.COMPONENT_COLUMNS), problems)
    out: dict[str, list] = {}
    if len(cols) < len(v.COMPONENT_COLUMNS):
        return out
    for raw, src in _records(table, cols):
        oid = parse_text(raw["id"])
        share = _number(raw["andel"], src, "andel", problems)
        life = _number(raw["nyttjandeperiod"], src, "nyttjandeperiod", problems)
        if not oid:
            problems.append(error(src.at("id"), "id saknas"))
            continue
        if share is None or life is None:
            if share is None and raw["andel"] is None:
                problems.append(error(src.at("andel"), "andel saknas (väntat ett tal i (0, 1])"))
            if life is None and raw["nyttjandeperiod"] is None:
                problems.append(error(src.at("nyttjandeperiod"), "nyttjandeperiod saknas (väntat år ≥ 0)"))
            continue
        if not 0 < share <= 1:
            problems.append(error(src.at("andel"), f"andel är {share:g}, väntat ett tal i (0, 1]"))
            continue
        if round(life * 12, 9) != round(life * 12):
            problems.append(error(src.at("nyttjandeperiod"), f"nyttjandeperiod {life:g} år är inte ett helt antal månader"))
            continue
        out.setdefault(oid, []).append((Component(parse_text(raw["komponent"]) or "komponent", share, life), src))
    for oid, comps in out.items():
        total = sum(c.share for c, _ in comps)
        if abs(total - 1) > 1e-9:
            rows = ", ".join(str(s.row) for _, s in comps)
            problems.append(error(comps[0][1].at("andel"),
                                  f'komponenternas andelar för "{oid}" summerar till {total:g} (rad {rows}), väntat 1'))
    return out


def _read_cofinancing(table: Table, problems: list) -> dict[str, list[tuple[CoFinancing, Source]]]:
    cols = _columns(table, v.COFINANCING_COLUMNS, ("id", "belopp"), problems)
    out: dict[str, list] = {}
    if "id" not in cols or "belopp" not in cols:
        return out
    for raw, src in _records(table, cols):
        oid = parse_text(raw["id"])
        amount = _number(raw["belopp"], src, "belopp", problems)
        year = _number(raw.get("ar"), src, "ar", problems) if "ar" in cols else None
        if not oid:
            problems.append(error(src.at("id"), "id saknas"))
        elif amount is not None:
            out.setdefault(oid, []).append((CoFinancing(parse_text(raw.get("part")) or "ej angiven", amount,
                                                        int(year) if year else None), src))
    return out


def _read_dependencies(table: Table, problems: list) -> dict[str, list[tuple[str, Source]]]:
    cols = _columns(table, v.DEPENDENCY_COLUMNS, ("id", "beror_pa"), problems)
    out: dict[str, list] = {}
    if "id" in cols and "beror_pa" in cols:
        for raw, src in _records(table, cols):
            oid, pred = parse_text(raw["id"]), parse_text(raw["beror_pa"])
            if oid and pred:
                out.setdefault(oid, []).append((pred, src))
    return out


def _read_region(workbook, file: str, problems: list) -> RegionInputs | None:
    ws = _sheet(workbook, v.REGION_SHEET)
    if ws is None:
        return None
    table = read_table(ws, file, ws.title)
    cols = _columns(table, v.REGION_COLUMNS, ("ar", "totala_intakter"), problems)
    years = []
    seen: dict[int, Source] = {}
    if "ar" in cols:
        for raw, src in _records(table, cols):
            kind = classify_header(raw["ar"]) if raw["ar"] is not None else None
            if not kind or kind[0] != "ar":
                problems.append(error(src.at("ar"), f"år {raw['ar']!r} är inget år (väntat ÅÅÅÅ)"))
                continue
            year = kind[1]
            if year in seen:
                problems.append(error(src.at("ar"), f"året {year} förekommer redan på rad {seen[year].row}"))
                continue
            seen[year] = src
            num = {name: _number(raw.get(name), src, name, problems, minimum=None) for name in v.REGION_COLUMNS if name != "ar"}
            years.append(RegionYear(year, num["totala_intakter"], num["befintliga_avskrivningar"],
                                    num["befintlig_intaktsford_medfinansiering"] or 0.0, num["resultat"] or 0.0,
                                    num["ovriga_ej_likviditetspaverkande"] or 0.0, num["rantekostnader"],
                                    num["likvida_medel"] or 0.0, src))
    balance: dict[str, float] = {}
    ws = _sheet(workbook, v.REGION_BALANCE_SHEET)
    if ws is not None:
        table = read_table(ws, file, ws.title)
        bcols = _columns(table, v.REGION_BALANCE_COLUMNS, ("post", "belopp"), problems)
        if len(bcols) == 2:
            for raw, src in _records(table, bcols):
                key = v.normalize(parse_text(raw["post"]))
                if key not in v.REGION_BALANCE_KEYS:
                    problems.append(error(src.at("post"), f'okänd post "{raw["post"]}" (väntat {", ".join(v.REGION_BALANCE_KEYS)})'))
                    continue
                amount = _number(raw["belopp"], src, "belopp", problems)
                if amount is not None:
                    balance[key] = amount
    existing = []
    ws = _sheet(workbook, v.EXISTING_SHEET)
    if ws is not None:
        table = read_table(ws, file, ws.title)
        ecols = _columns(table, v.EXISTING_COLUMNS, ("tillgangsklass", "bokfort_varde"), problems)
        if "tillgangsklass" in ecols and "bokfort_varde" in ecols:
            for raw, src in _records(table, ecols):
                value = _number(raw["bokfort_varde"], src, "bokfort_varde", problems)
                life = _number(raw.get("aterstaende_nyttjandeperiod"), src, "aterstaende_nyttjandeperiod", problems)
                if value is not None:
                    existing.append(ExistingAssets(v.normalize(parse_text(raw["tillgangsklass"])), value, life, src))
    return RegionInputs(tuple(sorted(years, key=lambda r: r.year)),
                        balance.get("ingaende_rantebarande_skuld", 0.0),
                        balance.get("genomsnittsranta_befintlig_skuld"),
                        balance.get("ingaende_materiella_anlaggningstillgangar"),
                        tuple(existing))


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
    ws = _sheet(workbook, v.OBJECT_SHEET)
    if ws is None:
        raise InputError([error(file, f'bladet "{v.OBJECT_SHEET}" saknas (hittade: {", ".join(workbook.sheetnames)}); '
                                      "skapa en mall med `invest mall`")])
    table = read_table(ws, file, ws.title)
    cols = _columns(table, v.OBJECT_COLUMNS, ("id", "driftsattning"), problems)
    year_cols: list[tuple[int, int, str]] = []  # (year, column index, letter)
    outturn: list[tuple[int, int, str]] = []
    for index, letter, raw in table.headers:
        kind = classify_header(raw)
        if kind:
            (year_cols if kind[0] == "ar" else outturn).append((kind[1], index, letter))
    if not year_cols:
        problems.append(error(table.where(row=table.header_row),
                              "inga årskolumner i rubrikraden (väntat rubriker som 2026, 2027, … och ev. \"t.o.m. 2025\")"))
    dup_years = {y for y, _, _ in year_cols if sum(1 for x, _, _ in year_cols if x == y) > 1}
    for y in sorted(dup_years):
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
    for sheet_name, reader in ((v.COMPONENT_SHEET, _read_components), (v.COFINANCING_SHEET, _read_cofinancing),
                               (v.DEPENDENCY_SHEET, _read_dependencies)):
        sws = _sheet(workbook, sheet_name)
        side[sheet_name] = reader(read_table(sws, file, sws.title), problems) if sws is not None else {}
    components, cofinancing, dependencies = side[v.COMPONENT_SHEET], side[v.COFINANCING_SHEET], side[v.DEPENDENCY_SHEET]

    spend_cols = [(y, i, letter) for y, i, letter in outturn] + year_cols
    cell_cols = tuple((str(y), letter) for y, _, letter in spend_cols)
    objects = []
    row_ids = set()
    for number, values in table.rows:
        src = Source(file, table.sheet, number, tuple((n, letter) for n, (_, letter) in cols.items()) + cell_cols)
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
            amount = _number(value_at(values, index), src, str(year), problems)
            if amount:
                spend.append((year, amount))
        medfin_col = _number(raw.get("medfinansiering"), src, "medfinansiering", problems)
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

    region = _read_region(workbook, file, problems)
    for sheet_name, by_id in side.items():
        for oid, entries in by_id.items():
            if oid not in row_ids and oid:
                problems.append(error(entries[0][1].at("id"), f'id "{oid}" finns inte på bladet {v.OBJECT_SHEET}'))
    plan = Plan(file, tuple(objects), plan_years, outturn_year, region)
    problems.extend(check_plan(plan, models))
    if errors(problems):
        raise InputError(problems)
    return Plan(file, plan.objects, plan_years, outturn_year, region, tuple(problems))
