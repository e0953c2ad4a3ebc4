"""The rows of a sheet's investment table in two passes. First each row is classified into a tagged record —
object, sum ("Summa …", "Totalt", an unlabelled subtotal), "varav", heading, note, or the header repeated — with
its amounts parsed in the sheet's unit. Then the records are checked: each sum against the objects it adds up,
each "Totalt"-column against its row, and each varav row is given the rows it breaks down."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from invest.excel.cells import CellError, parse_number
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
    """Rounding slack for a sum of `terms` values shown with the decimals the values have (≤ 6)."""
    x = np.abs(np.asarray(values, dtype=float))
    decimals = 0
    while decimals < 6 and np.any(np.abs(np.round(x, decimals) - x) > 1e-9 * np.maximum(1.0, x)):
        decimals += 1
    return 0.5 * 10.0 ** -decimals * (1 + min(terms, 3 * math.sqrt(terms))) + 1e-9 * max(1.0, float(x.max(initial=0)))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def read_rows(rows: list[tuple], scan: SheetScan, layout: Layout, where: str, problems: list) -> SheetRows:
    """`where` is "file:sheet". Problems are appended; every row is read even after an error."""
    records = classify_rows(rows, scan, layout, where, problems)
    return check_rows(records, layout, where, problems)


def classify_rows(rows: list[tuple], scan: SheetScan, layout: Layout, where: str, problems: list) -> list[RowRecord]:
    """Every non-empty row below the header band as a RowRecord; cells that cannot be read are problems."""
    amount_cols = {a.index for a in (*layout.amounts, *layout.checks)}
    data_merges = [m for m in scan.merged if m.max_row > layout.header_row]
    for m in data_merges:
        if any(m.min_col - 1 <= c <= m.max_col - 1 for c in amount_cols):
            problems.append(error(f"{where}!{m.ref}", f"sammanfogade celler {m.ref} bland beloppen (väntat ett belopp per "
                                                      "cell; dela upp sammanfogningen och skriv beloppet i varje kolumn)"))
    text_merge_rows = {r for m in data_merges for r in range(m.min_row, m.max_row + 1)}
    label_col = layout.fields.get("namn") or layout.label
    id_col = layout.fields.get("id")
    header_values = [_text(x) for x in filled(rows, scan, layout.year_row)]
    field_refs = [letter for _, (_, letter) in layout.fields.items()]
    records: list[RowRecord] = []
    for r in range(layout.header_row + 1, len(rows) + 1):
        values = filled(rows, scan, r) if r in text_merge_rows else list(rows[r - 1])
        if not any(_text(x) for x in values):
            continue
        cell = lambda i: values[i] if i < len(values) else None  # noqa: E731
        if [_text(cell(a.index)) for a in layout.amounts] == [header_values[a.index] for a in layout.amounts]:
            records.append(RowRecord(r, HEADER_AGAIN, "", np.zeros(0), np.zeros(0, bool), values, []))
            continue
        label = _text(cell(label_col[0])) if label_col else ""
        oid = _text(cell(id_col[0])) if id_col else ""
        wording = v.normalize(label or oid)
        missing = [f"{a.letter}{r}" for a in (*layout.amounts, *layout.checks)
                   if f"{a.letter}{r}" in scan.formulas_without_value]
        amounts, shown = _amounts(layout, cell, r, where, problems)
        texts = [_text(x) for x in values if _text(x)]
        if v.VARAV_LABEL.match(wording):
            kind = VARAV
        elif v.SUM_LABEL.match(wording) or (not label and not oid and shown.any()):
            kind = SUM
        elif not shown.any() and (len(texts) == 1 or not oid and not any(
                _text(cell(i)) for n, (i, _) in layout.fields.items() if n != "namn")):
            kind, label = TEXT, texts[0] if len(texts) == 1 else label
        else:
            kind = OBJECT
            missing += [ref for ref in (f"{letter}{r}" for letter in field_refs) if ref in scan.formulas_without_value]
        records.append(RowRecord(r, kind, label or oid, amounts, shown, values, missing))
    for k, record in enumerate(records):  # a text row is a heading when objects follow it, else a note
        if record.kind == TEXT:
            following = next((x.kind for x in records[k + 1:] if x.kind != TEXT), None)
            record.kind = HEADING if following == OBJECT else NOTE
    return records


def check_rows(records: list[RowRecord], layout: Layout, where: str, problems: list) -> SheetRows:
    """The objects with their sections, the varav rows with the rows they break down, and every check."""
    out = SheetRows(records=records)
    section, pending_heading = "", ""
    since = section_start = 0
    anchor: tuple | None = None  # ("objekt", index) or ("summa", (start, stop))
    check_refs = {f"{c.letter}{x.row}" for c in layout.checks for x in records}
    unchecked: dict[str, list[int]] = {}  # check column header -> rows whose total is a formula without a value
    for x in records:
        cell = lambda i: x.cells[i] if i < len(x.cells) else None  # noqa: E731
        if x.kind == HEADER_AGAIN:
            anchor, since, section_start = None, len(out.objects), len(out.objects)
            continue
        if x.kind in (HEADING, NOTE):
            if x.kind == HEADING:
                pending_heading = x.label
            continue
        _check_columns(layout, x, where, problems, unchecked)
        if x.kind == VARAV:
            scope = None if anchor is None else ((anchor[1], anchor[1] + 1) if anchor[0] == "objekt" else anchor[1])
            out.varav.append(VaravRow(x.row, x.label, x.amounts, x.shown, scope,
                                      anchor is not None and anchor[0] == "objekt"))
            if anchor is not None and anchor[0] == "objekt" and "medfinansiering" in v.normalize(x.label):
                out.objects[anchor[1]].varav_medfinansiering = x.amounts
            continue
        if x.kind == SUM:
            scope = _check_sum(out.objects, x, (since, section_start), layout, where, problems)
            anchor, since = ("summa", scope), len(out.objects)
            continue
        if pending_heading:
            section, pending_heading = pending_heading, ""
            since = section_start = len(out.objects)
        for ref in (m for m in x.missing if m not in check_refs):
            problems.append(error(f"{where}!{ref}", "cellen har en formel utan sparat värde (arbetsboken är skriven av ett "
                                                    "program som inte räknar formler); öppna och spara den i Excel eller "
                                                    "LibreOffice, eller skriv in värdet i stället för formeln"))
        for a, value, has in zip(layout.amounts, x.amounts, x.shown):
            if has and value < 0:
                problems.append(error(f"{where}!{a.letter}{x.row}", f"{a.header} är {value:g}, väntat ett belopp ≥ 0"))
        raw = {name: cell(i) for name, (i, _) in layout.fields.items()}
        label_col = layout.fields.get("namn") or layout.label
        out.objects.append(ObjectRow(x.row, _text(cell(label_col[0])) if label_col else "", raw, x.amounts, section))
        anchor = ("objekt", len(out.objects) - 1)
    for header, skipped in unchecked.items():
        problems.append(warning(f"{where}!rad {layout.header_row}", f'"{header}" är en formel utan sparat värde på '
                                f"{len(skipped)} rader (första: rad {skipped[0]}); de radsummorna kontrollerades inte"))
    return out


def _amounts(layout: Layout, cell, r: int, where: str, problems: list) -> tuple[np.ndarray, np.ndarray]:
    amounts = np.zeros(len(layout.amounts))
    shown = np.zeros(len(layout.amounts), dtype=bool)
    for k, a in enumerate(layout.amounts):
        try:
            value = parse_number(cell(a.index))
        except CellError as exc:
            problems.append(error(f"{where}!{a.letter}{r}", f"{a.header}: {exc}"))
            continue
        if value is not None:
            amounts[k], shown[k] = value, True
    return amounts, shown


def _check_columns(layout: Layout, record: RowRecord, where: str, problems: list, unchecked: dict) -> None:
    """Each "Totalt"-column on the row equals the row's amounts in its years (it is never imported)."""
    r, amounts, shown, missing = record.row, record.amounts, record.shown, record.missing
    cell = lambda i: record.cells[i] if i < len(record.cells) else None  # noqa: E731
    for c in layout.checks:
        ref = f"{c.letter}{r}"
        if ref in missing:
            unchecked.setdefault(c.header, []).append(r)
            continue
        try:
            total = parse_number(cell(c.index))
        except CellError as exc:
            problems.append(error(f"{where}!{ref}", f"{c.header}: {exc}"))
            continue
        if total is None:
            continue
        inside = [k for k, a in enumerate(layout.amounts) if shown[k] and (
            c.kind.first is None or (a.kind.kind != "utfall" and c.kind.first <= a.kind.first and a.kind.last <= c.kind.last))]
        sums = [float(amounts[inside].sum())]
        if c.kind.first is None:  # a bare "Totalt" may or may not include the outturn column
            sums.append(float(sum(amounts[k] for k in inside if layout.amounts[k].kind.kind != "utfall")))
        tol = tolerance([total, *amounts[inside]], len(inside))
        if all(abs(total - s) > tol for s in sums):
            problems.append(error(f"{where}!{ref}", f'"{c.header}" är {show(total)} men radens belopp summerar till '
                                                    f"{show(sums[0])} (skillnad {show(total - sums[0])}); rätta summan "
                                                    "eller beloppen"))


def _check_sum(objects: list[ObjectRow], record: RowRecord, starts: tuple[int, int], layout: Layout, where: str,
               problems: list) -> tuple[int, int]:
    """The objects a sum row adds up: those since the last sum, this section, or the whole table (for "Totalt"),
    whichever it matches; an error naming the cells when it matches none."""
    amounts, shown, r, label, missing = record.amounts, record.shown, record.row, record.label, record.missing
    wording = v.normalize(label)
    n = len(objects)
    candidates = [(starts[0], n), (starts[1], n), (0, n)]
    if v.TOTAL_LABEL.match(wording):
        candidates.reverse()
    matrix = np.array([o.amounts for o in objects]) if objects else np.zeros((0, len(layout.amounts)))
    skipped = {k for k, a in enumerate(layout.amounts) if f"{a.letter}{r}" in missing}
    if skipped:
        problems.append(warning(f"{where}!rad {r}", f'summaraden "{label or "(utan rubrik)"}" har formler utan sparat värde '
                                                    f'i {", ".join(layout.amounts[k].letter for k in sorted(skipped))}; '
                                                    "de kolumnerna kontrolleras inte"))
    columns = [k for k in range(len(layout.amounts)) if shown[k] and k not in skipped]
    if not columns:
        return candidates[0]

    def wrong_columns(start: int, stop: int) -> list[int]:
        expected = matrix[start:stop].sum(axis=0)
        return [k for k in columns
                if abs(amounts[k] - expected[k]) > tolerance([amounts[k], *matrix[start:stop, k]], stop - start)]

    for start, stop in candidates:
        if not wrong_columns(start, stop):
            return start, stop
    start, stop = candidates[0]
    expected = matrix[start:stop].sum(axis=0)
    wrong = wrong_columns(start, stop)
    rows = f"rad {objects[start].row}–{objects[stop - 1].row}" if stop > start else "inga objektrader"
    detail = "; ".join(f"{layout.amounts[k].letter}{r} ({layout.amounts[k].header}) är {show(amounts[k])}, raderna summerar "
                       f"till {show(expected[k])}" for k in wrong[:4])
    problems.append(error(f"{where}!{layout.amounts[wrong[0]].letter}{r}",
                          f'summaraden "{label or "(utan rubrik)"}" stämmer inte med objekten ovanför ({rows}): {detail}'
                          + (f" och {len(wrong) - 4} kolumner till" if len(wrong) > 4 else "")
                          + "; rätta summan eller raderna"))
    return start, stop
