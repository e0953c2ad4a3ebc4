"""A sheet's XML looked into without reading its values. `survey` is the one streamed pass made before the values are
read: what calamine's values lack (error cells' texts, the last row), an upper bound of calamine's grid, the merged
ranges and formulas without a value (invest.excel.sheet_scan, in the same pass), and why the sheet is not read at
all (a reference beyond Excel's bounds, more cells with content than MAX_READ_CELLS, more rows with values than
MAX_CONTENT_ROWS, a value holding elements instead of text). For a sheet that could not be
read, `text_as_number`, `first_bad_reference` and `shared_string_beyond` look into its XML to say where."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from xml.sax.saxutils import unescape

from invest.excel.sheet_scan import SheetScan, scan_part, xml_parts

# calamine holds a sheet as one dense grid from A1 to the last cell with a value; a larger grid is read sparsely
# (two cells, A1 and XFD1048576, would otherwise ask for 550 GB)
MAX_GRID_CELLS = 5_000_000
# No sheet hands on more cells than this (the rows' lengths summed, an empty row counting one), however it is read:
# rows end at their last value and are never padded to the sheet's width, so a stray cell far out costs one row,
# but values far out on many rows make every row that long. 5 million is the dense grid's bound, 20 times the
# 20 000-row benchmark sheet (240 000 cells); a sheet beyond it is refused with its place, not read for minutes.
MAX_READ_CELLS = MAX_GRID_CELLS
# No sheet is read with more rows holding a value than this: 4 times a 50 000-object plan (benchmarks/make_large_plan.py),
# and every row costs its classification and checks, so a sheet far beyond any plan is refused before they run
MAX_CONTENT_ROWS = 200_000
# Excel's own bounds: a cell reference beyond them is no cell
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384


@dataclass
class Survey:
    """What the values from calamine need from the sheet's XML: error cells' texts (calamine gives them as empty),
    the last row element (openpyxl gave rows up to it) and an upper bound of calamine's grid (from the cells with
    content: an empty styled cell far out is no value); and why the sheet is not read at all (`problem`)."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (0-based row, column) -> "#REF!"
    last_row: int = 0
    grid_cells: float = 0
    scan: SheetScan | None = None  # merged ranges and formulas without a value, read in the same pass
    problem: str = ""  # a cell reference beyond Excel's bounds, or more cells than MAX_READ_CELLS
    cell: str = ""  # where the problem is, when it is at a cell ("G2")


_ROOT = re.compile(rb"<(\w+:)?(?:worksheet|dialogsheet|macrosheet)\b")
_VALUE = re.compile(rb"<(?:\w+:)?v>([^<]*)</(?:\w+:)?v>")
_NARROW_COLUMNS, _SHORT_ROWS = 26, 99999  # a sheet within A–Z, or with no row number of six digits


def _column(letters: bytes) -> int:
    number = 0
    for letter in letters.upper():
        number = number * 26 + letter - 64
    return number


class _Patterns:
    """The byte patterns of one namespace prefix ("" or e.g. "x:")."""
    cache: dict[bytes, _Patterns] = {}

    def __init__(self, prefix: bytes):
        cell, row = re.escape(b"<" + prefix + b"c"), re.escape(b"<" + prefix + b"row")
        ref = cell + rb' r="'
        # a cell with content: neither <c …/> nor <c …></c> (calamine's grid ends at the last of these; an empty
        # styled cell far out is no value)
        content = rb'"[^>]*(?<!/)>(?!\s*</' + re.escape(prefix) + rb"c>)"
        self.wide = re.compile(ref + rb"([A-Za-z]{2,})[0-9]+" + content)  # columns after Z
        self.tall = re.compile(ref + rb"[A-Za-z]*([0-9]{6,})" + content)  # rows after 99 999
        self.rows = re.compile(ref + rb"[A-Za-z]*([0-9]+)" + content)
        self.content_cells = re.compile(ref + rb"([A-Za-z]*[0-9]+)" + content)
        # a reference that names no cell: not letters and digits, row 0, a column after XFD (only looked for in a
        # sheet that could not be read, or whose far references are beyond Excel's bounds, to say which)
        self.bad_ref = re.compile(ref + rb'(?:(?![A-Za-z]{1,3}0*[1-9][0-9]{0,6}")|(?=(?:[YZyz][A-Za-z]{2}|[Xx][G-Zg-z]'
                                  rb'[A-Za-z]|[Xx][Ff][E-Ze-z])[0-9]|[A-Za-z]{1,3}0*(?:10485(?:7[7-9]|[89][0-9])|'
                                  rb'1048[6-9][0-9]{2}|1049[0-9]{3}|10[5-9][0-9]{4}|1[1-9][0-9]{5}|[2-9][0-9]{6})"))|'
                                  + row + rb' r="(?!0*[1-9][0-9]{0,6}")')
        # a cell with another prefix than the root's: calamine reads it, the patterns here would not see it (a
        # fast find for ":c" first: the regex only runs where it may match)
        self.foreign = re.compile(rb"<(?!" + re.escape(prefix) + rb"c[\s/>])[\w.-]+:c[\s/>]")
        self.row_ref = b"<" + prefix + b'row r="'
        self.row_number = re.compile(row + rb' r="([0-9]+)"')
        # a cell or row whose position is not its first attribute (or that has none)
        self.unplaced = [re.compile(tag + rb'(?:[\t\n\r>/]| (?!r="))') for tag in (cell, row)]
        self.value_end, self.cell_end = b"</" + prefix + b"v>", b"</" + prefix + b"c>"
        # a value holding elements instead of text (`<v><x>100</x></v>`): the readers would lose it silently
        self.nested_value = re.compile(re.escape(b"<" + prefix + b"v>") + rb"\s*<(?!/)")
        self.cell_ref = re.compile(ref + rb'([A-Za-z]{1,3}[0-9]{1,7})"')
        self.value_then_end = re.compile(re.escape(self.value_end) + rb"\s*" + re.escape(self.cell_end))
        self.error = re.compile(ref + rb'([A-Z]{1,3})([0-9]+)"[^>]*?\bt="e"[^>]*(?<!/)>(.*?)</' + re.escape(prefix)
                                + rb"c>", re.S)

    @classmethod
    def of(cls, prefix: bytes) -> _Patterns:
        if prefix not in cls.cache:
            cls.cache[prefix] = cls(prefix)
        return cls.cache[prefix]

    def plain(self, part: bytes) -> bool:
        """Every cell and row has its position first (`r`, as Excel and openpyxl write them) and every value ends
        its cell: where a cell has two values, openpyxl took the first and calamine the last."""
        if any(p.search(part) for p in self.unplaced):
            return False
        if b":c" in part and self.foreign.search(part):
            return False
        values = part.count(self.value_end)
        return part.count(self.value_end + self.cell_end) == values or len(self.value_then_end.findall(part)) == values


def survey(open_stream) -> Survey:
    """One streamed pass over the sheet's XML. A sheet that is not plain (`_Patterns.plain`) gets an unbounded grid:
    openpyxl reads it."""
    survey, patterns = Survey(), None
    plain, max_column, max_row, cells = True, 0, 0, 0
    merged, missing = [], set()
    content_rows: set[bytes] = set()
    with open_stream() as stream:
        for part in xml_parts(stream):
            scan_part(part, merged, missing)  # what the importer needs from the XML, in the same pass
            if patterns is None:
                root = _ROOT.search(part)
                if root is None:
                    continue
                patterns = _Patterns.of(root.group(1) or b"")
            p = patterns
            plain = plain and p.plain(part)
            cells += part.count(p.cell_end)
            last = part.rfind(p.row_ref)
            if last >= 0:
                survey.last_row = max(survey.last_row, int(p.row_number.match(part, last).group(1)))
            # references beyond Excel's bounds: a cell with content there would be placed by calamine (or ask it for
            # a grid it cannot allocate); one without content is checked where it is read (workbook._sparse_rows)
            max_column = max([max_column, *map(_column, set(p.wide.findall(part)))])
            tall = p.tall.findall(part)
            if tall:  # the largest number among the longest (for equal lengths, the largest string)
                longest = max(map(len, tall))
                max_row = max(max_row, int(max(r for r in tall if len(r) == longest)))
            if max_column > EXCEL_COLUMNS or max_row > EXCEL_ROWS or survey.last_row > EXCEL_ROWS:
                survey.problem = bad_reference(part, p) or bad_reference(b"%d" % survey.last_row, None)
                break
            content_rows.update(p.rows.findall(part))
            if len(content_rows) > MAX_CONTENT_ROWS:
                _too_many_rows(survey, part, p, content_rows)
                break
            nested = p.nested_value.search(part)
            if nested:
                refs = p.cell_ref.findall(part, 0, nested.start())
                survey.cell = refs[-1].decode().upper() if refs else ""
                survey.problem = ("arbetsboken kan inte läsas: cellens värde (<v>) innehåller XML-element i stället "
                                  "för ett värde (det skriver Excel aldrig; värdet skulle tappas); filen är trasig "
                                  "eller gjord för att lura, spara om den i Excel")
                break
            if b't="e"' in part:
                for letters, row, inner in p.error.findall(part):
                    value = _VALUE.search(inner)
                    if value and value.group(1):
                        text = unescape(value.group(1).decode("utf-8"), {"&quot;": '"', "&apos;": "'"})
                        survey.errors[(int(row) - 1, _column(letters) - 1)] = text
    survey.scan = SheetScan(tuple(merged), frozenset(missing))
    if cells > MAX_READ_CELLS and not survey.problem:
        survey.problem = (f"bladet har {cells:,} celler med innehåll; högst {MAX_READ_CELLS:,} läses ur ett blad "
                          "(det är långt mer än en investeringsplan; dela upp bladet eller ta bort det som inte hör "
                          "till planen)").replace(",", "\u00a0")
    if survey.problem:
        return survey
    if patterns is None or not plain:
        survey.grid_cells = float("inf")
        return survey
    columns = max_column or _NARROW_COLUMNS
    if not max_row and columns * _SHORT_ROWS > MAX_GRID_CELLS:  # a wide sheet: count its rows
        with open_stream() as stream:
            max_row = max([0, *(int(r) for part in xml_parts(stream) for r in patterns.rows.findall(part))])
    survey.grid_cells = columns * (max_row or _SHORT_ROWS)
    return survey


def _too_many_rows(survey: Survey, part: bytes, patterns: _Patterns, rows: set[bytes]) -> None:
    """The sheet refused at the first cell with a value on the row after MAX_CONTENT_ROWS rows with values (`rows`
    holds them, and those of `part`, the part that passed the bound)."""
    refs = patterns.content_cells.findall(part)
    rows.difference_update(patterns.rows.findall(part))
    for ref in refs:
        rows.add(ref.lstrip(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"))
        if len(rows) > MAX_CONTENT_ROWS:
            survey.cell = ref.decode().upper()
            break
    bound = f"{MAX_CONTENT_ROWS:,}".replace(",", "\u00a0")
    survey.problem = (f"bladet har fler än {bound} rader med värden; det är långt mer än en investeringsplan, och "
                      "bladet läses inte (dela upp bladet eller ta bort det som inte hör till planen)")


def bad_reference(part: bytes, patterns: _Patterns | None, what: str = "radnumret") -> str:
    """The message for the first cell reference or row number in `part` that names no cell in Excel ("" when there
    is none); with `patterns` None, `part` is the reference itself and `what` says what it is."""
    if patterns is None:
        text = part
    else:
        bad = patterns.bad_ref.search(part)
        if bad is None:
            return ""
        what = "radnumret" if part.startswith(patterns.row_ref[:-4], bad.start()) else "cellreferensen"
        text = part[bad.end():bad.end() + 24].partition(b'"')[0]
    return (f'arbetsboken kan inte läsas: {what} "{text.decode("utf-8", "replace")}" finns inte i Excel (kolumnerna '
            "A–XFD, raderna 1–1 048 576); filen är trasig, spara om den i Excel")


# --- where a sheet that could not be read fails -----------------------------------------------------------------------

_SHARED = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_SHARED_CELL = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\bt="s"[^>]*(?<!/)>\s*<(?:[\w.-]+:)?v>\s*'
                          rb"([0-9]+)\s*<")


_NUMBER_CELL = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3}[0-9]{1,7})"(?:\s+t="n")?(?:\s+s="[0-9]*")?(?:\s+t="n")?\s*>\s*'
                          rb"(?:<(?:[\w.-]+:)?f\b[^>]*(?:/>|>[^<]*</(?:[\w.-]+:)?f>)\s*)?<(?:[\w.-]+:)?v>([^<]*)<")


def text_as_number(archive: zipfile.ZipFile, sheet: str) -> tuple[str, str] | None:
    """The first cell stored as a number (no type, or t="n") whose value is no number: (cell, value). Only run for a
    sheet that could not be read, to say where."""
    for part in xml_parts(archive.open(sheet)):
        for m in _NUMBER_CELL.finditer(part):
            try:
                float(m.group(2))
            except ValueError:
                return m.group(1).decode(), m.group(2).decode("utf-8", "replace")[:40]
    return None


def first_bad_reference(archive: zipfile.ZipFile, sheet: str) -> str:
    """The message for the first reference in a sheet that names no cell, or "". Only run for a sheet that could not
    be read, to say why."""
    patterns = None
    for part in xml_parts(archive.open(sheet)):
        if patterns is None:
            root = _ROOT.search(part)
            patterns = _Patterns.of(root.group(1) or b"") if root else None
        message = bad_reference(part, patterns) if patterns else ""
        if message:
            return message
    return ""


def shared_string_beyond(archive: zipfile.ZipFile, sheet: str) -> tuple[str, int, int] | None:
    """The first cell of a sheet whose shared-string index is beyond the shared strings there are: (cell, index,
    count). Only run for a sheet that could not be read, to say where."""
    strings = [i for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")]
    count = sum(len(_SHARED.findall(part)) for info in strings[:1] for part in xml_parts(archive.open(info)))
    for part in xml_parts(archive.open(sheet)):
        for m in _SHARED_CELL.finditer(part):
            if int(m.group(2)) >= count:
                return m.group(1).decode(), int(m.group(2)), count
    return None
