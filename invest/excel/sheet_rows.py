"""The rows of a sheet's investment table in two passes. First each row is classified into a tagged record —
object, sum ("Summa …", "Totalt", an unlabelled subtotal), "varav", heading, note, or the header repeated — with
its amounts parsed in the sheet's unit. Then the records are checked: each sum against the objects it adds up,
each "Totalt"-column against its row, and each varav row is given the rows it breaks down."""

from __future__ import annotations

from dataclasses import dataclass, field

import math

import numpy as np

from invest.excel.cells import cell_text, parse_numbers
from invest.base.findings import error, warning
from invest.excel.header_band import filled
from invest.excel.sheet_layout import Layout
from invest.excel.sheet_scan import SheetScan
from invest.base.swedish import number as show
from invest.plan import vocabulary as v

OBJECT, SUM, VARAV, HEADING, NOTE, HEADER_AGAIN = "objekt", "summa", "varav", "rubrik", "not", "rubrikrad"
TEXT = "text"  # a row with words and no amounts: a heading when objects follow it, else a note
ROW_KINDS = {OBJECT: "objekt", SUM: "summarad", VARAV: "varav-rad", HEADING: "avsnittsrubrik", NOTE: "anteckning",
             HEADER_AGAIN: "rubrikraden igen (en ny tabell)"}


@dataclass
class RowRecord:
    """One non-empty row of the table, classified."""

    row: int
    kind: str
    label: str  # the row's wording (namn or the label column, else its id; for a heading or note its text)
    amounts: np.ndarray  # per layout.amounts, in the sheet's unit, 0 where empty
    shown: np.ndarray  # bool: the cell has a value
    cells: list  # the row's values
    missing: list[str]  # cells holding a formula without a cached value


@dataclass
class ObjectRow:
    row: int
    label: str
    raw: dict  # template column -> cell value
    amounts: np.ndarray  # per layout.amounts, in the sheet's unit, 0 where empty
    section: str
    varav_medfinansiering: np.ndarray | None = None


@dataclass
class VaravRow:
    row: int
    label: str
    amounts: np.ndarray
    shown: np.ndarray  # bool: the cell has a value
    scope: tuple[int, int] | None  # object indices [start, stop) the row breaks down; None = no row above
    of_object: bool  # directly under an object row (a breakdown of that object)


@dataclass
class SheetRows:
    objects: list[ObjectRow] = field(default_factory=list)
    varav: list[VaravRow] = field(default_factory=list)
    records: list[RowRecord] = field(default_factory=list)  # every row as classified (for --forklara)


def tolerance(values, terms: int) -> float:
    """Rounding slack for a sum of `terms` values shown with the decimals the values have (≤ 6): row_tolerances for
    one row."""
    x = np.asarray(values, dtype=float).reshape(1, -1)
    return float(row_tolerances(x, np.ones_like(x, dtype=bool), np.array([terms]))[0])


def read_rows(rows: list[tuple], scan: SheetScan, layout: Layout, where: str, problems: list) -> SheetRows:
    """`where` is "file:sheet". Problems are appended; every row is read even after an error."""
    records = classify_rows(rows, scan, layout, where, problems)
    return check_rows(records, layout, where, problems)


def _bound(layout: Layout) -> tuple[float, str]:
    """The sheet's unit in mnkr and its name: what the amounts' bounds are scaled by (parse_numbers)."""
    return layout.factor, layout.unit


def _nonempty(row) -> bool:
    return any(x is not None and (not isinstance(x, str) or x.strip()) for x in row)


def _column(cells: list[list], index: int) -> list:
    return [row[index] if index < len(row) else None for row in cells]


def classify_rows(rows: list[tuple], scan: SheetScan, layout: Layout, where: str, problems: list) -> list[RowRecord]:
    """Every non-empty row below the header band as a RowRecord; cells that cannot be read are problems. The
    amounts are parsed a column at a time, for speed on large sheets."""
    amount_cols = {a.index for a in (*layout.amounts, *layout.checks)}
    data_merges = [m for m in scan.merged if m.max_row > layout.header_row]
    for m in data_merges:
        if any(m.min_col - 1 <= c <= m.max_col - 1 for c in amount_cols):
            problems.append(error(f"{where}!{m.ref}", f"sammanfogade celler {m.ref} bland beloppen (väntat ett belopp per "
                                                      "cell; dela upp sammanfogningen och skriv beloppet i varje kolumn)"))
    merged_rows = {r for m in data_merges for r in range(m.min_row, m.max_row + 1)}
    numbers = [r for r in range(layout.header_row + 1, len(rows) + 1) if _nonempty(rows[r - 1])]
    cells = [filled(rows, scan, r) if r in merged_rows else rows[r - 1] for r in numbers]
    header_texts = [cell_text(x) for x in filled(rows, scan, layout.year_row)]
    again = [i for i, row in enumerate(cells)
             if all(cell_text(row[a.index] if a.index < len(row) else None) == header_texts[a.index] for a in layout.amounts)]
    matrix = np.zeros((len(cells), len(layout.amounts)))
    shown = np.zeros((len(cells), len(layout.amounts)), dtype=bool)
    skip = set(again)
    for k, a in enumerate(layout.amounts):
        matrix[:, k], shown[:, k], bad = parse_numbers(_column(cells, a.index), *_bound(layout))
        for i, found in bad:
            if i not in skip:
                problems.append(error(f"{where}!{a.letter}{numbers[i]}", f"{a.header}: {found}"))
        matrix[list(skip), k], shown[list(skip), k] = 0.0, False

    label_col = layout.fields.get("namn") or layout.label
    labels = [cell_text(x) for x in _column(cells, label_col[0])] if label_col else [""] * len(cells)
    ids = [cell_text(x) for x in _column(cells, layout.fields["id"][0])] if "id" in layout.fields else [""] * len(cells)
    other_fields = [i for n, (i, _) in layout.fields.items() if n != "namn"]
    formulas = scan.formulas_without_value
    any_shown = shown.any(axis=1)
    records: list[RowRecord] = []
    for i, (r, values) in enumerate(zip(numbers, cells)):
        if i in skip:
            records.append(RowRecord(r, HEADER_AGAIN, "", matrix[i], shown[i], values, []))
            continue
        label, oid = labels[i], ids[i]
        wording = v.normalize(label or oid)
        missing = [f"{a.letter}{r}" for a in (*layout.amounts, *layout.checks)
                   if f"{a.letter}{r}" in formulas] if formulas else []
        if v.VARAV_LABEL.match(wording):
            kind = VARAV
        elif v.SUM_LABEL.match(wording) or (not label and not oid and any_shown[i]):
            kind = SUM
        elif not any_shown[i] and (len(texts := [cell_text(x) for x in values if cell_text(x)]) == 1 or not oid and not any(
                cell_text(values[j]) for j in other_fields if j < len(values))):
            kind, label = TEXT, texts[0] if len(texts) == 1 else label
        else:
            kind = OBJECT
            if formulas:
                missing += [ref for ref in (f"{letter}{r}" for _, (_, letter) in layout.fields.items())
                            if ref in formulas]
        records.append(RowRecord(r, kind, label or oid, matrix[i], shown[i], values, missing))
    following = None  # the kind of the next row that is no text row (from the end: one pass, not one per row)
    for record in reversed(records):  # a text row is a heading when objects follow it, else a note
        if record.kind == TEXT:
            record.kind = HEADING if following == OBJECT else NOTE
        else:
            following = record.kind
    return records


def check_rows(records: list[RowRecord], layout: Layout, where: str, problems: list) -> SheetRows:
    """The objects with their sections, the varav rows with the rows they break down, and every check."""
    out = SheetRows(records=records)
    checked = [x for x in records if x.kind in (OBJECT, SUM, VARAV)]
    _check_columns(layout, checked, where, problems)
    objects = [x for x in records if x.kind == OBJECT]
    object_matrix = np.array([x.amounts for x in objects]) if objects else np.zeros((0, len(layout.amounts)))
    object_matrix = object_matrix.reshape(len(objects), len(layout.amounts))
    object_decimals, object_size = _decimals(object_matrix), np.abs(object_matrix)  # for every sum row's tolerance
    ranges: dict = {}  # (start, stop) -> the objects' sums, decimals and largest sizes, while no object is added
    sum_rows = [x for x in records if x.kind == SUM]
    sum_decimals = dict(zip(map(id, sum_rows), _decimals(np.array([x.amounts for x in sum_rows], dtype=float)
                                                         .reshape(len(sum_rows), len(layout.amounts)))))
    for x in objects:
        for ref in x.missing:
            if not any(ref == f"{c.letter}{x.row}" for c in layout.checks):
                problems.append(error(f"{where}!{ref}", "cellen har en formel utan sparat värde (arbetsboken är skriven "
                                                        "av ett program som inte räknar formler); öppna och spara den i "
                                                        "Excel eller LibreOffice, eller skriv in värdet i stället för "
                                                        "formeln"))
    negative = np.array([x.shown for x in objects], dtype=bool).reshape(object_matrix.shape) & (object_matrix < 0)
    for i, k in zip(*np.nonzero(negative)):
        a = layout.amounts[k]
        problems.append(error(f"{where}!{a.letter}{objects[i].row}", f"{a.header} är {object_matrix[i, k]:g}, väntat "
                                                                     "ett belopp ≥ 0"))
    fields = list(layout.fields.items())
    label_col = layout.fields.get("namn") or layout.label
    section, pending_heading = "", ""
    since = section_start = 0
    anchor: tuple | None = None  # ("objekt", index) or ("summa", (start, stop))
    for x in records:
        if x.kind == HEADER_AGAIN:
            anchor, since, section_start = None, len(out.objects), len(out.objects)
        elif x.kind == HEADING:
            pending_heading = x.label
        elif x.kind == VARAV:
            scope = None if anchor is None else ((anchor[1], anchor[1] + 1) if anchor[0] == "objekt" else anchor[1])
            out.varav.append(VaravRow(x.row, x.label, x.amounts, x.shown, scope,
                                      anchor is not None and anchor[0] == "objekt"))
            if anchor is not None and anchor[0] == "objekt" and "medfinansiering" in v.normalize(x.label):
                out.objects[anchor[1]].varav_medfinansiering = x.amounts
        elif x.kind == SUM:
            prepared = (object_decimals, object_size, sum_decimals[id(x)], ranges)
            scope = _check_sum(out.objects, object_matrix, prepared, x, (since, section_start), layout, where, problems)
            anchor, since = ("summa", scope), len(out.objects)
        elif x.kind == OBJECT:
            if pending_heading:
                section, pending_heading = pending_heading, ""
                since = section_start = len(out.objects)
            cells = x.cells
            raw = {name: cells[i] if i < len(cells) else None for name, (i, _) in fields}
            label = cell_text(cells[label_col[0]]) if label_col and label_col[0] < len(cells) else ""
            out.objects.append(ObjectRow(x.row, label, raw, x.amounts, section))
            anchor = ("objekt", len(out.objects) - 1)
    return out


def row_tolerances(values: np.ndarray, mask: np.ndarray, terms: np.ndarray) -> np.ndarray:
    """tolerance() for each row of `values`, over the cells in `mask`."""
    x = np.where(mask, np.abs(values), 0.0)
    decimals = np.full(len(x), 6)
    for d in range(5, -1, -1):  # the fewest decimals that show every value exactly
        exact = (np.abs(np.round(x, d) - x) <= 1e-9 * np.maximum(1.0, x)) | ~mask
        decimals = np.where(exact.all(axis=1), d, decimals)
    largest = x.max(axis=1, initial=0.0)
    return 0.5 * 10.0 ** -decimals * (1 + np.minimum(terms, 3 * np.sqrt(terms))) + 1e-9 * np.maximum(1.0, largest)


def _decimals(values: np.ndarray) -> np.ndarray:
    """The fewest decimals (0–6) that show each value exactly, as row_tolerances finds them for a row: the decimals a
    set of values needs is the largest of theirs."""
    x = np.abs(values)
    decimals = np.full(x.shape, 6)
    for d in range(5, -1, -1):
        decimals = np.where(np.abs(np.round(x, d) - x) <= 1e-9 * np.maximum(1.0, x), d, decimals)
    return decimals


def _check_columns(layout: Layout, records: list[RowRecord], where: str, problems: list) -> None:
    """Each "Totalt"-column on a row equals the row's amounts in its years (it is never imported); a column at a
    time over all rows."""
    if not records or not layout.checks:
        return
    matrix = np.array([x.amounts for x in records])
    shown = np.array([x.shown for x in records])
    outturn = np.array([a.kind.kind == "utfall" for a in layout.amounts], dtype=bool)
    for c in layout.checks:
        missing = np.array([f"{c.letter}{x.row}" in x.missing if x.missing else False for x in records], dtype=bool)
        if missing.any():
            skipped = [x.row for x, m in zip(records, missing) if m]
            problems.append(warning(f"{where}!rad {layout.header_row}", f'"{c.header}" är en formel utan sparat värde på '
                                    f"{len(skipped)} rader (första: rad {skipped[0]}); de radsummorna kontrollerades inte"))
        totals, has, bad = parse_numbers([x.cells[c.index] if c.index < len(x.cells) else None for x in records],
                                         *_bound(layout))
        for i, found in bad:
            if not missing[i]:
                problems.append(error(f"{where}!{c.letter}{records[i].row}", f"{c.header}: {found}"))
        years = np.array([c.kind.first is None or (a.kind.kind != "utfall" and c.kind.first <= a.kind.first
                                                    and a.kind.last <= c.kind.last) for a in layout.amounts], dtype=bool)
        inside = shown & years
        sums = [(matrix * inside).sum(axis=1)]
        if c.kind.first is None:  # a bare "Totalt" may or may not include the outturn column
            sums.append((matrix * (inside & ~outturn)).sum(axis=1))
        tol = row_tolerances(np.column_stack([totals, matrix]), np.column_stack([has, inside]), inside.sum(axis=1))
        wrong = has & ~missing & np.all([np.abs(totals - s) > tol for s in sums], axis=0)
        for i in np.flatnonzero(wrong):
            total, first_sum = totals[i], sums[0][i]
            problems.append(error(f"{where}!{c.letter}{records[i].row}",
                                  f'"{c.header}" är {show(total)} men radens belopp summerar till {show(first_sum)} '
                                  f"(skillnad {show(total - first_sum)}); rätta summan eller beloppen"))


def _check_sum(objects: list[ObjectRow], object_matrix: np.ndarray, decimals: tuple,
               record: RowRecord, starts: tuple[int, int], layout: Layout, where: str, problems: list) -> tuple[int, int]:
    """The objects a sum row adds up: those since the last sum, this section, or the whole table (for "Totalt"),
    whichever it matches; an error naming the cells when it matches none. `decimals` are the objects' amounts'
    decimals (`_decimals`) and sizes, the sum row's own decimals, and what sum rows after one another share (the
    objects' sums over a range: many sum rows under many objects are not each a pass over all objects)."""
    amounts, shown, r, label, missing = record.amounts, record.shown, record.row, record.label, record.missing
    wording = v.normalize(label)
    n = len(objects)
    candidates = [(starts[0], n), (starts[1], n), (0, n)]
    if v.TOTAL_LABEL.match(wording):
        candidates.reverse()
    matrix = object_matrix[:n]  # the objects so far
    skipped = {k for k, a in enumerate(layout.amounts) if f"{a.letter}{r}" in missing}
    if skipped:
        problems.append(warning(f"{where}!rad {r}", f'summaraden "{label or "(utan rubrik)"}" har formler utan sparat värde '
                                                    f'i {", ".join(layout.amounts[k].letter for k in sorted(skipped))}; '
                                                    "de kolumnerna kontrolleras inte"))
    columns = [k for k in range(len(layout.amounts)) if shown[k] and k not in skipped]
    if not columns:
        return candidates[0]

    own = np.asarray(amounts, dtype=float)
    object_decimals, object_size, own_decimals, ranges = decimals
    if ranges.get("objects") != n:
        ranges.clear()
        ranges["objects"] = n
    own_size, shown_columns = np.abs(own), np.zeros(len(own), dtype=bool)
    shown_columns[columns] = True
    found: dict[tuple[int, int], list[int]] = {}

    def wrong_columns(start: int, stop: int) -> list[int]:
        """The columns whose sum is off by more than tolerance() of the sum's and the objects' values."""
        if (start, stop) not in found:
            if (start, stop) not in ranges:
                ranges[start, stop] = (matrix[start:stop].sum(axis=0), object_decimals[start:stop].max(axis=0, initial=0),
                                       object_size[start:stop].max(axis=0, initial=0.0))
            expected, places, largest = ranges[start, stop]
            places, largest = np.maximum(own_decimals, places), np.maximum(own_size, largest)
            terms = stop - start
            tol = 0.5 * 10.0 ** -places * (1 + min(terms, 3 * math.sqrt(terms))) + 1e-9 * np.maximum(1.0, largest)
            found[start, stop] = np.flatnonzero((np.abs(own - expected) > tol) & shown_columns).tolist()
        return found[start, stop]

    for start, stop in candidates:
        if not wrong_columns(start, stop):
            return start, stop
    start, stop = candidates[0]
    wrong = wrong_columns(start, stop)
    expected = ranges[start, stop][0]
    rows = f"rad {objects[start].row}–{objects[stop - 1].row}" if stop > start else "inga objektrader"
    detail = "; ".join(f"{layout.amounts[k].letter}{r} ({layout.amounts[k].header}) är {show(amounts[k])}, raderna summerar "
                       f"till {show(expected[k])}" for k in wrong[:4])
    problems.append(error(f"{where}!{layout.amounts[wrong[0]].letter}{r}",
                          f'summaraden "{label or "(utan rubrik)"}" stämmer inte med objekten ovanför ({rows}): {detail}'
                          + (f" och {len(wrong) - 4} kolumner till" if len(wrong) > 4 else "")
                          + "; rätta summan eller raderna"))
    return start, stop
