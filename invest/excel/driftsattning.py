"""The driftsättning cell: `ÅÅÅÅ`, `ÅÅÅÅ-MM`, a date, `löpande` or `löpande +N` (activated N years after spend)."""

from __future__ import annotations

import datetime as dt
import numbers
import re

from invest.base.values import FIRST_YEAR, LAST_YEAR, excel_error, year as year_of
from invest.excel.cells import CellError
from invest.plan.records import Driftsattning
from invest.plan import vocabulary as v

_DRIFT = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_LAG = re.compile(r"^lopande(?:_pott)?_?\+_?(\d{1,2})(?:_ar)?$")


def parse_driftsattning(value) -> Driftsattning:
    expected = "väntat ÅÅÅÅ, ÅÅÅÅ-MM, löpande eller löpande +N"
    if value is None or str(value).strip() == "":
        raise CellError(f"driftsättning saknas ({expected})")
    if isinstance(value, (dt.datetime, dt.date)):
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            raise CellError(f"driftsättning {value:%Y-%m-%d} ligger utanför åren {FIRST_YEAR}–{LAST_YEAR} "
                            f"({expected})")
        return Driftsattning(value.year, value.month)
    if shown := excel_error(value):
        raise CellError(f'driftsättning: Excel-felet "{shown}" ({expected}; rätta formeln)')
    if isinstance(value, numbers.Real) and not isinstance(value, bool):  # a year as a number: whole, in range
        try:
            return Driftsattning(year_of(value), None)
        except CellError as exc:
            raise CellError(f"driftsättning: {exc}") from None
    text = str(value).strip()
    word = v.normalize(text)
    if word in ("lopande", "lopande_pott"):
        return Driftsattning(None, None, lopande=True)
    lagged = _LAG.match(word)
    if lagged:
        return Driftsattning(None, None, lopande=True, lag=int(lagged.group(1)))
    m = _DRIFT.match(text)
    if not m:
        raise CellError(f'driftsättning "{text}" är inget giltigt datum ({expected})')
    year, month = int(m.group(1)), m.group(2)
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise CellError(f'driftsättning "{text}" ligger utanför åren {FIRST_YEAR}–{LAST_YEAR} ({expected})')
    if month is not None and not 1 <= int(month) <= 12:
        raise CellError(f'driftsättning "{text}" är inget giltigt datum ({expected}; månaden 1–12)')
    return Driftsattning(year, int(month) if month else None)
