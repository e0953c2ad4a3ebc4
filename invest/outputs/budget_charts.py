"""The four charts of a budget document, drawn from a plan's BudgetFigures over the plan's years:

- `andel`: kapitalkostnadernas andel of totala intäkter against the riktvärde, the margin in mnkr per year beneath;
- `kapitalkostnader`: avskrivningar and räntekostnader stacked against the riktvärde as an amount (8 % of totala
  intäkter, in mnkr), totala intäkter per year beneath;
- `investeringar`: investments per verksamhetsområde (Budget 2026 Tabell 20's shape), the co-financed part hatched,
  medfinansiering per year beneath;
- `skuld`: räntebärande skuld / totala intäkter against the gränsvärde, the debt in mnkr beneath.

Each is drawn by a `draw_*` function into given axes or built as a standalone figure by `chart_figure`, at the size
it has in the PDF report (the width of an A4 page); each figure is drawn once (`pixels`), its pixels written as the
PNG file, and the PDF report puts the same pixels (without the source line at the foot) two to a page. A plan
without a Region sheet has no totala intäkter: `andel` and `skuld` are left out and `kapitalkostnader` shows the
costs without the riktvärde.

This module reads no calculation and imports neither polars nor the engine: the chart process (chart_process) draws
with it alone."""

from __future__ import annotations

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from invest.base import swedish
from invest.outputs.budget_figures import CHART_DPI, BudgetFigures, Drawn
from invest.outputs.chart import (BREACH_COLOUR, FOOTER_INCH, LINE_COLOUR, OK_COLOUR, TEXT_COLOUR, bar_label,
                                  crowded, figure_row, footer, guard_line, legend_above, mnkr_axis, new_figure,
                                  render, share_axis, title, value_size, year_axis)

DEPRECIATION_COLOUR, INTEREST_COLOUR = "#3b6ea5", "#9bb7d4"
# The chart as the PDF report shows it, two to an A4 page across the text and a little of the margins, with the strip
# for the source line under it; the PNG file is the same pixels. Text keeps its size in points on the page.
CHART_WIDTH, CHART_HEIGHT = 7.5, 4.4  # inches, without the source line
CHART_SIZE = (CHART_WIDTH, CHART_HEIGHT + FOOTER_INCH)


def draw_share(ax: Axes, f: BudgetFigures) -> None:
    """Bars of the share per year, red at or over the riktvärde, the riktvärde as a dashed line; the margin to it in
    mnkr beneath each year (negative: over the riktvärde)."""
    years, shares, margins, limit = list(f.years), list(f.andel), list(f.marginal), f.riktvarde
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
    breach = list(f.breach_years)
    subtitle = (f"Över riktvärdet {swedish.years(breach)}" if breach else "Under riktvärdet alla år")
    subtitle += f" · genomsnitt {swedish.years(years)}: {swedish.percent(f.average_share)}"
    title(ax, f"Kapitalkostnadernas andel av totala intäkter\n{subtitle}", legend_above(ax, handles))


def draw_capital_costs(ax: Axes, f: BudgetFigures) -> None:
    """Avskrivningar and räntekostnader stacked per year, kapitalkostnader over each bar; with a Region sheet the
    riktvärde as an amount (the kapitalkostnader at which the share reaches it, 8 % of totala intäkter) as a stepped
    line and totala intäkter beneath each year."""
    years, dep, interest = list(f.years), list(f.avskrivningar), list(f.rantekostnader)
    capital = list(f.kapitalkostnader)
    ax.bar(years, dep, width=0.68, color=DEPRECIATION_COLOUR, label="Avskrivningar", zorder=2)
    ax.bar(years, interest, width=0.68, bottom=dep, color=INTEREST_COLOUR, label="Räntekostnader", zorder=2)
    handles = [Patch(color=DEPRECIATION_COLOUR, label="Avskrivningar"),
               Patch(color=INTEREST_COLOUR, label="Räntekostnader")]
    top = max(capital)
    size, tilt = value_size(len(years)), crowded(len(years))
    if f.has_share:
        limit = f.riktvarde
        level = [c + m for c, m in zip(capital, f.marginal)]  # the costs at which the share is the limit
        shown = swedish.percent(limit, 0)
        name = (f"Riktvärde {shown} av totala intäkter" if f.riktvardesmetod == "brutto"
                else f"Riktvärde {shown} (netto), i mnkr")
        xs = [x for y in years for x in (y - 0.5, y + 0.5)]
        ax.plot(xs, [v for v in level for _ in (0, 1)], color=LINE_COLOUR, linestyle="--", linewidth=1.4,
                gid="riktvarde", zorder=3)
        handles.append(Line2D([], [], color=LINE_COLOUR, linestyle="--", label=name))
        top = max(top, max(level))
        figure_row(ax, years, [swedish.number(v, 0) for v in f.totala_intakter],
                   "Totala intäkter (mnkr)", size=size, on_end=tilt)
        heading = "Kapitalkostnader mot totala intäkter"
        sub = f"Avskrivningar och räntekostnader (staplar) mot riktvärdet {shown} av totala intäkter (linje)"
    else:
        heading = "Kapitalkostnader per år"
        sub = "Planen saknar bladet Region: totala intäkter och riktvärdet kan inte visas"
    for year, c, breach in zip(years, capital, f.marginal):
        bar_label(ax, year, c, swedish.number(c, 0), inside_colour=TEXT_COLOUR, size=size, bold=breach < 0,
                  on_end=tilt)
    ax.set_ylim(0, top * 1.14)
    mnkr_axis(ax)
    ax.set_ylabel("Mnkr", fontsize=9)
    year_axis(ax, years)
    title(ax, f"{heading}\n{sub}", legend_above(ax, handles))


def draw_investments(ax: Axes, f: BudgetFigures) -> None:
    """Investments per verksamhetsområde and year stacked, each area's co-financed part hatched, the total over each
    bar and medfinansiering per year beneath."""
    years = list(f.plan_years)
    bottom = np.zeros(len(years))
    medfin_total = np.zeros(len(years))
    handles = []
    for area in f.areas:
        spend, medfin, colour = np.array(area.utgift), np.array(area.medfinansiering), area.colour
        medfin_total += medfin
        hatched = np.clip(np.minimum(medfin, spend), 0, None)  # the co-financed part of this year's spend
        if hatched.any():
            ax.bar(years, hatched, bottom=bottom, width=0.68, color=colour, hatch="///", hatchcolor="white",
                   edgecolor=colour, linewidth=0, zorder=2)
        ax.bar(years, spend - hatched, bottom=bottom + hatched, width=0.68, color=colour, linewidth=0, zorder=2)
        bottom += spend
        handles.append(Patch(color=colour, label=area.name))
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


def draw_debt(ax: Axes, f: BudgetFigures) -> None:
    """Bars of räntebärande skuld / totala intäkter per year against the gränsvärde, the debt in mnkr beneath."""
    years, shares, debt, limit = list(f.years), list(f.skuldandel), list(f.rantebarande_skuld), f.gransvarde
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
    cash = [d - s * r for d, s, r in zip(debt, shares, f.totala_intakter)]  # the share nets likvida medel
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


def chart_figure(f: BudgetFigures, name: str) -> Figure:
    """One chart as a standalone figure with the plan and parameters named at its foot."""
    fig = new_figure(CHART_SIZE, CHART_DPI)
    DRAW[name](fig.add_subplot(), f)
    footer(fig, f.source)
    return fig


def chart_figures(f: BudgetFigures) -> dict[str, Figure]:
    """Every chart this plan has figures for, by name, built but not drawn (for a look test)."""
    return {name: chart_figure(f, name) for name in f.shown}


def pixels(f: BudgetFigures, name: str) -> np.ndarray:
    """One chart built and drawn: its pixels at CHART_DPI (chart.render)."""
    return render(chart_figure(f, name))


def drawn_charts(f: BudgetFigures) -> dict[str, Drawn]:
    """Every chart this plan has figures for, by name, drawn in this process."""
    return {name: Drawn.of(pixels(f, name)) for name in f.shown}
