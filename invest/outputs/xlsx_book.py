"""Writing an auditable workbook with XlsxWriter: the formats made once each, A4 page set-up with header and footer,
cell writers that keep text text (never a formula), formulas with their computed values cached, and Excel tables
with filters."""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from numbers import Number
from pathlib import Path

import xlsxwriter

from invest.excel.cells import FORMATS  # not excel.writer: the report needs no openpyxl

# in_memory: the sheets are assembled in memory, not in temporary files (a report is written where no temporary folder
# can be, and 0,05–0,1 s sooner on the default plan); Per objekt goes to CSV beyond PER_OBJECT_ROWS, so memory stays
# small
OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False, "in_memory": True}
NUMBER_FORMATS = {**FORMATS, "tal": "0", "riktvarde": "0%", "datum": "yyyy-mm-dd hh:mm", "dag": "yyyy-mm-dd",
                  "marginal": "#,##0.0;[Red]-#,##0.0"}
NUMERIC = {"mnkr", "andel", "ar", "tal", "marginal", "riktvarde"}
OK_COLOUR, BREACH_COLOUR, LIMIT_COLOUR, EXTRA_COLOUR = "#3b6ea5", "#c0392b", "#222222", "#e39b2d"
HEADER_FILL, BREACH_FILL, BREACH_FONT = "#dde6f0", "#f8d7d3", "#9c0006"
TABLE_STYLE = "Table Style Light 9"


def finite(v) -> bool:
    return v is not None and not isinstance(v, str) and (not isinstance(v, float) or math.isfinite(v))


class Book:
    """The workbook being written: its formats (made once each), the page set-up every sheet shares, and cell writers
    that keep text text."""

    def __init__(self, path: Path, plan_name: str, created: dt.datetime, title: str = "Kapitalkostnader mot riktvärdet",
                 command: str = "rapport",
                 subject: str = "Kapitalkostnader (avskrivningar + räntekostnader) mot riktvärdet, som andel av "
                                "totala intäkter"):
        """`title` heads the document properties and every page; `command` is the `invest` command that wrote it."""
        self.wb = xlsxwriter.Workbook(str(path), OPTIONS)
        self.wb.set_properties({"title": f"{title} – {plan_name}", "subject": subject, "author": "invest",
                                "company": "", "comments": f"Skriven av invest {command}", "created": created})
        self._formats: dict = {}
        shown = plan_name.replace("&", "&&")[:80]
        self.header = f"&L&8{title}&C&8&A&R&8{shown}"
        self.footer = f"&L&8Skapad {created:%Y-%m-%d}&R&8Sida &P av &N"

    def fmt(self, kind: str | None = None, **props):
        """A cell format: `kind` a key of NUMBER_FORMATS, `props` XlsxWriter's format properties."""
        key = (kind, tuple(sorted(props.items())))
        if key not in self._formats:
            spec = dict(props)
            if kind and kind != "text":
                spec["num_format"] = NUMBER_FORMATS[kind]
            self._formats[key] = self.wb.add_format(spec)
        return self._formats[key]

    @property
    def head(self):
        return self.fmt(None, bold=True, bg_color=HEADER_FILL, text_wrap=True, valign="top", bottom=1)

    def heading(self, kind: str | None):
        """A column heading, right-aligned over numbers."""
        if kind in NUMERIC:
            return self.fmt(None, bold=True, bg_color=HEADER_FILL, text_wrap=True, valign="top", bottom=1,
                            align="right")
        return self.head

    def sheet(self, title: str, landscape: bool = True, repeat: int | None = None, freeze: tuple | None = None,
              tall: int = 0):
        """A worksheet on A4, fitted to the page width (`tall` pages high, 0: as many as needed)."""
        ws = self.wb.add_worksheet(title)
        ws.set_paper(9)
        ws.set_landscape() if landscape else ws.set_portrait()
        ws.fit_to_pages(1, tall)
        ws.set_margins(left=0.45, right=0.45, top=0.7, bottom=0.7)
        ws.set_header(self.header)
        ws.set_footer(self.footer)
        if repeat is not None:
            ws.repeat_rows(repeat)
        if freeze:
            ws.freeze_panes(*freeze)
        return ws

    def put(self, ws, r: int, c: int, v, fmt=None) -> None:
        """One value: numbers as numbers, booleans as ja/nej, everything else as text (never a formula)."""
        if v is None or (isinstance(v, float) and not math.isfinite(v)):
            ws.write_blank(r, c, None, fmt)
        elif isinstance(v, bool):
            ws.write_string(r, c, "ja" if v else "nej", fmt)
        elif isinstance(v, (dt.datetime, dt.date)):
            ws.write_datetime(r, c, v, fmt)
        elif isinstance(v, Number):
            ws.write_number(r, c, float(v), fmt)
        else:
            ws.write_string(r, c, str(v), fmt)

    def formula(self, ws, r: int, c: int, text: str, fmt, cached) -> None:
        """A formula with its computed value cached; without a value (a year without figures) the cell stays empty."""
        text = "=" + text.removeprefix("=")  # one "=": the file stores the formula without it, XlsxWriter drops one
        if isinstance(cached, bool):
            ws.write_formula(r, c, text, fmt, "ja" if cached else "nej")
        elif finite(cached):
            ws.write_formula(r, c, text, fmt, float(cached))
        else:
            ws.write_blank(r, c, None, fmt)

    def table(self, ws, row: int, col: int, headers: list[str], rows: list[list], kinds: list[str], name: str,
              widths: list[float], wrap: set[int] = frozenset()) -> int:
        """An Excel table with filters; `kinds` per column (NUMBER_FORMATS keys), `widths` the column widths, `wrap`
        the columns whose text wraps (their rows made as high as the text needs). Returns the row after it."""
        rows = rows or [["–"] + [None] * (len(headers) - 1)]
        ws.add_table(row, col, row + len(rows), col + len(headers) - 1, {
            "name": name, "style": TABLE_STYLE, "autofilter": True,
            "columns": [{"header": h, "header_format": self.heading(k)} for h, k in zip(unique_headers(headers), kinds)]})
        formats = [self.fmt(k, text_wrap=True, valign="top") if i in wrap else self.fmt(k, valign="top")
                   for i, k in enumerate(kinds)]
        for c, width in enumerate(widths):
            ws.set_column(col + c, col + c, width)
        ws.set_row(row, line_height(max(lines(h, w, bold=True) for h, w in zip(headers, widths))))
        for r, values in enumerate(rows, start=row + 1):
            for c, v in enumerate(values):
                if isinstance(v, Formula):
                    self.formula(ws, r, col + c, v.text, formats[c], v.cached)
                else:
                    self.put(ws, r, col + c, v, formats[c])
            needed = max([lines(values[c], widths[c]) for c in wrap if isinstance(values[c], str)] + [1])
            if needed > 1:
                ws.set_row(r, line_height(needed))
        return row + len(rows) + 1

    def close(self) -> None:
        self.wb.close()


def lines(text, width: float, bold: bool = False) -> int:
    """The lines a wrapped text takes in a column `width` characters wide (a column's width counts digits; text
    averages narrower, bold headings less so; a little generous: a row cut short hides text, one a little high does
    not)."""
    if not isinstance(text, str) or not text:
        return 1
    room = max(4, int(width * (1.0 if bold else 1.15)))
    return sum(max(1, len(textwrap.wrap(part, room, break_long_words=True))) for part in text.split("\n"))


def line_height(n: int) -> float:
    return 15.0 * n + (2 if n > 1 else 0)


class Formula:
    """A cell to write as a formula (without the leading '=') with its computed value."""

    def __init__(self, text: str, cached):
        self.text, self.cached = text, cached


def unique_headers(headers: list[str]) -> list[str]:
    """Table headings must differ: a repeated one gets a number."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = str(h) or "–"
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def table_name(text: str) -> str:
    """An Excel table name from Swedish words: ASCII letters and digits joined by underscores."""
    ascii_text = text.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))
    return "_".join(re.findall(r"[A-Za-z0-9]+", ascii_text))
