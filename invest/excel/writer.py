"""Writing sheets with openpyxl: Swedish number formats, frozen header, column widths, text never a formula, and
only text a cell can hold (`text_problem` says why a text cannot be written as it is; `put` stores it shortened)."""

from __future__ import annotations

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from invest.excel.cells import FORMATS

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# Excel holds at most 32 767 characters in a cell (its specification limits); a longer text makes a workbook Excel
# has to repair, cutting the text.
EXCEL_MAX_TEXT = 32_767
REPLACEMENT = "\ufffd"  # shown in place of a control character a workbook's XML cannot carry


def text_problem(text: str) -> str | None:
    """Why `text` cannot be stored in a cell as it is (Swedish), or None: too long for Excel, or a control
    character (U+0000–U+001F other than tab and line breaks) that the XML of a workbook cannot carry."""
    if len(text) > EXCEL_MAX_TEXT:
        return f"texten har {len(text):,} tecken; en cell i Excel rymmer högst {EXCEL_MAX_TEXT:,}".replace(",", "\u00a0")
    if (bad := ILLEGAL_CHARACTERS_RE.search(text)) is not None:
        return f"texten innehåller styrtecknet U+{ord(bad.group()):04X}, som en arbetsbok inte kan lagra"
    return None


def storable(text: str) -> str:
    """`text` as a cell can hold it: control characters replaced (REPLACEMENT), cut to EXCEL_MAX_TEXT with "…"."""
    text = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)
    return text if len(text) <= EXCEL_MAX_TEXT else text[:EXCEL_MAX_TEXT - 1] + "…"


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """One cell; strings are always stored as text (an input name starting with '=' must not become a formula), and
    as a cell can hold them (`storable`: a writer that must keep a text exact checks `text_problem` first)."""
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return cell
    cell.value = storable(value) if isinstance(value, str) else value
    if isinstance(value, str):
        cell.data_type = "s"
    elif number_format:
        cell.number_format = number_format
    return cell


def printable(ws) -> None:
    """Landscape, fitted to the page width, header row repeated on every printed page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth, ws.page_setup.fitToHeight = 1, 0


def header_row(ws, row: int, headers: list[str]) -> None:
    """Bold, shaded, wrapped column headers."""
    for c, h in enumerate(headers, start=1):
        cell = put(ws, row, c, h)
        cell.font, cell.fill = HEADER_FONT, HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_table(ws, headers: list[str], rows, formats: list[str] | None = None, start_row: int = 1,
                widths: list[int] | None = None) -> None:
    """Header row (bold, frozen) and rows; `formats` per column, keys of FORMATS."""
    header_row(ws, start_row, headers)
    longest = [len(str(h)) for h in headers]
    for r, row in enumerate(rows, start=start_row + 1):
        for c, value in enumerate(row, start=1):
            fmt = FORMATS[formats[c - 1]] if formats else None
            put(ws, r, c, value, fmt)
            shown = f"{value:,.1f}" if isinstance(value, float) else str(value if value is not None else "")
            longest[c - 1] = max(longest[c - 1], min(len(shown), 60))
    ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
    ws.print_title_rows = f"{start_row}:{start_row}"
    printable(ws)
    for c, width in enumerate(widths or [min(max(10, n + 2), 62) for n in longest], start=1):
        ws.column_dimensions[get_column_letter(c)].width = width
