"""`invest rapport`: the audit workbook (xlsx), the chart (PNG, PDF) and a short summary, written atomically.

The workbook is written with XlsxWriter: where a controller checks arithmetic the cell is a formula (kapitalkostnader
= avskrivningar + räntekostnader, the share, the marginal, every sum) with the computed value cached beside it, so
that every reader shows the figures without recalculating; native charts, Excel tables with filters, breach years
marked by conditional formatting, print set-up with page header and footer. Text from a plan is always written as
text (`write_string`, and the workbook never turns strings into formulas, numbers or links)."""

from __future__ import annotations

import datetime as dt
import math
import re
import textwrap
from numbers import Number
from pathlib import Path

import polars as pl
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from invest.base.atomic import atomic_path
from invest.analyses.calibration import COMPARED, LABELS as CALIBRATION_LABELS, comparison
from invest.analyses.calibration import headline as calibration_headline
from invest.analyses.breakdown import MEASURES, budget_shape, by, schedule
from invest.engine.calculation import Calculation
from invest.outputs.budget_charts import budget_charts
from invest.outputs.pdf_report import write_pdf_report
from invest.outputs.labels import (ASSET_CLASSES, CONVENTION_VALUES, PARAMETER_COLUMNS, VALUE_NAMES, column, unit,
                                   value)
from invest.base import swedish
from invest.excel.writer import FORMATS
from invest.plan.vocabulary import NO_AREA

OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False}
SHARES = {"andel", "riktvarde", "skuldandel", "gransvarde_skuld", "sjalvfinansieringsgrad", "andel_omsatt_skuld"}
NUMBER_FORMATS = {**FORMATS, "tal": "0", "riktvarde": "0%", "datum": "yyyy-mm-dd hh:mm", "dag": "yyyy-mm-dd",
                  "marginal": "#,##0.0;[Red]-#,##0.0"}
NUMERIC = {"mnkr", "andel", "ar", "tal", "marginal", "riktvarde"}
OK_COLOUR, BREACH_COLOUR, LIMIT_COLOUR, EXTRA_COLOUR = "#3b6ea5", "#c0392b", "#222222", "#e39b2d"
HEADER_FILL, BREACH_FILL, BREACH_FONT = "#dde6f0", "#f8d7d3", "#9c0006"
TABLE_STYLE = "Table Style Light 9"
KEY_ROWS = ("kapitalkostnader", "andel", "marginal")  # bold in the Region table
SKIPPED_SUMMARY = {"Andel per år"}  # shown in the workbook as a table of years, not as a line of text
CALIBRATION_ROLE_TEXT = (
    ("prövning", "En verklig prövning av modellen; bara prövningarna räknas i kalibreringsraden på "
                 "Sammanfattning."),
    ("anpassad", "Planen är anpassad så att modellen ger budgetens siffra; raden visar att anpassningen håller, "
                 "den prövar inte modellen."),
    ("identitet", "Modellen ger budgetens siffra per definition (tillgångarna rullas fram med planens egna "
                  "investeringar och avskrivningar)."),
    ("härledd", "Räknad ur andra rader: andelen = (avskrivningar + räntekostnader) / totala intäkter."),
    ("indata", "Budgetens siffra är indata till modellen."),
)


class SummaryValue(str):
    """A summary value: its Swedish text (what the text summary prints) and, for the workbook, the value itself with
    its number format (a key of NUMBER_FORMATS), a note beside it and further rows it unfolds into."""

    number: object
    fmt: str
    note: str
    more: tuple

    def __new__(cls, text: str, number, fmt: str, note: str = "", more: tuple = ()):
        figure = super().__new__(cls, text)
        figure.number, figure.fmt, figure.note, figure.more = number, fmt, note, more
        return figure


def _summary_lines(calc: Calculation, calibration: pl.DataFrame) -> list[tuple[str, str]]:
    """The summary as (key, text) lines for the text summary; a line with a number carries it (SummaryValue) for the
    workbook."""
    c = calc.conventions
    first, last = calc.plan.plan_years[0], calc.plan.plan_years[-1]
    created = dt.datetime.now().replace(second=0, microsecond=0)
    method = value(c.riktvardesmetod)
    objects = len(calc.plan.objects)
    lines = [
        ("Plan", Path(calc.plan.file).name), ("Parametrar", calc.models.label),
        ("Skapad", SummaryValue(created.strftime("%Y-%m-%d %H:%M"), created, "datum")),
        ("Planperiod", f"{first}–{last}"),
        ("Antal objekt", SummaryValue(str(objects), objects, "tal")),
        ("Riktvärde", SummaryValue(f"kapitalkostnader under {swedish.percent(c.riktvarde, 0)} av totala intäkter; "
                                   f"metod: {method}", c.riktvarde, "riktvarde",
                                   f"kapitalkostnader under riktvärdet av totala intäkter; metod: {method}")),
    ]
    if calc.region.has_share:
        breach = calc.breach_years()
        average = calc.average_share()
        lines += [("Genomsnittlig andel", SummaryValue(swedish.percent(average), average, "andel",
                                                       f"medelvärdet av andelen {first}–{last}")),
                  ("År över riktvärdet", ", ".join(map(str, breach)) if breach else "inget")]
        peak = calc.plan_period().sort("andel", descending=True).row(0, named=True)
        margin = swedish.number(peak["marginal"])
        lines.append(("Högsta andel", SummaryValue(
            f"{swedish.percent(peak['andel'])} år {peak['ar']} (marginal {margin} mnkr)", peak["andel"], "andel",
            more=(("Högsta andel, år", SummaryValue(str(peak["ar"]), peak["ar"], "ar")),
                  ("Marginal det året", SummaryValue(margin, peak["marginal"], "marginal", "mnkr"))))))
        lines.append(("Andel per år", ", ".join(f"{r['ar']} {swedish.percent(r['andel'])}"
                                                for r in calc.plan_period().iter_rows(named=True))))
    summary = calibration_headline(calibration)
    if summary:
        lines.append(("Kalibrering mot budgeten", summary))
    flat = calc.models.flat_rate
    rate = ("räntebanor i models/ranta/" if flat is None else
            SummaryValue(f"platt {swedish.percent(flat)} (--ranta)", flat, "andel", "platt ränta från kommandoraden "
                                                                                     "(--ranta)"))
    lines += [
        ("Räntebas", value(c.rantebas)), ("Räntetidpunkt", value(c.rantetidpunkt)),
        ("Avskrivningsstart", value(c.avskrivningsstart)),
        ("Aktiveringsmånad", f"driftsättning ÅÅÅÅ: månad {c.standardmanad}; utgifter efter driftsättning och "
                             f"löpande pottar: månad {c.efter_driftsattning_manad}"),
        ("Ränta", rate), ("Enhet", "mnkr, oavrundat i beräkningen"),
    ]
    lines += [("Notering", n) for n in calc.region.notes]
    return lines


def _finite(v) -> bool:
    return v is not None and not isinstance(v, str) and (not isinstance(v, float) or math.isfinite(v))


class _Book:
    """The workbook being written: its formats (made once each), the page set-up every sheet shares, and cell writers
    that keep text text."""

    def __init__(self, path: Path, plan_name: str, created: dt.datetime):
        self.wb = xlsxwriter.Workbook(str(path), OPTIONS)
        self.wb.set_properties({
            "title": f"Kapitalkostnader mot riktvärdet – {plan_name}",
            "subject": "Kapitalkostnader (avskrivningar + räntekostnader) mot riktvärdet, som andel av totala "
                       "intäkter",
            "author": "invest", "company": "", "comments": "Skriven av invest rapport", "created": created})
        self._formats: dict = {}
        shown = plan_name.replace("&", "&&")[:80]
        self.header = f"&L&8Kapitalkostnader mot riktvärdet&C&8&A&R&8{shown}"
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
        if isinstance(cached, bool):
            ws.write_formula(r, c, "=" + text, fmt, "ja" if cached else "nej")
        elif _finite(cached):
            ws.write_formula(r, c, "=" + text, fmt, float(cached))
        else:
            ws.write_blank(r, c, None, fmt)

    def table(self, ws, row: int, col: int, headers: list[str], rows: list[list], kinds: list[str], name: str,
              widths: list[float], wrap: set[int] = frozenset()) -> int:
        """An Excel table with filters; `kinds` per column (NUMBER_FORMATS keys), `widths` the column widths, `wrap`
        the columns whose text wraps (their rows made as high as the text needs). Returns the row after it."""
        rows = rows or [["–"] + [None] * (len(headers) - 1)]
        ws.add_table(row, col, row + len(rows), col + len(headers) - 1, {
            "name": name, "style": TABLE_STYLE, "autofilter": True,
            "columns": [{"header": h, "header_format": self.heading(k)} for h, k in zip(_unique(headers), kinds)]})
        formats = [self.fmt(k, text_wrap=True, valign="top") if i in wrap else self.fmt(k, valign="top")
                   for i, k in enumerate(kinds)]
        for c, width in enumerate(widths):
            ws.set_column(col + c, col + c, width)
        ws.set_row(row, line_height(max(lines(h, w, bold=True) for h, w in zip(headers, widths))))
        for r, values in enumerate(rows, start=row + 1):
            for c, v in enumerate(values):
                if isinstance(v, _Formula):
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


class _Formula:
    """A cell to write as a formula (without the leading '=') with its computed value."""

    def __init__(self, text: str, cached):
        self.text, self.cached = text, cached


def _unique(headers: list[str]) -> list[str]:
    """Table headings must differ: a repeated one gets a number."""
    seen: dict[str, int] = {}
    out = []
    for h in headers:
        h = str(h) or "–"
        seen[h] = seen.get(h, 0) + 1
        out.append(h if seen[h] == 1 else f"{h} ({seen[h]})")
    return out


def _table_name(text: str) -> str:
    """An Excel table name from Swedish words: ASCII letters and digits joined by underscores."""
    ascii_text = text.translate(str.maketrans("åäöÅÄÖéÉ", "aaoAAOeE"))
    return "_".join(re.findall(r"[A-Za-z0-9]+", ascii_text))


# Region: items as rows, years as columns -------------------------------------------------------------------------

def _region_formulas(method: str) -> dict[str, tuple[str, str]]:
    """item -> (formula over the items of the same year column, the formula in words). The share and the marginal
    follow the riktvärde method (engine.region_model.share_terms)."""
    formulas = {
        "avskrivningar": ("{befintliga_avskrivningar}+{objektens_avskrivningar}",
                          "Avskrivningar befintliga tillgångar + avskrivningar planens objekt"),
        "kapitalkostnader": ("{avskrivningar}+{rantekostnader}", "Avskrivningar + räntekostnader"),
        "totala_intakter": ("{ovriga_intakter}+{intaktsford_medfinansiering}",
                            "Övriga intäkter + intäktsförd medfinansiering"),
        "andel": ("{kapitalkostnader}/{totala_intakter}", "Kapitalkostnader / totala intäkter (brutto)"),
        "marginal": ("{riktvarde}*{totala_intakter}-{kapitalkostnader}",
                     "Riktvärde × totala intäkter − kapitalkostnader"),
        "klarar_riktvarde": ('IF({andel}<{riktvarde},"ja","nej")', "ja när andelen är under riktvärdet"),
        "ranta_utover_objektens": ("{rantekostnader}-{objektens_ranta}",
                                   "Räntekostnader − internränta planens objekt"),
        "lanebehov": ("{investeringar}-{medfinansiering_mottagen}-{sjalvfinansiering}",
                      "Investeringar − medfinansiering mottagen − självfinansiering"),
    }
    if method == "netto":
        numerator = "{avskrivningar}-{intaktsford_medfinansiering}+{rantekostnader}"
        denominator = "{totala_intakter}-{intaktsford_medfinansiering}"
        formulas["andel"] = (f"({numerator})/({denominator})", "(Avskrivningar − intäktsförd medfinansiering + "
                             "räntekostnader) / (totala intäkter − intäktsförd medfinansiering) (netto)")
        formulas["marginal"] = (f"{{riktvarde}}*({denominator})-({numerator})",
                                "Riktvärde × (totala intäkter − intäktsförd medfinansiering) − (avskrivningar − "
                                "intäktsförd medfinansiering + räntekostnader)")
    return formulas


def _region_kind(item: str) -> str:
    return "andel" if item in SHARES else "marginal" if item == "marginal" else "text" if item == "klarar_riktvarde" \
        else "mnkr"


def _region_sheet(book: _Book, ws, calc: Calculation) -> dict[str, int]:
    """Items as rows and years as columns, the shape of the budget's own tables (Tabell 8); returns item -> row."""
    table = calc.region.table
    years = table["ar"].to_list()
    items = [c for c in table.columns if c != "ar" and table[c].null_count() < table.height]
    rows = {item: r for r, item in enumerate(items, start=1)}
    formulas = _region_formulas(calc.conventions.riktvardesmetod)
    note_col = len(years) + 1
    for c, h in enumerate(["Mnkr"] + [str(y) for y in years] + ["Beräkning"]):
        ws.write_string(0, c, h, book.heading("mnkr") if 0 < c <= len(years) else book.fmt(
            None, bold=True, bg_color=HEADER_FILL, valign="top", bottom=1, indent=1 if c else 0))
    note = book.fmt(None, italic=True, font_color="#555555", valign="top")
    formula_note = book.fmt(None, italic=True, font_color="#555555", valign="top", indent=1)
    for item, r in rows.items():
        bold = item in KEY_ROWS
        kind = _region_kind(item)
        fmt = (book.fmt(kind, bold=bold, top=1) if item == "kapitalkostnader"
               else book.fmt(kind, align="right") if item == "klarar_riktvarde" else book.fmt(kind, bold=bold))
        label_fmt = book.fmt(None, bold=True, top=1) if item == "kapitalkostnader" else book.fmt(None, bold=bold)
        ws.write_string(r, 0, column(item), label_fmt)
        spec = formulas.get(item)
        used = re.findall(r"\{(\w+)\}", spec[0]) if spec else []
        wrote_formula = False
        for j, v in enumerate(table[item].to_list()):
            if spec and all(u in rows for u in used) and all(_finite(table[u][j]) or table[u].dtype == pl.Boolean
                                                              for u in used) and v is not None:
                refs = {u: xl_rowcol_to_cell(rows[u], j + 1) for u in used}
                book.formula(ws, r, j + 1, spec[0].format(**refs), fmt, v)
                wrote_formula = True
            else:
                book.put(ws, r, j + 1, v, fmt)
        if wrote_formula:
            ws.write_string(r, note_col, "= " + spec[1], formula_note)
    last = xl_col_to_name(len(years))
    if "andel" in rows and "riktvarde" in rows:  # breach years (andel ≥ riktvärde) marked in the andel, marginal rows
        breach = book.fmt(None, bg_color=BREACH_FILL, font_color=BREACH_FONT, bold=True)
        condition = f"=B${rows['andel'] + 1}>=B${rows['riktvarde'] + 1}"
        for item in ("andel", "marginal", "klarar_riktvarde"):
            if item in rows:
                ws.conditional_format(f"B{rows[item] + 1}:{last}{rows[item] + 1}",
                                      {"type": "formula", "criteria": condition, "format": breach})
    r = len(items) + 2
    ws.write_string(r, 0, "Belopp i mnkr. Formlerna står i cellerna; kolumnen Beräkning säger dem i ord."
                    + (" Röda celler: år då andelen når riktvärdet." if "andel" in rows else ""), note)
    for n, text in enumerate(calc.region.notes, start=r + 1):
        ws.write_string(n, 0, text, note)
    ws.set_column(0, 0, 40)
    ws.set_column(1, len(years), 10.5)
    ws.set_column(note_col, note_col, 60)
    return rows


# Investeringsplan: the budget's table shape ------------------------------------------------------------------------

def _plan_sheet(book: _Book, ws, calc: Calculation) -> None:
    """Tabell 19/20's shape; totals as SUM formulas wherever they are sums (the budget's own totals for the years
    before the plan stay the budget's figures when its parts do not add up to them)."""
    headers, rows = budget_shape(calc)
    n = len(headers)
    first_plan = n - 1 - len(calc.plan.plan_years[:5]) - (1 if len(calc.plan.plan_years) > 5 else 0)
    areas = len(rows) - 3
    total_row, medfin_row, own_row = areas + 1, areas + 2, areas + 3  # sheet rows (the header is row 0)
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, book.heading("mnkr" if c else None))
    plain, bold = book.fmt("mnkr"), book.fmt("mnkr", bold=True, top=1)
    for r, row in enumerate(rows, start=1):
        is_total = r == total_row
        ws.write_string(r, 0, row[0], book.fmt(None, bold=True, top=1) if is_total else None)
        fmt = bold if is_total else plain
        for c in range(1, n):
            v = row[c]
            if c == n - 1 and r != total_row:  # Totalt: the plan's columns of the row
                text = f"SUM({xl_rowcol_to_cell(r, first_plan)}:{xl_rowcol_to_cell(r, n - 2)})"
                book.formula(ws, r, c, text, fmt, v)
            elif r == total_row and all(rows[a][c] is not None for a in range(areas)) and v is not None \
                    and abs(sum(rows[a][c] for a in range(areas)) - v) <= 1e-6 * max(1.0, abs(v)):
                book.formula(ws, r, c, f"SUM({xl_rowcol_to_cell(1, c)}:{xl_rowcol_to_cell(areas, c)})", fmt, v)
            elif r == own_row and v is not None:
                book.formula(ws, r, c, f"{xl_rowcol_to_cell(total_row, c)}-{xl_rowcol_to_cell(medfin_row, c)}", fmt, v)
            else:
                book.put(ws, r, c, v, fmt)
    ws.set_row(0, line_height(max(lines(h, 14, bold=True) for h in headers[1:])))
    note = book.fmt(None, italic=True, font_color="#555555")
    ws.write_string(own_row + 2, 0, "Belopp i mnkr. Budgetens egna siffror för åren före planen (bladet "
                                    "Budgetjämförelse), därefter planen; Totalt och TOTALT är summaformler.", note)
    ws.set_column(0, 0, 38)
    ws.set_column(1, n - 1, 14)


# Per organisation / verksamhetsområde: one block per measure, years across ------------------------------------------

def _units(calc: Calculation, key: str, names: list[str]) -> list[str]:
    if key != "verksamhetsomrade":
        return sorted(names)
    known = calc.models.areas(calc.plan.plan_years[0])
    return ([a for a in known if a in names] + sorted(a for a in names if a not in known and a != NO_AREA)
            + [NO_AREA] * (NO_AREA in names))


BLOCK_ROWS_PER_PAGE = 32  # rows of 15 pt a landscape A4 page holds between its 0,7-inch margins at full scale


def _unit_sheet(book: _Book, ws, calc: Calculation, key: str, prefix: str) -> dict[str, tuple[int, int, int]]:
    """A block per measure: a table of units × years with a Totalt column, a Summa row of SUM formulas under it;
    kapitalkostnad = avskrivning + internränta as formulas on the two blocks above it. Returns measure ->
    (header row, first unit row, last unit row)."""
    frame = by(calc, key)
    years = calc.region.table["ar"].to_list()
    units = _units(calc, key, frame[key].unique().to_list())
    values = {(r[key], r["ar"]): r for r in frame.iter_rows(named=True)}
    blocks: dict[str, tuple[int, int, int]] = {}
    if not units:
        ws.write_string(0, 0, "Planen har inga objekt.")
        return blocks
    title = book.fmt(None, bold=True, font_size=12)
    mnkr, total = book.fmt("mnkr"), book.fmt("mnkr", bold=True, top=1)
    last = len(years) + 1
    row, page_top, breaks = 0, 0, []
    for measure in MEASURES:
        if row - page_top + len(units) + 3 > BLOCK_ROWS_PER_PAGE and row > page_top:
            breaks.append(row)  # a block is not split over two printed pages
            page_top = row
        ws.write_string(row, 0, f"{column(measure)}, mnkr", title)
        head, first = row + 1, row + 2
        end = first + len(units) - 1
        blocks[measure] = (head, first, end)
        ws.add_table(head, 0, end, last, {
            "name": _table_name(f"{prefix} {column(measure)}"), "style": TABLE_STYLE, "autofilter": True,
            "columns": [{"header": h, "header_format": book.heading(None if i == 0 else "mnkr")}
                        for i, h in enumerate(_unique([column(key)] + [str(y) for y in years] + ["Totalt"]))]})
        for i, name in enumerate(units):
            r = first + i
            ws.write_string(r, 0, name)
            for j, y in enumerate(years, start=1):
                v = values.get((name, y), {}).get(measure, 0.0)
                if measure == "kapitalkostnad":
                    dep, rate = blocks["avskrivning"][1] + i, blocks["ranta"][1] + i
                    book.formula(ws, r, j, f"{xl_rowcol_to_cell(dep, j)}+{xl_rowcol_to_cell(rate, j)}", mnkr, v)
                else:
                    book.put(ws, r, j, v, mnkr)
            row_total = sum(values.get((name, y), {}).get(measure, 0.0) for y in years)
            book.formula(ws, r, last, f"SUM({xl_rowcol_to_cell(r, 1)}:{xl_rowcol_to_cell(r, last - 1)})", mnkr,
                         row_total)
        ws.write_string(end + 1, 0, "Summa", book.fmt(None, bold=True, top=1))
        for j in range(1, last + 1):
            cached = sum(values.get((name, y), {}).get(measure, 0.0) for name in units
                         for y in (years if j == last else [years[j - 1]]))
            book.formula(ws, end + 1, j, f"SUM({xl_rowcol_to_cell(first, j)}:{xl_rowcol_to_cell(end, j)})", total,
                         cached)
        row = end + 3
    ws.set_h_pagebreaks(breaks)
    ws.write_string(row, 0, "Belopp i mnkr. Kapitalkostnad = avskrivning + internränta (formler på blocken ovan); "
                            "Totalt och Summa är summaformler.", book.fmt(None, italic=True, font_color="#555555"))
    ws.set_column(0, 0, max(20, min(40, max(len(u) for u in units) + 2)))
    ws.set_column(1, last, 10.5)
    return blocks


# Per objekt ---------------------------------------------------------------------------------------------------------

PER_OBJECT_WIDTHS = {"id": 11, "namn": 24, "organisation": 15, "verksamhetsomrade": 12, "tillgangsklass": 11,
                     "driftsattning": 9, "ar": 5.5}  # amounts 10,5: the sheet prints one page wide, readable
# Where a heading word too long for its narrow column may break (the syllable or compound boundaries), so that a
# column heading breaks as Swedish is hyphenated rather than wherever the column ends.
HEADING_BREAKS = {w.replace("-", ""): w.split("-") for w in (
    "Investe-ringar", "Av-skriv-ning", "Intäkts-förd", "medfinan-siering", "Medfinan-sierings-skuld", "Bidrags-skuld",
    "Intern-ränta", "Kapital-kostnad", "Drift-sättning", "Verksam-hets-område", "Tillgångs-klass", "Organi-sation",
    "Medfinan-siering")}


def _heading(text: str, width: float) -> str:
    """A column heading broken into lines that fit `width`, long words hyphenated at HEADING_BREAKS."""
    room = max(4, int(width * 1.05))
    out, line = [], ""
    for word in text.split():
        pieces = HEADING_BREAKS.get(word, [word])
        for i, piece in enumerate(pieces):
            last = i == len(pieces) - 1
            candidate = f"{line} {piece}" if line and i == 0 else line + piece
            if len(candidate) + (0 if last else 1) <= room or not line:
                line = candidate
            else:
                out.append(line + ("" if i == 0 else "-"))
                line = piece
        # a word's pieces that fit together stay together: the hyphen is written only where the line breaks
    out.append(line)
    return "\n".join(out)


def _object_sheet(book: _Book, ws, calc: Calculation) -> None:
    """Every object and year as one Excel table with filters, values only (kapitalkostnad = avskrivning +
    internränta is checked by the formulas of Per organisation and Per verksamhetsområde); written column by column
    with the writer each column needs, since it is the largest sheet (about 2 000 rows of the default plan)."""
    sched = schedule(calc).drop("rantebas").with_columns(
        pl.col("tillgangsklass").map_elements(value, return_dtype=pl.String))
    columns = sched.columns
    widths = [PER_OBJECT_WIDTHS.get(c, 10.5) for c in columns]
    headings = [_heading(column(c), w) for c, w in zip(columns, widths)]
    height = max(sched.height, 1)
    ws.add_table(0, 0, height, len(columns) - 1, {
        "name": "PerObjektTabell", "style": TABLE_STYLE, "autofilter": True,
        "columns": [{"header": h, "header_format": book.heading("mnkr" if sched[c].dtype != pl.String else None)}
                    for h, c in zip(_unique(headings), columns)]})
    text, year, mnkr = book.fmt(None, valign="top"), book.fmt("ar", valign="top"), book.fmt("mnkr", valign="top")
    for c, name in enumerate(columns):
        values = sched[name].to_list()
        if sched[name].dtype == pl.String:
            for r, v in enumerate(values, start=1):
                ws.write_string(r, c, v or "", text)
        else:
            fmt = year if name == "ar" else mnkr
            for r, v in enumerate(values, start=1):
                if v is not None and math.isfinite(v):
                    ws.write_number(r, c, v, fmt)
        ws.set_column(c, c, widths[c])
    ws.set_row(0, line_height(max(h.count("\n") + 1 for h in headings)))
    ws.set_margins(left=0.3, right=0.3, top=0.6, bottom=0.6)


# Kalibrering, Parametrar, Fynd --------------------------------------------------------------------------------------

def _calibration_sheet(book: _Book, ws, frame: pl.DataFrame) -> None:
    """The model beside the budget's own figures, the deviation and the test as formulas; the roles explained."""
    kinds_by_post = {CALIBRATION_LABELS[p]: kind for p, (_, _, kind) in COMPARED.items()}
    headers = ["Post", "År", "Budgetens uppgift", "Roll", "Budget", "Modell", "Avvikelse (andel: procentenheter)",
               "Tolerans", "Inom tolerans", "Källa"]
    rows = []
    for r, x in enumerate(frame.iter_rows(named=True), start=1):
        budget, model = xl_rowcol_to_cell(r, 4), xl_rowcol_to_cell(r, 5)
        pp = kinds_by_post.get(x["post"]) == "pp"
        deviation = _Formula(f"{model}-{budget}" if pp else f"{model}/{budget}-1", x["avvikelse"])
        test = (_Formula(f'IF(ABS({xl_rowcol_to_cell(r, 6)})<={xl_rowcol_to_cell(r, 7)},"ja","nej")',
                         x["inom_tolerans"]) if x["tolerans"] is not None else "–")
        rows.append([x["post"], x["ar"], x["uppgiftstyp"], x["roll"], x["budget"], x["modell"], deviation,
                     x["tolerans"], test, x["kalla"]])
    kinds = ["text", "ar", "text", "text", "mnkr", "mnkr", "andel", "andel", "text", "text"]
    end = book.table(ws, 0, 0, headers, rows, kinds, "KalibreringTabell", [30, 7, 10, 11, 11, 11, 15, 10, 9, 60], wrap={0, 9})
    centred = book.fmt(None, align="center", valign="top")
    for r, row in enumerate(rows, start=1):  # ja/nej under its heading
        if isinstance(row[8], _Formula):
            book.formula(ws, r, 8, row[8].text, centred, row[8].cached)
        else:
            ws.write_string(r, 8, row[8], centred)
    share = book.fmt("andel", valign="top")
    for r, x in enumerate(frame.iter_rows(named=True), start=1):
        if kinds_by_post.get(x["post"]) == "pp":
            ws.write_number(r, 4, x["budget"], share)
            ws.write_number(r, 5, x["modell"], share)
    ws.write_string(end + 1, 0, "Rollerna", book.fmt(None, bold=True, font_size=12))
    text = book.fmt(None, text_wrap=True, valign="top")
    for r, (role, meaning) in enumerate(CALIBRATION_ROLE_TEXT, start=end + 2):
        ws.write_string(r, 0, role, book.fmt(None, bold=True, valign="top"))
        ws.merge_range(r, 1, r, 9, "", text)
        ws.write_string(r, 1, meaning, text)
        ws.set_row(r, line_height(lines(meaning, 120)))


PARAMETER_KINDS = {"andel": "andel", "mnkr": "mnkr", "ar": "tal", "manad": "tal"}  # unit -> the value's format


def _swedish_text(text: str) -> str:
    """A parameter's value or description as a reader reads it: a whole value in words (value()), and in running
    text the snake_case names of convention values, parameter keys and asset classes, and the words without their
    å, ä, ö, in Swedish; names inside a path (models/region/…) stay as they are."""
    if text in CONVENTION_VALUES or text in ASSET_CLASSES:
        return value(text)

    def named(m: re.Match) -> str:
        word = m.group(0)
        return VALUE_NAMES.get(word) or ASSET_CLASSES.get(word) or word

    text = re.sub(r"(?<![\w/.])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])", named, text)
    text = re.sub(r"(?<![\w/.'])(?:jamn|arganger|ingaende)(?![\w/'])", named, text)
    return re.sub(r"(?:(?<=^)|(?<=[,;.] ))([a-z]+)(?= = )", named, text)  # "kollektivtrafik = (…)", "brutto = …"


def _parameter_name(name: str) -> str:
    folder, _, rest = name.partition("/")
    return f"Tillgångsklass: {ASSET_CLASSES[rest]}" if folder == "tillgangsklasser" and rest in ASSET_CLASSES \
        else name


def _parameter_sheet(book: _Book, ws, calc: Calculation) -> None:
    """Every value used, with Swedish headings; numbers as numbers; the file is named inside models/, never a path."""
    names = list(PARAMETER_COLUMNS)
    rows, numbers = [], {}
    for r, u in enumerate(calc.models.used(), start=1):
        row = []
        for name in names:
            v = u.get(name) or None
            if v is None:
                pass
            elif name == "parameter":
                v = _parameter_name(v)
            elif name == "enhet":
                v = unit(v)
            elif name in ("beskrivning", "antagande"):
                v = _swedish_text(v)
            elif name == "galler_fran":
                v = dt.date.fromisoformat(v)
            elif name == "varde":
                kind = PARAMETER_KINDS.get(u.get("enhet"))
                try:
                    numbers[r] = (float(v), kind) if kind else None
                except ValueError:
                    pass
                v = _swedish_text(v)
            elif name == "fil":
                v = Path(v).name if Path(v).is_absolute() else Path(v).as_posix()
            row.append(v)
        rows.append(row)
    kinds = ["dag" if n == "galler_fran" else "text" for n in names]
    book.table(ws, 0, 0, [PARAMETER_COLUMNS[n] for n in names], rows, kinds, "ParametrarTabell",
               [28, 40, 11, 11, 28, 44, 30, 28], wrap={0, 1, 4, 5, 6, 7})
    v = names.index("varde")
    for r, number in numbers.items():  # a number as a number, in its unit's format
        if number:
            ws.write_number(r, v, number[0], book.fmt(number[1], valign="top", align="left"))


def _findings_sheet(book: _Book, ws, calc: Calculation) -> None:
    findings = [[f.level, f.location, f.message] for f in calc.plan.warnings] or [["–", "–", "Inga fynd"]]
    book.table(ws, 0, 0, ["Nivå", "Plats", "Meddelande"], findings, ["text"] * 3, "FyndTabell", [10, 36, 110], wrap={1, 2})


# Sammanfattning --------------------------------------------------------------------------------------------------

def _source_parts(text: str) -> tuple[str, str, str]:
    """A source as document, table (or section) and row: "Region Stockholm, Budget 2026, Tabell 8, Avskrivningar"."""
    parts, depth, current = [], 0, ""
    for i, ch in enumerate(text):
        depth += ch == "("
        depth -= ch == ")"
        if ch == "," and depth == 0 and text[i + 1:i + 2] == " ":
            parts.append(current.strip())
            current = ""
        else:
            current += ch
    parts.append(current.strip())
    for i, p in enumerate(parts):
        if re.match(r"(tabell|tabeller|avsnitt|bilaga|figur|sid)\b", p, re.IGNORECASE):
            table, _, aside = p.partition(" (")  # "avsnitt 3.2 (pågående …)": the parenthesis says what in it
            return ", ".join(parts[:i]), table, ", ".join([aside.rstrip(")")] * bool(aside) + parts[i + 1:])
    return text, "", ""


def _sources(calc: Calculation) -> list[list]:
    grouped: dict[tuple[str, str, str], tuple[set, set]] = {}
    for f in calc.plan.published:
        if not f.kalla:
            continue
        posts, years = grouped.setdefault(_source_parts(f.kalla), (set(), set()))
        posts.add(column(f.post))
        years.add(f.year)
    return [[doc, table, swedish.years(sorted(years)), ", ".join(sorted(posts)), row]
            for (doc, table, row), (posts, years) in sorted(grouped.items(),
                                                            key=lambda kv: (kv[0][0], _natural(kv[0][1]), kv[0][2]))]


def _natural(text: str) -> tuple:
    return tuple(int(t) if t.isdigit() else t for t in re.split(r"(\d+)", text))


SUMMARY_WIDTHS = [30, 16, 14, 24, 40]  # A label; B value; C–E a note, long text, the year table and the sources


def _summary_sheet(book: _Book, ws, calc: Calculation, summary, region_rows: dict[str, int]) -> None:
    """Key figures as numbers (the average and the highest share as formulas on the Region sheet), conventions and
    notes in words, the share per year, and the budget's tables the plan was compared with."""
    years = calc.region.table["ar"].to_list()
    plan_cols = [j + 1 for j, y in enumerate(years) if y in calc.plan.plan_years]
    contiguous = plan_cols and plan_cols == list(range(plan_cols[0], plan_cols[-1] + 1))
    aggregates = {"Genomsnittlig andel": "AVERAGE", "Högsta andel": "MAX"}
    for c, width in enumerate(SUMMARY_WIDTHS):
        ws.set_column(c, c, width)
    ws.write_string(0, 0, "Kapitalkostnader mot riktvärdet", book.fmt(None, bold=True, font_size=14))
    label = book.fmt(None, bold=True, valign="top")
    text = book.fmt(None, text_wrap=True, valign="top", align="left")
    note = book.fmt(None, italic=True, font_color="#555555", text_wrap=True, valign="top")

    def long_text(r: int, first: int, v: str, fmt) -> None:
        ws.merge_range(r, first, r, len(SUMMARY_WIDTHS) - 1, "", fmt)
        ws.write_string(r, first, v, fmt)
        ws.set_row(r, line_height(lines(v, sum(SUMMARY_WIDTHS[first:]))))

    def figure(r: int, key: str, v: SummaryValue) -> None:
        fmt = book.fmt(v.fmt, align="left", valign="top")
        if key in aggregates and "andel" in region_rows and contiguous:
            row = region_rows["andel"]
            book.formula(ws, r, 1, f"{aggregates[key]}(Region!{xl_rowcol_to_cell(row, plan_cols[0], True, True)}:"
                                   f"{xl_rowcol_to_cell(row, plan_cols[-1], True, True)})", fmt, v.number)
        else:
            book.put(ws, r, 1, v.number, fmt)
        if v.note:
            long_text(r, 2, v.note, note)

    r = 2
    for key, v in summary:
        if key in SKIPPED_SUMMARY:
            continue
        ws.write_string(r, 0, key, label)
        if isinstance(v, SummaryValue):
            figure(r, key, v)
            for extra_key, extra in v.more:
                r += 1
                ws.write_string(r, 0, extra_key, label)
                figure(r, extra_key, extra)
        else:
            long_text(r, 1, str(v), text)
        r += 1
    if calc.region.has_share and "andel" in region_rows:
        r = _share_years(book, ws, r + 1, years, region_rows, calc)
    r += 1
    ws.write_string(r, 0, "Källor", book.fmt(None, bold=True, font_size=12))
    sources = _sources(calc)
    long_text(r + 1, 0, f"Planen: {Path(calc.plan.file).name}. "
              + ("Nedan budgetens tabeller som planens siffror för åren före planen och kalibreringen bygger på "
                 "(planens blad Budgetjämförelse). " if sources else "Planen anger inga av budgetens siffror (bladet "
                                                                    "Budgetjämförelse). ")
              + "Parametrarnas källor står på bladet Parametrar.", note)
    if sources:
        book.table(ws, r + 2, 0, ["Dokument", "Tabell eller avsnitt", "År", "Post", "Rad i källan"], sources,
                   ["text"] * 5, "KallorTabell", SUMMARY_WIDTHS, wrap={0, 1, 2, 3, 4})


def _share_years(book: _Book, ws, r: int, years: list[int], region_rows: dict[str, int], calc: Calculation) -> int:
    """The share per year beside the riktvärde and the marginal: references to the Region sheet, one year a row."""
    ws.write_string(r, 0, "Andel per år", book.fmt(None, bold=True, font_size=12))
    table = calc.region.table
    columns = [("År", "ar"), ("Andel av totala intäkter", "andel"), ("Riktvärde", "riktvarde"),
               ("Marginal till riktvärdet, mnkr", "marginal"), ("Under riktvärdet", "klarar_riktvarde")]
    columns = [(h, item) for h, item in columns if item == "ar" or item in region_rows]
    head = r + 1
    for c, (h, item) in enumerate(columns):
        ws.write_string(head, c, h, book.heading("mnkr") if 0 < c and item != "klarar_riktvarde" else book.fmt(
            None, bold=True, bg_color=HEADER_FILL, text_wrap=True, valign="top", bottom=1,
            align="center" if c else "left"))
    ws.set_row(head, line_height(max(lines(h, SUMMARY_WIDTHS[c], bold=True) for c, (h, _) in enumerate(columns))))
    for j, y in enumerate(years):
        row = head + 1 + j
        ws.write_number(row, 0, y, book.fmt("ar", align="left"))
        for c, (_, item) in enumerate(columns[1:], start=1):
            kind = _region_kind(item)
            book.formula(ws, row, c, f"Region!{xl_rowcol_to_cell(region_rows[item], j + 1)}",
                         book.fmt(kind, align="center" if item == "klarar_riktvarde" else "right"), table[item][j])
    last = head + len(years)
    if "riktvarde" in region_rows:
        breach = book.fmt(None, bg_color=BREACH_FILL, font_color=BREACH_FONT, bold=True)
        ws.conditional_format(head + 1, 1, last, len(columns) - 1,
                              {"type": "formula", "criteria": f"=$B{head + 2}>=$C{head + 2}", "format": breach})
    return last + 1


def _title(chart, text: str) -> None:
    chart.set_title({"name": text, "name_font": {"size": 11, "bold": True}})


# Charts -------------------------------------------------------------------------------------------------------------

def _chart_sheet(book: _Book, ws, calc: Calculation, region_rows: dict[str, int], areas: tuple[int, int, int] | None,
                 n_years: int) -> int:
    """Native charts on the Region and Per verksamhetsområde figures (editable in Excel and LibreOffice). Returns
    how many were drawn."""
    def ref(sheet: str, row: int, first: int = 1, last: int = n_years) -> list:
        return [sheet, row, first, row, last]

    years = ["Region", 0, 1, 0, n_years]
    charts = []
    share = calc.region.has_share
    if share and {"andel", "riktvarde"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "column"})
        breaches = [(v is not None and v >= calc.conventions.riktvarde) for v in calc.region.table["andel"].to_list()]
        chart.add_series({"name": ["Region", region_rows["andel"], 0], "categories": years,
                          "values": ref("Region", region_rows["andel"]), "fill": {"color": OK_COLOUR},
                          "points": [{"fill": {"color": BREACH_COLOUR}} if b else None for b in breaches],
                          "gap": 60})
        line = book.wb.add_chart({"type": "line"})
        line.add_series({"name": ["Region", region_rows["riktvarde"], 0], "categories": years,
                         "values": ref("Region", region_rows["riktvarde"]),
                         "line": {"color": LIMIT_COLOUR, "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
        chart.combine(line)
        _title(chart, "Kapitalkostnader som andel av totala intäkter mot riktvärdet")
        chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if {"avskrivningar", "rantekostnader"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
        for item, colour in (("avskrivningar", OK_COLOUR), ("rantekostnader", EXTRA_COLOUR)):
            chart.add_series({"name": ["Region", region_rows[item], 0], "categories": years,
                              "values": ref("Region", region_rows[item]), "fill": {"color": colour}, "gap": 60})
        if share and "totala_intakter" in region_rows:
            line = book.wb.add_chart({"type": "line"})
            line.add_series({"name": ["Region", region_rows["totala_intakter"], 0], "categories": years,
                             "values": ref("Region", region_rows["totala_intakter"]), "y2_axis": True,
                             "line": {"color": LIMIT_COLOUR, "width": 2}, "marker": {"type": "circle", "size": 4}})
            chart.combine(line)
            line.set_y2_axis({"name": "Totala intäkter, mnkr", "num_format": "#,##0", "min": 0})
            _title(chart, "Kapitalkostnader (avskrivningar + räntekostnader) mot totala intäkter")
        else:
            _title(chart, "Kapitalkostnader: avskrivningar + räntekostnader")
        chart.set_y_axis({"name": "Kapitalkostnader, mnkr", "num_format": "#,##0", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if areas:
        head, first, end = areas
        chart = book.wb.add_chart({"type": "column", "subtype": "stacked"})
        palette = ["#3b6ea5", "#e39b2d", "#5b9e5b", "#9b59b6", "#8c8c8c", "#c0392b", "#17a2b8", "#795548"]
        for i, r in enumerate(range(first, end + 1)):
            chart.add_series({"name": ["Per verksamhetsområde", r, 0],
                              "categories": ["Per verksamhetsområde", head, 1, head, n_years],
                              "values": ["Per verksamhetsområde", r, 1, r, n_years],
                              "fill": {"color": palette[i % len(palette)]}, "gap": 60})
        _title(chart, "Investeringar per verksamhetsområde och år")
        chart.set_y_axis({"name": "mnkr", "num_format": "#,##0", "min": 0,
                          "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    if share and {"skuldandel", "gransvarde_skuld"} <= region_rows.keys():
        chart = book.wb.add_chart({"type": "line"})
        chart.add_series({"name": ["Region", region_rows["skuldandel"], 0], "categories": years,
                          "values": ref("Region", region_rows["skuldandel"]),
                          "line": {"color": OK_COLOUR, "width": 2.25}, "marker": {"type": "circle", "size": 5,
                                                                                  "fill": {"color": OK_COLOUR},
                                                                                  "border": {"color": OK_COLOUR}}})
        chart.add_series({"name": ["Region", region_rows["gransvarde_skuld"], 0], "categories": years,
                          "values": ref("Region", region_rows["gransvarde_skuld"]),
                          "line": {"color": LIMIT_COLOUR, "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
        _title(chart, "Räntebärande skuld som andel av totala intäkter mot gränsvärdet")
        chart.set_y_axis({"num_format": "0%", "min": 0, "major_gridlines": {"visible": True,
                                                                          "line": {"color": "#d9d9d9"}}})
        charts.append(chart)
    for i, chart in enumerate(charts):
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 620, "height": 360})
        ws.insert_chart(2 + (i // 2) * 19, (i % 2) * 10, chart, {"x_offset": 5, "y_offset": 5})
    ws.write_string(0, 0, "Diagram", book.fmt(None, bold=True, font_size=14))
    ws.write_string(1, 0, "Diagrammen bygger på bladen Region och Per verksamhetsområde och följer dem om siffrorna "
                          "ändras.", book.fmt(None, italic=True, font_color="#555555"))
    return len(charts)


# The workbook -------------------------------------------------------------------------------------------------------

def write_workbook(calc: Calculation, calibration: pl.DataFrame, target: Path, summary: list[tuple[str, str]]) -> None:
    created = next((v.number for k, v in summary if k == "Skapad" and isinstance(v, SummaryValue)),
                   dt.datetime.now().replace(second=0, microsecond=0))
    plan_name = Path(calc.plan.file).name
    n_years = calc.region.table.height
    with atomic_path(target) as tmp:
        book = _Book(tmp, plan_name, created)
        sheets = {
            "Sammanfattning": book.sheet("Sammanfattning", landscape=False),
            "Region": book.sheet("Region", repeat=0, freeze=(1, 1)),
            "Diagram": book.sheet("Diagram", tall=1),
            "Investeringsplan": book.sheet("Investeringsplan", repeat=0, freeze=(1, 1)),
        }
        if calibration.height:
            sheets["Kalibrering"] = book.sheet("Kalibrering", repeat=0, freeze=(1, 0))
        sheets["Per organisation"] = book.sheet("Per organisation", freeze=(0, 1))
        sheets["Per verksamhetsområde"] = book.sheet("Per verksamhetsområde", freeze=(0, 1))
        sheets["Per objekt"] = book.sheet("Per objekt", repeat=0, freeze=(1, 2))
        sheets["Parametrar"] = book.sheet("Parametrar", repeat=0, freeze=(1, 1))
        sheets["Fynd"] = book.sheet("Fynd", repeat=0, freeze=(1, 0))
        region_rows = _region_sheet(book, sheets["Region"], calc)
        _summary_sheet(book, sheets["Sammanfattning"], calc, summary, region_rows)
        _plan_sheet(book, sheets["Investeringsplan"], calc)
        if calibration.height:
            _calibration_sheet(book, sheets["Kalibrering"], calibration)
        _unit_sheet(book, sheets["Per organisation"], calc, "organisation", "Org")
        areas = _unit_sheet(book, sheets["Per verksamhetsområde"], calc, "verksamhetsomrade", "Omr")
        _object_sheet(book, sheets["Per objekt"], calc)
        _parameter_sheet(book, sheets["Parametrar"], calc)
        _findings_sheet(book, sheets["Fynd"], calc)
        _chart_sheet(book, sheets["Diagram"], calc, region_rows, areas.get("utgift"), n_years)
        sheets["Sammanfattning"].activate()
        book.close()


def _summary_text(summary: list[tuple[str, str]], written: list) -> str:
    lines = [f"{k}: {v}" for k, v in summary if k != "Skapad"]
    return "\n".join(["Kapitalkostnader mot riktvärdet", ""] + lines + ["", "Skrivet:"] + [f"  {p}" for p in written]) + "\n"


def write_report(calc: Calculation, directory: Path) -> tuple[list[Path], str]:
    """Writes the workbook, the budget charts (PNG), the A4 PDF report and the summary; returns the files written
    and the summary's text."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = Path(calc.plan.file).stem
    xlsx = directory / f"{stem}_kapitalkostnader.xlsx"
    calibration = comparison(calc.plan.published, calc.region.table)
    summary = _summary_lines(calc, calibration)
    write_workbook(calc, calibration, xlsx, summary)
    charts = budget_charts(calc, directory, stem)
    pdf = write_pdf_report(calc, directory / f"{stem}_rapport.pdf", summary, [])
    text = directory / f"{stem}_sammanfattning.txt"
    written = [xlsx, pdf, *charts, text]
    with atomic_path(text) as tmp:  # the file names only: no folder of the user's machine in what is handed on
        tmp.write_text(_summary_text(summary, [p.name for p in written]), encoding="utf-8")
    return written, _summary_text(summary, written)
