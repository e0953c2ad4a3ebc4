"""The one-page result of `invest kontroll` in reports/: an xlsx sheet worded for a decision document, with the
chart of both share curves against the riktvärde beside the year table; the full Δ per year on a second sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font

from invest.base.atomic import atomic_path
from invest.engine.calculation import Calculation
from invest.outputs.chart import comparison_chart
from invest.analyses.proposals import Admission, Verdict
from invest.outputs.proposal_output import (METHOD_NOTE, PROPOSAL_HEADERS, SOURCE, admission_lines, assessment, headline,
                              proposal_columns, proposal_count, proposal_sets, proposal_values)
from invest.base import swedish
from invest.excel.writer import FORMATS, header_row, printable, put, write_table

WIDTH = 19  # columns the text spans: the tables (A–I) and the chart beside them (J–S)
DETAIL = [("ar", "År", "ar"), ("andel_utan", "Andel utan förslaget", "andel"), ("andel_med", "Andel med förslaget", "andel"),
          ("delta_avskrivningar", "Δ avskrivningar", "mnkr"), ("delta_rantekostnader", "Δ räntekostnader", "mnkr"),
          ("delta_kapitalkostnader", "Δ kapitalkostnader", "mnkr"), ("delta_totala_intakter", "Δ totala intäkter", "mnkr"),
          ("marginal_utan", "Marginal utan", "mnkr"), ("marginal_med", "Marginal med", "mnkr"),
          ("skuldandel_utan", "Skuld/intäkter utan", "andel"), ("skuldandel_med", "Skuld/intäkter med", "andel"),
          ("delta_rantebarande_skuld", "Δ räntebärande skuld", "mnkr")]


def _paragraph(ws, row: int, text: str, bold: bool = False) -> int:
    put(ws, row, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row, 1).font = Font(bold=bold)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=WIDTH)
    ws.row_dimensions[row].height = 15 * (len(text) // 190 + 1)
    return row + 1


def _header(ws, row: int, headers: list[str]) -> None:
    header_row(ws, row, headers)
    ws.row_dimensions[row].height = 30


def write_check_report(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
                       warnings, directory: Path) -> list[Path]:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    stem = Path(files[0]).stem
    xlsx, png = directory / f"kontroll_{stem}.xlsx", directory / f"kontroll_{stem}.png"
    t = whole.table
    limit = calc.conventions.riktvarde
    verdict_line = headline(whole)
    comparison_chart(t["ar"].to_list(), t["andel_utan"].to_list(), t["andel_med"].to_list(), limit,
                     f"Kapitalkostnadernas andel av totala intäkter med och utan förslaget\n{verdict_line}",
                     f"Förslag: {', '.join(Path(f).name for f in files)} · plan: {calc.plan.file} · "
                     f"parametrar: {calc.models.label}", png)

    wb = Workbook()
    ws = wb.active
    ws.title = "Kontroll"
    put(ws, 1, 1, "Kontroll mot riktvärdet för kapitalkostnader").font = Font(bold=True, size=14)
    row = _paragraph(ws, 2, f"Förslag: {', '.join(Path(f).name for f in files)}. Plan: {calc.plan.file}. "
                            f"Riktvärde: kapitalkostnader under {swedish.percent(limit, 0)} av totala intäkter "
                            f"(metod {calc.conventions.riktvardesmetod}, {SOURCE}). Parametrar: {calc.models.label}. "
                            f"Skapad {dt.datetime.now():%Y-%m-%d %H:%M}.")
    row = _paragraph(ws, row + 1, verdict_line, bold=True)
    for sentence in assessment(calc, whole, several):
        row = _paragraph(ws, row, sentence)
    row += 1
    table_top = row
    _header(ws, row, ["År", "Andel utan", "Andel med", "Δ kapital-kostnader", "Marginal utan", "Marginal med",
                      "Under riktvärdet", "Skuld/ intäkter med"])
    for r in t.iter_rows(named=True):
        row += 1
        for c, (key, fmt) in enumerate((("ar", "ar"), ("andel_utan", "andel"), ("andel_med", "andel"),
                                        ("delta_kapitalkostnader", "mnkr"), ("marginal_utan", "mnkr"),
                                        ("marginal_med", "mnkr")), start=1):
            put(ws, row, c, r[key], FORMATS[fmt])
        put(ws, row, 7, "ja" if r["klarar_med"] else "NEJ").font = Font(bold=not r["klarar_med"])
        put(ws, row, 8, r["skuldandel_med"], FORMATS["andel"])
    row += 1
    put(ws, row, 1, "Genomsnitt")
    put(ws, row, 2, t["andel_utan"].mean(), FORMATS["andel"])
    put(ws, row, 3, whole.average_with, FORMATS["andel"])
    put(ws, row, 4, t["delta_kapitalkostnader"].sum(), FORMATS["mnkr"])
    image = Image(str(png))
    image.width, image.height = 620, 310
    ws.add_image(image, f"J{table_top}")
    row = max(row, table_top + 16) + 2
    if several > 1:
        shown = proposal_columns(not t["klarar_utan"].all())
        _header(ws, row, [PROPOSAL_HEADERS[i] for i in shown])
        formats = [None, FORMATS["mnkr"], FORMATS["mnkr"], FORMATS["andel"], None, None, "0.00", "0.00", "0", "0"]
        for values in proposal_values(*proposal_sets(verdicts)):
            row += 1
            for c, i in enumerate(shown, start=1):
                put(ws, row, c, "–" if values[i] is None else values[i], formats[i])
        row += 2
        for line in admission_lines(admission, not t["klarar_utan"].all(), limit):
            row = _paragraph(ws, row, line.strip())
    _paragraph(ws, row + 1, f"{METHOD_NOTE} Andelar och marginaler är oavrundade i beräkningen.")
    for c, width in enumerate([22, 11, 12, 16, 12, 12, 12, 13, 12], start=1):
        ws.column_dimensions[chr(64 + c)].width = width
    printable(ws)
    ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:S{row + 1}"

    detail = wb.create_sheet("Underlag per år")
    write_table(detail, [label for _, label, _ in DETAIL], t.select([k for k, _, _ in DETAIL]).rows(),
                [fmt for _, _, fmt in DETAIL])
    if warnings:
        write_table(wb.create_sheet("Fynd"), ["Nivå", "Plats", "Meddelande"],
                    [(f.level, f.location, f.message) for f in warnings], ["text"] * 3, widths=[10, 40, 110])
    with atomic_path(xlsx) as tmp:
        wb.save(tmp)
    return [xlsx, png]
