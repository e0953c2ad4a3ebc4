"""What the cell values do not tell, read from a sheet's raw XML: merged ranges and formula cells
without a cached value (a workbook written by a program and never opened in Excel).

The scan streams the XML in chunks and cuts each chunk after a complete row, so memory stays bounded by the
largest row. It never expands entities, so it adds no XML-bomb exposure."""

from __future__ import annotations

import re
from dataclasses import dataclass

from invest.excel.cells import cell_range

_CHUNK = 1 << 22
# The most XML between two places where a part may be cut (a row's end, a mergeCell): a row of 16 384 cells with
# long texts is a few MB; more is a damaged or hostile sheet (one attribute of hundreds of MB), refused rather than
# held in memory whole
MAX_UNCUT_BYTES = 32 << 20
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\s+ref="([A-Z]{1,3}[0-9]+(?::[A-Z]{1,3}[0-9]+)?)"')
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\s([^>]*?)>\s*<(?:\w+:)?f\b(?:[^>]*/>|[^>]*>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>[^<]*</(?:\w+:)?v>)?")
_REF = re.compile(rb'\br="([A-Z]{1,3}[0-9]+)"')
_EMPTY_VALUE = re.compile(rb"^<(?:\w+:)?v\s*/>$|^<(?:\w+:)?v>\s*</(?:\w+:)?v>$")


class OversizedElement(ValueError):
    """A sheet's XML with more than MAX_UNCUT_BYTES between two rows; its message is Swedish, for the planner."""


@dataclass(frozen=True)
class Merged:
    ref: str
    min_col: int
    min_row: int
    max_col: int
    max_row: int


@dataclass(frozen=True)
class SheetScan:
    merged: tuple[Merged, ...]
    formulas_without_value: frozenset[str]  # cell references such as "C7"


def _cut(buffer: bytes) -> int:
    """An offset after which no element of interest is split: after a row's end or before a mergeCell."""
    row_end = buffer.rfind(b"row>")
    return max(row_end + 4 if row_end >= 0 else 0, buffer.rfind(b"<mergeCell"))


def scan_part(part: bytes, merged: list, missing: set) -> None:
    """The merged ranges and formula cells without a cached value in one part of a sheet's XML."""
    for m in _MERGE.finditer(part):
        min_col, min_row, max_col, max_row = cell_range(m.group(1).decode())
        merged.append(Merged(m.group(1).decode(), min_col, min_row, max_col, max_row))
    if b"f>" not in part and b"f " not in part and b"f/>" not in part:
        return
    for m in _FORMULA_CELL.finditer(part):
        value = m.group(2)
        attrs = m.group(1)
        if value is not None and (not _EMPTY_VALUE.match(value) or b't="str"' in attrs):
            continue
        ref = _REF.search(attrs)
        if ref:
            missing.add(ref.group(1).decode())


def xml_parts(stream):
    """A sheet's XML from a binary stream in parts of about `_CHUNK` bytes, each cut after a complete row (or
    before a mergeCell), so no cell, row or merge element is split between parts; OversizedElement past
    MAX_UNCUT_BYTES without such a place."""
    carry = b""
    while True:
        chunk = stream.read(_CHUNK)
        buffer = carry + chunk
        cut = len(buffer) if not chunk else _cut(buffer)
        yield buffer[:cut]
        carry = buffer[cut:]
        if len(carry) > MAX_UNCUT_BYTES:
            raise OversizedElement(f"bladets XML har mer än {MAX_UNCUT_BYTES >> 20} MB utan ett radslut (en rad eller ett "
                                   "attribut som är orimligt stort); filen är trasig eller gjord för att belasta och "
                                   "läses inte")
        if not chunk:
            return


def scan_sheet(worksheet) -> SheetScan:
    """Scan a worksheet's XML, streamed from `worksheet.xml_source()` (invest.excel.workbook.Worksheet) — unless
    reading its values already did (`worksheet.scanned`)."""
    if getattr(worksheet, "scanned", None) is not None:
        return worksheet.scanned
    merged: list[Merged] = []
    missing: set[str] = set()
    with worksheet.xml_source() as stream:
        for part in xml_parts(stream):
            scan_part(part, merged, missing)
    return SheetScan(tuple(merged), frozenset(missing))
