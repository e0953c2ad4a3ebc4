"""Where a sheet's investment table is: the header row (the first row naming years), the group row above it
("Budget" over 2026, "Plan" over 2027–2030), which column holds which template field, the amount columns,
the check columns ("Totalt 2026–2035") and the unit the amounts are in."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from openpyxl.utils import get_column_letter

from invest.base.findings import error, warning
from invest.excel.headers import AmountKind, classify_amount_header
from invest.excel.mapping import IGNORE, ColumnMapping
from invest.excel.sheet_scan import SheetScan
from invest.excel.units import TO_MNKR, strip_units, units_in
from invest.plan import vocabulary as v

HEADER_SEARCH_ROWS = 50
IMPORTED_KINDS = ("ar", "utfall", "period")


@dataclass(frozen=True)
class AmountColumn:
    index: int
    letter: str
    header: str
    kind: AmountKind

    @property
    def years(self) -> range:
        return range(self.kind.first, self.kind.last + 1)


@dataclass(frozen=True)
class Layout:
    header_row: int  # 1-based
    fields: dict[str, tuple[int, str]]  # template column -> (0-based index, letter)
    label: tuple[int, str] | None  # the column with the row's wording when there is no namn column
    amounts: tuple[AmountColumn, ...]  # imported: ar, utfall, period
    checks: tuple[AmountColumn, ...]  # totals to compare, not imported
    unit: str
    unit_given: bool

    @property
    def factor(self) -> float:
        return TO_MNKR[self.unit]


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def filled(rows: list[tuple], scan: SheetScan, row: int) -> list:
    """Row `row` (1-based) with merged ranges' top-left value repeated over the range."""
    values = list(rows[row - 1]) if row - 1 < len(rows) else []
    for m in scan.merged:
        if m.min_row <= row <= m.max_row:
            top = rows[m.min_row - 1] if m.min_row - 1 < len(rows) else ()
            value = top[m.min_col - 1] if m.min_col - 1 < len(top) else None
            values.extend([None] * (m.max_col - len(values)))
            for c in range(m.min_col - 1, m.max_col):
                values[c] = value
    return values


def _kind(raw, group, mapping: ColumnMapping):
    target = mapping.target(raw) if _text(raw) else None
    if isinstance(target, AmountKind):
        return target
    if target is not None:
        return None
    return classify_amount_header(raw, group)


def _is_header(values: list, group: list, mapping: ColumnMapping) -> bool:
    kinds = [_kind(x, group[i] if i < len(group) else None, mapping) for i, x in enumerate(values)]
    imported = sum(1 for k in kinds if k is not None and k.kind in IMPORTED_KINDS)
    others = sum(1 for k, x in zip(kinds, values) if k is None and _text(x))
    amounts = any(k is None and isinstance(x, (int, float)) and not isinstance(x, bool) for k, x in zip(kinds, values))
    return imported >= 1 and (imported >= 2 or others >= 1) and not amounts  # a row with amounts is data


def find_layout(rows: list[tuple], scan: SheetScan, where: str, mapping: ColumnMapping, problems: list,
                search_rows: int = HEADER_SEARCH_ROWS) -> Layout | None:
    """The table on a sheet, or None when none of the first `search_rows` rows names years (no investment table)."""
    header_row = None
    for r in range(1, min(len(rows), search_rows) + 1):
        group = filled(rows, scan, r - 1) if r > 1 else []
        if _is_header(filled(rows, scan, r), group, mapping):
            header_row = r
            break
    if header_row is None:
        return None
    header = filled(rows, scan, header_row)
    group = filled(rows, scan, header_row - 1) if header_row > 1 else []
    at = lambda letter: f"{where}!{letter}{header_row}"  # noqa: E731

    fields: dict[str, tuple[int, str]] = {}
    amounts, checks, unnamed = [], [], []
    for index, raw in enumerate(header):
        letter = get_column_letter(index + 1)
        text = _text(raw)
        g = group[index] if index < len(group) else None
        kind = _kind(raw, g, mapping)
        if kind is not None:
            (checks if kind.kind == "kontroll" else amounts).append(AmountColumn(index, letter, text or _text(g), kind))
            continue
        target = mapping.target(raw) if text else None
        if target == IGNORE:
            continue
        name = target or _field(text)
        if name is None:
            if text and v.normalize(strip_units(text)) not in v.IGNORED_HEADERS and strip_units(text):
                unnamed.append((index, letter, text))
            elif text == "" or not strip_units(text):
                unnamed.append((index, letter, ""))
            continue
        if name in fields:
            problems.append(warning(at(letter), f'kolumnen "{text}" är en andra kolumn för {name}; '
                                                f"{fields[name][1]}{header_row} används"))
            continue
        fields[name] = (index, letter)

    amounts, checks = _resolve_overlaps(amounts, checks, at, problems)
    for year, count in Counter(y for a in amounts for y in a.years if a.kind.kind != "utfall").items():
        if count > 1:
            problems.append(error(f"{where}!rad {header_row}", f"året {year} finns i flera kolumner "
                                                                 f"({', '.join(a.header for a in amounts if year in a.years)})"))
    outturn = [a for a in amounts if a.kind.kind == "utfall"]
    if len(outturn) > 1:
        problems.append(error(at(outturn[1].letter), "flera kolumner med utfall före planperioden (t.o.m. ÅÅÅÅ)"))
    planned = [a for a in amounts if a.kind.kind != "utfall"]
    if outturn and planned and outturn[0].kind.first >= min(a.kind.first for a in planned):
        problems.append(error(at(outturn[0].letter), f"utfall t.o.m. {outturn[0].kind.first} överlappar planens "
                                                     f"första år {min(a.kind.first for a in planned)}"))

    first_amount = min((a.index for a in amounts), default=0)
    label = None
    if "namn" not in fields:
        data = rows[header_row:]
        for index, letter, text in unnamed:
            if index < first_amount and any(_text(r[index]) for r in data if index < len(r)):
                label = (index, letter)
                break
    for index, letter, text in unnamed:
        if text and (label is None or index != label[0]):
            problems.append(warning(at(letter), f'kolumnen "{text}" känns inte igen och läses inte '
                                                f"(ange den i en mappningsfil med --mapping om den behövs)"))
    unit, given = _unit(rows, header, group, header_row, where, mapping, problems)
    return Layout(header_row, fields, label, tuple(amounts), tuple(checks), unit, given)


def _field(text: str) -> str | None:
    key = v.normalize(re.sub(r"\(.*?\)", "", strip_units(text)) or text)
    for name, aliases in v.OBJECT_COLUMNS.items():
        if key in aliases:
            return name
    return None


def _resolve_overlaps(amounts: list, checks: list, at, problems: list):
    """A period column whose years all have their own columns is a total to check, not more spend."""
    single = {a.kind.first for a in amounts if a.kind.kind == "ar"}
    kept = []
    for a in amounts:
        if a.kind.kind != "period":
            kept.append(a)
            continue
        covered = [y for y in a.years if y in single]
        if len(covered) == len(a.years):
            checks.append(AmountColumn(a.index, a.letter, a.header, AmountKind("kontroll", a.kind.first, a.kind.last)))
        elif covered:
            problems.append(error(at(a.letter), f'periodkolumnen "{a.header}" överlappar årskolumnerna '
                                                f"{', '.join(map(str, covered))} (väntat antingen en kolumn per år "
                                                "eller en kolumn för hela perioden)"))
        else:
            kept.append(a)
    return kept, checks


def _unit(rows, header, group, header_row, where, mapping: ColumnMapping, problems) -> tuple[str, bool]:
    if mapping.unit:
        return mapping.unit, True
    found: dict[str, str] = {}
    places = [(r, x) for r in range(1, header_row - 1) for x in rows[r - 1]] + \
             [(header_row - 1, x) for x in group] + [(header_row, x) for x in header]
    for r, x in places:
        for unit in units_in(x) if isinstance(x, str) else ():
            found.setdefault(unit, f'"{_text(x)}" (rad {r})')
    if len(found) > 1:
        problems.append(error(f"{where}!rad {header_row}",
                              "flera enheter anges för beloppen: " + ", ".join(f"{u} i {p}" for u, p in found.items())
                              + " (väntat en enhet för hela tabellen, eller ange enhet i --mapping)"))
    if found:
        return next(iter(found)), True
    return "mnkr", False
