"""The report workbook's budget-shaped tables, years as columns: the Region table with formulas where a controller
checks the arithmetic, the investment plan in the budget's form, per organisation and per verksamhetsområde (a block
per measure), and Per objekt as a filterable table."""

from __future__ import annotations

import math
import re
from pathlib import Path

import polars as pl
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from invest.analyses.breakdown import MEASURES, area_order, attributes, budget_shape, by, schedule
from invest.base import swedish
from invest.engine.calculation import Calculation
from invest.outputs.calculation_output import write_csv
from invest.outputs.labels import SHARE_COLUMNS, column, value
from invest.outputs.xlsx_book import (BREACH_FILL, BREACH_FONT, HEADER_FILL, TABLE_STYLE, Book, finite, line_height,
                                      lines, table_name, unique_headers)

KEY_ROWS = ("kapitalkostnader", "andel", "marginal")  # bold in the Region table


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


def region_kind(item: str) -> str:
    return "andel" if item in SHARE_COLUMNS else "marginal" if item == "marginal" else "text" if item == "klarar_riktvarde" \
        else "mnkr"


def region_sheet(book: Book, ws, calc: Calculation) -> dict[str, int]:
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
        kind = region_kind(item)
        fmt = (book.fmt(kind, bold=bold, top=1) if item == "kapitalkostnader"
               else book.fmt(kind, align="right") if item == "klarar_riktvarde" else book.fmt(kind, bold=bold))
        label_fmt = book.fmt(None, bold=True, top=1) if item == "kapitalkostnader" else book.fmt(None, bold=bold)
        ws.write_string(r, 0, column(item), label_fmt)
        spec = formulas.get(item)
        used = re.findall(r"\{(\w+)\}", spec[0]) if spec else []
        wrote_formula = False
        for j, v in enumerate(table[item].to_list()):
            if spec and all(u in rows for u in used) and all(finite(table[u][j]) or table[u].dtype == pl.Boolean
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


def plan_sheet(book: Book, ws, calc: Calculation) -> None:
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


BLOCK_ROWS_PER_PAGE = 32  # rows of 15 pt a landscape A4 page holds between its 0,7-inch margins at full scale


def unit_sheet(book: Book, ws, calc: Calculation, key: str, prefix: str) -> dict[str, tuple[int, int, int]]:
    """A block per measure: a table of units × years with a Totalt column, a Summa row of SUM formulas under it;
    kapitalkostnad = avskrivning + internränta as formulas on the two blocks above it. Returns measure ->
    (header row, first unit row, last unit row)."""
    frame = by(calc, key)
    years = calc.region.table["ar"].to_list()
    names = frame[key].unique().to_list()
    units = area_order(calc, names) if key == "verksamhetsomrade" else sorted(names)
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
            "name": table_name(f"{prefix} {column(measure)}"), "style": TABLE_STYLE, "autofilter": True,
            "columns": [{"header": h, "header_format": book.heading(None if i == 0 else "mnkr")}
                        for i, h in enumerate(unique_headers([column(key)] + [str(y) for y in years] + ["Totalt"]))]})
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


PER_OBJECT_WIDTHS = {"id": 11, "namn": 24, "organisation": 15, "verksamhetsomrade": 12, "tillgangsklass": 11,
                     "driftsattning": 9, "ar": 5.5}  # amounts 10,5: the sheet prints one page wide, readable
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


PER_OBJECT_ROWS = 100_000  # past this Per objekt goes to a CSV file beside the workbook (see object_sheet)
EXCEL_ROWS = 1_048_576  # rows of one Excel sheet


def object_schedule(calc: Calculation, rows: slice | None = None, attrs: pl.DataFrame | None = None) -> pl.DataFrame:
    """Per object and year with its attributes, asset classes in words (mapped once per class, not per row); `rows`
    a part of the objects' rows (calc.per_object), for a table written a part at a time (`attrs`: attributes(calc),
    made once for all the parts)."""
    if rows is None:
        sched = schedule(calc)
    else:
        part = calc.per_object.slice(rows.start, rows.stop - rows.start)
        sched = (attributes(calc) if attrs is None else attrs).join(part, on="id", how="inner", maintain_order="right")
    sched = sched.drop("rantebas")
    classes = sched["tillgangsklass"].unique().drop_nulls().to_list()
    return sched.with_columns(pl.col("tillgangsklass").replace({c: value(c) for c in classes}))


def object_sheet(book: Book, ws, calc: Calculation, overflow: Path | None = None) -> Path | None:
    """Every object and year as one Excel table with filters, values only (kapitalkostnad = avskrivning +
    internränta is checked by the formulas of Per organisation and Per verksamhetsområde); written column by column
    with the writer each column needs, since it is the largest sheet (about 2 000 rows of the default plan).

    A table of more than PER_OBJECT_ROWS rows (a plan of some thousands of objects; Excel itself stops at 1 048 576)
    would make the workbook slow to write and to open, or not fit at all: it is then written to the CSV file
    `overflow` (Swedish headings, the svensk style: semicolons, decimal comma, text that could start a formula
    neutralised) and the sheet says where. Returns the CSV file when it wrote one."""
    if calc.per_object.height > PER_OBJECT_ROWS and overflow is not None:
        return _object_csv(book, ws, calc, overflow)
    sched = object_schedule(calc)
    columns = sched.columns
    widths = [PER_OBJECT_WIDTHS.get(c, 10.5) for c in columns]
    headings = [_heading(column(c), w) for c, w in zip(columns, widths)]
    height = max(sched.height, 1)
    ws.add_table(0, 0, height, len(columns) - 1, {
        "name": "PerObjektTabell", "style": TABLE_STYLE, "autofilter": True,
        "columns": [{"header": h, "header_format": book.heading("mnkr" if sched[c].dtype != pl.String else None)}
                    for h, c in zip(unique_headers(headings), columns)]})
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


CSV_PART_ROWS = 100_000  # Per objekt written to its CSV file this many rows at a time


def _object_csv(book: Book, ws, calc: Calculation, target: Path) -> Path:
    """Per objekt in a CSV file beside the workbook, a part at a time, and a note on the sheet saying where and
    why."""
    height, attrs = calc.per_object.height, attributes(calc)

    def parts():
        for start in range(0, height, CSV_PART_ROWS):
            sched = object_schedule(calc, slice(start, min(start + CSV_PART_ROWS, height)), attrs)
            yield sched.rename(dict(zip(sched.columns, unique_headers([column(c) for c in sched.columns]))))

    write_csv(parts(), target, "svensk")
    limit = (f"fler än ett blad i Excel rymmer ({swedish.number(EXCEL_ROWS, 0)} rader)" if height >= EXCEL_ROWS else
             f"för många för att arbetsboken ska gå snabbt att skriva och öppna (gränsen är "
             f"{swedish.number(PER_OBJECT_ROWS, 0)} rader)")
    lines_shown = [
        ("Per objekt", book.fmt(None, bold=True, font_size=12)),
        (f"Tabellen per objekt och år har {swedish.number(height, 0)} rader, {limit}. Den står därför i "
         f"filen {target.name} bredvid den här arbetsboken.", None),
        ("Filen har samma kolumner som tabellen skulle ha haft, en rad per objekt och år, belopp i mnkr. Den är "
         "skriven för ett kalkylprogram på svenska: semikolon mellan fälten och decimalkomma. En text som börjar "
         "med =, +, -, @ har en apostrof först så att den inte blir en formel.", None),
        ("Summorna per organisation och per verksamhetsområde står på bladen Per organisation och Per "
         "verksamhetsområde.", None),
    ]
    wrap = book.fmt(None, text_wrap=True, valign="top")
    ws.set_column(0, 0, 110)
    for r, (text, fmt) in enumerate(lines_shown):
        ws.write_string(r, 0, text, fmt or wrap)
        if fmt is None:
            ws.set_row(r, line_height(lines(text, 110)))
    return target
