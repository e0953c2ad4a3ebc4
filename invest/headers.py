"""Year column headers: `2026` is a plan year, `t.o.m. 2025` (or `Utfall t.o.m. 2025`) is outturn before the plan."""

from __future__ import annotations

import re

_YEAR = re.compile(r"^(\d{4})(?:\.0)?$")
_OUTTURN = re.compile(r"^(?:utfall\s*)?t\.?\s*o\.?\s*m\.?\s*(\d{4})$", re.IGNORECASE)
FIRST_YEAR, LAST_YEAR = 1900, 2200


def classify_header(raw) -> tuple[str, int] | None:
    """("ar", 2026) for a year column, ("utfall", 2025) for `t.o.m. 2025`, else None."""
    if isinstance(raw, bool):
        return None
    if isinstance(raw, (int, float)) and float(raw).is_integer() and FIRST_YEAR <= raw <= LAST_YEAR:
        return "ar", int(raw)
    text = str(raw).strip()
    if (m := _YEAR.match(text)) and FIRST_YEAR <= int(m.group(1)) <= LAST_YEAR:
        return "ar", int(m.group(1))
    if m := _OUTTURN.match(text):
        return "utfall", int(m.group(1))
    return None
