"""Amount column headers: what a header such as `2026`, `Budget 2026`, `Utfall t.o.m. 2025`, `2029–2035` or
`Totalt 2026–2035` says about the amounts below it."""

from __future__ import annotations

import re
from dataclasses import dataclass

from invest.base.values import FIRST_YEAR, LAST_YEAR
from invest.excel.units import strip_units

_LABEL = r"(?:budget|plan|prognos|utfall|bokslut|ar|år|forecast|actual|outturn)"
_TOTAL = r"(?:totalt|total|summa|sum|totalbelopp|totalt\s+belopp|total\s+utgift|totalutgift)"
_RANGE = r"(\d{4})\s*(?:[-–—]|till|to)\s*(\d{4}|\d{2})"
_YEAR = re.compile(rf"^(?:{_LABEL}\s*)?(\d{{4}})(?:\.0)?(?:\s*{_LABEL})?$")
_OUTTURN = re.compile(r"^(?:(?:ack(?:\.|umulerat)?\s*)?(?:utfall|upparbetat|nedlagt|actual|outturn)\s*)?"
                      r"(?:t\.?\s*o\.?\s*m\.?|till\s+och\s+med|through|up\s+to)\s*(\d{4})$")
_ACCUMULATED = re.compile(r"^(?:ack(?:\.|umulerat)?|upparbetat|nedlagt)\s*(?:utfall\s*)?(\d{4})$")  # "Ack. utfall 2025"
_BEFORE = re.compile(r"^(?:utfall\s*)?(?:före|fore|before|innan)\s*(\d{4})$")
_PERIOD = re.compile(rf"^(?:{_LABEL}\s*)?{_RANGE}$")
_CHECK_PERIOD = re.compile(rf"^{_TOTAL}\s*(?:{_LABEL}\s*)?{_RANGE}$")
_CHECK = re.compile(rf"^{_TOTAL}$")


@dataclass(frozen=True)
class AmountKind:
    """kind: ar (one year), utfall (outturn up to and including `first`), period (`first`–`last` in one column),
    kontroll (a total to check, not imported; years None = the whole row)."""

    kind: str
    first: int | None = None
    last: int | None = None


def _year(text: str) -> int | None:
    value = int(text)
    return value if FIRST_YEAR <= value <= LAST_YEAR else None


def _range(m: re.Match) -> tuple[int, int] | None:
    first = _year(m.group(1))
    last_text = m.group(2)
    last = _year(last_text) if len(last_text) == 4 else (first // 100 * 100 + int(last_text) if first else None)
    if first is None or last is None or last <= first:
        return None
    return first, last


def classify_amount_header(raw, group: object = None) -> AmountKind | None:
    """The kind of amount column a header names (with the label of a group header above it), or None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        if float(raw).is_integer() and FIRST_YEAR <= raw <= LAST_YEAR:
            return AmountKind("ar", int(raw), int(raw))
        return None
    text = _header_text(raw)
    group_text = strip_units(str(group)).strip().lower() if group is not None else ""
    group_is_total = bool(_CHECK.match(group_text))
    if (m := _YEAR.match(text)) and (year := _year(m.group(1))):
        return AmountKind("kontroll" if group_is_total else "ar", year, year)
    if (m := _OUTTURN.match(text)) and (year := _year(m.group(1))):
        return AmountKind("utfall", year, year)
    if (m := _ACCUMULATED.match(text)) and (year := _year(m.group(1))):
        return AmountKind("utfall", year, year)
    if (m := _BEFORE.match(text)) and (year := _year(m.group(1))):
        return AmountKind("utfall", year - 1, year - 1)
    if (m := _CHECK_PERIOD.match(text)) and (span := _range(m)):
        return AmountKind("kontroll", *span)
    if (m := _PERIOD.match(text)) and (span := _range(m)):
        return AmountKind("kontroll" if group_is_total else "period", *span)
    if _CHECK.match(text):
        return AmountKind("kontroll")
    return None


def _header_text(raw) -> str:
    return re.sub(r"\s+", " ", strip_units(str(raw)).strip().lower()).strip(" :,.")


YEAR_LIKE = (1000, 2999)  # four digits a planner may have meant as a year (a typo such as 1899, 2999 or 2062)


def year_outside(raw) -> int | None:
    """The year a header names when it is outside FIRST_YEAR–LAST_YEAR, a header that would be a year, outturn or
    period column if the year were inside ("1899", 2999, "Budget 2999", "t.o.m. 1850"); else None."""
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)):
        inside = FIRST_YEAR <= raw <= LAST_YEAR
        return int(raw) if float(raw).is_integer() and YEAR_LIKE[0] <= raw <= YEAR_LIKE[1] and not inside else None
    text = _header_text(raw)
    for pattern in (_YEAR, _OUTTURN, _ACCUMULATED, _BEFORE, _CHECK_PERIOD, _PERIOD):
        if m := pattern.match(text):
            found = [int(g) for g in m.groups() if g and len(g) == 4]
            outside = [y for y in found if YEAR_LIKE[0] <= y <= YEAR_LIKE[1] and not FIRST_YEAR <= y <= LAST_YEAR]
            return outside[0] if outside else None
    return None


def classify_header(raw) -> tuple[str, int] | None:
    """("ar", 2026) for a year column, ("utfall", 2025) for `t.o.m. 2025`, else None (used by the Region sheet)."""
    kind = classify_amount_header(raw)
    if kind is None or kind.kind not in ("ar", "utfall"):
        return None
    return kind.kind, kind.first
