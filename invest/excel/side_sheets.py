"""The optional sheets of a plan: Komponenter, Medfinansiering, Beroenden, the region inputs
(Region, Regionbalans, Befintliga) and the budget's own figures (Budgetjämförelse)."""

from __future__ import annotations

from invest.base import values as parse
from invest.excel.cells import Table, parse_text, read_table
from invest.excel.headers import classify_header
from invest.base.findings import error
from invest.plan.records import CoFinancing, Component, Dependency, ExistingAssets, PublishedFigure, RegionInputs, RegionYear, Source
from invest.excel.sheet_records import columns, find_sheet, number, records
from invest.plan import vocabulary as v


def _value(kind, raw, src: Source, name: str, problems: list):
    """`kind` (a parser of invest.base.values) of the cell, or None with an error at the cell."""
    try:
        return kind(raw)
    except parse.BadValue as exc:
        problems.append(error(src.at(name), f"{name}: {exc}"))
        return None


def _year(raw: dict, src: Source, problems: list) -> int | None:
    """The row's `ar` cell as a year, or None with an error."""
    kind = classify_header(raw["ar"]) if raw["ar"] is not None else None
    if not kind or kind[0] != "ar":
        problems.append(error(src.at("ar"), f"år {raw['ar']!r} är inget år (väntat ÅÅÅÅ)"))
        return None
    return kind[1]


def read_components(table: Table, problems: list) -> dict[str, list[tuple[Component, Source]]]:
    cols = columns(table, v.COMPONENT_COLUMNS, tuple(v.COMPONENT_COLUMNS), problems)
    out: dict[str, list] = {}
    if len(cols) < len(v.COMPONENT_COLUMNS):
        return out
    for raw, src in records(table, cols):
        oid = parse_text(raw["id"])
        share = number(raw["andel"], src, "andel", problems)
        life = _value(parse.life_years, raw["nyttjandeperiod"], src, "nyttjandeperiod", problems)
        if not oid:
            problems.append(error(src.at("id"), "id saknas"))
            continue
        if share is None or life is None:
            if share is None and raw["andel"] is None:
                problems.append(error(src.at("andel"), "andel saknas (väntat ett tal i (0, 1])"))
            if life is None and raw["nyttjandeperiod"] is None:
                problems.append(error(src.at("nyttjandeperiod"), "nyttjandeperiod saknas (väntat ett antal år "
                                                                 f"0–{parse.LIFE_YEARS_MAX})"))
            continue
        if not 0 < share <= 1:
            problems.append(error(src.at("andel"), f"andel är {share:g}, väntat ett tal i (0, 1]"))
            continue
        out.setdefault(oid, []).append((Component(parse_text(raw["komponent"]) or "komponent", share, life), src))
    for oid, comps in out.items():
        total = sum(c.share for c, _ in comps)
        if abs(total - 1) > 1e-9:
            rows = ", ".join(str(s.row) for _, s in comps)
            problems.append(error(comps[0][1].at("andel"),
                                  f'komponenternas andelar för "{oid}" summerar till {total:g} (rad {rows}), väntat 1'))
    return out


def read_cofinancing(table: Table, problems: list) -> dict[str, list[tuple[CoFinancing, Source]]]:
    cols = columns(table, v.COFINANCING_COLUMNS, ("id", "belopp"), problems)
    out: dict[str, list] = {}
    if "id" not in cols or "belopp" not in cols:
        return out
    for raw, src in records(table, cols):
        oid = parse_text(raw["id"])
        amount = number(raw["belopp"], src, "belopp", problems)
        year = _value(parse.year, raw.get("ar"), src, "ar", problems) if "ar" in cols else None
        if not oid:
            problems.append(error(src.at("id"), "id saknas"))
        elif amount is not None and (year is not None or not parse_text(raw.get("ar"))):
            out.setdefault(oid, []).append((CoFinancing(parse_text(raw.get("part")) or "ej angiven", amount,
                                                        year), src))
    return out


def read_dependencies(table: Table, problems: list) -> dict[str, list[tuple[Dependency, Source]]]:
    cols = columns(table, v.DEPENDENCY_COLUMNS, ("id", "beror_pa"), problems)
    out: dict[str, list] = {}
    if "id" in cols and "beror_pa" in cols:
        for raw, src in records(table, cols):
            oid, pred = parse_text(raw["id"]), parse_text(raw["beror_pa"])
            lag = _value(parse.lag_months, raw.get("fordrojning_manader"), src, "fordrojning_manader", problems)
            if lag is None and parse_text(raw.get("fordrojning_manader")):
                continue  # the error is reported
            if not oid:
                problems.append(error(src.at("id"), "id saknas"))
            elif not pred:
                problems.append(error(src.at("beror_pa"), f'beror_pa saknas för "{oid}" (väntat id för objektet det väntar på)'))
            else:
                out.setdefault(oid, []).append((Dependency(pred, lag or 0, src.at("beror_pa")), src))
    return out


def read_region(workbook, file: str, problems: list) -> RegionInputs | None:
    ws = find_sheet(workbook, v.REGION_SHEET)
    if ws is None:
        return None
    table = read_table(ws, file, ws.title)
    cols = columns(table, v.REGION_COLUMNS, ("ar",), problems)
    if "ar" in cols and not {"totala_intakter", "ovriga_intakter"} & set(cols):
        problems.append(error(table.where(row=table.header_row), 'kolumnen "totala_intakter" (eller "ovriga_intakter") '
                              f'saknas i rubrikraden (hittade: {", ".join(str(h[2]) for h in table.headers)})'))
    years = []
    seen: dict[int, Source] = {}
    if "ar" in cols:
        for raw, src in records(table, cols):
            year = _year(raw, src, problems)
            if year is None:
                continue
            if year in seen:
                problems.append(error(src.at("ar"), f"året {year} förekommer redan på rad {seen[year].row}"))
                continue
            seen[year] = src
            num = {name: number(raw.get(name), src, name, problems, minimum=None) for name in v.REGION_COLUMNS if name != "ar"}
            years.append(RegionYear(year, num["totala_intakter"], num["befintliga_avskrivningar"],
                                    num["befintlig_intaktsford_medfinansiering"] or 0.0, num["resultat"] or 0.0,
                                    num["ovriga_ej_likviditetspaverkande"] or 0.0, num["rantekostnader"],
                                    num["likvida_medel"] or 0.0, src, num["ovriga_intakter"],
                                    num["skatteintakter_och_statsbidrag"]))
    balance: dict[str, float] = {}
    ws = find_sheet(workbook, v.REGION_BALANCE_SHEET)
    if ws is not None:
        table = read_table(ws, file, ws.title)
        bcols = columns(table, v.REGION_BALANCE_COLUMNS, ("post", "belopp"), problems)
        if len(bcols) == 2:
            for raw, src in records(table, bcols):
                key = v.normalize(parse_text(raw["post"]))
                if key not in v.REGION_BALANCE_KEYS:
                    problems.append(error(src.at("post"), f'okänd post "{raw["post"]}" (väntat {", ".join(v.REGION_BALANCE_KEYS)})'))
                    continue
                if key == "genomsnittsranta_befintlig_skuld":
                    amount = _value(parse.rate, raw["belopp"], src, "belopp", problems)
                else:
                    amount = number(raw["belopp"], src, "belopp", problems)
                if amount is not None:
                    balance[key] = amount
    existing = []
    ws = find_sheet(workbook, v.EXISTING_SHEET)
    if ws is not None:
        table = read_table(ws, file, ws.title)
        ecols = columns(table, v.EXISTING_COLUMNS, ("tillgangsklass", "bokfort_varde"), problems)
        if "tillgangsklass" in ecols and "bokfort_varde" in ecols:
            for raw, src in records(table, ecols):
                value = number(raw["bokfort_varde"], src, "bokfort_varde", problems)
                life = _value(lambda x: parse.life_years(x, whole_months=False), raw.get("aterstaende_nyttjandeperiod"),
                              src, "aterstaende_nyttjandeperiod", problems)
                if value is not None:
                    existing.append(ExistingAssets(v.normalize(parse_text(raw["tillgangsklass"])), value, life, src))
    return RegionInputs(tuple(sorted(years, key=lambda r: r.year)),
                        balance.get("ingaende_rantebarande_skuld", 0.0),
                        balance.get("genomsnittsranta_befintlig_skuld"),
                        balance.get("ingaende_materiella_anlaggningstillgangar"),
                        tuple(existing))


def read_published(workbook, file: str, problems: list) -> tuple[PublishedFigure, ...]:
    ws = find_sheet(workbook, v.PUBLISHED_SHEET)
    if ws is None:
        return ()
    table = read_table(ws, file, ws.title)
    cols = columns(table, v.PUBLISHED_COLUMNS, ("post", "ar", "varde"), problems)
    if not {"post", "ar", "varde"} <= cols.keys():
        return ()
    out = []
    for raw, src in records(table, cols):
        post, kind = v.normalize(parse_text(raw["post"]) or ""), v.normalize(parse_text(raw.get("uppgiftstyp")) or "budget")
        if post not in v.PUBLISHED_POSTS:
            problems.append(error(src.at("post"), f'okänd post "{raw["post"]}" (väntat {", ".join(v.PUBLISHED_POSTS)})'))
            continue
        if kind not in v.UPPGIFTSTYPER:
            problems.append(error(src.at("uppgiftstyp"), f'okänd uppgiftstyp "{raw["uppgiftstyp"]}" '
                                                         f'(väntat {", ".join(v.UPPGIFTSTYPER)})'))
            continue
        role = v.normalize(parse_text(raw.get("roll")) or "provning")
        if role not in v.CALIBRATION_ROLES:
            problems.append(error(src.at("roll"), f'okänd roll "{raw["roll"]}" '
                                                  f'(väntat {", ".join(v.CALIBRATION_ROLES.values())})'))
            continue
        year = _year(raw, src, problems)
        value = number(raw["varde"], src, "varde", problems, minimum=None)
        if year is not None and value is not None:
            out.append(PublishedFigure(post, parse_text(raw.get("verksamhetsomrade")) or None, year, kind, value, src,
                                       parse_text(raw.get("kalla")) or "", role))
    return tuple(out)
