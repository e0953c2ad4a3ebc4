"""The four charts of a budget document for a computed plan, over the plan's years:

- `andel`: kapitalkostnadernas andel of totala intäkter against the riktvärde, the margin in mnkr per year beneath;
- `kapitalkostnader`: avskrivningar and räntekostnader stacked against the riktvärde as an amount (8 % of totala
  intäkter, in mnkr), totala intäkter per year beneath;
- `investeringar`: investments per verksamhetsområde (Budget 2026 Tabell 20's shape), the co-financed part hatched,
  medfinansiering per year beneath;
- `skuld`: räntebärande skuld / totala intäkter against the gränsvärde, the debt in mnkr beneath.

Each is drawn by a `draw_*` function into given axes or built as a standalone figure by a `*_figure` function, at
the size it has in the PDF report (the width of an A4 page); `budget_charts` draws each figure once and writes its
pixels as the PNG file, and the PDF report puts the same pixels (without the source line at the foot) two to a page. A plan without a Region sheet has no totala
intäkter: `andel` and `skuld` are left out and `kapitalkostnader` shows the costs without the riktvärde."""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path
from typing import NamedTuple

import numpy as np
import polars as pl
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from invest.analyses.breakdown import area_order, by
from invest.base import swedish
from invest.base.memory import die_with_parent
from invest.engine.calculation import Calculation
from invest.outputs.chart import (BREACH_COLOUR, FOOTER_INCH, LINE_COLOUR, OK_COLOUR, TEXT_COLOUR, bar_label,
                                  crowded, figure_row, footer, guard_line, legend_above, mnkr_axis, new_figure,
                                  png_bytes, render, share_axis, source_line, title, value_size, write_png,
                                  year_axis)
from invest.outputs.dependency_layout import OTHER_COLOUR, area_colours

DEPRECIATION_COLOUR, INTEREST_COLOUR = "#3b6ea5", "#9bb7d4"
CHARTS = ("andel", "kapitalkostnader", "investeringar", "skuld")
# The chart as the PDF report shows it, two to an A4 page across the text and a little of the margins, with the strip
# for the source line under it; the PNG file is the same pixels. Text keeps its size in points on the page.
CHART_WIDTH, CHART_HEIGHT = 7.5, 4.4  # inches, without the source line
CHART_SIZE, CHART_DPI = (CHART_WIDTH, CHART_HEIGHT + FOOTER_INCH), 200
NEEDS_REVENUE = ("andel", "skuld")
# The chart drawn in the report's own process while a worker draws the others (ChartDrawing): the one whose figure
# takes longest to build (a breakdown per verksamhetsområde, a bar per area and year), so that the least is built
# before the worker can begin.
DRAWN_HERE = "investeringar"


def _values(frame: pl.DataFrame, column: str) -> list[float]:
    return [np.nan if v is None else float(v) for v in frame[column].to_list()]


def draw_share(ax: Axes, calc: Calculation) -> None:
    """Bars of the share per year, red at or over the riktvärde, the riktvärde as a dashed line; the margin to it in
    mnkr beneath each year (negative: over the riktvärde)."""
    t = calc.plan_period()
    years, shares, margins = t["ar"].to_list(), _values(t, "andel"), _values(t, "marginal")
    limit = calc.conventions.riktvarde
    over = [s >= limit for s in shares]
    ax.bar(years, np.nan_to_num(shares), width=0.68, color=[BREACH_COLOUR if o else OK_COLOUR for o in over], zorder=2)
    guard_line(ax, limit, f"Riktvärde {swedish.percent(limit, 0)}")
    size, tilt = value_size(len(years)), crowded(len(years))
    for year, share, o in zip(years, shares, over):
        if share == share:
            bar_label(ax, year, share, swedish.percent_beside(share, limit), size=size, bold=o, inside_first=not o,
                      on_end=tilt)
    ax.set_ylim(0, max([limit] + [s for s in shares if s == s]) * 1.16)
    share_axis(ax)
    ax.set_ylabel("Andel av totala intäkter", fontsize=9)
    year_axis(ax, years)
    figure_row(ax, years, [swedish.number(m, 0) for m in margins], "Marginal (mnkr)", size=size,
               on_end=tilt, colours=[BREACH_COLOUR if m < 0 else TEXT_COLOUR for m in margins])
    handles = [Patch(color=OK_COLOUR, label="Under riktvärdet"), Patch(color=BREACH_COLOUR, label="Över riktvärdet"),
               Line2D([], [], color=LINE_COLOUR, linestyle="--", label=f"Riktvärde {swedish.percent(limit, 0)}")]
    breach = calc.breach_years()
    subtitle = (f"Över riktvärdet {swedish.years(breach)}" if breach else "Under riktvärdet alla år")
    subtitle += f" · genomsnitt {swedish.years(years)}: {swedish.percent(calc.average_share())}"
    title(ax, f"Kapitalkostnadernas andel av totala intäkter\n{subtitle}", legend_above(ax, handles))


def draw_capital_costs(ax: Axes, calc: Calculation) -> None:
    """Avskrivningar and räntekostnader stacked per year, kapitalkostnader over each bar; with a Region sheet the
    riktvärde as an amount (the kapitalkostnader at which the share reaches it, 8 % of totala intäkter) as a stepped
    line and totala intäkter beneath each year."""
    t = calc.plan_period()
    years = t["ar"].to_list()
    dep, interest, capital = _values(t, "avskrivningar"), _values(t, "rantekostnader"), _values(t, "kapitalkostnader")
    ax.bar(years, dep, width=0.68, color=DEPRECIATION_COLOUR, label="Avskrivningar", zorder=2)
    ax.bar(years, interest, width=0.68, bottom=dep, color=INTEREST_COLOUR, label="Räntekostnader", zorder=2)
    handles = [Patch(color=DEPRECIATION_COLOUR, label="Avskrivningar"),
               Patch(color=INTEREST_COLOUR, label="Räntekostnader")]
    top = max(capital)
    size, tilt = value_size(len(years)), crowded(len(years))
    if calc.region.has_share:
        limit = calc.conventions.riktvarde
        level = [c + m for c, m in zip(capital, _values(t, "marginal"))]  # the costs at which the share is the limit
        shown = swedish.percent(limit, 0)
        name = (f"Riktvärde {shown} av totala intäkter" if calc.conventions.riktvardesmetod == "brutto"
                else f"Riktvärde {shown} (netto), i mnkr")
        xs = [x for y in years for x in (y - 0.5, y + 0.5)]
        ax.plot(xs, [v for v in level for _ in (0, 1)], color=LINE_COLOUR, linestyle="--", linewidth=1.4,
                gid="riktvarde", zorder=3)
        handles.append(Line2D([], [], color=LINE_COLOUR, linestyle="--", label=name))
        top = max(top, max(level))
        figure_row(ax, years, [swedish.number(v, 0) for v in _values(t, "totala_intakter")],
                   "Totala intäkter (mnkr)", size=size, on_end=tilt)
        heading = "Kapitalkostnader mot totala intäkter"
        sub = f"Avskrivningar och räntekostnader (staplar) mot riktvärdet {shown} av totala intäkter (linje)"
    else:
        heading = "Kapitalkostnader per år"
        sub = "Planen saknar bladet Region: totala intäkter och riktvärdet kan inte visas"
    for year, c, breach in zip(years, capital, _values(t, "marginal")):
        bar_label(ax, year, c, swedish.number(c, 0), inside_colour=TEXT_COLOUR, size=size, bold=breach < 0,
                  on_end=tilt)
    ax.set_ylim(0, top * 1.14)
    mnkr_axis(ax)
    ax.set_ylabel("Mnkr", fontsize=9)
    year_axis(ax, years)
    title(ax, f"{heading}\n{sub}", legend_above(ax, handles))


def draw_investments(ax: Axes, calc: Calculation) -> None:
    """Investments per verksamhetsområde and year stacked, each area's co-financed part hatched, the total over each
    bar and medfinansiering per year beneath."""
    years = list(calc.plan.plan_years)
    frame = by(calc, "verksamhetsomrade").filter(pl.col("ar").is_in(years))
    areas = area_order(calc, frame["verksamhetsomrade"].unique().to_list())
    colours = area_colours(calc.models.areas(years[0]))
    bottom = np.zeros(len(years))
    medfin_total = np.zeros(len(years))
    handles = []
    for area in areas:
        rows = {r["ar"]: r for r in frame.filter(pl.col("verksamhetsomrade") == area).iter_rows(named=True)}
        spend = np.array([rows[y]["utgift"] if y in rows else 0.0 for y in years])
        medfin = np.array([rows[y]["medfinansiering_mottagen"] if y in rows else 0.0 for y in years])
        medfin_total += medfin
        hatched = np.clip(np.minimum(medfin, spend), 0, None)  # the co-financed part of this year's spend
        colour = colours.get(area, OTHER_COLOUR)
        if hatched.any():
            ax.bar(years, hatched, bottom=bottom, width=0.68, color=colour, hatch="///", hatchcolor="white",
                   edgecolor=colour, linewidth=0, zorder=2)
        ax.bar(years, spend - hatched, bottom=bottom + hatched, width=0.68, color=colour, linewidth=0, zorder=2)
        bottom += spend
        handles.append(Patch(color=colour, label=area))
    if medfin_total.any():
        handles.append(Patch(facecolor="#9a9a9a", hatch="///", edgecolor="white", label="varav medfinansiering"))
    size, tilt = value_size(len(years)), crowded(len(years))
    for year, total in zip(years, bottom):
        bar_label(ax, year, total, swedish.number(total, 0), size=size, on_end=tilt)
    ax.set_ylim(0, max(bottom.max(), 1.0) * 1.12)
    mnkr_axis(ax)
    ax.set_ylabel("Mnkr", fontsize=9)
    year_axis(ax, years)
    if medfin_total.any():
        figure_row(ax, years, [swedish.number(m, 0) for m in medfin_total], "varav medfinansiering (mnkr)",
                   size=size, on_end=tilt)
    rows = legend_above(ax, handles, columns=min(len(handles), 4))
    total = bottom.sum()
    medfin = (f", varav medfinansiering {swedish.number(medfin_total.sum(), 0)} mnkr" if medfin_total.any()
              else ", ingen medfinansiering")
    title(ax, f"Investeringar per verksamhetsområde\n{swedish.number(total, 0)} mnkr {swedish.years(years)}{medfin}",
          rows)


def draw_debt(ax: Axes, calc: Calculation) -> None:
    """Bars of räntebärande skuld / totala intäkter per year against the gränsvärde, the debt in mnkr beneath."""
    t = calc.plan_period()
    years, shares, debt = t["ar"].to_list(), _values(t, "skuldandel"), _values(t, "rantebarande_skuld")
    limit = calc.conventions.gransvarde
    over = [s >= limit for s in shares]
    ax.bar(years, np.nan_to_num(shares), width=0.68, color=[BREACH_COLOUR if o else OK_COLOUR for o in over], zorder=2)
    guard_line(ax, limit, f"Gränsvärde {swedish.percent(limit, 0)}", gid="gransvarde")
    size, tilt = value_size(len(years)), crowded(len(years))
    for year, share, o in zip(years, shares, over):
        if share == share:
            bar_label(ax, year, share, swedish.percent_beside(share, limit, 1), size=size, bold=o, on_end=tilt)
    finite = [s for s in shares if s == s]
    ax.set_ylim(min([0.0] + finite) * 1.16, max([limit] + finite) * 1.16)
    share_axis(ax)
    ax.set_ylabel("Skuld / totala intäkter", fontsize=9)
    year_axis(ax, years)
    figure_row(ax, years, [swedish.number(d, 0) for d in debt], "Räntebärande skuld (mnkr)", size=size,
               on_end=tilt)
    cash = [d - s * r for d, s, r in zip(debt, shares, _values(t, "totala_intakter"))]  # the share nets likvida medel
    if any(abs(c) >= 0.5 for c in cash):
        figure_row(ax, years, [swedish.number(c, 0) for c in cash], "Likvida medel (mnkr)", level=1, size=size,
                   on_end=tilt)
    handles = [Patch(color=OK_COLOUR, label="Under gränsvärdet"),
               Line2D([], [], color=LINE_COLOUR, linestyle="--", label=f"Gränsvärde {swedish.percent(limit, 0)}")]
    if any(over):
        handles.insert(1, Patch(color=BREACH_COLOUR, label="Över gränsvärdet"))
    peak = int(np.nanargmax(shares))
    netted = " (skulden minus likvida medel)" if any(abs(c) >= 0.5 for c in cash) else ""
    title(ax, f"Räntebärande skuld / totala intäkter{netted}\nHögst {swedish.percent(shares[peak], 1)} år "
              f"{years[peak]} · gränsvärde {swedish.percent(limit, 0)}", legend_above(ax, handles))


DRAW = {"andel": draw_share, "kapitalkostnader": draw_capital_costs, "investeringar": draw_investments,
        "skuld": draw_debt}


def shown_charts(calc: Calculation) -> list[str]:
    """The charts this plan has figures for: without a Region sheet, none that need totala intäkter."""
    return [name for name in CHARTS if calc.region.has_share or name not in NEEDS_REVENUE]


def chart_figure(calc: Calculation, name: str) -> Figure:
    """One chart as a standalone figure with the plan and parameters named at its foot."""
    fig = new_figure(CHART_SIZE, CHART_DPI)
    DRAW[name](fig.add_subplot(), calc)
    footer(fig, source_line(calc))
    return fig


def budget_figures(calc: Calculation) -> dict[str, Figure]:
    """Every chart this plan has figures for, by name, built but not saved (for a look test)."""
    return {name: chart_figure(calc, name) for name in shown_charts(calc)}


class Drawn(NamedTuple):
    """A chart drawn once: its pixels (rows from the top, RGB) at CHART_DPI, the source line in the bottom
    FOOTER_INCH, and the same pixels as a PNG file."""

    pixels: np.ndarray
    png: bytes


def drawn_charts(calc: Calculation) -> dict[str, Drawn]:
    """Every chart this plan has figures for, by name, drawn once; the report hands the same drawing to the PNG
    files and the PDF."""
    with ChartDrawing(calc) as drawing:
        return drawing.result()


def _draw(fig: Figure) -> Drawn:
    pixels = render(fig)
    return Drawn(pixels, png_bytes(pixels, CHART_DPI))


_forked: dict[str, Figure] = {}  # the figures a forked worker draws: inherited at the fork, not sent to it


def _draw_forked(name: str) -> Drawn:
    return _draw(_forked[name])


class ChartDrawing:
    """The plan's charts being drawn while the caller does other work (`with ChartDrawing(calc) as drawing: …;
    drawing.result()`). With two cores or more on Linux, every chart but DRAWN_HERE is built at once (all its
    figures computed) and drawn by a forked worker, which only lays out and draws with matplotlib and encodes the
    PNG; it writes no file. DRAWN_HERE is built and drawn in this process when the result is asked for, so that the
    caller's work and the worker's overlap. Should the worker fail, its charts are drawn here; leaving the block
    stops it.

    Until the block ends, the objects made before the fork (modules, the calculation, the figures) are frozen out of
    the garbage collector, as the gc module's documentation advises before a fork: the worker then neither walks
    them when it collects nor copies their memory pages by doing so, and this process's own collections meanwhile
    pass them by."""

    def __init__(self, calc: Calculation):
        self.calc = calc
        self.names = shown_charts(calc)
        self.pool: ProcessPoolExecutor | None = None
        self.futures: dict[str, Future] = {}
        self.figures: dict[str, Figure] = {}
        self.frozen = False

    def __enter__(self) -> ChartDrawing:
        away = [name for name in self.names if name != DRAWN_HERE]
        two_cores = (os.cpu_count() or 1) >= 2 and sys.platform.startswith("linux")
        if not two_cores or not away or len(away) == len(self.names):
            return self
        global _forked
        self.figures = _forked = {name: chart_figure(self.calc, name) for name in away}
        self.frozen = gc.get_freeze_count() == 0  # frozen by someone else: theirs to thaw
        gc.freeze()
        try:
            self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"),
                                            initializer=die_with_parent)  # no worker outlives a killed run
            self.futures = {name: self.pool.submit(_draw_forked, name) for name in away}  # forks at the first
        except OSError:  # no process to be had: everything is drawn here
            self.futures = {}
        except BaseException:
            self.__exit__()  # the block is not entered, so it would not thaw the heap
            raise
        finally:
            _forked = {}
        return self

    def result(self) -> dict[str, Drawn]:
        """Every chart by name, drawn."""
        done = {name: _draw(self.figures[name] if name in self.figures else chart_figure(self.calc, name))
                for name in self.names if name not in self.futures}
        for name, future in self.futures.items():
            try:
                done[name] = future.result()
            except Exception:  # noqa: BLE001 - a worker that could not draw: draw it here
                done[name] = _draw(self.figures[name])
        return {name: done[name] for name in self.names}

    def __exit__(self, *exc) -> None:
        if self.pool is not None:  # a chart not yet begun is not drawn; the one under way is finished
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool = None
        if self.frozen:
            gc.unfreeze()
            self.frozen = False


def budget_charts(calc: Calculation, directory: Path, stem: str,
                  charts: dict[str, Drawn] | None = None) -> list[Path]:
    """Writes `{stem}_andel.png`, `{stem}_kapitalkostnader.png`, `{stem}_investeringar.png` and `{stem}_skuld.png`
    (those the plan has figures for) atomically into `directory`, from `charts` when already drawn; returns the
    files written."""
    return [write_png(chart.png, Path(directory) / f"{stem}_{name}.png")
            for name, chart in (charts or drawn_charts(calc)).items()]
