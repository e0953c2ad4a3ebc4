"""Opening xlsx files safely (refuses non-xlsx, oversized files, zip bombs, XML with a DTD) and reading their cells.

Cell values are read with python-calamine, 11–15× faster than openpyxl's read-only mode, and handed on exactly as
openpyxl's read-only, data_only workbook gave them, type by type, through `Workbook` and `Worksheet`: the part of
openpyxl's interface the readers use (`sheetnames`, `workbook[title]`, `title`, `sheet_state`, `iter_rows`), plus
`xml_source()` for invest.excel.sheet_scan. openpyxl's parser still reads a workbook calamine cannot open, and a sheet
whose used range is too large for calamine's dense grid (a stray cell far out); openpyxl also writes every workbook.

Reading is bounded by what the sheets hold, not by what they claim: each part's unpacked size, the cells with
content (rows end at their last value and are never padded to the sheet's width), references within Excel's own
bounds. Every failure of reading a sheet is a SheetUnreadable with its finding at the sheet, or at the cell when
the cause is found there; a file that cannot be opened at all (not a zip, password protected, a zip bomb) is an
UnreadableFile."""

from __future__ import annotations

import codecs
import datetime as dt
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import unescape

from invest.base.findings import InputError, UnreadableFile, error
from invest.excel.cells import column_letter
from invest.excel.sheet_scan import Merged, OversizedElement, SheetScan, scan_part, xml_parts

MB = 1024 * 1024
MAX_FILE_BYTES = 100 * MB
MAX_UNCOMPRESSED_BYTES = 1024 * MB
MAX_COMPRESSION_RATIO = 200
# Each part that is read is bounded by itself, as its size decides the time spent on it: a sheet's XML is streamed
# (about 10–15 MB/s through the whole import), so 200 MB — 18 times the 20 000-row benchmark sheet's 11 MB, a
# hundred times a large region's plan — is still read in bounded time. The parts calamine reads whole when it opens
# the workbook are held in memory and are small in every real workbook: the shared strings of a 20 000-row plan are
# 1–2 MB, styles and the sheet list well under 1 MB.
MAX_SHEET_PART_BYTES = 200 * MB
MAX_PART_BYTES = {"sharedstrings": 64 * MB, "styles": 16 * MB, "workbook": 16 * MB, "rels": 4 * MB}
# A part this large that packs tighter than MAX_COMPRESSION_RATIO is a zip bomb; smaller parts (a sheet of empty
# styled rows packs 100–1000×) are bounded by their size alone
RATIO_FLOOR_BYTES = 16 * MB
# calamine holds a sheet as one dense grid from A1 to the last cell with a value; a larger grid is read sparsely
# (two cells, A1 and XFD1048576, would otherwise ask for 550 GB)
MAX_GRID_CELLS = 5_000_000
# No sheet hands on more cells than this (the rows' lengths summed, an empty row counting one), however it is read:
# rows end at their last value and are never padded to the sheet's width, so a stray cell far out costs one row,
# but values far out on many rows make every row that long. 5 million is the dense grid's bound, 20 times the
# 20 000-row benchmark sheet (240 000 cells); a sheet beyond it is refused with its place, not read for minutes.
MAX_READ_CELLS = MAX_GRID_CELLS
# openpyxl's parser (expat fed in chunks) takes time quadratic in one tag's length: 10 MB, 6 s. No tag Excel
# writes comes near 1 MB (a cell's text, at most 32 767 characters, is no attribute); calamine reads long tags in
# linear time, so only a sheet read with openpyxl is checked
MAX_TAG_BYTES = 1 << 20
# Excel's own bounds: a cell reference beyond them is no cell
EXCEL_ROWS, EXCEL_COLUMNS = 1_048_576, 16_384
# A password-protected workbook is an OLE compound file holding the encrypted package; its directory is near the
# start of the file (the first directory sector is read, and this much of the file besides)
_OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
_ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
_OLE_SCAN_BYTES = 64 * 1024

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
        if _encrypted(path):
            raise UnreadableFile([error(where, "arbetsboken är lösenordsskyddad (krypterad) och kan inte läsas; spara den "
                                               "i Excel utan lösenord (Arkiv > Info > Skydda arbetsbok) och försök igen")])
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
        for info in archive.infolist():
            problem = _oversized(info)
            if problem:
                raise UnreadableFile([error(where, problem)])
        if any(_declares_dtd(archive, info) for info in archive.infolist()
               if info.filename.lower().endswith((".xml", ".rels", ".vml"))):
            raise UnreadableFile([error(where, XML_BOMB)])
        return Workbook(path, archive)
    except BaseException:
        archive.close()
        raise


def _encrypted(path: Path) -> bool:
    """Whether the file is an OLE compound file with an EncryptedPackage stream (how Excel saves a workbook with a
    password to open): the name is looked for in the first directory sector and the start of the file."""
    try:
        with open(path, "rb") as f:
            head = f.read(_OLE_SCAN_BYTES)
            if not head.startswith(_OLE_MAGIC) or len(head) < 512:
                return False
            if _ENCRYPTED in head:
                return True
            sector = 1 << min(int.from_bytes(head[30:32], "little"), 16)
            directory = int.from_bytes(head[48:52], "little")
            f.seek((directory + 1) * sector)
            return _ENCRYPTED in f.read(sector)
    except (OSError, ValueError):
        return False


def _oversized(info: zipfile.ZipInfo) -> str:
    """Why a part is too large to read (naming it), or "". A part that is neither the shared strings, the styles,
    the sheet list nor relationships is bounded as a sheet (a sheet's part may have any name)."""
    lower = info.filename.lower()
    kind = "rels" if lower.endswith(".rels") else lower.rpartition("/")[2].removesuffix(".xml")
    limit = MAX_PART_BYTES.get(kind, MAX_SHEET_PART_BYTES)
    if info.file_size > limit:
        return (f"delen {info.filename} packas upp till {info.file_size / 1e6:.0f} MB; största tillåtna är "
                f"{limit / 1e6:.0f} MB (det ser ut som en zip-bomb eller en skadad fil och läses inte)")
    if info.file_size > RATIO_FLOOR_BYTES and info.file_size > MAX_COMPRESSION_RATIO * max(info.compress_size, 1):
        return (f"delen {info.filename} packas upp från {info.compress_size / 1e6:.1f} MB till "
                f"{info.file_size / 1e6:.0f} MB (mer än {MAX_COMPRESSION_RATIO} gånger); det ser ut som en zip-bomb "
                "och läses inte")
    return ""


def unreadable(exc: BaseException) -> str:
    """A Swedish message for a workbook (part) that could not be parsed; defusedxml's refusals named as such."""
    chain, cause = [], exc
    while cause is not None and len(chain) < 10:
        chain.append(cause)
        cause = cause.__cause__ or cause.__context__
    if any(type(c).__module__.startswith("defusedxml") for c in chain):
        return XML_BOMB
    if any(isinstance(c, MemoryError) for c in chain):
        return "arbetsboken kan inte läsas: den är för stor för minnet (MemoryError)"
    first_line = str(chain[-1]).strip().splitlines()[0][:200] if str(chain[-1]).strip() else ""
    return f"arbetsboken kan inte läsas (filen är trasig eller inte en Excel-arbetsbok): {type(chain[-1]).__name__}: {first_line}"


# --- the workbook and its sheets ------------------------------------------------------------------------------------

class SheetUnreadable(InputError):
    """A sheet that cannot or should not be read, with one finding at the sheet (or at the cell, when known). The
    readers report it among the workbook's findings: the file opened, so `invest validera` exits 1."""


@dataclass(frozen=True)
class _Part:
    name: str
    state: str  # visible, hidden, veryHidden
    path: str | None  # the sheet's XML in the zip (perhaps missing from it); None when openpyxl reads the whole workbook
    chart: bool


class Workbook:
    """An open workbook: `sheetnames` in workbook order, `workbook[title]` a Worksheet (or a ChartSheet, which has
    no rows), `close()`."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self._path, self._archive, self.file = path, archive, path.name
        self._openpyxl = None
        self.scans: dict[str, SheetScan] = {}  # sheet -> its XML scan, made while reading its values
        try:
            parts = _sheet_parts(archive)
        except Exception:  # openpyxl gives its own error below, or reads the sheet list its way
            parts = None
        try:
            import python_calamine

            if parts is None:
                raise ValueError("no sheet list")
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
            if parts is None or {p.name for p in parts} - set(book.sheetnames) - {p.name for p in parts if
                                                                                 p.path not in archive.NameToInfo}:
                parts = [_Part(title, book[title].sheet_state, None, not hasattr(book[title], "iter_rows"))
                         for title in book.sheetnames]
        names = [p.name for p in parts]
        twice = sorted({n for n in names if names.count(n) > 1})
        if twice:  # Excel never writes this; one of them would be lost
            raise UnreadableFile([error(str(path), f'arbetsboken har flera blad med namnet "{twice[0]}" (filen är '
                                                   "trasig; spara om den i Excel)")])
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
        """The sheet's rows, each ending at its last value; SheetUnreadable for a sheet that is missing, names cells
        that cannot be, or holds more than MAX_READ_CELLS."""
        where = f"{self.file}:{part.name}"
        rows = None
        if part.path is not None:
            info = self._archive.NameToInfo.get(part.path)
            if info is None or info.is_dir():
                raise SheetUnreadable([error(where, f"arbetsboken kan inte läsas: bladets del {part.path} saknas i "
                                                    "filen (filen är trasig; spara om den i Excel)")])
            survey = _survey(lambda: self._archive.open(part.path))
            self.scans[part.name] = survey.scan
            if survey.problem:
                raise SheetUnreadable([error(where, survey.problem)])
            if self._calamine is not None and survey.grid_cells <= MAX_GRID_CELLS and part.name in self._calamine_names:
                grid = _calamine_grid(self._calamine, part.name)
                if grid is not None:
                    rows = _values(grid, survey)
        if rows is None:  # openpyxl's parser reads what calamine does not (and raises its own error for a broken sheet)
            rows = _sparse_rows(self._openpyxl_book()[part.name], where)
        if part.name not in self.scans:  # openpyxl read the whole workbook: its XML is scanned now
            merged, missing = [], set()
            with self._xml_source(part) as stream:
                for chunk in xml_parts(stream):
                    scan_part(chunk, merged, missing)
            self.scans[part.name] = SheetScan(tuple(merged), frozenset(missing))
        self.scans[part.name] = _clipped(self.scans[part.name], max(map(len, rows), default=0), len(rows))
        return rows

    def failure(self, part: _Part, exc: BaseException):
        """The finding for a sheet whose reading raised `exc`: at the cell when the cause is found there."""
        where = f"{self.file}:{part.name}"
        if isinstance(exc, OversizedElement):
            return error(where, str(exc))
        try:
            found = _shared_string_beyond(self._archive, part.path) if part.path else None
            reference = _first_bad_reference(self._archive, part.path) if part.path and not found else ""
            number = _text_as_number(self._archive, part.path) if part.path and not (found or reference) else None
        except Exception:  # the diagnosis is a courtesy; the sheet is unreadable either way
            found, reference, number = None, "", None
        if reference:
            return error(where, reference)
        if number:
            return error(f"{where}!{number[0]}", f'arbetsboken kan inte läsas: cellen är sparad som ett tal men har '
                                                 f'värdet "{number[1]}" (filen är trasig; spara om den i Excel)')
        if found:
            cell, index, count = found
            return error(f"{where}!{cell}", f"arbetsboken kan inte läsas: cellen hänvisar till delad text nummer "
                                            f"{index}, men arbetsboken har {count} (filen är trasig; spara om den i Excel)")
        return error(where, unreadable(exc))


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
        try:
            rows = self._book._rows(self._part)
        except (SheetUnreadable, KeyboardInterrupt, SystemExit):
            raise
        except BaseException as exc:  # any failure of the readers (a panic in calamine's Rust code is a BaseException)
            raise SheetUnreadable([self._book.failure(self._part, exc)]) from None
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
    """The sheets as xl/workbook.xml lists them: a sheet without a relationship id is left out, as openpyxl did; one
    whose part is missing is kept (reading it says so: openpyxl silently left it out); an unknown id or state raises
    (openpyxl then gives its own error)."""
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
        parts.append(_Part(sheet.get("name"), state, target, "chartsheet" in kind))
    return parts


# --- a sheet's values -----------------------------------------------------------------------------------------------

@dataclass
class _Survey:
    """What the values from calamine need from the sheet's XML: error cells' texts (calamine gives them as empty),
    the last row element (openpyxl gave rows up to it) and an upper bound of calamine's grid (from the cells with
    content: an empty styled cell far out is no value); and why the sheet is not read at all (`problem`)."""
    errors: dict[tuple[int, int], str] = field(default_factory=dict)  # (0-based row, column) -> "#REF!"
    last_row: int = 0
    grid_cells: float = 0
    scan: SheetScan | None = None  # merged ranges and formulas without a value, read in the same pass
    problem: str = ""  # a cell reference beyond Excel's bounds, or more cells than MAX_READ_CELLS


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


def _survey(open_stream) -> _Survey:
    """One streamed pass over the sheet's XML. A sheet that is not plain (`_Patterns.plain`) gets an unbounded grid:
    openpyxl reads it."""
    survey, patterns = _Survey(), None
    plain, max_column, max_row, cells = True, 0, 0, 0
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
            cells += part.count(p.cell_end)
            last = part.rfind(p.row_ref)
            if last >= 0:
                survey.last_row = max(survey.last_row, int(p.row_number.match(part, last).group(1)))
            # references beyond Excel's bounds: a cell with content there would be placed by calamine (or ask it for
            # a grid it cannot allocate); one without content is checked where it is read (_sparse_rows)
            max_column = max([max_column, *map(_column, set(p.wide.findall(part)))])
            tall = p.tall.findall(part)
            if tall:  # the largest number among the longest (for equal lengths, the largest string)
                longest = max(map(len, tall))
                max_row = max(max_row, int(max(r for r in tall if len(r) == longest)))
            if max_column > EXCEL_COLUMNS or max_row > EXCEL_ROWS or survey.last_row > EXCEL_ROWS:
                survey.problem = _bad_reference(part, p) or _bad_reference(b"%d" % survey.last_row, None)
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


def _bad_reference(part: bytes, patterns: _Patterns | None, what: str = "radnumret") -> str:
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
    rows.extend([()] * (min(survey.last_row, EXCEL_ROWS) - len(rows)))  # rows up to the last row, as openpyxl read them
    return rows


_LONG_TAG = re.compile(rb"<[^>]{%d}" % MAX_TAG_BYTES)


def _sparse_rows(ws, where: str) -> list[tuple]:
    """A sheet read with openpyxl's parser, each row ending at its last value — never padded to the sheet's width or
    to an empty styled cell far out (openpyxl's read-only rows end at their last cell). Refuses a sheet whose rows
    would hold more than MAX_READ_CELLS cells, at the cell that passes it."""
    from openpyxl.worksheet._reader import WorkSheetParser

    rows: list[tuple] = []
    budget = MAX_READ_CELLS
    book = ws.parent
    with ws._get_source() as source:
        if any(_LONG_TAG.search(part) for part in xml_parts(source) if len(part) > MAX_TAG_BYTES):
            raise SheetUnreadable([error(where, f"bladets XML har en tagg på mer än {MAX_TAG_BYTES >> 20} MB (ett "
                                                "orimligt stort attribut); filen är trasig eller gjord för att belasta "
                                                "och läses inte")])
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        for number, cells in parser.parse():
            placed = [(c["column"], c["value"]) for c in cells if c["value"] is not None]
            width = max((column for column, _ in placed), default=0)
            bad = next((c for c in cells if not (1 <= c["column"] <= EXCEL_COLUMNS and 1 <= c["row"] <= EXCEL_ROWS)), None)
            if not 1 <= number <= EXCEL_ROWS or bad is not None:
                text = (b"%d" % number if bad is None else
                        f'{column_letter(bad["column"]) if bad["column"] > 0 else bad["column"]}{bad["row"]}'.encode())
                raise SheetUnreadable([error(where, _bad_reference(text, None, "radnumret" if bad is None else
                                                                  "cellreferensen"))])
            if number <= len(rows):  # a row again, or out of order: openpyxl read only the first
                continue
            budget -= (number - 1 - len(rows)) + max(width, 1)
            if budget < 0:
                raise SheetUnreadable([error(f"{where}!{column_letter(max(width, 1))}{number}",
                                             f"bladet har värden ut till kolumn {column_letter(max(width, 1))} på rad "
                                             f"{number}; högst {MAX_READ_CELLS:,} celler läses ur ett blad (rader "
                                             "räknade till sitt sista värde). Ta bort eller flytta värdena långt ut i "
                                             "bladet".replace(",", "\u00a0"))])
            rows.extend([()] * (number - 1 - len(rows)))
            values = [None] * width
            for column, value in placed:
                values[column - 1] = value
            rows.append(tuple(values))
    return rows


def _clipped(scan: SheetScan, width: int, height: int) -> SheetScan:
    """The scan with its merged ranges cut to the cells the rows hold (a merge beyond every value says nothing and
    would only make the readers walk its span); a merge wholly beyond them is left out. Each keeps its `ref`."""
    merged = tuple(m if m.max_col <= width and m.max_row <= height else
                   Merged(m.ref, m.min_col, m.min_row, min(m.max_col, width), min(m.max_row, height))
                   for m in scan.merged if m.min_col <= width and m.min_row <= height)
    return scan if merged == scan.merged else SheetScan(merged, scan.formulas_without_value)


_SHARED = re.compile(rb"<(?:[\w.-]+:)?si[\s/>]")
_SHARED_CELL = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3}[0-9]{1,7})"[^>]*?\bt="s"[^>]*(?<!/)>\s*<(?:[\w.-]+:)?v>\s*'
                          rb"([0-9]+)\s*<")


_NUMBER_CELL = re.compile(rb'<(?:[\w.-]+:)?c r="([A-Z]{1,3}[0-9]{1,7})"(?:\s+t="n")?(?:\s+s="[0-9]*")?(?:\s+t="n")?\s*>\s*'
                          rb"(?:<(?:[\w.-]+:)?f\b[^>]*(?:/>|>[^<]*</(?:[\w.-]+:)?f>)\s*)?<(?:[\w.-]+:)?v>([^<]*)<")


def _text_as_number(archive: zipfile.ZipFile, sheet: str) -> tuple[str, str] | None:
    """The first cell stored as a number (no type, or t="n") whose value is no number: (cell, value). Only run for a
    sheet that could not be read, to say where."""
    for part in xml_parts(archive.open(sheet)):
        for m in _NUMBER_CELL.finditer(part):
            try:
                float(m.group(2))
            except ValueError:
                return m.group(1).decode(), m.group(2).decode("utf-8", "replace")[:40]
    return None


def _first_bad_reference(archive: zipfile.ZipFile, sheet: str) -> str:
    """The message for the first reference in a sheet that names no cell, or "". Only run for a sheet that could not
    be read, to say why."""
    patterns = None
    for part in xml_parts(archive.open(sheet)):
        if patterns is None:
            root = _ROOT.search(part)
            patterns = _Patterns.of(root.group(1) or b"") if root else None
        message = _bad_reference(part, patterns) if patterns else ""
        if message:
            return message
    return ""


def _shared_string_beyond(archive: zipfile.ZipFile, sheet: str) -> tuple[str, int, int] | None:
    """The first cell of a sheet whose shared-string index is beyond the shared strings there are: (cell, index,
    count). Only run for a sheet that could not be read, to say where."""
    strings = [i for i in archive.infolist() if i.filename.lower().endswith("sharedstrings.xml")]
    count = sum(len(_SHARED.findall(part)) for info in strings[:1] for part in xml_parts(archive.open(info)))
    for part in xml_parts(archive.open(sheet)):
        for m in _SHARED_CELL.finditer(part):
            if int(m.group(2)) >= count:
                return m.group(1).decode(), int(m.group(2)), count
    return None
