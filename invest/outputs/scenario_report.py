"""`invest scenario --arbetsbok`: the scenarios' workbook, written atomically into a folder — Jämförelse (the share
per scenario and year, Δ against the base, first year over the riktvärde, a native chart), then one sheet per
scenario in the budget's shape with formulas where a controller checks the arithmetic — and the chart of the share
per scenario. Also the set-up both scenario and känslighet workbooks share (sensitivity_report): the book, a sheet's
head, tables, breach marking and valid sheet names. Written with xlsx_book (text stays text, formulas carry their
computed values)."""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path

from xlsxwriter.utility import quote_sheetname, xl_col_to_name, xl_rowcol_to_cell

from invest.analyses.scenarios import Scenario, ScenarioResult
from invest.base.atomic import atomic_path
from invest.outputs.labels import column, source_line, value
from invest.outputs.scenario_charts import write_scenario_chart
from invest.outputs.xlsx_book import (BREACH_FILL, BREACH_FONT, LIMIT_COLOUR, TABLE_STYLE, Book, Formula,
                                      line_height, lines, unique_headers)

RIKTVARDE_CELL = "$B$3"  # the riktvärde's cell on Jämförelse and Känslighet (row 3, column B)
PE_FORMAT, DELTA_MNKR = "+0.00;-0.00;0.00", "+#,##0.0;-#,##0.0;0.0"
SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\\x00-\x1f]")
SHEET_LENGTH = 31
SCENARIO_COLOURS = ("#3b6ea5", "#e39b2d", "#5b9e5b", "#9b59b6", "#17a2b8", "#8c564b", "#d16ba5", "#7f7f7f",
                    "#a6a61c", "#1f3b73")


# --- writing helpers ---

def sheet_names(names: list[str], reserved: tuple[str, ...] = ()) -> list[str]:
    """Valid, unique sheet names: without the characters Excel forbids ([]:*?/\\ and control characters), not
    starting or ending with an apostrophe, at most 31 characters, unique as Excel compares them (case-insensitive),
    none of `reserved`; a repeated name gets " (2)", " (3)"…"""
    taken = {r.casefold() for r in (*reserved, "History")}
    out = []
    for name in names:
        text = " ".join(SHEET_FORBIDDEN.sub("-", name).split()).strip("'").strip() or "Scenario"
        for k in range(1, len(names) + len(taken) + 2):
            suffix = "" if k == 1 else f" ({k})"
            candidate = text[:SHEET_LENGTH - len(suffix)].rstrip().rstrip("'").rstrip() + suffix
            if candidate and candidate.casefold() not in taken:
                break
        taken.add(candidate.casefold())
        out.append(candidate)
    return out


def table_rows(book: Book, ws, top: int, headers: list[str], rows: list[list], formats: list, name: str,
               widths: list[float], wrap: set[int] = frozenset(), text: set[int] = frozenset({0})) -> int:
    """An Excel table with filters at row `top`, a cell format per column (the headings of the `text` columns left,
    the others right); a Formula cell is written with its value cached, anything else as a value (text stays text).
    Returns the row after the table."""
    ws.add_table(top, 0, top + max(len(rows), 1), len(headers) - 1, {
        "name": name, "style": TABLE_STYLE, "autofilter": True,
        "columns": [{"header": h, "header_format": book.heading(None if c in text else "andel")}
                    for c, h in enumerate(unique_headers(headers))]})
    for c, width in enumerate(widths):
        ws.set_column(c, c, width)
    ws.set_row(top, line_height(max(lines(h, w, bold=True) for h, w in zip(headers, widths))))
    for r, values in enumerate(rows, start=top + 1):
        for c, v in enumerate(values):
            if isinstance(v, Formula):
                book.formula(ws, r, c, v.text, formats[c], v.cached)
            else:
                book.put(ws, r, c, v, formats[c])
        needed = max([lines(values[c], widths[c]) for c in wrap if isinstance(values[c], str)] + [1])
        if needed > 1:
            ws.set_row(r, line_height(needed))
    return top + max(len(rows), 1) + 1


def breach_format(book: Book, ws, first_row: int, first_col: int, last_row: int, last_col: int, limit: str) -> None:
    """Cells at or over the riktvärde (the cell `limit`) marked as the report marks them."""
    ws.conditional_format(first_row, first_col, last_row, last_col, {
        "type": "cell", "criteria": ">=", "value": limit,
        "format": book.fmt(None, bg_color=BREACH_FILL, font_color=BREACH_FONT, bold=True)})


def note(book: Book, ws, row: int, text: str) -> int:
    ws.write_string(row, 0, text, book.fmt(None, italic=True, font_color="#555555"))
    return row + 1


def workbook(tmp: Path, result, title: str, command: str) -> Book:
    """A Book whose properties, header and footer name this output rather than the report."""
    return Book(tmp, Path(result.calculation.plan.file).name, dt.datetime.now().replace(second=0, microsecond=0),
                title, command, "Kapitalkostnader (avskrivningar + räntekostnader) som andel av totala intäkter mot "
                                "riktvärdet")


def write_book_and_chart(result, directory: Path, stem: str, chart: str, draw, title: str, command: str,
                         fill) -> list[Path]:
    """`{stem}.xlsx`, its sheets written by `fill(book)`, and `{stem}_{chart}.png` drawn by `draw(result, path)`,
    atomically into `directory`; returns the two paths."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    xlsx, png = directory / f"{stem}.xlsx", directory / f"{stem}_{chart}.png"
    draw(result, png)
    with atomic_path(xlsx) as tmp:
        book = workbook(tmp, result, title, command)
        fill(book)
        book.close()
    return [xlsx, png]


def sheet_head(book: Book, ws, heading: str, result, limit: float, sources: str | None = None) -> None:
    """Title, the sources in words (the plan and the parameters, or `sources`), and the riktvärde in RIKTVARDE_CELL
    (the breach formatting compares with it)."""
    c = result.calculation
    ws.write_string(0, 0, heading, book.fmt(None, bold=True, font_size=14))
    ws.write_string(1, 0, f"{sources or source_line(c)} · riktvärdesmetod {value(c.conventions.riktvardesmetod)}",
                    book.fmt(None, italic=True, font_color="#555555"))
    ws.write_string(2, 0, "Riktvärde", book.fmt(None, bold=True))
    ws.write_number(2, 1, limit, book.fmt("riktvarde", bold=True))


# --- invest scenario ---

def write_scenario_report(result: ScenarioResult, directory: Path, stem: str = "scenarier") -> list[Path]:
    """Writes `{stem}.xlsx` (Jämförelse and a sheet per scenario, Bas first) and `{stem}_andel.png`; returns them."""
    def fill(book: Book) -> None:
        everyone = (result.base, *result.scenarios)
        names = sheet_names([s.name for s in everyone], reserved=("Jämförelse",))
        comparison = book.sheet("Jämförelse", tall=0)
        _comparison(book, comparison, result, names)
        for s, name in zip(everyone, names):
            _scenario_sheet(book, book.sheet(name, freeze=(4, 1)), result, s, None if s is result.base else names[0])
        comparison.activate()
    return write_book_and_chart(result, directory, stem, "andel", write_scenario_chart,
                                "Scenarier – kapitalkostnader mot riktvärdet", "scenario", fill)


def _comparison(book: Book, ws, result: ScenarioResult, sheets: list) -> None:
    """The share per scenario and year (a table with filters, breach cells marked), Δ against the base in
    procentenheter (formulas on the first table), Δ kapitalkostnader, and a native line chart."""
    everyone = [result.base, *result.scenarios]
    years = result.base.table["ar"].to_list()
    n, first, last = len(years), years[0], years[-1]
    sheet_head(book, ws, "Scenarier – andel av totala intäkter mot riktvärdet", result, result.riktvarde)
    ws.write_string(4, 0, "Andel av totala intäkter per år", book.fmt(None, bold=True, font_size=12))
    top = 5
    rows = [[s.name, *s.table["andel"].to_list(), s.first_breach if s.first_breach is not None else "inget",
             Formula(f"AVERAGE({xl_rowcol_to_cell(top + 1 + i, 1)}:{xl_rowcol_to_cell(top + 1 + i, n)})",
                     s.average_share), sheet]
            for i, (s, sheet) in enumerate(zip(everyone, sheets))]
    share = book.fmt("andel", valign="top")
    formats = [book.fmt(None, valign="top"), *[share] * n, book.fmt("ar", valign="top", align="right"), share,
               book.fmt(None, valign="top", indent=1)]
    headers = ["Scenario", *map(str, years), "Första år över riktvärdet", f"Genomsnitt {first}–{last}", "Blad"]
    end = table_rows(book, ws, top, headers, rows, formats, "ScenarioAndel", [34, *[9] * n, 12, 12, 31],
                     text={0, n + 3})
    breach_format(book, ws, top + 1, 1, end - 1, n, RIKTVARDE_CELL)
    limit_row = end
    ws.write_string(limit_row, 0, "Riktvärde", book.fmt(None, italic=True))
    for j in range(n):
        book.formula(ws, limit_row, 1 + j, RIKTVARDE_CELL, book.fmt("riktvarde", italic=True), result.riktvarde)
    row = limit_row + 2
    ws.write_string(row, 0, "Δ andel mot Bas, procentenheter", book.fmt(None, bold=True, font_size=12))
    base_row = top + 1
    delta_rows = []
    for i, s in enumerate(result.scenarios, start=1):
        r = top + 1 + i
        cells = [Formula(f"({xl_rowcol_to_cell(r, 1 + j)}-{xl_rowcol_to_cell(base_row, 1 + j)})*100",
                         d * 100) for j, d in enumerate(s.table["delta_andel"].to_list())]
        avg = Formula(f"({xl_rowcol_to_cell(r, n + 2)}-{xl_rowcol_to_cell(base_row, n + 2)})*100",
                      (s.average_share - result.base.average_share) * 100)
        delta_rows.append([s.name, *cells, avg])
    pe = book.fmt(None, num_format=PE_FORMAT, valign="top")
    row = table_rows(book, ws, row + 1, ["Scenario", *map(str, years), f"Genomsnitt {first}–{last}"], delta_rows,
                     [formats[0], *[pe] * (n + 1)], "ScenarioDeltaAndel", [34, *[9] * n, 12]) + 1
    ws.write_string(row, 0, "Δ kapitalkostnader mot Bas, mnkr", book.fmt(None, bold=True, font_size=12))
    mnkr = book.fmt("mnkr", valign="top")
    cost_rows = [[s.name, *s.table["delta_kapitalkostnader"].to_list(),
                  Formula(f"SUM({xl_rowcol_to_cell(row + 2 + i, 1)}:{xl_rowcol_to_cell(row + 2 + i, n)})",
                          float(s.table["delta_kapitalkostnader"].sum()))]
                 for i, s in enumerate(result.scenarios)]
    row = table_rows(book, ws, row + 1, ["Scenario", *map(str, years), f"Summa {first}–{last}"], cost_rows,
                     [formats[0], *[mnkr] * (n + 1)], "ScenarioDeltaKapitalkostnader", [34, *[9] * n, 12]) + 1
    row = note(book, ws, row, "Röda celler: år då andelen når riktvärdet (cellen B3). Δ är formler på tabellen "
                              "ovan; bladen per scenario har alla poster per år.")
    for s in result.scenarios:
        for w in s.warnings:
            row = note(book, ws, row, f"Varning ({s.name}): {w}")
    ws.set_h_pagebreaks([row + 1])  # the chart on a page of its own
    ws.insert_chart(row + 1, 0, _share_chart(book, top, everyone, result.riktvarde, limit_row, n),
                    {"x_offset": 5, "y_offset": 5})


def axis_range(values: list) -> tuple[float, float]:
    """A native chart's axis from the half procentenhet under the lowest value to the one over the highest."""
    shown = [v for v in values if v is not None and v == v]
    return math.floor(min(shown) * 200) / 200, math.ceil(max(shown) * 200) / 200


def _share_chart(book: Book, top: int, everyone: list[Scenario], limit: float, limit_row: int, n: int):
    """A native line chart of the share per scenario (Bas thick and dark) with the riktvärde as a dashed line."""
    chart = book.wb.add_chart({"type": "line"})
    categories = ["Jämförelse", top, 1, top, n]
    count = len(everyone)
    for i in range(count):
        colour = "#1a1a1a" if i == 0 else SCENARIO_COLOURS[(i - 1) % len(SCENARIO_COLOURS)]
        chart.add_series({"name": ["Jämförelse", top + 1 + i, 0], "categories": categories,
                          "values": ["Jämförelse", top + 1 + i, 1, top + 1 + i, n],
                          "line": {"color": colour, "width": 3.0 if i == 0 else 1.75},
                          "marker": {"type": "circle", "size": 5 if i == 0 else 4, "fill": {"color": colour},
                                     "border": {"color": colour}}})
    chart.add_series({"name": ["Jämförelse", limit_row, 0], "categories": categories,
                      "values": ["Jämförelse", limit_row, 1, limit_row, n],
                      "line": {"color": LIMIT_COLOUR, "width": 2, "dash_type": "dash"}, "marker": {"type": "none"}})
    chart.set_title({"name": "Andel av totala intäkter per scenario mot riktvärdet",
                     "name_font": {"size": 11, "bold": True}})
    low, high = axis_range([v for s in everyone for v in s.table["andel"].to_list()] + [limit])
    chart.set_y_axis({"num_format": "0.0%", "min": low, "max": high,
                      "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 1000, "height": 500 + 18 * max(0, count - 6)})
    return chart


ITEMS = ("andel", "riktvarde", "kapitalkostnader", "avskrivningar", "rantekostnader", "totala_intakter", "marginal")
DELTA_ITEMS = ("delta_andel", "delta_kapitalkostnader")
ITEM_FORMATS = {"andel": "andel", "riktvarde": "riktvarde", "marginal": "marginal", "delta_andel": PE_FORMAT,
                "delta_kapitalkostnader": DELTA_MNKR}  # the others mnkr
ITEM_LABELS = {"delta_andel": "Δ andel mot Bas (procentenheter)",
               "delta_kapitalkostnader": "Δ kapitalkostnader mot Bas (mnkr)"}
BOLD_ITEMS = ("andel", "kapitalkostnader", "marginal")
NETTO_NOTE = ("Värde ur beräkningen: med riktvärdesmetod netto dras intäktsförd medfinansiering från täljare och "
              "nämnare, och den står inte på bladet")


def _formulas(method: str, base: str | None) -> dict[str, tuple[str, str]]:
    """item -> (formula over the items of the same year column, the formula in words). The share and the marginal
    only with riktvärdesmetod brutto: netto needs intäktsförd medfinansiering, which the scenario does not carry."""
    out = {"riktvarde": (f"{quote_sheetname('Jämförelse')}!{RIKTVARDE_CELL}", "riktvärdet på bladet Jämförelse"),
           "kapitalkostnader": ("{avskrivningar}+{rantekostnader}", "Avskrivningar + räntekostnader")}
    if method == "brutto":
        out["andel"] = ("{kapitalkostnader}/{totala_intakter}", "Kapitalkostnader / totala intäkter")
        out["marginal"] = ("{riktvarde}*{totala_intakter}-{kapitalkostnader}",
                           "Riktvärde × totala intäkter − kapitalkostnader")
    if base:
        base = base.replace("{", "{{").replace("}", "}}")
        out["delta_andel"] = (f"({{andel}}-{base}!{{andel}})*100", "(Andel − andel på bladet Bas) × 100")
        out["delta_kapitalkostnader"] = (f"{{kapitalkostnader}}-{base}!{{kapitalkostnader}}",
                                         "Kapitalkostnader − kapitalkostnader på bladet Bas")
    return out


def _number(v) -> float | None:
    return None if v is None or v != v else float(v)


def _holds(item: str, row: dict, limit: float) -> bool:
    """Whether the item's formula gives the calculation's figure in this year (else the figure is written)."""
    v = {k: _number(x) for k, x in row.items()}
    if any(x is None for x in v.values()):
        return False
    computed = {"kapitalkostnader": lambda: v["avskrivningar"] + v["rantekostnader"],
                "andel": lambda: v["kapitalkostnader"] / v["totala_intakter"] if v["totala_intakter"] else None,
                "marginal": lambda: limit * v["totala_intakter"] - v["kapitalkostnader"]}.get(item)
    if computed is None:
        return True
    got = computed()
    return got is not None and abs(got - v[item]) <= 1e-9 * max(1.0, abs(v[item]))


def _scenario_sheet(book: Book, ws, result: ScenarioResult, s: Scenario, base_sheet: str | None) -> None:
    """A scenario in the budget's shape: items as rows, years as columns, formulas with their values where a
    controller checks the arithmetic and the formula gives the calculation's figure; the Δ rows on the sheet Bas."""
    calc = result.calculation
    ws.write_string(0, 0, f"Scenario: {s.name}", book.fmt(None, bold=True, font_size=14))
    ws.write_string(1, 0, f"{source_line(calc)} · riktvärdesmetod {value(calc.conventions.riktvardesmetod)}",
                    book.fmt(None, italic=True, font_color="#555555"))
    table = s.table.with_columns(riktvarde=result.riktvarde)
    years = table["ar"].to_list()
    items = [*ITEMS, *(DELTA_ITEMS if base_sheet else ())]
    rows = {item: r for r, item in enumerate(items, start=4)}
    ws.write_string(3, 0, "Mnkr", book.head)
    for j, y in enumerate(years, start=1):
        ws.write_string(3, j, str(y), book.heading("mnkr"))
    ws.write_string(3, len(years) + 1, "Beräkning", book.head)
    spec = _formulas(calc.conventions.riktvardesmetod, base_sheet and quote_sheetname(base_sheet))
    records = table.select(ITEMS).to_dicts()
    for item, r in rows.items():
        kind = ITEM_FORMATS.get(item, "mnkr")
        bold = item in BOLD_ITEMS
        fmt = book.fmt(kind, bold=bold) if kind in ("andel", "riktvarde", "marginal", "mnkr") else \
            book.fmt(None, num_format=kind)
        ws.write_string(r, 0, ITEM_LABELS.get(item) or column(item), book.fmt(None, bold=bold))
        formula, words = spec.get(item, (None, ""))
        shown = formula is not None and all(_holds(item, x, result.riktvarde) for x in records)
        for j, v in enumerate(table[item].to_list(), start=1):
            v = _number(v)
            v = v * 100 if v is not None and item == "delta_andel" else v
            if shown:
                book.formula(ws, r, j, formula.format(**{k: xl_rowcol_to_cell(rows[k], j) for k in rows}), fmt, v)
            else:
                book.put(ws, r, j, v, fmt)
        text = ("= " + words) if shown else NETTO_NOTE if item in ("andel", "marginal") and \
            calc.conventions.riktvardesmetod == "netto" else ""
        if text:
            ws.write_string(r, len(years) + 1, text, book.fmt(None, italic=True, font_color="#555555", indent=1))
    last = xl_col_to_name(len(years))
    for item in ("andel", "marginal"):
        ws.conditional_format(f"B{rows[item] + 1}:{last}{rows[item] + 1}", {
            "type": "formula", "criteria": f"=B${rows['andel'] + 1}>=B${rows['riktvarde'] + 1}",
            "format": book.fmt(None, bg_color=BREACH_FILL, font_color=BREACH_FONT, bold=True)})
    row = note(book, ws, len(items) + 5, "Belopp i mnkr. Formlerna står i cellerna; kolumnen Beräkning säger dem "
                                          "i ord. Röda celler: år då andelen når riktvärdet.")
    for w in s.warnings:
        row = note(book, ws, row, f"Varning: {w}")
    ws.set_column(0, 0, 36)
    ws.set_column(1, len(years), 10.5)
    ws.set_column(len(years) + 1, len(years) + 1, 58)


# --- invest kanslighet ---
