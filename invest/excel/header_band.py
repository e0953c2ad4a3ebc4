"""A table's header as a band of rows, not one row: the field labels may sit above the years ("Objekt" over two
merged rows, "Budget"/"Plan" over 2026, 2027, …) or below them, and each column's meaning comes from all its
cells in the band. Merged cells count over their whole span. Title and unit rows above the band are not part
of it (a row with one text is a title)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from invest.excel.cells import CellError, cell_text, column_letter, parse_number
from invest.excel.headers import AmountKind, classify_amount_header, year_outside
from invest.excel.mapping import IGNORE, ColumnMapping
from invest.excel.sheet_scan import SheetScan
from invest.excel.units import strip_units
from invest.plan import vocabulary as v

MAX_BAND_ROWS = 4
IMPORTED_KINDS = ("ar", "utfall", "period")
GROUP_WORDS = {"budget", "plan", "prognos", "utfall", "bokslut", "totalt", "total", "summa", "belopp", "ar",
               "investeringsutgift", "investeringsutgifter", "utgifter", "forecast", "actual"}


@dataclass(frozen=True)
class ColumnReading:
    """What one column of the band means: `field` (a template column), `amount` (an AmountKind), both None for a
    column that is not read. `how` says what decided it (alias, mapping, year header) and `row` where."""

    index: int
    letter: str
    text: str  # the band's texts in the column, top to bottom, joined with " / "
    row: int  # the row of the deciding cell (the band's last row when nothing decided)
    field: str | None = None
    amount: AmountKind | None = None
    ignored: bool = False  # --mapping says ignorera, or a known comment column
    how: str = ""


@dataclass(frozen=True)
class Band:
    first: int  # 1-based rows, inclusive
    last: int
    year_row: int
    columns: tuple[ColumnReading, ...]


def filled(rows: list[tuple], scan: SheetScan, row: int) -> list:
    """Row `row` (1-based) with merged ranges' top-left value repeated over the range."""
    values = list(rows[row - 1]) if 0 <= row - 1 < len(rows) else []
    for m in scan.merged:
        if m.min_row <= row <= m.max_row:
            top = rows[m.min_row - 1] if m.min_row - 1 < len(rows) else ()
            value = top[m.min_col - 1] if m.min_col - 1 < len(top) else None
            values.extend([None] * (m.max_col - len(values)))
            for c in range(m.min_col - 1, m.max_col):
                values[c] = value
    return values


def field_of(text: str, mapping: ColumnMapping) -> tuple[str | None, str]:
    """The template column a header names and how: by --mapping, by an alias, or (None, "")."""
    target = mapping.target(text)
    if target == IGNORE:
        return IGNORE, "mappningsfilen"
    if isinstance(target, str):
        return target, "mappningsfilen"
    key = v.normalize(re.sub(r"\(.*?\)", "", strip_units(text)) or text)
    for name, aliases in v.OBJECT_COLUMNS.items():
        if key in aliases:
            return name, f'känd rubrik ("{key}")'
    return None, ""


def amount_of(raw, group, mapping: ColumnMapping) -> tuple[AmountKind | None, str]:
    """The amount column a header (under a group label) names, and how."""
    if not cell_text(raw):
        return None, ""
    target = mapping.target(raw)
    if isinstance(target, AmountKind):
        return target, "mappningsfilen"
    if target is not None:
        return None, ""
    kind = classify_amount_header(raw, group)
    return kind, (f'"{cell_text(raw)}" under "{cell_text(group)}"' if cell_text(group) else "årsrubrik") if kind else ""


def _kinds(values: list, group: list, mapping: ColumnMapping) -> list[AmountKind | None]:
    return [amount_of(x, group[i] if i < len(group) else None, mapping)[0] for i, x in enumerate(values)]


def _is_number(x) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def is_year_row(values: list, group: list, mapping: ColumnMapping) -> bool:
    """A row naming years (or outturn, or a period) and holding no amounts: the band's year row."""
    kinds = _kinds(values, group, mapping)
    imported = sum(1 for k in kinds if k is not None and k.kind in IMPORTED_KINDS)
    others = sum(1 for k, x in zip(kinds, values) if k is None and cell_text(x))
    # a year outside the tool's years is not an amount either: the layout refuses it at its header cell
    amounts = any(k is None and _is_number(x) and year_outside(x) is None for k, x in zip(kinds, values))
    return imported >= 1 and (imported >= 2 or others >= 1) and not amounts  # a row with amounts is data


def _is_label(text: str, mapping: ColumnMapping, years: bool = True) -> bool:
    """A header word: a field's alias, a group word ("Budget", "Plan"), a comment column, or (with `years`) a
    year, outturn, period or total header."""
    norm = v.normalize(strip_units(text) or text)
    return (norm in GROUP_WORDS or field_of(text, mapping)[0] is not None or norm in v.IGNORED_HEADERS
            or years and classify_amount_header(text) is not None)


def _amount_like(x) -> bool:
    if _is_number(x):
        return True
    try:
        return isinstance(x, str) and parse_number(x) is not None
    except CellError:
        return False


def _band_row(values: list, mapping: ColumnMapping, amount_columns: set[int], below: bool) -> bool:
    """A row that belongs to the band: header words and no amounts. Above the year row it needs two or more
    different texts (a row with one text is a title, a unit or a section heading) and a known label; below it
    two known words that are not years (a data row may hold a year as text, e.g. its driftsättning)."""
    texts = [cell_text(x) for x in values if cell_text(x)]
    if not texts or any(_amount_like(values[i]) for i in amount_columns if i < len(values)):
        return False
    if any(_is_number(x) and not classify_amount_header(x) for x in values):
        return False
    if below:
        return len({t for t in texts if _is_label(t, mapping, years=False)}) >= 2
    return any(_is_label(t, mapping) for t in texts) and len(set(texts)) >= 2


def find_band(rows: list[tuple], scan: SheetScan, mapping: ColumnMapping, search_rows: int) -> Band | None:
    """The header band of the sheet's table, or None when none of the first `search_rows` rows names years."""
    year_row = None
    for r in range(1, min(len(rows), search_rows) + 1):
        group = filled(rows, scan, r - 1) if r > 1 else []
        if is_year_row(filled(rows, scan, r), group, mapping):
            year_row = r
            break
    if year_row is None:
        return None
    year_values = filled(rows, scan, year_row)
    amount_columns = {i for i, k in enumerate(_kinds(year_values, filled(rows, scan, year_row - 1), mapping)) if k}
    first = last = year_row
    while last - first + 1 < MAX_BAND_ROWS and last < len(rows) and \
            _band_row(filled(rows, scan, last + 1), mapping, amount_columns, below=True):
        last += 1
    while last - first + 1 < MAX_BAND_ROWS and first > 1 and \
            _band_row(filled(rows, scan, first - 1), mapping, amount_columns, below=False):
        first -= 1
    band_rows = {r: filled(rows, scan, r) for r in range(first, last + 1)}
    width = max(len(values) for values in band_rows.values())
    columns = tuple(_read_column(i, band_rows, mapping, last) for i in range(width))
    # the band's year row is the one naming most years (a merged "Utfall t.o.m. 2025" also sits in the row above)
    counts = {r: sum(1 for k in _kinds(values, band_rows.get(r - 1, []), mapping) if k and k.kind in IMPORTED_KINDS)
              for r, values in band_rows.items()}
    year_row = max(counts, key=lambda r: (counts[r], -r))
    return Band(first, last, year_row, tuple(c for c in columns if c.text or c.amount))


def _read_column(index: int, band_rows: dict[int, list], mapping: ColumnMapping, last: int) -> ColumnReading:
    letter = column_letter(index + 1)
    cells = [(r, values[index] if index < len(values) else None) for r, values in sorted(band_rows.items())]
    texts = []
    for _, x in cells:
        if cell_text(x) and (not texts or texts[-1] != cell_text(x)):
            texts.append(cell_text(x))
    text = " / ".join(texts)
    # the amount a cell names, with the nearest different text above it as its group ("Plan" over "2027")
    for k in range(len(cells) - 1, -1, -1):
        r, x = cells[k]
        above = next((y for _, y in reversed(cells[:k]) if cell_text(y) and cell_text(y) != cell_text(x)), None)
        kind, how = amount_of(x, above, mapping)
        if kind is not None:
            return ColumnReading(index, letter, text, r, amount=kind, how=how)
    for r, x in reversed(cells):
        if not cell_text(x):
            continue
        name, how = field_of(cell_text(x), mapping)
        if name == IGNORE:
            return ColumnReading(index, letter, text, r, ignored=True, how=how)
        if name is not None:
            return ColumnReading(index, letter, text, r, field=name, how=how)
    known_comment = any(v.normalize(strip_units(t) or t) in v.IGNORED_HEADERS for t in texts)
    return ColumnReading(index, letter, text, last, ignored=known_comment,
                         how=f'rubriken "{text}" är en kommentarkolumn' if known_comment else "")
