"""`invest rapport`: the audit workbook (xlsx), the chart (PNG, PDF) and a short summary, written atomically."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
import polars as pl

from invest.base.atomic import atomic_path
from invest.analyses.calibration import comparison, headline as calibration_headline
from invest.analyses.breakdown import MEASURES, budget_shape, by, schedule
from invest.engine.calculation import Calculation
from invest.outputs.chart import share_chart
from invest.outputs.calculation_output import TABLE_LABELS
from invest.base import swedish
from invest.excel.writer import HEADER_FONT, printable, put, write_table

REGION_LABELS = {
    **TABLE_LABELS, "klarar_riktvarde": "Under riktvärdet", "befintliga_avskrivningar": "Avskrivningar befintliga tillgångar",
    "objektens_avskrivningar": "Avskrivningar planens objekt", "objektens_ranta": "Internränta planens objekt",
    "objektens_bundna_kapital": "Bundet kapital planens objekt", "sjalvfinansiering": "Självfinansiering",
    "sjalvfinansieringsgrad": "Självfinansieringsgrad (exkl. medfin.)", "lanebehov": "Lånebehov",
    "rantebarande_skuld": "Räntebärande skuld", "skuldandel": "Skuld / totala intäkter",
    "gransvarde_skuld": "Gränsvärde skuld", "materiella_anlaggningstillgangar": "Materiella anläggningstillgångar",
    "medfinansiering_mottagen": "Medfinansiering mottagen", "intaktsford_medfinansiering": "Intäktsförd medfinansiering",
    "organisation": "Organisation", "verksamhetsomrade": "Verksamhetsområde", "namn": "Namn",
    "tillgangsklass": "Tillgångsklass", "driftsattning": "Driftsättning", "aktiverat": "Aktiverat",
    "rantebas": "Räntebas", "utgift": "Investeringar",
    "ranta_utover_objektens": "Räntekostnader utöver planens internränta", "ovriga_intakter": "Övriga intäkter",
    "andel_omsatt_skuld": "Andel av skulden som får ny ränta", "rantekostnader_budget": "Räntekostnader enligt budget",
    "pagaende_arbete": "Pågående arbete",
}
WRAPPED = Alignment(wrap_text=True, vertical="top")
SHARES = {"andel", "riktvarde", "skuldandel", "gransvarde_skuld", "sjalvfinansieringsgrad", "andel_omsatt_skuld"}
TEXT = {"id", "namn", "organisation", "verksamhetsomrade", "tillgangsklass", "driftsattning", "klarar_riktvarde"}


def _fmt(column: str) -> str:
    return "ar" if column == "ar" else "andel" if column in SHARES else "text" if column in TEXT else "mnkr"


def _shown(value):
    """Booleans as ja/nej; everything else as it is."""
    return ("ja" if value else "nej") if isinstance(value, bool) else value


def _frame_sheet(wb, title: str, df) -> None:
    ws = wb.create_sheet(title)
    columns = df.columns
    rows = [[_shown(v) for v in r] for r in df.iter_rows()]
    write_table(ws, [REGION_LABELS.get(c, c) for c in columns], rows, [_fmt(c) for c in columns])


def _region_sheet(wb, table) -> None:
    """Items as rows and years as columns, the shape of the budget's own tables (Tabell 8)."""
    ws = wb.create_sheet("Region")
    years = table["ar"].to_list()
    items = [c for c in table.columns if c != "ar"]
    rows = [[REGION_LABELS.get(c, c)] + [_shown(v) for v in table[c].to_list()] for c in items]
    write_table(ws, ["Mnkr"] + [str(y) for y in years], rows, ["text"] + ["mnkr"] * len(years),
                widths=[38] + [11] * len(years))
    for r, c in enumerate(items, start=2):
        if c in SHARES:
            for col in range(2, len(years) + 2):
                ws.cell(r, col).number_format = "0.00%"
    ws.freeze_panes = "B2"


def _calibration_sheet(wb, frame: pl.DataFrame) -> None:
    """The model beside the budget's own figures, with the tolerance each must meet."""
    if not frame.height:
        return
    ws = wb.create_sheet("Kalibrering")
    rows = [[_shown(v) for v in r] for r in frame.iter_rows()]
    write_table(ws, ["Post", "År", "Budgetens uppgift", "Roll", "Budget", "Modell", "Avvikelse (andel: procentenheter)",
                     "Tolerans", "Inom tolerans", "Källa"], rows,
                ["text", "ar", "text", "text", "mnkr", "mnkr", "andel", "andel", "text", "text"])
    for r, row in enumerate(frame.iter_rows(named=True), start=2):
        if row["post"] == "Kapitalkostnadsandel":
            for col in (5, 6):
                ws.cell(r, col).number_format = "0.00%"
        ws.cell(r, 10).alignment = WRAPPED  # the sources, so that the sheet prints on a readable page
        ws.row_dimensions[r].height = 13 * max(1, -(-len(row["kalla"] or "") // 58))


def _summary_lines(calc: Calculation, calibration: pl.DataFrame) -> list[tuple[str, str]]:
    c = calc.conventions
    lines = [
        ("Plan", calc.plan.file), ("Parametrar", calc.models.label),
        ("Skapad", dt.datetime.now().strftime("%Y-%m-%d %H:%M")),
        ("Planperiod", f"{calc.plan.plan_years[0]}–{calc.plan.plan_years[-1]}"),
        ("Antal objekt", str(len(calc.plan.objects))),
        ("Riktvärde", f"kapitalkostnader under {swedish.percent(c.riktvarde, 0)} av totala intäkter (metod {c.riktvardesmetod})"),
    ]
    if calc.region.has_share:
        breach = calc.breach_years()
        lines += [("Genomsnittlig andel", swedish.percent(calc.average_share())),
                  ("År över riktvärdet", ", ".join(map(str, breach)) if breach else "inget")]
        peak = calc.plan_period().sort("andel", descending=True).row(0, named=True)
        lines.append(("Högsta andel", f"{swedish.percent(peak['andel'])} år {peak['ar']} "
                                      f"(marginal {swedish.number(peak['marginal'])} mnkr)"))
        lines.append(("Andel per år", ", ".join(f"{r['ar']} {swedish.percent(r['andel'])}"
                                                for r in calc.plan_period().iter_rows(named=True))))
    summary = calibration_headline(calibration)
    if summary:
        lines.append(("Kalibrering mot budgeten", summary))
    lines += [
        ("Räntebas", c.rantebas), ("Räntetidpunkt", c.rantetidpunkt), ("Avskrivningsstart", c.avskrivningsstart),
        ("Aktiveringsmånad", f"driftsättning ÅÅÅÅ: månad {c.standardmanad}; utgifter efter driftsättning och "
                             f"löpande pottar: månad {c.efter_driftsattning_manad}"),
        ("Ränta", f"platt {swedish.percent(calc.models.flat_rate)} (--ranta)" if calc.models.flat_rate is not None
         else "räntebanor i models/ranta/"),
        ("Enhet", "mnkr, oavrundat i beräkningen"),
    ]
    lines += [("Notering", n) for n in calc.region.notes]
    return lines


def write_workbook(calc: Calculation, calibration: pl.DataFrame, target: Path, summary: list[tuple[str, str]]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "Sammanfattning"
    put(ws, 1, 1, "Kapitalkostnader mot riktvärdet").font = Font(bold=True, size=14)
    for r, (key, value) in enumerate(summary, start=3):
        put(ws, r, 1, key).font = HEADER_FONT
        put(ws, r, 2, value)
    ws.column_dimensions["A"].width, ws.column_dimensions["B"].width = 26, 110
    printable(ws)

    _region_sheet(wb, calc.region.table)
    headers, rows = budget_shape(calc)
    write_table(wb.create_sheet("Investeringsplan"), headers, rows, ["text"] + ["mnkr"] * (len(headers) - 1))
    _calibration_sheet(wb, calibration)
    for title, key in (("Per organisation", "organisation"), ("Per verksamhetsområde", "verksamhetsomrade")):
        _frame_sheet(wb, title, by(calc, key).select(key, "ar", *MEASURES))
    sched = schedule(calc).drop("rantebas")
    _frame_sheet(wb, "Per objekt", sched)
    used = calc.models.used()
    write_table(wb.create_sheet("Parametrar"), list(used[0].keys()) if used else [],
                [list(u.values()) for u in used], ["text"] * 8)
    findings = [(f.level, f.location, f.message) for f in calc.plan.warnings]
    write_table(wb.create_sheet("Fynd"), ["Nivå", "Plats", "Meddelande"], findings or [("–", "–", "Inga fynd")],
                ["text"] * 3, widths=[10, 40, 110])
    with atomic_path(target) as tmp:
        wb.save(tmp)


def _summary_text(summary: list[tuple[str, str]], written: list) -> str:
    lines = [f"{k}: {v}" for k, v in summary if k != "Skapad"]
    return "\n".join(["Kapitalkostnader mot riktvärdet", ""] + lines + ["", "Skrivet:"] + [f"  {p}" for p in written]) + "\n"


def write_report(calc: Calculation, directory: Path) -> tuple[list[Path], str]:
    """Writes the workbook, the chart and the summary; returns the files written and the summary's text."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = Path(calc.plan.file).stem
    xlsx = directory / f"{stem}_kapitalkostnader.xlsx"
    charts = [directory / f"{stem}_andel.png", directory / f"{stem}_andel.pdf"]
    calibration = comparison(calc.plan.published, calc.region.table)
    summary = _summary_lines(calc, calibration)
    write_workbook(calc, calibration, xlsx, summary)
    share_chart(calc, charts)
    text = directory / f"{stem}_sammanfattning.txt"
    written = [xlsx, *charts, text]
    with atomic_path(text) as tmp:  # the file names only: no folder of the user's machine in what is handed on
        tmp.write_text(_summary_text(summary, [p.name for p in written]), encoding="utf-8")
    return written, _summary_text(summary, written)
