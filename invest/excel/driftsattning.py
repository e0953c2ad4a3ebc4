"""The driftsättning cell: `ÅÅÅÅ`, `ÅÅÅÅ-MM`, a date, `löpande` or `löpande +N` (activated N years after spend)."""

from __future__ import annotations

import datetime as dt
import re

from invest.excel.cells import CellError
from invest.excel.headers import FIRST_YEAR, LAST_YEAR
from invest.plan.records import Driftsattning
from invest.plan import vocabulary as v

_DRIFT = re.compile(r"^(\d{4})(?:-(\d{1,2}))?$")
_LAG = re.compile(r"^lopande(?:_pott)?_?\+_?(\d{1,2})(?:_ar)?$")


def parse_driftsattning(value) -> Driftsattning:
    expected = "väntat ÅÅÅÅ, ÅÅÅÅ-MM, löpande eller löpande +N"
    if value is None or str(value).strip() == "":
        raise CellError(f"driftsättning saknas ({expected})")
    if isinstance(value, (dt.datetime, dt.date)):
        return Driftsattning(value.year, value.month)
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        value = str(int(value))
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
    if not FIRST_YEAR <= year <= LAST_YEAR or (month is not None and not 1 <= int(month) <= 12):
        raise CellError(f'driftsättning "{text}" är inget giltigt datum ({expected})')
    return Driftsattning(year, int(month) if month else None)
