"""`invest kanslighet --arbetsbok`: the känslighetsanalys as a workbook — Känslighet (the budget's table: per driver
and step the share per plan year, the share in the peak year, Δ kapitalkostnader, the break-even) and Tornado (the
chart's figures and a native bar chart) — and the tornado chart (PNG). Shares the workbook set-up of
scenario_report."""

from __future__ import annotations

from pathlib import Path

from xlsxwriter.utility import xl_rowcol_to_cell

from invest.analyses.sensitivity import SensitivityResult
from invest.base import swedish
from invest.outputs.scenario_charts import tornado_rows, write_tornado
from invest.outputs.scenario_output import break_even_text, change_text, driver_name
from invest.outputs.scenario_report import (PE_FORMAT, RIKTVARDE_CELL, axis_range, breach_format, note, sheet_head,
                                            table_rows, write_book_and_chart)
from invest.outputs.xlsx_book import Book, Formula



def write_sensitivity_report(result: SensitivityResult, directory: Path, stem: str = "kanslighet") -> list[Path]:
    """Writes `{stem}.xlsx` (Känslighet and Tornado) and `{stem}_tornado.png`; returns them."""
    def fill(book: Book) -> None:
        _sensitivity_sheet(book, book.sheet("Känslighet", repeat=6, freeze=(7, 1)), result)
        _tornado_sheet(book, book.sheet("Tornado", tall=1), result)
    return write_book_and_chart(result, directory, stem, "tornado", write_tornado,
                                "Känslighetsanalys – kapitalkostnader mot riktvärdet", "kanslighet", fill)


def _sensitivity_sheet(book: Book, ws, result: SensitivityResult) -> None:
    """Per driver and step: the change in words and as a number, the share per plan year, the share in the peak
    year, Δ kapitalkostnader over the plan period and the break-even (on the driver's first row); Bas first."""
    years = [int(y) for y in result.years]
    n, first, last, peak = len(years), years[0], years[-1], result.peak_year
    sheet_head(book, ws, "Känslighetsanalys – andel av totala intäkter mot riktvärdet", result, result.riktvarde)
    ws.write_string(3, 0, f"Högsta andel i basen: {swedish.percent(result.base_peak)} år {peak}.",
                    book.fmt(None, italic=True))
    ws.write_string(4, 0, "Brytpunkten är den ändring där planens högsta andel når riktvärdet"
                    + (" (där planen slutar överskrida det)." if max(result.base_shares) >= result.riktvarde
                       else " (där första året når det)."), book.fmt(None, italic=True))
    rows = [["Bas", "±0", 0.0, *map(float, result.base_shares), result.base_peak, 0.0, "", ""]]
    for dr in result.drivers:
        d = dr.driver
        for k, step in enumerate(dr.steps):
            shares = [None] * n if step.shares is None else [float(v) for v in step.shares]
            rows.append([driver_name(d), change_text(d, step.change), step.change, *shares, step.peak_share,
                         step.delta_cost, break_even_text(d, dr.break_even) if k == 0 else "", step.reason])
    share, text = book.fmt("andel", valign="top"), book.fmt(None, valign="top")
    formats = [text, book.fmt(None, valign="top", align="right"), book.fmt(None, num_format="0.0####", valign="top"),
               *[share] * n, book.fmt("andel", valign="top", bold=True), book.fmt("mnkr", valign="top"),
               book.fmt(None, valign="top", text_wrap=True, indent=1), book.fmt(None, valign="top", text_wrap=True)]
    headers = ["Drivare", "Ändring", "Ändring som tal (andel; år)", *map(str, years), f"Andel {peak} (toppår)",
               f"Δ kapitalkostnader {first}–{last} (mnkr)", "Brytpunkt", "Anmärkning"]
    top = 6
    end = table_rows(book, ws, top, headers, rows, formats, "Kanslighet",
                     [34, 10, 9, *[7.5] * n, 9, 15, 34, 46], wrap={n + 5, n + 6}, text={0, n + 5, n + 6})
    breach_format(book, ws, top + 1, 3, end - 1, n + 3, RIKTVARDE_CELL)
    note(book, ws, end + 1, "Röda celler: andelen når riktvärdet (cellen B3). Ändring som tal: som i en "
                            "scenariofil (procentenheter och procent som andel, 0,005 = 0,5 pe; år för försening "
                            "och nyttjandeperiod). Tomma celler: steget kan inte beräknas (Anmärkning).")


def _tornado_sheet(book: Book, ws, result: SensitivityResult) -> None:
    """The tornado chart's figures, widest first: the share in the peak year at the lowest and the highest step and
    the span (a formula), with a native bar chart whose bars start at the base's share."""
    sheet_head(book, ws, f"Tornado: andelen år {result.peak_year} vid lägsta och högsta steget", result,
          result.riktvarde)
    ws.write_string(3, 0, f"Bas, andel {result.peak_year}", book.fmt(None, bold=True))
    ws.write_number(3, 1, result.base_peak, book.fmt("andel", bold=True))
    top = 5
    rows = []
    for i, t in enumerate(tornado_rows(result)):
        r, d = top + 1 + i, t.result.driver
        cells = [xl_rowcol_to_cell(r, 3), xl_rowcol_to_cell(r, 5), "$B$4"]
        rows.append([t.name, t.range_text, change_text(d, t.low.change) if t.low else "–",
                     t.low.peak_share if t.low else None, change_text(d, t.high.change) if t.high else "–",
                     t.high.peak_share if t.high else None,
                     Formula(f"(MAX({','.join(cells)})-MIN({','.join(cells)}))*100", t.span * 100)])
    share, text = book.fmt("andel", valign="top"), book.fmt(None, valign="top")
    right = book.fmt(None, valign="top", align="right")
    headers = ["Drivare", "Intervall", "Lägsta steget", "Andel vid lägsta steget", "Högsta steget",
               "Andel vid högsta steget", "Spännvidd (procent-enheter)"]
    end = table_rows(book, ws, top, headers, rows, [text, right, right, share, right, share,
                                                    book.fmt(None, num_format=PE_FORMAT.lstrip("+"), valign="top")],
                     "Tornado", [34, 12, 10, 11, 10, 11, 13])
    for col in (3, 5):  # not the text between them: Excel finds any text greater than a number
        breach_format(book, ws, top + 1, col, end - 1, col, RIKTVARDE_CELL)
    note(book, ws, end + 1, "Spännvidd: från den lägsta till den högsta av basens andel och de två ändarna. "
                            "– : inget steg åt det hållet kan beräknas (en försening kan inte flytta utgifter före "
                            "planens första år); då används det mest ytterliga steg som kan beräknas.")
    chart = book.wb.add_chart({"type": "bar"})
    for col, colour, name in ((3, "#9bb7d4", "Vid lägsta steget"), (5, "#3b6ea5", "Vid högsta steget")):
        chart.add_series({"name": name, "categories": ["Tornado", top + 1, 0, end - 1, 0],
                          "values": ["Tornado", top + 1, col, end - 1, col], "fill": {"color": colour},
                          "gap": 40, "overlap": 100})
    chart.set_title({"name": f"Andelen år {result.peak_year} vid lägsta och högsta steget (staplar från basens "
                             f"andel {swedish.percent(result.base_peak)})", "name_font": {"size": 11, "bold": True}})
    low, high = axis_range([v for t in tornado_rows(result) for v in t.ends] + [result.riktvarde, result.base_peak])
    chart.set_y_axis({"reverse": True, "num_font": {"size": 8}, "label_position": "low"})  # a bar chart's y axis holds the categories
    chart.set_x_axis({"num_format": "0.0%", "crossing": result.base_peak, "min": low, "max": high,
                      "major_gridlines": {"visible": True, "line": {"color": "#d9d9d9"}}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 120 + 22 * len(rows)})
    ws.insert_chart(end + 3, 0, chart, {"x_offset": 5, "y_offset": 5})
