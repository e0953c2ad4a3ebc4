"""`invest risk` as files: the fan chart of the share per plan year (the P10–P90 band of the draws, the median, the
plan's own share and the riktvärde, with the probability of reaching the riktvärde beneath each year) and the
workbook — Risk (per year the probability, the share's P10 / P50 / P90 beside the plan's, kapitalkostnader P50 and
P85 beside the plan's), Drivande objekt (the objects whose own uncertainty adds the most years over the riktvärde)
and Antaganden (the distributions drawn from: per asset class the cost factor and the delay, and the correlation).
Shares the workbook set-up of scenario_report and the chart helpers of chart."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from invest.analyses.risk import CORRELATION, COST, DELAY, DRIVER_DRAWS, RiskResult
from invest.base import swedish
from invest.outputs.chart import (BREACH_COLOUR, LINE_COLOUR, OK_COLOUR, TEXT_COLOUR, crowded, figure_row, footer,
                                  guard_line, legend_above, new_figure, save, share_span, title,
                                  value_size)
from invest.outputs.labels import source_line, value
from invest.outputs.risk_output import figures, probability_text
from invest.outputs.scenario_report import (RIKTVARDE_CELL, breach_format, note, sheet_head, table_rows,
                                            write_book_and_chart)
from invest.outputs.xlsx_book import TABLE_STYLE, Book

BAND_COLOUR, PLAN_COLOUR = "#c6d6e8", "#e39b2d"
PROBABILITY = "0.00%"  # 1 draw in 10 000 still shows, never 0 for a year that can breach
ROW_LABEL = "Sannolikhet att\nnå riktvärdet"


def _period(result: RiskResult) -> str:
    return swedish.years(result.years)


# --- the fan chart ---

def risk_figure(result: RiskResult) -> Figure:
    """The share per plan year: the P10–P90 band of the draws shaded, the median as a line, the plan's own share as a
    distinct line, the riktvärde as the guard line; the probability of reaching it as a row of figures beneath."""
    f, limit = figures(result), result.riktvarde
    years = [int(y) for y in result.years]
    fig = new_figure()
    ax = fig.add_subplot()
    ax.fill_between(years, f["p10"], f["p90"], color=BAND_COLOUR, linewidth=0, zorder=1, gid="p10_p90")
    ax.plot(years, f["p50"], color=OK_COLOUR, linewidth=2.4, marker="o", markersize=4.5, zorder=4, gid="p50")
    ax.plot(years, f["bas"], color=PLAN_COLOUR, linewidth=1.8, linestyle="-.", marker="D", markersize=4, zorder=5,
            gid="plan")
    guard_line(ax, limit, f"Riktvärde {swedish.percent(limit, 0)}")
    share_span(ax, years, [*f["p10"], *f["p90"], *f["bas"]], limit, 0.08, 0.001)
    ax.grid(axis="y", color="#e3e3e3", linewidth=0.6, zorder=0)
    figure_row(ax, years, [probability_text(p) for p in f["p"]], ROW_LABEL, size=value_size(len(years)),
               on_end=crowded(len(years)), colours=[BREACH_COLOUR if p >= 0.5 else TEXT_COLOUR for p in f["p"]])
    handles = [Patch(color=BAND_COLOUR, label="P10–P90 (8 av 10 dragningar)"),
               Line2D([], [], color=OK_COLOUR, linewidth=2.4, marker="o", markersize=4.5, label="Median (P50)"),
               Line2D([], [], color=PLAN_COLOUR, linewidth=1.8, linestyle="-.", marker="D", markersize=4,
                      label="Planen utan osäkerhet"),
               Line2D([], [], color=LINE_COLOUR, linestyle="--", label=f"Riktvärde {swedish.percent(limit, 0)}")]
    rows = legend_above(ax, handles)
    title(ax, f"Risk: andelen av totala intäkter, P10–P90, {swedish.number(result.draws, 0)} dragningar\n"
              f"Sannolikhet att något år {_period(result)} når riktvärdet: "
              f"{probability_text(result.any_year_probability)}", rows)
    footer(fig, f"{source_line(result.calculation)} · frö {result.seed} · röda sannolikheter: 50 % eller mer")
    return fig


# --- the workbook ---

def write_risk_report(result: RiskResult, directory: Path, stem: str = "risk") -> list[Path]:
    """Writes `{stem}.xlsx` (Risk, Drivande objekt, Antaganden) and `{stem}_andel.png`; returns them."""
    def fill(book: Book) -> None:
        _risk_sheet(book, book.sheet("Risk", freeze=(8, 1)), result)
        _drivers_sheet(book, book.sheet("Drivande objekt", repeat=6), result)
        _assumptions_sheet(book, book.sheet("Antaganden"), result)
    return write_book_and_chart(result, directory, stem, "andel", lambda r, png: save(risk_figure(r), [png]),
                                "Risk – kapitalkostnader mot riktvärdet", "risk", fill)


RISK_ROWS = (("p", "Sannolikhet att nå riktvärdet", PROBABILITY), ("p10", "Andel P10", "andel"),
             ("p50", "Andel P50 (median)", "andel"), ("p90", "Andel P90", "andel"),
             ("bas", "Andel i planen (utan osäkerhet)", "andel"), ("k50", "Kapitalkostnader P50 (mnkr)", "mnkr"),
             ("k85", "Kapitalkostnader P85 (mnkr)", "mnkr"), ("kbas", "Kapitalkostnader i planen (mnkr)", "mnkr"))


def _risk_sheet(book: Book, ws, result: RiskResult) -> None:
    """The budget's shape: a row per figure, a column per plan year, in a table with filters; the shares at or over
    the riktvärde marked."""
    f, years = figures(result), [str(int(y)) for y in result.years]
    n = len(years)
    sheet_head(book, ws, "Risk – andel av totala intäkter mot riktvärdet", result, result.riktvarde)
    bold = book.fmt(None, bold=True)
    ws.write_string(3, 0, f"Sannolikhet att något år {_period(result)} når riktvärdet", bold)
    ws.write_number(3, 1, result.any_year_probability, book.fmt(None, num_format=PROBABILITY, bold=True))
    ws.write_string(4, 0, "Dragningar")
    ws.write_number(4, 1, result.draws, book.fmt(None, num_format="#,##0"))
    ws.write_string(5, 0, "Frö")
    ws.write_number(5, 1, result.seed, book.fmt("tal"))
    top = 7
    rows = [[label, *map(float, f[key])] for key, label, _ in RISK_ROWS]
    formats = [[book.fmt(None, num_format=kind) if kind == PROBABILITY else book.fmt(kind)] * n
               for _, _, kind in RISK_ROWS]
    for r, (row, fmt) in enumerate(zip(rows, formats), start=top + 1):  # a format per row, not per column
        _row(book, ws, r, row, fmt)
    end = top + 1 + len(rows)
    ws.add_table(top, 0, top + len(rows), n, {
        "name": "Risk", "style": TABLE_STYLE, "autofilter": True,
        "columns": [{"header": "Per år", "header_format": book.heading(None)},
                    *({"header": y, "header_format": book.heading("andel")} for y in years)]})
    ws.set_column(0, 0, 50)
    ws.set_column(1, n, 10)
    breach_format(book, ws, top + 2, 1, top + 5, n, RIKTVARDE_CELL)
    row = note(book, ws, end + 1, "P10, P50 och P90: andelen som 10, 50 och 90 % av dragningarna är på eller "
                                  "under; P85 för kapitalkostnaderna likaså.")
    row = note(book, ws, row, "Planen utan osäkerhet: beräkningen av planen som den står, utan fördyring och "
                              "försening. Röda celler: andelen når riktvärdet (cellen B3).")
    note(book, ws, row, "Fördelningarna står på bladet Antaganden; objekten som driver risken på bladet "
                        "Drivande objekt.")


def _row(book: Book, ws, r: int, values: list, formats: list) -> None:
    ws.write_string(r, 0, values[0], book.fmt(None))
    for c, (v, fmt) in enumerate(zip(values[1:], formats), start=1):
        book.put(ws, r, c, v, fmt)


def _drivers_sheet(book: Book, ws, result: RiskResult) -> None:
    """The objects in the order the analysis ranks them, with their name, asset class and contribution."""
    objects = {o.id: o for o in result.calculation.plan.objects}
    sheet_head(book, ws, "Objekt som driver risken att nå riktvärdet", result, result.riktvarde)
    ws.write_string(3, 0, "Färre år över riktvärdet: hur många färre år av planperioden som väntas vara på eller "
                          "över riktvärdet när objektets egen fördyring och försening tas bort.",
                    book.fmt(None, italic=True))
    rows = [[oid, objects[oid].namn if oid in objects else "", value(objects[oid].tillgangsklass)
             if oid in objects else "", bidrag] for oid, bidrag in result.drivers]
    text = book.fmt(None, valign="top")
    end = table_rows(book, ws, 5, ["Id", "Namn", "Tillgångsklass", "Färre år över riktvärdet (förväntat antal)"],
                     rows, [text, book.fmt(None, valign="top", text_wrap=True), text,
                            book.fmt(None, num_format="0.00", valign="top")], "DrivandeObjekt", [18, 62, 26, 18],
                     wrap={1}, text={0, 1, 2})
    if not rows:
        note(book, ws, end + 1, "Inget objekt har egen osäkerhet (fördyring eller försening).")
    else:
        note(book, ws, end + 1, f"Rangordnat på de första {swedish.number(min(result.draws, DRIVER_DRAWS), 0)} "
                                f"dragningarna (frö {result.seed}); samma dragningar för alla andra objekt.")


def _assumptions_sheet(book: Book, ws, result: RiskResult) -> None:
    """Per asset class in the plan: how many objects, the cost factor's mean and standard deviation, the delay's
    probabilities per whole year; the correlation in the head."""
    calc = result.calculation
    year = calc.plan.plan_years[0]
    costs, delays = calc.models.value(COST, year), calc.models.value(DELAY, year)
    counts = Counter(o.tillgangsklass for o in calc.plan.objects)
    classes = sorted(counts, key=value)
    longest = max([max(d) for d in delays.values() if d] + [0])
    sheet_head(book, ws, "Antaganden – fördelningarna som dragningarna görs ur", result, result.riktvarde)
    ws.write_string(3, 0, "Korrelation mellan objekten", book.fmt(None, bold=True))
    ws.write_number(3, 1, float(calc.models.value(CORRELATION, year)), book.fmt(None, num_format="0.00", bold=True))
    rows = [[value(c), counts[c], *costs.get(c, (0.0, 0.0)),
             *((delays.get(c) or {0: 1.0}).get(k, 0.0) for k in range(longest + 1))] for c in classes]
    pct = book.fmt(None, num_format="0%", valign="top")
    headers = ["Tillgångsklass", "Objekt i planen", "Fördyring, medel", "Fördyring, standardavvikelse",
               *(f"Försening {k} år" for k in range(longest + 1))]
    end = table_rows(book, ws, 5, headers, rows, [book.fmt(None, valign="top"), book.fmt("tal", valign="top"),
                                                  pct, pct, *[pct] * (longest + 1)],
                     "Antaganden", [30, 10, 11, 15, *[13] * (longest + 1)])
    row = end + 1
    for words, missing in (("fördyring", [c for c in classes if c not in costs]),
                           ("försening", [c for c in classes if not delays.get(c)])):
        if missing:
            row = note(book, ws, row, f"Ingen {words} i parameterfilen för {', '.join(map(value, missing))}.")
    row = note(book, ws, row, f"Fördyring: en lognormal faktor på återstående utgifter (från {year}) med "
                                  "medelvärde 1 + medel och standardavvikelsen ovan; utfall fördyras inte.")
    row = note(book, ws, row, "Försening: hela år per objekt; objekt som väntar på ett försenat objekt flyttas med "
                              "det. Objekt i bruk och löpande potter försenas inte.")
    row = note(book, ws, row, "Korrelation: talen bakom två objekts fördyring eller försening, och bakom ett "
                              "objekts fördyring och försening, har denna korrelation (en gemensam faktor).")
    note(book, ws, row, f"Ur parameterfilerna {COST}, {DELAY} och {CORRELATION} ({calc.models.label}), värden för "
                        f"{year}.")
