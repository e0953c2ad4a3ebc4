"""Writing sheets with openpyxl: Swedish number formats, frozen header, column widths, text never a formula."""

from __future__ import annotations

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE6F0")
# Format codes are locale-neutral; Excel and LibreOffice show them with the user's (Swedish) separators.
FORMATS = {"mnkr": "#,##0.0", "andel": "0.00%", "ar": "0", "tal": "General", "text": "@"}


def put(ws, row: int, col: int, value, number_format: str | None = None):
    """One cell; strings are always stored as text (an input name starting with '=' must not become a formula)."""
    cell = ws.cell(row=row, column=col)
    if value is None or (isinstance(value, float) and value != value):
        return cell
    cell.value = value
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
