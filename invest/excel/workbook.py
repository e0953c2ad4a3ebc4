"""A workbook's sheets and their cell values: `open_workbook` opens the file (its package checked first by
invest.excel.archive) and gives a `Workbook`, whose worksheets read their values.

Cell values are read with python-calamine, 11–15× faster than openpyxl's read-only mode, and handed on exactly as
openpyxl's read-only, data_only workbook gave them, type by type, through `Workbook` and `Worksheet`: the part of
openpyxl's interface the readers use (`sheetnames`, `workbook[title]`, `title`, `sheet_state`, `iter_rows`), plus
`xml_source()` for invest.excel.sheet_scan. openpyxl's parser still reads a workbook calamine cannot open, and a sheet
whose used range is too large for calamine's dense grid (a stray cell far out); openpyxl also writes every workbook.

Reading is bounded by what the sheets hold, not by what they claim: the cells with content (rows end at their last
value and are never padded to the sheet's width), references within Excel's own bounds, both found in one pass over
the sheet's XML before a value is read (invest.excel.sheet_survey). Every failure of reading a sheet is a
SheetUnreadable with its finding at the sheet, or at the cell when the cause is found there; a file that cannot be
opened at all (not a zip, password protected, a zip bomb) is an UnreadableFile."""

from __future__ import annotations

import datetime as dt
import os
import re
import sys
import tempfile
import warnings
import zipfile
from contextlib import contextmanager
from pathlib import Path

from invest.base.findings import InputError, UnreadableFile, error
from invest.excel.archive import Part, open_archive, sheet_parts, unreadable
from invest.excel.cells import column_letter
from invest.excel.sheet_scan import Merged, OversizedElement, SheetScan, scan_part, xml_parts
from invest.excel import sheet_survey
from invest.excel.sheet_survey import (EXCEL_COLUMNS, EXCEL_ROWS, MAX_GRID_CELLS, Survey, bad_reference,
                                       first_bad_reference, shared_string_beyond, survey, text_as_number)

# openpyxl's parser (expat fed in chunks) takes time quadratic in one tag's length: 10 MB, 6 s. No tag Excel
# writes comes near 1 MB (a cell's text, at most 32 767 characters, is no attribute); calamine reads long tags in
# linear time, so only a sheet read with openpyxl is checked
MAX_TAG_BYTES = 1 << 20


def open_workbook(path: Path) -> Workbook:
    """The workbook's sheets with their cached values (formulas are not evaluated); UnreadableFile when it
    cannot or should not be read."""
    archive = open_archive(path)
    try:
        return Workbook(path, archive)
    except BaseException:
        archive.close()
        raise


# --- the workbook and its sheets ------------------------------------------------------------------------------------

class SheetUnreadable(InputError):
    """A sheet that cannot or should not be read, with one finding at the sheet (or at the cell, when known). The
    readers report it among the workbook's findings: the file opened, so `invest validera` exits 1."""


class Workbook:
    """An open workbook: `sheetnames` in workbook order, `workbook[title]` a Worksheet (or a ChartSheet, which has
    no rows), `close()`."""

    def __init__(self, path: Path, archive: zipfile.ZipFile):
        self._path, self._archive, self.file = path, archive, path.name
        self._openpyxl = None
        self.scans: dict[str, SheetScan] = {}  # sheet -> its XML scan, made while reading its values
        try:
            parts = sheet_parts(archive)
        except Exception:  # openpyxl gives its own error below, or reads the sheet list its way
            parts = None
        try:
            import python_calamine

            if parts is None:
                raise ValueError("no sheet list")
            with rust_stderr():
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
                parts = [Part(title, book[title].sheet_state, None, not hasattr(book[title], "iter_rows"))
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

    def _xml_source(self, part: Part):
        if part.path is None:
            return self._openpyxl_book()[part.name]._get_source()
        return self._archive.open(part.path)

    def _rows(self, part: Part) -> list[tuple]:
        """The sheet's rows, each ending at its last value; SheetUnreadable for a sheet that is missing, names cells
        that cannot be, or holds more than MAX_READ_CELLS."""
        where = f"{self.file}:{part.name}"
        rows = None
        if part.path is not None:
            info = self._archive.NameToInfo.get(part.path)
            if info is None or info.is_dir():
                raise SheetUnreadable([error(where, f"arbetsboken kan inte läsas: bladets del {part.path} saknas i "
                                                    "filen (filen är trasig; spara om den i Excel)")])
            surveyed = survey(lambda: self._archive.open(part.path))
            self.scans[part.name] = surveyed.scan
            if surveyed.problem:
                raise SheetUnreadable([error(f"{where}!{surveyed.cell}" if surveyed.cell else where, surveyed.problem)])
            if self._calamine is not None and surveyed.grid_cells <= MAX_GRID_CELLS and part.name in self._calamine_names:
                grid = _calamine_grid(self._calamine, part.name)
                if grid is not None:
                    rows = _values(grid, surveyed)
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

    def failure(self, part: Part, exc: BaseException):
        """The finding for a sheet whose reading raised `exc`: at the cell when the cause is found there."""
        where = f"{self.file}:{part.name}"
        if isinstance(exc, OversizedElement):
            return error(where, str(exc))
        try:
            found = shared_string_beyond(self._archive, part.path) if part.path else None
            reference = first_bad_reference(self._archive, part.path) if part.path and not found else ""
            number = text_as_number(self._archive, part.path) if part.path and not (found or reference) else None
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

    def __init__(self, book: Workbook, part: Part):
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


# --- a sheet's values -----------------------------------------------------------------------------------------------

def _calamine_grid(book, name: str) -> list[list] | None:
    """The sheet from A1 to its last cell, or None when calamine cannot read it."""
    try:
        with rust_stderr():
            return book.get_sheet_by_name(name).to_python(skip_empty_area=False)
    except (KeyboardInterrupt, SystemExit):
        raise
    except BaseException:  # CalamineError, or a panic in the Rust code (a BaseException)
        return None


@contextmanager
def rust_stderr():
    """calamine's Rust code, with what a panic in it writes straight to the process's stderr (file descriptor 2: the
    panic's message, with RUST_BACKTRACE a backtrace) held back and dropped when the panic reaches Python as its
    PanicException: the failure is reported as a finding instead. Anything else written meanwhile is passed on."""
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError, AttributeError):  # no stderr to guard
        yield
        return
    panicked = False
    try:
        with tempfile.TemporaryFile() as captured:
            os.dup2(captured.fileno(), 2)
            try:
                yield
            except BaseException as exc:
                panicked = type(exc).__name__ == "PanicException"
                raise
            finally:
                os.dup2(saved, 2)
                if not panicked:
                    captured.seek(0)
                    held = captured.read()
                    if held:
                        os.write(2, held)
    finally:
        os.close(saved)


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


def _values(grid: list[list], survey: Survey) -> list[tuple]:
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
    budget = sheet_survey.MAX_READ_CELLS  # the survey's setting, read where it lives: one bound
    book = ws.parent
    with ws._get_source() as source:
        if any(_LONG_TAG.search(part) for part in xml_parts(source) if len(part) > MAX_TAG_BYTES):
            raise SheetUnreadable([error(where, f"bladets XML har en tagg på mer än {MAX_TAG_BYTES >> 20} MB (ett "
                                                "orimligt stort attribut); filen är trasig eller gjord för att belasta "
                                                "och läses inte")])
    with ws._get_source() as source:
        parser = WorkSheetParser(source, ws._shared_strings, data_only=True, epoch=book.epoch,
                                 date_formats=book._date_formats, timedelta_formats=book._timedelta_formats)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for number, cells in parser.parse():
                if caught:
                    _date_out_of_range(caught, where)
                placed = [(c["column"], c["value"]) for c in cells if c["value"] is not None]
                width = max((column for column, _ in placed), default=0)
                bad = next((c for c in cells if not (1 <= c["column"] <= EXCEL_COLUMNS and 1 <= c["row"] <= EXCEL_ROWS)),
                           None)
                if not 1 <= number <= EXCEL_ROWS or bad is not None:
                    text = (b"%d" % number if bad is None else
                            f'{column_letter(bad["column"]) if bad["column"] > 0 else bad["column"]}{bad["row"]}'.encode())
                    raise SheetUnreadable([error(where, bad_reference(text, None, "radnumret" if bad is None else
                                                                      "cellreferensen"))])
                if number <= len(rows):  # a row again, or out of order: openpyxl read only the first
                    continue
                budget -= (number - 1 - len(rows)) + max(width, 1)
                if budget < 0:
                    raise SheetUnreadable([error(f"{where}!{column_letter(max(width, 1))}{number}",
                                                 f"bladet har värden ut till kolumn {column_letter(max(width, 1))} på "
                                                 f"rad {number}; högst {sheet_survey.MAX_READ_CELLS:,} celler läses ur ett blad "
                                                 "(rader räknade till sitt sista värde). Ta bort eller flytta värdena "
                                                 "långt ut i bladet".replace(",", "\u00a0"))])
                rows.extend([()] * (number - 1 - len(rows)))
                values = [None] * width
                for column, value in placed:
                    values[column - 1] = value
                rows.append(tuple(values))
    return rows


_DATE_WARNING = re.compile(r"Cell ([A-Z]{1,3}[0-9]{1,7}) is marked as a date but the serial value (\S+) is outside")


def _date_out_of_range(caught: list, where: str) -> None:
    """Refuses the sheet at the first cell openpyxl could not read as a date (it gave "#VALUE!", an error the cell
    does not hold); other warnings are dropped."""
    for warning in caught:
        found = _DATE_WARNING.search(str(warning.message))
        if found:
            raise SheetUnreadable([error(f"{where}!{found.group(1)}", "arbetsboken kan inte läsas: cellen är formaterad "
                                         f"som datum men har värdet {found.group(2)}, långt utanför de datum Excel kan "
                                         "visa (åren 1900–9999); rätta cellen i Excel")])
    caught.clear()


def _clipped(scan: SheetScan, width: int, height: int) -> SheetScan:
    """The scan with its merged ranges cut to the cells the rows hold (a merge beyond every value says nothing and
    would only make the readers walk its span); a merge wholly beyond them is left out. Each keeps its `ref`."""
    merged = tuple(m if m.max_col <= width and m.max_row <= height else
                   Merged(m.ref, m.min_col, m.min_row, min(m.max_col, width), min(m.max_row, height))
                   for m in scan.merged if m.min_col <= width and m.min_row <= height)
    return scan if merged == scan.merged else SheetScan(merged, scan.formulas_without_value)
