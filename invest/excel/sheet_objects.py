"""A sheet's object rows as investment objects: spend per year in mnkr (period columns spread by the models/
rule), and every field a row leaves empty filled by a rule in models/import/ with a warning — id, organisation
(section heading, title, sheet), verksamhetsområde, kategori, investeringstyp, tillgångsklass (a class word in
the column, the row's wording, a section heading, the area), driftsättning — and medfinansiering from the
Medfinansiering sheet, a varav row under the object or a column, which must agree."""

from __future__ import annotations

import re
from functools import lru_cache

import numpy as np

from invest.base.findings import error, warning
from invest.base.swedish import number as show
from invest.base.values import excel_error
from invest.excel.admission_terms import admission_terms
from invest.excel.cells import CellError, parse_number, parse_text
from invest.excel.driftsattning import parse_driftsattning
from invest.excel.import_defaults import Defaults
from invest.excel.mapping import ColumnMapping
from invest.excel.sheet_layout import Layout
from invest.excel.sheet_rows import ObjectRow, SheetRows, tolerance
from invest.excel.sheet_title import organisation_in_title
from invest.plan import vocabulary as v
from invest.plan.records import CoFinancing, Dependency, Driftsattning, InvestmentObject, Source


def _spread_matrix(layout: Layout, years: list[int], rule: str) -> np.ndarray:
    """Amount column -> year weights: one year, the outturn year, or a period spread by the models/ rule."""
    index = {y: i for i, y in enumerate(years)}
    matrix = np.zeros((len(layout.amounts), len(years)))
    for k, a in enumerate(layout.amounts):
        span = list(a.years)
        if a.kind.kind == "period" and rule == "jamn":
            matrix[k, [index[y] for y in span]] = 1.0 / len(span)
        elif a.kind.kind == "period":
            matrix[k, index[span[0] if rule == "forsta_aret" else span[-1]]] = 1.0
        else:
            matrix[k, index[a.kind.first]] = 1.0
    return matrix


def _by_year_rows(matrix: np.ndarray, years: list[int]) -> list[tuple[tuple[int, float], ...]]:
    """_by_year for every row of `matrix` at once (the non-zero years of each row, in order)."""
    rows, cols = np.nonzero(matrix)
    values, at = matrix[rows, cols].tolist(), np.asarray(years)[cols].tolist()
    bounds = np.searchsorted(rows, np.arange(len(matrix) + 1)).tolist()
    return [tuple(zip(at[bounds[i]:bounds[i + 1]], values[bounds[i]:bounds[i + 1]])) for i in range(len(matrix))]


def build_objects(sheet: SheetRows, layout: Layout, title: str, file: str, template: bool, defaults: Defaults,
           mapping: ColumnMapping, side: dict, problems: list) -> list[InvestmentObject]:
    if not sheet.objects:
        return []
    years = sorted({y for a in layout.amounts for y in a.years})
    spread = _spread_matrix(layout, years, defaults.spread)
    spend = np.array([o.amounts for o in sheet.objects]) @ spread * layout.factor  # objects × years, mnkr
    letters = tuple((n, letter) for n, (_, letter) in layout.fields.items())
    year_letters = {}
    for a in layout.amounts:
        for y in a.years:
            year_letters.setdefault(str(y), a.letter)
    components, cofinancing, dependencies = side[v.COMPONENT_SHEET], side[v.COFINANCING_SHEET], side[v.DEPENDENCY_SHEET]
    sheet_name = "" if v.GENERIC_SHEET.match(v.normalize(title)) else title
    columns = letters + tuple(year_letters.items())
    organisations: dict[str, tuple[str, str]] = {}  # section -> the organisation a row without one gets, and why
    sign = -1.0 if _as_income(sheet, layout) else 1.0
    if sign < 0:
        column = layout.fields["medfinansiering"][1]
        problems.append(warning(f"{file}:{title}!{column}{layout.header_row}",
                                "medfinansieringen står med minustecken (som en intäkt) på alla rader och läses som "
                                "belopp utan tecken"))
    out = []
    for row, utgifter, total in zip(sheet.objects, _by_year_rows(spend, years), spend.sum(axis=1).tolist()):
        src = Source(file, title, row.row, columns)
        texts = {name: mapping.value(name, parse_text(value)) for name, value in row.raw.items()}
        for name, value in row.raw.items():
            if name not in _PARSED and (shown := excel_error(value)):
                problems.append(error(src.at(name), f'{name}: Excel-felet "{shown}" (väntat en text; rätta formeln)'))
        text = lambda name: texts.get(name, "")  # noqa: E731
        wording = " ".join(x for x in (text("namn"), row.label) if x)
        note = lambda what: defaults.note(title, what, row.row)  # noqa: E731

        oid = text("id")
        if not oid:
            oid = f"{v.normalize(title)}-{row.row}"
            note(f'id saknas; satt till "{v.normalize(title)}-<rad>" ur bladets namn och raden')
        organisation = text("organisation")
        if not organisation and not template:
            if row.section not in organisations:
                organisations[row.section] = _organisation(row.section, layout, sheet_name)
            organisation, why = organisations[row.section]
            note(f'organisation saknas; satt till "{organisation}" ({why})' if organisation else
                 "organisation saknas och framgår inte av avsnittsrubrik, titel eller bladets namn; ange kolumnen "
                 "organisation (nämnd eller bolag)")
        area = text("verksamhetsomrade")
        if not area:
            area = defaults.area(organisation) or defaults.area(wording) or ""
            if area:
                note(f'verksamhetsområde saknas; satt till "{area}" ur organisationen/benämningen')
        kategori = text("kategori") and (v.canonical(text("kategori"), v.KATEGORIER) or text("kategori"))
        if not kategori:
            kategori, why = defaults.category(wording, total)
            note(f'kategori saknas; satt till "{kategori}" ({why})')
        typ = text("investeringstyp") and (v.canonical(text("investeringstyp"), v.INVESTERINGSTYPER)
                                           or text("investeringstyp"))
        if not typ and (typ := defaults.investment_type(wording) or ""):
            note(f'investeringstyp saknas; satt till "{typ}" ur radens benämning')
        klass = _asset_class(text("tillgangsklass"), defaults, note)
        if not klass and not components.get(oid):
            found, why = defaults.asset_class(wording, area, row.section)
            if found:
                klass = found
                note(f'tillgångsklass saknas; satt till "{klass}" ({why})')
        drift = _driftsattning(row, src, utgifter, kategori, wording, defaults, note, problems)
        medfin = _medfinansiering(row, src, layout, spread, years, cofinancing.get(oid, []), problems, sign)
        deps = _dependencies(text("beroenden"), src, dependencies.get(oid, []))
        comps = components.get(oid)
        out.append(InvestmentObject(
            id=oid, namn=text("namn") or row.label, organisation=organisation, verksamhetsomrade=area, kategori=kategori,
            investeringstyp=typ, skede=text("skede"), tillgangsklass=klass, driftsattning=drift, utgifter=utgifter,
            medfinansiering=medfin, komponenter=tuple(c for c, _ in comps) if comps else None, beroenden=tuple(deps),
            source=src, villkor=admission_terms(row.raw, src, problems)))
    return out


def _asset_class(written: str, defaults: Defaults, note) -> str:
    """The class in the tillgångsklass column: a class by name, else a planner's word the class word list knows
    ("Byggnad" → fastighet, with a warning), else as written (the plan check then says it is unknown)."""
    klass = v.normalize(written)
    if not klass or klass in defaults.classes:
        return klass
    if found := defaults.class_words.match(written):
        note(f'tillgångsklass "{written}" tolkad som "{found}" (ordlistan models/import/tillgangsklass_ur_ordval.yaml)')
        return found
    return written


def _organisation(section: str, layout: Layout, sheet_name: str) -> tuple[str, str]:
    """The organisation of a row without one, and where it was found: a section heading that names a nämnd or
    bolag, the title above the table, the sheet's name, or any section heading."""
    if section and (named := organisation_in_title(section)):
        return named, f'avsnittets rubrik "{section}"'
    if layout.title_organisation:
        name, row = layout.title_organisation
        return name, f"titeln på rad {row}"
    if sheet_name:
        return organisation_in_title(sheet_name) or sheet_name, "bladets namn"
    if section:
        return section, "avsnittets rubrik"
    return "", ""


def _dependencies(column: str, src: Source, sheet_rows: list) -> list[Dependency]:
    """The ids in the `beroenden` column (no lag) and the rows of the Beroenden sheet; the sheet's lag wins."""
    if not column and not sheet_rows:
        return []
    by_id = {d.strip(): Dependency(d.strip(), 0, src.at("beroenden")) for d in re.split(r"[,;]", column) if d.strip()}
    by_id.update({d.pa: d for d, _ in sheet_rows})
    return list(by_id.values())


@lru_cache(maxsize=4096)
def _parsed_driftsattning(raw) -> Driftsattning:
    """parse_driftsattning, once per distinct cell value (a sheet repeats its years)."""
    return parse_driftsattning(raw)


def _driftsattning(row: ObjectRow, src: Source, utgifter, kategori: str, wording: str, defaults: Defaults, note,
                   problems: list) -> Driftsattning:
    raw = row.raw.get("driftsattning")
    if parse_text(raw):
        try:
            return _parsed_driftsattning(raw)
        except CellError as exc:
            problems.append(error(src.at("driftsattning"), str(exc)))
            return Driftsattning(None, None, lopande=True)  # placeholder: the error stops the plan
    if kategori == "pott" or defaults.is_pot(wording):
        note("driftsättning saknas; satt till löpande (raden är en pott)")
        return Driftsattning(None, None, lopande=True)
    if not utgifter:
        return Driftsattning(None, None, lopande=True)
    last = max(y for y, _ in utgifter)
    note("driftsättning saknas; satt till sista utgiftsåret")
    return Driftsattning(last, None)


_PARSED = ("medfinansiering", "driftsattning", *v.ADMISSION_COLUMNS)  # fields whose own parser reports an Excel error in the cell


def _as_income(sheet: SheetRows, layout: Layout) -> bool:
    """A medfinansiering column written as income, with a minus sign on every amount (a kommun's habit)."""
    if "medfinansiering" not in layout.fields:
        return False
    values = []
    for row in sheet.objects:
        try:
            values.append(parse_number(row.raw.get("medfinansiering"), *_bound(layout)))
        except CellError:
            return False  # the cell's own error is reported by _medfinansiering
    given = [x for x in values if x]
    return bool(given) and all(x < 0 for x in given)


def _bound(layout: Layout) -> tuple[float, str]:
    """The sheet's unit in mnkr and its name: what the amounts' bounds are scaled by (parse_numbers)."""
    return layout.factor, layout.unit


def _medfinansiering(row: ObjectRow, src: Source, layout: Layout, spread: np.ndarray, years: list[int], parts: list,
                     problems: list, sign: float = 1.0) -> tuple[CoFinancing, ...]:
    """From the Medfinansiering sheet, a "varav medfinansiering" row under the object, or the column (times `sign`:
    -1 when the column is written as income); all that are given must agree."""
    column = None
    if "medfinansiering" in layout.fields:
        cell = row.raw.get("medfinansiering")
        if sign < 0:
            cell = -(parse_number(cell, *_bound(layout)) or 0.0)  # _as_income has parsed every cell of the column
        try:
            column = parse_number(cell, *_bound(layout))
        except CellError as exc:
            problems.append(error(src.at("medfinansiering"), f"medfinansiering: {exc}"))
            column = None
        if column is not None and column < 0:
            problems.append(error(src.at("medfinansiering"),
                                  f"medfinansiering är {column:g}, väntat ett belopp ≥ 0"))
            column = None
        column = column * layout.factor if column is not None else None
    by_year = None
    if row.varav_medfinansiering is not None:
        by_year = tuple(CoFinancing("ej angiven", a, y)
                        for y, a in _by_year_rows((row.varav_medfinansiering @ spread * layout.factor)[None, :],
                                                  years)[0])
    given = [("bladet " + v.COFINANCING_SHEET, tuple(c for c, _ in parts)) if parts else None,
             ("varav-raden under objektet", by_year) if by_year is not None else None,
             ("kolumnen medfinansiering", (CoFinancing("ej angiven", column),)) if column else None]
    given = [g for g in given if g is not None]
    if not given:
        return ()
    first_name, first = given[0]
    total = sum(c.amount for c in first)
    for name, other in given[1:]:
        other_total = sum(c.amount for c in other)
        if abs(other_total - total) > tolerance([total, other_total], 2) * layout.factor:
            problems.append(error(src.at("medfinansiering"), f"medfinansiering {show(other_total)} mnkr i {name} skiljer "
                                                             f"sig från {show(total)} mnkr i {first_name}"))
    return first
