"""Opening xlsx files safely (refuses non-xlsx, oversized files, zip bombs, XML with a DTD) and reading their cells.

Cell values are read with python-calamine, 11–15× faster than openpyxl's read-only mode, and handed on exactly as
openpyxl's read-only, data_only workbook gave them, type by type, through `Workbook` and `Worksheet`: the part of
openpyxl's interface the readers use (`sheetnames`, `workbook[title]`, `title`, `sheet_state`, `iter_rows`), plus
`xml_source()` for invest.excel.sheet_scan. openpyxl still reads a workbook calamine cannot open, and a sheet whose
used range is too large for calamine's dense grid (a stray cell far out); openpyxl also writes every workbook."""

from __future__ import annotations

import codecs
import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from invest.base.findings import UnreadableFile, error
from invest.excel.sheet_scan import SheetScan, scan_part, xml_parts

MAX_FILE_BYTES = 100 * 1024 * 1024
MAX_UNCOMPRESSED_BYTES = 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200
# calamine holds a sheet as one dense grid from A1 to the last cell; a larger grid is read with openpyxl, which
# keeps only the cells there are (two cells, A1 and XFD1048576, would otherwise ask for 550 GB)
MAX_GRID_CELLS = 5_000_000

XML_BOMB = ("arbetsboken innehåller XML-entiteter eller DTD:er (kan vara en XML-bomb) och läses inte; "
            "spara om filen i Excel")


def open_workbook(path: Path) -> Workbook:
    """The workbook's sheets with their cached values (formulas are not evaluated); UnreadableFile when it
    cannot or should not be read."""
    try:
        import defusedxml  # noqa: F401  openpyxl only guards against XML bombs when this is installed
    except ImportError:  # pragma: no cover - a dependency of the package
        raise UnreadableFile([error(str(path), "paketet defusedxml saknas; installera om invest (pip install -e .)")])

    where = str(path)
    if not path.exists():
        raise UnreadableFile([error(where, "filen finns inte")])
    if path.is_dir():
        raise UnreadableFile([error(where, "är en katalog, väntat en .xlsx-fil")])
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise UnreadableFile([error(where, f"filtypen {path.suffix or '(ingen)'} stöds inte; väntat en Excel-arbetsbok .xlsx")])
    size = path.stat().st_size
    if size == 0:
        raise UnreadableFile([error(where, "filen är tom (0 byte); väntat en Excel-arbetsbok .xlsx")])
    if size > MAX_FILE_BYTES:
        raise UnreadableFile([error(where, f"filen är {size / 1e6:.0f} MB; största tillåtna storlek är {MAX_FILE_BYTES / 1e6:.0f} MB")])
    if not zipfile.is_zipfile(path):
        raise UnreadableFile([error(where, "är ingen Excel-arbetsbok (.xlsx är ett zip-arkiv; filen är något annat, t.ex. text eller .xls)")])
    try:
        archive = zipfile.ZipFile(path)
    except Exception as exc:  # a damaged zip directory
        raise UnreadableFile([error(where, unreadable(exc))]) from None
    try:
        total = sum(info.file_size for info in archive.infolist())
        if total > MAX_UNCOMPRESSED_BYTES or total > MAX_COMPRESSION_RATIO * max(size, 1) + 10 * 1024 * 1024:
            raise UnreadableFile([error(where, f"arbetsboken packas upp till {total / 1e6:.0f} MB från {size / 1e6:.1f} MB; "
                                           "det ser ut som en zip-bomb och läses inte")])
        if any(_declares_dtd(archive, info) for info in archive.infolist()
               if info.filename.lower().endswith((".xml", ".rels", ".vml"))):
            raise UnreadableFile([error(where, XML_BOMB)])
        return Workbook(path, archive)
    except BaseException:
        archive.close()
        raise


def unreadable(exc: Exception) -> str:
    """A Swedish message for a workbook (part) that could not be parsed; defusedxml's refusals named as such."""
    chain, cause = [], exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(type(c).__module__.startswith("defusedxml") for c in chain):
        return XML_BOMB
    first_line = str(chain[-1]).strip().splitlines()[0] if str(chain[-1]).strip() else ""
    return f"arbetsboken kan inte läsas (filen är trasig eller inte en Excel-arbetsbok): {type(chain[-1]).__name__}: {first_line}"


# --- the workbook and its sheets ------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Part:
    name: str
    state: str  # visible, hidden, veryHidden
    path: str | None  # the sheet's XML in the zip; None when openpyxl reads the whole workbook
    chart: bool


class Workbook:
    """An open workbook: `sheetnames` in workbook order, `workbook[title]` a Worksheet (or a ChartSheet, which has
    no rows), `close()`."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self._path, self._archive = path, archive
        self._openpyxl = None
        self.scans: dict[str, SheetScan] = {}  # sheet -> its XML scan, made while reading its values
        try:
            import python_calamine

            parts = _sheet_parts(archive)
            self._calamine = python_calamine.CalamineWorkbook.from_path(str(path))
            self._calamine_names = set(self._calamine.sheet_names)
        except (KeyboardInterrupt, SystemExit):
            raise
        except BaseException:  # CalamineError, or a panic in the Rust code (a BaseException): openpyxl may read it
            self._calamine, self._calamine_names = None, set()
            try:
                book = self._openpyxl_book()
            except Exception as exc:  # openpyxl raises many types for broken files
                raise UnreadableFile([error(str(path), unreadable(exc))]) from None
            parts = [_Part(title, book[title].sheet_state, None, not hasattr(book[title], "iter_rows"))
                     for title in book.sheetnames]
        self._sheets = {p.name: ChartSheet(p.name, p.state) if p.chart else Worksheet(self, p) for p in parts}

    @property
    def sheetnames(self) -> list[str]:
        return list(self._sheets)

    def __getitem__(self, title: str):
        return self._sheets[title]

    def close(self) -> None:
        for resource in (self._calamine, self._openpyxl, self._archive):
            if resource is not None:
                try:
                    resource.close()
                except Exception:  # already closed
                    pass
        self._calamine = self._openpyxl = None

    def _openpyxl_book(self):
        if self._openpyxl is None:
            import openpyxl  # heavy import kept out of CLI start-up

            self._openpyxl = openpyxl.load_workbook(self._path, read_only=True, data_only=True)
        return self._openpyxl

    def _xml_source(self, part: _Part):
        if part.path is None:
            return self._openpyxl_book()[part.name]._get_source()
        return self._archive.open(part.path)

    def _rows(self, part: _Part) -> list[tuple]:
        if self._calamine is not None and part.path is not None and part.name in self._calamine_names:
            survey = _survey(lambda: self._archive.open(part.path))
            self.scans[part.name] = survey.scan
            if survey.grid_cells <= MAX_GRID_CELLS:
                grid = _calamine_grid(self._calamine, part.name)
                if grid is not None:
                    return _values(grid, survey)
        # openpyxl reads what calamine does not (and raises its own error for a broken sheet)
        ws = self._openpyxl_book()[part.name]
        ws.reset_dimensions()
        return list(ws.iter_rows(values_only=True))


class Worksheet:
    """A worksheet: `title`, `sheet_state`, its rows as tuples of values from row 1 and column A (`iter_rows`),
    its XML as a binary stream (`xml_source`)."""

    def __init__(self, book: Workbook, part: _Part):
        self._book, self._part = book, part
        self.title, self.sheet_state = part.name, part.state
        self.scanned = None

    def iter_rows(self, values_only: bool = True):
        """Rows 1, 2, … to the last row as tuples of values: None for an empty cell, int for a whole number, float,
        str, bool, datetime for a date, time or timedelta as the cell's format says, an error as its text ("#REF!"),
        a formula as its cached value (None when there is none)."""
        if not values_only:
            raise NotImplementedError("only values are read")
        rows = self._book._rows(self._part)
        self.scanned = self._book.scans.get(self.title)  # the XML scan reading the values made, if it made one
        return iter(rows)

    def xml_source(self):
        """The sheet's XML as a binary stream (a context manager)."""
        return self._book._xml_source(self._part)


class ChartSheet:
    """A chart sheet: a title and a state, no cells."""

    def __init__(self, title: str, state: str):
        self.title, self.sheet_state = title, state


# --- workbook structure ---------------------------------------------------------------------------------------------

_PROLOG = re.compile(rb"(?:\s+|<\?.*?\?>|<!--.*?-->)*", re.S)
_PROLOG_LIMIT = 1 << 20


def _declares_dtd(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bool:
    """Whether an XML part has a DOCTYPE (where entities are declared) before its root element. calamine never
    expands entities; this keeps the refusal openpyxl with defusedxml gave. A prolog longer than 1 MB is left to
    the parsers (defusedxml refuses a DTD for the parts parsed here)."""
    try:
        with archive.open(info) as stream:
            head = stream.read(4)
            if head.startswith(codecs.BOM_UTF8):
                decoder = None
            elif head[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE) or head in (b"<\0?\0", b"\0<\0?"):
                decoder = codecs.getincrementaldecoder("utf-16-be" if head.startswith(b"\0") else "utf-16")()
            else:
                decoder = None
            pending, chunk = b"", head
            while True:
                text = pending + (decoder.decode(chunk).encode() if decoder else chunk)
                text = text.removeprefix(codecs.BOM_UTF8)
                rest = text[_PROLOG.match(text).end():]
                chunk = stream.read(1 << 16)
                if chunk and (len(rest) < 9 or rest.startswith((b"<!--", b"<?"))) and len(rest) < _PROLOG_LIMIT:
                    pending = rest  # the prolog goes on in the next chunk
                    continue
                return rest.startswith(b"<!")
    except Exception:  # a damaged member: the readers report it
        return False


def _local(tag: str) -> str:
    return tag.rpartition("}")[2]


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """A part's relationships: id -> (type, target part in the zip)."""
    from defusedxml import ElementTree

    folder, _, name = part.rpartition("/")
    rels = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels not in archive.NameToInfo:
        return {}
    out = {}
    for rel in ElementTree.fromstring(archive.read(rels)):
        if _local(rel.tag) != "Relationship" or rel.get("TargetMode") == "External":
            continue
        target = rel.get("Target", "")
        path = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        out[rel.get("Id")] = (rel.get("Type", ""), path)
    return out


def _sheet_parts(archive: zipfile.ZipFile) -> list[_Part]:
    """The sheets as xl/workbook.xml lists them, as openpyxl reads them: a sheet without a relationship id or
    whose part is missing is left out; an unknown id or state raises (openpyxl then gives its own error)."""
    from defusedxml import ElementTree

    office = [target for kind, target in _relationships(archive, "").values() if kind.endswith("/officeDocument")]
    workbook = office[0] if office else "xl/workbook.xml"
    rels = _relationships(archive, workbook)
    parts = []
    for sheet in ElementTree.fromstring(archive.read(workbook)).iter():
        if _local(sheet.tag) != "sheet":
            continue
        rid = next((value for key, value in sheet.attrib.items() if key.endswith("}id")), None)
        if not rid:
            continue
        kind, target = rels[rid]
        state = sheet.get("state", "visible")
        if state not in ("visible", "hidden", "veryHidden"):
            raise ValueError(f"sheet state {state}")
        if target in archive.NameToInfo:
            parts.append(_Part(sheet.get("name"), state, target, "chartsheet" in kind))
    return parts


# --- a sheet's values -----------------------------------------------------------------------------------------------

@dataclass
class _Survey:
    """What the values from calamine need from the sheet's XML: error cells' texts (calamine gives them as empty),
    the last row element (openpyxl gave rows up to it) and an upper bound of calamine's grid."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (0-based row, column) -> "#REF!"
    last_row: int = 0
    grid_cells: float = 0
    scan: SheetScan | None = None  # merged ranges and formulas without a value, read in the same pass


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
        self.wide = re.compile(ref + rb"([A-Za-z]{2,})[0-9]")  # columns after Z
        self.tall = re.compile(ref + rb"[A-Za-z]*([0-9]{6,})\"")  # rows after 99 999
        self.rows = re.compile(ref + rb"[A-Za-z]*([0-9]+)\"")
        self.row_ref = b"<" + prefix + b'row r="'
        self.row_number = re.compile(row + rb' r="([0-9]+)"')
        # a cell or row whose position is not its first attribute (or that has none)
        self.unplaced = [re.compile(tag + rb'(?:[\t\n\r>/]| (?!r="))') for tag in (cell, row)]
        self.value_end, self.cell_end = b"</" + prefix + b"v>", b"</" + prefix + b"c>"
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
        values = part.count(self.value_end)
        return part.count(self.value_end + self.cell_end) == values or len(self.value_then_end.findall(part)) == values


def _survey(open_stream) -> _Survey:
    """One streamed pass over the sheet's XML. A sheet that is not plain (`_Patterns.plain`) gets an unbounded grid:
    openpyxl reads it."""
    survey, patterns = _Survey(), None
    plain, max_column, max_row = True, 0, 0
    merged, missing = [], set()
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
            last = part.rfind(p.row_ref)
            if last >= 0:
                survey.last_row = max(survey.last_row, int(p.row_number.match(part, last).group(1)))
            max_column = max([max_column, *map(_column, set(p.wide.findall(part)))])
            max_row = max([max_row, *map(int, p.tall.findall(part))])
            if b't="e"' in part:
                for letters, row, inner in p.error.findall(part):
                    value = _VALUE.search(inner)
                    if value and value.group(1):
                        text = unescape(value.group(1).decode("utf-8"), {"&quot;": '"', "&apos;": "'"})
                        survey.errors[(int(row) - 1, _column(letters) - 1)] = text
    survey.scan = SheetScan(tuple(merged), frozenset(missing))
    if patterns is None or not plain:
        survey.grid_cells = float("inf")
        return survey
    columns = max_column or _NARROW_COLUMNS
    if not max_row and columns * _SHORT_ROWS > MAX_GRID_CELLS:  # a wide sheet: count its rows
        with open_stream() as stream:
            max_row = max([0, *(int(r) for part in xml_parts(stream) for r in patterns.rows.findall(part))])
    survey.grid_cells = columns * (max_row or _SHORT_ROWS)
    return survey


def _calamine_grid(book, name: str) -> list[list] | None:
    """The sheet from A1 to its last cell, or None when calamine cannot read it."""
    try:
        return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # CalamineError, or a panic in the Rust code (a BaseException)
        return None


_EXACT = 2.0 ** 53


def _date(x):
    """A date from calamine as openpyxl gave it: a datetime at midnight."""
    return dt.datetime(x.year, x.month, x.day) if type(x) is dt.date else x


def _row(values: list, str=str, float=float, exact=_EXACT) -> tuple:
    """A row from calamine as openpyxl gave it: "" (calamine's empty cell) is None, a whole number an int, a date a
    datetime at midnight; written out in one expression, as this runs for every cell."""
    return tuple([(x or None) if (kind := type(x)) is str else
                  ((int(x) if x.is_integer() and -exact < x < exact else x) if kind is float else _date(x))
                  for x in values])


def _values(grid: list[list], survey: _Survey) -> list[tuple]:
    """The rows as openpyxl read them; the grid is converted in place, so its lists are freed as it goes."""
    rows = grid
    for i, values in enumerate(grid):
        rows[i] = _row(values)
    for (r, c), text in survey.errors.items():
        if r < len(rows):
            values = list(rows[r]) + [None] * (c + 1 - len(rows[r]))
            values[c] = text
            rows[r] = tuple(values)
    rows.extend([()] * (survey.last_row - len(rows)))  # rows without values up to the last row, as openpyxl read them
    return rows
