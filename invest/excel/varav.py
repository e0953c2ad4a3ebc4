"""A "varav" row is part of the rows above it: at most their sum, and exactly the part its words name when the
objects say which of them it is (investeringstyp, kategori, medfinansiering)."""

from __future__ import annotations

import numpy as np

from invest.base.findings import error, warning
from invest.base.swedish import number as show
from invest.excel.sheet_layout import Layout
from invest.excel.sheet_rows import SheetRows, tolerance
from invest.plan import vocabulary as v
from invest.plan.records import InvestmentObject


def _varav_kind(label: str) -> tuple[str, str] | None:
    rest = v.VARAV_LABEL.sub("", v.normalize(label))
    for attribute, value, stem in (("medfinansiering", "", "medfinans"), ("investeringstyp", "ny", "ny"),
                                   ("investeringstyp", "ersättning", "ersatt"), ("investeringstyp", "ersättning", "reinvest"),
                                   ("kategori", "beslutad", "beslut"), ("kategori", "planerad", "planer"),
                                   ("kategori", "pott", "pott")):
        if rest.startswith(stem) or (stem == "medfinans" and stem in rest):
            return attribute, value
    return None


def check_varav(sheet: SheetRows, objects: list[InvestmentObject], layout: Layout, where: str, problems: list) -> None:
    """A "varav" row is part of the rows above it: at most their sum, and exactly the part its words name when the
    objects say which of them it is (investeringstyp, kategori, medfinansiering)."""
    if not objects:
        return
    matrix = np.array([o.amounts for o in sheet.objects])
    for row in sheet.varav:
        at = f"{where}!rad {row.row}"
        if row.scope is None:
            problems.append(warning(at, f'"{row.label}" har ingen objekt- eller summarad ovanför och kontrolleras inte'))
            continue
        start, stop = row.scope
        kind = _varav_kind(row.label)
        columns = np.flatnonzero(row.shown)
        if kind and kind[0] == "medfinansiering":
            if row.of_object:
                continue
            known = "medfinansiering" in layout.fields or any(o.medfinansiering for o in objects[start:stop])
            total = float(row.amounts[columns].sum()) * layout.factor
            if known:
                expected = sum(o.total_medfinansiering for o in objects[start:stop])
                if abs(total - expected) > tolerance([total, expected], stop - start) * max(layout.factor, 1):
                    problems.append(error(at, f'"{row.label}" summerar till {show(total)} mnkr, men objektens '
                                              f"medfinansiering (rad {objects[start].source.row}–"
                                              f"{objects[stop - 1].source.row}) är {show(expected)} mnkr"))
            else:
                problems.append(warning(at, f'"{row.label}" ({show(total)} mnkr) anger inte vilka objekt som '
                                            "medfinansieras och importeras inte; ange medfinansiering per objekt (kolumnen "
                                            f"medfinansiering eller bladet {v.COFINANCING_SHEET}), annars räknas "
                                            "kapitalkostnaden på hela utgiften"))
        scope = matrix[start:stop]
        low, high = np.zeros(len(layout.amounts)), scope.sum(axis=0)
        if kind and kind[0] in ("investeringstyp", "kategori"):
            values = np.array([getattr(o, kind[0]) for o in objects[start:stop]], dtype=object)
            low = scope[values == kind[1]].sum(axis=0)
            high = low + scope[values == ""].sum(axis=0)
        for k in columns:
            a = layout.amounts[k]
            tol = tolerance([row.amounts[k], high[k]], stop - start)
            if not low[k] - tol <= row.amounts[k] <= high[k] + tol:
                expected = show(low[k]) if abs(high[k] - low[k]) < tol else f"mellan {show(low[k])} och {show(high[k])}"
                problems.append(error(f"{where}!{a.letter}{row.row}",
                                      f'"{row.label}" är {show(row.amounts[k])} i {a.header}, men raderna ovanför '
                                      f"(rad {objects[start].source.row}–{objects[stop - 1].source.row}) ger {expected}"))
