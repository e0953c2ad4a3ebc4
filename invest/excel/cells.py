"""Reading one sheet as a header plus rows, and parsing cell values with Swedish number formats; the number format
a written cell gets for each kind of value (FORMATS, for openpyxl's writer and the report's XlsxWriter book alike)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from invest.base import values as parse
from invest.base.values import AMOUNT_LIMIT, AMOUNT_RESOLUTION
from invest.plan.vocabulary import normalize

# Format codes are locale-neutral; Excel and LibreOffice show them with the user's (Swedish) separators.
FORMATS = {"mnkr": "#,##0.0", "andel": "0.00%", "ar": "0", "tal": "General", "text": "@"}
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?([0-9]+)$")


def column_letter(number: int) -> str:
    """1 -> "A", 27 -> "AA" (openpyxl's get_column_letter, without importing openpyxl to read a workbook)."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_range(ref: str) -> tuple[int, int, int, int]:
    """"B3:D7" -> (min_col, min_row, max_col, max_row), 1-based; "C5" is a range of one cell."""
    corners = []
    for part in ref.split(":"):
        letters, row = _REF.match(part).groups()
        number = 0
        for ch in letters:
            number = number * 26 + ord(ch) - 64
        corners.append((number, int(row)))
    (c1, r1), (c2, r2) = corners[0], corners[-1]
    return c1, r1, c2, r2


CellError = parse.BadValue  # a cell whose value is not what the column expects; the message says what was found


@dataclass(frozen=True)
class Table:
    file: str
    sheet: str
    header_row: int
    headers: tuple[tuple[int, str, object], ...]  # (0-based column index, letter, raw header)
    rows: tuple[tuple[int, tuple], ...]  # (1-based row number, values)

    def find(self, aliases: tuple[str, ...]) -> tuple[int, str] | None:
        for index, letter, raw in self.headers:
            if raw is not None and normalize(raw) in aliases:
                return index, letter
        return None

    def where(self, letter: str = "", row: int | None = None) -> str:
        if not letter:
            return f"{self.file}:{self.sheet}!rad {row if row is not None else self.header_row}"
        return f"{self.file}:{self.sheet}!{letter}{row if row is not None else self.header_row}"


def read_table(worksheet, file: str, sheet: str, header_row: int = 1) -> Table:
    """Header from `header_row`; data rows after it, fully empty rows skipped."""
    headers: tuple = ()
    rows = []
    for number, values in enumerate(worksheet.iter_rows(values_only=True), start=1):
        if number < header_row:
            continue
        if number == header_row:
            headers = tuple((i, column_letter(i + 1), v) for i, v in enumerate(values)
                            if v is not None and str(v).strip() != "")
            continue
        if any(v is not None and str(v).strip() != "" for v in values):
            rows.append((number, tuple(values)))
    return Table(file, sheet, header_row, headers, tuple(rows))


def value_at(values: tuple, index: int):
    return values[index] if index < len(values) else None


def parse_number(value, scale: float = 1.0, unit: str = "mnkr") -> float | None:
    """A float, or None for an empty cell; Swedish text such as "1 017,4", "−5" and "-" is accepted. An amount in
    `unit` (`scale` mnkr each): beyond AMOUNT_LIMIT mnkr it is refused, below AMOUNT_RESOLUTION it is 0
    (invest.base.values.amount)."""
    return parse.amount(value, scale, unit)


def parse_numbers(cells: list, scale: float = 1.0, unit: str = "mnkr"
                  ) -> tuple[np.ndarray, np.ndarray, list[tuple[int, str]]]:
    """parse_number over a column of cells in `unit` (`scale` mnkr each): the amounts (0 where empty), whether each
    cell has one, and (position, what was found) for each cell that is not an amount. Plain finite numbers take a
    fast path; the bounds (AMOUNT_LIMIT, AMOUNT_RESOLUTION) are applied to the whole column at once."""
    out = np.zeros(len(cells))
    shown = np.zeros(len(cells), dtype=bool)
    bad = []
    for i, x in enumerate(cells):
        if x is None:
            continue
        kind = type(x)
        if (kind is int or kind is float) and -1e308 < x < 1e308:  # finite (not nan)
            out[i], shown[i] = x, True
            continue
        try:
            value = parse.number(x)
        except CellError as exc:
            bad.append((i, str(exc)))
            continue
        if value is not None:
            out[i], shown[i] = value, True
    size = np.abs(out)
    too_big = np.flatnonzero(size > AMOUNT_LIMIT / scale)
    if len(too_big):
        bad = sorted(bad + [(int(i), parse.amount_message(float(out[i]), scale, unit)) for i in too_big])
        out[too_big], shown[too_big] = 0.0, False
    out[size < AMOUNT_RESOLUTION / scale] = 0.0
    return out, shown, bad


def cell_text(value) -> str:
    """A cell's text as written, stripped ("" for an empty cell); numbers as Python prints them."""
    return "" if value is None else str(value).strip()


def parse_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()
