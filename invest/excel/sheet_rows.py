"""The rows of a sheet's investment table, sorted into objects, section headings, sum rows ("Summa …", "Totalt",
an unlabelled subtotal), "varav" rows and notes; amounts parsed in the sheet's unit, sums checked as they come."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from invest.excel.cells import CellError, parse_number
from invest.base.findings import error, warning
from invest.excel.sheet_layout import Layout, filled
from invest.excel.sheet_scan import SheetScan
from invest.base.swedish import number as show
from invest.plan import vocabulary as v


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
    out = SheetRows()
    amount_cols = {a.index for a in (*layout.amounts, *layout.checks)}
    data_merges = [m for m in scan.merged if m.max_row > layout.header_row]
    for m in data_merges:
        if any(m.min_col - 1 <= c <= m.max_col - 1 for c in amount_cols):
            problems.append(error(f"{where}!{m.ref}", f"sammanfogade celler {m.ref} bland beloppen (väntat ett belopp per "
                                                      "cell; dela upp sammanfogningen och skriv beloppet i varje kolumn)"))
    text_merge_rows = {r for m in data_merges for r in range(m.min_row, m.max_row + 1)}
    label_col = layout.fields.get("namn") or layout.label
    id_col = layout.fields.get("id")
    section, pending_heading = "", ""
    since = section_start = 0
    anchor: tuple | None = None  # ("objekt", index) or ("summa", (start, stop))
    header_values = [_text(x) for x in rows[layout.header_row - 1]]
    unchecked: dict[str, list[int]] = {}  # check column header -> rows whose total is a formula without a value

    for r in range(layout.header_row + 1, len(rows) + 1):
        values = filled(rows, scan, r) if r in text_merge_rows else list(rows[r - 1])
        if not any(_text(x) for x in values):
            continue
        cell = lambda i: values[i] if i < len(values) else None  # noqa: E731
        if [_text(cell(a.index)) for a in layout.amounts] == [header_values[a.index] for a in layout.amounts]:
            anchor, since, section_start = None, len(out.objects), len(out.objects)  # the header repeated: a new table
            continue
        label = _text(cell(label_col[0])) if label_col else ""
        oid = _text(cell(id_col[0])) if id_col else ""
        wording = v.normalize(label or oid)
        missing = [f"{a.letter}{r}" for a in (*layout.amounts, *layout.checks) if f"{a.letter}{r}" in scan.formulas_without_value]
        check_refs = {f"{c.letter}{r}" for c in layout.checks}
        amounts, shown = _amounts(layout, cell, r, where, problems)
        if v.VARAV_LABEL.match(wording):
            _check_columns(layout, cell, amounts, shown, r, where, missing, problems, unchecked)
            scope = None if anchor is None else ((anchor[1], anchor[1] + 1) if anchor[0] == "objekt" else anchor[1])
            out.varav.append(VaravRow(r, label or oid, amounts, shown, scope, anchor is not None and anchor[0] == "objekt"))
            if anchor is not None and anchor[0] == "objekt" and "medfinansiering" in wording:
                out.objects[anchor[1]].varav_medfinansiering = amounts
            continue
        if v.SUM_LABEL.match(wording) or (not label and not oid and shown.any()):
            _check_columns(layout, cell, amounts, shown, r, where, missing, problems, unchecked)
            scope = _check_sum(out.objects, amounts, shown, (since, section_start), wording, r, label or oid, layout, where,
                               missing, problems)
            anchor, since = ("summa", scope), len(out.objects)
            continue
        texts = [_text(x) for x in values if _text(x)]
        if not shown.any() and (len(texts) == 1 or not oid and not any(
                _text(cell(i)) for n, (i, _) in layout.fields.items() if n != "namn")):
            pending_heading = texts[0] if len(texts) == 1 else label  # a heading if objects follow, else a note
            continue
        if pending_heading:
            section, pending_heading = pending_heading, ""
            since = section_start = len(out.objects)
        for ref in (f"{letter}{r}" for _, (i, letter) in layout.fields.items()):
            if ref in scan.formulas_without_value:
                missing.append(ref)
        for ref in (m for m in missing if m not in check_refs):
            problems.append(error(f"{where}!{ref}", "cellen har en formel utan sparat värde (arbetsboken är skriven av ett "
                                                    "program som inte räknar formler); öppna och spara den i Excel eller "
                                                    "LibreOffice, eller skriv in värdet i stället för formeln"))
        for a, value, has in zip(layout.amounts, amounts, shown):
            if has and value < 0:
                problems.append(error(f"{where}!{a.letter}{r}", f"{a.header} är {value:g}, väntat ett belopp ≥ 0"))
        _check_columns(layout, cell, amounts, shown, r, where, missing, problems, unchecked)
        raw = {name: cell(i) for name, (i, _) in layout.fields.items()}
        out.objects.append(ObjectRow(r, label, raw, amounts, section))
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


def _check_columns(layout: Layout, cell, amounts, shown, r: int, where: str, missing: list, problems: list,
                   unchecked: dict) -> None:
    """Each "Totalt"-column on the row equals the row's amounts in its years (it is never imported)."""
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


def _check_sum(objects: list[ObjectRow], amounts, shown, starts: tuple[int, int], wording: str, r: int, label: str,
               layout: Layout, where: str, missing: list, problems: list) -> tuple[int, int]:
    """The objects a sum row adds up: those since the last sum, this section, or the whole table (for "Totalt"),
    whichever it matches; an error naming the cells when it matches none."""
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
