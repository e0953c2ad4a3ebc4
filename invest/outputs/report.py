"""`invest rapport`: the auditable workbook (xlsx), the four budget charts (PNG), the A4 PDF report and a short
summary, written atomically. The workbook is written with XlsxWriter (invest.outputs.xlsx_book): formulas with their
values cached where a controller checks the arithmetic, native charts, Excel tables with filters, breach years
marked, A4 print set-up; its sheets are made by report_tables, report_sheets and report_charts."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import polars as pl

from invest.analyses.calibration import comparison, headline as calibration_headline
from invest.base import swedish
from invest.base.atomic import atomic_path, retire
from invest.engine.calculation import Calculation
from invest.outputs.budget_figures import CHARTS, write_charts
from invest.outputs.chart_process import ChartProcess
from invest.outputs.labels import value
from invest.outputs.report_charts import chart_sheet
from invest.outputs.report_sheets import (SummaryValue, calibration_sheet, findings_sheet, parameter_sheet,
                                          summary_sheet)
from invest.outputs.report_tables import object_sheet, plan_sheet, region_sheet, unit_sheet
from invest.outputs.xlsx_book import Book

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


def write_workbook(calc: Calculation, calibration: pl.DataFrame, target: Path,
                   summary: list[tuple[str, str]]) -> list[Path]:
    """The workbook at `target`; returns the files written: the workbook, and the CSV file beside it that holds Per
    objekt when that table is too large for a sheet (report_tables.object_sheet)."""
    created = next((v.number for k, v in summary if k == "Skapad" and isinstance(v, SummaryValue)),
                   dt.datetime.now().replace(second=0, microsecond=0))
    plan_name = Path(calc.plan.file).name
    n_years = calc.region.table.height
    with atomic_path(target) as tmp:
        book = Book(tmp, plan_name, created)
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
        region_rows = region_sheet(book, sheets["Region"], calc)
        summary_sheet(book, sheets["Sammanfattning"], calc, summary, region_rows)
        plan_sheet(book, sheets["Investeringsplan"], calc)
        if calibration.height:
            calibration_sheet(book, sheets["Kalibrering"], calibration)
        unit_sheet(book, sheets["Per organisation"], calc, "organisation", "Org")
        areas = unit_sheet(book, sheets["Per verksamhetsområde"], calc, "verksamhetsomrade", "Omr")
        per_object = object_sheet(book, sheets["Per objekt"], calc, per_object_csv(target.parent, calc))
        parameter_sheet(book, sheets["Parametrar"], calc)
        findings_sheet(book, sheets["Fynd"], calc)
        chart_sheet(book, sheets["Diagram"], calc, region_rows, areas.get("utgift"), n_years)
        sheets["Sammanfattning"].activate()
        book.close()
    return [target] + ([per_object] if per_object else [])


def per_object_csv(directory: Path, calc: Calculation) -> Path:
    """Where Per objekt goes when it is too large for a sheet: a CSV file beside the workbook."""
    return directory / f"{Path(calc.plan.file).stem}_per_objekt.csv"


def _summary_text(summary: list[tuple[str, str]], written: list) -> str:
    lines = [f"{k}: {v}" for k, v in summary if k != "Skapad"]
    return "\n".join(["Kapitalkostnader mot riktvärdet", ""] + lines + ["", "Skrivet:"] + [f"  {p}" for p in written]) + "\n"


def write_report(calc: Calculation, directory: Path, charts: ChartProcess) -> tuple[list[Path], str]:
    """Writes the workbook (and Per objekt as CSV beside it when too large for a sheet), the budget charts (PNG), the
    A4 PDF report and the summary; returns the files written and the summary's text. The charts are those of
    `charts`, which was handed this plan's figures (budget_view) and draws them while the workbook is written (in its
    own process, or here when it has none). A file an earlier report of this plan left in `directory` that this one
    does not write (a chart this plan has no figures for, a Per objekt CSV no longer needed) is removed with the set
    (atomic.retire), so that the folder holds one report."""
    directory.mkdir(parents=True, exist_ok=True)
    stem = Path(calc.plan.file).stem
    xlsx = directory / f"{stem}_kapitalkostnader.xlsx"
    calibration = comparison(calc.plan.published, calc.region.table)
    summary = _summary_lines(calc, calibration)
    tables = write_workbook(calc, calibration, xlsx, summary)
    from invest.outputs.pdf_report import write_pdf_report  # matplotlib (its fonts): once the charts are under way

    drawn = charts.result()  # once, for the PNG files and the PDF
    pngs = write_charts(drawn, directory, stem)
    pdf = write_pdf_report(calc, directory / f"{stem}_rapport.pdf", summary, [], drawn)
    text = directory / f"{stem}_sammanfattning.txt"
    written = [*tables, pdf, *pngs, text]
    for earlier in [per_object_csv(directory, calc), *(directory / f"{stem}_{name}.png" for name in CHARTS)]:
        if earlier not in written:
            retire(earlier)
    with atomic_path(text) as tmp:  # the file names only: no folder of the user's machine in what is handed on
        tmp.write_text(_summary_text(summary, [p.name for p in written]), encoding="utf-8")
    return written, _summary_text(summary, written)
