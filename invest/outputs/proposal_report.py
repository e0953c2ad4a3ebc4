"""The one-page result of `invest kontroll` in reports/: an xlsx sheet worded for a decision document, with the
chart of both share curves against the riktvärde beside the year table; the full Δ per year on a second sheet."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.drawing.image import Image
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from invest.base.atomic import atomic_path, pending
from invest.engine.calculation import Calculation
from invest.outputs.chart import comparison_chart
from invest.analyses.proposals import Admission, Verdict
from invest.outputs.proposal_output import (PROPOSAL_HEADERS, proposal_columns, proposal_sets, proposal_values,
                                           year_columns, year_values)
from invest.outputs.proposal_sentences import (METHOD_NOTE, SOURCE, admission_lines, assessment, headline,
                                               proposal_count)
from invest.base import swedish
from invest.excel.cells import FORMATS
from invest.excel.writer import header_row, printable, put, write_table

CHART_COLUMNS = 9  # the chart beside the year table spans about nine default-width columns
YEAR_FORMATS = {"ar": FORMATS["ar"], "andel_utan": FORMATS["andel"], "andel_med": FORMATS["andel"],
                "delta_kapitalkostnader": FORMATS["mnkr"], "marginal_utan": FORMATS["mnkr"],
                "marginal_med": FORMATS["mnkr"], "skuldandel_med": FORMATS["andel"]}
PROPOSAL_FORMATS = [None, FORMATS["mnkr"], FORMATS["mnkr"], FORMATS["andel"], None, None, None, "0.00", "0.00", "0",
                    "0"]
SUMMED_DETAIL = ("delta_avskrivningar", "delta_rantekostnader", "delta_kapitalkostnader", "delta_totala_intakter")
DETAIL = [("ar", "År", "ar"), ("andel_utan", "Andel utan förslaget", "andel"), ("andel_med", "Andel med förslaget", "andel"),
          ("delta_avskrivningar", "Δ avskrivningar", "mnkr"), ("delta_rantekostnader", "Δ räntekostnader", "mnkr"),
          ("delta_kapitalkostnader", "Δ kapitalkostnader", "mnkr"), ("delta_totala_intakter", "Δ totala intäkter", "mnkr"),
          ("marginal_utan", "Marginal utan", "mnkr"), ("marginal_med", "Marginal med", "mnkr"),
          ("skuldandel_utan", "Skuld/intäkter utan", "andel"), ("skuldandel_med", "Skuld/intäkter med", "andel"),
          ("delta_rantebarande_skuld", "Δ räntebärande skuld", "mnkr")]


def _paragraph(ws, row: int, text: str, width: int, bold: bool = False) -> int:
    put(ws, row, 1, text).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(row, 1).font = Font(bold=bold)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=width)
    ws.row_dimensions[row].height = 15 * (len(text) // (9 * width) + 1)
    return row + 1


def _header(ws, row: int, headers: list[str]) -> None:
    header_row(ws, row, headers)
    ws.row_dimensions[row].height = 45  # three wrapped lines


def _width(value) -> int:
    """Characters a value needs as shown (numbers with a thousands separator and a decimal)."""
    if value is None:
        return 0
    return len(f"{value:,.1f}") if isinstance(value, float) else len(str(value))


def write_check_report(calc: Calculation, verdicts: list[Verdict], admission: Admission, files: list[Path],
                       warnings, directory: Path) -> list[Path]:
    whole = verdicts[-1]
    several = proposal_count(verdicts)
    stem = Path(files[0]).stem
    xlsx, png = directory / f"kontroll_{stem}.xlsx", directory / f"kontroll_{stem}.png"
    t = whole.table
    limit = calc.conventions.riktvarde
    plan_fails = bool(whole.plan_breaches)
    verdict_line = headline(whole, several=several)
    comparison_chart(t["ar"].to_list(), t["andel_utan"].to_list(), t["andel_med"].to_list(), limit,
                     f"Kapitalkostnadernas andel av totala intäkter med och utan förslaget\n"
                     f"{headline(whole, several=several, short=True)}",
                     f"Förslag: {', '.join(Path(f).name for f in files)} · plan: {calc.plan.file} · "
                     f"parametrar: {calc.models.label}", png)

    columns = year_columns(plan_fails)
    shown = proposal_columns(plan_fails) if several > 1 else []
    chart_at = len(columns) + 2  # one empty column between the year table and the chart
    width = max(chart_at + CHART_COLUMNS - 1, len(shown))

    wb = Workbook()
    ws = wb.active
    ws.title = "Kontroll"
    put(ws, 1, 1, "Kontroll mot riktvärdet för kapitalkostnader").font = Font(bold=True, size=14)
    row = _paragraph(ws, 2, f"Förslag: {', '.join(Path(f).name for f in files)}. Plan: {calc.plan.file}. "
                            f"Riktvärde: kapitalkostnader under {swedish.percent(limit, 0)} av totala intäkter "
                            f"(metod {calc.conventions.riktvardesmetod}, {SOURCE}). Parametrar: {calc.models.label}. "
                            f"Skapad {dt.datetime.now():%Y-%m-%d %H:%M}.", width)
    row = _paragraph(ws, row + 1, verdict_line, width, bold=True)
    for sentence in assessment(calc, whole, several):
        row = _paragraph(ws, row, sentence, width)
    row += 1
    table_top = row
    _header(ws, row, [h for h, _ in columns])
    needed = [8] * width  # characters per column, over the year table and the proposals' table
    for headers in ([h for h, _ in columns], [PROPOSAL_HEADERS[i] for i in shown]):
        for c, h in enumerate(headers):
            needed[c] = max(needed[c], *(len(word) for word in h.split()))  # headers wrap between words
    for values in year_values(whole):
        row += 1
        for c, (_, key) in enumerate(columns, start=1):
            cell = put(ws, row, c, values.get(key), YEAR_FORMATS.get(key))
            needed[c - 1] = max(needed[c - 1], _width(values.get(key)))
            if key == "ar":
                cell.alignment = Alignment(horizontal="left")
            elif key.startswith("klarar"):
                cell.alignment = Alignment(horizontal="center")
            if values.get(key) == "NEJ" or isinstance(values["ar"], str):
                cell.font = Font(bold=True)
    image = Image(str(pending(png)))  # the chart just written, not yet in place
    image.width, image.height = 620, 310
    ws.add_image(image, f"{get_column_letter(chart_at)}{table_top}")
    row = max(row, table_top + 16) + 2
    if several > 1:
        _header(ws, row, [PROPOSAL_HEADERS[i] for i in shown])
        for values in proposal_values(*proposal_sets(verdicts)):
            row += 1
            for c, i in enumerate(shown, start=1):
                cell = put(ws, row, c, "–" if values[i] is None else values[i], PROPOSAL_FORMATS[i])
                if values[i] is None:  # no year / unbounded, in a column of numbers
                    cell.alignment = Alignment(horizontal="right")
                needed[c - 1] = max(needed[c - 1], _width(values[i]))
                if values[i] == "EJ GODKÄNT" or values[0] == "Samtliga":
                    cell.font = Font(bold=True)
        row += 2
        for line in admission_lines(admission, plan_fails, limit):
            row = _paragraph(ws, row, line.strip(), width)
    _paragraph(ws, row + 1, f"{METHOD_NOTE} Andelar och marginaler är oavrundade i beräkningen; skalfaktorer är "
                            "avrundade nedåt till två decimaler.", width)
    for c in range(1, max(len(columns), len(shown)) + 1):
        ws.column_dimensions[get_column_letter(c)].width = min(needed[c - 1], 24) + 3
    printable(ws)
    ws.page_setup.fitToHeight = 1
    ws.print_area = f"A1:{get_column_letter(width)}{row + 1}"

    detail = wb.create_sheet("Underlag per år")
    rows = [list(r) for r in t.select([k for k, _, _ in DETAIL]).rows()]
    rows.append(["Summa", *(t[k].sum() if k in SUMMED_DETAIL else None for k, _, _ in DETAIL[1:])])
    write_table(detail, [label for _, label, _ in DETAIL], rows, [fmt for _, _, fmt in DETAIL])
    for cell in detail[detail.max_row]:
        cell.font = Font(bold=True)
    if warnings:
        write_table(wb.create_sheet("Fynd"), ["Nivå", "Plats", "Meddelande"],
                    [(f.level, f.location, f.message) for f in warnings], ["text"] * 3, widths=[10, 40, 110])
    with atomic_path(xlsx) as tmp:
        wb.save(tmp)
    return [xlsx, png]
